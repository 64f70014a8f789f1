"""relu loops forever; sigmoid is correct.

Honest outcome: relu fails with "timeout" after call_timeout; the child is
restarted and sigmoid returns correct numbers.

expect relu: timeout "took longer than"
expect sigmoid: ok
"""

import numpy as np


def relu(z):
    while True:
        pass


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

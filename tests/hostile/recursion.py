"""relu recurses without end; sigmoid is correct.

Honest outcome: relu fails with RecursionError ("exception"); sigmoid is correct.

expect relu: exception "RecursionError"
expect sigmoid: ok
"""

import numpy as np


def relu(z):
    return relu(z) + 1


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

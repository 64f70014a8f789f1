"""relu grows a Python list until memory runs out; sigmoid is correct.

Honest outcome: relu fails (a MemoryError under RLIMIT_AS, the process
dies, or on a loaded machine the time limit comes first); sigmoid is correct, in this child or a restarted one.

expect relu: exception|crash|timeout
expect sigmoid: ok
"""

import numpy as np


def relu(z):
    hoard = []
    while True:
        hoard.append(bytearray(16 << 20))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

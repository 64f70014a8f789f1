"""relu closes every file descriptor above 2 (the protocol pipes among them).

Honest outcome: the child cannot answer: relu fails with "crash"; the child
is restarted; sigmoid is correct.

expect relu: crash
expect sigmoid: ok
"""

import os

import numpy as np


def relu(z):
    os.closerange(3, 65536)
    return np.maximum(z, 0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

"""relu allocates a 16 GB array; sigmoid is correct.

Honest outcome: RLIMIT_AS makes the allocation fail: relu fails with a
MemoryError ("exception"); the child survives; sigmoid is correct.

expect relu: exception "MemoryError"
expect sigmoid: ok
"""

import numpy as np


def relu(z):
    big = np.ones(2 * 10**9)
    return np.maximum(z, 0) + big[:1] * 0


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

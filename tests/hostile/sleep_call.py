"""relu sleeps for 1000 s; sigmoid is correct.

Honest outcome: relu times out; sigmoid returns correct numbers.

expect relu: timeout
expect sigmoid: ok
"""

import time

import numpy as np


def relu(z):
    time.sleep(1000)
    return np.maximum(z, 0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

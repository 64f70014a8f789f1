"""A correct submission that is slow: 0.5 s to import and 0.4 s per call.

Honest outcome: under the limits (import 2 s, call 1 s in the tests), it
passes: relu and sigmoid are correct.

expect relu: ok
expect sigmoid: ok
"""

import time

import numpy as np

time.sleep(0.5)


def relu(z):
    time.sleep(0.4)
    return np.maximum(z, 0)


def sigmoid(z):
    t = time.monotonic()
    while time.monotonic() - t < 0.4:  # busy, not sleeping: CPU time counts too
        pass
    return 1 / (1 + np.exp(-z))

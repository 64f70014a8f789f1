"""relu returns a lazy object with __array__ (like a tensor); sigmoid a dict with non-str keys.

Honest outcome: the lazy object is converted in the child (its own code
runs there) and the numbers cross: relu is correct; the dict crosses as
Unsupported ("key 1 is not a string").

expect relu: ok
expect sigmoid: unsupported
"""

import numpy as np


class Lazy:
    def __init__(self, fn, z):
        self.fn, self.z = fn, z

    def __array__(self, dtype=None, copy=None):
        return self.fn(self.z)


def relu(z):
    return Lazy(lambda v: np.maximum(v, 0), z)


def sigmoid(z):
    return {1: 1 / (1 + np.exp(-z))}

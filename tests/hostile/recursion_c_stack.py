"""relu lifts the recursion limit and recurses through C code (sorted's key).

Honest outcome: the C stack overflows: the child dies with SIGSEGV, relu
fails with "crash" (or "exception" if Python catches it first, or
"timeout" on a loaded machine); sigmoid is
correct in a restarted child.

expect relu: crash|exception|timeout
expect sigmoid: ok
"""

import sys

import numpy as np


def _down(n):
    return sorted([1, 2], key=lambda k: _down(n + 1))


def relu(z):
    sys.setrecursionlimit(10**8)
    _down(0)
    return np.maximum(z, 0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

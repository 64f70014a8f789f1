"""relu calls input(); sigmoid reads sys.stdin to the end.

Honest outcome: stdin is /dev/null: relu fails with EOFError ("exception");
sigmoid gets "" and returns correct numbers.

expect relu: exception "EOFError"
expect sigmoid: ok
"""

import sys

import numpy as np


def relu(z):
    input("value? ")
    return np.maximum(z, 0)


def sigmoid(z):
    assert sys.stdin.read() == ""
    return 1 / (1 + np.exp(-z))

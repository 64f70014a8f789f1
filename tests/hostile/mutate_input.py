"""relu modifies its input in place (and returns it); sigmoid is correct.

Honest outcome: relu fails with kind "mutated"; sigmoid is correct.

expect relu: mutated
expect sigmoid: ok
"""

import numpy as np


def relu(z):
    z[z < 0] = 0
    return z


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

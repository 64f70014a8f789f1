"""relu returns a column instead of the input's shape; sigmoid a Python list.

Honest outcome: the wrong shape crosses as it is (wrong); the list crosses
as a list of floats (the judge decides how to compare it).

expect relu: wrong
expect sigmoid: value
"""

import numpy as np


def relu(z):
    return np.maximum(z, 0)[:, None]


def sigmoid(z):
    return [float(v) for v in 1 / (1 + np.exp(-z))]

"""relu returns the right values as a complex array; sigmoid as an int array.

Honest outcome: the arrays cross with their real dtypes (complex128, int64)
for the judge to see; neither is a correct float64 answer.

expect relu: value
expect sigmoid: wrong
"""

import numpy as np


def relu(z):
    return np.maximum(z, 0).astype(complex)


def sigmoid(z):
    return (1 / (1 + np.exp(-z))).astype(np.int64)

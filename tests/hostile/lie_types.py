"""relu returns an object array; sigmoid returns a generator.

Honest outcome: both cross as Unsupported ("ndarray of dtype object",
"generator"): the judge reports the type, nothing is run in the parent.

expect relu: unsupported
expect sigmoid: unsupported
"""

import numpy as np


def relu(z):
    return np.array([max(x, 0) for x in z], dtype=object)


def sigmoid(z):
    return (1 / (1 + np.exp(-x)) for x in z)

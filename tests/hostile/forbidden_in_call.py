"""relu uses scipy.special (forbidden here) inside the call; sigmoid is correct.

Honest outcome: relu fails with kind "forbidden"; sigmoid is correct.

forbid: scipy.special
expect relu: forbidden "scipy.special"
expect sigmoid: ok
"""

import numpy as np


def relu(z):
    from scipy.special import expit  # noqa: F401

    return np.maximum(z, 0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

"""relu returns NaN everywhere; sigmoid returns +inf/-inf.

Honest outcome: NaN and inf cross exactly and are judged wrong.

expect relu: wrong
expect sigmoid: wrong
"""

import numpy as np


def relu(z):
    return np.full_like(z, np.nan)


def sigmoid(z):
    return np.where(z > 0, np.inf, -np.inf)

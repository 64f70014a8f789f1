"""Replaces np.allclose, np.array_equal, np.isclose and np.testing asserts with fakes; relu is wrong.

Honest outcome: the patches live in the child only; the parent's numpy
judges: relu (returns z + 1) is wrong; sigmoid is correct.

expect relu: wrong
expect sigmoid: ok
"""

import numpy as np
import numpy.testing

np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.isclose = lambda a, b, **k: np.ones(np.shape(a), dtype=bool)
numpy.testing.assert_allclose = lambda *a, **k: None
numpy.testing.assert_array_equal = lambda *a, **k: None


def relu(z):
    return z + 1


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

"""Returns ndarray subclasses that lie: __eq__ always True, __array__ and
__array_ufunc__ claiming correct values, __float__ lying.

Honest outcome: to_plain reads the subclass through the base class, so the
parent gets the real data: relu (real data z + 1) is wrong; sigmoid (real
data: zeros) is wrong.

expect relu: wrong
expect sigmoid: wrong
"""

import numpy as np


class Liar(np.ndarray):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __array__(self, dtype=None, copy=None):
        return np.maximum(np.asarray(self.view(np.ndarray)) - 1, 0)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.zeros(1)

    def __float__(self):
        return 0.5

    def __len__(self):
        return 0


def relu(z):
    return (z + 1).view(Liar)


def sigmoid(z):
    return np.zeros_like(z).view(Liar)

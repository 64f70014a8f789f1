"""Replaces builtins (print, round, abs, len's friends) inside the child; answers correctly.

Honest outcome: builtins of the child only; the numbers that come back are
still the honest ones: relu and sigmoid are correct.

expect relu: ok
expect sigmoid: ok
"""

import builtins

import numpy as np

builtins.print = lambda *a, **k: None
builtins.round = lambda *a, **k: 0
builtins.abs = lambda x: 0
builtins.max = lambda *a, **k: 0


def relu(z):
    return np.maximum(z, 0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

"""relu imports dlgrade.reference inside the call; sigmoid is correct.

Honest outcome: relu fails with kind "forbidden"; sigmoid is correct.

expect relu: forbidden "not allowed"
expect sigmoid: ok
"""

import importlib

import numpy as np


def relu(z):
    ref = importlib.import_module("dlgrade.reference.activations")
    return ref.relu(z)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

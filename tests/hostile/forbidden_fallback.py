"""Tries `import torch` (forbidden here) and falls back to numpy on ImportError.

Honest outcome: the guard raises an ImportError, the fallback runs: relu and
sigmoid are correct (the static scan still reports the import).

forbid: torch
expect relu: ok
expect sigmoid: ok
"""

try:
    import torch  # noqa: F401

    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False

import numpy as np


def relu(z):
    assert not HAVE_TORCH
    return np.maximum(z, 0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

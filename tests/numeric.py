"""Finite differences for the reference tests, kept apart from dlgrade's own
gradcheck so that the oracles are not judged by the code they help test."""

import numpy as np


def numeric_vjp(f, args, i, dout, h=1e-6):
    """Central-difference gradient of sum(dout * f(*args)) with respect to args[i]."""
    x = np.array(args[i], dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[idx] += h
        minus[idx] -= h
        a = list(args)
        a[i] = plus
        up = np.sum(dout * f(*a))
        a[i] = minus
        grad[idx] = (up - np.sum(dout * f(*a))) / (2 * h)
    return grad

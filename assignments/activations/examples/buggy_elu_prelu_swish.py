"""elu_grad gives 1 at z = 0 (the right branch); prelu_grad returns dalpha = z
everywhere instead of min(0, z); swish_grad forgets the product rule."""

import numpy as np


def _sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def step(z):
    return np.where(np.asarray(z) > 0, 1.0, 0.0)


def sigmoid(z):
    return _sigmoid(z)


def sigmoid_grad(z):
    return _sigmoid(z) * _sigmoid(-np.asarray(z, dtype=float))


def tanh(z):
    return np.tanh(z)


def tanh_grad(z):
    return 1 - np.tanh(z) ** 2


def relu(z):
    return np.maximum(0.0, z)


def relu_grad(z):
    return np.greater(z, 0).astype(float)


def leaky_relu(z, alpha=0.01):
    return np.where(np.asarray(z) > 0, z, alpha * np.asarray(z))


def leaky_relu_grad(z, alpha=0.01):
    return np.where(np.asarray(z) > 0, 1.0, alpha)


def prelu(z, alpha):
    return np.where(np.asarray(z) > 0, z, alpha * np.asarray(z))


def prelu_grad(z, alpha):
    z = np.asarray(z, dtype=float)
    dz = np.where(z > 0, 1.0, alpha)
    dalpha = z.copy()  # BUG: d/dalpha (alpha z) = z only where z <= 0
    return dz, dalpha


def elu(z, alpha=1.0):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


def elu_grad(z, alpha=1.0):
    z = np.asarray(z, dtype=float)
    return np.where(z >= 0, 1.0, alpha * np.exp(np.minimum(z, 0)))  # BUG: alpha at z = 0


def softplus(z):
    return np.logaddexp(0.0, z)


def softplus_grad(z):
    return _sigmoid(z)


def swish(z):
    return np.asarray(z, dtype=float) * _sigmoid(z)


def swish_grad(z):
    return _sigmoid(z)  # BUG: the product rule has a second term


def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_backward(dout, z):
    s = softmax(z)
    return s * (dout - (dout * s).sum(axis=-1, keepdims=True))

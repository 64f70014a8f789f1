"""relu_grad gives 1 at z = 0 (z >= 0); softmax normalises over axis 0 (the
columns of a batch) instead of the last axis, and softmax_backward, which
reuses that softmax, inherits the mistake."""

import numpy as np


def step(z):
    return (np.asarray(z) > 0).astype(float)


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    return np.tanh(z)


def tanh_grad(z):
    return 1 - np.tanh(z) ** 2


def relu(z):
    return np.maximum(z, 0)


def relu_grad(z):
    z = np.asarray(z)
    return (z >= 0).astype(float)  # BUG: relu'(0) must be 0


def leaky_relu(z, alpha=0.01):
    return np.where(z > 0, z, alpha * z)


def leaky_relu_grad(z, alpha=0.01):
    return np.where(np.asarray(z) > 0, 1.0, alpha)


def prelu(z, alpha):
    return np.where(z > 0, z, alpha * z)


def prelu_grad(z, alpha):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, 1.0, alpha), np.where(z > 0, 0.0, z)


def elu(z, alpha=1.0):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


def elu_grad(z, alpha=1.0):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0)))


def softplus(z):
    return np.logaddexp(0, z)


def softplus_grad(z):
    return sigmoid(z)


def swish(z):
    return z * sigmoid(z)


def swish_grad(z):
    s = sigmoid(z)
    return s * (1 + z * (1 - s))


def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)  # BUG: normalises the columns


def softmax_backward(dout, z):
    s = softmax(z)  # right formula, but the wrong softmax
    return s * (dout - np.sum(dout * s, axis=-1, keepdims=True))

"""sigmoid_grad written in terms of z (as if z were the sigmoid's output);
softplus computed naively as log(1 + exp(z)), which overflows for large z."""

import numpy as np


def _sig(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1 + ez)
    return out


def step(z):
    return np.heaviside(z, 0.0)


def sigmoid(z):
    return _sig(z)


def sigmoid_grad(z):
    return z * (1 - z)  # BUG: s (1 - s) needs s = sigmoid(z)


def tanh(z):
    return np.tanh(z)


def tanh_grad(z):
    return 1 / np.cosh(z) ** 2


def relu(z):
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(z > 0, 1.0, 0.0)


def leaky_relu(z, alpha=0.01):
    return np.maximum(z, alpha * z)


def leaky_relu_grad(z, alpha=0.01):
    return np.where(z > 0, 1.0, alpha) * np.ones_like(z)


def prelu(z, alpha):
    return np.maximum(z, 0) + alpha * np.minimum(z, 0)


def prelu_grad(z, alpha):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, 1.0, alpha) * np.ones_like(z), np.minimum(z, 0.0)


def elu(z, alpha=1.0):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * (np.exp(np.minimum(z, 0)) - 1))


def elu_grad(z, alpha=1.0):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0)))


def softplus(z):
    return np.log(1 + np.exp(z))  # BUG: exp(z) = inf for z > 709


def softplus_grad(z):
    return _sig(z)


def swish(z):
    return z * _sig(z)


def swish_grad(z):
    s = _sig(z)
    return s + z * s * (1 - s)


def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_backward(dout, z):
    s = softmax(z)
    return s * dout - s * np.sum(s * dout, axis=-1, keepdims=True)

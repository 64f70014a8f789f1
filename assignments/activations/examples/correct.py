"""A correct submission, written the way a student might (full marks)."""

import math

import numpy as np


def step(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, 1, 0)  # integers are fine: the values are right


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    # exp(-z) overflows to inf for z < -709, and 1 / (1 + inf) = 0: still right
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    # (e^z - e^-z) / (e^z + e^-z) = (1 - e^(-2|z|)) / (1 + e^(-2|z|)) * sign(z): no overflow
    z = np.asarray(z, dtype=float)
    e = np.exp(-2 * np.abs(z))
    return np.sign(z) * (1 - e) / (1 + e)


def tanh_grad(z):
    t = tanh(z)
    return 1 - t ** 2


def relu(z):
    z = np.asarray(z, dtype=float)
    return z * (z > 0)


def relu_grad(z):
    z = np.asarray(z, dtype=float)
    return (z > 0).astype(float)


def leaky_relu(z, alpha=0.01):
    z = np.asarray(z, dtype=float)
    out = z.copy()  # a copy: the caller's z stays untouched
    neg = z <= 0
    out[neg] = alpha * z[neg]
    return out


def leaky_relu_grad(z, alpha=0.01):
    z = np.asarray(z, dtype=float)
    grad = np.ones_like(z)
    grad[z <= 0] = alpha
    return grad


def prelu(z, alpha):
    z = np.asarray(z, dtype=float)
    return np.maximum(0, z) + alpha * np.minimum(0, z)


def prelu_grad(z, alpha):
    z = np.asarray(z, dtype=float)
    alpha = np.asarray(alpha, dtype=float)
    dz = np.where(z > 0, 1.0, alpha * np.ones_like(z))
    dalpha = np.where(z > 0, 0.0, z) + 0 * alpha
    return dz, dalpha


def elu(z, alpha=1.0):
    z = np.asarray(z, dtype=float)
    neg = np.minimum(z, 0)  # exp of a non-positive number never overflows
    return np.where(z > 0, z, alpha * (np.exp(neg) - 1))


def elu_grad(z, alpha=1.0):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0)))


def softplus(z):
    z = np.asarray(z, dtype=float)
    # ln(1 + e^z) = max(z, 0) + ln(1 + e^-|z|)
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def softplus_grad(z):
    return sigmoid(z)


def swish(z):
    z = np.asarray(z, dtype=float)
    return z * sigmoid(z)


def swish_grad(z):
    z = np.asarray(z, dtype=float)
    s = sigmoid(z)
    return s + z * s * (1 - s)


def softmax(z):
    z = np.asarray(z, dtype=float)
    rows = z.reshape(-1, z.shape[-1])
    out = np.empty_like(rows)
    for i in range(rows.shape[0]):  # one row at a time
        m = max(rows[i])
        e = [math.exp(v - m) for v in rows[i]]
        total = sum(e)
        out[i] = [v / total for v in e]
    return out.reshape(z.shape)


def softmax_backward(dout, z):
    dout = np.asarray(dout, dtype=float)
    s = softmax(z)
    dot = np.sum(dout * s, axis=-1, keepdims=True)
    return s * (dout - dot)

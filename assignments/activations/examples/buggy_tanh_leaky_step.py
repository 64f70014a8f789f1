"""tanh_grad without the square; leaky_relu_grad returns 0 for negative z
(plain ReLU's derivative); step gives 1 at z = 0."""

import numpy as np


def step(z):
    return (np.asarray(z) >= 0).astype(float)  # BUG: step(0) must be 0


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return 0.5 * (1 + np.tanh(0.5 * z))


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    return np.tanh(z)


def tanh_grad(z):
    return 1 - np.tanh(z)  # BUG: 1 - tanh(z)**2


def relu(z):
    z = np.asarray(z, dtype=float)
    return z * (z > 0)


def relu_grad(z):
    return (np.asarray(z) > 0).astype(int)


def leaky_relu(z, alpha=0.01):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_grad(z, alpha=0.01):
    return (np.asarray(z) > 0).astype(float)  # BUG: alpha for z <= 0


def prelu(z, alpha):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * z)


def prelu_grad(z, alpha):
    z = np.asarray(z, dtype=float)
    dz = np.where(z > 0, 1.0, alpha)
    dalpha = np.where(z > 0, 0.0, z)
    return dz, dalpha


def elu(z, alpha=1.0):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


def elu_grad(z, alpha=1.0):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, 1.0, elu(z, alpha) + alpha)  # alpha (e^z - 1) + alpha = alpha e^z


def softplus(z):
    z = np.asarray(z, dtype=float)
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def softplus_grad(z):
    return sigmoid(z)


def swish(z):
    return np.asarray(z, dtype=float) * sigmoid(z)


def swish_grad(z):
    z = np.asarray(z, dtype=float)
    return sigmoid(z) + z * sigmoid_grad(z)


def softmax(z):
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return np.exp(shifted) / np.sum(np.exp(shifted), axis=-1, keepdims=True)


def softmax_backward(dout, z):
    s = softmax(z)
    jac = s[..., :, None] * (np.eye(s.shape[-1]) - s[..., None, :])  # the full Jacobian
    return np.einsum("...ij,...i->...j", jac, dout)

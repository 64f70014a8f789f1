"""binary_cross_entropy_grad uses (p - y) / n, the gradient with respect to
the logit; categorical_cross_entropy (and its gradient, consistently) divides
by y.size = N * C instead of the number of samples N."""

import numpy as np


def mse(y, y_hat):
    d = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
    return float(np.mean(d * d))


def mse_grad(y, y_hat):
    d = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
    return 2.0 * d / d.size


def mae(y, y_hat):
    d = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
    return float(np.mean(np.abs(d)))


def mae_grad(y, y_hat):
    d = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
    return np.sign(d) / d.size


def huber(y, y_hat, delta=1.0):
    d = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
    quad = np.minimum(np.abs(d), delta)
    lin = np.abs(d) - quad
    return float(np.mean(0.5 * quad ** 2 + delta * lin))


def huber_grad(y, y_hat, delta=1.0):
    d = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
    return np.clip(d, -delta, delta) / d.size


def binary_cross_entropy(y, y_hat):
    y = np.asarray(y, dtype=float)
    p = np.clip(np.asarray(y_hat, dtype=float), 1e-7, 1 - 1e-7)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def binary_cross_entropy_grad(y, y_hat):
    y = np.asarray(y, dtype=float)
    p = np.asarray(y_hat, dtype=float)
    return (p - y) / y.size  # BUG: that is dL/dz for p = sigmoid(z), not dL/dp


def categorical_cross_entropy(y, y_hat):
    y = np.asarray(y, dtype=float)
    p = np.asarray(y_hat, dtype=float)
    return float(-np.mean(y * np.log(p)))  # BUG: divides by N * C


def categorical_cross_entropy_grad(y, y_hat):
    y = np.asarray(y, dtype=float)
    p = np.asarray(y_hat, dtype=float)
    return -y / p / y.size  # BUG: the same N * C


def sum_squares_cost(y, y_hat):
    d = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
    return float(np.sum(d * d))


def sum_squares_cost_grad(y, y_hat):
    d = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
    return 2.0 * d

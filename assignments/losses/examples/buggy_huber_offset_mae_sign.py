"""huber's linear piece is delta |r| without the - delta^2 / 2, so the two
pieces do not meet; mae_grad has its sign flipped (sign(y - y_hat))."""

import numpy as np


def mse(y, y_hat):
    y = np.asarray(y, dtype=float)
    y_hat = np.asarray(y_hat, dtype=float)
    total = 0.0
    for a, b in zip(y.ravel(), y_hat.ravel()):
        total += (a - b) ** 2
    return total / y.size


def mse_grad(y, y_hat):
    y = np.asarray(y, dtype=float)
    y_hat = np.asarray(y_hat, dtype=float)
    return 2 * (y_hat - y) / y.size


def mae(y, y_hat):
    y = np.asarray(y, dtype=float)
    y_hat = np.asarray(y_hat, dtype=float)
    return np.abs(y - y_hat).mean()


def mae_grad(y, y_hat):
    y = np.asarray(y, dtype=float)
    y_hat = np.asarray(y_hat, dtype=float)
    return np.sign(y - y_hat) / y.size  # BUG: the derivative with respect to y_hat is sign(y_hat - y)


def huber(y, y_hat, delta=1.0):
    r = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
    loss = np.where(np.abs(r) <= delta, 0.5 * r ** 2, delta * np.abs(r))  # BUG: - delta**2 / 2 missing
    return loss.mean()


def huber_grad(y, y_hat, delta=1.0):
    r = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
    g = np.where(np.abs(r) <= delta, r, delta * np.sign(r))
    return g / r.size


def binary_cross_entropy(y, y_hat):
    y = np.asarray(y, dtype=float)
    p = np.asarray(y_hat, dtype=float)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean()


def binary_cross_entropy_grad(y, y_hat):
    y = np.asarray(y, dtype=float)
    p = np.asarray(y_hat, dtype=float)
    return (-y / p + (1 - y) / (1 - p)) / y.size


def categorical_cross_entropy(y, y_hat):
    y = np.asarray(y, dtype=float)
    p = np.asarray(y_hat, dtype=float)
    labels = np.argmax(y, axis=1)
    return -np.mean(np.log(p[np.arange(len(labels)), labels]))


def categorical_cross_entropy_grad(y, y_hat):
    y = np.asarray(y, dtype=float)
    p = np.asarray(y_hat, dtype=float)
    return -(y / p) / len(y)


def sum_squares_cost(y, y_hat):
    return ((np.asarray(y, dtype=float) - np.asarray(y_hat, dtype=float)) ** 2).sum()


def sum_squares_cost_grad(y, y_hat):
    return 2 * (np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float))

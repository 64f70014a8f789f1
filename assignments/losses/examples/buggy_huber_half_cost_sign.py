"""huber's quadratic piece is r^2 instead of r^2 / 2, so huber_grad (right
for the real Huber loss) no longer matches the student's own huber; the
gradient of the notes' sum-of-squares cost is taken with respect to y
(-2 (y_hat - y)) instead of y_hat."""

import numpy as np


def mse(y, y_hat):
    return np.mean(np.square(np.subtract(y_hat, y)))


def mse_grad(y, y_hat):
    r = np.subtract(y_hat, y)
    return 2 * r / np.size(r)


def mae(y, y_hat):
    return np.mean(np.abs(np.subtract(y_hat, y)))


def mae_grad(y, y_hat):
    r = np.asarray(np.subtract(y_hat, y), dtype=float)
    g = np.zeros_like(r)
    g[r > 0] = 1.0
    g[r < 0] = -1.0
    return g / r.size


def huber(y, y_hat, delta=1.0):
    r = np.asarray(np.subtract(y_hat, y), dtype=float)
    a = np.abs(r)
    return np.mean(np.where(a <= delta, r ** 2, delta * (a - delta / 2)))  # BUG: r**2 / 2


def huber_grad(y, y_hat, delta=1.0):
    r = np.asarray(np.subtract(y_hat, y), dtype=float)
    return np.clip(r, -delta, delta) / r.size


def binary_cross_entropy(y, y_hat):
    y = np.asarray(y, dtype=float)
    p = np.asarray(y_hat, dtype=float)
    per = np.where(y == 1, -np.log(p), -np.log(1 - p))
    return per.mean()


def binary_cross_entropy_grad(y, y_hat):
    y = np.asarray(y, dtype=float)
    p = np.asarray(y_hat, dtype=float)
    return (p - y) / (p * (1 - p)) / y.size


def categorical_cross_entropy(y, y_hat):
    y = np.asarray(y, dtype=float)
    p = np.asarray(y_hat, dtype=float)
    return -np.einsum("nc,nc->", y, np.log(p)) / y.shape[0]


def categorical_cross_entropy_grad(y, y_hat):
    y = np.asarray(y, dtype=float)
    p = np.asarray(y_hat, dtype=float)
    return np.where(y > 0, -1.0 / p, 0.0) / y.shape[0]


def sum_squares_cost(y, y_hat):
    return np.sum(np.square(np.subtract(y, y_hat)))


def sum_squares_cost_grad(y, y_hat):
    return -2 * np.subtract(y_hat, y)  # BUG: that is d/dy, not d/dy_hat

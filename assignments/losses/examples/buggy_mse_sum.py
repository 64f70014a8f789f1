"""mse sums the squared errors instead of averaging them, and mse_grad (the
derivative of that sum) has no 1/n."""

import numpy as np


def mse(y, y_hat):
    return np.sum((np.asarray(y) - np.asarray(y_hat)) ** 2)  # BUG: a sum, not a mean


def mse_grad(y, y_hat):
    return 2 * (np.asarray(y_hat) - np.asarray(y))  # BUG: / y.size missing


def mae(y, y_hat):
    return np.mean(np.abs(np.asarray(y) - np.asarray(y_hat)))


def mae_grad(y, y_hat):
    r = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
    return np.sign(r) / np.size(r)


def huber(y, y_hat, delta=1.0):
    r = np.abs(np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float))
    return np.mean(np.where(r <= delta, 0.5 * r * r, delta * (r - 0.5 * delta)))


def huber_grad(y, y_hat, delta=1.0):
    r = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
    return np.where(np.abs(r) <= delta, r, delta * np.sign(r)) / r.size


def binary_cross_entropy(y, y_hat):
    y, p = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def binary_cross_entropy_grad(y, y_hat):
    y, p = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    return (p - y) / (p * (1 - p)) / y.size


def categorical_cross_entropy(y, y_hat):
    y, p = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    return -np.sum(y * np.log(p)) / y.shape[0]


def categorical_cross_entropy_grad(y, y_hat):
    y, p = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    return -y / p / y.shape[0]


def sum_squares_cost(y, y_hat):
    return np.sum((np.asarray(y) - np.asarray(y_hat)) ** 2)


def sum_squares_cost_grad(y, y_hat):
    return 2 * (np.asarray(y_hat) - np.asarray(y))

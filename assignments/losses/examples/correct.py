"""A correct submission, written the way a student might (full marks)."""

import numpy as np

EPS = 1e-7  # keeps log() away from 0; the checks' probabilities are far from it


def mse(y, y_hat):
    y = np.asarray(y, dtype=float)
    y_hat = np.asarray(y_hat, dtype=float)
    return np.mean((y - y_hat) ** 2)


def mse_grad(y, y_hat):
    y = np.asarray(y, dtype=float)
    y_hat = np.asarray(y_hat, dtype=float)
    n = y.size
    return 2 * (y_hat - y) / n


def mae(y, y_hat):
    diff = np.abs(np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float))
    return diff.sum() / diff.size


def mae_grad(y, y_hat):
    r = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
    return np.sign(r) / r.size


def huber(y, y_hat, delta=1.0):
    r = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
    small = np.abs(r) <= delta
    # the notes' form: 1/2 r^2 inside, delta |r| - 1/2 delta^2 outside
    per_element = np.where(small, 0.5 * r ** 2, delta * np.abs(r) - 0.5 * delta ** 2)
    return float(np.mean(per_element))


def huber_grad(y, y_hat, delta=1.0):
    r = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
    return np.clip(r, -delta, delta) / r.size


def binary_cross_entropy(y, y_hat):
    y = np.asarray(y, dtype=float)
    p = np.clip(np.asarray(y_hat, dtype=float), EPS, 1 - EPS)
    # the notes' piecewise form: -log(p) when y = 1, -log(1 - p) when y = 0
    per_element = np.where(y == 1, -np.log(p), -np.log(1 - p))
    return per_element.mean()


def binary_cross_entropy_grad(y, y_hat):
    y = np.asarray(y, dtype=float)
    p = np.asarray(y_hat, dtype=float)
    return (-y / p + (1 - y) / (1 - p)) / y.size


def categorical_cross_entropy(y, y_hat):
    y = np.asarray(y, dtype=float)
    p = np.asarray(y_hat, dtype=float)
    total = 0.0
    for row_y, row_p in zip(y, p):  # one sample at a time
        total += -np.sum(row_y * np.log(row_p))
    return total / len(y)


def categorical_cross_entropy_grad(y, y_hat):
    y = np.asarray(y, dtype=float)
    p = np.asarray(y_hat, dtype=float)
    n_samples = y.shape[0]
    return -y / p / n_samples


def sum_squares_cost(y, y_hat):
    y = np.asarray(y, dtype=float)
    y_hat = np.asarray(y_hat, dtype=float)
    return np.sum((y - y_hat) ** 2)


def sum_squares_cost_grad(y, y_hat):
    return 2 * (np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float))

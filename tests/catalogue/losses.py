"""Losses: correct implementations written unlike the reference, and real mistakes.

CORRECT: each must pass every check of its function.
MISTAKES: each must fail ``check`` with ``hint`` in the hint, the named
mistake or the summary.
"""

import math

import numpy as np

from tests.catalogue.cases import Alt, Bug


def _f(x):
    return np.asarray(x, dtype=float)


def _r(y, y_hat):
    return _f(y_hat) - _f(y)


# ------------------------------------------------------------------ correct styles


def _mse_loop(y, y_hat):
    y, y_hat = _f(y), _f(y_hat)
    total = 0.0
    for idx, target in np.ndenumerate(y):
        total += (target - y_hat[idx]) ** 2
    return total / y.size


def _mae_grad_nested_where(y, y_hat):
    r = _r(y, y_hat)
    return np.where(r > 0, 1, np.where(r < 0, -1, 0)) / r.size


def _huber_split(y, y_hat, delta):
    # quadratic up to delta, linear beyond: 0.5 q^2 + delta (|r| - q) with q = min(|r|, delta)
    a = np.abs(_r(y, y_hat))
    q = np.minimum(a, delta)
    return float(np.mean(0.5 * q**2 + delta * (a - q)))


def _huber_grad_loop(y, y_hat, delta):
    r = _r(y, y_hat)
    g = np.empty_like(r)
    for idx, v in np.ndenumerate(r):
        g[idx] = v if abs(v) <= delta else math.copysign(delta, v)
    return g / r.size


def _bce_notes(y, y_hat):
    # the notes' piecewise form: -log(p) if y == 1 else -log(1 - p)
    y, p = _f(y), _f(y_hat)
    return np.mean(np.where(y == 1, -np.log(p), -np.log(1 - p)))


def _bce_clip(y, y_hat):
    y, p = _f(y), np.clip(_f(y_hat), 1e-7, 1 - 1e-7)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def _bce_loop(y, y_hat):
    y, p = _f(y).ravel(), _f(y_hat).ravel()
    total = 0.0
    for label, prob in zip(y, p):
        total -= math.log(prob) if label == 1 else math.log(1 - prob)
    return total / len(y)


def _cce_argmax(y, y_hat):
    y, p = _f(y), _f(y_hat)
    labels = y.argmax(axis=1)
    return -np.mean(np.log(p[np.arange(len(labels)), labels]))


def _cce_einsum(y, y_hat):
    y, p = _f(y), _f(y_hat)
    return -np.einsum("nc,nc->", y, np.log(p)) / y.shape[0]


def _cce_grad_index(y, y_hat):
    y, p = _f(y), _f(y_hat)
    n = y.shape[0]
    labels = y.argmax(axis=1)
    g = np.zeros_like(p)
    rows = np.arange(n)
    g[rows, labels] = -1.0 / p[rows, labels] / n
    return g


CORRECT = [
    Alt("mse", _mse_loop, "a Python loop over np.ndenumerate"),
    Alt("mse", lambda y, y_hat: np.average(np.square(np.subtract(y, y_hat))), "np.average of np.square"),
    Alt("mse", lambda y, y_hat: np.linalg.norm(_r(y, y_hat).ravel()) ** 2 / np.size(y), "squared norm over n"),
    Alt("mse_grad", lambda y, y_hat: -2 * (_f(y) - _f(y_hat)) / np.size(y), "-2 (y - y_hat) / n"),
    Alt("mae", lambda y, y_hat: np.abs(_r(y, y_hat)).sum() / np.size(y), "sum over size"),
    Alt("mae_grad", _mae_grad_nested_where, "nested np.where with integers"),
    Alt("huber", _huber_split, "min(|r|, delta) split"),
    Alt("huber", lambda y, y_hat, delta: np.mean(np.where(np.abs(_r(y, y_hat)) < delta, 0.5 * _r(y, y_hat) ** 2, delta * np.abs(_r(y, y_hat)) - 0.5 * delta**2)), "the notes' form, strict < at the seam"),
    Alt("huber_grad", _huber_grad_loop, "a loop with math.copysign"),
    Alt("huber_grad", lambda y, y_hat, delta: np.clip(_r(y, y_hat), -delta, delta) / np.size(y), "np.clip"),
    Alt("binary_cross_entropy", _bce_notes, "the notes' piecewise form with np.where"),
    Alt("binary_cross_entropy", _bce_clip, "np.clip at 1e-7 (Keras)"),
    Alt("binary_cross_entropy", _bce_loop, "a Python loop with math.log"),
    Alt("binary_cross_entropy_grad", lambda y, y_hat: (-_f(y) / _f(y_hat) + (1 - _f(y)) / (1 - _f(y_hat))) / np.size(y), "-y/p + (1-y)/(1-p)"),
    Alt("categorical_cross_entropy", _cce_argmax, "index the true class with argmax"),
    Alt("categorical_cross_entropy", _cce_einsum, "np.einsum"),
    Alt("categorical_cross_entropy_grad", _cce_grad_index, "index-based, zeros elsewhere"),
    Alt("categorical_cross_entropy_grad", lambda y, y_hat: np.where(_f(y) == 1, -1 / _f(y_hat), 0.0) / len(y), "np.where on the one-hot"),
    Alt("sum_squares_cost", lambda y, y_hat: np.dot(_r(y, y_hat).ravel(), _r(y, y_hat).ravel()), "a dot product"),
    Alt("sum_squares_cost_grad", lambda y, y_hat: -2 * (_f(y) - _f(y_hat)), "-2 (y - y_hat)"),
]


# ------------------------------------------------------------------ mistakes

MISTAKES = [
    Bug("mse", "value", lambda y, y_hat: np.sum((_f(y) - _f(y_hat)) ** 2), "not a sum"),
    Bug("mse", "value", lambda y, y_hat: (_f(y) - _f(y_hat)) ** 2, "expected a scalar"),
    Bug("mse", "value", lambda y, y_hat: 0.5 * np.mean((_f(y) - _f(y_hat)) ** 2), "without the 1/2"),
    Bug("mse_grad", "value", lambda y, y_hat: 2 * _r(y, y_hat), "same 1/n"),
    Bug("mse_grad", "value", lambda y, y_hat: 2 * (_f(y) - _f(y_hat)) / np.size(y), "not 2 (y - y_hat) / n"),
    Bug("mse_grad", "gradcheck", lambda y, y_hat: _r(y, y_hat) / np.size(y), "finite-difference"),
    Bug("mae", "value", lambda y, y_hat: np.sum(np.abs(_r(y, y_hat))), "not a sum"),
    Bug("mae_grad", "kink", lambda y, y_hat: np.where(_r(y, y_hat) >= 0, 1.0, -1.0) / np.size(y), "np.sign(0) = 0"),
    Bug("mae_grad", "value", lambda y, y_hat: np.sign(_f(y) - _f(y_hat)) / np.size(y), "sign(y - y_hat)"),
    Bug("huber", "value", lambda y, y_hat, delta: np.mean(np.where(np.abs(_r(y, y_hat)) <= delta, _r(y, y_hat) ** 2, delta * (np.abs(_r(y, y_hat)) - delta / 2))), "r^2 / 2"),
    Bug("huber", "value", lambda y, y_hat, delta: np.mean(np.where(np.abs(_r(y, y_hat)) <= delta, 0.5 * _r(y, y_hat) ** 2, delta * np.abs(_r(y, y_hat)))), "pieces meet"),
    Bug("huber", "between_pieces", lambda y, y_hat, delta: np.mean(np.where(np.abs(_r(y, y_hat)) <= delta, 0.5 * _r(y, y_hat) ** 2, delta * np.abs(_r(y, y_hat)))), "should lie between"),
    Bug("huber_grad", "value", lambda y, y_hat, delta: np.clip(_r(y, y_hat), -delta, delta), "same 1/n"),
    Bug("binary_cross_entropy", "value", lambda y, y_hat: -np.mean(_f(y) * np.log10(_f(y_hat)) + (1 - _f(y)) * np.log10(1 - _f(y_hat))), "natural logarithm"),
    Bug("binary_cross_entropy", "nonnegative", lambda y, y_hat: np.mean(_f(y) * np.log(_f(y_hat)) + (1 - _f(y)) * np.log(1 - _f(y_hat))), "never negative"),
    Bug("binary_cross_entropy_grad", "value", lambda y, y_hat: (_f(y_hat) - _f(y)) / np.size(y), "logit"),
    Bug("binary_cross_entropy_grad", "value", lambda y, y_hat: (_f(y_hat) - _f(y)) / (_f(y_hat) * (1 - _f(y_hat))), "same 1/n"),
    Bug("categorical_cross_entropy", "value", lambda y, y_hat: -np.mean(_f(y) * np.log(_f(y_hat))), "not by y.size"),
    Bug("categorical_cross_entropy", "value", lambda y, y_hat: -np.sum(_f(y) * np.log(_f(y_hat))), "average"),
    Bug("categorical_cross_entropy_grad", "value", lambda y, y_hat: (_f(y_hat) - _f(y)) / len(y), "logits"),
    Bug("categorical_cross_entropy_grad", "value", lambda y, y_hat: -_f(y) / _f(y_hat), "-y / p / N"),
    Bug("sum_squares_cost", "value", lambda y, y_hat: np.mean((_f(y) - _f(y_hat)) ** 2), "not the mean"),
    Bug("sum_squares_cost_grad", "value", lambda y, y_hat: 2 * (_f(y) - _f(y_hat)), "with respect to y_hat"),
]

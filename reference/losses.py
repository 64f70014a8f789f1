"""Reference losses: the oracles for the ``losses`` assignment.

Conventions (CONVENTIONS.md):

- ``r = y_hat - y``; arguments are ``(y, y_hat)`` (target first), or
  ``(y, z)`` / ``(labels, ...)`` for the logits and class-index forms.
- Elementwise losses (mse, mae, huber, bce) take the mean over ALL elements,
  n = y.size (n = 1 for 0-d inputs). Categorical cross-entropy sums over the
  classes (last axis) and takes the mean over the N samples (every leading
  axis). The notes' "cost = sum (y - y_hat)^2" is ``sum_squares_cost``.
- Every loss returns a Python ``float``. Every ``_grad`` returns the gradient
  with respect to the prediction (``y_hat``, or the logits ``z``), including
  the 1/n of the mean, as a float64 ndarray of the prediction's shape.
- y and the prediction must have the same shape: no silent broadcasting (a
  (N, 1) prediction against (N,) targets would otherwise give an (N, N) loss).
- Probabilities: each log is clamped at -100 (log p >= -100), as torch's
  BCELoss does, so p = 0 or 1 gives a finite loss; the probability gradients
  divide by max(p (1 - p), 1e-12) (bce, torch's rule) or max(p, 1e-12) (cce).
  Inside (1e-12, 1 - 1e-12) they are the exact formulas.
- Pure (inputs never modified), no warnings, no NaN/inf for finite inputs.
"""

from __future__ import annotations

import numpy as np

from dlgrade.reference.activations import log_softmax, sigmoid, softmax

__all__ = [
    "mse",
    "mse_grad",
    "mae",
    "mae_grad",
    "huber",
    "huber_grad",
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "binary_cross_entropy_logits",
    "binary_cross_entropy_logits_grad",
    "categorical_cross_entropy",
    "categorical_cross_entropy_grad",
    "categorical_cross_entropy_logits",
    "categorical_cross_entropy_logits_grad",
    "categorical_cross_entropy_indices",
    "categorical_cross_entropy_indices_grad",
    "cross_entropy_logits_indices",
    "cross_entropy_logits_indices_grad",
    "sum_squares_cost",
    "sum_squares_cost_grad",
]

LOG_FLOOR = -100.0  # torch BCELoss: each log term is clamped at -100
GRAD_EPS = 1e-12  # torch BCELoss backward: divides by max(p (1 - p), 1e-12)


def _pair(y, pred, what: str = "y_hat"):
    y, pred = np.asarray(y, dtype=np.float64), np.asarray(pred, dtype=np.float64)
    if y.shape != pred.shape:
        raise ValueError(f"y has shape {y.shape} but {what} has shape {pred.shape}: they must match")
    if pred.size == 0:
        raise ValueError("empty input: a mean over no elements is undefined")
    return y, pred


def _log(p: np.ndarray) -> np.ndarray:
    # log p clamped at -100; log of exactly 0 never evaluated (no divide warning).
    return np.maximum(np.log(np.maximum(p, 1e-300)), LOG_FLOOR)


def _rows(x: np.ndarray, what: str) -> int:
    if x.ndim == 0:
        raise ValueError(f"{what} must have a class axis (shape (N, C) or (C,)), got a 0-d array")
    return x.size // x.shape[-1] if x.shape[-1] else 0


def _labels(labels, pred: np.ndarray) -> np.ndarray:
    lab = np.asarray(labels)
    if lab.dtype.kind == "f" and np.all(lab == np.round(lab)):
        lab = lab.astype(np.intp)
    if lab.dtype.kind not in "iu":
        raise TypeError(f"labels must be integer class indices, got dtype {lab.dtype}")
    if pred.ndim == 0 or lab.shape != pred.shape[:-1]:
        raise ValueError(f"labels of shape {lab.shape} do not index rows of shape {pred.shape}")
    if lab.size == 0:
        raise ValueError("empty input: a mean over no samples is undefined")
    c = pred.shape[-1]
    if np.any(lab < 0) or np.any(lab >= c):
        raise ValueError(f"labels must lie in [0, {c - 1}]")
    return lab.astype(np.intp)


# --------------------------------------------------------------- mse
def mse(y, y_hat) -> float:
    """MSE = (1/n) sum (y_hat - y)^2 over all n elements (the notes: 1/m sum (y - y_hat)^2)."""
    y, y_hat = _pair(y, y_hat)
    return float(np.mean((y_hat - y) ** 2))


def mse_grad(y, y_hat):
    """d MSE / d y_hat = 2 (y_hat - y) / n."""
    y, y_hat = _pair(y, y_hat)
    return np.asarray(2.0 * (y_hat - y) / y.size)


# --------------------------------------------------------------- mae
def mae(y, y_hat) -> float:
    """MAE = (1/n) sum |y_hat - y| (the notes' absolute error loss J)."""
    y, y_hat = _pair(y, y_hat)
    return float(np.mean(np.abs(y_hat - y)))


def mae_grad(y, y_hat):
    """d MAE / d y_hat = sign(y_hat - y) / n, with sign(0) = 0 (torch's L1Loss)."""
    y, y_hat = _pair(y, y_hat)
    return np.asarray(np.sign(y_hat - y) / y.size)


# --------------------------------------------------------------- huber
def huber(y, y_hat, delta=1.0) -> float:
    """Huber = (1/n) sum h(r), h(r) = r^2/2 if |r| <= delta else delta (|r| - delta/2).

    The notes' form delta |r| - delta^2/2 is the same; torch's HuberLoss(delta)
    (SmoothL1Loss(beta) = Huber/beta, equal only for delta = beta = 1).
    Continuous and once differentiable at |r| = delta.
    """
    y, y_hat = _pair(y, y_hat)
    r = y_hat - y
    a = np.abs(r)
    per = np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))
    return float(np.mean(per))


def huber_grad(y, y_hat, delta=1.0):
    """d Huber / d y_hat = (r if |r| <= delta else delta sign(r)) / n."""
    y, y_hat = _pair(y, y_hat)
    r = y_hat - y
    return np.asarray(np.where(np.abs(r) <= delta, r, delta * np.sign(r)) / y.size)


# --------------------------------------------------------------- bce
def binary_cross_entropy(y, y_hat) -> float:
    """BCE = -(1/n) sum [y ln p + (1 - y) ln(1 - p)], p = y_hat in [0, 1].

    The notes give the per-element loss (right); we take the mean over all
    elements, as torch's BCELoss, and clamp each log at -100 like it, so that
    p = 0 or 1 stays finite.
    """
    y, p = _pair(y, y_hat)
    return float(-np.mean(y * _log(p) + (1.0 - y) * _log(1.0 - p)))


def binary_cross_entropy_grad(y, y_hat):
    """d BCE / d p = (p - y) / (p (1 - p)) / n, the denominator floored: max(p (1 - p), 1e-12).

    The floor is torch's rule (its constant is 1e-12 rounded to float32,
    9.99999996e-13, so where the floor is active torch is 4e-9 larger, relative).
    """
    y, p = _pair(y, y_hat)
    return np.asarray((p - y) / np.maximum(p * (1.0 - p), GRAD_EPS) / y.size)


def binary_cross_entropy_logits(y, z) -> float:
    """BCE of p = sigmoid(z), from the logits z, stable for every finite z.

    Per element: max(z, 0) - z y + ln(1 + e^-|z|) (= -(y ln s + (1 - y) ln(1 - s))),
    mean over all elements (torch's BCEWithLogitsLoss).
    """
    y, z = _pair(y, z, "z")
    per = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return float(np.mean(per))


def binary_cross_entropy_logits_grad(y, z):
    """d BCE / d z = (sigmoid(z) - y) / n."""
    y, z = _pair(y, z, "z")
    return np.asarray((sigmoid(z) - y) / y.size)


# --------------------------------------------------------------- cce
def categorical_cross_entropy(y, y_hat) -> float:
    """CCE = -(1/N) sum_n sum_c y_nc ln p_nc, p = y_hat of shape (N, C).

    y is one-hot (or any probability vector per row). The notes' multiclass
    loss L(x_i, y_i) = -sum_j y_ij log y_hat_ij, averaged over the N samples.
    Each log is clamped at -100 (so 0 ln 0 counts as 0). A 1-d input is one
    sample; leading axes all count as samples.
    """
    y, p = _pair(y, y_hat)
    n = _rows(p, "y_hat")
    return float(-np.sum(y * _log(p)) / n)


def categorical_cross_entropy_grad(y, y_hat):
    """d CCE / d p = -y / p / N (p floored at 1e-12 in the denominator)."""
    y, p = _pair(y, y_hat)
    n = _rows(p, "y_hat")
    return np.asarray(-y / np.maximum(p, GRAD_EPS) / n)


def categorical_cross_entropy_logits(y, z) -> float:
    """CCE of softmax(z), from logits z (N, C): -(1/N) sum y * log_softmax(z).

    torch's CrossEntropyLoss with probability targets. Stable for every finite z.
    """
    y, z = _pair(y, z, "z")
    n = _rows(z, "z")
    return float(-np.sum(y * log_softmax(z)) / n)


def categorical_cross_entropy_logits_grad(y, z):
    """d CCE / d z = (softmax(z) sum_c y_c - y) / N = (softmax(z) - y) / N for rows of y summing to 1.

    The first form is the exact derivative for any y; for one-hot or
    probability targets it is the familiar (p - y) / N.
    """
    y, z = _pair(y, z, "z")
    n = _rows(z, "z")
    return np.asarray((softmax(z) * np.sum(y, axis=-1, keepdims=True) - y) / n)


def categorical_cross_entropy_indices(labels, y_hat) -> float:
    """CCE with class indices: -(1/N) sum_n ln p[n, labels[n]] (log clamped at -100).

    labels: integers in [0, C), shape y_hat.shape[:-1]. Same as the one-hot
    form with y = one_hot(labels); torch's NLLLoss on log p.
    """
    p = np.asarray(y_hat, dtype=np.float64)
    lab = _labels(labels, p)
    picked = np.take_along_axis(p, lab[..., None], axis=-1)
    return float(-np.mean(_log(picked)))


def categorical_cross_entropy_indices_grad(labels, y_hat):
    """d / d p: -1 / p[n, labels[n]] / N at the label, 0 elsewhere (p floored at 1e-12)."""
    p = np.asarray(y_hat, dtype=np.float64)
    lab = _labels(labels, p)
    g = np.zeros_like(p)
    picked = np.take_along_axis(p, lab[..., None], axis=-1)
    np.put_along_axis(g, lab[..., None], -1.0 / np.maximum(picked, GRAD_EPS) / lab.size, axis=-1)
    return g


def cross_entropy_logits_indices(labels, z) -> float:
    """Softmax cross-entropy with class indices: -(1/N) sum_n log_softmax(z)[n, labels[n]].

    torch's CrossEntropyLoss with class-index targets (F.cross_entropy(z, labels)).
    """
    z = np.asarray(z, dtype=np.float64)
    lab = _labels(labels, z)
    return float(-np.mean(np.take_along_axis(log_softmax(z), lab[..., None], axis=-1)))


def cross_entropy_logits_indices_grad(labels, z):
    """d / d z = (softmax(z) - one_hot(labels)) / N."""
    z = np.asarray(z, dtype=np.float64)
    lab = _labels(labels, z)
    g = softmax(z)
    np.put_along_axis(g, lab[..., None], np.take_along_axis(g, lab[..., None], axis=-1) - 1.0, axis=-1)
    return np.asarray(g / lab.size)


# --------------------------------------------------------------- the notes' cost
def sum_squares_cost(y, y_hat) -> float:
    """cost = sum (y - y_hat)^2 over all elements, no mean: the notes' "cost fn".

    The notes use it for gradient descent (and (y - y_hat)^2 for one sample in
    SGD); the mean form is ``mse``.
    """
    y, y_hat = _pair(y, y_hat)
    return float(np.sum((y - y_hat) ** 2))


def sum_squares_cost_grad(y, y_hat):
    """d cost / d y_hat = 2 (y_hat - y)."""
    y, y_hat = _pair(y, y_hat)
    return np.asarray(2.0 * (y_hat - y))

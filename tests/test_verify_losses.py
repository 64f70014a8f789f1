"""`dlgrade verify` for the losses: every check passes, and a broken reference
patched in makes the relevant symbolic AND torch checks fail."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from dlgrade.reference import losses as L
from dlgrade.reference import symbolic_losses as S
from dlgrade.reference.verify import _run_one, run_all

HAS_TORCH = importlib.util.find_spec("torch") is not None


def _torch_checks():
    if not HAS_TORCH:
        return []
    from dlgrade.reference import torch_losses

    return torch_losses.CHECKS


TORCH_CHECKS = _torch_checks()


def test_every_function_has_symbolic_checks_and_the_facts_are_there():
    assert set(L.__all__) <= {c.formula for c in S.CHECKS}
    facts = " | ".join(c.formula for c in S.CHECKS if c.formula.startswith("fact: "))
    for needle in ("Huber is continuous and once", "d BCE(sigmoid(z), y)/dz = sigmoid(z) - y",
                   "d CCE(softmax(z), y)/dz = softmax(z) - y"):
        assert needle in facts
    for c in S.CHECKS:
        assert c.formula in L.__all__ or c.formula.startswith("fact: "), c.formula


@pytest.mark.torch
def test_every_function_has_torch_checks():
    pytest.importorskip("torch")
    assert set(L.__all__) <= {c.formula for c in TORCH_CHECKS}


def _failing(checks, kind, formulas):
    return {c.formula for c in checks if c.formula in formulas and not _run_one(c, kind).passed}


def _f(y, p):
    return np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)


def _mse_sum(y, y_hat):
    y, y_hat = _f(y, y_hat)
    return float(np.sum((y_hat - y) ** 2))  # forgot the mean


def _mse_grad_no_n(y, y_hat):
    y, y_hat = _f(y, y_hat)
    return 2.0 * (y_hat - y)  # forgot the 1/n


def _mae_grad_sign_flipped(y, y_hat):
    y, y_hat = _f(y, y_hat)
    return np.sign(y - y_hat) / y.size


def _huber_no_half(y, y_hat, delta=1.0):
    y, y_hat = _f(y, y_hat)
    r = y_hat - y
    return float(np.mean(np.where(np.abs(r) <= delta, r * r, delta * (np.abs(r) - delta / 2))))


def _bce_logits_grad_no_n(y, z):
    y, z = _f(y, z)
    return 1.0 / (1.0 + np.exp(-z)) - y


def _cce_mean_over_classes(y, y_hat):
    y, p = _f(y, y_hat)
    return float(-np.mean(y * np.log(p)))


def _ce_indices_grad_no_n(labels, z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(-1, keepdims=True))
    g = e / e.sum(-1, keepdims=True)
    g[np.arange(len(labels)), labels] -= 1.0
    return g


BROKEN = [
    ("mse", _mse_sum),
    ("mse_grad", _mse_grad_no_n),
    ("mae_grad", _mae_grad_sign_flipped),
    ("huber", _huber_no_half),
    ("binary_cross_entropy_logits_grad", _bce_logits_grad_no_n),
    ("categorical_cross_entropy", _cce_mean_over_classes),
    ("cross_entropy_logits_indices_grad", _ce_indices_grad_no_n),
]


@pytest.mark.parametrize("name, broken", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_reference_fails_symbolic_and_torch(monkeypatch, name, broken):
    monkeypatch.setattr(L, name, broken)
    assert _failing(S.CHECKS, "symbolic", {name}) == {name}
    if HAS_TORCH:
        assert _failing(TORCH_CHECKS, "torch", {name}) == {name}


def test_naive_bce_logits_fails_the_symbolic_check(monkeypatch):
    def naive(y, z):
        y, z = _f(y, z)
        s = 1.0 / (1.0 + np.exp(-z))
        return float(-np.mean(y * np.log(s) + (1 - y) * np.log(1 - s)))

    monkeypatch.setattr(L, "binary_cross_entropy_logits", naive)
    with np.errstate(all="ignore"):
        assert _failing(S.CHECKS, "symbolic", {"binary_cross_entropy_logits"}) == {"binary_cross_entropy_logits"}


def test_loss_returning_an_array_fails(monkeypatch):
    monkeypatch.setattr(L, "mae", lambda y, y_hat: np.mean(np.abs(np.subtract(y_hat, y)), keepdims=True))
    assert _failing(S.CHECKS, "symbolic", {"mae"}) == {"mae"}


def test_patching_the_module_is_seen_by_run_all(monkeypatch):
    # the notes' cost is a sum: a mean in its place must be caught
    monkeypatch.setattr(L, "sum_squares_cost", lambda y, y_hat: float(np.mean(np.subtract(y, y_hat) ** 2)))
    failed = {(r.kind, r.formula) for r in run_all(topics=("losses",), with_torch=HAS_TORCH) if not r.passed}
    assert ("symbolic", "sum_squares_cost") in failed
    if HAS_TORCH:
        assert ("torch", "sum_squares_cost") in failed
    assert {f for _, f in failed} == {"sum_squares_cost"}

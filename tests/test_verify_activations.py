"""`dlgrade verify` for the activations: every check passes, and a broken
reference patched in makes the relevant symbolic AND torch checks fail."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from dlgrade.reference import activations as A
from dlgrade.reference import symbolic_activations as S
from dlgrade.reference.verify import _run_one

HAS_TORCH = importlib.util.find_spec("torch") is not None


def _torch_checks():
    if not HAS_TORCH:
        return []
    from dlgrade.reference import torch_activations

    return torch_activations.CHECKS


TORCH_CHECKS = _torch_checks()


def test_every_function_has_symbolic_checks_and_the_facts_are_there():
    covered = {c.formula for c in S.CHECKS}
    assert set(A.__all__) <= covered
    facts = [c.formula for c in S.CHECKS if c.formula.startswith("fact: ")]
    for needle in ("sigmoid' = sigmoid", "maximum 1/4", "tanh' = 1 - tanh^2", "softplus' = sigmoid", "swish'",
                   "ELU is continuous", "ELU is differentiable"):
        assert any(needle in f for f in facts), needle
    for c in S.CHECKS:
        assert c.formula in A.__all__ or c.formula.startswith("fact: "), c.formula


@pytest.mark.torch
def test_every_function_has_torch_checks():
    pytest.importorskip("torch")
    assert set(A.__all__) <= {c.formula for c in TORCH_CHECKS}


def _failing(checks, kind, formulas):
    return {c.formula for c in checks if c.formula in formulas and not _run_one(c, kind).passed}


def _broken_sigmoid(z):
    return 1.0 / (1.0 + np.exp(np.asarray(z, dtype=np.float64)))  # sign of z flipped


def _relu_grad_one_at_zero(z):
    return (np.asarray(z, dtype=np.float64) >= 0).astype(np.float64)


def _softmax_axis0(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _elu_grad_one_at_zero(z, alpha=1.0):
    z = np.asarray(z, dtype=np.float64)
    return np.where(z >= 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))


BROKEN = [
    # (function patched, broken version, formulas that must fail in both kinds)
    ("sigmoid", _broken_sigmoid, {"sigmoid"}),
    ("relu_grad", _relu_grad_one_at_zero, {"relu_grad"}),
    ("softmax", _softmax_axis0, {"softmax"}),
    ("elu_grad", _elu_grad_one_at_zero, {"elu_grad"}),
    ("leaky_relu", lambda z, alpha=0.01: np.where(z > 0, z, 0.01 * z), {"leaky_relu"}),  # ignores alpha
]


@pytest.mark.parametrize("name, broken, formulas", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_reference_fails_symbolic_and_torch(monkeypatch, name, broken, formulas):
    monkeypatch.setattr(A, name, broken)
    assert _failing(S.CHECKS, "symbolic", formulas) == formulas
    if HAS_TORCH:
        assert _failing(TORCH_CHECKS, "torch", formulas) == formulas


@pytest.mark.parametrize(
    "name, broken",
    [
        # right values, but cancellation loses every digit in the tails
        ("tanh_grad", lambda z: 1.0 - np.tanh(np.asarray(z, dtype=np.float64)) ** 2),
        ("sigmoid_grad", lambda z: A.sigmoid(z) * (1.0 - A.sigmoid(z))),
        # naive sigmoid overflows in exp(-z) for z < -709 (a RuntimeWarning)
        ("sigmoid", lambda z: 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))),
        ("softplus", lambda z: np.log(1.0 + np.exp(np.asarray(z, dtype=np.float64)))),
    ],
)
def test_unstable_forms_fail_the_symbolic_tail_checks(monkeypatch, name, broken):
    monkeypatch.setattr(A, name, broken)
    with np.errstate(all="ignore"):  # the check itself raises, not the test
        assert _failing(S.CHECKS, "symbolic", {name}) == {name}


def test_patching_the_module_is_seen_by_run_all(monkeypatch):
    from dlgrade.reference.verify import run_all

    monkeypatch.setattr(A, "swish", lambda z: np.asarray(z, dtype=np.float64) * 0.5)
    failed = {(r.kind, r.formula) for r in run_all(topics=("activations",), with_torch=HAS_TORCH) if not r.passed}
    assert ("symbolic", "swish") in failed
    if HAS_TORCH:
        assert ("torch", "swish") in failed
    assert {f for _, f in failed} == {"swish"}

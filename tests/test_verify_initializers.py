"""`dlgrade verify` for initializers: every check passes, and a broken reference fails."""

import math

import numpy as np
import pytest

from dlgrade.reference import initializers as I
from dlgrade.reference import symbolic_initializers as S
from dlgrade.reference.verify import _run_one


def _he_normal_fan_out(fan_in, fan_out, seed):
    return np.random.default_rng(seed).normal(0.0, math.sqrt(2.0 / fan_out), size=(fan_in, fan_out))


def _failing(checks, formula):
    picked = [c for c in checks if c.formula == formula]
    assert picked
    return [c for c in picked if not _run_one(c, "x").passed]


def test_broken_sampler_fails_symbolic(monkeypatch):
    monkeypatch.setattr(I, "he_normal", _he_normal_fan_out)
    assert _failing(S.CHECKS, "he_normal")
    monkeypatch.setattr(I, "xavier_uniform", I.notes_uniform)
    assert _failing(S.CHECKS, "xavier_uniform")


def test_broken_distribution_fails_symbolic(monkeypatch):
    real = I.distribution

    def broken(name, fan_in, fan_out):
        d = real(name, fan_in, fan_out)
        if name == "he_uniform":  # sqrt(3/fan_in) as the bound
            a = math.sqrt(3.0 / fan_in)
            return I.Distribution(name, "uniform", fan_in, fan_out, a / math.sqrt(3), a * a / 3, a, d.formula)
        return d

    monkeypatch.setattr(I, "distribution", broken)
    assert _failing(S.CHECKS, "distribution(he_uniform)")
    assert not _failing(S.CHECKS, "distribution(he_normal)")


@pytest.mark.torch
def test_broken_reference_fails_torch(monkeypatch):
    pytest.importorskip("torch")
    from dlgrade.reference import torch_initializers as T

    monkeypatch.setattr(I, "he_normal", _he_normal_fan_out)
    failed = _failing(T.CHECKS, "he_normal")
    assert [c.what for c in failed] == [c.what for c in T.CHECKS if c.formula == "he_normal" and "Kolmogorov" in c.what]
    # Same variance, wrong family: only the two-sample Kolmogorov distance can see it.
    monkeypatch.setattr(I, "xavier_normal", lambda fi, fo, s: np.random.default_rng(s).uniform(
        -math.sqrt(6 / (fi + fo)), math.sqrt(6 / (fi + fo)), size=(fi, fo)))
    assert _failing(T.CHECKS, "xavier_normal")
    monkeypatch.setattr(I, "he_uniform", lambda fi, fo, s: I.he_uniform(fo, fi, s))  # transposed
    assert _failing(T.CHECKS, "he_uniform")


def test_two_sample_helpers():
    pytest.importorskip("torch")
    from dlgrade.reference.torch_initializers import two_sample_bound, two_sample_distance

    assert two_sample_distance(np.arange(10.0), np.arange(10.0)) == 0.0
    assert two_sample_distance(np.arange(10.0), np.arange(10.0) + 100) == 1.0
    assert two_sample_distance([0.0, 2.0], [1.0, 3.0]) == 0.5
    assert two_sample_bound(400_000, 400_000) == pytest.approx(8.72e-3, rel=1e-2)

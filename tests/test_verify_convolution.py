"""`dlgrade verify` for convolution: every check passes, and a broken reference fails it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dlgrade.reference import convolution as C
from dlgrade.checks.table import topic_entries
from dlgrade.reference import symbolic_convolution as S

try:
    from dlgrade.reference import torch_convolution as T

    TORCH_CHECKS = T.CHECKS
except ImportError:  # torch not installed: the torch tests are skipped
    TORCH_CHECKS = []


def passes(check) -> bool:
    try:
        err = check.run()
    except Exception:  # AssertionError, or a crash inside the broken reference
        return False
    return math.isfinite(err) and err <= check.tol


def pick(checks, formula):
    found = [c for c in checks if c.formula == formula]
    assert found, f"no check for {formula}"
    return found


# The graded functions, from the table; conv_output_size has no torch counterpart.
FORMULAS = {e.name for e in topic_entries("convolution")} - {"conv_output_size"}


def test_every_graded_function_is_verified_both_ways():
    assert FORMULAS | {"conv_output_size"} <= {c.formula for c in S.CHECKS}
    if TORCH_CHECKS:
        assert FORMULAS <= {c.formula for c in TORCH_CHECKS}


# ---------------------------------------------------------------- broken references


def _flipped_conv(x, w, b, stride=1, pad=0):
    return _true_conv(x, np.asarray(w)[:, :, ::-1, ::-1], b, stride, pad)


_true_conv = C.conv2d_forward
_true_conv_backward = C.conv2d_backward


def _doubled_bias_backward(dout, x, w, b, stride=1, pad=0):
    dx, dw, db = _true_conv_backward(dout, x, w, b, stride, pad)
    return dx, dw, db * 2.0  # a bias gradient counted twice


def test_flipped_kernel_fails_verification(monkeypatch):
    monkeypatch.setattr(C, "conv2d_forward", _flipped_conv)
    assert not any(passes(c) for c in pick(S.CHECKS, "conv2d_forward"))
    if TORCH_CHECKS:
        assert not any(passes(c) for c in pick(TORCH_CHECKS, "conv2d_forward"))


def test_wrong_conv_backward_fails_verification(monkeypatch):
    monkeypatch.setattr(C, "conv2d_backward", _doubled_bias_backward)
    assert not any(passes(c) for c in pick(S.CHECKS, "conv2d_backward"))
    if TORCH_CHECKS:
        assert not any(passes(c) for c in pick(TORCH_CHECKS, "conv2d_backward"))


def test_ceil_output_size_fails_verification(monkeypatch):
    monkeypatch.setattr(C, "conv_output_size", lambda n, f, p, s: -(-(n + 2 * p - f) // s) + 1)
    assert not passes(pick(S.CHECKS, "conv_output_size")[0])


def test_avgpool_wrong_divisor_fails_verification(monkeypatch):
    true_avg = C.avgpool_forward
    monkeypatch.setattr(
        C, "avgpool_forward", lambda x, size, stride: true_avg(x, size, stride) * size / 2
    )
    assert not any(passes(c) for c in pick(S.CHECKS, "avgpool_forward"))
    if TORCH_CHECKS:
        assert not any(passes(c) for c in pick(TORCH_CHECKS, "avgpool_forward"))


def test_maxpool_gradient_split_on_every_entry_fails_verification(monkeypatch):
    # Routing the gradient to every window entry (an avg-pool backward) is wrong.
    monkeypatch.setattr(
        C,
        "maxpool_backward",
        lambda dout, x, size, stride: C.avgpool_backward(dout, x, size, stride),
    )
    assert not any(passes(c) for c in pick(S.CHECKS, "maxpool_backward"))
    if TORCH_CHECKS:
        assert not any(passes(c) for c in pick(TORCH_CHECKS, "maxpool_backward"))


@pytest.mark.torch
def test_last_maximum_on_ties_fails_torch_tie_check(monkeypatch):
    pytest.importorskip("torch")
    true_backward = C.maxpool_backward

    def last_on_ties(dout, x, size, stride):
        # Reverse both spatial axes: the first maximum found is then the last one.
        flipped = true_backward(
            np.asarray(dout)[:, :, ::-1, ::-1], np.asarray(x)[:, :, ::-1, ::-1], size, stride
        )
        return flipped[:, :, ::-1, ::-1]

    monkeypatch.setattr(C, "maxpool_backward", last_on_ties)
    tie_check = [c for c in pick(TORCH_CHECKS, "maxpool_backward") if "ties" in c.what]
    assert tie_check and not passes(tie_check[0])

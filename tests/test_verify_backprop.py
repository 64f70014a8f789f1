"""`dlgrade verify` for backprop: every check passes, and a broken reference fails it."""

from __future__ import annotations

import math

import numpy as np

from dlgrade.reference import backprop as B
from dlgrade.checks.table import topic_entries
from dlgrade.reference import symbolic_backprop as S

try:
    from dlgrade.reference import torch_backprop as T

    TORCH_CHECKS = T.CHECKS
except ImportError:  # torch not installed: the torch tests are skipped
    TORCH_CHECKS = []


def passes(check) -> bool:
    try:
        err = check.run()
    except Exception:  # AssertionError, or a crash inside the broken reference
        return False
    return math.isfinite(err) and err <= check.tol


def pick(checks, *formulas):
    found = [c for c in checks if c.formula in formulas]
    assert found, f"no check for {formulas}"
    return found


def _all_fail(monkeypatch, name, broken, *formulas):
    monkeypatch.setattr(B, name, broken)
    for checks in (S.CHECKS, TORCH_CHECKS):
        if checks:
            for check in pick(checks, *formulas):
                assert not passes(check), f"{check.formula} ({check.what}) passed a broken {name}"


# The graded functions, from the table.
FORMULAS = {e.name for e in topic_entries("backprop")}


def test_every_graded_function_is_verified_both_ways():
    assert FORMULAS <= {c.formula for c in S.CHECKS}
    if TORCH_CHECKS:
        assert FORMULAS <= {c.formula for c in TORCH_CHECKS}


# ---------------------------------------------------------------- broken references


def test_dropout_without_rescaling_fails(monkeypatch):
    _all_fail(
        monkeypatch, "dropout_forward", lambda x, mask, p: np.asarray(x) * mask, "dropout_forward"
    )
    _all_fail(
        monkeypatch, "dropout_backward", lambda d, mask, p: np.asarray(d) * mask, "dropout_backward"
    )


def test_dense_backward_averaging_the_bias_gradient_fails(monkeypatch):
    true_backward = B.dense_backward

    def mean_not_sum(dout, x, w, b):
        dx, dw, _ = true_backward(dout, x, w, b)
        return dx, dw, np.asarray(dout).mean(axis=0)

    _all_fail(monkeypatch, "dense_backward", mean_not_sum, "dense_backward")


def test_dense_forward_with_the_torch_weight_layout_fails(monkeypatch):
    # x @ w.T is what F.linear does with torch's (out, in) weights: the wrong layout here.
    monkeypatch.setattr(B, "dense_forward", lambda x, w, b: np.asarray(x) @ np.asarray(w).T + b)
    for checks in (S.CHECKS, TORCH_CHECKS):
        if checks:
            assert not any(passes(c) for c in pick(checks, "dense_forward"))


def test_rnn_backward_without_the_carry_fails(monkeypatch):
    def truncated(dh, x, h0, wx, wh, b):
        # Backpropagation that forgets what flows back from later steps.
        h = B.rnn_forward(x, h0, wx, wh, b)
        dx, dwx, dwh, db = np.zeros_like(x), np.zeros_like(wx), np.zeros_like(wh), np.zeros_like(b)
        dh0 = np.zeros_like(h0)
        for t in range(x.shape[1]):
            prev = h[:, t - 1] if t else h0
            gx, gh, gwx, gwh, gb = B.rnn_step_backward(dh[:, t], x[:, t], prev, wx, wh, b)
            dx[:, t] = gx
            dh0 = gh if t == 0 else dh0
            dwx, dwh, db = dwx + gwx, dwh + gwh, db + gb
        return dx, dh0, dwx, dwh, db

    _all_fail(monkeypatch, "rnn_backward", truncated, "rnn_backward")


def test_rnn_step_backward_with_sigmoid_derivative_fails(monkeypatch):
    def broken(dh_next, x, h_prev, wx, wh, b):
        h = B.rnn_step_forward(x, h_prev, wx, wh, b)
        dz = dh_next * h * (1 - h)
        return dz @ wx.T, dz @ wh.T, x.T @ dz, h_prev.T @ dz, dz.sum(axis=0)

    _all_fail(monkeypatch, "rnn_step_backward", broken, "rnn_step_backward")


def test_two_layer_loss_with_half_penalty_fails(monkeypatch):
    true_loss = B.two_layer_loss

    def half(params, x, y, reg=0.0):
        return true_loss(params, x, y, reg / 2)

    monkeypatch.setattr(B, "two_layer_loss", half)
    checks = [c for c in S.CHECKS + TORCH_CHECKS if c.formula == "two_layer_loss"]
    with_reg = [c for c in checks if "0.1" in c.what or c in TORCH_CHECKS]
    assert with_reg and not any(passes(c) for c in with_reg)


def test_perceptron_with_a_sign_error_fails(monkeypatch):
    def broken(w, b, x, y, lr):
        y_hat = B.perceptron_predict(x, w, b)
        return w - lr * (y - y_hat) * x, b - lr * (y - y_hat)

    _all_fail(monkeypatch, "perceptron_update", broken, "perceptron_update")


def test_chain_norms_with_the_wrong_derivative_fail(monkeypatch):
    true_norms = B.chain_gradient_norms

    def sigmoid_is_tanh(x, weights, activation):
        return true_norms(x, weights, "tanh" if activation == "sigmoid" else activation)

    _all_fail(monkeypatch, "chain_gradient_norms", sigmoid_is_tanh, "chain_gradient_norms")

"""`dlgrade verify` for optimizers: every check passes, and a broken reference fails."""

import numpy as np
import pytest

from dlgrade.reference import optimizers as O
from dlgrade.reference import symbolic_optimizers as S
from dlgrade.reference.verify import _run_one


def _adam_without_bias_correction(w, dw, state, lr, beta1, beta2, eps):
    m = beta1 * state.get("m", 0.0) + (1 - beta1) * np.asarray(dw)
    v = beta2 * state.get("v", 0.0) + (1 - beta2) * np.asarray(dw) ** 2
    return np.asarray(w) - lr * m / (np.sqrt(v) + eps), {"m": m, "v": v}


def _adagrad_eps_inside(w, dw, state, lr, eps):  # the notes' variant
    G = state.get("G", 0.0) + np.asarray(dw) ** 2
    return np.asarray(w) - lr * np.asarray(dw) / np.sqrt(G + eps), {"G": G}


def _failing(checks, formula):
    picked = [c for c in checks if c.formula == formula]
    assert picked
    return [c for c in picked if not _run_one(c, "x").passed]


@pytest.mark.parametrize("name, broken", [("adam", _adam_without_bias_correction),
                                          ("adagrad", _adagrad_eps_inside)])
def test_broken_reference_fails_symbolic(monkeypatch, name, broken):
    monkeypatch.setattr(O, name, broken)
    assert _failing(S.CHECKS, name)


def test_broken_momentum_and_grad_fail_symbolic(monkeypatch):
    monkeypatch.setattr(O, "linear_mse_grad", lambda w, x, y: x.T @ (x @ w - y) / len(y))  # lost the 2
    assert _failing(S.CHECKS, "linear_mse_grad")
    monkeypatch.setattr(O, "momentum_notes", lambda w, dw, s, lr, g: (w - lr * dw, {}))  # no velocity
    assert _failing(S.CHECKS, "momentum_notes")
    assert _failing(S.CHECKS, "fact: momentum forms agree for a constant lr")


@pytest.mark.torch
def test_broken_reference_fails_torch(monkeypatch):
    pytest.importorskip("torch")
    from dlgrade.reference import torch_optimizers as T

    real_adam = O.adam
    monkeypatch.setattr(O, "adam", _adam_without_bias_correction)
    assert _failing(T.CHECKS, "adam")
    monkeypatch.setattr(O, "rmsprop", lambda w, dw, s, lr, beta, eps: real_adam(w, dw, s, lr, 0.0, beta, eps))
    assert _failing(T.CHECKS, "rmsprop")  # bias-corrected RMSProp is not torch's

    def reshuffled_each_batch(w, x, y, lr, batch_size, epochs, seed):
        rng = np.random.default_rng(seed + 1)  # a different stream than the convention
        for _ in range(epochs):
            order = rng.permutation(len(y))
            for s in range(0, len(y), batch_size):
                idx = order[s : s + batch_size]
                w = w - lr * O.linear_mse_grad(w, x[idx], y[idx])
        return w

    monkeypatch.setattr(O, "minibatch_sgd", reshuffled_each_batch)
    assert _failing(T.CHECKS, "minibatch_sgd")

"""PyTorch verification of the backprop references.

Each layer is rebuilt from torch's own modules and functions in float64 and
every backward is compared with autograd's gradient of ``sum(dout * out)``:
dense against ``F.linear`` (torch stores the weight as (out, in): it gets
``w.T``), dropout against torch's own ``F.dropout`` (its random mask read
back from the output) and the inverted-dropout formula, the RNN against
``torch.nn.RNNCell`` (weight_ih = wx.T, weight_hh = wh.T, bias_ih = b,
bias_hh = 0) unrolled over time, the two-layer network against
``F.cross_entropy``, and the deep-chain gradient norms against autograd.

References are looked up through the module at call time (``B.dense_forward``)
so that a test can patch in a broken reference and see these checks fail.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from dlgrade.reference import backprop as B
from dlgrade.reference.verify import VerifyCheck

__all__ = ["CHECKS"]

TOL = 1e-10


def _t(a, grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


def _err(got, expected, what: str) -> float:
    got = np.asarray(got, dtype=np.float64)
    expected = (
        expected.detach().numpy() if isinstance(expected, torch.Tensor) else np.asarray(expected)
    )
    if got.shape != expected.shape:
        raise AssertionError(f"{what}: shape {got.shape}, expected {expected.shape}")
    return float(np.max(np.abs(got - expected), initial=0.0))


class _Errors(dict):
    """Largest error per formula; the formula is the first word of ``what``.

    One torch computation checks a forward and its backward together; each
    VerifyCheck then reports the part of its own formula (see :func:`_only`).
    """

    def add(self, got, expected, what: str) -> None:
        formula = what.split()[0]
        self[formula] = max(self.get(formula, 0.0), _err(got, expected, what))

    def add_grads(self, got, tensors, names, what: str) -> None:
        if len(got) != len(names):
            raise AssertionError(f"{what} must return {len(names)} arrays ({', '.join(names)})")
        for g, t, n in zip(got, tensors, names, strict=True):
            self.add(g, t.grad, f"{what} {n}")


def _only(check: Callable[[], _Errors], formula: str) -> Callable[[], float]:
    def run() -> float:
        errs = check()
        if formula not in errs:
            raise AssertionError(f"{check.__name__} compared nothing for {formula}")
        return errs[formula]

    run.__name__ = f"{check.__name__}[{formula}]"
    return run


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


# ---------------------------------------------------------------- perceptron


def _check_perceptron() -> _Errors:
    """predict = torch.heaviside(z, 0); update = w + lr (y - y_hat) x, b + lr (y - y_hat)."""
    rng = _rng(1000)
    errs = _Errors()
    x = rng.standard_normal((20, 4))
    x[0] = 0.0  # z = b = 0 exactly: classified 0
    w = rng.standard_normal(4)
    for b in (0.0, 0.3):
        z = _t(x) @ _t(w) + b
        expected = torch.heaviside(z, torch.tensor(0.0, dtype=torch.float64))
        errs.add(B.perceptron_predict(x, w, b), expected, "perceptron_predict")
        for i in range(len(x)):
            y = float(i % 2)
            y_hat = torch.heaviside(z[i], torch.tensor(0.0, dtype=torch.float64))
            w_new, b_new = B.perceptron_update(w, b, x[i], y, 0.1)
            errs.add(w_new, _t(w) + 0.1 * (y - y_hat) * _t(x[i]), "perceptron_update w")
            errs.add(b_new, b + 0.1 * (y - y_hat), "perceptron_update b")
    return errs


# ---------------------------------------------------------------- dense and dropout


def _check_dense() -> _Errors:
    errs = _Errors()
    for i, (n, d, m) in enumerate(((5, 3, 4), (1, 7, 2), (8, 2, 6))):
        rng = _rng(1100 + i)
        x, w, b = rng.standard_normal((n, d)), rng.standard_normal((d, m)), rng.standard_normal(m)
        tx, tw, tb = _t(x, True), _t(w, True), _t(b, True)
        out = F.linear(tx, tw.T, tb)  # torch's weight is (out, in)
        errs.add(B.dense_forward(x, w, b), out, "dense_forward")
        dout = rng.standard_normal((n, m))
        (out * _t(dout)).sum().backward()
        got = B.dense_backward(dout, x, w, b)
        errs.add_grads(got, (tx, tw, tb), ("dx", "dw", "db"), "dense_backward")
    return errs


def _check_dropout_formula() -> _Errors:
    """A fixed mask through autograd: x * mask / (1 - p), p in {0, 0.3, 0.5, 0.9}."""
    errs = _Errors()
    rng = _rng(1200)
    for p in (0.0, 0.3, 0.5, 0.9):
        x = rng.standard_normal((4, 5))
        mask = (rng.random((4, 5)) >= p).astype(np.float64)
        tx = _t(x, True)
        out = tx * _t(mask) / (1.0 - p)
        errs.add(B.dropout_forward(x, mask, p), out, f"dropout_forward p={p}")
        dout = rng.standard_normal((4, 5))
        (out * _t(dout)).sum().backward()
        errs.add(B.dropout_backward(dout, mask, p), tx.grad, f"dropout_backward p={p}")
    return errs


def _check_dropout_torch() -> _Errors:
    """torch's own F.dropout (training): its mask read back from the output (x != 0
    everywhere), then forward and autograd backward compared; p = 1 gives zeros."""
    errs = _Errors()
    gen_seed = 1300
    for p in (0.2, 0.5, 0.75, 1.0):
        x = _rng(gen_seed).uniform(0.5, 2.0, size=(6, 7)) * _rng(gen_seed + 1).choice(
            [-1, 1], (6, 7)
        )
        torch.manual_seed(gen_seed)
        tx = _t(x, True)
        out = F.dropout(tx, p=p, training=True)
        mask = (out.detach().numpy() != 0.0).astype(np.float64)
        errs.add(B.dropout_forward(x, mask, p), out, f"dropout_forward vs F.dropout p={p}")
        dout = _rng(gen_seed + 2).standard_normal((6, 7))
        (out * _t(dout)).sum().backward()
        got = B.dropout_backward(dout, mask, p)
        errs.add(got, tx.grad, f"dropout_backward vs F.dropout p={p}")
    return errs


# ---------------------------------------------------------------- RNN


def _cell(wx: np.ndarray, wh: np.ndarray, b: np.ndarray) -> torch.nn.RNNCell:
    d, h = wx.shape
    cell = torch.nn.RNNCell(d, h, nonlinearity="tanh", dtype=torch.float64)
    with torch.no_grad():
        cell.weight_ih.copy_(_t(wx.T))
        cell.weight_hh.copy_(_t(wh.T))
        cell.bias_ih.copy_(_t(b))
        cell.bias_hh.zero_()
    return cell


def _rnn_data(seed: int, n: int, t: int, d: int, h: int):
    rng = _rng(seed)
    x = rng.standard_normal((n, t, d))
    h0 = rng.standard_normal((n, h))
    wx = rng.standard_normal((d, h)) / np.sqrt(d)
    wh = rng.standard_normal((h, h)) / np.sqrt(h)
    b = rng.standard_normal(h)
    return rng, x, h0, wx, wh, b


def _check_rnn_step() -> _Errors:
    errs = _Errors()
    for i, (n, d, h) in enumerate(((3, 4, 5), (1, 2, 3))):
        rng, x, h_prev, wx, wh, b = _rnn_data(1400 + i, n, 1, d, h)
        x = x[:, 0]
        cell = _cell(wx, wh, b)
        tx, th = _t(x, True), _t(h_prev, True)
        out = cell(tx, th)
        got = B.rnn_step_forward(x, h_prev, wx, wh, b)
        errs.add(got, out, "rnn_step_forward vs RNNCell")
        dout = rng.standard_normal((n, h))
        (out * _t(dout)).sum().backward()
        got = B.rnn_step_backward(dout, x, h_prev, wx, wh, b)
        if len(got) != 5:
            raise AssertionError("rnn_step_backward must return (dx, dh_prev, dwx, dwh, db)")
        errs.add(got[0], tx.grad, "rnn_step_backward dx")
        errs.add(got[1], th.grad, "rnn_step_backward dh_prev")
        errs.add(got[2], cell.weight_ih.grad.T, "rnn_step_backward dwx")
        errs.add(got[3], cell.weight_hh.grad.T, "rnn_step_backward dwh")
        errs.add(got[4], cell.bias_ih.grad, "rnn_step_backward db")
    return errs


def _check_rnn_sequence() -> _Errors:
    """rnn_forward / rnn_backward against an unrolled RNNCell loop with autograd."""
    errs = _Errors()
    for i, (n, t, d, h) in enumerate(((2, 5, 3, 4), (1, 1, 2, 2), (3, 7, 2, 3))):
        rng, x, h0, wx, wh, b = _rnn_data(1500 + i, n, t, d, h)
        cell = _cell(wx, wh, b)
        tx, th0 = _t(x, True), _t(h0, True)
        hs, hcur = [], th0
        for step in range(t):
            hcur = cell(tx[:, step], hcur)
            hs.append(hcur)
        out = torch.stack(hs, dim=1)
        errs.add(B.rnn_forward(x, h0, wx, wh, b), out, "rnn_forward")
        dh = rng.standard_normal((n, t, h))
        (out * _t(dh)).sum().backward()
        got = B.rnn_backward(dh, x, h0, wx, wh, b)
        if len(got) != 5:
            raise AssertionError("rnn_backward must return (dx, dh0, dwx, dwh, db)")
        errs.add(got[0], tx.grad, "rnn_backward dx")
        errs.add(got[1], th0.grad, "rnn_backward dh0")
        errs.add(got[2], cell.weight_ih.grad.T, "rnn_backward dwx")
        errs.add(got[3], cell.weight_hh.grad.T, "rnn_backward dwh")
        errs.add(got[4], cell.bias_ih.grad, "rnn_backward db")
    return errs


# ---------------------------------------------------------------- two-layer network


def _check_two_layer() -> _Errors:
    """relu(x W1 + b1) W2 + b2 -> F.cross_entropy (mean) + reg (|W1|^2 + |W2|^2)."""
    errs = _Errors()
    for i, (n, d, h, c, reg) in enumerate(
        ((6, 4, 5, 3, 0.0), (10, 3, 7, 4, 0.05), (1, 2, 3, 2, 1.0))
    ):
        rng = _rng(1600 + i)
        params = {
            "W1": rng.standard_normal((d, h)),
            "b1": rng.standard_normal(h),
            "W2": rng.standard_normal((h, c)),
            "b2": rng.standard_normal(c),
        }
        x = rng.standard_normal((n, d))
        y = rng.integers(0, c, size=n)
        tp = {k: _t(v, True) for k, v in params.items()}
        scores = torch.relu(_t(x) @ tp["W1"] + tp["b1"]) @ tp["W2"] + tp["b2"]
        loss = F.cross_entropy(scores, torch.tensor(y)) + reg * (
            (tp["W1"] ** 2).sum() + (tp["W2"] ** 2).sum()
        )
        loss.backward()
        got_loss, got_grads = B.two_layer_loss(params, x, y, reg)
        errs.add(got_loss, loss, "two_layer_loss loss")
        if set(got_grads) != set(params):
            raise AssertionError(f"grads keys {sorted(got_grads)}, expected {sorted(params)}")
        for k, t in tp.items():
            errs.add(got_grads[k], t.grad, f"two_layer_loss d{k}")
    return errs


# ---------------------------------------------------------------- deep chains


def _check_chain_norms() -> _Errors:
    errs = _Errors()
    acts = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
    for i, name in enumerate(acts):
        rng = _rng(1700 + i)
        dims = (3, 5, 4, 6, 2)
        x = rng.standard_normal((4, dims[0]))
        weights = [rng.standard_normal((a, b)) for a, b in zip(dims[:-1], dims[1:], strict=True)]
        tws = [_t(w, True) for w in weights]
        h = _t(x)
        for tw in tws:
            h = acts[name](h @ tw)
        h.sum().backward()
        expected = np.array([np.linalg.norm(tw.grad.numpy()) for tw in tws])
        got = B.chain_gradient_norms(x, weights, name)
        errs.add(got, expected, f"chain_gradient_norms {name}")
    return errs


_ROWS = [
    # formula, what is compared, the computation that checks it
    ("perceptron_predict", "torch.heaviside(z, 0)", _check_perceptron),
    ("perceptron_update", "w + lr (y - y_hat) x, b + lr (y - y_hat)", _check_perceptron),
    ("dense_forward", "F.linear(x, w.T, b)", _check_dense),
    ("dense_backward", "autograd through F.linear", _check_dense),
    ("dropout_forward", "x * mask / (1 - p), fixed mask", _check_dropout_formula),
    ("dropout_backward", "autograd through x * mask / (1 - p)", _check_dropout_formula),
    ("dropout_forward", "torch's F.dropout, its mask read back, p up to 1", _check_dropout_torch),
    ("dropout_backward", "autograd through F.dropout", _check_dropout_torch),
    ("rnn_step_forward", "torch.nn.RNNCell (weights transposed, bias_hh = 0)", _check_rnn_step),
    ("rnn_step_backward", "autograd through RNNCell", _check_rnn_step),
    ("rnn_forward", "an unrolled RNNCell loop", _check_rnn_sequence),
    ("rnn_backward", "autograd through the unrolled loop", _check_rnn_sequence),
    ("two_layer_loss", "F.cross_entropy + reg penalty through autograd", _check_two_layer),
    ("chain_gradient_norms", "autograd through sigmoid, tanh, relu chains", _check_chain_norms),
]

CHECKS: list[VerifyCheck] = [VerifyCheck(f, what, _only(fn, f), TOL) for f, what, fn in _ROWS]

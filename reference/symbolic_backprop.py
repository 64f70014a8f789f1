"""Symbolic verification of the backprop references (SymPy).

Every layer is written here as a SymPy expression from its formula,
independently of the reference, and every backward is compared with
``sympy.diff`` of ``sum(dout * out)`` (or of the scalar loss). Expressions
are evaluated at fixed random float64 points away from kinks (ReLU at 0,
the perceptron's boundary), where the derivative is unambiguous; the exact
kink conventions (step(0) = 0, relu'(0) = 0) are tested on exact zeros in
the reference tests (and step(0) = 0 here, as Heaviside(0, 0)).

References are looked up through the module at call time (``B.dense_forward``)
so that a test can patch in a broken reference and see these checks fail.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from dlgrade.reference import backprop as B
from dlgrade.reference.symbolic_convolution import SymbolicPoint, frozen, max_abs_error
from dlgrade.reference.verify import VerifyCheck

__all__ = ["CHECKS"]


def _map(f, a: np.ndarray) -> np.ndarray:
    return np.vectorize(f, otypes=[object])(a)


def _relu(z):
    # Max, not Piecewise (whose folding is slow in nested chains); its
    # derivative Heaviside(z) is 1/2 at 0, so test points stay off the kink.
    return sp.Max(0, z)


_ACT = {
    "sigmoid": lambda z: 1 / (1 + sp.exp(-z)),
    "tanh": sp.tanh,
    "relu": _relu,
}


def _dout(seed: int, shape) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=shape)


def _compare_all(got, expected: dict, names, what: str) -> float:
    if len(got) != len(names):
        raise AssertionError(f"{what} must return {len(names)} arrays ({', '.join(names)})")
    return max(
        max_abs_error(g, expected[k], f"{what} d{k}") for g, k in zip(got, names, strict=True)
    )


# ---------------------------------------------------------------- perceptron


def _perceptron_cases():
    rng = np.random.default_rng(7)
    for trial in range(8):
        pt = SymbolicPoint(400 + trial, w=(3,), b=(1,))
        x = rng.uniform(-2.0, 2.0, size=3)
        z = sp.Add(*(x[i] * pt.syms["w"][i] for i in range(3))) + pt.syms["b"][0]
        if abs(float(pt.evaluate(np.array([z], dtype=object))[0])) < 1e-3:
            raise AssertionError("test point too close to the perceptron boundary")
        yield pt, x, z, trial % 2


def _check_perceptron_predict() -> float:
    """step(x @ w + b) = Heaviside(z, 0): 1 if z > 0, and 0 on the boundary z = 0."""
    err = 0.0
    for pt, x, z, _ in _perceptron_cases():
        pred = pt.evaluate(np.array([sp.Heaviside(z, 0)], dtype=object))[0]
        got = B.perceptron_predict(x, pt.vals["w"], pt.vals["b"][0])
        err = max(err, max_abs_error(got, np.array(pred), "perceptron_predict"))
    x0, w0 = np.array([1.0, -1.0]), np.array([2.0, 2.0])  # z = 0 exactly
    if float(sp.Heaviside(0, 0)) != B.perceptron_predict(x0, w0, 0.0):
        raise AssertionError("perceptron_predict on the boundary must be step(0) = 0")
    return err


def _check_perceptron_update() -> float:
    """w - lr d/dw (and b - lr d/db) of the perceptron criterion
    max(0, -(2y - 1) z), z = x @ w + b, off the boundary."""
    err, lr = 0.0, 0.5
    for pt, x, z, y in _perceptron_cases():
        g = pt.grad(sp.Max(0, -(2 * y - 1) * z))
        w, b = pt.vals["w"], pt.vals["b"][0]
        w_new, b_new = B.perceptron_update(w, b, x, y, lr)
        err = max(err, max_abs_error(w_new, w - lr * g["w"], "perceptron_update w"))
        err = max(err, max_abs_error(b_new, np.array(b - lr * g["b"][0]), "perceptron_update b"))
    return err


# ---------------------------------------------------------------- dense and dropout


def _dense_point():
    pt = SymbolicPoint(11, x=(3, 2), w=(2, 4), b=(4,))
    out = pt.syms["x"].dot(pt.syms["w"]) + pt.syms["b"]
    return pt, out


def _check_dense_forward() -> float:
    pt, out = _dense_point()
    v = pt.vals
    return max_abs_error(B.dense_forward(v["x"], v["w"], v["b"]), pt.evaluate(out), "dense_forward")


def _check_dense_backward() -> float:
    pt, out = _dense_point()
    dout = _dout(12, out.shape)
    v = pt.vals
    got = B.dense_backward(dout, v["x"], v["w"], v["b"])
    return _compare_all(got, pt.vjp(dout, out), ("x", "w", "b"), "dense_backward")


_MASK = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])


def _check_dropout(name: str):
    """x * mask / (1 - p) (forward) or its derivative (backward), p = 0, 1/4, 1/2,
    9/10; and p = 1 (mask 0), where the limit of x * 0 / (1 - p) is 0."""

    def run() -> float:
        err = 0.0
        for p in (sp.Integer(0), sp.Rational(1, 4), sp.Rational(1, 2), sp.Rational(9, 10)):
            pt = SymbolicPoint(13, x=(2, 3))
            out = pt.syms["x"] * _MASK / (1 - p)
            if name == "dropout_forward":
                got, expected = B.dropout_forward(pt.vals["x"], _MASK, float(p)), pt.evaluate(out)
            else:
                dout = _dout(14, out.shape)
                got, expected = B.dropout_backward(dout, _MASK, float(p)), pt.vjp(dout, out)["x"]
            err = max(err, max_abs_error(got, expected, f"{name} p={p}"))
        xs, ps = sp.symbols("x p")
        if sp.limit(xs * 0 / (1 - ps), ps, 1) != 0:
            raise AssertionError("limit p -> 1 of x * 0 / (1 - p) is not 0")
        zeros = np.zeros((2, 3))
        x = SymbolicPoint(13, x=(2, 3)).vals["x"]
        return max(err, max_abs_error(getattr(B, name)(x, zeros, 1.0), zeros, f"{name} p=1"))

    return run


# ---------------------------------------------------------------- RNN


def _rnn_step_point():
    pt = SymbolicPoint(21, x=(2, 3), h_prev=(2, 2), wx=(3, 2), wh=(2, 2), b=(2,))
    s = pt.syms
    out = _map(sp.tanh, s["x"].dot(s["wx"]) + s["h_prev"].dot(s["wh"]) + s["b"])
    return pt, out


def _check_rnn_step_forward() -> float:
    pt, out = _rnn_step_point()
    v = pt.vals
    got = B.rnn_step_forward(v["x"], v["h_prev"], v["wx"], v["wh"], v["b"])
    return max_abs_error(got, pt.evaluate(out), "rnn_step_forward")


def _check_rnn_step_backward() -> float:
    pt, out = _rnn_step_point()
    dout = _dout(22, out.shape)
    v = pt.vals
    got = B.rnn_step_backward(dout, v["x"], v["h_prev"], v["wx"], v["wh"], v["b"])
    names = ("x", "h_prev", "wx", "wh", "b")
    return _compare_all(got, pt.vjp(dout, out), names, "rnn_step_backward")


def _rnn_seq_point():
    pt = SymbolicPoint(23, x=(2, 3, 2), h0=(2, 2), wx=(2, 2), wh=(2, 2), b=(2,))
    s = pt.syms
    h, hs = s["h0"], []
    for t in range(3):
        h = _map(sp.tanh, s["x"][:, t].dot(s["wx"]) + h.dot(s["wh"]) + s["b"])
        hs.append(h)
    return pt, np.stack(hs, axis=1)  # (N, T, H)


def _check_rnn_forward() -> float:
    """rnn_forward against the unrolled tanh recurrence (T = 3)."""
    pt, out = _rnn_seq_point()
    v = pt.vals
    got = B.rnn_forward(v["x"], v["h0"], v["wx"], v["wh"], v["b"])
    return max_abs_error(got, pt.evaluate(out), "rnn_forward")


@functools.lru_cache(maxsize=None)
def _rnn_backward_expected() -> dict:
    pt, out = _rnn_seq_point()
    dh = _dout(24, out.shape)
    return frozen(**pt.vals, dh=dh, **{f"d{k}": g for k, g in pt.vjp(dh, out).items()})


def _check_rnn_backward() -> float:
    """rnn_backward against sympy.diff of sum(dh * h) over every hidden state (T = 3)."""
    e = _rnn_backward_expected()
    got = B.rnn_backward(e["dh"], e["x"], e["h0"], e["wx"], e["wh"], e["b"])
    names = ("x", "h0", "wx", "wh", "b")
    return _compare_all(got, {k: e[f"d{k}"] for k in names}, names, "rnn_backward")


# ---------------------------------------------------------------- two-layer network

_X2 = np.random.default_rng(31).uniform(-2.0, 2.0, size=(3, 2))
_Y2 = np.array([2, 0, 1])


@functools.lru_cache(maxsize=None)
def _two_layer_expected(reg: float) -> dict:
    pt = SymbolicPoint(32, W1=(2, 3), b1=(3,), W2=(3, 3), b2=(3,))
    s, v = pt.syms, pt.vals
    if np.min(np.abs(_X2 @ v["W1"] + v["b1"])) < 1e-2:
        raise AssertionError("test point too close to a ReLU kink")
    scores = _map(_relu, _X2.dot(s["W1"]) + s["b1"]).dot(s["W2"]) + s["b2"]
    n = len(_Y2)
    data = sp.Add(
        *[sp.log(sum(sp.exp(c) for c in scores[i])) - scores[i, _Y2[i]] for i in range(n)]
    )
    penalty = sp.Add(*(e**2 for e in s["W1"].ravel())) + sp.Add(*(e**2 for e in s["W2"].ravel()))
    loss = data / n + sp.Float(reg) * penalty
    grads = pt.grad(loss)
    return frozen(**v, loss=pt.evaluate(np.array(loss)), **{f"d{k}": g for k, g in grads.items()})


def _check_two_layer(reg: float):
    """sympy.diff of (1/N) sum_n (log sum_c e^{s_nc} - s_{n,y_n}) + reg (|W1|^2 + |W2|^2)."""

    def run() -> float:
        e = _two_layer_expected(reg)
        params = {k: e[k].copy() for k in ("W1", "b1", "W2", "b2")}
        got_loss, got_grads = B.two_layer_loss(params, _X2, _Y2, reg)
        err = max_abs_error(got_loss, e["loss"], "two_layer_loss loss")
        if set(got_grads) != set(params):
            raise AssertionError(f"grads keys {sorted(got_grads)}, expected {sorted(params)}")
        for k in params:
            err = max(err, max_abs_error(got_grads[k], e[f"d{k}"], f"two_layer_loss d{k}"))
        return err

    return run


# ---------------------------------------------------------------- deep chains


_XC = np.random.default_rng(41).uniform(-1.0, 1.0, size=(2, 2))
_LAYERS = ("W0", "W1", "W2")


@functools.lru_cache(maxsize=None)
def _chain_expected(name: str, seed: int) -> dict:
    pt = SymbolicPoint(seed, W0=(2, 2), W1=(2, 2), W2=(2, 2))
    h, hv = _XC, _XC
    for k in _LAYERS:
        h = _map(_ACT[name], h.dot(pt.syms[k]))
        zv = hv @ pt.vals[k]
        if name == "relu" and np.min(np.abs(zv)) < 1e-2:
            raise AssertionError("test point too close to a ReLU kink")
        hv = np.maximum(zv, 0.0)
    g = pt.grad(sp.Add(*h.ravel()))
    return frozen(**pt.vals, norms=[np.linalg.norm(g[k]) for k in _LAYERS])


def _check_chain_norms() -> float:
    """||d sum(h_L) / d W_l||_F from sympy.diff through a 3-layer, width-2 chain."""
    err = 0.0
    # relu's seed gives some inactive units in every layer, none near the kink.
    for name, seed in (("sigmoid", 42), ("tanh", 43), ("relu", 53)):
        e = _chain_expected(name, seed)
        got = B.chain_gradient_norms(_XC, [e[k] for k in _LAYERS], name)
        err = max(err, max_abs_error(got, e["norms"], f"chain_gradient_norms {name}"))
    return err


for _a in (_MASK, _X2, _Y2, _XC):
    _a.setflags(write=False)  # shared by every run: a broken reference must not alter them
del _a

CHECKS: list[VerifyCheck] = [
    VerifyCheck(
        "perceptron_predict", "Heaviside(x @ w + b, 0): step(0) = 0", _check_perceptron_predict
    ),
    VerifyCheck(
        "perceptron_update",
        "w - lr d/dw max(0, -(2y - 1)(x @ w + b)), the perceptron criterion",
        _check_perceptron_update,
    ),
    VerifyCheck("dense_forward", "x @ w + b entry by entry", _check_dense_forward),
    VerifyCheck("dense_backward", "sympy.diff of sum(dout * (x @ w + b))", _check_dense_backward),
    VerifyCheck(
        "dropout_forward", "x * mask / (1 - p); p = 1 gives 0", _check_dropout("dropout_forward")
    ),
    VerifyCheck(
        "dropout_backward",
        "sympy.diff of sum(dout * x * mask / (1 - p))",
        _check_dropout("dropout_backward"),
    ),
    VerifyCheck("rnn_step_forward", "tanh(x wx + h_prev wh + b)", _check_rnn_step_forward),
    VerifyCheck("rnn_step_backward", "sympy.diff of sum(dh * tanh(...))", _check_rnn_step_backward),
    VerifyCheck("rnn_forward", "the unrolled tanh recurrence, T = 3", _check_rnn_forward),
    VerifyCheck(
        "rnn_backward", "sympy.diff of sum(dh * h) over every state, T = 3", _check_rnn_backward
    ),
    VerifyCheck(
        "two_layer_loss", "softmax cross-entropy of a ReLU net, reg = 0", _check_two_layer(0.0)
    ),
    VerifyCheck(
        "two_layer_loss", "with reg * (sum W1^2 + sum W2^2), reg = 0.1", _check_two_layer(0.1)
    ),
    VerifyCheck(
        "chain_gradient_norms", "sigmoid, tanh, relu chains of depth 3", _check_chain_norms
    ),
]

"""Symbolic verification of the convolution and pooling references (SymPy).

Each formula is written here from its definition, independently of the
reference: the output-size formula is checked against an enumeration of the
window positions; conv2d, max pooling and average pooling are built as SymPy
expressions entry by entry (the cross-correlation sum, Max, the window
mean). A backward is checked against ``sympy.diff`` of the scalar
``sum(dout * out)`` with respect to every input symbol. Expressions are
evaluated at fixed random float64 points (lambdified), so a check's error is
the largest absolute difference with the reference.

References are looked up through the module at call time (``C.conv2d_forward``)
so that a test can patch in a broken reference and see these checks fail.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from dlgrade.reference import convolution as C
from dlgrade.reference.verify import VerifyCheck

__all__ = ["CHECKS", "SymbolicPoint", "frozen", "max_abs_error", "symbols"]


def symbols(name: str, shape: tuple[int, ...]) -> np.ndarray:
    """An object array of distinct real symbols name_0, name_1, ... of the given shape."""
    size = int(np.prod(shape))
    return np.array(sp.symbols(f"{name}_0:{size}", real=True), dtype=object).reshape(shape)


class SymbolicPoint:
    """Named arrays of symbols with float64 values (uniform in [-2, 2], seeded);
    evaluates arrays of expressions there. Shared with symbolic_backprop."""

    def __init__(self, seed: int, **shapes):
        rng = np.random.default_rng(seed)
        self.syms = {k: symbols(k, s) for k, s in shapes.items()}
        self.vals = {k: rng.uniform(-2.0, 2.0, size=s) for k, s in shapes.items()}

    def evaluate(self, exprs) -> np.ndarray:
        """Substitute the values (exact binary floats) and evaluate each expression.

        xreplace + float, not lambdify: printing Max/Heaviside for numpy is
        far slower than evaluating them on numbers.
        """
        subs = {
            s: sp.Float(float(v))
            for k, a in self.syms.items()
            for s, v in zip(a.ravel(), self.vals[k].ravel(), strict=True)
        }
        exprs = np.asarray(exprs, dtype=object)
        flat = [float(sp.sympify(e).xreplace(subs)) for e in exprs.ravel()]
        return np.array(flat, dtype=np.float64).reshape(exprs.shape)

    def grad(self, scalar) -> dict[str, np.ndarray]:
        """d scalar / d every symbol, evaluated, one array per named input."""
        return self.vjp(np.ones(1), np.array([scalar], dtype=object))

    def vjp(self, dout: np.ndarray, out: np.ndarray) -> dict[str, np.ndarray]:
        """d sum(dout * out) / d every symbol, evaluated, one array per named input.

        Each output entry is differentiated only by the symbols it contains.
        """
        grads = {k: np.full(a.shape, sp.Integer(0), dtype=object) for k, a in self.syms.items()}
        where = {s: (k, idx) for k, a in self.syms.items() for idx, s in np.ndenumerate(a)}
        for d, e in zip(dout.ravel(), out.ravel(), strict=True):
            for s in sp.sympify(e).free_symbols & where.keys():
                k, idx = where[s]
                grads[k][idx] += sp.Float(float(d)) * sp.diff(e, s)
        return {k: self.evaluate(g) for k, g in grads.items()}


def frozen(**arrays) -> dict:
    """Read-only float64 copies: symbolic expectations are computed once per process
    (lru_cache; they do not depend on the reference) and must not be mutated."""
    out = {}
    for k, v in arrays.items():
        out[k] = np.array(v, dtype=np.float64)
        out[k].setflags(write=False)
    return out


def max_abs_error(got, expected, what: str) -> float:
    got = np.asarray(got, dtype=np.float64)
    if got.shape != expected.shape:
        raise AssertionError(f"{what}: shape {got.shape}, expected {expected.shape}")
    return float(np.max(np.abs(got - expected), initial=0.0))


# ---------------------------------------------------------------- output size


def _check_output_size_enumeration() -> float:
    """floor((n + 2p - f)/s) + 1 equals the count of window starts i (i % s == 0,
    i + f <= n + 2p) for n <= 10, f <= 7, p <= 3, s <= 4; invalid geometry raises."""
    for n in range(1, 11):
        for f in range(1, 8):
            for p in range(4):
                for s in range(1, 5):
                    starts = [i for i in range(n + 2 * p) if i % s == 0 and i + f <= n + 2 * p]
                    if not starts:
                        try:
                            C.conv_output_size(n, f, p, s)
                        except ValueError:
                            continue
                        raise AssertionError(f"conv_output_size({n}, {f}, {p}, {s}) did not raise")
                    got = C.conv_output_size(n, f, p, s)
                    if got != len(starts):
                        raise AssertionError(
                            f"conv_output_size({n}, {f}, {p}, {s}) = {got}, windows: {len(starts)}"
                        )
    return 0.0


def _check_output_size_notes() -> float:
    """The notes' n - f + 1 + 2p is the stride-1 case of floor((n + 2p - f)/s) + 1,
    proven for integer symbols, and the reference agrees on a grid."""
    n, f, p = sp.symbols("n f p", integer=True, positive=True)
    general = sp.floor((n + 2 * p - f) / 1) + 1
    if sp.simplify(general - (n - f + 1 + 2 * p)) != 0:
        raise AssertionError("floor((n + 2p - f)/1) + 1 != n - f + 1 + 2p")
    for nv in range(1, 12):
        for fv in range(1, nv + 1):
            for pv in range(4):
                if C.conv_output_size(nv, fv, pv, 1) != nv - fv + 1 + 2 * pv:
                    raise AssertionError(f"stride 1, n={nv}, f={fv}, p={pv}: not n - f + 1 + 2p")
    # The notes' example: 6x6 with a 3x3 filter gives 4x4; padded by 1 (8x8), 6x6.
    if (C.conv_output_size(6, 3, 0, 1), C.conv_output_size(6, 3, 1, 1)) != (4, 6):
        raise AssertionError("the notes' 6x6 * 3x3 example: expected 4 (p=0) and 6 (p=1)")
    return 0.0


# ---------------------------------------------------------------- conv2d


def _sym_conv(x, w, b, stride, pad) -> np.ndarray:
    """out[n,f,i,j] = b[f] + sum_{c,k,l} xp[n,c,i s + k, j s + l] w[f,c,k,l], xp zero-padded."""
    n, c, h, wd = x.shape
    f, _, hh, ww = w.shape
    xp = np.full((n, c, h + 2 * pad, wd + 2 * pad), sp.Integer(0), dtype=object)
    xp[:, :, pad : pad + h, pad : pad + wd] = x
    ho, wo = (h + 2 * pad - hh) // stride + 1, (wd + 2 * pad - ww) // stride + 1
    out = np.empty((n, f, ho, wo), dtype=object)
    for idx in np.ndindex(out.shape):
        ni, fi, i, j = idx
        terms = [
            xp[ni, ci, i * stride + k, j * stride + l] * w[fi, ci, k, l]
            for ci in range(c)
            for k in range(hh)
            for l in range(ww)
        ]
        out[idx] = b[fi] + sp.Add(*terms)
    return out


_CONV_CASES = [
    # x shape, w shape, stride, pad
    ((1, 1, 3, 3), (1, 1, 2, 2), 1, 0),
    ((2, 2, 4, 5), (2, 2, 3, 2), 2, 1),
    ((1, 1, 5, 4), (2, 1, 2, 3), 3, 2),
]


@functools.lru_cache(maxsize=None)
def _conv_expected(i: int) -> dict:
    """Case i's inputs and the symbolic values (out, dx, dw, db), computed once."""
    xs, ws, stride, pad = _CONV_CASES[i]
    pt = SymbolicPoint(i, x=xs, w=ws, b=(ws[0],))
    out = _sym_conv(pt.syms["x"], pt.syms["w"], pt.syms["b"], stride, pad)
    dout = np.random.default_rng(100 + i).uniform(-1, 1, size=out.shape)
    grads = pt.vjp(dout, out)
    return frozen(
        **pt.vals, out=pt.evaluate(out), dout=dout, dx=grads["x"], dw=grads["w"], db=grads["b"]
    )


def _check_conv_forward() -> float:
    err = 0.0
    for i, case in enumerate(_CONV_CASES):
        e, (_, _, stride, pad) = _conv_expected(i), case
        got = C.conv2d_forward(e["x"], e["w"], e["b"], stride, pad)
        err = max(err, max_abs_error(got, e["out"], f"conv2d_forward {case}"))
    return err


def _check_conv_backward() -> float:
    err = 0.0
    for i, case in enumerate(_CONV_CASES):
        e, (_, _, stride, pad) = _conv_expected(i), case
        got = C.conv2d_backward(e["dout"], e["x"], e["w"], e["b"], stride, pad)
        if len(got) != 3:
            raise AssertionError(f"conv2d_backward must return (dx, dw, db), got {len(got)} values")
        for name, g in zip(("dx", "dw", "db"), got, strict=True):
            err = max(err, max_abs_error(g, e[name], f"conv2d_backward {name} {case}"))
    return err


# ---------------------------------------------------------------- pooling

_POOL_CASES = [
    # x shape, size, stride
    ((1, 1, 4, 4), 2, 2),
    ((2, 1, 3, 4), 2, 1),  # overlapping windows
    ((1, 1, 4, 4), 3, 1),  # overlapping, larger windows
    ((1, 2, 5, 5), 2, 3),  # the stride skips the last row and column
]


def _sym_pool(x, size, stride, reduce) -> np.ndarray:
    n, c, h, w = x.shape
    ho, wo = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.empty((n, c, ho, wo), dtype=object)
    for ni, ci, i, j in np.ndindex(out.shape):
        window = x[ni, ci, i * stride : i * stride + size, j * stride : j * stride + size]
        out[ni, ci, i, j] = reduce(list(window.ravel()))
    return out


def _sym_max(terms):
    return sp.Max(*terms)


def _sym_mean(terms):
    return sp.Add(*terms) / len(terms)


_REDUCE = {"maxpool": _sym_max, "avgpool": _sym_mean}


@functools.lru_cache(maxsize=None)
def _pool_expected(kind: str, i: int) -> dict:
    shape, size, stride = _POOL_CASES[i]
    pt = SymbolicPoint(200 + i, x=shape)  # continuous draws: no ties
    out = _sym_pool(pt.syms["x"], size, stride, _REDUCE[kind])
    dout = np.random.default_rng(300 + i).uniform(-1, 1, size=out.shape)
    return frozen(x=pt.vals["x"], out=pt.evaluate(out), dout=dout, dx=pt.vjp(dout, out)["x"])


def _pool_checks(kind: str):
    def forward() -> float:
        err = 0.0
        for i, (shape, size, stride) in enumerate(_POOL_CASES):
            e = _pool_expected(kind, i)
            got = getattr(C, f"{kind}_forward")(e["x"], size, stride)
            err = max(err, max_abs_error(got, e["out"], f"{kind}_forward {shape} {size} {stride}"))
        return err

    def backward() -> float:
        err = 0.0
        for i, (shape, size, stride) in enumerate(_POOL_CASES):
            e = _pool_expected(kind, i)
            got = getattr(C, f"{kind}_backward")(e["dout"], e["x"], size, stride)
            err = max(err, max_abs_error(got, e["dx"], f"{kind}_backward {shape} {size} {stride}"))
        return err

    return forward, backward


_max_fwd, _max_bwd = _pool_checks("maxpool")
_avg_fwd, _avg_bwd = _pool_checks("avgpool")


CHECKS: list[VerifyCheck] = [
    VerifyCheck(
        "conv_output_size",
        "floor((n + 2p - f)/s) + 1 = number of window positions, by enumeration",
        _check_output_size_enumeration,
        0.0,
    ),
    VerifyCheck(
        "conv_output_size",
        "the notes' n - f + 1 + 2p is the s = 1 case (symbolic, integers)",
        _check_output_size_notes,
        0.0,
    ),
    VerifyCheck(
        "conv2d_forward",
        "the cross-correlation sum b[f] + sum x_pad[., i s + k, j s + l] w[f, ., k, l]",
        _check_conv_forward,
    ),
    VerifyCheck(
        "conv2d_backward",
        "(dx, dw, db) = sympy.diff of sum(dout * conv) for strides 1-3, pads 0-2",
        _check_conv_backward,
    ),
    VerifyCheck("maxpool_forward", "sympy.Max over every window", _max_fwd),
    VerifyCheck("maxpool_backward", "sympy.diff of sum(dout * Max(window))", _max_bwd),
    VerifyCheck("avgpool_forward", "the mean of every window", _avg_fwd),
    VerifyCheck("avgpool_backward", "sympy.diff of sum(dout * mean(window))", _avg_bwd),
]

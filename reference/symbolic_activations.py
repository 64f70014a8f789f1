"""Symbolic verification of the activations (``dlgrade verify``).

Each activation is written once more, independently, as a SymPy expression.
Value checks compare the numpy reference with that expression, lambdified to
mpmath and evaluated at ``40 + 0.9 max|z|`` significant digits (enough to survive
the cancellation of, say, 1 - tanh(z)^2, which loses about 0.87 |z| digits;
each exact value is computed twice, 20 digits apart, and must agree). The
derivative checks use ``sympy.diff`` of the same expression, away from kinks;
at a kink the reference must return the left branch's derivative (the
convention of CONVENTIONS.md), which the kink checks take from the
expression's left branch.

Errors: on ordinary points ``|got - exact| / max(1, |exact|)``; on the tail
points (|z| >= 20, where naive formulas overflow or cancel) the relative error
``|got - exact| / max(|exact|, 1e-280)``, so a reference that rounds a tiny
value to 0 or loses its digits to cancellation fails. The references run
with numpy's overflow, divide and invalid errors raised (:func:`strict`): a
formula that overflows on the way to a right answer fails too.

Facts (formula "fact: ...") are proven exactly: a simplification to 0, a
limit, a solve; they return 0.0 or raise AssertionError.

The references are looked up at call time (``A.sigmoid``), so a test can patch
a broken one in and watch these checks fail.
"""

from __future__ import annotations

import functools

import mpmath
import numpy as np
import sympy as sp

from dlgrade.reference import activations as A
from dlgrade.reference.verify import VerifyCheck

__all__ = ["CHECKS", "exact", "scaled_error", "tail_error", "strict"]

z = sp.Symbol("z", real=True)
a = sp.Symbol("alpha", real=True)

# ------------------------------------------------------------------ points
_rng = np.random.default_rng(20240611)
CORE = np.concatenate(
    [
        [0.0, 1e-8, -1e-8, 1e-3, -1e-3, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 5.0, -5.0],
        [10.0, -10.0, -1.2784645427610738, 15.0, -15.0],
        np.round(_rng.normal(0.0, 4.0, 40), 6),
    ]
)
TAIL = np.array([20.0, 30.0, 40.0, 100.0, 300.0, 700.0, 710.0, 800.0, 1e3, 1e4])
TAIL = np.concatenate([TAIL, -TAIL])
SMOOTH_CORE = CORE[np.abs(CORE) > 1e-6]  # away from the kink at 0 (gradient checks)


# ------------------------------------------------------------------ helpers
@functools.lru_cache(maxsize=None)
def _mp_function(expr, symbols):
    return sp.lambdify(symbols, expr, modules="mpmath")


def exact(expr, symbols, *columns, digits=None) -> np.ndarray:
    """expr evaluated in high precision at each row of the given columns.

    Precision: ``digits``, by default 40 + 0.9 max|x| (1 - tanh(x)^2 cancels
    0.87 |x| digits; expressions free of such cancellation, like softmax, pass
    a fixed number), then again with 20 more; the two must agree to 1e-15,
    relative.
    """
    f = _mp_function(expr, tuple(symbols))
    cols = [np.broadcast_to(np.asarray(c, dtype=np.float64), np.shape(columns[0])) for c in columns]
    out = np.empty(np.shape(columns[0]))
    for idx in np.ndindex(out.shape):
        xs = [c[idx] for c in cols]
        prec = digits or 40 + int(0.9 * max(abs(x) for x in xs))
        vals = []
        for extra in (0, 20):
            with mpmath.workdps(prec + extra):
                vals.append(float(f(*[mpmath.mpf(float(x)) for x in xs])))
        if vals[0] != vals[1] and abs(vals[0] - vals[1]) > 1e-15 * abs(vals[1]):
            raise AssertionError(f"oracle not converged at {xs}: {vals}")
        out[idx] = vals[1]
    return out


def _check_shape(got, want) -> np.ndarray:
    got = np.asarray(got, dtype=np.float64)
    if got.shape != np.shape(want):
        raise AssertionError(f"shape {got.shape}, expected {np.shape(want)}")
    if not np.all(np.isfinite(got)):
        raise AssertionError(f"non-finite output: {got[~np.isfinite(got)][:5]}")
    return got


def scaled_error(got, want) -> float:
    """max |got - want| / max(1, |want|)."""
    got = _check_shape(got, want)
    if got.size == 0:
        return 0.0
    return float(np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want))))


def tail_error(got, want) -> float:
    """max |got - want| / max(|want|, 1e-280): relative, down to the normal range."""
    got = _check_shape(got, want)
    if got.size == 0:
        return 0.0
    return float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-280)))


def strict(run):
    """Run a check with floating-point overflow, division by zero and invalid
    operations raised: a reference that warns fails verification."""

    def wrapped():
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            return run()

    return wrapped


def _values(name, expr, ref, pts=CORE, params=(), tail=True, what=""):
    """Check ref(z, *params) against expr over pts (and the tails)."""

    @strict
    def run():
        worst = 0.0
        for p in params or [None]:
            extra = () if p is None else (p,)
            syms = (z,) if p is None else (z, a)
            worst = max(worst, scaled_error(ref()(pts, *extra), exact(expr, syms, pts, *extra)))
            if tail:
                worst = max(worst, tail_error(ref()(TAIL, *extra), exact(expr, syms, TAIL, *extra)))
        return worst

    return VerifyCheck(name, what or f"{name} vs SymPy {expr} (mpmath)", run)


def _kink(name, value_expr, ref, params=()):
    """At z = 0 the reference must return value_expr (the left branch) exactly."""

    @strict
    def run():
        for p in params or [None]:
            extra = () if p is None else (p,)
            want = float(value_expr.subs(a, p)) if p is not None else float(value_expr)
            got = np.asarray(ref()(np.float64(0.0), *extra), dtype=np.float64)
            if got.shape != () or got != want:
                raise AssertionError(f"{name}(0{', ' if extra else ''}{p if extra else ''}) = {got}, convention {want}")
        return 0.0

    return VerifyCheck(name, f"value at the kink z = 0 is the left branch's, {value_expr}", run)


def _fact(statement, prove):
    def run():
        prove()
        return 0.0

    return VerifyCheck(f"fact: {statement}", statement, run)


def _zero(expr, why):
    if sp.simplify(expr) != 0:
        raise AssertionError(f"{why}: simplifies to {sp.simplify(expr)}, not 0")


# ------------------------------------------------------------------ expressions
def _pw(right, left):
    """right if z > 0 else left: the kink convention puts z = 0 on the left."""
    return sp.Piecewise((right, z > 0), (left, True))


SIG = 1 / (1 + sp.exp(-z))
TANH = sp.tanh(z)
STEP = _pw(sp.Integer(1), sp.Integer(0))
RELU = _pw(z, sp.Integer(0))
LEAKY = _pw(z, a * z)  # also PReLU
ELU_LEFT = a * (sp.exp(z) - 1)
ELU = _pw(z, ELU_LEFT)
SOFTPLUS = sp.log(1 + sp.exp(z))
SWISH = z * SIG

C = 3
ZV = sp.symbols(f"z0:{C}", real=True)
DV = sp.symbols(f"d0:{C}", real=True)
_DEN = sum(sp.exp(v) for v in ZV)
SOFTMAX = [sp.exp(v) / _DEN for v in ZV]
LOG_SOFTMAX = [sp.log(s) for s in SOFTMAX]
JACOBIAN = sp.Matrix(SOFTMAX).jacobian(ZV)
VJP = list(JACOBIAN.T * sp.Matrix(DV))

ROWS = np.concatenate(
    [
        _rng.normal(0.0, 3.0, (12, C)),
        [[0.0, 0.0, 0.0], [1e-8, 0.0, -1e-8], [1e4, 0.0, -1e4], [800.0, 799.3, -800.0]],
        [[-1e4, -1e4, -1e4], [1e4, 1e4 - 1.0, 1e4 - 30.0], [30.1, -30.7, 0.2], [-745.0, 0.0, 0.0]],
    ]
)
DOUT = _rng.normal(0.0, 1.0, ROWS.shape)


def _rowwise(exprs, *arrays):
    syms = ZV if len(arrays) == 1 else ZV + DV
    out = np.empty(arrays[0].shape)
    for i, e in enumerate(exprs):
        # no catastrophic cancellation in softmax, its log or its VJP: 50 digits
        out[:, i] = exact(e, syms, *[arr[:, j] for arr in arrays for j in range(C)], digits=50)
    return out


@strict
def _softmax_run():
    got = A.softmax(ROWS)
    want = _rowwise(SOFTMAX, ROWS)
    # also over the last axis of a 3-d array: rows regrouped as (2, 8, 3)
    got3 = A.softmax(ROWS.reshape(2, -1, C)).reshape(-1, C)
    return max(tail_error(got, want), tail_error(got3, want))


@strict
def _log_softmax_run():
    want = _rowwise(LOG_SOFTMAX, ROWS)
    got3 = A.log_softmax(ROWS.reshape(2, -1, C)).reshape(-1, C)
    return max(scaled_error(A.log_softmax(ROWS), want), scaled_error(got3, want))


@strict
def _softmax_backward_run():
    return scaled_error(A.softmax_backward(DOUT, ROWS), _rowwise(VJP, ROWS, DOUT))


@strict
def _prelu_grad_run():
    # alpha as one array broadcast over z's rows: (k,) z against (k,) alpha
    pts = SMOOTH_CORE
    alphas = np.resize([0.25, 0.0, -0.5, 1.5, 0.01], pts.shape)
    dz, dalpha = A.prelu_grad(pts, alphas)
    err = scaled_error(dz, exact(sp.diff(LEAKY, z), (z, a), pts, alphas))
    err = max(err, scaled_error(dalpha, exact(sp.diff(LEAKY, a), (z, a), pts, alphas)))
    dz, dalpha = A.prelu_grad(pts.reshape(-1, 1), np.array([0.25, 2.0]))  # (k, 2)
    for j, al in enumerate((0.25, 2.0)):
        err = max(err, scaled_error(dz[:, j], exact(sp.diff(LEAKY, z), (z, a), pts, al)))
        err = max(err, scaled_error(dalpha[:, j], exact(sp.diff(LEAKY, a), (z, a), pts, al)))
    return err


@strict
def _prelu_kink_run():
    dz, dalpha = A.prelu_grad(np.zeros(3), np.array([0.25, 0.0, 2.0]))
    if not (np.array_equal(dz, [0.25, 0.0, 2.0]) and np.array_equal(dalpha, [0.0, 0.0, 0.0])):
        raise AssertionError(f"prelu_grad(0, a) = ({dz}, {dalpha}), convention (a, 0)")
    return 0.0


# ------------------------------------------------------------------ facts
def _sigmoid_identity():
    _zero(sp.diff(SIG, z) - SIG * (1 - SIG), "sigmoid' - sigmoid (1 - sigmoid)")


def _sigmoid_max():
    d = sp.diff(SIG, z)
    crit = sp.solve(sp.diff(d, z), z)
    if crit != [0]:
        raise AssertionError(f"critical points of sigmoid' are {crit}, expected [0]")
    if d.subs(z, 0) != sp.Rational(1, 4):
        raise AssertionError(f"sigmoid'(0) = {d.subs(z, 0)}")
    if sp.limit(d, z, sp.oo) != 0 or sp.limit(d, z, -sp.oo) != 0:
        raise AssertionError("sigmoid' does not vanish at +-oo")
    from sympy.calculus.util import maximum

    if maximum(d, z, sp.S.Reals) != sp.Rational(1, 4):
        raise AssertionError("sympy maximum of sigmoid' is not 1/4")


def _swish_minimum():
    zmin = sp.nsolve(sp.diff(SWISH, z), z, -1.3, prec=30)
    fmin = SWISH.subs(z, zmin).evalf(30)
    if abs(zmin + 1.2785) > 5e-5 or abs(fmin + 0.2785) > 5e-5:
        raise AssertionError(f"swish minimum {fmin} at {zmin}, CONVENTIONS says -0.2785 at -1.2785")
    if not sp.diff(SWISH, z, 2).subs(z, zmin).evalf() > 0:
        raise AssertionError("not a minimum")


def _elu_continuous():
    left = sp.limit(ELU_LEFT, z, 0, "-")
    right = sp.limit(z, z, 0, "+")
    if sp.simplify(left - right) != 0 or ELU.subs(z, 0) != 0:
        raise AssertionError(f"ELU limits at 0: left {left}, right {right}")


def _elu_differentiable():
    left = sp.limit(sp.diff(ELU_LEFT, z), z, 0, "-")
    right = sp.limit(sp.diff(z, z), z, 0, "+")
    if left != a or right != 1:
        raise AssertionError(f"ELU one-sided derivatives at 0: {left}, {right}")
    if sp.solve(sp.Eq(left, right), a) != [1]:
        raise AssertionError("ELU one-sided derivatives agree for alpha other than 1")


def _softmax_jacobian():
    p = sp.Matrix(SOFTMAX)
    diff = (JACOBIAN - (sp.diag(*SOFTMAX) - p * p.T)).applyfunc(sp.simplify)
    if diff != sp.zeros(C, C):
        raise AssertionError(f"J - (diag(s) - s s^T) = {diff}")
    back = [SOFTMAX[i] * (DV[i] - sum(DV[j] * SOFTMAX[j] for j in range(C))) for i in range(C)]
    for i in range(C):
        _zero(VJP[i] - back[i], f"VJP component {i}")


def _log_softmax_shift():
    m = sp.Symbol("m", real=True)
    for i in range(C):
        shifted = ZV[i] - m - sp.log(sum(sp.exp(v - m) for v in ZV))
        _zero(sp.expand_log(LOG_SOFTMAX[i] - shifted, force=True), "log_softmax shift")


# ------------------------------------------------------------------ the checks
ALPHAS_LEAKY = (0.01, 0.2, 1.0, 3.0)
ALPHAS_ELU = (0.5, 1.0, 2.0)

CHECKS: list[VerifyCheck] = [
    _values("step", STEP, lambda: A.step),
    _kink("step", sp.Integer(0), lambda: A.step),
    _values("sigmoid", SIG, lambda: A.sigmoid),
    _values("sigmoid_grad", sp.diff(SIG, z), lambda: A.sigmoid_grad),
    _values("tanh", TANH, lambda: A.tanh),
    _values("tanh_grad", sp.diff(TANH, z), lambda: A.tanh_grad),
    _values("relu", RELU, lambda: A.relu),
    _values("relu_grad", sp.diff(RELU, z), lambda: A.relu_grad, pts=SMOOTH_CORE),
    _kink("relu_grad", sp.diff(sp.Integer(0), z), lambda: A.relu_grad),
    _values("leaky_relu", LEAKY, lambda: A.leaky_relu, params=ALPHAS_LEAKY),
    _values("leaky_relu_grad", sp.diff(LEAKY, z), lambda: A.leaky_relu_grad, SMOOTH_CORE, ALPHAS_LEAKY),
    _kink("leaky_relu_grad", sp.diff(a * z, z), lambda: A.leaky_relu_grad, ALPHAS_LEAKY),
    _values("prelu", LEAKY, lambda: A.prelu, params=(0.25, 0.0, -0.5, 2.0)),
    VerifyCheck("prelu_grad", "(dz, dalpha) vs sympy.diff wrt z and alpha; alpha scalar and broadcast", _prelu_grad_run),
    VerifyCheck("prelu_grad", "value at the kink z = 0 is (alpha, 0), the left branch's", _prelu_kink_run),
    _values("elu", ELU, lambda: A.elu, params=ALPHAS_ELU),
    _values("elu_grad", sp.diff(ELU, z), lambda: A.elu_grad, SMOOTH_CORE, ALPHAS_ELU),
    _kink("elu_grad", sp.diff(ELU_LEFT, z).subs(z, 0), lambda: A.elu_grad, ALPHAS_ELU),
    _values("softplus", SOFTPLUS, lambda: A.softplus),
    _values("softplus_grad", sp.diff(SOFTPLUS, z), lambda: A.softplus_grad),
    _values("swish", SWISH, lambda: A.swish),
    _values("swish_grad", sp.diff(SWISH, z), lambda: A.swish_grad),
    VerifyCheck("softmax", "softmax over the last axis vs SymPy e^z_i / sum e^z_j, C = 3, relative", _softmax_run),
    VerifyCheck("log_softmax", "log_softmax vs SymPy log(e^z_i / sum e^z_j), C = 3", _log_softmax_run),
    VerifyCheck("softmax_backward", "softmax_backward(dout, z) vs J(z)^T dout from sympy jacobian", _softmax_backward_run),
    _fact("sigmoid' = sigmoid (1 - sigmoid)", _sigmoid_identity),
    _fact("sigmoid' has its maximum 1/4 at z = 0 only, and tends to 0 at +-oo", _sigmoid_max),
    _fact("tanh' = 1 - tanh^2", lambda: _zero(sp.diff(TANH, z) - (1 - TANH**2), "tanh'")),
    _fact("softplus' = sigmoid", lambda: _zero(sp.diff(SOFTPLUS, z) - SIG, "softplus'")),
    _fact(
        "swish' = s (1 + z (1 - s)), s = sigmoid(z)",
        lambda: _zero(sp.diff(SWISH, z) - SIG * (1 + z * (1 - SIG)), "swish'"),
    ),
    _fact("swish has its minimum -0.2785 at z = -1.2785", _swish_minimum),
    _fact("ELU is continuous at 0 for every alpha", _elu_continuous),
    _fact("ELU is differentiable at 0 only for alpha = 1 (left derivative alpha, right 1)", _elu_differentiable),
    _fact("softmax Jacobian = diag(s) - s s^T, so backward = s (dout - sum(dout s)) (C = 3)", _softmax_jacobian),
    _fact("log_softmax(z)_i = z_i - m - log sum e^(z_j - m) for every m (C = 3)", _log_softmax_shift),
]

"""Symbolic verification of the losses (``dlgrade verify``).

Each loss is written again as a SymPy expression over small symbolic inputs,
n = 3 elements for the elementwise losses and N = 2 samples of C = 3 classes
for the categorical ones, so that the 1/n (1/N) of the mean is part of what
is checked. The gradient is ``sympy.diff`` of that expression with respect to
every prediction symbol. Values are computed in high precision by
:func:`dlgrade.reference.symbolic_activations.exact` (mpmath at 40 + 0.9 max|x|
digits). The elementwise losses are also called on a (1, 3) array, so the mean
must run over all elements. The references run with floating-point overflow,
division by zero and invalid operations raised.

Kinks: |r| at r = 0 has the derivative sign(0) = 0 (CONVENTIONS.md; SymPy's
sign agrees), and Huber is differentiable at |r| = delta, so points exactly on
them are included. Facts (formula "fact: ...") are proven exactly.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from dlgrade.reference import losses as L
from dlgrade.reference.symbolic_activations import exact, scaled_error, strict
from dlgrade.reference.verify import VerifyCheck

__all__ = ["CHECKS"]

N3 = 3
Y = sp.symbols("y0:3", real=True)
P = sp.symbols("p0:3", real=True)
D = sp.Symbol("delta", positive=True)
R = [P[i] - Y[i] for i in range(N3)]


def _sig(t):
    return 1 / (1 + sp.exp(-t))


def _huber_elem(r, d):
    return sp.Piecewise((r**2 / 2, sp.Abs(r) <= d), (d * (sp.Abs(r) - d / 2), True))


MSE = sum(r**2 for r in R) / N3
MAE = sum(sp.Abs(r) for r in R) / N3
HUBER = sum(_huber_elem(r, D) for r in R) / N3
BCE = -sum(Y[i] * sp.log(P[i]) + (1 - Y[i]) * sp.log(1 - P[i]) for i in range(N3)) / N3
# P stands for the logits z here: the textbook form on sigmoid(z), not the stable one.
BCE_LOGITS = -sum(Y[i] * sp.log(_sig(P[i])) + (1 - Y[i]) * sp.log(1 - _sig(P[i])) for i in range(N3)) / N3
COST = sum((Y[i] - P[i]) ** 2 for i in range(N3))

NS, C = 2, 3
YM = sp.Matrix(NS, C, sp.symbols(f"Y0:{NS * C}", real=True))
PM = sp.Matrix(NS, C, sp.symbols(f"P0:{NS * C}", real=True))


def _softmax_row(n):
    den = sum(sp.exp(PM[n, j]) for j in range(C))
    return [sp.exp(PM[n, j]) / den for j in range(C)]


CCE = -sum(YM[n, c] * sp.log(PM[n, c]) for n in range(NS) for c in range(C)) / NS
CCE_LOGITS = -sum(YM[n, c] * sp.log(_softmax_row(n)[c]) for n in range(NS) for c in range(C)) / NS
LABELS = ([0, 2], [1, 1], [2, 0])


def _cce_indices(labels):
    return -sum(sp.log(PM[n, labels[n]]) for n in range(NS)) / NS


def _ce_logits_indices(labels):
    return -sum(sp.log(_softmax_row(n)[labels[n]]) for n in range(NS)) / NS


# ------------------------------------------------------------------ points
_rng = np.random.default_rng(7)


def _vec_points():
    """(y, y_hat) pairs of length 3: random, equal (r = 0), large, tiny."""
    pts = [(_rng.normal(0, 2, N3), _rng.normal(0, 2, N3)) for _ in range(8)]
    pts += [
        (np.array([0.5, -1.0, 2.0]), np.array([0.5, -1.0, 2.0])),
        (np.array([0.0, 0.0, 0.0]), np.array([1e-8, -1e-8, 0.0])),
        (np.array([1e4, -1e4, 3.0]), np.array([-1e4, 1e4, 3.5])),
        (np.array([0.25, -0.25, 0.0]), np.array([1.25, -1.25, 1.0])),  # |r| = delta = 1
        (np.array([0.25, -0.25, 0.0]), np.array([2.25, -2.25, 0.5])),  # |r| = delta = 2
    ]
    return pts


VEC = _vec_points()
PROB = [
    (_rng.uniform(0, 1, N3), _rng.uniform(0.01, 0.99, N3)) for _ in range(6)
] + [
    (np.array([0.0, 1.0, 1.0]), np.array([0.3, 0.7, 0.999])),
    (np.array([1.0, 0.0, 0.5]), np.array([1e-8, 1.0 - 1e-8, 0.5])),
    (np.array([1.0, 0.0, 0.2]), np.array([1e-11, 1e-11, 0.999999])),
]
LOGIT = [(_rng.uniform(0, 1, N3), _rng.normal(0, 4, N3)) for _ in range(6)] + [
    (np.array([0.0, 1.0, 0.5]), np.array([0.0, 1e-8, -1e-8])),
    (np.array([1.0, 0.0, 0.3]), np.array([40.0, -40.0, 800.0])),
    (np.array([0.0, 1.0, 0.7]), np.array([1e4, -1e4, -800.0])),
]


def _onehot(labels):
    return np.eye(C)[labels]


def _rows_probs():
    out = []
    for k in range(5):
        logits = _rng.normal(0, 2, (NS, C))
        p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
        y = _onehot(LABELS[k % 3]) if k < 3 else _rng.dirichlet(np.ones(C), NS)
        out.append((y, p))
    out.append((_onehot([0, 1]), np.array([[1e-9, 0.5, 0.5 - 1e-9], [1e-3, 0.998, 1e-3]])))
    return out


ROWS_P = _rows_probs()
ROWS_Z = [(y, np.log(p) * 1.7) for y, p in ROWS_P] + [
    (_onehot([2, 0]), np.array([[1e4, 0.0, -1e4], [800.0, 799.0, -800.0]])),
    (np.full((NS, C), 0.5), _rng.normal(0, 3, (NS, C))),  # rows of y summing to 1.5
]


# ------------------------------------------------------------------ machinery
def _exact_loss(expr, ysyms, psyms, y, p, extra=(), digits=None):
    syms = tuple(ysyms) + tuple(psyms) + tuple(s for s, _ in extra)
    cols = [np.array([v]) for v in np.concatenate([np.ravel(y), np.ravel(p)])]
    cols += [np.array([float(v)]) for _, v in extra]
    return exact(expr, syms, *cols, digits=digits)[0]


def _exact_grad(expr, ysyms, psyms, y, p, extra=(), digits=None):
    g = [_exact_loss(sp.diff(expr, s), ysyms, psyms, y, p, extra, digits) for s in psyms]
    return np.array(g).reshape(np.shape(p))


def _check(name, expr, ref, points, grad=False, ysyms=Y, psyms=P, deltas=(), flat=True, digits=None):
    what = f"{name} vs {'sympy.diff of ' if grad else ''}the SymPy expression over {len(psyms)} symbolic predictions"

    @strict
    def run():
        worst = 0.0
        for y, p in points:
            for d in deltas or [None]:
                extra = () if d is None else ((D, d),)
                args = (y, p) if d is None else (y, p, d)
                calc = _exact_grad if grad else _exact_loss
                want = calc(expr, ysyms, psyms, y, p, extra, digits)
                got = ref()(*args)
                if not grad and not isinstance(got, float):
                    raise AssertionError(f"{name} returned {type(got).__name__}, not a Python float")
                worst = max(worst, scaled_error(got, want))
                if flat:  # the same numbers as a (1, n) array: the mean runs over all elements
                    args2 = (y.reshape(1, -1), p.reshape(1, -1)) + args[2:]
                    worst = max(worst, scaled_error(np.reshape(ref()(*args2), np.shape(want)), want))
        return worst

    return VerifyCheck(name, what, run)


def _check_indices(name, builder, ref, rows, grad=False):
    @strict
    def run():
        worst = 0.0
        for _, p in rows:
            for labels in LABELS:
                expr = builder(labels)
                calc = _exact_grad if grad else _exact_loss
                want = calc(expr, (), tuple(PM), np.zeros(0), p, digits=50)  # no cancellation
                worst = max(worst, scaled_error(ref()(np.array(labels), p), want))
        return worst

    kind = "sympy.diff of " if grad else ""
    return VerifyCheck(name, f"{name} vs {kind}SymPy -(1/N) sum log p[n, label], N = 2, C = 3", run)


def _kink_mae():
    @strict
    def run():
        y = np.array([0.5, -2.0, 3.0])
        g = L.mae_grad(y, y.copy())
        if not np.array_equal(g, np.zeros(3)):
            raise AssertionError(f"mae_grad at r = 0 is {g}, convention sign(0) = 0")
        return 0.0

    return VerifyCheck("mae_grad", "value at the kink r = 0 is sign(0)/n = 0", run)


# ------------------------------------------------------------------ facts
def _fact(statement, prove):
    def run():
        prove()
        return 0.0

    return VerifyCheck(f"fact: {statement}", statement, run)


def _zero(expr, why):
    s = sp.simplify(expr)
    if s != 0:
        raise AssertionError(f"{why}: simplifies to {s}, not 0")


def _huber_smooth():
    r = sp.Symbol("r", real=True)
    quad = r**2 / 2
    for sign in (1, -1):  # |r| = delta on either side
        lin = D * (sign * r - D / 2)
        at = sign * D
        _zero((quad - lin).subs(r, at), f"Huber value jump at r = {at}")
        _zero((sp.diff(quad, r) - sp.diff(lin, r)).subs(r, at), f"Huber slope jump at r = {at}")
        if sp.simplify((sp.diff(quad, r, 2) - sp.diff(lin, r, 2)).subs(r, at)) == 0:
            raise AssertionError("Huber would be twice differentiable: expected a jump in curvature")
    _zero(D * sp.Abs(r) - D**2 / 2 - D * (sp.Abs(r) - D / 2), "the notes' form")


def _bce_sigmoid():
    z, y = sp.Symbol("z", real=True), sp.Symbol("y", real=True)
    s = _sig(z)
    bce = -(y * sp.log(s) + (1 - y) * sp.log(1 - s))
    _zero(sp.diff(bce, z) - (s - y), "d BCE(sigmoid(z))/dz - (sigmoid(z) - y)")


def _bce_stable_form():
    z, y = sp.Symbol("z", real=True), sp.Symbol("y", real=True)
    s = _sig(z)
    naive = -(y * sp.log(s) + (1 - y) * sp.log(1 - s))
    # max(z, 0) - z y + ln(1 + e^-|z|) on each branch, shown equal to the
    # textbook form everywhere: same derivative and same value at z = 0.
    for branch in (z - z * y + sp.log(1 + sp.exp(-z)), -z * y + sp.log(1 + sp.exp(z))):
        _zero(sp.diff(naive - branch, z), "derivative of the difference")
        _zero((naive - branch).subs(z, 0), "difference at z = 0")


def _cce_softmax():
    zs = sp.symbols("z0:3", real=True)
    ys = sp.symbols("y0:3", real=True)
    den = sum(sp.exp(v) for v in zs)
    p = [sp.exp(v) / den for v in zs]
    loss = -sum(ys[i] * sp.log(p[i]) for i in range(3))
    for i in range(3):
        g = sp.diff(loss, zs[i]) - (p[i] - ys[i])
        _zero(g.subs(ys[2], 1 - ys[0] - ys[1]), f"component {i} with y0 + y1 + y2 = 1")
        # for any y: p sum(y) - y
        _zero(sp.diff(loss, zs[i]) - (p[i] * sum(ys) - ys[i]), f"component {i}, general y")


# ------------------------------------------------------------------ the checks
CHECKS: list[VerifyCheck] = [
    _check("mse", MSE, lambda: L.mse, VEC),
    _check("mse_grad", MSE, lambda: L.mse_grad, VEC, grad=True),
    _check("mae", MAE, lambda: L.mae, VEC),
    _check("mae_grad", MAE, lambda: L.mae_grad, VEC, grad=True),
    _kink_mae(),
    _check("huber", HUBER, lambda: L.huber, VEC, deltas=(1.0, 2.0, 0.3)),
    _check("huber_grad", HUBER, lambda: L.huber_grad, VEC, grad=True, deltas=(1.0, 2.0, 0.3)),
    _check("binary_cross_entropy", BCE, lambda: L.binary_cross_entropy, PROB),
    _check("binary_cross_entropy_grad", BCE, lambda: L.binary_cross_entropy_grad, PROB, grad=True),
    _check("binary_cross_entropy_logits", BCE_LOGITS, lambda: L.binary_cross_entropy_logits, LOGIT),
    _check(
        "binary_cross_entropy_logits_grad", BCE_LOGITS, lambda: L.binary_cross_entropy_logits_grad, LOGIT, grad=True
    ),
    _check("sum_squares_cost", COST, lambda: L.sum_squares_cost, VEC),
    _check("sum_squares_cost_grad", COST, lambda: L.sum_squares_cost_grad, VEC, grad=True),
    _check("categorical_cross_entropy", CCE, lambda: L.categorical_cross_entropy, ROWS_P, False, YM, PM, flat=False),
    _check(
        "categorical_cross_entropy_grad", CCE, lambda: L.categorical_cross_entropy_grad, ROWS_P, True, YM, PM, flat=False
    ),
    _check(
        "categorical_cross_entropy_logits", CCE_LOGITS, lambda: L.categorical_cross_entropy_logits, ROWS_Z, False, YM, PM,
        flat=False, digits=50,
    ),
    _check(
        "categorical_cross_entropy_logits_grad", CCE_LOGITS, lambda: L.categorical_cross_entropy_logits_grad, ROWS_Z,
        True, YM, PM, flat=False, digits=50,
    ),
    _check_indices("categorical_cross_entropy_indices", _cce_indices, lambda: L.categorical_cross_entropy_indices, ROWS_P),
    _check_indices(
        "categorical_cross_entropy_indices_grad", _cce_indices, lambda: L.categorical_cross_entropy_indices_grad, ROWS_P,
        grad=True,
    ),
    _check_indices("cross_entropy_logits_indices", _ce_logits_indices, lambda: L.cross_entropy_logits_indices, ROWS_Z),
    _check_indices(
        "cross_entropy_logits_indices_grad", _ce_logits_indices, lambda: L.cross_entropy_logits_indices_grad, ROWS_Z,
        grad=True,
    ),
    _fact("Huber is continuous and once (not twice) differentiable at |r| = delta", _huber_smooth),
    _fact("d BCE(sigmoid(z), y)/dz = sigmoid(z) - y", _bce_sigmoid),
    _fact("max(z, 0) - z y + ln(1 + e^-|z|) = -(y ln s + (1 - y) ln(1 - s)), s = sigmoid(z)", _bce_stable_form),
    _fact("d CCE(softmax(z), y)/dz = softmax(z) - y for sum(y) = 1 (C = 3)", _cce_softmax),
]

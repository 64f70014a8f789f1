"""Symbolic verification of the optimizer references (SymPy).

Each update rule is written here again, from its textbook form, on SymPy
scalars: three steps from w0 with gradients g1, g2, g3 and symbolic
hyper-parameters give expressions w1, w2, w3. Lambdified, they are
evaluated at 200 random points at once (the rules act entrywise, so one
reference call on arrays of 200 entries covers them all) and compared with
the reference's trajectory from state {}.

Facts proved symbolically:

- Adam's bias correction is exact for a constant gradient g: m_t = (1 -
  beta1^t) g solves m_t = beta1 m_{t-1} + (1 - beta1) g with m_0 = 0 (for a
  symbolic t), so mhat = g; likewise vhat = g^2; each step is then
  lr g / (|g| + eps);
- the notes' momentum (v = gamma v + lr g; w -= v) and torch's (b = mu b + g;
  w -= lr b) give the same weights for 4 steps when lr is constant and
  mu = gamma, and differ by gamma g1 (lr2 - lr1) after step 2 when lr changes;
- linear_mse_grad is the gradient of mean((x w - y)^2) (sympy.diff).

References are looked up through the module at call time (``O.adam``) so
that a test can patch in a broken reference and see these checks fail.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from dlgrade.reference import optimizers as O
from dlgrade.reference.verify import VerifyCheck

__all__ = ["CHECKS"]

_STEPS = 3
_POINTS = 200


def _sym_sgd(w, gs, lr):
    for g in gs:
        w = w - lr * g
        yield w


def _sym_sgd_momentum(w, gs, lr, mu):
    b = None
    for g in gs:
        b = g if b is None else mu * b + g
        w = w - lr * b
        yield w


def _sym_momentum_notes(w, gs, lr, gamma):
    v = 0
    for g in gs:
        v = gamma * v + lr * g
        w = w - v
        yield w


def _sym_adagrad(w, gs, lr, eps):
    G = 0
    for g in gs:
        G = G + g**2
        w = w - lr * g / (sp.sqrt(G) + eps)
        yield w


def _sym_rmsprop(w, gs, lr, beta, eps):
    s = 0
    for g in gs:
        s = beta * s + (1 - beta) * g**2
        w = w - lr * g / (sp.sqrt(s) + eps)
        yield w


def _sym_adadelta(w, gs, rho, eps):
    Eg, Edx = 0, 0
    for g in gs:
        Eg = rho * Eg + (1 - rho) * g**2
        dx = sp.sqrt(Edx + eps) / sp.sqrt(Eg + eps) * g
        Edx = rho * Edx + (1 - rho) * dx**2
        w = w - dx
        yield w


def _sym_adam(w, gs, lr, b1, b2, eps):
    m, v = 0, 0
    for t, g in enumerate(gs, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        w = w - lr * (m / (1 - b1**t)) / (sp.sqrt(v / (1 - b2**t)) + eps)
        yield w


# name -> (symbolic rule, hyper-parameter names in the reference's order, their values)
RULES = {
    "sgd": (_sym_sgd, ("lr",), (0.1,)),
    "sgd_momentum": (_sym_sgd_momentum, ("lr", "momentum"), (0.05, 0.9)),
    "momentum_notes": (_sym_momentum_notes, ("lr", "gamma"), (0.05, 0.9)),
    "adagrad": (_sym_adagrad, ("lr", "eps"), (0.1, 1e-3)),
    "rmsprop": (_sym_rmsprop, ("lr", "beta", "eps"), (0.01, 0.9, 1e-3)),
    "adadelta": (_sym_adadelta, ("rho", "eps"), (0.95, 1e-3)),
    "adam": (_sym_adam, ("lr", "beta1", "beta2", "eps"), (0.01, 0.9, 0.999, 1e-3)),
}


def _points(seed: int = 7) -> tuple[np.ndarray, list[np.ndarray]]:
    """w0 and gradients at 200 points; gradient magnitudes span 1e-3 .. 10 so eps matters."""
    rng = np.random.default_rng(seed)
    w0 = rng.uniform(-2.0, 2.0, _POINTS)
    gs = [rng.choice([-1.0, 1.0], _POINTS) * 10.0 ** rng.uniform(-3, 1, _POINTS) for _ in range(_STEPS)]
    return w0, gs


def _check_rule(name: str):
    def run() -> float:
        rule, hyper_names, hyper = RULES[name]
        w0s, gsyms = sp.Symbol("w0", real=True), sp.symbols(f"g1:{_STEPS + 1}", real=True)
        hsyms = sp.symbols(" ".join(hyper_names), positive=True)
        hsyms = hsyms if isinstance(hsyms, tuple) else (hsyms,)
        exprs = list(rule(w0s, gsyms, *hsyms))
        f = sp.lambdify((w0s, *gsyms, *hsyms), exprs, modules="numpy")
        w0, gs = _points()
        want = f(w0, *gs, *hyper)
        w, state, err = w0, {}, 0.0
        for t in range(_STEPS):
            w, state = getattr(O, name)(w, gs[t], state, *hyper)
            err = max(err, float(np.max(np.abs(w - want[t]))))
        return err

    return run


def _check_adam_constant_gradient() -> float:
    t = sp.Symbol("t", integer=True, positive=True)
    b1, b2, g, lr, eps = sp.symbols("beta1 beta2 g lr eps", positive=True)
    for beta, target in ((b1, g), (b2, g**2)):
        closed = lambda k, beta=beta, target=target: (1 - beta**k) * target  # noqa: E731
        if closed(0) != 0:
            raise AssertionError("the closed form does not start at 0")
        step = beta * closed(t - 1) + (1 - beta) * target - closed(t)
        if sp.simplify(sp.expand(step)) != 0:
            raise AssertionError(f"(1 - {beta}^t) {target} does not satisfy the moment recurrence")
        if sp.simplify(closed(t) / (1 - beta**t) - target) != 0:
            raise AssertionError(f"bias correction of {beta} is not exact")
    # The reference, numerically: each step moves by lr g / (|g| + eps).
    gv = np.array([-3.0, -1e-3, 0.0, 2e-2, 5.0])
    lr_v, eps_v, w, state, err = 0.01, 1e-3, np.zeros(5), {}, 0.0
    for k in range(1, 11):
        w, state = O.adam(w, gv, state, lr_v, 0.9, 0.999, eps_v)
        err = max(err, float(np.max(np.abs(w + k * lr_v * gv / (np.abs(gv) + eps_v)))))
    return err


def _momentum_pair(lrs, gamma, gs, w0):
    notes, torch_form, v, b = [], [], 0, None
    wn = wt = w0
    for lr, g in zip(lrs, gs, strict=True):
        v = gamma * v + lr * g
        wn = wn - v
        b = g if b is None else gamma * b + g
        wt = wt - lr * b
        notes.append(wn)
        torch_form.append(wt)
    return notes, torch_form


def _check_momentum_equivalence() -> float:
    lr, gamma, w0 = sp.symbols("lr gamma w0", real=True)
    gs = sp.symbols("g1:5", real=True)
    notes, torch_form = _momentum_pair([lr] * 4, gamma, gs, w0)
    for k, (a, b) in enumerate(zip(notes, torch_form, strict=True), start=1):
        if sp.expand(a - b) != 0:
            raise AssertionError(f"the momentum forms differ at step {k} with a constant lr: {sp.expand(a - b)}")
    # The references agree too, over 20 steps at a constant lr.
    rng = np.random.default_rng(3)
    wa = wb = rng.normal(size=50)
    sa, sb, err = {}, {}, 0.0
    for _ in range(20):
        g = rng.normal(size=50)
        wa, sa = O.momentum_notes(wa, g, sa, 0.05, 0.9)
        wb, sb = O.sgd_momentum(wb, g, sb, 0.05, 0.9)
        err = max(err, float(np.max(np.abs(wa - wb))))
    return err


def _check_momentum_lr_change() -> float:
    lr1, lr2, gamma, w0 = sp.symbols("lr1 lr2 gamma w0", real=True)
    g1, g2 = sp.symbols("g1 g2", real=True)
    notes, torch_form = _momentum_pair([lr1, lr2], gamma, [g1, g2], w0)
    if sp.expand(notes[1] - torch_form[1] - gamma * g1 * (lr2 - lr1)) != 0:
        raise AssertionError(f"notes - torch after step 2 is {sp.factor(notes[1] - torch_form[1])}")
    return 0.0


def _check_linear_mse_grad() -> float:
    n, dim = 5, 3
    xs = sp.Matrix(n, dim, sp.symbols(f"x0:{n * dim}", real=True))
    ys = sp.Matrix(sp.symbols(f"y0:{n}", real=True))
    ws = sp.Matrix(sp.symbols(f"w0:{dim}", real=True))
    r = xs * ws - ys
    loss = sum(ri**2 for ri in r) / n
    grad = [sp.diff(loss, wi) for wi in ws]
    f = sp.lambdify((list(xs), list(ys), list(ws)), grad, modules="numpy")
    rng = np.random.default_rng(11)
    err = 0.0
    for _ in range(5):
        x, y, w = rng.normal(size=(n, dim)), rng.normal(size=n), rng.normal(size=dim)
        want = np.array(f(list(x.ravel()), list(y), list(w)), dtype=np.float64)
        err = max(err, float(np.max(np.abs(O.linear_mse_grad(w, x, y) - want))))
    return err


CHECKS: list[VerifyCheck] = [
    VerifyCheck(name, f"3 steps from state {{}} against the SymPy rule at {_POINTS} points ({', '.join(h)})",
                _check_rule(name))
    for name, (_, h, _) in RULES.items()
] + [
    VerifyCheck("fact: Adam's bias correction is exact for a constant gradient",
                "m_t = (1 - beta1^t) g solves the recurrence for symbolic t; mhat = g, vhat = g^2; "
                "the reference moves lr g/(|g| + eps) per step", _check_adam_constant_gradient),
    VerifyCheck("fact: momentum forms agree for a constant lr",
                "notes v = gamma v + lr g vs torch b = mu b + g, 4 symbolic steps; references over 20 steps",
                _check_momentum_equivalence),
    VerifyCheck("fact: momentum forms differ when lr changes",
                "after step 2, notes - torch = gamma g1 (lr2 - lr1)", _check_momentum_lr_change),
    VerifyCheck("linear_mse_grad", "sympy.diff of mean((x w - y)^2), N=5, D=3, at 5 points", _check_linear_mse_grad),
]

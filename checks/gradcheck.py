"""Gradient checking of black-box functions by central differences, in float64.

The function under test may be a student's (called across the process
boundary), so every evaluation is counted and batched.

Directional mode (the default, the cost of torch's fast mode): for a
backward that claims g = dL/dx of L = <dout, f(x, ...)> (or of a scalar f),
draw one random unit direction u per argument and compare <g, u> with the
central difference (L(x + h u) - L(x - h u)) / 2h. Each argument is
perturbed on its own, so a wrong gradient is pinned to its argument (x, w or
b). Cost: 2 evaluations of f per argument per direction, whatever the size of
the input; all of them go in one batched call.

Elementwise mode: for f'(z) of an elementwise f, perturbing every entry at
once by its own step gives every partial derivative at once (the Jacobian is
diagonal): 2 evaluations in all.

Full mode (diagnosis on small inputs): one central difference per entry,
2 N evaluations, to name the worst entries.

Step: h = 6e-6 * max(1, |x|) (about eps_mach^(1/3), the best step for central
differences in float64: truncation O(h^2) and rounding O(eps/h) balance near
1e-11 relative). Agreement uses the CS231n relative error
|a - b| / max(1e-8, |a| + |b|).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

__all__ = [
    "STEP",
    "rel_error",
    "step_for",
    "directional",
    "elementwise",
    "full",
    "DirectionalResult",
    "scalarize",
]

STEP = 6e-6


def rel_error(a, b) -> float:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    with np.errstate(all="ignore"):
        r = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
    if r.size == 0:
        return 0.0
    r = np.nan_to_num(r, nan=np.inf)
    return float(np.max(r))


def step_for(x) -> np.ndarray | float:
    return STEP * np.maximum(1.0, np.abs(np.asarray(x, dtype=np.float64)))


def scalarize(value, dout=None) -> float:
    """L = <dout, value> (or the scalar itself): what a backward differentiates."""
    v = np.asarray(value, dtype=np.float64)
    if dout is None:
        return float(np.sum(v))
    d = np.asarray(dout, dtype=np.float64)
    if d.shape != v.shape:
        raise ValueError(f"output shape {v.shape} differs from dout shape {d.shape}")
    return float(np.sum(v * d))


@dataclass
class DirectionalResult:
    """For one argument: the claimed <g, u> and the measured difference quotient."""

    arg: str
    claimed: float
    numeric: float

    @property
    def error(self) -> float:
        return rel_error(self.claimed, self.numeric)


EvalMany = Callable[[Sequence[dict]], list]


def directional(
    evaluate_many: EvalMany,
    inputs: dict,
    grads: dict,
    dout=None,
    seed: int = 0,
    directions: int = 1,
) -> list[DirectionalResult]:
    """Compare claimed gradients with directional central differences.

    evaluate_many(list of input dicts) -> list of forward outputs (plain
    values; one batched call). grads: {arg name: claimed gradient array}.
    dout: the upstream gradient (None for a scalar forward).
    Cost: 2 * len(grads) * directions evaluations in one batch.
    """
    rng = np.random.default_rng(seed)
    plan: list[tuple[str, float, float, float]] = []  # arg, claimed, h
    batch: list[dict] = []
    for name, g in grads.items():
        x = np.asarray(inputs[name], dtype=np.float64)
        g = np.asarray(g, dtype=np.float64)
        for _ in range(directions):
            u = rng.standard_normal(x.shape)
            norm = float(np.sqrt(np.sum(u * u))) or 1.0
            u = u / norm
            h = STEP * max(1.0, float(np.max(np.abs(x))) if x.size else 1.0)
            for sign in (1.0, -1.0):
                moved = dict(inputs)
                moved[name] = np.asarray(x + sign * h * u)  # 0-d stays a 0-d array
                batch.append(moved)
            plan.append((name, float(np.sum(g * u)), h))
    outs = evaluate_many(batch)
    results = []
    for k, (name, claimed, h) in enumerate(plan):
        plus, minus = outs[2 * k], outs[2 * k + 1]
        numeric = (scalarize(plus, dout) - scalarize(minus, dout)) / (2 * h)
        results.append(DirectionalResult(name, claimed, numeric))
    return results


def elementwise(evaluate_many: EvalMany, inputs: dict, arg: str) -> np.ndarray:
    """Entrywise derivative of an elementwise function with respect to ``arg``
    (every partial at once: 2 evaluations). Broadcast hyper-parameters (a
    scalar alpha) are perturbed as a whole, which gives each output entry's
    partial derivative with respect to the alpha it uses."""
    x = np.asarray(inputs[arg], dtype=np.float64)
    h = step_for(x)
    plus, minus = dict(inputs), dict(inputs)
    # 0-d inputs stay 0-d arrays (not Python floats), like every other input.
    plus[arg] = np.asarray(x + h)
    minus[arg] = np.asarray(x - h)
    fp, fm = evaluate_many([plus, minus])
    fp = np.asarray(fp, dtype=np.float64)
    fm = np.asarray(fm, dtype=np.float64)
    return (fp - fm) / (2 * h)


def full(evaluate_many: EvalMany, inputs: dict, arg: str, dout=None) -> np.ndarray:
    """The whole gradient of L with respect to ``arg`` by central differences
    (2 N evaluations in one batch): for naming the worst entries of a small input."""
    x = np.asarray(inputs[arg], dtype=np.float64)
    batch = []
    hs = []
    for idx in np.ndindex(x.shape):
        h = STEP * max(1.0, abs(float(x[idx])))
        hs.append(h)
        for sign in (1.0, -1.0):
            moved = dict(inputs)
            xm = x.copy()
            xm[idx] += sign * h
            moved[arg] = xm
            batch.append(moved)
    outs = evaluate_many(batch)
    grad = np.zeros(x.shape)
    for k, idx in enumerate(np.ndindex(x.shape)):
        grad[idx] = (scalarize(outs[2 * k], dout) - scalarize(outs[2 * k + 1], dout)) / (2 * hs[k])
    return grad

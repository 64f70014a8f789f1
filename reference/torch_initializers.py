"""Verification of the initializer references against ``torch.nn.init`` (float64, CPU).

torch stores a linear layer's weight as (fan_out, fan_in) and takes fan_in
from its second dimension; ours are (fan_in, fan_out), so torch runs on a
(fan_out, fan_in) tensor and we compare with its transpose. Fans 400 x 200
(not square, so a swap shows). Which torch call is which:

=================  ===============================================================
uniform            kaiming_uniform_(a=sqrt(5)) (nn.Linear's default; gain sqrt(1/3))
xavier_uniform     xavier_uniform_ (gain 1)
xavier_normal      xavier_normal_ (gain 1)
he_uniform         kaiming_uniform_ defaults (a=0, fan_in, leaky_relu: gain sqrt(2))
he_normal          kaiming_normal_ defaults (same gain, not truncated)
=================  ===============================================================

Two checks per initializer:

1. scale: torch's bound or std, measured exactly. ``t.uniform_(-b, b)`` is
   ``-b + 2b u`` and ``t.normal_(0, s)`` is ``s z``, where u and z are what
   ``uniform_(0, 1)`` and ``normal_(0, 1)`` draw from a generator with the
   same seed; a least-squares fit of torch's weights on u (or z) gives b
   (or s) to rounding, and must equal ``distribution(name).bound`` (``.std``).
   Also: nn.Linear(fan_in, fan_out)'s weight has the bound of ``uniform``.
2. samples: the two-sample Kolmogorov distance D between 5 arrays of ours
   and 5 of torch's (n = m = 400,000). If both follow the same law, D <=
   D_n + D_m (triangle inequality through the true CDF), and by DKW-Massart
   P(D_n > e) <= 2 exp(-2 n e^2); with e_n = sqrt(ln(4/alpha)/(2n)) each,
   P(D > e_n + e_m) <= alpha = 1e-6 for every n. The check returns D with that
   bound as its tolerance (8.7e-3 here; correct pairs measure 1.3e-3 to 2.0e-3).

References are looked up through the module at call time (``I.he_normal``).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from dlgrade.reference import initializers as I
from dlgrade.reference.verify import VerifyCheck

__all__ = ["CHECKS", "two_sample_bound", "two_sample_distance"]

FAN_IN, FAN_OUT = 400, 200
_DRAWS = 5
_ALPHA = 1e-6

# name -> (torch init function with its arguments, "uniform" or "normal")
TORCH_INIT = {
    "uniform": (lambda t, g: torch.nn.init.kaiming_uniform_(t, a=math.sqrt(5), generator=g), "uniform"),
    "xavier_uniform": (lambda t, g: torch.nn.init.xavier_uniform_(t, generator=g), "uniform"),
    "xavier_normal": (lambda t, g: torch.nn.init.xavier_normal_(t, generator=g), "normal"),
    "he_uniform": (lambda t, g: torch.nn.init.kaiming_uniform_(t, generator=g), "uniform"),
    "he_normal": (lambda t, g: torch.nn.init.kaiming_normal_(t, generator=g), "normal"),
}


def two_sample_distance(a: np.ndarray, b: np.ndarray) -> float:
    """sup_x |F_a(x) - F_b(x)| of the two empirical CDFs (exact, by sorting)."""
    a, b = np.sort(np.ravel(a)), np.sort(np.ravel(b))
    both = np.concatenate([a, b])
    fa = np.searchsorted(a, both, side="right") / a.size
    fb = np.searchsorted(b, both, side="right") / b.size
    return float(np.max(np.abs(fa - fb)))


def two_sample_bound(n: int, m: int, alpha: float = _ALPHA) -> float:
    """e_n + e_m with e_k = sqrt(ln(4/alpha)/(2k)): P(D > bound) <= alpha for one law."""
    x = math.log(4.0 / alpha)
    return math.sqrt(x / (2.0 * n)) + math.sqrt(x / (2.0 * m))


def _torch_draw(name: str, seed: int) -> np.ndarray:
    init, _ = TORCH_INIT[name]
    t = torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64)
    return init(t, torch.Generator().manual_seed(seed)).numpy().T.copy()


def _unit(family: str, seed: int) -> np.ndarray:
    t = torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64)
    g = torch.Generator().manual_seed(seed)
    t = t.normal_(0.0, 1.0, generator=g) if family == "normal" else t.uniform_(0.0, 1.0, generator=g)
    return t.numpy().T.copy()


def _fit_scale(w: np.ndarray, unit: np.ndarray, family: str) -> tuple[float, float]:
    """(scale, max residual) of w = s z (normal) or w = -b + 2b u (uniform), least squares."""
    if family == "normal":
        s = float(np.sum(w * unit) / np.sum(unit * unit))
        return s, float(np.max(np.abs(w - s * unit)))
    slope, intercept = np.polyfit(unit.ravel(), w.ravel(), 1)
    b = slope / 2.0
    return float(b), float(max(abs(intercept + b), np.max(np.abs(w - (intercept + slope * unit)))))


def _check_scale(name: str):
    def run() -> float:
        _, family = TORCH_INIT[name]
        d = I.distribution(name, FAN_IN, FAN_OUT)
        want = d.std if family == "normal" else d.bound
        if d.family != family:
            raise AssertionError(f"distribution({name!r}) is {d.family}, torch draws {family}")
        scale, residual = _fit_scale(_torch_draw(name, 3), _unit(family, 3), family)
        return max(abs(scale - want), residual)

    return run


def _check_linear_default() -> float:
    torch.manual_seed(5)
    lin = torch.nn.Linear(FAN_IN, FAN_OUT, dtype=torch.float64)
    torch.manual_seed(5)
    u = torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64).uniform_(0.0, 1.0)
    b, residual = _fit_scale(lin.weight.detach().numpy().T, u.numpy().T, "uniform")
    return max(abs(b - I.distribution("uniform", FAN_IN, FAN_OUT).bound), residual)


def _check_samples(name: str):
    def run() -> float:
        ours = np.stack([getattr(I, name)(FAN_IN, FAN_OUT, 1000 + s) for s in range(_DRAWS)])
        theirs = np.stack([_torch_draw(name, 2000 + s) for s in range(_DRAWS)])
        if ours.shape != theirs.shape:
            raise AssertionError(f"shape {ours.shape[1:]} but torch's transpose is {theirs.shape[1:]}")
        return two_sample_distance(ours, theirs)

    return run


_N = _DRAWS * FAN_IN * FAN_OUT
CHECKS: list[VerifyCheck] = []
for _name in TORCH_INIT:
    CHECKS += [
        VerifyCheck(_name, "torch's bound/std at (fan_out, fan_in) = (200, 400), fitted exactly, equals distribution()",
                    _check_scale(_name)),
        VerifyCheck(_name, f"two-sample Kolmogorov distance ours vs torch (n = m = {_N:,}; false-fail <= 1e-6)",
                    _check_samples(_name), tol=two_sample_bound(_N, _N)),
    ]
CHECKS.append(VerifyCheck("uniform", "nn.Linear(400, 200).weight has bound 1/sqrt(fan_in)", _check_linear_default))

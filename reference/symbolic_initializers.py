"""Symbolic verification of the initializer references (SymPy).

The facts behind the table in ``initializers``, proved with SymPy over
positive symbols fan_in, fan_out, a:

- Var U(-a, a) = integral of x^2/(2a) over [-a, a] = a^2/3, mean 0;
- so Xavier uniform (a = sqrt(6/(fan_in+fan_out))) and Xavier normal share
  the variance 2/(fan_in+fan_out), He uniform (a = sqrt(6/fan_in)) and He
  normal share 2/fan_in, and the plain uniform (a = 1/sqrt(fan_in)) has
  1/(3 fan_in);
- the notes' U[-1/sqrt(fan_in), 1/sqrt(fan_out)] has mean
  (1/sqrt(fan_out) - 1/sqrt(fan_in))/2, nonzero when fan_in != fan_out.

Then the references are held to these formulas: every ``distribution()``
(family, std, bound, variance, cdf) and every sampler's scale. A sampler's
scale is measured exactly, not statistically: ``rng.normal(0, std, size)``
is ``std * rng.standard_normal(size)`` and ``rng.uniform(-a, a, size)`` is
``-a + 2a * rng.random(size)`` on the same stream, so the reference's array
must equal that expression, with the SymPy value of std or a, to rounding.

References are looked up through the module at call time (``I.he_normal``)
so that a test can patch in a broken reference and see these checks fail.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from dlgrade.reference import initializers as I
from dlgrade.reference.verify import VerifyCheck

__all__ = ["CHECKS"]

FI, FO, A, X = sp.symbols("fan_in fan_out a x", positive=True)
_FANS = ((400, 200), (200, 400), (3, 7), (1, 1), (784, 10))
_SEEDS = (0, 1, 12345)


def _uniform_moments(lo, hi):
    """(mean, variance) of U(lo, hi) by integration of the density 1/(hi - lo)."""
    dens = 1 / (hi - lo)
    mean = sp.integrate(X * dens, (X, lo, hi))
    return sp.simplify(mean), sp.simplify(sp.integrate((X - mean) ** 2 * dens, (X, lo, hi)))


# Each initializer: family, the scale symbolically (a for uniform, std for normal), the variance.
FORMULAS = {
    "uniform": ("uniform", 1 / sp.sqrt(FI), 1 / (3 * FI)),
    "xavier_uniform": ("uniform", sp.sqrt(6 / (FI + FO)), 2 / (FI + FO)),
    "xavier_normal": ("normal", sp.sqrt(2 / (FI + FO)), 2 / (FI + FO)),
    "he_uniform": ("uniform", sp.sqrt(6 / FI), 2 / FI),
    "he_normal": ("normal", sp.sqrt(2 / FI), 2 / FI),
}


def _zero(expr, what: str) -> float:
    if sp.simplify(expr) != 0:
        raise AssertionError(f"{what}: {sp.simplify(expr)} != 0")
    return 0.0


def _check_uniform_variance() -> float:
    mean, var = _uniform_moments(-A, A)
    return _zero(mean, "mean of U(-a, a)") + _zero(var - A**2 / 3, "Var U(-a, a) - a^2/3")


def _check_variances() -> float:
    """Each uniform's a^2/3 equals the table's variance; the normal twins' std^2 too."""
    for name, (family, scale, var) in FORMULAS.items():
        got = _uniform_moments(-scale, scale)[1] if family == "uniform" else scale**2
        _zero(got - var, f"variance of {name}")
    _zero(FORMULAS["xavier_uniform"][2] - FORMULAS["xavier_normal"][2], "Xavier twins")
    _zero(FORMULAS["he_uniform"][2] - FORMULAS["he_normal"][2], "He twins")
    return 0.0


def _check_notes_asymmetric() -> float:
    lo, hi = -1 / sp.sqrt(FI), 1 / sp.sqrt(FO)
    mean = sp.integrate(X / (hi - lo), (X, lo, hi))
    _zero(mean - (1 / sp.sqrt(FO) - 1 / sp.sqrt(FI)) / 2, "mean of the notes' uniform")
    if mean.subs({FI: 400, FO: 200}) == 0:
        raise AssertionError("the notes' uniform should have a nonzero mean at 400 x 200")
    return 0.0


def _value(expr, fi: int, fo: int) -> float:
    return float(sp.N(expr.subs({FI: fi, FO: fo}), 30))


def _check_distribution(name: str):
    def run() -> float:
        family, scale, var = FORMULAS[name]
        err = 0.0
        for fi, fo in _FANS:
            d = I.distribution(name, fi, fo)
            if d.family != family or d.mean != 0 or (d.bound is None) != (family == "normal"):
                raise AssertionError(f"distribution({name!r}) is {d}, expected a {family} with mean 0")
            std = _value(sp.sqrt(var), fi, fo)
            err = max(err, abs(d.std - std), abs(d.variance - _value(var, fi, fo)))
            if family == "uniform":
                err = max(err, abs(d.bound - _value(scale, fi, fo)))
        return err

    return run


def _exact_cdf(family: str, scale: float, x: float) -> float:
    xs = sp.Float(x, 30)
    if family == "normal":
        return float(sp.N((1 + sp.erf(xs / (sp.sqrt(2) * sp.Float(scale, 30)))) / 2, 30))
    a = sp.Float(scale, 30)
    return float(sp.N(sp.Min(1, sp.Max(0, (xs + a) / (2 * a))), 30))


def _check_cdf(name: str):
    def run() -> float:
        family, scale, _ = FORMULAS[name]
        fi, fo = 400, 200
        d = I.distribution(name, fi, fo)
        s = _value(scale, fi, fo)
        xs = np.concatenate([np.linspace(-9 * s, 9 * s, 61), [0.0, s, -s, 1e-3 * s]])
        exact = np.array([_exact_cdf(family, s, float(v)) for v in xs])
        return float(np.max(np.abs(d.cdf(xs) - exact)))

    return run


def _check_sampler(name: str):
    def run() -> float:
        family, scale, _ = FORMULAS[name]
        err = 0.0
        for fi, fo in _FANS:
            s = _value(scale, fi, fo)
            for seed in _SEEDS:
                got = getattr(I, name)(fi, fo, seed)
                if not isinstance(got, np.ndarray) or got.shape != (fi, fo) or got.dtype != np.float64:
                    raise AssertionError(f"{name}({fi}, {fo}, {seed}) is not a float64 array of shape ({fi}, {fo})")
                if not np.array_equal(got, getattr(I, name)(fi, fo, seed)):
                    raise AssertionError(f"{name}: the same seed gave different arrays")
                rng = np.random.default_rng(seed)
                unit = rng.standard_normal((fi, fo)) if family == "normal" else rng.random((fi, fo))
                want = s * unit if family == "normal" else -s + 2 * s * unit
                err = max(err, float(np.max(np.abs(got - want))))
        return err

    return run


CHECKS: list[VerifyCheck] = [
    VerifyCheck("fact: Var U(-a, a) = a^2/3", "integral of x^2/(2a) over [-a, a], and mean 0", _check_uniform_variance),
    VerifyCheck("fact: initializer variances",
                "uniform 1/(3 fan_in); Xavier uniform = Xavier normal = 2/(fi+fo); He uniform = He normal = 2/fan_in",
                _check_variances),
    VerifyCheck("fact: the notes' uniform is asymmetric",
                "U[-1/sqrt(fan_in), 1/sqrt(fan_out)] has mean (1/sqrt(fan_out) - 1/sqrt(fan_in))/2 != 0",
                _check_notes_asymmetric),
]
for _name in I.NAMES:
    CHECKS += [
        VerifyCheck(f"distribution({_name})", "family, std, bound and variance equal the SymPy formulas at 5 fan pairs",
                    _check_distribution(_name)),
        VerifyCheck(f"distribution({_name}).cdf", "CDF against SymPy's erf / piecewise linear form at 65 points",
                    _check_cdf(_name)),
        VerifyCheck(_name, "the array equals the SymPy scale times the unit draw of the same seed; shape, dtype, seed",
                    _check_sampler(_name)),
    ]

"""Reference weight initializers: the oracles for the ``initializers`` assignment.

Every sampler has the signature ``name(fan_in, fan_out, seed)`` and returns a
new float64 array of shape ``(fan_in, fan_out)`` (the layout of ``x @ W``),
drawn with ONE call on ``rng = np.random.default_rng(seed)``, so the same
seed always gives the same array:

=================  ==========================================  =====================
name               distribution                                variance
=================  ==========================================  =====================
uniform            U(-a, a), a = 1/sqrt(fan_in)                1/(3 fan_in)
xavier_uniform     U(-a, a), a = sqrt(6/(fan_in + fan_out))    2/(fan_in + fan_out)
xavier_normal      N(0, std^2), std = sqrt(2/(fan_in+fan_out)) 2/(fan_in + fan_out)
he_uniform         U(-a, a), a = sqrt(6/fan_in)                2/fan_in
he_normal          N(0, std^2), std = sqrt(2/fan_in)           2/fan_in
=================  ==========================================  =====================

A uniform U(-a, a) has variance a^2/3, which is why each uniform bound is
sqrt(3) times the standard deviation of its normal twin: Xavier uniform and
Xavier normal share their variance, and so do He uniform and He normal
(``symbolic_initializers`` proves this with SymPy). These are PyTorch's
``nn.Linear`` default (``kaiming_uniform_(a=sqrt(5))``), ``xavier_uniform_``,
``xavier_normal_``, and ``kaiming_uniform_`` / ``kaiming_normal_`` with their
defaults (gain sqrt(2)); He normal is NOT truncated (Keras truncates it).

Where the course notes are wrong. They write the plain uniform as
U[-1/sqrt(fan_in), 1/sqrt(fan_out)] and He uniform as
U[-sqrt(6)/sqrt(fan_in), sqrt(6)/sqrt(fan_out)]: the two ends differ whenever
fan_in != fan_out, so the weights get a nonzero mean (1/sqrt(fan_out) -
1/sqrt(fan_in))/2 and the wrong variance. The standard (and graded) bounds are
symmetric, +-1/sqrt(fan_in) and +-sqrt(6/fan_in). The notes' forms are kept
here as :func:`notes_uniform` and :func:`notes_he_uniform`, to name the mistake
in feedback. The notes' Xavier normal and Xavier uniform are right.

:func:`distribution` describes each sampler's law (family, std, bound, CDF);
``dlgrade.checks.statistics`` judges a student's samples against it.
"""

from __future__ import annotations

import functools
import math
import operator
from dataclasses import dataclass

import numpy as np

__all__ = [
    "NAMES",
    "Distribution",
    "distribution",
    "uniform",
    "xavier_uniform",
    "xavier_normal",
    "he_uniform",
    "he_normal",
    "notes_uniform",
    "notes_he_uniform",
    "normal_cdf",
]

NAMES = ("uniform", "xavier_uniform", "xavier_normal", "he_uniform", "he_normal")


def _fans(fan_in, fan_out) -> tuple[int, int]:
    try:
        fi, fo = operator.index(fan_in), operator.index(fan_out)
    except TypeError:
        raise TypeError(f"fan_in and fan_out must be integers, got {fan_in!r}, {fan_out!r}") from None
    if isinstance(fan_in, bool) or isinstance(fan_out, bool) or fi < 1 or fo < 1:
        raise ValueError(f"fan_in and fan_out must be positive integers, got {fan_in!r}, {fan_out!r}")
    return fi, fo


# ------------------------------------------------------------------ samplers
def uniform(fan_in, fan_out, seed):
    """U(-a, a) with a = 1/sqrt(fan_in); variance 1/(3 fan_in).

    ``np.random.default_rng(seed).uniform(-a, a, size=(fan_in, fan_out))``.
    PyTorch's ``nn.Linear`` default (``kaiming_uniform_`` with a=sqrt(5)).
    The notes write U[-1/sqrt(fan_in), 1/sqrt(fan_out)]: asymmetric, wrong
    (see :func:`notes_uniform`).
    """
    fi, fo = _fans(fan_in, fan_out)
    a = 1.0 / math.sqrt(fi)
    return np.random.default_rng(seed).uniform(-a, a, size=(fi, fo))


def xavier_uniform(fan_in, fan_out, seed):
    """Glorot uniform: U(-a, a) with a = sqrt(6/(fan_in + fan_out)); variance 2/(fan_in + fan_out).

    ``np.random.default_rng(seed).uniform(-a, a, size=(fan_in, fan_out))``
    (torch ``xavier_uniform_``, gain 1). The notes agree.
    """
    fi, fo = _fans(fan_in, fan_out)
    a = math.sqrt(6.0 / (fi + fo))
    return np.random.default_rng(seed).uniform(-a, a, size=(fi, fo))


def xavier_normal(fan_in, fan_out, seed):
    """Glorot normal: N(0, std^2) with std = sqrt(2/(fan_in + fan_out)).

    ``np.random.default_rng(seed).normal(0.0, std, size=(fan_in, fan_out))``
    (torch ``xavier_normal_``, gain 1). The notes agree.
    """
    fi, fo = _fans(fan_in, fan_out)
    std = math.sqrt(2.0 / (fi + fo))
    return np.random.default_rng(seed).normal(0.0, std, size=(fi, fo))


def he_uniform(fan_in, fan_out, seed):
    """He (Kaiming) uniform: U(-a, a) with a = sqrt(6/fan_in); variance 2/fan_in.

    ``np.random.default_rng(seed).uniform(-a, a, size=(fan_in, fan_out))``
    (torch ``kaiming_uniform_`` defaults). fan_out is not used. The notes
    write U[-sqrt(6)/sqrt(fan_in), sqrt(6)/sqrt(fan_out)]: asymmetric, wrong
    (see :func:`notes_he_uniform`).
    """
    fi, fo = _fans(fan_in, fan_out)
    a = math.sqrt(6.0 / fi)
    return np.random.default_rng(seed).uniform(-a, a, size=(fi, fo))


def he_normal(fan_in, fan_out, seed):
    """He (Kaiming) normal: N(0, std^2) with std = sqrt(2/fan_in), not truncated.

    ``np.random.default_rng(seed).normal(0.0, std, size=(fan_in, fan_out))``
    (torch ``kaiming_normal_`` defaults). fan_out is not used.
    """
    fi, fo = _fans(fan_in, fan_out)
    std = math.sqrt(2.0 / fi)
    return np.random.default_rng(seed).normal(0.0, std, size=(fi, fo))


def notes_uniform(fan_in, fan_out, seed):
    """The notes' (wrong) plain uniform: U[-1/sqrt(fan_in), 1/sqrt(fan_out)].

    Mean (1/sqrt(fan_out) - 1/sqrt(fan_in))/2, nonzero when fan_in != fan_out.
    Kept to recognise the mistake, never to grade against.
    """
    fi, fo = _fans(fan_in, fan_out)
    return np.random.default_rng(seed).uniform(-1.0 / math.sqrt(fi), 1.0 / math.sqrt(fo), size=(fi, fo))


def notes_he_uniform(fan_in, fan_out, seed):
    """The notes' (wrong) He uniform: U[-sqrt(6)/sqrt(fan_in), sqrt(6)/sqrt(fan_out)]."""
    fi, fo = _fans(fan_in, fan_out)
    lo, hi = -math.sqrt(6.0 / fi), math.sqrt(6.0 / fo)
    return np.random.default_rng(seed).uniform(lo, hi, size=(fi, fo))


# ------------------------------------------------------------ normal CDF
# Phi(z) for |z| <= 9 by cubic Hermite interpolation on a grid of step
# h = 1/256, using the exact values Phi(z_k) (math.erfc) and slopes phi(z_k).
# Interpolation error <= h^4/384 * max|Phi''''| = h^4/384 * max|(z^3 - 3z) phi(z)|
# <= 2.33e-10 / 384 * 0.551 = 3.3e-13. Beyond |z| = 9, Phi is 0 or 1 to within
# Phi(-9) = 1.1e-19. So |error| < 1e-12 everywhere, at ~25 ns a point (the
# math.erf loop through np.frompyfunc takes ~350 ns). tests check both figures.
_Z_MAX = 9.0
_STEPS_PER_UNIT = 256


@functools.lru_cache(maxsize=1)
def _phi_table() -> np.ndarray:
    """Per-interval cubic coefficients (c0, c1, c2, c3) in t = (z - z_k)/h, shape (4, K)."""
    z = np.arange(-_Z_MAX * _STEPS_PER_UNIT, _Z_MAX * _STEPS_PER_UNIT + 1) / _STEPS_PER_UNIT
    y = np.array([0.5 * math.erfc(-v / math.sqrt(2.0)) for v in z])
    m = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi) / _STEPS_PER_UNIT  # h * phi
    y0, y1, m0, m1 = y[:-1], y[1:], m[:-1], m[1:]
    return np.stack([y0, m0, 3 * (y1 - y0) - 2 * m0 - m1, 2 * (y0 - y1) + m0 + m1])


def normal_cdf(z) -> np.ndarray:
    """Phi(z) = (1 + erf(z/sqrt 2))/2 of the standard normal, vectorised, |error| < 1e-12."""
    z = np.asarray(z, dtype=np.float64)
    c = _phi_table()
    nan = np.isnan(z)
    u = (np.clip(np.where(nan, 0.0, z), -_Z_MAX, _Z_MAX) + _Z_MAX) * _STEPS_PER_UNIT
    k = np.minimum(u.astype(np.intp), c.shape[1] - 1)
    t = u - k
    out = c[0, k] + t * (c[1, k] + t * (c[2, k] + t * c[3, k]))
    out = np.where(z < -_Z_MAX, 0.0, np.where(z > _Z_MAX, 1.0, out))
    return np.where(nan, np.nan, out)


# ------------------------------------------------------------ distributions
@dataclass(frozen=True)
class Distribution:
    """The law of one initializer at given fans.

    family: "uniform" (U(-bound, bound)) or "normal" (N(mean, std^2)).
    mean is 0 for every graded initializer; variance = std^2; bound is the
    half-width a of a uniform (a = sqrt(3) std) and None for a normal.
    formula: how the scale is computed, in words a student knows
    ("std = sqrt(2/fan_in)"); :meth:`describe` fills in the numbers.
    """

    name: str
    family: str
    fan_in: int
    fan_out: int
    std: float
    variance: float
    bound: float | None
    formula: str
    mean: float = 0.0

    def __post_init__(self):
        if self.family not in ("uniform", "normal"):
            raise ValueError(f"family must be 'uniform' or 'normal', not {self.family!r}")
        if (self.bound is None) != (self.family == "normal"):
            raise ValueError("a uniform has a bound, a normal has none")
        if not (self.std > 0 and math.isclose(self.variance, self.std**2, rel_tol=1e-12)):
            raise ValueError(f"inconsistent std {self.std} and variance {self.variance}")

    def describe(self) -> str:
        """E.g. "std = sqrt(2/fan_in) = 0.0500 with fan_in=800, fan_out=200"."""
        value = self.std if self.family == "normal" else self.bound
        return f"{self.formula} = {value:#.3g} with fan_in={self.fan_in}, fan_out={self.fan_out}"

    def cdf(self, x) -> np.ndarray:
        """P(W <= x), vectorised over x (numpy only; the normal to within 1e-12)."""
        x = np.asarray(x, dtype=np.float64)
        if self.family == "uniform":
            a = self.bound
            return np.clip((x - self.mean + a) / (2.0 * a), 0.0, 1.0)
        return normal_cdf((x - self.mean) / self.std)


def distribution(name: str, fan_in, fan_out) -> Distribution:
    """The :class:`Distribution` drawn by the sampler ``name`` at (fan_in, fan_out)."""
    fi, fo = _fans(fan_in, fan_out)
    if name == "uniform":
        a = 1.0 / math.sqrt(fi)
        return Distribution(name, "uniform", fi, fo, a / math.sqrt(3.0), 1.0 / (3.0 * fi), a, "a = 1/sqrt(fan_in)")
    if name == "xavier_uniform":
        a = math.sqrt(6.0 / (fi + fo))
        v = 2.0 / (fi + fo)
        return Distribution(name, "uniform", fi, fo, math.sqrt(v), v, a, "a = sqrt(6/(fan_in+fan_out))")
    if name == "xavier_normal":
        v = 2.0 / (fi + fo)
        return Distribution(name, "normal", fi, fo, math.sqrt(v), v, None, "std = sqrt(2/(fan_in+fan_out))")
    if name == "he_uniform":
        a, v = math.sqrt(6.0 / fi), 2.0 / fi
        return Distribution(name, "uniform", fi, fo, math.sqrt(v), v, a, "a = sqrt(6/fan_in)")
    if name == "he_normal":
        v = 2.0 / fi
        return Distribution(name, "normal", fi, fo, math.sqrt(v), v, None, "std = sqrt(2/fan_in)")
    raise ValueError(f"unknown initializer {name!r}; expected one of {NAMES}")

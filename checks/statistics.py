"""Statistical checks that judge a student's weight sampler (numpy only).

A student's ``he_normal(fan_in, fan_out, seed)`` cannot be compared value by
value with ours (``rng.standard_normal(size) * std`` and ``rng.normal(0, std,
size)`` are both right), so we draw about n = 10^6 samples from it and test
that they follow the law of :func:`dlgrade.reference.initializers.distribution`:
13 calls at fan_in = 400, fan_out = 200 (non-square, so that a fan_in /
fan_out swap changes the variance by 2x) with the seeds
``sample_seeds(base, 13)``, flattened: n = 1,040,000. Draws from distinct
seeds are independent for any correct sampler built on ``default_rng(seed)``.

Four tests, each with false-failure probability <= alpha = 2.5e-7 for a
CORRECT sampler, at every n (finite-sample inequalities, no asymptotics), so
by the union bound (Bonferroni) all four together wrongly fail a correct
sampler with probability <= 1e-6. sigma is the target std, a the uniform's
half-width, x = ln(2/alpha) = 15.9. Figures in brackets are for n = 1.04e6.

1. mean: |mean(w)| <= c sigma / sqrt(n). Normal: the mean is exactly
   N(0, sigma^2/n), so c = z with P(|Z| > z) = alpha: c = 5.16 [5.06e-3 sigma].
   Uniform: U(-a, a) is strictly sub-Gaussian, E e^(l W) = sinh(la)/(la) <=
   e^(l^2 a^2/6) = e^(l^2 sigma^2/2) (termwise, (2k+1)! >= 6^k k!), so by
   Chernoff P(|mean| >= t) <= 2 e^(-n t^2/(2 sigma^2)): c = sqrt(2x) = 5.64
   [5.53e-3 sigma].
2. second moment: r = mean(w^2)/sigma^2 near 1 (about the true mean 0).
   Normal: n r is chi-square with n degrees of freedom; Laurent and Massart
   (2000): P(r - 1 >= 2 sqrt(y/n) + 2y/n) <= e^-y and P(1 - r >= 2 sqrt(y/n))
   <= e^-y; with y = ln(2/alpha) per side: -0.78% <= r - 1 <= 0.79%.
   Uniform: w^2 lies in [0, a^2] = [0, 3 sigma^2]; Hoeffding:
   |r - 1| <= 3 sqrt(x/(2n)) [0.83%].
3. shape (Kolmogorov distance): D = sup_x |F_n(x) - F(x)|; Dvoretzky,
   Kiefer, Wolfowitz with Massart's constant: P(D > e) <= 2 e^(-2 n e^2) for
   every n, so e = sqrt(x/(2n)) [2.76e-3]. We evaluate the sup on a grid of
   2^15 + 1 points over +-8 sigma (counting with one ``bincount``, ~10x faster
   than sorting): the grid value D_grid <= D, so the false-failure bound still
   holds, and D <= D_grid + (the largest rise of F between grid points,
   <= 2e-4), so little power is lost. Needed because Xavier normal and Xavier
   uniform have the same variance: only the shape tells them apart.
4. support. Uniform: every sample in [-a(1 + 1e-6), a(1 + 1e-6)] (certain for
   a correct sampler; 1e-6 absorbs rounding), and the largest sample >=
   a(1 - d) and the smallest <= -a(1 - d), d = 2 ln(4/alpha)/n [3.2e-5]:
   P(max < a(1 - d)) = (1 - d/2)^n <= e^(-n d/2) = alpha/4 per side. Normal:
   the largest |w| between c_lo sigma and c_hi sigma, with P(W > c_lo sigma) =
   ln(4/alpha)/n (so the max falls short with probability <= e^(-n P) = alpha/4
   per side) [c_lo = 4.16] and P(W > c_hi sigma) = alpha/(4n) (union bound over
   the n samples, alpha/4 per side) [c_hi = 7.42]. This catches a truncated
   normal (Keras) and any bound that is slightly wrong.

These inequalities are conservative: a correct sampler uses a small part of
each bound (tests/test_statistics.py measures the margins).

Power. A mistake is caught when it moves a population statistic well past
its bound; the estimate then misses by many standard errors, and the same
inequalities bound the chance that it still passes. For n = 1.04e6 the
weakest of the listed mistakes are: a std 2% too wide (r - 1 = 4.04% against
0.79%; passing needs a chi-square deviation of 3.1% below its mean, probability
<= e^-250 by Laurent-Massart); Xavier normal drawn uniform or vice versa (same
variance: Kolmogorov distance 0.057 against 2.8e-3, and the support test
fails with certainty since a uniform never exceeds sqrt(3) sigma < 4.16
sigma while 10^6 normal samples always do). Fan swaps, sqrt(1/fan) for
sqrt(2/fan), sqrt(3/fan) for sqrt(6/fan) and the variance used as the std
move r by 50% or more; the notes' asymmetric bound moves the mean by 0.36
sigma. Each therefore fails with probability > 1 - 1e-100 (the tests run
each 20 times). A sampler that ignores its seed passes these tests but fails
:func:`check_same_seed`; a constant array fails all four.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from dlgrade.reference.initializers import Distribution

__all__ = [
    "ALPHA",
    "ALPHA_TOTAL",
    "FAN_IN",
    "FAN_OUT",
    "DRAWS",
    "BASE_SEED",
    "StatResult",
    "sample_seeds",
    "draw",
    "limits",
    "judge_samples",
    "check_same_seed",
    "check_different_seeds",
    "check_shape",
    "check_not_constant",
]

ALPHA_TOTAL = 1e-6  # false-failure probability of the four tests together
ALPHA = ALPHA_TOTAL / 4  # per test (Bonferroni)
FAN_IN, FAN_OUT, DRAWS = 400, 200, 13  # 13 * 400 * 200 = 1,040,000 samples
BASE_SEED = 20_240_917
_ROUNDING = 1e-6  # relative slack on a uniform's bound, for floating-point rounding
_GRID_BINS = 2**15
_GRID_HALF_WIDTH = 8.0  # in units of sigma


@dataclass(frozen=True)
class StatResult:
    """One statistical verdict.

    name: "mean", "second_moment", "shape (Kolmogorov distance)", "support",
        or a seed/shape helper's name.
    passed: the verdict.
    value, bound: for display, the statistic and the limit it was held to
        (for limits on both sides, the one violated, or the upper one when it
        passed; the helpers report 0/1 or a spread against 0).
    message: a sentence for the student ("" when it passed).
    """

    name: str
    passed: bool
    value: float
    bound: float
    message: str = ""


# ------------------------------------------------------------- sampling
def sample_seeds(base: int, count: int) -> list[int]:
    """``count`` distinct seeds in [0, 2^32) derived from ``base`` (stable across numpy versions)."""
    if count < 0:
        raise ValueError("count must be >= 0")
    state = np.random.SeedSequence(base).generate_state(2 * count + 8, dtype=np.uint32)
    seeds = list(dict.fromkeys(int(s) for s in state))[:count]
    if len(seeds) < count:  # pragma: no cover - 2^32 collisions are astronomically rare
        raise RuntimeError("seed collision; choose another base")
    return seeds


def draw(sampler: Callable, fan_in: int = FAN_IN, fan_out: int = FAN_OUT,
         base: int = BASE_SEED, count: int = DRAWS) -> np.ndarray:
    """Call ``sampler(fan_in, fan_out, seed)`` for each of ``sample_seeds(base, count)``
    and stack the results: an array of shape (count, fan_in, fan_out) for a correct sampler."""
    return np.stack([np.asarray(sampler(fan_in, fan_out, s), dtype=np.float64)
                     for s in sample_seeds(base, count)])


# ------------------------------------------------------------- the limits
def _normal_tail(c: float) -> float:
    """Q(c) = P(Z > c) for a standard normal Z."""
    return 0.5 * math.erfc(c / math.sqrt(2.0))


def _normal_tail_inverse(q: float) -> float:
    """c with Q(c) = q, for 0 < q < 1/2, by bisection (Q is decreasing)."""
    lo, hi = 0.0, 40.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _normal_tail(mid) > q else (lo, mid)
    return 0.5 * (lo + hi)


def limits(n: int, family: str) -> dict[str, float]:
    """Every limit of the four tests for n samples (see the module docstring).

    mean: |mean| / sigma <= mean; second moment: -second_moment_low <= r - 1
    <= second_moment_high; shape: D <= kolmogorov; support (uniform):
    max|w| / a <= 1 + 1e-6 and the extremes reach (1 - support_reach) a
    on each side; support (normal): max|w| / sigma in [reach_low, reach_high].
    """
    if n < 1 or family not in ("normal", "uniform"):
        raise ValueError(f"need n >= 1 and a known family, got {n}, {family!r}")
    x = math.log(2.0 / ALPHA)
    out = {"kolmogorov": math.sqrt(x / (2.0 * n))}
    if family == "normal":
        out["mean"] = _normal_tail_inverse(ALPHA / 2.0) / math.sqrt(n)
        out["second_moment_high"] = 2.0 * math.sqrt(x / n) + 2.0 * x / n
        out["second_moment_low"] = 2.0 * math.sqrt(x / n)
        out["reach_low"] = _normal_tail_inverse(min(0.499, math.log(4.0 / ALPHA) / n))
        out["reach_high"] = _normal_tail_inverse(ALPHA / (4.0 * n))
    else:
        out["mean"] = math.sqrt(2.0 * x / n)
        out["second_moment_high"] = out["second_moment_low"] = 3.0 * math.sqrt(x / (2.0 * n))
        out["support_reach"] = min(1.0, 2.0 * math.log(4.0 / ALPHA) / n)
    return out


# ------------------------------------------------------------- diagnosis
def _suspects(d: Distribution) -> list[tuple[float, str]]:
    """Known wrong scales for ``d``, as (std they give, explanation)."""
    fi, fo, s = d.fan_in, d.fan_out, math.sqrt
    r3 = s(3.0)
    fans = f"fan_in={fi}, fan_out={fo}"
    if d.name == "he_normal":
        stds = [(s(2 / fo), f"sqrt(2/fan_out) with fan_out={fo}: did you use fan_out instead of fan_in?"),
                (s(1 / fi), "sqrt(1/fan_in): He initialisation has a 2 in it, sqrt(2/fan_in)"),
                (2 / fi, "2/fan_in: that is the variance; the standard deviation is its square root"),
                (s(2 / (fi + fo)), f"sqrt(2/(fan_in+fan_out)) with {fans}: that is Xavier's, not He's"),
                (s(6 / fi), "sqrt(6/fan_in): that is He uniform's bound, not a standard deviation"),
                (s(1 / fo), "sqrt(1/fan_out): check both the fan and the 2"),
                (2 / fo, "2/fan_out: the variance with fan_out")]
    elif d.name == "xavier_normal":
        stds = [(s(1 / (fi + fo)), "sqrt(1/(fan_in+fan_out)): Xavier has a 2 in it, sqrt(2/(fan_in+fan_out))"),
                (2 / (fi + fo), "2/(fan_in+fan_out): that is the variance; take its square root"),
                (s(2 / fi), f"sqrt(2/fan_in) with fan_in={fi}: that is He's, Xavier uses fan_in+fan_out"),
                (s(2 / fo), f"sqrt(2/fan_out) with fan_out={fo}: Xavier uses fan_in+fan_out"),
                (s(6 / (fi + fo)), "sqrt(6/(fan_in+fan_out)): that is Xavier uniform's bound, not a std")]
    else:
        if d.name == "uniform":
            bounds = [(1 / s(fo), f"a = 1/sqrt(fan_out) with fan_out={fo}: use fan_in"),
                      (1 / fi, "a = 1/fan_in: the bound is 1/sqrt(fan_in)"),
                      (s(6 / fi), "a = sqrt(6/fan_in): that is He uniform's bound"),
                      (1 / s(3 * fi), "a = 1/sqrt(3 fan_in): that is the std, the bound is sqrt(3) times larger")]
        elif d.name == "he_uniform":
            bounds = [(s(6 / fo), f"a = sqrt(6/fan_out) with fan_out={fo}: did you use fan_out instead of fan_in?"),
                      (s(3 / fi), "a = sqrt(3/fan_in): He uniform has a 6, a = sqrt(6/fan_in)"),
                      (s(2 / fi), "a = sqrt(2/fan_in): that is He normal's std; the uniform's bound is sqrt(3) times larger"),
                      (6 / fi, "a = 6/fan_in: the square root is missing"),
                      (s(6 / (fi + fo)), f"a = sqrt(6/(fan_in+fan_out)) with {fans}: that is Xavier's bound")]
        else:  # xavier_uniform
            bounds = [(s(3 / (fi + fo)), "a = sqrt(3/(fan_in+fan_out)): Xavier uniform has a 6"),
                      (s(2 / (fi + fo)), "a = sqrt(2/(fan_in+fan_out)): that is Xavier normal's std, not a bound"),
                      (6 / (fi + fo), "a = 6/(fan_in+fan_out): the square root is missing"),
                      (s(6 / fi), f"a = sqrt(6/fan_in) with fan_in={fi}: that is He's bound"),
                      (s(6 / fo), f"a = sqrt(6/fan_out) with fan_out={fo}: Xavier uses fan_in+fan_out")]
        stds = [(b / r3, why) for b, why in bounds]
    return [(v, why) for v, why in stds if abs(v / d.std - 1) > 0.03]


def _explain_scale(d: Distribution, std: float, tol: float = 0.01) -> str:
    for v, why in _suspects(d):
        if abs(std / v - 1) <= tol:
            return f" -- {why}"
    return ""


# ------------------------------------------------------------- the tests
def _mean_test(w: np.ndarray, d: Distribution, lim: dict) -> StatResult:
    m = float(np.mean(w))
    value, bound = abs(m) / d.std, lim["mean"]
    if value <= bound:
        return StatResult("mean", True, value, bound)
    msg = (f"the mean of your samples is {m:#.3g} but should be 0 (|mean| <= {bound * d.std:.2g} "
           f"for {w.size:,} samples of the right distribution)")
    if d.family == "uniform":
        msg += (f"; is your interval symmetric? Use -a and +a with {d.describe()}. The notes' "
                "U[-1/sqrt(fan_in), 1/sqrt(fan_out)] and He U[-sqrt(6/fan_in), sqrt(6/fan_out)] are not")
        if float(np.min(w)) >= 0:
            msg += "; all your samples are >= 0: rng.random() is in [0, 1), use rng.uniform(-a, a, size)"
    else:
        msg += "; draw with mean 0, e.g. rng.normal(0.0, std, size)"
    return StatResult("mean", False, value, bound, msg)


def _second_moment_test(w: np.ndarray, d: Distribution, lim: dict) -> StatResult:
    ms = float(np.mean(w * w))
    r = ms / d.variance
    hi, lo = lim["second_moment_high"], lim["second_moment_low"]
    value, bound = abs(r - 1.0), (hi if r >= 1.0 else lo)
    if value <= bound:
        return StatResult("second_moment", True, value, bound)
    rms = math.sqrt(ms)
    what = "standard deviation" if abs(np.mean(w)) < 0.05 * max(rms, 1e-300) else "root mean square"
    scale = d.formula.split(" = ", 1)[1]
    how = f"{scale} with" if d.family == "normal" else f"a/sqrt(3), a = {scale},"
    msg = (f"the {what} of your samples is {rms:#.3g} but should be {d.std:#.3g} "
           f"({how} fan_in={d.fan_in}, fan_out={d.fan_out}), {100 * (rms / d.std - 1):+.1f}%")
    hint = _explain_scale(d, rms)
    if not hint and d.family == "uniform":
        hint = " -- a uniform U(-a, a) has standard deviation a/sqrt(3)"
    return StatResult("second_moment", False, value, bound, msg + hint)


def _grid_counts(w: np.ndarray, d: Distribution) -> tuple[np.ndarray, np.ndarray]:
    """Grid points g_k and F_n(g_k-) = #{w < g_k}/n (left limits; D_grid <= D either way)."""
    lo, h = -_GRID_HALF_WIDTH * d.std, 2 * _GRID_HALF_WIDTH * d.std / _GRID_BINS
    grid = lo + h * np.arange(_GRID_BINS + 1)
    # bin -1 is below the grid, bin B above it; shifting by 1 makes them 0 and B + 1.
    idx = np.floor(np.clip((w.ravel() - lo) / h, -1.0, _GRID_BINS)).astype(np.intp) + 1
    counts = np.bincount(idx, minlength=_GRID_BINS + 2)
    return grid, np.cumsum(counts)[: _GRID_BINS + 1] / w.size


def _shape_test(w: np.ndarray, d: Distribution, lim: dict) -> StatResult:
    grid, fn = _grid_counts(w, d)
    gap = np.abs(fn - d.cdf(grid))
    k = int(np.argmax(gap))
    value, bound = float(gap[k]), lim["kolmogorov"]
    name = "shape (Kolmogorov distance)"
    if value <= bound:
        return StatResult(name, True, value, bound)
    msg = (f"your samples are not shaped like a {d.family} distribution ({d.describe()}): the largest gap "
           f"between their cumulative distribution and the target's is {value:.3g} at w = {grid[k]:#.3g} "
           f"(at most {bound:.2g} for {w.size:,} samples of the right distribution)")
    # Does the other family, with the student's own spread, fit?
    rms = math.sqrt(float(np.mean(w * w)))
    if rms > 0:
        other = "uniform" if d.family == "normal" else "normal"
        alt = Distribution(d.name, other, d.fan_in, d.fan_out, rms, rms * rms,
                           math.sqrt(3.0) * rms if other == "uniform" else None, "")
        if float(np.max(np.abs(fn - alt.cdf(grid)))) <= 2 * bound:
            call = "rng.normal(0.0, std, size)" if d.family == "normal" else "rng.uniform(-a, a, size)"
            msg += f" -- they look {other}: {d.name} draws from a {d.family} distribution, e.g. {call}"
    return StatResult(name, False, value, bound, msg)


def _support_test(w: np.ndarray, d: Distribution, lim: dict) -> StatResult:
    top, bottom = float(np.max(w)), float(np.min(w))
    if d.family == "normal":
        peak = max(top, -bottom) / d.std
        low, high = lim["reach_low"], lim["reach_high"]
        if peak > high:
            return StatResult("support", False, peak, high,
                              f"one of your samples lies {peak:.3g} standard deviations from 0; {w.size:,} samples "
                              f"of a normal with {d.describe()} stay within {high:.3g}: is the std right?")
        reached = min(top, -bottom) / d.std
        if reached < low:
            return StatResult("support", False, reached, low,
                              f"all your samples lie between {bottom / d.std:.3g} and {top / d.std:.3g} standard "
                              f"deviations, but {w.size:,} normal samples always go beyond -{low:.3g} and "
                              f"+{low:.3g}: is the distribution truncated, or uniform? Draw with "
                              "rng.normal(0.0, std, size)")
        return StatResult("support", True, peak, high)
    a, reach = d.bound, lim["support_reach"]
    ceiling = 1.0 + _ROUNDING
    for side, v in (("largest", top), ("smallest", bottom)):
        if abs(v) / a > ceiling and (v > 0) == (side == "largest"):
            hint = _explain_scale_bound(d, abs(v))
            return StatResult("support", False, abs(v) / a, ceiling,
                              f"your {side} sample is {v:#.4g} but U(-a, a) with {d.describe()} never goes "
                              f"beyond {'+' if v > 0 else '-'}a{hint}")
    for side, v, reached in (("largest", top, top), ("smallest", bottom, -bottom)):
        if reached / a < 1.0 - reach:
            hint = _explain_scale_bound(d, max(reached, 0.0))
            end = "a" if side == "largest" else "-a"
            return StatResult("support", False, reached / a, 1.0 - reach,
                              f"your {side} sample is {v:#.4g} but {w.size:,} samples of U(-a, a) with "
                              f"{d.describe()} come within {reach * a:.2g} of {end}: is your bound too small?{hint}")
    return StatResult("support", True, max(top, -bottom) / a, ceiling)


def _explain_scale_bound(d: Distribution, end: float) -> str:
    """A hint for an end of the support at ``end`` (a uniform's bound), or ""."""
    fi, fo = d.fan_in, d.fan_out
    if d.name == "uniform" and fi != fo and abs(end * math.sqrt(fo) - 1) < 1e-3:
        return " -- 1/sqrt(fan_out) is the notes' upper bound; the bound is 1/sqrt(fan_in) on both sides"
    if d.name == "he_uniform" and fi != fo and abs(end / math.sqrt(6.0 / fo) - 1) < 1e-3:
        return " -- sqrt(6/fan_out) is the notes' upper bound; He uniform is +-sqrt(6/fan_in)"
    return _explain_scale(d, end / math.sqrt(3.0), tol=1e-3)


def judge_samples(samples, dist: Distribution) -> list[StatResult]:
    """The four tests (mean, second moment, shape, support) of ``samples`` against ``dist``.

    samples: every sample, any shape (flattened); normally ``draw(...)`` of the
    student's sampler, n = 1,040,000. Each test wrongly fails a correct sampler
    with probability <= 2.5e-7, whatever n (module docstring).
    """
    w = np.asarray(samples, dtype=np.float64).ravel()
    names = ("mean", "second_moment", "shape (Kolmogorov distance)", "support")
    if w.size == 0:
        return [StatResult(n, False, math.nan, math.nan, "your sampler returned no numbers") for n in names]
    bad = int(np.count_nonzero(~np.isfinite(w)))
    if bad:
        msg = f"{bad:,} of your {w.size:,} samples are NaN or infinite"
        return [StatResult(n, False, math.nan, math.nan, msg) for n in names]
    lim = limits(w.size, dist.family)
    return [_mean_test(w, dist, lim), _second_moment_test(w, dist, lim),
            _shape_test(w, dist, lim), _support_test(w, dist, lim)]


# ------------------------------------------------------------- helpers
def check_same_seed(first, second) -> StatResult:
    """Seed determinism: two calls with the same seed must return identical arrays."""
    a, b = np.asarray(first), np.asarray(second)
    same = a.shape == b.shape and bool(np.array_equal(a, b))
    diff = 0.0 if same or a.shape != b.shape else float(np.mean(a != b))
    msg = "" if same else (
        "two calls with the same seed returned different arrays: create the generator from the seed, "
        "rng = np.random.default_rng(seed), inside the function, and draw only from it "
        "(not from np.random.* or a generator made without the seed)")
    return StatResult("seed determinism", same, diff, 0.0, msg)


def check_different_seeds(first, second) -> StatResult:
    """Seed use: two different seeds must give different arrays."""
    a, b = np.asarray(first), np.asarray(second)
    same = a.shape == b.shape and bool(np.array_equal(a, b))
    msg = "" if not same else (
        "two different seeds returned the same array: pass the seed argument to np.random.default_rng(seed) "
        "instead of a fixed number")
    return StatResult("seed use", not same, float(same), 0.0, msg)


def check_shape(samples, fan_in: int, fan_out: int) -> StatResult:
    """The array has shape (fan_in, fan_out), for x @ W."""
    shape = np.shape(samples)
    ok = shape == (fan_in, fan_out)
    msg = "" if ok else (
        f"your array has shape {shape} but should be (fan_in, fan_out) = ({fan_in}, {fan_out})"
        + (" -- it is transposed: rows are inputs, columns are outputs (x @ W)" if shape == (fan_out, fan_in) else ""))
    return StatResult("shape", ok, float(ok), 1.0, msg)


def check_not_constant(samples) -> StatResult:
    """Not all entries equal (weights "should not be same", as the notes say)."""
    w = np.asarray(samples, dtype=np.float64)
    spread = float(np.ptp(w)) if w.size else 0.0
    ok = w.size > 1 and spread > 0
    msg = "" if ok else ("all your weights are equal: identical weights give identical neurons, which "
                         "gradient descent never separates; draw them at random")
    return StatResult("not constant", ok, spread, 0.0, msg)

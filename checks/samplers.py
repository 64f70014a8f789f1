"""The checks of a seeded sampler (a weight initializer): statistics and seed.

statistics  13 draws of a 400 x 200 array (fan_out / fan_in = 1/2, so a fan
            swap changes the scale), about 1e6 samples, judged by the four
            tests of checks/statistics.py against the exact distribution
            (mean, second moment, Kolmogorov distance, support). A correct
            sampler fails with probability below 1e-6; the common mistakes
            fail with probability above 0.999 (the maths is in that module).
            Shape (fan_in, fan_out), float values and a non-constant array
            are checked on the way.
seed        the same seed twice gives the same array; two seeds give two
            arrays.

The sampler entry's reference names the distribution:
``distribution(entry.name, fan_in, fan_out)`` in dlgrade.reference.initializers.
"""

from __future__ import annotations

import numpy as np

from dlgrade.reference.initializers import distribution

from . import statistics as stats
from .compare import describe_type
from .outcome import FAILED, PASSED, Outcome
from .spec import Entry
from .student import StudentError

__all__ = ["check_statistics", "check_seed", "FAN_IN", "FAN_OUT"]

FAN_IN, FAN_OUT, DRAWS = 400, 200, 13


def _error(entry: Entry, check: str, err: StudentError) -> Outcome:
    from .engine import _error_outcome

    return _error_outcome(entry, check, err)


def _as_weights(entry: Entry, check: str, got, fan_in: int, fan_out: int):
    """The student's array as float64, or an Outcome saying why it cannot be one."""
    if isinstance(got, StudentError):
        return _error(entry, check, got)
    if not isinstance(got, np.ndarray) or got.dtype.kind not in "fiu":
        return Outcome(entry.name, check, FAILED, summary=f"returned {describe_type(got)}; expected a float64 array of shape ({fan_in}, {fan_out})")
    shape = stats.check_shape(got, fan_in, fan_out)
    if not shape.passed:
        return Outcome(entry.name, check, FAILED, summary=shape.message)
    w = got.astype(np.float64)
    if not np.isfinite(w).all():
        return Outcome(entry.name, check, FAILED, summary="the array contains NaN or inf")
    return w


def _draw(entry: Entry, check: str, student, fan_in: int, fan_out: int, seeds):
    """One batched call per seed; the arrays as float64, or the Outcome saying why not."""
    arrays = []
    for got in student.call_many(entry.name, [((fan_in, fan_out, s), {}) for s in seeds]):
        w = _as_weights(entry, check, got, fan_in, fan_out)
        if isinstance(w, Outcome):
            return w
        arrays.append(w)
    return arrays


def check_statistics(entry: Entry, student, settings, check: str = "statistics") -> Outcome:
    arrays = _draw(entry, check, student, FAN_IN, FAN_OUT, stats.sample_seeds(stats.BASE_SEED, DRAWS))
    if isinstance(arrays, Outcome):
        return arrays
    samples = np.stack(arrays)
    const = stats.check_not_constant(samples)
    if not const.passed:
        return Outcome(entry.name, check, FAILED, summary=const.message)
    dist = distribution(entry.name, FAN_IN, FAN_OUT)
    verdicts = stats.judge_samples(samples, dist)
    failed = [v for v in verdicts if not v.passed]
    lines = [f"{DRAWS} draws of a ({FAN_IN}, {FAN_OUT}) array ({samples.size:,} samples), "
             f"expected {dist.describe() if hasattr(dist, 'describe') else dist.formula}:"]
    for v in verdicts:
        lines.append(f"  {'ok  ' if v.passed else 'FAIL'} {v.name}: {v.value:.4g} (limit {v.bound:.4g})" + (f" - {v.message}" if v.message and not v.passed else ""))
    data = {"fan_in": FAN_IN, "fan_out": FAN_OUT, "family": dist.family, "std": dist.std, "bound": dist.bound,
            "histogram": _histogram(samples, dist)}
    if not failed:
        return Outcome(entry.name, check, PASSED, summary=f"mean, variance, shape and support match {dist.formula}", detail="\n".join(lines), data=data)
    mistake = _identify(entry, samples)
    return Outcome(entry.name, check, FAILED, summary=f"statistics check failed: {failed[0].message}"[:400],
                   detail="\n".join(lines), hint=mistake.hint if mistake else entry.hint,
                   mistake=mistake.name if mistake else None, data=data)


def _histogram(samples: np.ndarray, dist, bins: int = 60) -> dict:
    """A small summary for plots (the HTML report draws it against the density)."""
    lim = (dist.bound or 4.5 * dist.std) * 1.6
    counts, edges = np.histogram(samples, bins=bins, range=(-lim, lim), density=True)
    return {"edges": edges.tolist(), "density": counts.tolist()}


def _identify(entry: Entry, samples: np.ndarray):
    """A known mistake whose own samples pass the same tests the student's failed
    the same way: named only if the mistake's samples pass all four tests
    against the mistake's distribution *and* the student's samples are
    indistinguishable from them (two-sample Kolmogorov distance)."""
    if not entry.mistakes:
        return None
    base = np.sort(samples.ravel())
    n = base.size
    # DKW-Massart for two samples of size n at total level 1e-6: a wrong name is worse than none.
    bound = 2 * np.sqrt(np.log(2 * 2 / 1e-6) / (2 * n))
    grid = np.linspace(base[0], base[-1], 4096)
    cdf_student = np.searchsorted(base, grid, side="right") / n
    for m in entry.mistakes:
        try:
            mine = np.sort(np.stack([np.asarray(m.impl(FAN_IN, FAN_OUT, s), dtype=float)
                                     for s in stats.sample_seeds(stats.BASE_SEED + 1, DRAWS)]).ravel())
        except Exception:
            continue
        if mine.size != n:
            continue
        d = float(np.max(np.abs(cdf_student - np.searchsorted(mine, grid, side="right") / n)))
        if d <= bound:
            return m
    return None


def check_seed(entry: Entry, student, settings, check: str = "seed") -> Outcome:
    arrays = _draw(entry, check, student, 30, 20, (7, 7, 8))
    if isinstance(arrays, Outcome):
        return arrays
    for verdict in (stats.check_same_seed(arrays[0], arrays[1]), stats.check_different_seeds(arrays[0], arrays[2])):
        if not verdict.passed:
            return Outcome(entry.name, check, FAILED, summary=f"seed check failed: {verdict.message}",
                           hint="Create the generator inside the function from its seed: rng = np.random.default_rng(seed).")
    return Outcome(entry.name, check, PASSED, summary="the same seed gives the same array; different seeds differ")



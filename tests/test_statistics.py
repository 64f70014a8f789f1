"""The statistical judge of student samplers, both ways.

Every correct sampler (the references and differently written correct ones)
passes every test; every listed mistake fails at least one, and the main
mistakes fail on each of 20 base seeds (the power argument is in the
docstring of dlgrade.checks.statistics). Shapes 400 x 200 and the transposed
role 200 x 400, so that fan_in / fan_out swaps show.
"""

import math

import numpy as np
import pytest

from dlgrade.checks import statistics as S
from dlgrade.reference import initializers as I

ROLES = [(400, 200), (200, 400)]


def _judge(name, sampler, fi=400, fo=200, base=S.BASE_SEED):
    return S.judge_samples(S.draw(sampler, fi, fo, base), I.distribution(name, fi, fo))


def _failed(results):
    return [r.name for r in results if not r.passed]


# ------------------------------------------------------------------ limits
def test_limits_match_the_conventions():
    n = 10**6
    normal, uniform = S.limits(n, "normal"), S.limits(n, "uniform")
    assert normal["mean"] * math.sqrt(n) == pytest.approx(5.16, abs=0.01)
    assert uniform["mean"] * math.sqrt(n) == pytest.approx(5.64, abs=0.01)
    assert normal["second_moment_high"] == pytest.approx(0.0080, abs=1e-4)
    assert normal["second_moment_low"] == pytest.approx(0.0080, abs=1e-4)
    assert uniform["second_moment_high"] == pytest.approx(0.0085, abs=1e-4)
    assert normal["kolmogorov"] == pytest.approx(2.82e-3, abs=1e-5)
    assert uniform["support_reach"] == pytest.approx(3.3e-5, abs=1e-6)
    assert normal["reach_low"] == pytest.approx(4.2, abs=0.05) and normal["reach_high"] == pytest.approx(7.4, abs=0.05)
    # each is a probability statement about a correct sampler; check the tails used
    assert 0.5 * math.erfc(normal["mean"] * math.sqrt(n) / math.sqrt(2)) * 2 == pytest.approx(S.ALPHA, rel=1e-6)
    assert S.ALPHA * 4 <= 1e-6


def test_limits_widen_as_n_shrinks():
    for family in ("normal", "uniform"):
        small, large = S.limits(1000, family), S.limits(10**6, family)
        assert all(small[k] > large[k] for k in large if k != "reach_low" and k != "reach_high")
        if family == "normal":
            assert small["reach_low"] < large["reach_low"] and small["reach_high"] < large["reach_high"]
    with pytest.raises(ValueError):
        S.limits(0, "normal")


def test_sample_seeds():
    seeds = S.sample_seeds(7, 13)
    assert seeds == S.sample_seeds(7, 13) and len(set(seeds)) == 13
    assert seeds[:3] == S.sample_seeds(7, 3) and seeds != S.sample_seeds(8, 13)
    assert all(isinstance(s, int) and 0 <= s < 2**32 for s in seeds)
    assert S.draw(I.he_normal).shape == (S.DRAWS, S.FAN_IN, S.FAN_OUT)


# ------------------------------------------------------- correct samplers pass
def _std_normal(scale):
    return lambda fi, fo, s: np.random.default_rng(s).standard_normal((fi, fo)) * scale(fi, fo)


def _two_u_minus_one(bound):
    return lambda fi, fo, s: bound(fi, fo) * (2 * np.random.default_rng(s).random((fi, fo)) - 1)


def _keywords(bound):
    return lambda fi, fo, s: np.random.default_rng(s).uniform(low=-bound(fi, fo), high=bound(fi, fo), size=(fi, fo))


CORRECT = [(name, name, getattr(I, name)) for name in I.NAMES] + [
    ("he_normal", "standard_normal*std", _std_normal(lambda fi, fo: math.sqrt(2 / fi))),
    ("xavier_normal", "standard_normal*std", _std_normal(lambda fi, fo: math.sqrt(2 / (fi + fo)))),
    ("xavier_normal", "normal(loc, scale) float32->64",
     lambda fi, fo, s: np.random.default_rng(s).normal(0, math.sqrt(2 / (fi + fo)), (fi, fo)).astype(np.float32)),
    ("he_uniform", "a*(2u-1)", _two_u_minus_one(lambda fi, fo: math.sqrt(6) / math.sqrt(fi))),
    ("xavier_uniform", "a*(2u-1)", _two_u_minus_one(lambda fi, fo: math.sqrt(6 / (fi + fo)))),
    ("uniform", "a*(2u-1)", _two_u_minus_one(lambda fi, fo: 1 / math.sqrt(fi))),
    ("uniform", "uniform(low=, high=)", _keywords(lambda fi, fo: fi**-0.5)),
    ("he_uniform", "uniform(low=, high=)", _keywords(lambda fi, fo: math.sqrt(6 / fi))),
    ("he_normal", "legacy-free Box-Muller",
     lambda fi, fo, s: math.sqrt(2 / fi) * np.sqrt(-2 * np.log1p(-np.random.default_rng(s).random((fi, fo))))
     * np.cos(2 * np.pi * np.random.default_rng(s + 1).random((fi, fo)))),
]


@pytest.mark.parametrize("name, how, sampler", CORRECT, ids=[f"{n}-{h}" for n, h, _ in CORRECT])
@pytest.mark.parametrize("fans", ROLES, ids=["400x200", "200x400"])
def test_correct_samplers_pass(name, how, sampler, fans):
    results = _judge(name, sampler, *fans)
    assert [r.name for r in results] == ["mean", "second_moment", "shape (Kolmogorov distance)", "support"]
    assert not _failed(results), [r.message for r in results if not r.passed]
    for r in results:
        assert r.message == "" and r.value <= r.bound
    w = sampler(*fans, 5)
    assert S.check_shape(w, *fans).passed and S.check_not_constant(w).passed
    assert S.check_same_seed(w, sampler(*fans, 5)).passed
    assert S.check_different_seeds(w, sampler(*fans, 6)).passed


@pytest.mark.parametrize("name", I.NAMES)
def test_margins_over_base_seeds(name):
    """A correct sampler stays well inside every bound on 8 more bases (measured:
    value/bound <= 0.7 for mean, second moment and shape; see the report)."""
    worst = {}
    for base in range(8):
        for r in _judge(name, getattr(I, name), base=base):
            assert r.passed, r.message
            worst[r.name] = max(worst.get(r.name, 0.0), r.value / r.bound)
    assert worst["shape (Kolmogorov distance)"] < 0.8 and worst["second_moment"] < 0.8


# ------------------------------------------------------------ mistakes fail
def _normal(std):
    return lambda fi, fo, s: np.random.default_rng(s).normal(0.0, std(fi, fo), (fi, fo))


def _uniform(lo, hi):
    return lambda fi, fo, s: np.random.default_rng(s).uniform(lo(fi, fo), hi(fi, fo), (fi, fo))


def _sym(a):
    return _uniform(lambda fi, fo: -a(fi, fo), a)


# (id, initializer judged, sampler, fans, the test that must fail, a phrase of its message)
MISTAKES = [
    ("he_normal fan_out", "he_normal", _normal(lambda fi, fo: math.sqrt(2 / fo)), (400, 200), "second_moment", "fan_out"),
    ("he_normal fan_out, transposed role", "he_normal", _normal(lambda fi, fo: math.sqrt(2 / fo)), (200, 400),
     "second_moment", "fan_out"),
    ("he_uniform fan_out", "he_uniform", _sym(lambda fi, fo: math.sqrt(6 / fo)), (200, 400), "second_moment", "fan_out"),
    ("uniform fan_out", "uniform", _sym(lambda fi, fo: 1 / math.sqrt(fo)), (400, 200), "support", "fan_out"),
    ("he_normal sqrt(1/fan)", "he_normal", _normal(lambda fi, fo: math.sqrt(1 / fi)), (400, 200), "second_moment", "a 2"),
    ("xavier_normal sqrt(1/fan)", "xavier_normal", _normal(lambda fi, fo: math.sqrt(1 / (fi + fo))), (400, 200),
     "second_moment", "a 2"),
    ("he_normal variance as std", "he_normal", _normal(lambda fi, fo: 2 / fi), (400, 200), "second_moment", "variance"),
    ("xavier_normal variance as std", "xavier_normal", _normal(lambda fi, fo: 2 / (fi + fo)), (200, 400),
     "second_moment", "variance"),
    ("he_uniform sqrt(3/fan)", "he_uniform", _sym(lambda fi, fo: math.sqrt(3 / fi)), (400, 200), "second_moment", "a 6"),
    ("xavier_uniform sqrt(3/fan)", "xavier_uniform", _sym(lambda fi, fo: math.sqrt(3 / (fi + fo))), (200, 400),
     "second_moment", "a 6"),
    ("xavier_normal drawn uniform", "xavier_normal", I.xavier_uniform, (400, 200), "shape (Kolmogorov distance)",
     "look uniform"),
    ("xavier_uniform drawn normal", "xavier_uniform", I.xavier_normal, (400, 200), "shape (Kolmogorov distance)",
     "look normal"),
    ("he_normal drawn uniform", "he_normal", I.he_uniform, (200, 400), "support", "truncated, or uniform"),
    ("uniform, the notes' asymmetric bound", "uniform", I.notes_uniform, (400, 200), "mean", "notes"),
    ("he_uniform, the notes' asymmetric bound", "he_uniform", I.notes_he_uniform, (400, 200), "mean", "notes"),
    ("uniform, the notes' bound, transposed role", "uniform", I.notes_uniform, (200, 400), "mean", "notes"),
    ("he_uniform from rng.random (mean a/2)", "he_uniform",
     lambda fi, fo, s: math.sqrt(6 / fi) * np.random.default_rng(s).random((fi, fo)), (400, 200), "mean", "rng.random"),
    ("he_normal std 2% too wide", "he_normal", _normal(lambda fi, fo: 1.02 * math.sqrt(2 / fi)), (400, 200),
     "second_moment", "+2"),
    ("xavier_uniform bound 2% too wide", "xavier_uniform", _sym(lambda fi, fo: 1.02 * math.sqrt(6 / (fi + fo))),
     (400, 200), "support", "never goes beyond"),
    ("he_normal truncated at 2 std", "he_normal",
     lambda fi, fo, s: math.sqrt(2 / fi) / 0.87962566 * np.clip(np.random.default_rng(s).standard_normal((fi, fo)), -2, 2),
     (400, 200), "support", "truncated"),
    ("constant", "he_normal", lambda fi, fo, s: np.full((fi, fo), math.sqrt(2 / fi)), (400, 200), "mean", "mean"),
    ("zeros", "xavier_uniform", lambda fi, fo, s: np.zeros((fi, fo)), (400, 200), "second_moment", "-100"),
]


@pytest.mark.parametrize("case", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_mistakes_fail(case):
    _, name, sampler, fans, test, phrase = case
    results = {r.name: r for r in _judge(name, sampler, *fans)}
    assert not results[test].passed, f"{test} passed: {results[test]}"
    assert phrase in results[test].message, results[test].message


# The mistake of each kind that is hardest to see, run on 20 base seeds: it must fail every time.
POWER = [m for m in MISTAKES if m[0] in (
    "he_normal fan_out", "he_normal sqrt(1/fan)", "he_normal variance as std", "he_uniform sqrt(3/fan)",
    "xavier_normal drawn uniform", "xavier_uniform drawn normal", "uniform, the notes' asymmetric bound",
    "he_normal std 2% too wide")]


@pytest.mark.parametrize("case", POWER, ids=[m[0] for m in POWER])
def test_power_over_20_bases(case):
    _, name, sampler, fans, test, _ = case
    for base in range(100, 120):
        results = {r.name: r for r in _judge(name, sampler, *fans, base=base)}
        assert not results[test].passed, f"base {base}: {results[test]}"


def test_seed_ignored_fails_every_time():
    def ignores(fi, fo, s):
        return np.random.default_rng().normal(0.0, math.sqrt(2 / fi), (fi, fo))

    for seed in S.sample_seeds(5, 20):
        r = S.check_same_seed(ignores(40, 20, seed), ignores(40, 20, seed))
        assert not r.passed and "default_rng(seed)" in r.message
    # ...while its samples alone look right: only the seed helper can catch it
    assert not _failed(_judge("he_normal", ignores))


def test_fixed_seed_and_transposed_array_and_constant():
    def fixed(fi, fo, s):
        return I.he_normal(fi, fo, 0)

    r = S.check_different_seeds(fixed(40, 20, 1), fixed(40, 20, 2))
    assert not r.passed and "seed argument" in r.message
    r = S.check_shape(I.xavier_normal(200, 400, 0), 400, 200)
    assert not r.passed and "transposed" in r.message
    assert not S.check_shape(np.zeros(10), 400, 200).passed
    assert not S.check_not_constant(np.full((4, 3), 0.1)).passed
    assert not S.check_not_constant(np.zeros((1, 1))).passed


def test_bad_values_fail_cleanly():
    d = I.distribution("he_normal", 400, 200)
    w = I.he_normal(400, 200, 0)
    w[3, 4] = np.nan
    results = S.judge_samples(w, d)
    assert len(results) == 4 and not any(r.passed for r in results) and "NaN" in results[0].message
    assert not any(r.passed for r in S.judge_samples(np.array([]), d))
    # small n: the bounds widen, a correct sample still passes
    assert not _failed(S.judge_samples(I.he_normal(40, 20, 0), I.distribution("he_normal", 40, 20)))


def test_message_names_the_formula():
    r = {r.name: r for r in _judge("he_normal", _normal(lambda fi, fo: math.sqrt(2 / fo)), 800, 200)}["second_moment"]
    assert r.message.startswith("the standard deviation of your samples is 0.100 but should be 0.0500 "
                                "(sqrt(2/fan_in) with fan_in=800, fan_out=200)")
    assert "did you use fan_out instead of fan_in?" in r.message

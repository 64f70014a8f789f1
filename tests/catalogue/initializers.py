"""Initializers: correct samplers written unlike the reference, and real mistakes.

CORRECT: each must pass every check of its function (statistics and seed).
MISTAKES: each must fail ``check`` with ``hint`` in the hint, the named
mistake or the summary.
"""

import math

import numpy as np

from tests.catalogue.cases import Alt, Bug


def _he_std(fi, fo):
    return math.sqrt(2 / fi)


def _xavier_std(fi, fo):
    return math.sqrt(2 / (fi + fo))


def _box_muller(std):
    """Normal numbers built by hand from uniform ones (Box-Muller)."""

    def sample(fan_in, fan_out, seed):
        rng = np.random.default_rng(seed)
        n = fan_in * fan_out
        u1 = 1.0 - rng.random(n)  # in (0, 1]: log is finite
        u2 = rng.random(n)
        z = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
        return (std(fan_in, fan_out) * z).reshape(fan_in, fan_out)

    return sample


def _rows_loop(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = math.sqrt(6 / (fan_in + fan_out))
    return np.array([[rng.uniform(-a, a) for _ in range(fan_out)] for _ in range(fan_in)])


def _keras_truncated_he(fan_in, fan_out, seed):
    """Keras' he_normal: a normal truncated at 2 std, widened to keep the variance."""
    rng = np.random.default_rng(seed)
    std = math.sqrt(2 / fan_in) / 0.87962566103423978
    out = rng.normal(0.0, std, size=fan_in * fan_out)
    bad = np.abs(out) > 2 * std
    while bad.any():
        out[bad] = rng.normal(0.0, std, size=int(bad.sum()))
        bad = np.abs(out) > 2 * std
    return out.reshape(fan_in, fan_out)


CORRECT = [
    Alt("uniform", lambda fi, fo, seed: (1 / math.sqrt(fi)) * (2 * np.random.default_rng(seed).random((fi, fo)) - 1),
        "a * (2 * rng.random(size) - 1)"),
    Alt("uniform", lambda fi, fo, seed: (np.random.default_rng(seed).random((fi, fo)) - 0.5) * 2 / np.sqrt(fi),
        "(rng.random - 0.5) * 2a"),
    Alt("uniform", lambda fi, fo, seed: np.random.Generator(np.random.PCG64(seed)).uniform(-fi ** -0.5, fi ** -0.5, (fi, fo)),
        "Generator(PCG64(seed)), the same as default_rng(seed)"),
    Alt("xavier_normal", lambda fi, fo, seed: np.random.default_rng(seed).standard_normal((fi, fo)) * _xavier_std(fi, fo),
        "rng.standard_normal(size) * std"),
    Alt("xavier_normal", _box_muller(_xavier_std), "Box-Muller by hand from rng.random"),
    Alt("xavier_normal", lambda fi, fo, seed: np.random.default_rng(seed).normal(0, _xavier_std(fi, fo), (fo, fi)).T,
        "drawn as (fan_out, fan_in) and transposed back"),
    Alt("xavier_uniform", _rows_loop, "a Python loop, one rng.uniform(-a, a) per entry"),
    Alt("xavier_uniform", lambda fi, fo, seed: math.sqrt(3) * _xavier_std(fi, fo) * np.random.default_rng(seed).uniform(-1, 1, (fi, fo)),
        "sqrt(3) * std * U(-1, 1)"),
    Alt("he_normal", lambda fi, fo, seed: np.sqrt(2.0 / fi) * np.random.default_rng(seed).normal(size=(fi, fo)),
        "std * rng.normal(size=...)"),
    Alt("he_normal", _box_muller(_he_std), "Box-Muller by hand from rng.random"),
    Alt("he_uniform", lambda fi, fo, seed: math.sqrt(6 / fi) * (2 * np.random.default_rng(seed).random((fi, fo)) - 1),
        "a * (2 * rng.random(size) - 1)"),
    Alt("he_uniform", lambda fi, fo, seed: np.random.default_rng(seed).uniform(-np.sqrt(6) / np.sqrt(fi), np.sqrt(6) / np.sqrt(fi), size=[fi, fo]),
        "sqrt(6)/sqrt(fan_in) written apart, size as a list"),
]


def _n(std):
    return lambda fi, fo, seed: np.random.default_rng(seed).normal(0.0, std(fi, fo), size=(fi, fo))


def _u(a):
    return lambda fi, fo, seed: np.random.default_rng(seed).uniform(-a(fi, fo), a(fi, fo), size=(fi, fo))


MISTAKES = [
    Bug("he_normal", "statistics", _n(lambda fi, fo: math.sqrt(2 / fo)), "you used fan_out"),
    Bug("he_normal", "statistics", _n(lambda fi, fo: 2 / fi), "the variance where the standard deviation goes"),
    Bug("he_normal", "statistics", _n(lambda fi, fo: math.sqrt(1 / fi)), "LeCun"),
    Bug("he_normal", "statistics", _keras_truncated_he, "not shaped like a normal"),
    Bug("xavier_uniform", "statistics", _u(lambda fi, fo: math.sqrt(3 / (fi + fo))), "a^2 / 3"),
    Bug("xavier_normal", "statistics", _u(lambda fi, fo: math.sqrt(6 / (fi + fo))), "this initializer is normal"),
    Bug("xavier_normal", "statistics", _n(lambda fi, fo: math.sqrt(2 / fi)), "fan_in + fan_out"),
    Bug("uniform", "statistics",
        lambda fi, fo, seed: np.random.default_rng(seed).uniform(-1 / math.sqrt(fi), 1 / math.sqrt(fo), (fi, fo)), "asymmetric"),
    Bug("uniform", "statistics", lambda fi, fo, seed: np.random.default_rng(seed).uniform(-1, 1, (fi, fo)), "1 / sqrt(fan_in), not 1"),
    Bug("uniform", "statistics", lambda fi, fo, seed: np.random.default_rng(seed).uniform(-fi ** -0.5, fi ** -0.5, (fo, fi)), "transposed"),
    Bug("he_uniform", "statistics",
        lambda fi, fo, seed: np.random.default_rng(seed).uniform(-math.sqrt(6 / fi), math.sqrt(6 / fo), (fi, fo)), "asymmetric"),
    Bug("he_uniform", "statistics", lambda fi, fo, seed: math.sqrt(6 / fi) * np.random.default_rng(seed).random((fi, fo)), "rng.random() is in [0, 1)"),
    Bug("he_uniform", "statistics", _n(lambda fi, fo: math.sqrt(2 / fi)), "this initializer is uniform"),
    Bug("he_normal", "seed", lambda fi, fo, seed: np.random.randn(fi, fo) * math.sqrt(2 / fi), "default_rng(seed)"),
    Bug("xavier_uniform", "seed", lambda fi, fo, seed: np.random.default_rng().uniform(-math.sqrt(6 / (fi + fo)), math.sqrt(6 / (fi + fo)), (fi, fo)),
        "default_rng(seed)"),
    Bug("uniform", "seed", lambda fi, fo, seed: np.random.default_rng(42).uniform(-fi ** -0.5, fi ** -0.5, (fi, fo)), "default_rng(seed)"),
]

"""Copied from the notes: the asymmetric uniform bound; and He normal's variance passed as the std."""

import numpy as np


def uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    # BUG: the notes' typo, U[-1/sqrt(fan_in), 1/sqrt(fan_out)]
    return rng.uniform(-1 / np.sqrt(fan_in), 1 / np.sqrt(fan_out), size=(fan_in, fan_out))


def xavier_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    return np.sqrt(2 / (fan_in + fan_out)) * rng.standard_normal((fan_in, fan_out))


def xavier_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))


def he_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    var = 2 / fan_in
    # BUG: rng.normal takes the standard deviation, not the variance
    return rng.normal(0.0, var, size=(fan_in, fan_out))


def he_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = np.sqrt(6 / fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))

"""The seed is ignored in two places, and Xavier normal is drawn from a uniform."""

import numpy as np


def uniform(fan_in, fan_out, seed):
    a = 1 / np.sqrt(fan_in)
    # BUG: np.random.rand uses numpy's global generator: the seed is ignored
    return a * (2 * np.random.rand(fan_in, fan_out) - 1)


def xavier_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    # BUG: the right variance, but a uniform distribution instead of a normal
    a = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))


def xavier_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))


def he_normal(fan_in, fan_out, seed):
    # BUG: a generator made without the seed gives a new array on every call
    rng = np.random.default_rng()
    return rng.normal(0.0, np.sqrt(2 / fan_in), size=(fan_in, fan_out))


def he_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = np.sqrt(6 / fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))

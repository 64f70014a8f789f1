"""Two slips with the formulas: He normal scaled by fan_out, Xavier uniform with a 3 for a 6."""

import numpy as np


def uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = 1 / np.sqrt(fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


def xavier_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0, np.sqrt(2 / (fan_in + fan_out)), size=(fan_in, fan_out))


def xavier_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    # BUG: the variance of U(-a, a) is a^2/3, so the bound needs a 6, not a 3
    a = np.sqrt(3 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))


def he_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    # BUG: He uses the number of inputs, fan_in
    return rng.normal(0, np.sqrt(2 / fan_out), size=(fan_in, fan_out))


def he_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = np.sqrt(6 / fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))

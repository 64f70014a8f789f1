"""Xavier normal returned as (fan_out, fan_in), as torch stores weights; He uniform from the notes."""

import numpy as np


def uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = 1 / np.sqrt(fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


def xavier_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    # BUG: torch's nn.Linear weight layout (out, in); this course uses x @ W, (in, out)
    return rng.normal(0.0, np.sqrt(2 / (fan_in + fan_out)), size=(fan_out, fan_in))


def xavier_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))


def he_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, np.sqrt(2 / fan_in), size=(fan_in, fan_out))


def he_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    # BUG: the notes' typo, U[-sqrt(6)/sqrt(fan_in), sqrt(6)/sqrt(fan_out)]
    return rng.uniform(-np.sqrt(6) / np.sqrt(fan_in), np.sqrt(6) / np.sqrt(fan_out), size=(fan_in, fan_out))

"""A correct submission, written the way a student might (several drawing styles)."""

import math

import numpy as np


def _uniform_matrix(rng, a, fan_in, fan_out):
    # rng.random is in [0, 1): stretch it to [-a, a)
    return a * (2.0 * rng.random((fan_in, fan_out)) - 1.0)


def uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    limit = 1 / math.sqrt(fan_in)
    return rng.uniform(low=-limit, high=limit, size=(fan_in, fan_out))


def xavier_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    sigma = np.sqrt(2.0 / (fan_in + fan_out))
    return rng.standard_normal((fan_in, fan_out)) * sigma


def xavier_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = np.sqrt(6.0) / np.sqrt(fan_in + fan_out)
    return _uniform_matrix(rng, a, fan_in, fan_out)


def he_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    std = math.sqrt(2 / fan_in)
    return rng.normal(0.0, std, size=(fan_in, fan_out))


def he_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    bound = math.sqrt(6 / fan_in)
    return rng.uniform(-bound, bound, (fan_in, fan_out))

"""Weight initializers: uniform, Xavier (Glorot) and He (Kaiming).

Fill in every function below (replace each ``raise NotImplementedError``).
Read GUIDE.md (guide.md in the assignment folder) first: it states exactly
what the checks test.

Run the checks on your file:

    dlgrade check initializers initializers.py

or, in the folder that ``dlgrade init initializers FOLDER`` made, simply

    pytest

The contract every function follows:

- signature ``name(fan_in, fan_out, seed)``; fan_in and fan_out are positive
  integers, seed an integer;
- returns a NEW float64 numpy array of shape (fan_in, fan_out): rows are the
  inputs of the layer, columns its outputs, so that a layer computes x @ W;
- draws its numbers from ``rng = np.random.default_rng(seed)``, created inside
  the function: the same seed gives the same array, different seeds give
  different arrays. Do not use ``np.random.seed`` or the global ``np.random.*``
  functions.

Any correct way of drawing is accepted (rng.normal(0, std, size),
rng.standard_normal(size) * std, rng.uniform(-a, a, size), ...): the checks
are statistical, not value by value.

Only numpy is needed. torch, tensorflow, jax, keras and scipy.stats are not
allowed in this assignment.
"""

import numpy as np


def uniform(fan_in, fan_out, seed):
    """Plain uniform initialisation (PyTorch's nn.Linear default).

        W[i, j] ~ U(-a, a)    with  a = 1 / sqrt(fan_in)

    Symmetric bounds: the course notes write the upper bound as
    1 / sqrt(fan_out), which is a typo (the weights would get a nonzero mean).

    Variance: a^2 / 3 = 1 / (3 * fan_in).

    Returns a float64 array of shape (fan_in, fan_out), drawn from
    np.random.default_rng(seed).
    """
    raise NotImplementedError


def xavier_normal(fan_in, fan_out, seed):
    """Xavier (Glorot) normal initialisation.

        W[i, j] ~ N(0, std^2)    with  std = sqrt(2 / (fan_in + fan_out))

    std is the STANDARD DEVIATION (rng.normal takes the std, not the variance).
    Variance: 2 / (fan_in + fan_out).

    Returns a float64 array of shape (fan_in, fan_out), drawn from
    np.random.default_rng(seed).
    """
    raise NotImplementedError


def xavier_uniform(fan_in, fan_out, seed):
    """Xavier (Glorot) uniform initialisation.

        W[i, j] ~ U(-a, a)    with  a = sqrt(6 / (fan_in + fan_out))

    Same variance as Xavier normal: a^2 / 3 = 2 / (fan_in + fan_out).

    Returns a float64 array of shape (fan_in, fan_out), drawn from
    np.random.default_rng(seed).
    """
    raise NotImplementedError


def he_normal(fan_in, fan_out, seed):
    """He (Kaiming) normal initialisation, for ReLU layers.

        W[i, j] ~ N(0, std^2)    with  std = sqrt(2 / fan_in)

    Not truncated (Keras' he_normal is; PyTorch's kaiming_normal_ is not).
    fan_out only sets the shape. Variance: 2 / fan_in.

    Returns a float64 array of shape (fan_in, fan_out), drawn from
    np.random.default_rng(seed).
    """
    raise NotImplementedError


def he_uniform(fan_in, fan_out, seed):
    """He (Kaiming) uniform initialisation, for ReLU layers.

        W[i, j] ~ U(-a, a)    with  a = sqrt(6 / fan_in)

    Symmetric bounds: the course notes write the upper bound as
    sqrt(6) / sqrt(fan_out), which is a typo. fan_out only sets the shape.
    Same variance as He normal: a^2 / 3 = 2 / fan_in.

    Returns a float64 array of shape (fan_in, fan_out), drawn from
    np.random.default_rng(seed).
    """
    raise NotImplementedError

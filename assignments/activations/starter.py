"""Activation functions and their derivatives.

Fill in every function below (replace each ``raise NotImplementedError``).
Read the student guide (guide.md in the assignment folder) first: it states
exactly what the checks test.

Run the checks on your file:

    dlgrade check activations activations.py

or, in the folder that ``dlgrade init activations FOLDER`` made, simply

    pytest

The contract every function follows:

- inputs are numpy float64 arrays of ANY shape, including 0-d; a 0-d input
  may also arrive as a numpy scalar (np.float64) or a Python float, so start
  with ``z = np.asarray(z, dtype=float)``. Hyper-parameters (alpha) are
  floats and are always passed explicitly;
- every function returns a NEW numpy array of the same shape as z (float64;
  an integer or boolean array with the right values is accepted too);
- pure: never modify an input in place (``z[z < 0] = 0`` changes the
  caller's array; work on a copy or build a new array);
- derivatives at a kink (z = 0) take the value of the LEFT branch (z <= 0):
  relu'(0) = 0, leaky_relu'(0) = alpha, prelu'(0) = alpha, elu'(0) = alpha,
  and step(0) = 0;
- stable: finite and accurate results for |z| up to 1e4 (exp(800) overflows
  to inf: keep it out of your results);
- softmax works over the LAST axis.

Only numpy (and the math module) is needed. torch, tensorflow, jax, keras,
scipy.special and scipy.stats are not allowed in this assignment.
"""

import numpy as np


# ---------------------------------------------------------------- step


def step(z):
    """Heaviside step function.

        step(z) = 1  if z > 0
                  0  if z <= 0        (so step(0) = 0)

    Input: z, any shape. Output: same shape, values 0.0 or 1.0.
    """
    raise NotImplementedError


# ---------------------------------------------------------------- sigmoid


def sigmoid(z):
    """Logistic sigmoid.

        sigmoid(z) = 1 / (1 + exp(-z))

    Output in [0, 1], same shape as z. Must stay finite and accurate for
    |z| up to 1e4 (sigmoid(-800) is 0 to double precision, sigmoid(800) is 1).
    """
    raise NotImplementedError


def sigmoid_grad(z):
    """Derivative of the sigmoid with respect to its input z.

        sigmoid'(z) = s * (1 - s)     with s = sigmoid(z)

    Note the argument is z, the INPUT of the sigmoid, not its output.
    Values in (0, 1/4], the maximum 1/4 at z = 0. Same shape as z; finite for
    |z| up to 1e4.
    """
    raise NotImplementedError


# ---------------------------------------------------------------- tanh


def tanh(z):
    """Hyperbolic tangent.

        tanh(z) = (exp(z) - exp(-z)) / (exp(z) + exp(-z))

    Output in [-1, 1], same shape as z. The formula as written overflows
    (inf / inf = NaN) for |z| around 710 and above: it must stay finite for
    |z| up to 1e4.
    """
    raise NotImplementedError


def tanh_grad(z):
    """Derivative of tanh with respect to z.

        tanh'(z) = 1 - tanh(z)**2

    Values in (0, 1], same shape as z; finite for |z| up to 1e4.
    """
    raise NotImplementedError


# ---------------------------------------------------------------- ReLU


def relu(z):
    """Rectified linear unit.

        relu(z) = max(0, z)  =  z if z > 0 else 0

    Same shape as z.
    """
    raise NotImplementedError


def relu_grad(z):
    """Derivative of ReLU with respect to z.

        relu'(z) = 1  if z > 0
                   0  if z <= 0       (so relu'(0) = 0, the left branch)

    Same shape as z.
    """
    raise NotImplementedError


# ---------------------------------------------------------------- leaky ReLU


def leaky_relu(z, alpha=0.01):
    """Leaky ReLU with slope alpha for non-positive inputs.

        leaky_relu(z) = z          if z > 0
                        alpha * z  if z <= 0

    alpha: a float, 0 < alpha < 1 (0.01 by default). Same shape as z.
    """
    raise NotImplementedError


def leaky_relu_grad(z, alpha=0.01):
    """Derivative of leaky ReLU with respect to z.

        leaky_relu'(z) = 1      if z > 0
                         alpha  if z <= 0     (so the value at 0 is alpha)

    Same shape as z (also when alpha is a plain float).
    """
    raise NotImplementedError


# ---------------------------------------------------------------- PReLU


def prelu(z, alpha):
    """Parametric ReLU: leaky ReLU whose slope alpha is learned.

        prelu(z, alpha) = max(0, z) + alpha * min(0, z)
                        = z          if z > 0
                          alpha * z  if z <= 0

    alpha: a float in the checks (in a network it can also be an array that
    broadcasts against z, one slope per channel). Output: the broadcast shape
    of z and alpha (the shape of z when alpha is a float).
    """
    raise NotImplementedError


def prelu_grad(z, alpha):
    """Partial derivatives of prelu, elementwise: returns the tuple (dz, dalpha).

        dz     = d prelu / d z     = 1      if z > 0
                                     alpha  if z <= 0    (alpha at z = 0)
        dalpha = d prelu / d alpha = min(0, z)
                                   = 0      if z > 0
                                     z      if z <= 0

    Both arrays have the broadcast shape of z and alpha (the shape of z when
    alpha is a float). dalpha is NOT summed: entry i is the derivative of
    output i with respect to the alpha it uses.
    """
    raise NotImplementedError


# ---------------------------------------------------------------- ELU


def elu(z, alpha=1.0):
    """Exponential linear unit.

        elu(z) = z                     if z > 0
                 alpha * (exp(z) - 1)  if z <= 0

    alpha: a float > 0 (1.0 by default). Same shape as z. Finite for |z| up
    to 1e4 (exp(1e4) is inf: do not let it reach the result).
    """
    raise NotImplementedError


def elu_grad(z, alpha=1.0):
    """Derivative of ELU with respect to z.

        elu'(z) = 1               if z > 0
                  alpha * exp(z)  if z <= 0     (so the value at 0 is alpha)

    Same shape as z; finite for |z| up to 1e4.
    """
    raise NotImplementedError


# ---------------------------------------------------------------- softplus


def softplus(z):
    """Softplus, a smooth ReLU.

        softplus(z) = ln(1 + exp(z))

    Same shape as z. The formula as written overflows for z > 709
    (exp(z) = inf); use the identity
        ln(1 + exp(z)) = max(z, 0) + ln(1 + exp(-|z|))
    or np.logaddexp(0, z). Finite and accurate for |z| up to 1e4.
    """
    raise NotImplementedError


def softplus_grad(z):
    """Derivative of softplus with respect to z.

        softplus'(z) = exp(z) / (1 + exp(z)) = sigmoid(z)

    Same shape as z; finite for |z| up to 1e4.
    """
    raise NotImplementedError


# ---------------------------------------------------------------- swish


def swish(z):
    """Swish (also called SiLU).

        swish(z) = z * sigmoid(z)

    Same shape as z; finite for |z| up to 1e4.
    """
    raise NotImplementedError


def swish_grad(z):
    """Derivative of swish with respect to z (product rule).

        swish'(z) = s + z * s * (1 - s)     with s = sigmoid(z)

    Same shape as z; finite for |z| up to 1e4.
    """
    raise NotImplementedError


# ---------------------------------------------------------------- softmax


def softmax(z):
    """Softmax over the LAST axis.

        softmax(z)[..., i] = exp(z[..., i]) / sum_j exp(z[..., j])

    z has at least one dimension: a vector of C scores (C,), or a batch
    (N, C) with one row per sample (more leading axes are batch axes too).
    Each row of the result sums to 1; same shape as z.

    Stability: subtract the row maximum first,
        m = z.max(axis=-1, keepdims=True);  e = exp(z - m)
    (softmax does not change), so that z = [1000, 1001, 1002] works.
    """
    raise NotImplementedError


def softmax_backward(dout, z):
    """Backward pass of softmax over the last axis (a vector-Jacobian product).

    dout: the upstream gradient dL/ds, same shape as z. Returns dL/dz, the
    gradient of sum(dout * softmax(z)) with respect to z:

        s  = softmax(z)
        dz = s * (dout - sum(dout * s, over the last axis, keepdims))

    (the Jacobian of one row is diag(s) - s s^T). Same shape as z; stable for
    huge z like softmax itself.
    """
    raise NotImplementedError

"""Reference activations: the oracles for the ``activations`` assignment.

Plain numpy float64, vectorised over any shape (0-d included), pure (inputs
are never modified). Every function returns a new ``np.ndarray`` of float64
(a 0-d array for a 0-d input). Each forward is followed by its derivative.

Stability: no overflow, no division by zero, no NaN for any finite input (the
tests run |z| up to 1e4 with over/divide/invalid raised). Results that
underflow, e.g. sigmoid(-800) = e^-800, round to 0 or a subnormal, which is the
correctly rounded value; numpy does not warn about underflow by default.

Kinks (CONVENTIONS.md): a derivative takes the value of the left branch, the
z <= 0 side, as PyTorch's autograd does: relu'(0) = 0, leaky_relu'(0) = alpha,
prelu'(0) = alpha, elu'(0) = alpha, step(0) = 0.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "step",
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
    "relu",
    "relu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "prelu",
    "prelu_grad",
    "elu",
    "elu_grad",
    "softplus",
    "softplus_grad",
    "swish",
    "swish_grad",
    "softmax",
    "softmax_backward",
    "log_softmax",
]


def _f64(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _out(x) -> np.ndarray:
    # ufuncs return numpy scalars for 0-d input: always hand back an ndarray.
    return np.asarray(x, dtype=np.float64)


# --------------------------------------------------------------- step
def step(z):
    """Heaviside step: 1 if z > 0 else 0 (so step(0) = 0), as float64.

    The notes call it "Heaviside" and give no value at 0; we take 0, the
    perceptron's convention (torch.heaviside(z, 0)). Its derivative is 0
    almost everywhere, so it has no ``_grad`` partner.
    """
    return _out(_f64(z) > 0)


# --------------------------------------------------------------- sigmoid
def sigmoid(z):
    """sigma(z) = 1 / (1 + e^-z).

    Stable form: with e = e^-|z| (never overflows), sigma = 1/(1 + e) for
    z >= 0 and e/(1 + e) for z < 0; both are accurate to an ulp, relative.
    """
    z = _f64(z)
    e = np.exp(-np.abs(z))
    return _out(np.where(z >= 0, 1.0, e) / (1.0 + e))


def sigmoid_grad(z):
    """sigma'(z) = sigma(z) (1 - sigma(z)), in (0, 1/4], maximum 1/4 at z = 0.

    Computed as sigma(z) sigma(-z) (1 - sigma(z) = sigma(-z)) so that the tails
    keep their relative accuracy instead of cancelling to 0. The notes'
    "between 0 and 0.25" is right: the range is (0, 1/4].
    """
    z = _f64(z)
    return _out(sigmoid(z) * sigmoid(-z))


# --------------------------------------------------------------- tanh
def tanh(z):
    """tanh(z) = (e^z - e^-z) / (e^z + e^-z), via np.tanh (stable)."""
    return _out(np.tanh(_f64(z)))


def tanh_grad(z):
    """tanh'(z) = 1 - tanh(z)^2 = 1 / cosh(z)^2.

    Computed as 4 e / (1 + e)^2 with e = e^(-2|z|): equal to 1 - tanh^2 but
    without the cancellation that rounds it to 0 for |z| > 19.
    """
    e = np.exp(-2.0 * np.abs(_f64(z)))
    return _out(4.0 * e / (1.0 + e) ** 2)


# --------------------------------------------------------------- relu
def relu(z):
    """ReLU(z) = max(0, z) (the notes: max(y, 0))."""
    z = _f64(z)
    return _out(np.where(z > 0, z, 0.0))


def relu_grad(z):
    """ReLU'(z) = 1 if z > 0 else 0 (0 at z = 0, as the notes and F.relu)."""
    return _out(_f64(z) > 0)


# --------------------------------------------------------------- leaky relu
def leaky_relu(z, alpha=0.01):
    """LeakyReLU(z) = z if z > 0 else alpha z (alpha = 0.01 in the notes)."""
    z, alpha = _f64(z), _f64(alpha)
    return _out(np.where(z > 0, z, alpha * z))


def leaky_relu_grad(z, alpha=0.01):
    """LeakyReLU'(z) = 1 if z > 0 else alpha (alpha at z = 0)."""
    z, alpha = _f64(z), _f64(alpha)
    return _out(np.where(z > 0, 1.0, alpha) + np.zeros_like(z))


# --------------------------------------------------------------- prelu
def prelu(z, alpha):
    """PReLU(z) = max(0, z) + alpha min(0, z): z if z > 0 else alpha z.

    alpha is learned; it may be a scalar or an array broadcastable to z (one
    slope per channel, say). The output has the broadcast shape. With
    alpha = 0.01 it is leaky ReLU, with alpha = 0 ReLU (as the notes say).
    """
    z, alpha = _f64(z), _f64(alpha)
    return _out(np.where(z > 0, z, alpha * z))


def prelu_grad(z, alpha):
    """Elementwise partial derivatives (dz, dalpha), each of the broadcast shape.

    dz = 1 if z > 0 else alpha (alpha at z = 0); dalpha = min(0, z).
    The gradient of a loss with respect to a shared alpha is the sum of
    upstream * dalpha over the entries that share it (what torch's F.prelu
    returns as weight.grad).
    """
    z, alpha = _f64(z), _f64(alpha)
    shape = np.broadcast_shapes(z.shape, alpha.shape)
    dz = np.where(z > 0, 1.0, alpha)
    dalpha = np.minimum(z, 0.0)
    return (
        _out(np.broadcast_to(dz, shape).copy()),
        _out(np.broadcast_to(dalpha, shape).copy()),
    )


# --------------------------------------------------------------- elu
def elu(z, alpha=1.0):
    """ELU(z) = z if z > 0 else alpha (e^z - 1) (the notes' definition).

    Computed with expm1 on min(z, 0), so the unused branch never overflows.
    Continuous at 0 for every alpha; differentiable there only for alpha = 1.
    The notes list "computationally expensive" as an advantage: it is its
    cost (the exponential); its advantages are no dead units, mean activation
    near 0, and smoothness (for alpha = 1).
    """
    z, alpha = _f64(z), _f64(alpha)
    return _out(np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0))))


def elu_grad(z, alpha=1.0):
    """ELU'(z) = 1 if z > 0 else alpha e^z (alpha at z = 0, the left branch)."""
    z, alpha = _f64(z), _f64(alpha)
    return _out(np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0))))


# --------------------------------------------------------------- softplus
def softplus(z):
    """softplus(z) = ln(1 + e^z) = logaddexp(0, z) = max(z, 0) + ln(1 + e^-|z|).

    Exact for all z: unlike torch's F.softplus (threshold=20), it does not
    switch to z above 20 (a relative difference below 1e-10 there).
    """
    return _out(np.logaddexp(0.0, _f64(z)))


def softplus_grad(z):
    """softplus'(z) = e^z / (1 + e^z) = sigmoid(z)."""
    return sigmoid(z)


# --------------------------------------------------------------- swish
def swish(z):
    """swish(z) = z sigmoid(z) (SiLU; the notes: y = z x sigmoid(z)).

    Its minimum is -0.2785 at z = -1.2785. The notes say it "only works when
    layers are > 40": wrong, it works at any depth (its gains over ReLU grew
    with depth in the original paper).
    """
    z = _f64(z)
    return _out(z * sigmoid(z))


def swish_grad(z):
    """swish'(z) = s (1 + z (1 - s)) with s = sigmoid(z).

    Computed with 1 - s = sigmoid(-z) to avoid cancellation for large z.
    """
    z = _f64(z)
    return _out(sigmoid(z) * (1.0 + z * sigmoid(-z)))


# --------------------------------------------------------------- softmax
def _last_axis(z: np.ndarray) -> np.ndarray:
    # A 0-d input is a single class: treat it as a vector of length 1.
    return z.reshape(1) if z.ndim == 0 else z


def softmax(z):
    """softmax(z)_i = e^(z_i) / sum_j e^(z_j), over the LAST axis.

    Computed as e^(z - m) / sum e^(z - m) with m the row maximum (softmax is
    unchanged by a shift), so no exponential overflows. A 0-d input is one
    class: softmax = 1.
    """
    z = _f64(z)
    v = _last_axis(z)
    e = np.exp(v - np.max(v, axis=-1, keepdims=True))
    return _out((e / np.sum(e, axis=-1, keepdims=True)).reshape(z.shape))


def softmax_backward(dout, z):
    """Vector-Jacobian product of softmax over the last axis.

    With s = softmax(z): dz = s * (dout - sum(dout * s, last axis, keepdims)),
    the gradient of sum(dout * softmax(z)) with respect to z (the Jacobian is
    diag(s) - s s^T, row by row).
    """
    dout, z = _f64(dout), _f64(z)
    s = softmax(z)
    d = _last_axis(dout)
    sv = _last_axis(s)
    dz = sv * (d - np.sum(d * sv, axis=-1, keepdims=True))
    return _out(dz.reshape(np.broadcast_shapes(dout.shape, z.shape)))


def log_softmax(z):
    """log_softmax(z)_i = z_i - log sum_j e^(z_j) = z_i - m - log sum_j e^(z_j - m).

    Over the last axis, m the row maximum: finite for every finite z (the
    naive log(softmax(z)) gives -inf where softmax underflows).
    """
    z = _f64(z)
    v = _last_axis(z)
    shifted = v - np.max(v, axis=-1, keepdims=True)
    out = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    return _out(out.reshape(z.shape))

"""Activations: correct implementations written unlike the reference, and real mistakes.

CORRECT: each must pass every check of its function.
MISTAKES: each must fail ``check`` with ``hint`` in the hint or the named mistake.
"""

import math

import numpy as np

from tests.catalogue.cases import Alt, Bug


def _sig_loop(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    for i, v in np.ndenumerate(z):
        out[i] = 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))
    return out


def _softmax_loop(z):
    z = np.array(z, dtype=float)
    flat = z.reshape(-1, z.shape[-1])
    out = np.zeros_like(flat)
    for r in range(flat.shape[0]):
        m = max(flat[r])
        e = [math.exp(v - m) for v in flat[r]]
        s = sum(e)
        out[r] = [v / s for v in e]
    return out.reshape(z.shape)


def _naive_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


CORRECT = [
    Alt("step", lambda z: np.where(z > 0, 1, 0), "integers from np.where"),
    Alt("step", lambda z: np.heaviside(z, 0.0), "np.heaviside"),
    Alt("step", lambda z: (z > 0) * 1.0, "bool times float"),
    Alt("sigmoid", _naive_sigmoid, "naive but accurate (exp overflows to inf, 1/inf = 0)"),
    Alt("sigmoid", _sig_loop, "a Python loop with a stable split"),
    Alt("sigmoid", lambda z: 0.5 * (1 + np.tanh(z / 2)), "via tanh"),
    Alt("sigmoid_grad", lambda z: _naive_sigmoid(z) * (1 - _naive_sigmoid(z)), "s(1-s)"),
    Alt("tanh", lambda z: 2 * _naive_sigmoid(2 * z) - 1, "via sigmoid"),
    Alt("tanh_grad", lambda z: 1 / np.cosh(z) ** 2, "sech^2 (overflows to inf, 1/inf = 0)"),
    Alt("relu", lambda z: z * (z > 0), "mask multiply"),
    Alt("relu", lambda z: np.where(z > 0, z, 0.0), "np.where"),
    Alt("relu_grad", lambda z: (z > 0).astype(int), "integer mask"),
    Alt("relu_grad", lambda z: np.greater(z, 0), "boolean mask"),
    Alt("leaky_relu", lambda z, alpha: np.maximum(z, alpha * z), "max(z, alpha z) for alpha < 1"),
    Alt("leaky_relu_grad", lambda z, alpha: np.where(z > 0, 1.0, alpha), "np.where"),
    Alt("prelu_grad", lambda z, alpha: (np.where(z > 0, 1.0, alpha * np.ones_like(z)), np.minimum(z, 0)), "min(z, 0)"),
    Alt("elu", lambda z, alpha: np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0))), "expm1"),
    Alt("elu_grad", lambda z, alpha: np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0))), "clipped exp"),
    Alt("softplus", lambda z: np.logaddexp(0, z), "logaddexp"),
    Alt("softplus", lambda z: np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))), "stable split"),
    Alt("softplus_grad", _naive_sigmoid, "naive sigmoid"),
    Alt("swish", lambda z: z * _naive_sigmoid(z), "naive sigmoid"),
    Alt("swish_grad", lambda z: _naive_sigmoid(z) + z * _naive_sigmoid(z) * (1 - _naive_sigmoid(z)), "expanded product rule"),
    Alt("softmax", _softmax_loop, "Python loops over rows"),
    Alt("softmax", lambda z: np.exp(z - np.max(z, axis=-1, keepdims=True)) / np.sum(np.exp(z - np.max(z, axis=-1, keepdims=True)), axis=-1, keepdims=True), "one-liner"),
    Alt("softmax_backward", lambda dout, z: np.einsum("...ij,...j->...i", _jac(z), dout), "the full Jacobian"),
]


def _jac(z):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    s = e / e.sum(axis=-1, keepdims=True)
    return s[..., :, None] * (np.eye(z.shape[-1]) - s[..., None, :])


MISTAKES = [
    Bug("step", "kink", lambda z: (z >= 0).astype(float), "z > 0"),
    Bug("step", "value", lambda z: np.sign(z), "np.sign"),
    Bug("sigmoid", "value", lambda z: 1 / (1 + np.exp(z)), "exponent is -z"),
    Bug("sigmoid_grad", "value", lambda z: z * (1 - z), "you used z itself"),
    Bug("sigmoid_grad", "stability", lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, "overflow"),
    Bug("tanh", "stability", lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)), "overflow"),
    Bug("tanh_grad", "value", lambda z: 1 - np.tanh(z), "squared"),
    Bug("relu_grad", "kink", lambda z: (z >= 0).astype(float), "z > 0, not z >= 0"),
    Bug("relu", "value", lambda z: (z > 0).astype(float), "returned the derivative"),
    Bug("leaky_relu_grad", "kink", lambda z, alpha: np.where(z >= 0, 1.0, alpha), "left branch"),
    Bug("leaky_relu", "value", lambda z, alpha: np.where(z > 0, z, 0.01 * z), ""),
    Bug("prelu_grad", "value", lambda z, alpha: (np.where(z > 0, 1.0, alpha) * np.ones_like(z), z.copy()), "min(0, z)"),
    Bug("elu", "value", lambda z, alpha: np.where(z > 0, z, alpha * np.exp(z)), "-1"),
    Bug("elu_grad", "value", lambda z, alpha: np.where(z > 0, 1.0, np.exp(z)), "alpha e^z"),
    Bug("softplus", "stability", lambda z: np.log(1 + np.exp(z)), "logaddexp"),
    Bug("softplus_grad", "value", lambda z: 1 / (1 + np.exp(z)), "sigmoid(-z)"),
    Bug("swish_grad", "value", lambda z: 1 / (1 + np.exp(-z)), "product rule"),
    Bug("softmax", "value", lambda z: np.exp(z) / np.exp(z).sum(axis=0, keepdims=True), "last axis"),
    Bug("softmax", "stability", lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True), "subtract"),
    Bug("softmax", "rows_sum_to_one", lambda z: np.exp(z - z.max(axis=-1, keepdims=True)), "divide by the sum"),
    Bug("softmax_backward", "value", lambda dout, z: _jac(z).diagonal(axis1=-2, axis2=-1) * dout, "not diagonal"),
    Bug("relu_grad", "gradcheck", lambda z: (z < 0).astype(float), "finite-difference"),
]


# Correct answers that wrap a library: graded by value like any other (an
# assignment may still forbid the import; that is the manifest's business).
try:
    import scipy.special as _sp

    CORRECT += [
        Alt("sigmoid", lambda z: _sp.expit(z), "scipy.special.expit"),
        Alt("softmax", lambda z: _sp.softmax(z, axis=-1), "scipy.special.softmax"),
        Alt("softplus", lambda z: np.logaddexp(0.0, z) if np.ndim(z) else float(_sp.log1p(np.exp(-abs(z))) + max(z, 0.0)), "scipy log1p"),
    ]
except ImportError:  # pragma: no cover
    pass

try:
    import torch as _torch

    def _t(fn):
        return lambda z, *a: fn(_torch.from_numpy(np.asarray(z, dtype=np.float64)), *a).numpy()

    CORRECT += [
        Alt("sigmoid", _t(_torch.sigmoid), "torch.sigmoid"),
        Alt("tanh", _t(_torch.tanh), "torch.tanh"),
        Alt("relu", _t(_torch.relu), "torch.relu"),
        Alt("elu", lambda z, alpha: _torch.nn.functional.elu(_torch.from_numpy(np.asarray(z, float)), alpha).numpy(), "F.elu"),
        Alt("softmax", lambda z: _torch.softmax(_torch.from_numpy(np.asarray(z, float)), dim=-1).numpy(), "torch.softmax"),
        Alt("swish", _t(_torch.nn.functional.silu), "F.silu"),
    ]
except ImportError:  # pragma: no cover
    pass

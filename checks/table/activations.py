"""Table entries: activation functions and their derivatives.

Value checks draw z away from kinks (the kink convention has a check of its
own, so one slip is not charged twice); stability checks use |z| up to 1e4.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from dlgrade.reference import activations as A

from .. import strategies as S
from ..spec import Entry, Mistake, Partner, Property, Sample



BIG = np.array([-1e4, -800.0, -40.0, -1e-8, 1e-8, 40.0, 800.0, 1e4])
GRID = np.linspace(-6.0, 6.0, 25) + 0.01  # 0.01: no grid point on the kink
KINK = np.array([-1.0, 0.0, 1.0])


def _z(kinks=(0.0,), lo=-20.0, hi=20.0, min_dims=0):
    def factory():
        return S.inputs(z=S.arrays(S.shapes(min_dims=min_dims), lo, hi)).map(
            lambda d: {"z": S.away_from(d["z"], kinks) if kinks else d["z"]}
        )

    return factory


def _z_alpha(lo_a=0.01, hi_a=0.5, kinks=(0.0,)):
    def factory():
        return S.inputs(z=S.arrays(None, -20.0, 20.0), alpha=st.floats(lo_a, hi_a)).map(
            lambda d: {"z": S.away_from(d["z"], kinks), "alpha": d["alpha"]}
        )

    return factory


def _samples(extra=None, **kw):
    base = [
        Sample("grid", {"z": GRID, **kw}, "25 points from -6 to 6"),
        Sample("scalar", {"z": np.array(0.5), **kw}, "a 0-d array"),
        Sample("matrix", {"z": np.array([[-2.0, -0.5, 0.25], [0.75, 1.5, 3.0]]), **kw}),
    ]
    return tuple(base + list(extra or ()))


def _edges(**kw):
    return (Sample("huge magnitudes", {"z": BIG, **kw}, "|z| up to 1e4"),)


def _kinks(**kw):
    return (Sample("at the kink", {"z": KINK, **kw}, "z = 0 takes the left branch"),)


def _smooth(d):
    return bool(np.all(np.abs(np.asarray(d["z"])) > 1e-3))


# ------------------------------------------------------------------- properties


def _symmetric(call, x):
    z = x["z"]
    a, b = np.asarray(call(z), float), np.asarray(call(-z), float)
    if a.shape != np.shape(z) or not np.allclose(a + b, 1.0, rtol=0, atol=1e-9):
        return "sigmoid(-z) should equal 1 - sigmoid(z)"
    return None


def _idempotent(call, x):
    once = call(x["z"])
    if not isinstance(once, (np.ndarray, float, int)) or np.shape(once) != np.shape(x["z"]):
        return "relu(z) should return an array of the shape of z"
    twice = call(np.asarray(once, dtype=float))
    if not np.array_equal(np.asarray(twice, float), np.asarray(once, float)):
        return "relu(relu(z)) should equal relu(z)"
    return None


def _rows_sum_to_one(call, x):
    s = np.asarray(call(x["z"]), float)
    if s.shape != x["z"].shape:
        return f"softmax returned shape {s.shape} for an input of shape {x['z'].shape}"
    sums = s.sum(axis=-1)
    if not np.allclose(sums, 1.0, rtol=0, atol=1e-9) or (s < 0).any():
        return f"each row (the last axis) should sum to 1; the sums are {np.round(sums, 6).tolist()}"
    return None


def _shift_invariant(call, x):
    z = x["z"]
    shift = np.linspace(-30, 30, z.shape[0]).reshape((z.shape[0],) + (1,) * (z.ndim - 1)) if z.ndim > 1 else 25.0
    a, b = np.asarray(call(z), float), np.asarray(call(z + shift), float)
    if a.shape != b.shape or not np.allclose(a, b, rtol=1e-9, atol=1e-12):
        return "softmax(z + c) should equal softmax(z) when c is constant along the last axis"
    return None


def _softmax_inputs():
    return S.inputs(z=S.arrays(S.shapes(min_dims=1, max_dims=3, min_side=1), -20.0, 20.0))


# ------------------------------------------------------------------- mistakes


def _sig(z):
    with np.errstate(all="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


M_STEP_GE = Mistake("step: 1 at zero", "step(0) must be 0: use z > 0, not z >= 0 (the Heaviside convention of the notes).", lambda z: (np.asarray(z) >= 0).astype(float))
M_STEP_SIGN = Mistake("step: used sign", "np.sign gives -1 for negative inputs; the step function is 0 there: use (z > 0).astype(float).", lambda z: np.sign(z))
M_SIG_FLIP = Mistake("sigmoid: sign of the exponent", "sigmoid(z) = 1 / (1 + exp(-z)): the exponent is -z, so sigmoid(0) = 0.5 and sigmoid grows with z.", lambda z: _sig(-np.asarray(z)))
M_SIGGRAD_Z = Mistake("sigmoid_grad: z instead of sigmoid(z)", "sigmoid'(z) = s (1 - s) with s = sigmoid(z); you used z itself in place of s.", lambda z: z * (1 - z))
M_SIGGRAD_PLUS = Mistake("sigmoid_grad: s(1 + s)", "sigmoid'(z) = s (1 - s): the factor is (1 - s), not (1 + s).", lambda z: _sig(z) * (1 + _sig(z)))
M_TANHGRAD_NOSQ = Mistake("tanh_grad: square missing", "tanh'(z) = 1 - tanh(z)**2: the tanh is squared.", lambda z: 1 - np.tanh(z))
M_TANHGRAD_Z = Mistake("tanh_grad: z instead of tanh(z)", "tanh'(z) = 1 - tanh(z)**2; you squared z instead of tanh(z).", lambda z: 1 - np.asarray(z) ** 2)
M_RELU_MASK = Mistake("relu: returned the mask", "relu(z) = max(0, z) returns z where z > 0, not 1: you returned the derivative.", lambda z: (np.asarray(z) > 0).astype(float))
M_RELUGRAD_GE = Mistake("relu_grad: 1 at zero", "relu'(0) = 0 by convention (the notes: 1 if z > 0, 0 if z <= 0): use z > 0, not z >= 0.", lambda z: (np.asarray(z) >= 0).astype(float))
M_RELUGRAD_RELU = Mistake("relu_grad: returned relu", "relu'(z) is 1 where z > 0 and 0 elsewhere; you returned max(0, z).", lambda z: np.maximum(z, 0.0))
M_LEAKY_BOTH = Mistake("leaky_relu: alpha on both sides", "leaky_relu(z) = z for z > 0 and alpha z for z <= 0: the positive side is not scaled.", lambda z, a: a * np.asarray(z))
M_LEAKYGRAD_ZERO = Mistake("leaky_relu_grad: 1 at zero", "At z = 0 the derivative takes the left branch, alpha (PyTorch's convention): use z > 0 for the slope 1.", lambda z, a: np.where(np.asarray(z) >= 0, 1.0, a))
M_LEAKYGRAD_ZERO_NEG = Mistake("leaky_relu_grad: 0 for negatives", "For z <= 0 the slope of leaky ReLU is alpha, not 0: that is plain ReLU's derivative.", lambda z, a: (np.asarray(z) > 0).astype(float))
M_PRELU_DA_Z = Mistake("prelu_grad: dalpha = z everywhere", "d prelu / d alpha = min(0, z): it is z only where z <= 0 and 0 where z > 0.", lambda z, a: (np.where(np.asarray(z) > 0, 1.0, a) + 0 * np.asarray(z), np.asarray(z) + 0.0 * a))
M_PRELU_DA_A = Mistake("prelu_grad: dalpha = alpha", "d prelu / d alpha = min(0, z), the input on the negative side, not alpha.", lambda z, a: (np.where(np.asarray(z) > 0, 1.0, a) + 0 * np.asarray(z), np.where(np.asarray(z) > 0, 0.0, a) + 0 * np.asarray(z)))
M_ELU_NO_MINUS1 = Mistake("elu: -1 missing", "elu(z) = alpha (e^z - 1) for z <= 0: without the -1 it jumps at 0 and never goes negative.", lambda z, a: np.where(np.asarray(z) > 0, z, a * np.exp(np.minimum(z, 0))))
M_ELUGRAD_NOALPHA = Mistake("elu_grad: alpha missing", "For z <= 0, elu'(z) = alpha e^z: the alpha of the forward stays in the derivative.", lambda z, a: np.where(np.asarray(z) > 0, 1.0, np.exp(np.minimum(z, 0))))
M_ELUGRAD_AT0 = Mistake("elu_grad: 1 at zero", "At z = 0 the derivative takes the left branch, alpha e^0 = alpha (PyTorch): use z > 0 for the slope 1.", lambda z, a: np.where(np.asarray(z) >= 0, 1.0, a * np.exp(np.minimum(z, 0))))
M_SOFTPLUS_NAIVE = Mistake("softplus: exp overflows", "log(1 + exp(z)) overflows for large z: use np.logaddexp(0, z), or max(z, 0) + log1p(exp(-|z|)).", lambda z: np.log1p(np.exp(z)))
M_SOFTPLUSGRAD_NEG = Mistake("softplus_grad: sigmoid(-z)", "softplus'(z) = sigmoid(z) = 1 / (1 + exp(-z)); you have sigmoid(-z).", lambda z: _sig(-np.asarray(z)))
M_SWISHGRAD_S = Mistake("swish_grad: product rule missing", "swish(z) = z s(z), so swish'(z) = s + z s (1 - s) by the product rule; you kept only s.", lambda z: _sig(z))
M_SWISHGRAD_PART = Mistake("swish_grad: first term missing", "swish'(z) = s + z s (1 - s): the product rule has two terms; you kept only z s (1 - s).", lambda z: z * _sig(z) * (1 - _sig(z)))
M_SOFTMAX_AXIS0 = Mistake("softmax: wrong axis", "Softmax normalises over the LAST axis (each row of a batch): use axis=-1 with keepdims=True.", lambda z: _softmax_axis(z, 0))
M_SOFTMAX_ALL = Mistake("softmax: over all entries", "Softmax normalises each row (the last axis) separately, not the whole array: sum with axis=-1, keepdims=True.", lambda z: _softmax_axis(z, None))
M_SOFTMAX_NOSHIFT = Mistake("softmax: no max shift", "exp overflows for large z (exp(1000) = inf, inf/inf = NaN): subtract z.max(axis=-1, keepdims=True) first; softmax does not change.", lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True))
M_SMB_DIAG = Mistake("softmax_backward: diagonal only", "The softmax Jacobian is not diagonal: dz = s * (dout - sum(dout * s, axis=-1, keepdims=True)); you used s (1 - s) dout.", lambda dout, z: A.softmax(z) * (1 - A.softmax(z)) * dout)
M_SMB_NOSUB = Mistake("softmax_backward: sum term missing", "dz = s * (dout - sum(dout * s)) along the last axis: the sum term comes from every output depending on every input.", lambda dout, z: A.softmax(z) * dout)


def _softmax_axis(z, axis):
    z = np.asarray(z, float)
    with np.errstate(all="ignore"):
        e = np.exp(z - (np.max(z, axis=axis, keepdims=True) if z.size else 0))
        return e / np.sum(e, axis=axis, keepdims=True)


def _elementwise(name, ref, forward=None, kinks=(0.0,), samples=None, edges=True, kink_check=False, props=(), mistakes=(), hint=""):
    return Entry(
        name=name, topic="activations", reference=ref, args=("z",),
        inputs=_z(kinks), samples=samples or _samples(), edges=_edges() if edges else (),
        kinks=_kinks() if kink_check else (), smooth=_smooth if kinks else None,
        partner=Partner(forward, "elementwise", ("z",)) if forward else None,
        properties=props, mistakes=mistakes, hint=hint,
    )


def _with_alpha(name, ref, forward=None, alpha_range=(0.01, 0.5), kink_check=True, mistakes=(), wrt=("z",)):
    a0 = 0.1 if alpha_range[0] <= 0.1 <= alpha_range[1] else alpha_range[0]
    return Entry(
        name=name, topic="activations", reference=ref, args=("z", "alpha"),
        inputs=_z_alpha(*alpha_range), samples=_samples(alpha=a0), edges=_edges(alpha=a0),
        kinks=_kinks(alpha=a0) if kink_check else (), smooth=_smooth,
        partner=Partner(forward, "elementwise", wrt) if forward else None, mistakes=mistakes,
    )


ENTRIES = (
    _elementwise("step", A.step, kink_check=True, mistakes=(M_STEP_GE, M_STEP_SIGN)),
    _elementwise("sigmoid", A.sigmoid, kinks=(), mistakes=(M_SIG_FLIP,),
                 props=(Property("symmetric", "sigmoid(-z) = 1 - sigmoid(z)", _symmetric),)),
    _elementwise("sigmoid_grad", A.sigmoid_grad, forward="sigmoid", kinks=(), mistakes=(M_SIGGRAD_Z, M_SIGGRAD_PLUS)),
    _elementwise("tanh", A.tanh, kinks=()),
    _elementwise("tanh_grad", A.tanh_grad, forward="tanh", kinks=(), mistakes=(M_TANHGRAD_NOSQ, M_TANHGRAD_Z)),
    _elementwise("relu", A.relu, kink_check=True, mistakes=(M_RELU_MASK,),
                 props=(Property("idempotent", "relu(relu(z)) = relu(z)", _idempotent),)),
    _elementwise("relu_grad", A.relu_grad, forward="relu", kink_check=True, mistakes=(M_RELUGRAD_GE, M_RELUGRAD_RELU)),
    _with_alpha("leaky_relu", A.leaky_relu, mistakes=(M_LEAKY_BOTH,)),
    _with_alpha("leaky_relu_grad", A.leaky_relu_grad, forward="leaky_relu", mistakes=(M_LEAKYGRAD_ZERO, M_LEAKYGRAD_ZERO_NEG)),
    _with_alpha("prelu", A.prelu, alpha_range=(0.01, 0.9)),
    _with_alpha("prelu_grad", A.prelu_grad, forward="prelu", alpha_range=(0.01, 0.9), wrt=("z", "alpha"),
                mistakes=(M_PRELU_DA_Z, M_PRELU_DA_A)),
    _with_alpha("elu", A.elu, alpha_range=(0.1, 2.0), kink_check=False, mistakes=(M_ELU_NO_MINUS1,)),
    _with_alpha("elu_grad", A.elu_grad, forward="elu", alpha_range=(0.1, 2.0), mistakes=(M_ELUGRAD_AT0, M_ELUGRAD_NOALPHA)),
    _elementwise("softplus", A.softplus, kinks=(), mistakes=(M_SOFTPLUS_NAIVE,)),
    _elementwise("softplus_grad", A.softplus_grad, forward="softplus", kinks=(), mistakes=(M_SOFTPLUSGRAD_NEG,)),
    _elementwise("swish", A.swish, kinks=()),
    _elementwise("swish_grad", A.swish_grad, forward="swish", kinks=(), mistakes=(M_SWISHGRAD_S, M_SWISHGRAD_PART)),
    Entry(
        name="softmax", topic="activations", reference=A.softmax, args=("z",), inputs=_softmax_inputs,
        samples=(
            Sample("vector", {"z": np.array([1.0, 2.0, 3.0])}),
            Sample("batch", {"z": np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])}, "two rows: each sums to 1"),
            Sample("batch of one", {"z": np.array([[0.5, -1.0, 2.0, 0.0]])}),
        ),
        edges=(Sample("huge logits", {"z": np.array([[1000.0, 1001.0, 1002.0], [-1e4, 0.0, 1e4]])}),),
        properties=(
            Property("rows_sum_to_one", "each row sums to 1", _rows_sum_to_one,
                     hint="Divide by the sum over the last axis: e / e.sum(axis=-1, keepdims=True)."),
            Property("shift_invariant", "softmax(z + c) = softmax(z)", _shift_invariant,
                     hint="Subtracting a constant per row must not change the result."),
        ),
        mistakes=(M_SOFTMAX_AXIS0, M_SOFTMAX_ALL, M_SOFTMAX_NOSHIFT),
    ),
    Entry(
        name="softmax_backward", topic="activations", reference=A.softmax_backward, args=("dout", "z"),
        inputs=lambda: S.arrays(S.shapes(min_dims=1, max_dims=3), -5.0, 5.0).flatmap(
            lambda z: S.inputs(dout=S.arrays(st.just(z.shape), -2.0, 2.0), z=st.just(z))
        ),
        samples=(
            Sample("vector", {"dout": np.array([1.0, 0.0, 0.0]), "z": np.array([1.0, 2.0, 3.0])}),
            Sample("batch", {"dout": np.array([[0.5, -1.0, 2.0], [1.0, 1.0, 1.0]]), "z": np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 4.0]])}),
        ),
        edges=(Sample("huge logits", {"dout": np.array([[1.0, -2.0, 0.5]]), "z": np.array([[1000.0, 1001.0, 1002.0]])}),),
        partner=Partner("softmax", "vjp", ("z",)),
        mistakes=(M_SMB_DIAG, M_SMB_NOSUB),
    ),
)

"""Table entries: losses and their gradients with respect to the prediction.

Reductions (CONVENTIONS.md): mse, mae, huber and bce are means over every
element; categorical cross-entropy sums over classes and averages over
samples; sum_squares_cost is the notes' sum. Gradients include the 1/n.
Binary targets are drawn as hard 0/1 labels, so the notes' piecewise form
(-log p if y = 1 else -log(1 - p)) is graded as the correct answer it is.
Probabilities stay in [1e-3, 1 - 1e-3], so clipping at 1e-7 (Keras) is fine.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from dlgrade.reference import activations as A
from dlgrade.reference import losses as L

from .. import strategies as S
from ..spec import Entry, Mistake, Partner, Property, Sample


def _quiet():
    return np.errstate(all="ignore")


# ------------------------------------------------------------------ strategies


def _regression(kink_at=None):
    """y, y_hat of one shape (0-d to 3-d); r = y_hat - y kept off the kinks."""

    def factory():
        def build(shape):
            base = S.inputs(y=S.arrays(st.just(shape), -10, 10), y_hat=S.arrays(st.just(shape), -10, 10))
            if kink_at is None:
                return base
            return base.map(lambda d: {**d, "y_hat": d["y"] + S.away_from(d["y_hat"] - d["y"], kink_at, 1e-3)})

        return S.shapes(max_dims=3).flatmap(build)

    return factory


def _huber_inputs():
    return S.shapes(max_dims=3).flatmap(lambda shape: S.inputs(
        y=S.arrays(st.just(shape), -5, 5), y_hat=S.arrays(st.just(shape), -5, 5), delta=st.floats(0.2, 3.0),
    )).map(lambda d: {**d, "y_hat": d["y"] + S.away_from(d["y_hat"] - d["y"], (-d["delta"], 0.0, d["delta"]), 1e-3)})


def _binary(logits=False):
    def factory():
        def build(shape):
            labels = S.arrays(st.just(shape), elements=st.sampled_from([0.0, 1.0]))
            pred = S.arrays(st.just(shape), -15, 15) if logits else S.probabilities(st.just(shape))
            return S.inputs(y=labels, **({"z": pred} if logits else {"y_hat": pred}))

        return S.shapes(max_dims=3).flatmap(build)

    return factory


def _categorical(logits=False):
    def factory():
        def build(nc):
            n, c = nc
            z = S.arrays(st.just((n, c)), -6, 6)
            pred = z if logits else z.map(lambda v: A.softmax(v))
            return S.inputs(y=S.one_hot(n, c), **({"z": pred} if logits else {"y_hat": pred}))

        return st.tuples(st.integers(1, 5), st.integers(2, 5)).flatmap(build)

    return factory


# ------------------------------------------------------------------ properties


def _call_float(call, *args) -> float:
    v = np.asarray(call(*args), dtype=float)
    if v.shape != ():
        raise AssertionError(f"returned shape {v.shape}; a loss is a single number")
    return float(v)


def _nonnegative(call, x):
    args = tuple(x.values())
    try:
        v = _call_float(call, *args)
    except AssertionError as exc:
        return str(exc)
    return None if v >= -1e-12 else f"the loss is {v:.6g}; a loss is never negative"


def _zero_at_target(call, x):
    y = x["y"]
    rest = tuple(v for k, v in x.items() if k not in ("y", "y_hat"))
    try:
        v = _call_float(call, y, y.copy(), *rest)
    except AssertionError as exc:
        return str(exc)
    return None if abs(v) <= 1e-12 else f"loss(y, y) = {v:.6g}; it must be 0 when the prediction equals the target"


def _huber_between(call, x):
    y, y_hat, d = x["y"], x["y_hat"], x["delta"]
    r = np.abs(y_hat - y)
    lo, hi = float(np.mean(d * (r - d / 2))), float(np.mean(r**2 / 2))
    try:
        v = _call_float(call, y, y_hat, d)
    except AssertionError as exc:
        return str(exc)
    if not (lo - 1e-9 * max(1, abs(lo)) <= v <= hi + 1e-9 * max(1, abs(hi))):
        return f"huber = {v:.6g} should lie between the linear piece's mean {lo:.6g} and the quadratic piece's {hi:.6g}"
    return None


NONNEG = Property("nonnegative", "a loss is >= 0", _nonnegative)
ZERO = Property("zero_at_target", "loss(y, y) = 0", _zero_at_target)


# ------------------------------------------------------------------ mistakes

def _r(y, y_hat):
    return np.asarray(y_hat, float) - np.asarray(y, float)


def _n(y):
    return max(np.asarray(y).size, 1)


SUM_NOT_MEAN = "The loss is a mean over all elements (PyTorch's default reduction), not a sum: divide by y.size."
GRAD_N = "The loss averages over n = y.size elements, so its gradient carries the same 1/n."

MISTAKES = {
    "mse": (
        Mistake("mse: sum instead of mean", SUM_NOT_MEAN, lambda y, p: float(np.sum(_r(y, p) ** 2))),
        Mistake("mse: half mean square", "MSE is mean((y - y_hat)^2), without the 1/2 some textbooks add.", lambda y, p: float(np.mean(_r(y, p) ** 2) / 2)),
        Mistake("mse: root taken", "MSE has no square root; sqrt(mean(r^2)) is the RMSE.", lambda y, p: float(np.sqrt(np.mean(_r(y, p) ** 2)))),
    ),
    "mse_grad": (
        Mistake("mse_grad: 1/n missing", GRAD_N, lambda y, p: 2 * _r(y, p)),
        Mistake("mse_grad: 2 missing", "d/dy_hat (y_hat - y)^2 = 2 (y_hat - y): the 2 from the square stays.", lambda y, p: _r(y, p) / _n(y)),
        Mistake("mse_grad: wrong sign", "The gradient is with respect to y_hat: 2 (y_hat - y) / n, not 2 (y - y_hat) / n.", lambda y, p: -2 * _r(y, p) / _n(y)),
    ),
    "mae": (
        Mistake("mae: sum instead of mean", SUM_NOT_MEAN, lambda y, p: float(np.sum(np.abs(_r(y, p))))),
    ),
    "mae_grad": (
        Mistake("mae_grad: 1/n missing", GRAD_N, lambda y, p: np.sign(_r(y, p))),
        Mistake("mae_grad: wrong sign", "d|y_hat - y|/dy_hat = sign(y_hat - y): you have sign(y - y_hat).", lambda y, p: -np.sign(_r(y, p)) / _n(y)),
        Mistake("mae_grad: 1 at zero", "At r = 0 the derivative of |r| is taken as 0 (np.sign(0) = 0), as PyTorch does.", lambda y, p: np.where(_r(y, p) >= 0, 1.0, -1.0) / _n(y)),
        Mistake("mae_grad: -1 at zero", "At r = 0 the derivative of |r| is taken as 0 (np.sign(0) = 0), as PyTorch does: np.where(r > 0, 1, -1) gives -1 there.", lambda y, p: np.where(_r(y, p) > 0, 1.0, -1.0) / _n(y)),
    ),
    "huber": (
        Mistake("huber: 1/2 missing", "Inside |r| <= delta, Huber is r^2 / 2: without the 1/2 it is not continuous at |r| = delta.", lambda y, p, d: float(np.mean(np.where(np.abs(_r(y, p)) <= d, _r(y, p) ** 2, d * (np.abs(_r(y, p)) - d / 2))))),
        Mistake("huber: linear offset missing", "Outside |r| <= delta, Huber is delta (|r| - delta / 2): the -delta^2/2 makes the pieces meet.", lambda y, p, d: float(np.mean(np.where(np.abs(_r(y, p)) <= d, _r(y, p) ** 2 / 2, d * np.abs(_r(y, p)))))),
        Mistake("huber: sum instead of mean", SUM_NOT_MEAN, lambda y, p, d: float(np.sum(np.where(np.abs(_r(y, p)) <= d, _r(y, p) ** 2 / 2, d * (np.abs(_r(y, p)) - d / 2))))),
    ),
    "huber_grad": (
        Mistake("huber_grad: 1/n missing", GRAD_N, lambda y, p, d: np.clip(_r(y, p), -d, d)),
        Mistake("huber_grad: wrong sign", "The gradient is with respect to y_hat: clip(y_hat - y, -delta, delta) / n.", lambda y, p, d: -np.clip(_r(y, p), -d, d) / _n(y)),
    ),
    "binary_cross_entropy": (
        Mistake("bce: sum instead of mean", SUM_NOT_MEAN, lambda y, p: float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))),
        Mistake("bce: minus sign missing", "BCE = -(y log p + (1 - y) log(1 - p)): the logs of probabilities are negative, the loss is not.", lambda y, p: float(np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))),
        Mistake("bce: log10", "Cross-entropy uses the natural logarithm (np.log), not np.log10.", lambda y, p: float(-np.mean(y * np.log10(p) + (1 - y) * np.log10(1 - p)))),
    ),
    "binary_cross_entropy_grad": (
        Mistake("bce_grad: logit gradient", "(p - y) is the gradient with respect to the logit z; with respect to the probability p it is (p - y) / (p (1 - p)) / n.", lambda y, p: (p - y) / _n(y)),
        Mistake("bce_grad: 1/n missing", GRAD_N, lambda y, p: (p - y) / (p * (1 - p))),
    ),
    "binary_cross_entropy_logits": (
        Mistake("bce_logits: naive log of sigmoid", "log(sigmoid(z)) underflows to log(0) = -inf for large |z|: use max(z, 0) - z y + log1p(exp(-|z|)).", lambda y, z: float(-np.mean(y * np.log(1 / (1 + np.exp(-z))) + (1 - y) * np.log(1 - 1 / (1 + np.exp(-z)))))),
    ),
    "binary_cross_entropy_logits_grad": (
        Mistake("bce_logits_grad: 1/n missing", GRAD_N, lambda y, z: A.sigmoid(z) - y),
    ),
    "categorical_cross_entropy": (
        Mistake("cce: averaged over classes", "Sum over the classes, then average over the N samples: divide by N = y.shape[0], not by y.size.", lambda y, p: float(-np.mean(y * np.log(p)))),
        Mistake("cce: sum over samples", "Categorical cross-entropy averages over the samples: divide the sum by N = y.shape[0].", lambda y, p: float(-np.sum(y * np.log(p)))),
        Mistake("cce: minus sign missing", "CCE = -sum y log p: log p <= 0, so the loss needs the minus sign.", lambda y, p: float(np.sum(y * np.log(p)) / y.shape[0])),
    ),
    "categorical_cross_entropy_grad": (
        Mistake("cce_grad: logit gradient", "(p - y) / N is the gradient with respect to the logits; with respect to the probabilities it is -y / p / N.", lambda y, p: (p - y) / y.shape[0]),
        Mistake("cce_grad: 1/N missing", "The loss averages over N samples, so the gradient is -y / p / N.", lambda y, p: -y / p),
        Mistake("cce_grad: averaged over classes", "Divide by N = y.shape[0], the number of samples, not by y.size.", lambda y, p: -y / p / y.size),
    ),
    "categorical_cross_entropy_logits": (
        Mistake("cce_logits: no max shift", "exp overflows for large logits: use log-softmax z - m - log(sum(exp(z - m))) with m the row maximum.", lambda y, z: float(-np.sum(y * np.log(np.exp(z) / np.exp(z).sum(-1, keepdims=True))) / y.shape[0])),
    ),
    "categorical_cross_entropy_logits_grad": (
        Mistake("cce_logits_grad: 1/N missing", "The loss averages over N samples: (softmax(z) - y) / N.", lambda y, z: A.softmax(z) - y),
    ),
    "sum_squares_cost": (
        Mistake("cost: mean instead of sum", "The notes' cost is the sum of (y - y_hat)^2, not the mean (that is mse).", lambda y, p: float(np.mean(_r(y, p) ** 2))),
    ),
    "sum_squares_cost_grad": (
        Mistake("cost_grad: wrong sign", "The gradient is with respect to y_hat: 2 (y_hat - y).", lambda y, p: -2 * _r(y, p)),
        Mistake("cost_grad: 2 missing", "d/dy_hat (y_hat - y)^2 = 2 (y_hat - y).", lambda y, p: _r(y, p)),
    ),
}


# ------------------------------------------------------------------ entries

REG = {"y": np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.5]]), "y_hat": np.array([[0.5, -1.0, 2.5], [2.0, 0.25, -4.0]])}
SCALAR = {"y": np.array(1.5), "y_hat": np.array(-0.5)}
BIN = {"y": np.array([1.0, 0.0, 1.0, 0.0]), "y_hat": np.array([0.9, 0.2, 0.3, 0.6])}
CAT = {"y": np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), "y_hat": np.array([[0.7, 0.2, 0.1], [0.2, 0.3, 0.5]])}
CAT_Z = {"y": CAT["y"], "z": np.array([[2.0, 0.5, -1.0], [0.0, 1.0, 3.0]])}


def _pair(name, grad_name, factory, samples, props=(), args=("y", "y_hat"), kinks=(), edges=(), smooth=None, hint=""):
    fwd = Entry(name=name, topic="losses", reference=getattr(L, name), args=args, inputs=factory,
                samples=samples, properties=props, mistakes=MISTAKES.get(name, ()), edges=edges, hint=hint)
    grad = Entry(name=grad_name, topic="losses", reference=getattr(L, grad_name), args=args, inputs=factory,
                 samples=samples, kinks=kinks, edges=edges, smooth=smooth, partner=Partner(name, "scalar", (args[1],)),
                 mistakes=MISTAKES.get(grad_name, ()), hint=hint)
    return fwd, grad


def _off_kink(d):
    r = np.abs(np.asarray(d["y_hat"]) - np.asarray(d["y"]))
    return bool(np.all(r > 1e-3)) and ("delta" not in d or bool(np.all(np.abs(r - d["delta"]) > 1e-3)))


def _prob_smooth(d):
    """Keep the gradcheck's central differences (step ~6e-6) where -log p is
    tame: its third derivative 2/p^3 makes the difference quotient wrong by
    ~1e-5 relative at p = 1e-3, which a correct student must not pay for."""
    p = np.asarray(d["y_hat"])
    return bool(np.all((p > 0.01) & (p < 0.99)))


def _cat_smooth(d):
    p, y = np.asarray(d["y_hat"]), np.asarray(d["y"])
    return bool(np.all(p[y == 1] > 0.01))


def _samples(base, **extra):
    return (Sample("matrix", {**base, **extra}), Sample("scalar", {**SCALAR, **extra}, "0-d arrays: n = 1"))


ENTRIES = (
    *_pair("mse", "mse_grad", _regression(), _samples(REG), props=(NONNEG, ZERO)),
    *_pair("mae", "mae_grad", _regression((0.0,)), _samples(REG), props=(NONNEG, ZERO), smooth=_off_kink,
           kinks=(Sample("r = 0", {"y": np.array([1.0, 2.0, 3.0]), "y_hat": np.array([1.0, 2.5, 2.0])}, "sign(0) = 0"),)),
    *_pair("huber", "huber_grad", _huber_inputs, _samples(REG, delta=1.0), args=("y", "y_hat", "delta"), smooth=_off_kink,
           props=(NONNEG, ZERO, Property("between_pieces", "mean linear piece <= huber <= mean quadratic piece", _huber_between))),
    *_pair("binary_cross_entropy", "binary_cross_entropy_grad", _binary(), (Sample("four labels", BIN),), props=(NONNEG,), smooth=_prob_smooth),
    *_pair("binary_cross_entropy_logits", "binary_cross_entropy_logits_grad", _binary(True),
           (Sample("four labels", {"y": BIN["y"], "z": np.array([2.0, -1.0, 0.5, 0.25])}),), args=("y", "z"),
           edges=(Sample("huge logits", {"y": np.array([1.0, 0.0, 1.0, 0.0]), "z": np.array([1e4, -1e4, -800.0, 800.0])}),)),
    *_pair("categorical_cross_entropy", "categorical_cross_entropy_grad", _categorical(), (Sample("two samples", CAT),), props=(NONNEG,), smooth=_cat_smooth),
    *_pair("categorical_cross_entropy_logits", "categorical_cross_entropy_logits_grad", _categorical(True),
           (Sample("two samples", CAT_Z),), args=("y", "z"),
           edges=(Sample("huge logits", {"y": CAT["y"], "z": np.array([[1000.0, 0.0, -1000.0], [-1e4, 0.0, 1e4]])}),)),
    *_pair("sum_squares_cost", "sum_squares_cost_grad", _regression(), _samples(REG), props=(NONNEG, ZERO)),
)

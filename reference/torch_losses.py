"""PyTorch cross-check of the losses (``dlgrade verify``), in float64.

Values against ``torch.nn.functional`` (mean reduction unless noted);
gradients against autograd of the torch loss with respect to the prediction
(or the logits). Inputs come from a fixed numpy seed (99); elementwise losses
use (4, 5) arrays and a 0-d pair, categorical ones (6, 4) arrays. Errors are
``max |ours - torch| / max(1, |torch|)``.

torch forms used: mse -> F.mse_loss, mae -> F.l1_loss, huber ->
F.huber_loss(delta), bce -> F.binary_cross_entropy (which clamps each log at
-100 and divides its gradient by max(p (1 - p), eps), as ours: checked at
p = 0, 1, 1e-50 and 1e-13 too; torch's eps is 1e-12 rounded to float32,
9.99999996e-13 (measured), so where the floor is active its gradient is 4e-9
larger, relative, than ours with eps = 1e-12 exactly), bce from logits -> F.binary_cross_entropy_with_logits,
cce on probabilities -> F.cross_entropy(log p, y) for the value (equal when
rows of p sum to 1) and F.kl_div(log p, y, "batchmean") for the gradient (the
same up to a term free of p), cce from logits -> F.cross_entropy with
probability targets (rows of y summing to 1 and to 1.5), the class-index forms
-> F.nll_loss(log p, labels) and F.cross_entropy(z, labels), the notes' cost ->
F.mse_loss(reduction="sum"). At r = 0 F.l1_loss's gradient is 0 (sign(0)), and
F.huber_loss's at |r| = delta is delta sign(r), as ours (measured).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from dlgrade.reference import losses as L
from dlgrade.reference.verify import VerifyCheck

__all__ = ["CHECKS"]

_rng = np.random.default_rng(99)
SHAPE = (4, 5)
Y = _rng.normal(0.0, 2.0, SHAPE)
P = Y + _rng.normal(0.0, 1.5, SHAPE)
REG = [(Y, P), (np.float64(0.3), np.float64(-1.2)), (Y * 1e3, P * 1e3)]
Y01 = _rng.uniform(0.0, 1.0, SHAPE)
PROB = [(Y01, _rng.uniform(0.02, 0.98, SHAPE)), ((Y01 > 0.5) * 1.0, _rng.uniform(0.02, 0.98, SHAPE))]
PROB_EDGE = (np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.3]), np.array([0.0, 1.0, 0.0, 1.0, 1e-50, 1e-13]))
LOGIT = [(Y01, _rng.normal(0.0, 4.0, SHAPE)), (Y01, np.array([0.0, 40.0, -40.0, 800.0, -1e4] * 4).reshape(SHAPE))]

NS, C = 6, 4
LABELS = _rng.integers(0, C, NS)
ONEHOT = np.eye(C)[LABELS]
_logits = _rng.normal(0.0, 2.0, (NS, C))
ZC = [_logits, _logits * 200.0]
PC = np.exp(_logits) / np.exp(_logits).sum(-1, keepdims=True)
SOFT = _rng.dirichlet(np.ones(C), NS)


def _t(x, grad=False):
    return torch.tensor(np.asarray(x, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


def _err(got, want) -> float:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        raise AssertionError(f"shape {got.shape}, torch gives {want.shape}")
    if not np.all(np.isfinite(got)):
        raise AssertionError("non-finite output")
    return float(np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want)), initial=0.0))


def _torch_loss_and_grad(tloss, y, p, *params):
    """torch value and d loss / d prediction; y passed as a tensor unless integer labels."""
    pt = _t(p, True)
    yt = torch.as_tensor(y) if np.asarray(y).dtype.kind in "iu" else _t(y)
    out = tloss(pt, yt, *params)
    (g,) = torch.autograd.grad(out, pt)
    return out.item(), g.numpy()


def _strict(run):
    def wrapped():
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            return run()

    return wrapped


def _pair(name, loss, grad, tloss, cases, params=((),), tval=None):
    """Two checks: the loss value and its gradient, both against one torch loss.

    tval: a different torch form for the value only (default: tloss).
    """

    def value_run():
        worst = 0.0
        for y, p in cases:
            for prm in params:
                want = (tval or tloss)(_t(p), torch.as_tensor(y) if np.asarray(y).dtype.kind in "iu" else _t(y), *prm)
                got = loss()(y, p, *prm)
                if not isinstance(got, float):
                    raise AssertionError(f"{name} returned {type(got).__name__}, not a Python float")
                worst = max(worst, _err(got, want.item()))
        return worst

    def grad_run():
        worst = 0.0
        for y, p in cases:
            for prm in params:
                _, want = _torch_loss_and_grad(tloss, y, p, *prm)
                worst = max(worst, _err(grad()(y, p, *prm), want))
        return worst

    return [
        VerifyCheck(name, f"{name} vs torch {(tval or tloss).__name__}", _strict(value_run)),
        VerifyCheck(f"{name}_grad", f"{name}_grad vs autograd of {tloss.__name__}", _strict(grad_run)),
    ]


def _nll_log(p, labels):
    return F.nll_loss(torch.log(p), labels)


def _ce_log(p, y):
    return F.cross_entropy(torch.log(p), y)


def _kl_batchmean(p, y):
    return F.kl_div(torch.log(p), y, reduction="batchmean")


def _sum_mse(p, y):
    return F.mse_loss(p, y, reduction="sum")


def _huber(p, y, delta):
    return F.huber_loss(p, y, delta=delta)


@_strict
def _bce_edges_value():
    y, p = PROB_EDGE
    with torch.no_grad():
        want = F.binary_cross_entropy(_t(p), _t(y)).item()
    return _err(L.binary_cross_entropy(y, p), want)


@_strict
def _bce_edges_grad():
    y, p = PROB_EDGE
    _, want = _torch_loss_and_grad(F.binary_cross_entropy, y, p)
    return _err(L.binary_cross_entropy_grad(y, p), want)


@_strict
def _kinks():
    y = np.array([0.5, -1.0, 2.0, 0.0])
    _, want = _torch_loss_and_grad(F.l1_loss, y, y.copy())
    if not np.array_equal(L.mae_grad(y, y.copy()), want):
        raise AssertionError(f"mae_grad at r = 0: ours {L.mae_grad(y, y.copy())}, torch {want}")
    p = y + np.array([1.0, -1.0, 2.0, -2.0])
    for d in (1.0, 2.0):
        _, want = _torch_loss_and_grad(_huber, y, p, d)
        if np.max(np.abs(L.huber_grad(y, p, d) - want)) > 1e-15:
            raise AssertionError(f"huber_grad at |r| = delta = {d}: ours {L.huber_grad(y, p, d)}, torch {want}")
    return 0.0


def _ce_soft_cases():
    return [(ONEHOT, ZC[0]), (SOFT, ZC[0]), (ONEHOT, ZC[1]), (SOFT * 1.5, ZC[0])]


CHECKS: list[VerifyCheck] = [
    *_pair("mse", lambda: L.mse, lambda: L.mse_grad, F.mse_loss, REG),
    *_pair("mae", lambda: L.mae, lambda: L.mae_grad, F.l1_loss, REG),
    *_pair("huber", lambda: L.huber, lambda: L.huber_grad, _huber, REG, params=((1.0,), (0.5,), (2.5,))),
    *_pair("binary_cross_entropy", lambda: L.binary_cross_entropy, lambda: L.binary_cross_entropy_grad,
           F.binary_cross_entropy, PROB),
    VerifyCheck("binary_cross_entropy", "at p = 0, 1, 1e-50, 1e-13: torch's log clamp at -100", _bce_edges_value),
    VerifyCheck(
        "binary_cross_entropy_grad",
        "at p = 0, 1, 1e-50, 1e-13: denominator floor; torch's is float32(1e-12) = 9.99999996e-13, ours 1e-12",
        _bce_edges_grad,
        tol=5e-9,
    ),
    *_pair("binary_cross_entropy_logits", lambda: L.binary_cross_entropy_logits,
           lambda: L.binary_cross_entropy_logits_grad, F.binary_cross_entropy_with_logits, LOGIT),
    *_pair("categorical_cross_entropy", lambda: L.categorical_cross_entropy, lambda: L.categorical_cross_entropy_grad,
           _kl_batchmean, [(ONEHOT, PC), (SOFT, PC)], tval=_ce_log),
    *_pair("categorical_cross_entropy_logits", lambda: L.categorical_cross_entropy_logits,
           lambda: L.categorical_cross_entropy_logits_grad, F.cross_entropy, _ce_soft_cases()),
    *_pair("categorical_cross_entropy_indices", lambda: L.categorical_cross_entropy_indices,
           lambda: L.categorical_cross_entropy_indices_grad, _nll_log, [(LABELS, PC)]),
    *_pair("cross_entropy_logits_indices", lambda: L.cross_entropy_logits_indices,
           lambda: L.cross_entropy_logits_indices_grad, F.cross_entropy, [(LABELS, z) for z in ZC]),
    *_pair("sum_squares_cost", lambda: L.sum_squares_cost, lambda: L.sum_squares_cost_grad, _sum_mse, REG),
    VerifyCheck("mae_grad", "kinks: mae_grad at r = 0 and huber_grad at |r| = delta equal torch autograd", _kinks),
]

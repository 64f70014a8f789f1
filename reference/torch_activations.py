"""PyTorch cross-check of the activations (``dlgrade verify``), in float64.

Values are compared with ``torch`` / ``torch.nn.functional`` on a fixed
random (4, 5, 6) array (numpy seed 1234) and on edge points (0, +-1e-8, up to
+-1e4); gradients are compared with autograd of the torch forward, contracted
with a random upstream gradient, on the random array moved away from the kink
at 0. Errors are ``max |ours - torch| / max(1, |torch|)``.

What torch does at the kinks (measured, torch 2.13.0 CPU): F.relu's gradient
at 0 is 0, F.leaky_relu's is the slope, F.elu's is alpha, F.prelu's is the
weight (and 0 for the weight): all the left branch, as ours. Other spellings
differ at 0: ``z.clamp(min=0)`` gives 1 and ``torch.maximum(z, 0)`` 0.5, so the
kink checks use the F.* forms. torch.heaviside needs the value at 0 given
(we pass 0). F.softplus switches to z above ``threshold=20`` (a difference up
to ln(1 + e^-20) = 2.1e-9); we compare with threshold=40, where the switch is
exact in float64, and check the default only to its documented 2.1e-9.
F.prelu takes one weight per channel (dim 1) and returns weight.grad summed
over the entries sharing it: we compare our elementwise dalpha summed so.

References are looked up at call time (``A.relu``), so a patched broken one
fails here.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from dlgrade.reference import activations as A
from dlgrade.reference.verify import VerifyCheck

__all__ = ["CHECKS"]

_rng = np.random.default_rng(1234)
Z = _rng.normal(0.0, 3.0, (4, 5, 6))
Z_SMOOTH = np.where(np.abs(Z) < 0.05, 0.5, Z)  # away from the kink at 0
DOUT = _rng.normal(0.0, 1.0, Z.shape)
EDGE = np.array([0.0, 1e-8, -1e-8, 1.0, -1.0, 19.5, 20.5, 30.0, -30.0, 100.0, -100.0, 800.0, -800.0, 1e4, -1e4])


def _t(x, grad=False):
    return torch.tensor(np.asarray(x, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


def _err(got, want) -> float:
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        raise AssertionError(f"shape {got.shape}, torch gives {want.shape}")
    if not np.all(np.isfinite(got)):
        raise AssertionError("non-finite output")
    return float(np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want)), initial=0.0))


def _vjp(tfn, z, dout, *params):
    """autograd: d sum(dout * tfn(z)) / dz."""
    zt = _t(z, True)
    (g,) = torch.autograd.grad(tfn(zt, *params), zt, grad_outputs=_t(dout))
    return g.numpy()


def _strict(run):
    def wrapped():
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            return run()

    return wrapped


def _value(name, ref, tfn, params=((),), points=(Z, EDGE), tol=1e-12, what=""):
    @_strict
    def run():
        worst = 0.0
        for p in params:
            for x in points:
                with torch.no_grad():
                    want = tfn(_t(x), *p).numpy()
                worst = max(worst, _err(ref()(x, *p), want))
        return worst

    return VerifyCheck(name, what or f"{name} vs torch, values", run, tol)


def _grad(name, ref, tfn, params=((),), what=""):
    @_strict
    def run():
        worst = 0.0
        for p in params:
            worst = max(worst, _err(ref()(Z_SMOOTH, *p) * DOUT, _vjp(tfn, Z_SMOOTH, DOUT, *p)))
        return worst

    return VerifyCheck(name, what or f"{name} vs torch autograd (random upstream, away from 0)", run)


def _kink(name, ref, tfn, params=((),)):
    @_strict
    def run():
        for p in params:
            want = _vjp(tfn, np.zeros(3), np.ones(3), *p)
            got = ref()(np.zeros(3), *p)
            if not np.array_equal(got, want):
                raise AssertionError(f"{name}(0, {p}) = {got}, torch autograd gives {want}")
        return 0.0

    return VerifyCheck(name, "value at the kink 0 equals torch autograd of the F form", run)


LEAKY = ((0.01,), (0.2,), (1.5,))
ELU = ((1.0,), (0.5,), (2.0,))


def _heaviside(z):
    return torch.heaviside(z, torch.zeros((), dtype=torch.float64))


def _softplus40(z):
    return F.softplus(z, threshold=40.0)


# ------------------------------------------------------------------ prelu
PRELU_W = np.array([0.25, -0.1, 0.0, 1.5, 0.01])  # one weight per channel (dim 1 of Z)


@_strict
def _prelu_value():
    with torch.no_grad():
        want = F.prelu(_t(Z), _t(PRELU_W)).numpy()
        want1 = F.prelu(_t(Z), _t([0.25])).numpy()
    return max(_err(A.prelu(Z, PRELU_W[:, None]), want), _err(A.prelu(Z, 0.25), want1))


@_strict
def _prelu_grad():
    worst = 0.0
    for w, ours_alpha, axes in ((PRELU_W, PRELU_W[:, None], (0, 2)), (np.array([0.25]), 0.25, None)):
        zt, wt = _t(Z_SMOOTH, True), _t(w, True)
        dz_t, dw_t = torch.autograd.grad(F.prelu(zt, wt), (zt, wt), grad_outputs=_t(DOUT))
        dz, dalpha = A.prelu_grad(Z_SMOOTH, ours_alpha)
        dw = np.sum(dalpha * DOUT, axis=axes)
        worst = max(worst, _err(dz * DOUT, dz_t.numpy()), _err(np.reshape(dw, w.shape), dw_t.numpy()))
    return worst


@_strict
def _prelu_kink():
    zt, wt = _t(np.zeros(5), True), _t([0.3], True)
    dz_t, dw_t = torch.autograd.grad(F.prelu(zt, wt), (zt, wt), grad_outputs=_t(np.ones(5)))
    dz, dalpha = A.prelu_grad(np.zeros(5), 0.3)
    if not (np.array_equal(dz, dz_t.numpy()) and np.sum(dalpha) == dw_t.item()):
        raise AssertionError(f"prelu_grad(0, 0.3) = ({dz}, {dalpha}), torch ({dz_t}, {dw_t})")
    return 0.0


# ------------------------------------------------------------------ softmax
@_strict
def _softmax_value():
    worst = 0.0
    for z in (Z, Z * 300.0, EDGE.reshape(3, 5)):
        with torch.no_grad():
            worst = max(worst, _err(A.softmax(z), F.softmax(_t(z), dim=-1).numpy()))
    return worst


@_strict
def _log_softmax_value():
    worst = 0.0
    for z in (Z, Z * 300.0, EDGE.reshape(3, 5)):
        with torch.no_grad():
            worst = max(worst, _err(A.log_softmax(z), F.log_softmax(_t(z), dim=-1).numpy()))
    return worst


@_strict
def _softmax_backward():
    worst = 0.0
    for z in (Z, Z * 30.0):
        want = _vjp(lambda t: F.softmax(t, dim=-1), z, DOUT)
        worst = max(worst, _err(A.softmax_backward(DOUT, z), want))
    return worst


# ------------------------------------------------------------------ the checks
CHECKS: list[VerifyCheck] = [
    _value("step", lambda: A.step, _heaviside, what="step vs torch.heaviside(z, 0), zeros included"),
    _value("sigmoid", lambda: A.sigmoid, torch.sigmoid),
    _grad("sigmoid_grad", lambda: A.sigmoid_grad, torch.sigmoid),
    _value("tanh", lambda: A.tanh, torch.tanh),
    _grad("tanh_grad", lambda: A.tanh_grad, torch.tanh),
    _value("relu", lambda: A.relu, F.relu),
    _grad("relu_grad", lambda: A.relu_grad, F.relu),
    _kink("relu_grad", lambda: A.relu_grad, F.relu),
    _value("leaky_relu", lambda: A.leaky_relu, F.leaky_relu, LEAKY),
    _grad("leaky_relu_grad", lambda: A.leaky_relu_grad, F.leaky_relu, LEAKY),
    _kink("leaky_relu_grad", lambda: A.leaky_relu_grad, F.leaky_relu, LEAKY),
    VerifyCheck("prelu", "prelu vs F.prelu, per-channel and single weight", _prelu_value),
    VerifyCheck("prelu_grad", "(dz, dalpha summed over shared entries) vs autograd of F.prelu", _prelu_grad),
    VerifyCheck("prelu_grad", "value at the kink 0 equals autograd of F.prelu: (weight, 0)", _prelu_kink),
    _value("elu", lambda: A.elu, F.elu, ELU),
    _grad("elu_grad", lambda: A.elu_grad, F.elu, ELU),
    _kink("elu_grad", lambda: A.elu_grad, F.elu, ELU),
    _value("softplus", lambda: A.softplus, _softplus40, what="softplus vs F.softplus(threshold=40), exact there"),
    _value(
        "softplus",
        lambda: A.softplus,
        F.softplus,
        tol=2.1e-9,
        what="softplus vs F.softplus default threshold=20: differs by ln(1 + e^-z) <= 2.1e-9 above 20",
    ),
    _grad("softplus_grad", lambda: A.softplus_grad, _softplus40),
    _value("swish", lambda: A.swish, F.silu, what="swish vs F.silu"),
    _grad("swish_grad", lambda: A.swish_grad, F.silu, what="swish_grad vs autograd of F.silu"),
    VerifyCheck("softmax", "softmax vs F.softmax(dim=-1), incl. logits scaled by 300 and +-1e4", _softmax_value),
    VerifyCheck("log_softmax", "log_softmax vs F.log_softmax(dim=-1)", _log_softmax_value),
    VerifyCheck("softmax_backward", "softmax_backward vs autograd VJP of F.softmax, random dout", _softmax_backward),
]

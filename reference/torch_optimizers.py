"""Verification of the optimizer references against ``torch.optim`` (float64, CPU).

Each check runs our functional step and the torch optimizer side by side
for 25 steps from the same w0 on the same random gradient sequence (shape
(6, 5), magnitudes from 1e-3 to 10 so that eps matters; ``p.grad`` is set
directly, so no loss is involved), and returns the largest absolute
difference of the weights over the whole trajectory.

Hyper-parameter mapping (ours -> torch; every other torch option at the
value that switches it off: weight_decay=0, maximize=False, foreach=False):

=================================  =====================================================
sgd(lr)                            SGD(lr=lr)
sgd_momentum(lr, momentum)         SGD(lr=lr, momentum=momentum, dampening=0, nesterov=False)
momentum_notes(lr, gamma)          SGD(lr=lr, momentum=gamma), while lr is constant
adagrad(lr, eps)                   Adagrad(lr=lr, eps=eps, lr_decay=0, initial_accumulator_value=0)
rmsprop(lr, beta, eps)             RMSprop(lr=lr, alpha=beta, eps=eps, momentum=0, centered=False)
adadelta(rho, eps)                 Adadelta(lr=1.0, rho=rho, eps=eps)
adam(lr, beta1, beta2, eps)        Adam(lr=lr, betas=(beta1, beta2), eps=eps, amsgrad=False)
=================================  =====================================================

With an lr that changes every step (set in ``param_groups``), torch's SGD
momentum still matches ``sgd_momentum`` but no longer ``momentum_notes``.
``minibatch_sgd`` and ``gd`` are checked against a torch loop (autograd of
``((x @ w - y) ** 2).mean()``, ``torch.optim.SGD``) fed the same batches.

References are looked up through the module at call time (``O.adam``).
"""

from __future__ import annotations

import numpy as np
import torch

from dlgrade.reference import optimizers as O
from dlgrade.reference.verify import VerifyCheck

__all__ = ["CHECKS"]

_STEPS = 25
_SHAPE = (6, 5)

# name -> (torch optimizer factory, hyper-parameters in our order)
SETUPS = {
    "sgd": (lambda p, lr: torch.optim.SGD(p, lr=lr, foreach=False), (0.1,)),
    "sgd_momentum": (
        lambda p, lr, mu: torch.optim.SGD(p, lr=lr, momentum=mu, dampening=0, nesterov=False, foreach=False),
        (0.05, 0.9),
    ),
    "momentum_notes": (
        lambda p, lr, gamma: torch.optim.SGD(p, lr=lr, momentum=gamma, foreach=False),
        (0.05, 0.9),
    ),
    "adagrad": (
        lambda p, lr, eps: torch.optim.Adagrad(
            p, lr=lr, eps=eps, lr_decay=0, initial_accumulator_value=0, foreach=False
        ),
        (0.1, 1e-3),
    ),
    "rmsprop": (
        lambda p, lr, beta, eps: torch.optim.RMSprop(
            p, lr=lr, alpha=beta, eps=eps, momentum=0, centered=False, foreach=False
        ),
        (0.01, 0.9, 1e-3),
    ),
    "adadelta": (
        lambda p, rho, eps: torch.optim.Adadelta(p, lr=1.0, rho=rho, eps=eps, foreach=False),
        (0.95, 1e-3),
    ),
    "adam": (
        lambda p, lr, b1, b2, eps: torch.optim.Adam(
            p, lr=lr, betas=(b1, b2), eps=eps, amsgrad=False, foreach=False
        ),
        (0.01, 0.9, 0.999, 1e-3),
    ),
}


def _sequence(seed: int):
    rng = np.random.default_rng(seed)
    w0 = rng.uniform(-2.0, 2.0, _SHAPE)
    gs = [rng.choice([-1.0, 1.0], _SHAPE) * 10.0 ** rng.uniform(-3, 1, _SHAPE) for _ in range(_STEPS)]
    return w0, gs


def _torch_trajectory(make, hyper, w0, gs, lrs=None) -> list[np.ndarray]:
    p = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    opt = make([p], *hyper)
    out = []
    for t, g in enumerate(gs):
        if lrs is not None:
            for group in opt.param_groups:
                group["lr"] = lrs[t]
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        out.append(p.detach().numpy().copy())
    return out


def _our_trajectory(step, hyper_at, w0, gs) -> list[np.ndarray]:
    w, state, out = w0, {}, []
    for t, g in enumerate(gs):
        w, state = step(w, g, state, *hyper_at(t))
        out.append(w)
    return out


def _max_diff(a, b) -> float:
    return max(float(np.max(np.abs(x - y))) for x, y in zip(a, b, strict=True))


def _check(name: str):
    def run() -> float:
        make, hyper = SETUPS[name]
        err = 0.0
        for seed in (0, 1):
            w0, gs = _sequence(seed)
            ours = _our_trajectory(getattr(O, name), lambda t: hyper, w0, gs)
            err = max(err, _max_diff(ours, _torch_trajectory(make, hyper, w0, gs)))
        return err

    return run


def _lr_schedule() -> list[float]:
    return [0.05 * (1.0 + 0.5 * np.sin(t)) for t in range(_STEPS)]


def _check_momentum_changing_lr() -> float:
    make, (_, mu) = SETUPS["sgd_momentum"]
    w0, gs = _sequence(2)
    lrs = _lr_schedule()
    return _max_diff(_our_trajectory(O.sgd_momentum, lambda t: (lrs[t], mu), w0, gs),
                     _torch_trajectory(make, (lrs[0], mu), w0, gs, lrs))


def _check_notes_diverge() -> float:
    make, (_, gamma) = SETUPS["momentum_notes"]
    w0, gs = _sequence(2)
    lrs = _lr_schedule()
    gap = _max_diff(_our_trajectory(O.momentum_notes, lambda t: (lrs[t], gamma), w0, gs),
                    _torch_trajectory(make, (lrs[0], gamma), w0, gs, lrs))
    if gap < 1e-3:
        raise AssertionError(f"momentum_notes should differ from torch when lr changes, but max diff is {gap:.3g}")
    return 0.0


def _problem(seed: int, n: int = 23, dim: int = 4):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, dim))
    y = x @ rng.normal(size=dim) + 0.1 * rng.normal(size=n)
    return x, y, rng.normal(size=dim)


def _torch_sgd_loop(x, y, w0, lr, batches) -> np.ndarray:
    xt, yt = torch.tensor(x), torch.tensor(y)
    w = torch.tensor(w0, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr, foreach=False)
    for idx in batches:
        opt.zero_grad()
        loss = ((xt[idx] @ w - yt[idx]) ** 2).mean()
        loss.backward()
        opt.step()
    return w.detach().numpy()


def _check_linear_mse_grad() -> float:
    err = 0.0
    for seed in range(3):
        x, y, w0 = _problem(seed)
        w = torch.tensor(w0, requires_grad=True)
        ((torch.tensor(x) @ w - torch.tensor(y)) ** 2).mean().backward()
        err = max(err, float(np.max(np.abs(O.linear_mse_grad(w0, x, y) - w.grad.numpy()))))
    return err


def _check_gd() -> float:
    x, y, w0 = _problem(4)
    full = [np.arange(len(y))] * 30
    return float(np.max(np.abs(O.gd(w0, x, y, 0.05, 30) - _torch_sgd_loop(x, y, w0, 0.05, full))))


def _check_minibatch_sgd() -> float:
    err = 0.0
    for batch_size, epochs, seed in ((5, 4, 0), (1, 2, 1), (23, 3, 2), (50, 2, 3), (7, 3, 4)):
        x, y, w0 = _problem(seed)
        rng = np.random.default_rng(seed)  # the documented convention, replayed
        batches = []
        for _ in range(epochs):
            order = rng.permutation(len(y))
            batches += [order[s : s + batch_size] for s in range(0, len(y), batch_size)]
        want = _torch_sgd_loop(x, y, w0, 0.03, batches)
        got = O.minibatch_sgd(w0, x, y, 0.03, batch_size, epochs, seed)
        err = max(err, float(np.max(np.abs(got - want))))
    return err


CHECKS: list[VerifyCheck] = [
    VerifyCheck(name, f"{_STEPS} steps against torch.optim on 2 random gradient sequences, float64", _check(name))
    for name in SETUPS
] + [
    VerifyCheck("sgd_momentum", "lr changing every step (param_groups) against torch SGD(momentum)",
                _check_momentum_changing_lr),
    VerifyCheck("fact: momentum_notes differs from torch when lr changes",
                "max weight difference over 25 steps > 1e-3", _check_notes_diverge),
    VerifyCheck("linear_mse_grad", "against autograd of ((x @ w - y) ** 2).mean()", _check_linear_mse_grad),
    VerifyCheck("gd", "30 full-batch steps against a torch autograd + SGD loop", _check_gd),
    VerifyCheck("minibatch_sgd", "against a torch autograd + SGD loop on the same batches (5 settings)",
                _check_minibatch_sgd),
]

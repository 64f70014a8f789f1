"""Table entries: optimizer steps (judged along trajectories) and the descent loops.

Hyper-parameters are drawn where their mistakes show: eps in [1e-3, 0.3]
(with eps = 1e-8 "eps inside the root" would be invisible), betas far from
1 so a missing bias correction moves the first steps by a large factor, and
gradients of mixed magnitudes. The learning rate is constant along a
trajectory, so the notes' momentum form and PyTorch's are both right.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from dlgrade.reference import optimizers as O

from .. import strategies as S
from ..spec import Entry, Mistake, Property, Sample

STEPS = 6


def _traj(**hyper):
    def factory():
        def build(shape):
            grads = S.arrays(st.just((STEPS,) + shape), -3.0, 3.0)
            return S.inputs(w=S.arrays(st.just(shape), -2.0, 2.0), grads=grads, **hyper)

        return st.sampled_from([(1,), (2,), (3,), (2, 2)]).flatmap(build)

    return factory


LR = st.floats(0.01, 0.5)
EPS = st.floats(1e-3, 0.3)
BETA = st.floats(0.5, 0.95)

W0 = np.array([1.0, -2.0, 0.5])
G = np.array([[0.5, -1.0, 2.0], [0.3, 0.2, -1.5], [-0.4, 0.8, 1.0], [0.1, -0.2, 0.3], [1.0, 1.0, -1.0], [0.0, 0.5, 0.25]])


def _named(**hyper):
    return (Sample("three weights, six steps", {"w": W0, "grads": G, **hyper}),)


# ---------------------------------------------------------------- properties


def _descends(step_args):
    """One step with a small learning rate decreases f(w) = sum(a w^2) / 2."""

    def check(call, x):
        w, a = x["w"], x["a"]
        g = a * w
        res = call(*step_args(x, w, g))
        if not isinstance(res, (tuple, list)) or len(res) != 2:
            return "a step should return (w_new, state)"
        w_new = np.asarray(res[0], dtype=float)
        if w_new.shape != w.shape:
            return f"w_new has shape {w_new.shape}, expected {w.shape}"
        before, after = float(np.sum(a * w * w)) / 2, float(np.sum(a * w_new * w_new)) / 2
        if not after < before:
            return f"a small step along -gradient should lower f(w) = sum(a w^2)/2, but it went from {before:.6g} to {after:.6g} (a sign error?)"
        return None

    return check


def _descent_inputs(**hyper):
    def factory():
        return S.inputs(w=S.arrays(st.just((3,)), -2.0, 2.0).filter(lambda w: np.all(np.abs(w) > 0.1)),
                        a=S.arrays(st.just((3,)), 0.5, 2.0), **hyper)

    return factory


def _prop(args_of, **hyper):
    return Property("descends", "a small step lowers a convex quadratic", _descends(args_of), inputs=_descent_inputs(**hyper),
                    hint="The step goes against the gradient: w - lr * (something with the sign of dw).")


# ---------------------------------------------------------------- mistakes


def _acc(state, key, like):
    return np.asarray(state.get(key, np.zeros_like(like)), dtype=float)


def _sgd_plus(w, g, state, lr):
    return w + lr * g, {}


def _mom_ema(w, g, state, lr, mu):
    v = mu * _acc(state, "v", w) + (1 - mu) * g
    return w - lr * v, {"v": v}


def _mom_double_lr(w, g, state, lr, mu):
    v = mu * _acc(state, "v", w) + lr * g
    return w - lr * v, {"v": v}


def _mom_sign(w, g, state, lr, mu):
    v = mu * _acc(state, "v", w) - lr * g
    return w - v, {"v": v}


def _mom_no_state(w, g, state, lr, mu):
    return w - lr * g, {}


def _ada_inside(w, g, state, lr, eps):
    G_ = _acc(state, "G", w) + g * g
    return w - lr * g / np.sqrt(G_ + eps), {"G": G_}


def _ada_no_acc(w, g, state, lr, eps):
    return w - lr * g / (np.sqrt(g * g) + eps), {}


def _rms_inside(w, g, state, lr, beta, eps):
    s = beta * _acc(state, "s", w) + (1 - beta) * g * g
    return w - lr * g / np.sqrt(s + eps), {"s": s}


def _rms_no_one_minus(w, g, state, lr, beta, eps):
    s = beta * _acc(state, "s", w) + g * g
    return w - lr * g / (np.sqrt(s) + eps), {"s": s}


def _rms_bias(w, g, state, lr, beta, eps):
    t = state.get("t", 0) + 1
    s = beta * _acc(state, "s", w) + (1 - beta) * g * g
    return w - lr * g / (np.sqrt(s / (1 - beta**t)) + eps), {"s": s, "t": t}


def _adadelta_outside(w, g, state, rho, eps):
    Eg = rho * _acc(state, "Eg", w) + (1 - rho) * g * g
    Edx = _acc(state, "Edx", w)
    dx = (np.sqrt(Edx) + eps) / (np.sqrt(Eg) + eps) * g
    return w - dx, {"Eg": Eg, "Edx": rho * Edx + (1 - rho) * dx * dx}


def _adadelta_order(w, g, state, rho, eps):
    Eg = rho * _acc(state, "Eg", w) + (1 - rho) * g * g
    Edx_old = _acc(state, "Edx", w)
    dx_guess = np.sqrt(Edx_old + eps) / np.sqrt(Eg + eps) * g
    Edx = rho * Edx_old + (1 - rho) * dx_guess * dx_guess
    dx = np.sqrt(Edx + eps) / np.sqrt(Eg + eps) * g
    return w - dx, {"Eg": Eg, "Edx": Edx}


def _adam(bias=True, t0=1, eps_inside=False, only_m=False, v_beta1=False):
    def step(w, g, state, lr, b1, b2, eps):
        t = state.get("t", t0 - 1) + 1
        m = b1 * _acc(state, "m", w) + (1 - b1) * g
        bv = b1 if v_beta1 else b2
        v = bv * _acc(state, "v", w) + (1 - bv) * g * g
        with np.errstate(all="ignore"):
            mhat = m / (1 - b1**t) if bias else m
            vhat = v / (1 - bv**t) if bias and not only_m else v
            denom = np.sqrt(vhat + eps) if eps_inside else np.sqrt(vhat) + eps
            return w - lr * mhat / denom, {"m": m, "v": v, "t": t}

    return step


M = Mistake

SGD_M = (M("sgd: wrong sign", "Descent goes against the gradient: w - lr * dw.", _sgd_plus),)
MOM_M = (
    M("momentum: exponential average (1 - beta) g", "This assignment uses v = momentum * v + dw; w -= lr * v (PyTorch; equal to the notes' v = gamma v + lr dw). The (1 - beta) dw form of Ng's course scales the step by (1 - beta).", _mom_ema),
    M("momentum: lr applied twice", "Apply lr once: either v = momentum v + lr dw; w -= v (the notes), or v = momentum v + dw; w -= lr v (PyTorch).", _mom_double_lr),
    M("momentum: sign error", "The velocity accumulates the gradient and the weights move against it: v = momentum v + lr dw; w = w - v.", _mom_sign),
    M("momentum: velocity not kept", "Store the velocity in the state dict and read it back next step: without it this is plain SGD.", _mom_no_state),
)
ADA_M = (
    M("adagrad: eps inside the root", "Following PyTorch, eps goes outside the root: lr * dw / (sqrt(G) + eps). The notes' lr / sqrt(G + eps) is a variant we do not grade.", _ada_inside),
    M("adagrad: no accumulation", "G is the running SUM of squared gradients over all steps: G = G + dw**2, kept in the state.", _ada_no_acc),
)
RMS_M = (
    M("rmsprop: eps inside the root", "eps goes outside the root: lr * dw / (sqrt(s) + eps).", _rms_inside),
    M("rmsprop: (1 - beta) missing", "s is a moving average: s = beta s + (1 - beta) dw**2.", _rms_no_one_minus),
    M("rmsprop: bias correction added", "RMSProp has no bias correction (that is Adam's): divide by sqrt(s) + eps directly.", _rms_bias),
)
ADADELTA_M = (
    M("adadelta: eps outside the roots", "AdaDelta puts eps inside both roots: sqrt(Edx + eps) / sqrt(Eg + eps) * dw.", _adadelta_outside),
    M("adadelta: Edx updated too early", "Use the PREVIOUS Edx to compute dx, then update Edx with dx**2.", _adadelta_order),
)
ADAM_M = (
    M("adam: bias correction missing", "Divide by (1 - beta1**t) and (1 - beta2**t): without it the first steps are far too small, because m and v start at 0.", _adam(bias=False)),
    M("adam: t starts at 0", "Count t from 1: increment t before using it, so the first step divides by 1 - beta1**1 (t = 0 divides by zero).", _adam(t0=0)),
    M("adam: eps inside the root", "eps goes outside the root, after bias correction: lr * mhat / (sqrt(vhat) + eps).", _adam(eps_inside=True)),
    M("adam: v not bias-corrected", "Correct both moments: vhat = v / (1 - beta2**t) as well as mhat.", _adam(only_m=True)),
    M("adam: beta1 used for v", "The second moment uses beta2: v = beta2 v + (1 - beta2) dw**2.", _adam(v_beta1=True)),
)


def _opt(name, ref, hyper: dict, named: dict, mistakes=(), descent_hyper=None):
    args = ("w", "dw", "state", *hyper)

    def step_args(x, w, g):
        return tuple(w if a == "w" else g if a == "dw" else {} if a == "state" else x[a] for a in args)

    dh = descent_hyper if descent_hyper is not None else {k: st.just(v) for k, v in named.items()}
    return Entry(name, "optimizers", ref, args, _traj(**hyper), kind="optimizer", samples=_named(**named),
                 mistakes=mistakes, properties=(_prop(step_args, **dh),))



# ---------------------------------------------------------------- descent loops


def _regression_inputs(extra):
    def factory():
        def build(nd):
            n, d = nd
            return S.inputs(w=S.arrays(st.just((d,)), -1, 1), x=S.arrays(st.just((n, d)), -2, 2),
                            y=S.arrays(st.just((n,)), -3, 3), **extra)

        return st.tuples(st.integers(1, 8), st.integers(1, 4)).flatmap(build)

    return factory


X = np.array([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.3], [2.0, 1.0], [0.0, -0.5]])
Y = np.array([3.0, -1.0, 0.5, 4.0, -0.2])
WR = np.array([0.1, -0.2])


def _grad_sum(w, x, y):
    return 2 * x.T @ (x @ w - y)


def _grad_no2(w, x, y):
    return x.T @ (x @ w - y) / x.shape[0]


def _gd_wrong_sign(w, x, y, lr, epochs):
    for _ in range(int(epochs)):
        w = w + lr * O.linear_mse_grad(w, x, y)
    return w


def _mb_reshuffle_once(w, x, y, lr, bs, epochs, seed):
    order = np.random.default_rng(seed).permutation(x.shape[0])
    for _ in range(int(epochs)):
        for k in range(0, x.shape[0], int(bs)):
            idx = order[k:k + int(bs)]
            w = w - lr * O.linear_mse_grad(w, x[idx], y[idx])
    return w


def _mb_drop_last(w, x, y, lr, bs, epochs, seed):
    rng = np.random.default_rng(seed)
    for _ in range(int(epochs)):
        order = rng.permutation(x.shape[0])
        for k in range(0, x.shape[0] - int(bs) + 1, int(bs)):
            idx = order[k:k + int(bs)]
            w = w - lr * O.linear_mse_grad(w, x[idx], y[idx])
    return w


def _mb_no_shuffle(w, x, y, lr, bs, epochs, seed):
    for _ in range(int(epochs)):
        for k in range(0, x.shape[0], int(bs)):
            idx = np.arange(k, min(k + int(bs), x.shape[0]))
            w = w - lr * O.linear_mse_grad(w, x[idx], y[idx])
    return w


ENTRIES = (
    _opt("sgd", O.sgd, {"lr": LR}, {"lr": 0.1}, SGD_M, descent_hyper={"lr": st.just(1e-3)}),
    _opt("sgd_momentum", O.sgd_momentum, {"lr": LR, "momentum": BETA}, {"lr": 0.1, "momentum": 0.9}, MOM_M,
         descent_hyper={"lr": st.just(1e-3), "momentum": st.just(0.9)}),
    _opt("momentum_notes", O.momentum_notes, {"lr": LR, "gamma": BETA}, {"lr": 0.1, "gamma": 0.9},
         descent_hyper={"lr": st.just(1e-3), "gamma": st.just(0.9)}),
    _opt("adagrad", O.adagrad, {"lr": LR, "eps": EPS}, {"lr": 0.1, "eps": 0.01}, ADA_M,
         descent_hyper={"lr": st.just(1e-3), "eps": st.just(1e-8)}),
    _opt("rmsprop", O.rmsprop, {"lr": LR, "beta": BETA, "eps": EPS}, {"lr": 0.05, "beta": 0.9, "eps": 0.01}, RMS_M,
         descent_hyper={"lr": st.just(1e-3), "beta": st.just(0.9), "eps": st.just(1e-8)}),
    _opt("adadelta", O.adadelta, {"rho": BETA, "eps": EPS}, {"rho": 0.9, "eps": 0.01}, ADADELTA_M,
         descent_hyper={"rho": st.just(0.9), "eps": st.just(1e-6)}),
    _opt("adam", O.adam, {"lr": LR, "beta1": BETA, "beta2": st.floats(0.6, 0.99), "eps": EPS},
         {"lr": 0.1, "beta1": 0.9, "beta2": 0.99, "eps": 0.01}, ADAM_M,
         descent_hyper={"lr": st.just(1e-3), "beta1": st.just(0.9), "beta2": st.just(0.999), "eps": st.just(1e-8)}),
    Entry("linear_mse_grad", "optimizers", O.linear_mse_grad, ("w", "x", "y"), _regression_inputs({}),
          samples=(Sample("five points", {"w": WR, "x": X, "y": Y}),),
          mistakes=(M("linear_mse_grad: 1/N missing", "The loss is a MEAN over the N samples: 2 x.T (x w - y) / N.", _grad_sum),
                    M("linear_mse_grad: 2 missing", "d/dw (x w - y)^2 = 2 x (x w - y): keep the 2.", _grad_no2))),
    Entry("gd", "optimizers", O.gd, ("w", "x", "y", "lr", "epochs"),
          _regression_inputs({"lr": st.floats(0.001, 0.05), "epochs": st.integers(1, 5)}),
          samples=(Sample("five points, 10 epochs", {"w": WR, "x": X, "y": Y, "lr": 0.05, "epochs": 10}),),
          mistakes=(M("gd: wrong sign", "Gradient DEScent: w = w - lr * grad.", _gd_wrong_sign),)),
    Entry("minibatch_sgd", "optimizers", O.minibatch_sgd, ("w", "x", "y", "lr", "batch_size", "epochs", "seed"),
          _regression_inputs({"lr": st.floats(0.001, 0.05), "batch_size": st.integers(1, 4), "epochs": st.integers(1, 3), "seed": st.integers(0, 1000)}),
          samples=(Sample("five points, batches of 2", {"w": WR, "x": X, "y": Y, "lr": 0.05, "batch_size": 2, "epochs": 3, "seed": 0}),
                   Sample("SGD: batches of 1", {"w": WR, "x": X, "y": Y, "lr": 0.02, "batch_size": 1, "epochs": 2, "seed": 1})),
          mistakes=(M("minibatch_sgd: shuffled once", "Draw a new order = rng.permutation(N) at the start of EVERY epoch, from one rng = np.random.default_rng(seed) made once.", _mb_reshuffle_once),
                    M("minibatch_sgd: last batch dropped", "Keep the last, smaller batch: batches are order[k:k + batch_size] for k = 0, batch_size, ... while k < N.", _mb_drop_last),
                    M("minibatch_sgd: no shuffle", "Shuffle each epoch with order = rng.permutation(N), rng = np.random.default_rng(seed).", _mb_no_shuffle))),
)

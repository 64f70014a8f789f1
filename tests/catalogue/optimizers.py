"""Optimizers: correct steps and loops written unlike the reference, and real mistakes.

CORRECT: each must pass every check of its function (trajectory and descends,
or value).
MISTAKES: each must fail ``check`` with ``hint`` in the hint, the named
mistake or the summary.

The state is the student's own: the alternatives keep it under other keys,
as tuples or lists, with extra keys, with t as a float, or copy the dict
they receive. The notes' momentum form is right because the learning rate
is constant along every graded trajectory.
"""

import numpy as np

from dlgrade.reference import optimizers as O
from tests.catalogue.cases import Alt, Bug


# ---------------------------------------------------------------- correct steps


def _sgd_copy_state(w, dw, state, lr):
    new_state = dict(state)  # carries whatever came in (here: nothing)
    return np.add(w, -lr * dw), new_state


def _momentum_torch_first_step(w, dw, state, lr, momentum):
    if "buf" not in state:
        buf = np.array(dw, copy=True)
    else:
        buf = momentum * state["buf"] + dw
    return w - lr * buf, {"buf": buf, "steps": state.get("steps", 0) + 1}


def _momentum_notes(w, dw, state, lr, momentum):
    v = momentum * state.get("v", 0.0) + lr * dw
    return w - v, {"v": v}


def _momentum_list_state(w, dw, state, lr, momentum):
    v = np.asarray(state.get("v", [0.0] * dw.size), dtype=float).reshape(dw.shape)
    v = momentum * v + dw
    return w - lr * v, {"v": v.ravel().tolist()}


def _adagrad_loop(w, dw, state, lr, eps):
    G = np.array(state["G"], dtype=float) if "G" in state else np.zeros(w.shape)
    out = np.empty(w.shape)
    for i in np.ndindex(w.shape):
        G[i] += dw[i] ** 2  # G is our own fresh copy: the state passed in is untouched
        out[i] = w[i] - lr * dw[i] / (np.sqrt(G[i]) + eps)
    return out, {"G": G, "step": float(state.get("step", 0.0)) + 1.0}


def _adagrad_tuple(w, dw, state, lr, eps):
    (G,) = state.get("acc", (np.zeros_like(w),))
    G = G + np.square(dw)
    return w - lr * dw / (np.sqrt(G) + eps), {"acc": (G,)}


def _rmsprop_ema_form(w, dw, state, lr, beta, eps):
    s = state.get("s", np.zeros_like(w))
    s = s + (1 - beta) * (dw * dw - s)  # the same moving average, written as a correction
    return w - lr * dw / (np.sqrt(s) + eps), {"s": s}


def _rmsprop_copy_update(w, dw, state, lr, beta, eps):
    new = dict(state)
    new["sq"] = beta * state.get("sq", 0) + (1 - beta) * dw ** 2
    return w - (lr / (new["sq"] ** 0.5 + eps)) * dw, new


def _adadelta_tuple(w, dw, state, rho, eps):
    Eg, Edx = state.get("acc", (np.zeros_like(w), np.zeros_like(w)))
    Eg = rho * Eg + (1 - rho) * dw ** 2
    rms_dx = np.sqrt(Edx + eps)
    rms_g = np.sqrt(Eg + eps)
    delta = -(rms_dx / rms_g) * dw
    Edx = rho * Edx + (1 - rho) * delta ** 2
    return w + delta, {"acc": (Eg, Edx)}


def _adam_float_t(w, dw, state, lr, beta1, beta2, eps):
    t = state.get("t", 0.0) + 1.0
    m = beta1 * state.get("m", 0.0) + (1 - beta1) * dw
    v = beta2 * state.get("v", 0.0) + (1 - beta2) * dw * dw
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), {"t": t, "m": m, "v": v}


def _adam_paper_efficient(w, dw, state, lr, beta1, beta2, eps):
    """Kingma and Ba's "more efficient" order, with eps rescaled so it stays exact."""
    t = state.get("step", 0) + 1
    m = beta1 * state.get("m", np.zeros_like(w)) + (1 - beta1) * dw
    v = beta2 * state.get("v", np.zeros_like(w)) + (1 - beta2) * dw * dw
    c2 = np.sqrt(1 - beta2 ** t)
    lr_t = lr * c2 / (1 - beta1 ** t)
    return w - lr_t * m / (np.sqrt(v) + eps * c2), {"step": t, "m": m, "v": v}


def _adam_lists(w, dw, state, lr, beta1, beta2, eps):
    m_list, v_list, t = state.get("moments", ([0.0] * dw.size, [0.0] * dw.size, 0))
    t += 1
    m = beta1 * np.reshape(m_list, dw.shape) + (1 - beta1) * dw
    v = beta2 * np.reshape(v_list, dw.shape) + (1 - beta2) * dw ** 2
    w_new = w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return w_new, {"moments": [m.ravel().tolist(), v.ravel().tolist(), t]}


# ---------------------------------------------------------------- correct loops


def _grad_loop(w, x, y):
    g = np.zeros(x.shape[1])
    for xi, yi in zip(x, y):
        g += 2 * (xi @ w - yi) * xi
    return g / len(y)


def _grad_einsum(w, x, y):
    return np.mean(2 * (np.einsum("nd,d->n", x, w) - y)[:, None] * x, axis=0)


def _gd_with_sgd(w, x, y, lr, epochs):
    epoch = 0
    while epoch < epochs:
        w, _ = O.sgd(w, _grad_einsum(w, x, y), {}, lr)
        epoch += 1
    return w


def _minibatch_shuffle_in_place(w, x, y, lr, batch_size, epochs, seed):
    rng = np.random.default_rng(seed)
    w = np.array(w, dtype=float)
    idx = np.arange(len(y))
    for _ in range(epochs):
        order = idx.copy()
        rng.shuffle(order)  # the same order as rng.permutation(N)
        for k in range(0, len(y), batch_size):
            b = order[k:k + batch_size]
            w = w - lr * _grad_loop(w, x[b], y[b])
    return w


def _minibatch_shuffled_copies(w, x, y, lr, batch_size, epochs, seed):
    rng = np.random.default_rng(seed)
    n = len(y)
    for _ in range(epochs):
        perm = rng.permutation(n)
        xs, ys = x[perm], y[perm]
        n_batches = (n + batch_size - 1) // batch_size
        for j in range(n_batches):
            xb, yb = xs[j * batch_size:(j + 1) * batch_size], ys[j * batch_size:(j + 1) * batch_size]
            w = w - lr * 2 * xb.T @ (xb @ w - yb) / len(yb)
    return w


CORRECT = [
    Alt("sgd", _sgd_copy_state, "np.add with -lr, state copied"),
    Alt("sgd_momentum", _momentum_torch_first_step, "torch form, b = g at step 1, extra key"),
    Alt("sgd_momentum", _momentum_notes, "the notes' form v = gamma v + lr dw; w -= v"),
    Alt("sgd_momentum", _momentum_list_state, "velocity stored as a flat list"),
    Alt("adagrad", _adagrad_loop, "a loop over entries, a float step counter"),
    Alt("adagrad", _adagrad_tuple, "state as a 1-tuple"),
    Alt("rmsprop", _rmsprop_ema_form, "s += (1 - beta)(g^2 - s)"),
    Alt("rmsprop", _rmsprop_copy_update, "copies the dict and updates the copy"),
    Alt("adadelta", _adadelta_tuple, "state as a tuple (Eg, Edx), signed delta"),
    Alt("adam", _adam_float_t, "t stored as a float"),
    Alt("adam", _adam_paper_efficient, "the paper's efficient form with eps * sqrt(1 - beta2^t)"),
    Alt("adam", _adam_lists, "moments as lists inside a list"),
    Alt("linear_mse_grad", _grad_loop, "a loop over samples"),
    Alt("linear_mse_grad", _grad_einsum, "einsum and a mean"),
    Alt("gd", _gd_with_sgd, "a while loop over an sgd step"),
    Alt("minibatch_sgd", _minibatch_shuffle_in_place, "rng.shuffle of arange(N)"),
    Alt("minibatch_sgd", _minibatch_shuffled_copies, "shuffled copies of x and y, sliced"),
]


# ---------------------------------------------------------------- mistakes


def _sgd_in_place(w, dw, state, lr):
    w -= lr * dw
    return w, state


def _momentum_ema(w, dw, state, lr, momentum):
    v = momentum * state.get("v", 0.0) + (1 - momentum) * dw
    return w - lr * v, {"v": v}


def _momentum_sign(w, dw, state, lr, momentum):
    v = momentum * state.get("v", 0.0) - lr * dw
    return w - v, {"v": v}


def _momentum_forgets(w, dw, state, lr, momentum):
    v = momentum * state.get("velocity", 0.0) + lr * dw
    return w - v, {"v": v}  # stored under another key than the one read back


def _adagrad_notes(w, dw, state, lr, eps):
    G = state.get("G", 0.0) + dw ** 2
    return w - lr / np.sqrt(G + eps) * dw, {"G": G}


def _adagrad_no_sum(w, dw, state, lr, eps):
    return w - lr * dw / (np.abs(dw) + eps), {}


def _rmsprop_bias(w, dw, state, lr, beta, eps):
    t = state.get("t", 0) + 1
    s = beta * state.get("s", 0.0) + (1 - beta) * dw ** 2
    return w - lr * dw / (np.sqrt(s / (1 - beta ** t)) + eps), {"s": s, "t": t}


def _rmsprop_no_one_minus(w, dw, state, lr, beta, eps):
    s = beta * state.get("s", 0.0) + dw ** 2
    return w - lr * dw / (np.sqrt(s) + eps), {"s": s}


def _adadelta_early(w, dw, state, rho, eps):
    Eg = rho * state.get("Eg", 0.0) + (1 - rho) * dw ** 2
    Edx = state.get("Edx", 0.0)
    guess = np.sqrt(Edx + eps) / np.sqrt(Eg + eps) * dw
    Edx = rho * Edx + (1 - rho) * guess ** 2
    dx = np.sqrt(Edx + eps) / np.sqrt(Eg + eps) * dw
    return w - dx, {"Eg": Eg, "Edx": Edx}


def _adadelta_outside(w, dw, state, rho, eps):
    Eg = rho * state.get("Eg", 0.0) + (1 - rho) * dw ** 2
    Edx = state.get("Edx", 0.0)
    dx = (np.sqrt(Edx) + eps) / (np.sqrt(Eg) + eps) * dw
    return w - dx, {"Eg": Eg, "Edx": rho * Edx + (1 - rho) * dx ** 2}


def _adam_factory(bias=True, t_first=1, only_m=False, eps_inside=False):
    def adam(w, dw, state, lr, beta1, beta2, eps):
        t = state.get("t", t_first - 1) + 1
        m = beta1 * state.get("m", 0.0) + (1 - beta1) * dw
        v = beta2 * state.get("v", 0.0) + (1 - beta2) * dw ** 2
        m_hat = m / (1 - beta1 ** t) if bias else m
        v_hat = v / (1 - beta2 ** t) if bias and not only_m else v
        denom = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        return w - lr * m_hat / denom, {"t": t, "m": m, "v": v}

    return adam


def _adam_mutates_state(w, dw, state, lr, beta1, beta2, eps):
    state["t"] = state.get("t", 0) + 1
    state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * dw
    state["v"] = beta2 * state.get("v", 0.0) + (1 - beta2) * dw ** 2
    t = state["t"]
    return w - lr * (state["m"] / (1 - beta1 ** t)) / (np.sqrt(state["v"] / (1 - beta2 ** t)) + eps), state


def _gd_plus(w, x, y, lr, epochs):
    for _ in range(epochs):
        w = w + lr * O.linear_mse_grad(w, x, y)
    return w


def _gd_one_short(w, x, y, lr, epochs):
    for _ in range(epochs - 1):
        w = w - lr * O.linear_mse_grad(w, x, y)
    return w


def _minibatch_once(w, x, y, lr, batch_size, epochs, seed):
    order = np.random.default_rng(seed).permutation(len(y))
    for _ in range(epochs):
        for k in range(0, len(y), batch_size):
            b = order[k:k + batch_size]
            w = w - lr * O.linear_mse_grad(w, x[b], y[b])
    return w


def _minibatch_drop_last(w, x, y, lr, batch_size, epochs, seed):
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for j in range(len(y) // batch_size):
            b = order[j * batch_size:(j + 1) * batch_size]
            w = w - lr * O.linear_mse_grad(w, x[b], y[b])
    return w


def _minibatch_new_rng_each_epoch(w, x, y, lr, batch_size, epochs, seed):
    for _ in range(epochs):
        order = np.random.default_rng(seed).permutation(len(y))
        for k in range(0, len(y), batch_size):
            b = order[k:k + batch_size]
            w = w - lr * O.linear_mse_grad(w, x[b], y[b])
    return w


MISTAKES = [
    Bug("sgd", "trajectory", lambda w, dw, state, lr: (w + lr * dw, {}), "wrong sign"),
    Bug("sgd", "descends", lambda w, dw, state, lr: (w + lr * dw, {}), "against the gradient"),
    Bug("sgd", "trajectory", _sgd_in_place, "modified its input"),
    Bug("sgd_momentum", "trajectory", _momentum_ema, "(1 - beta)"),
    Bug("sgd_momentum", "trajectory", _momentum_sign, "sign error"),
    Bug("sgd_momentum", "descends", _momentum_sign, "against the gradient"),
    Bug("sgd_momentum", "trajectory", _momentum_forgets, "velocity not kept"),
    Bug("adagrad", "trajectory", _adagrad_notes, "eps inside the root"),
    Bug("adagrad", "trajectory", _adagrad_no_sum, "running SUM"),
    Bug("rmsprop", "trajectory", _rmsprop_bias, "no bias correction"),
    Bug("rmsprop", "trajectory", _rmsprop_no_one_minus, "moving average"),
    Bug("adadelta", "trajectory", _adadelta_early, "PREVIOUS Edx"),
    Bug("adadelta", "trajectory", _adadelta_outside, "inside both roots"),
    Bug("adam", "trajectory", _adam_factory(bias=False), "bias correction missing"),
    Bug("adam", "trajectory", _adam_factory(t_first=0), "t starts at 0"),
    Bug("adam", "trajectory", _adam_factory(only_m=True), "vhat"),
    Bug("adam", "trajectory", _adam_factory(eps_inside=True), "after bias correction"),
    Bug("adam", "trajectory", _adam_mutates_state, "modified its input"),
    Bug("linear_mse_grad", "value", lambda w, x, y: 2 * x.T @ (x @ w - y), "MEAN"),
    Bug("linear_mse_grad", "value", lambda w, x, y: x.T @ (x @ w - y) / len(y), "keep the 2"),
    Bug("gd", "value", _gd_plus, "wrong sign"),
    Bug("gd", "value", _gd_one_short, ""),
    Bug("minibatch_sgd", "value", _minibatch_once, "EVERY epoch"),
    Bug("minibatch_sgd", "value", _minibatch_drop_last, "last, smaller batch"),
    Bug("minibatch_sgd", "value", _minibatch_new_rng_each_epoch, ""),
]

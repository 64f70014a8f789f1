"""Backpropagation: correct implementations written unlike the reference, and real mistakes.

CORRECT: each must pass every check of its function.
MISTAKES: each must fail ``check`` with ``hint`` in the hint, the named mistake or the summary.
"""

import math

import numpy as np

from tests.catalogue.cases import Alt, Bug

# ------------------------------------------------------------------ perceptron


def _predict_loop(x, w, b):
    """Explicit per-sample, per-feature loops; integer 0/1 results."""
    x = np.asarray(x, dtype=float)
    rows = x if x.ndim == 2 else x[None, :]
    out = []
    for row in rows:
        z = b
        for xi, wi in zip(row, w):
            z += xi * wi
        out.append(1 if z > 0 else 0)
    return np.array(out) if x.ndim == 2 else out[0]


def _update_loop(w, b, x, y, lr):
    """Python floats, one feature at a time, a new list for w."""
    z = float(b) + sum(float(wi) * float(xi) for wi, xi in zip(w, x))
    y_hat = 1.0 if z > 0 else 0.0
    if y_hat == y:
        return np.array(w, dtype=float), float(b)
    err = float(y) - y_hat
    return np.array([wi + lr * err * xi for wi, xi in zip(w, x)]), float(b) + lr * err


# ------------------------------------------------------------------ dense


def _dense_backward_per_sample(dout, x, w, b):
    """Accumulate outer products sample by sample."""
    dx = np.zeros_like(x)
    dw = np.zeros_like(w)
    db = np.zeros_like(b)
    for n in range(x.shape[0]):
        dx[n] = w @ dout[n]
        dw += np.outer(x[n], dout[n])
        db += dout[n]
    return dx, dw, db


# ------------------------------------------------------------------ dropout


def _dropout_where(x, mask, p):
    if p >= 1:
        return np.zeros(np.shape(x))
    return np.where(mask == 1, x / (1 - p), 0.0)


def _dropout_back_divide(dout, mask, p):
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    return np.multiply(dout, mask) * scale


# ------------------------------------------------------------------ two-layer network


def _two_layer_onehot(params, x, y, reg=0.0):
    """One-hot targets as a matrix, log-sum-exp by hand, einsum products."""
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    n, c = x.shape[0], W2.shape[1]
    onehot = np.eye(c)[y]
    z1 = np.einsum("nd,dh->nh", x, W1) + b1
    h = np.where(z1 > 0, z1, 0.0)
    s = np.einsum("nh,hc->nc", h, W2) + b2
    m = s.max(axis=1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(s - m), axis=1, keepdims=True))
    log_p = s - lse
    loss = -np.sum(onehot * log_p) / n + reg * (np.sum(np.square(W1)) + np.sum(np.square(W2)))
    ds = (np.exp(log_p) - onehot) / n
    dz1 = np.einsum("nc,hc->nh", ds, W2) * (z1 > 0)
    grads = {"W2": np.einsum("nh,nc->hc", h, ds) + 2 * reg * W2, "b2": ds.sum(0),
             "W1": np.einsum("nd,nh->dh", x, dz1) + 2 * reg * W1, "b1": dz1.sum(0)}
    return loss, grads


def _two_layer_per_sample(params, x, y, reg=0.0):
    """One sample at a time with math.exp, gradients accumulated then averaged."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = x.shape[0]
    total = 0.0
    g = {k: np.zeros_like(v) for k, v in params.items()}
    for i in range(n):
        z1 = x[i] @ W1 + b1
        h = np.maximum(z1, 0)
        s = h @ W2 + b2
        m = max(s)
        e = [math.exp(v - m) for v in s]
        tot = sum(e)
        probs = np.array(e) / tot
        total += -(s[y[i]] - m - math.log(tot))
        ds = probs.copy()
        ds[y[i]] -= 1
        g["W2"] += np.outer(h, ds)
        g["b2"] += ds
        dz = (W2 @ ds) * (z1 > 0)
        g["W1"] += np.outer(x[i], dz)
        g["b1"] += dz
    grads = {k: v / n for k, v in g.items()}
    grads["W1"] = grads["W1"] + 2 * reg * W1
    grads["W2"] = grads["W2"] + 2 * reg * W2
    loss = total / n + reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    return np.float64(loss), grads


# ------------------------------------------------------------------ RNN


def _rnn_step_back_preact(dh_next, x, h_prev, wx, wh, b):
    """tanh' from the pre-activation: 1 / cosh(a)^2."""
    a = x @ wx + h_prev @ wh + b
    da = dh_next / np.cosh(a) ** 2
    return np.dot(da, wx.T), np.dot(da, wh.T), np.dot(x.T, da), np.dot(h_prev.T, da), da.sum(axis=0)


def _rnn_forward_stack(x, h0, wx, wh, b):
    """A list of states, stacked at the end."""
    states, h = [], h0
    for t in range(x.shape[1]):
        h = np.tanh(np.einsum("nd,dh->nh", x[:, t], wx) + np.einsum("nh,hk->nk", h, wh) + b)
        states.append(h)
    return np.stack(states, axis=1)


def _rnn_backward_caches(dh, x, h0, wx, wh, b):
    """The forward stores a cache per step; the backward pops them in reverse."""
    caches, h = [], h0
    for t in range(x.shape[1]):
        h_new = np.tanh(x[:, t] @ wx + h @ wh + b)
        caches.append((x[:, t], h, h_new))
        h = h_new
    dxs = []
    dwx, dwh, db = np.zeros(wx.shape), np.zeros(wh.shape), np.zeros(b.shape)
    carry = np.zeros(h0.shape)
    for t in reversed(range(x.shape[1])):
        xt, hp, ht = caches[t]
        da = (dh[:, t] + carry) * (1 - ht * ht)
        dxs.append(da @ wx.T)
        carry = da @ wh.T
        dwx = dwx + xt.T @ da
        dwh = dwh + hp.T @ da
        db = db + da.sum(axis=0)
    return np.stack(dxs[::-1], axis=1), carry, dwx, dwh, db


def _rnn_backward_time_major(dh, x, h0, wx, wh, b):
    """Time-major copies (T, N, ...), gradients of the weights by einsum over t and n."""
    xt = np.transpose(x, (1, 0, 2))
    dht = np.transpose(dh, (1, 0, 2))
    T = xt.shape[0]
    hs = [h0]
    for t in range(T):
        hs.append(np.tanh(xt[t] @ wx + hs[-1] @ wh + b))
    hs = np.array(hs)  # (T + 1, N, H), hs[0] = h0
    das = np.zeros_like(dht)
    g = np.zeros_like(h0)
    for t in range(T - 1, -1, -1):
        das[t] = (dht[t] + g) * (1 - hs[t + 1] ** 2)
        g = das[t] @ wh.T
    dx = np.einsum("tnh,dh->ntd", das, wx)
    dwx = np.einsum("tnd,tnh->dh", xt, das)
    dwh = np.einsum("tnk,tnh->kh", hs[:-1], das)
    db = das.sum(axis=(0, 1))
    return dx, g, dwx, dwh, db


# ------------------------------------------------------------------ deep chain


def _norms_outputs(x, weights, activation):
    """Derivatives from the activations' outputs; a list reversed at the end."""
    acts = {
        "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda a, z: a * (1 - a)),
        "tanh": (np.tanh, lambda a, z: 1 - a * a),
        "relu": (lambda z: np.maximum(0, z), lambda a, z: np.heaviside(z, 0.0)),
    }
    f, df = acts[activation]
    hs, zs = [x], []
    for W in weights:
        zs.append(hs[-1] @ W)
        hs.append(f(zs[-1]))
    out = []
    g = np.ones_like(hs[-1])
    for layer in range(len(weights) - 1, -1, -1):
        dz = g * df(hs[layer + 1], zs[layer])
        out.append(np.linalg.norm(hs[layer].T @ dz, "fro"))
        g = dz @ weights[layer].T
    return np.array(out[::-1])


def _norms_recursive(x, weights, activation):
    """Recursion over the layers: each call returns d loss / d h_l and the norms below it."""
    def act(z):
        if activation == "sigmoid":
            return 0.5 * (1 + np.tanh(z / 2))
        return np.tanh(z) if activation == "tanh" else z * (z > 0)

    def dact(z):
        if activation == "sigmoid":
            s = act(z)
            return s - s * s
        return 1 / np.cosh(z) ** 2 if activation == "tanh" else (z > 0).astype(float)

    def go(h, layer):
        if layer == len(weights):
            return np.ones_like(h), []
        z = h @ weights[layer]
        dh_next, rest = go(act(z), layer + 1)
        dz = dh_next * dact(z)
        return dz @ weights[layer].T, [math.sqrt(float(np.sum((h.T @ dz) ** 2)))] + rest

    return np.array(go(x, 0)[1])


CORRECT = [
    Alt("perceptron_predict", _predict_loop, "explicit per-sample loops, integer outputs"),
    Alt("perceptron_predict", lambda x, w, b: np.heaviside(np.dot(x, w) + b, 0.0), "np.heaviside with 0 at 0"),
    Alt("perceptron_predict", lambda x, w, b: (np.einsum("...d,d->...", x, w) + b > 0).astype(int), "einsum, int cast"),
    Alt("perceptron_update", _update_loop, "Python floats, feature by feature, early return when right"),
    Alt("dense_forward", lambda x, w, b: np.einsum("nd,dm->nm", x, w) + b[None, :], "einsum"),
    Alt("dense_forward", lambda x, w, b: np.tensordot(x, w, axes=1) + b, "tensordot"),
    Alt("dense_backward", _dense_backward_per_sample, "outer products per sample"),
    Alt("dense_backward", lambda dout, x, w, b: (np.einsum("nm,dm->nd", dout, w), np.einsum("nd,nm->dm", x, dout), np.ones(x.shape[0]) @ dout), "einsum, db as ones @ dout"),
    Alt("dropout_forward", _dropout_where, "np.where on the mask"),
    Alt("dropout_backward", _dropout_back_divide, "precomputed scale, 0 when p = 1"),
    Alt("two_layer_loss", _two_layer_onehot, "one-hot matrix, log-sum-exp by hand, einsum"),
    Alt("two_layer_loss", _two_layer_per_sample, "per-sample loop with math.exp"),
    Alt("rnn_step_forward", lambda x, h_prev, wx, wh, b: np.tanh(np.concatenate([x, h_prev], 1) @ np.concatenate([wx, wh], 0) + b), "stacked [x, h_prev] @ [wx; wh]"),
    Alt("rnn_step_backward", _rnn_step_back_preact, "tanh' = sech^2 of the pre-activation"),
    Alt("rnn_forward", _rnn_forward_stack, "list of states, np.stack"),
    Alt("rnn_backward", _rnn_backward_caches, "caches stored by the forward pass"),
    Alt("rnn_backward", _rnn_backward_time_major, "time-major arrays, einsum over t and n"),
    Alt("chain_gradient_norms", _norms_outputs, "derivatives from the outputs, reversed list"),
    Alt("chain_gradient_norms", _norms_recursive, "recursion over the layers"),
]


# ------------------------------------------------------------------ mistakes


def _two_layer_no_relu_grad(params, x, y, reg=0.0):
    """The backward forgets relu': dz1 = dh (its loss is right)."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = x.shape[0]
    z1 = x @ W1 + b1
    h = np.maximum(z1, 0)
    s = h @ W2 + b2
    e = np.exp(s - s.max(1, keepdims=True))
    p = e / e.sum(1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(n), y])) + reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    ds = p.copy()
    ds[np.arange(n), y] -= 1
    ds /= n
    dz1 = ds @ W2.T
    return loss, {"W1": x.T @ dz1 + 2 * reg * W1, "b1": dz1.sum(0), "W2": h.T @ ds + 2 * reg * W2, "b2": ds.sum(0)}


def _two_layer_ascent(params, x, y, reg=0.0):
    """Returns the negated gradients (the signs of onehot - p)."""
    from dlgrade.reference.backprop import two_layer_loss

    loss, grads = two_layer_loss(params, x, y, reg)
    return loss, {k: -v for k, v in grads.items()}


def _rnn_step_back_dwh_at_h(dh_next, x, h_prev, wx, wh, b):
    """dwh from this step's output h instead of h_prev."""
    h = np.tanh(x @ wx + h_prev @ wh + b)
    da = dh_next * (1 - h ** 2)
    return da @ wx.T, da @ wh.T, x.T @ da, h.T @ da, da.sum(0)


def _dense_backward_dw_mean(dout, x, w, b):
    """dw divided by the batch size (a mean over samples)."""
    return dout @ w.T, x.T @ dout / x.shape[0], dout.sum(0)


def _norms_reversed(x, weights, activation):
    return _norms_outputs(x, weights, activation)[::-1]


MISTAKES = [
    Bug("perceptron_predict", "kink", lambda x, w, b: (np.dot(x, w) + b >= 0).astype(float), "1 on the boundary"),
    Bug("perceptron_predict", "value", lambda x, w, b: np.sign(np.dot(x, w) + b), "not np.sign"),
    Bug("perceptron_update", "value", lambda w, b, x, y, lr: (w - lr * (y - float(x @ w + b > 0)) * x, b - lr * (y - float(x @ w + b > 0))), "target minus prediction"),
    Bug("perceptron_update", "value", lambda w, b, x, y, lr: (w + lr * (y - float(x @ w + b > 0)) * x, b), "bias learns too"),
    Bug("dense_forward", "value", lambda x, w, b: x @ w, "adds the bias"),
    Bug("dense_backward", "value", lambda dout, x, w, b: (dout @ w.T, x.T @ dout, dout.mean(0)), "db as a mean"),
    Bug("dense_backward", "gradcheck", _dense_backward_dw_mean, "finite-difference"),
    Bug("dropout_forward", "value", lambda x, mask, p: x * mask, "kept entries not scaled"),
    Bug("dropout_forward", "value", lambda x, mask, p: x * mask / p if p > 0 else x * mask, "1 / p"),
    Bug("dropout_forward", "value", lambda x, mask, p: np.zeros_like(x) if p == 1 else x * (1 - mask) / (1 - p), "mask = 1 means kept"),
    Bug("dropout_forward", "keeps_expectation", lambda x, mask, p: x * mask, "1 / (1 - p)"),
    Bug("dropout_backward", "value", lambda dout, mask, p: dout * mask, "the same scale"),
    Bug("two_layer_loss", "value", lambda params, x, y, reg: _reg_half(params, x, y, reg), "without a 1/2"),
    Bug("two_layer_loss", "value", lambda params, x, y, reg: _sum_loss(params, x, y, reg), "MEAN over the N samples"),
    Bug("two_layer_loss", "grads_match_loss", _two_layer_no_relu_grad, "does not match your own loss"),
    Bug("two_layer_loss", "training_lowers_loss", _two_layer_ascent, "should lower your loss"),
    Bug("rnn_step_forward", "value", lambda x, h_prev, wx, wh, b: x @ wx + h_prev @ wh + b, "nonlinearity"),
    Bug("rnn_step_backward", "value", lambda dh_next, x, h_prev, wx, wh, b: _rnn_step_back_prev(dh_next, x, h_prev, wx, wh, b), "not at h_prev"),
    Bug("rnn_step_backward", "gradcheck", _rnn_step_back_dwh_at_h, "finite-difference"),
    Bug("rnn_forward", "value", lambda x, h0, wx, wh, b: np.stack([np.tanh(x[:, t] @ wx + h0 @ wh + b) for t in range(x.shape[1])], 1), "PREVIOUS hidden state"),
    Bug("rnn_backward", "value", lambda dh, x, h0, wx, wh, b: _bptt_no_carry(dh, x, h0, wx, wh, b), "NEXT step"),
    Bug("rnn_backward", "value", lambda dh, x, h0, wx, wh, b: _bptt_last_weights(dh, x, h0, wx, wh, b), "shared by every step"),
    # The gradcheck must see sequences with T > 1 (with T = 1 there is no carry to forget).
    Bug("rnn_backward", "gradcheck", lambda dh, x, h0, wx, wh, b: _bptt_no_carry(dh, x, h0, wx, wh, b), "finite-difference"),
    Bug("chain_gradient_norms", "value", _norms_reversed, "layer 0"),
    Bug("chain_gradient_norms", "value", lambda x, weights, activation: _norms_outputs(x, weights, activation) ** 2, "Frobenius"),
    Bug("chain_gradient_norms", "sigmoid_vanishes", _norms_reversed, "shrink toward the FIRST layer"),
    Bug("chain_gradient_norms", "large_weights_explode", _norms_reversed, "grow toward the first layer"),
]


def _reg_half(params, x, y, reg):
    from dlgrade.reference.backprop import two_layer_loss

    loss, grads = two_layer_loss(params, x, y, 0.0)
    W1, W2 = params["W1"], params["W2"]
    loss += 0.5 * reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    return loss, {**grads, "W1": grads["W1"] + reg * W1, "W2": grads["W2"] + reg * W2}


def _sum_loss(params, x, y, reg):
    """The data loss summed over samples (as the notes' cost function)."""
    from dlgrade.reference.backprop import two_layer_loss

    n = x.shape[0]
    loss, grads = two_layer_loss(params, x, y, 0.0)
    W1, W2 = params["W1"], params["W2"]
    return loss * n + reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2)), {
        "W1": grads["W1"] * n + 2 * reg * W1, "b1": grads["b1"] * n,
        "W2": grads["W2"] * n + 2 * reg * W2, "b2": grads["b2"] * n}


def _rnn_step_back_prev(dh_next, x, h_prev, wx, wh, b):
    da = dh_next * (1 - h_prev ** 2)
    return da @ wx.T, da @ wh.T, x.T @ da, h_prev.T @ da, da.sum(0)


def _bptt_no_carry(dh, x, h0, wx, wh, b):
    hs = _rnn_forward_stack(x, h0, wx, wh, b)
    dx = np.zeros_like(x)
    dwx, dwh, db, dh0 = np.zeros_like(wx), np.zeros_like(wh), np.zeros_like(b), np.zeros_like(h0)
    for t in range(x.shape[1]):
        hp = h0 if t == 0 else hs[:, t - 1]
        da = dh[:, t] * (1 - hs[:, t] ** 2)
        dx[:, t] = da @ wx.T
        if t == 0:
            dh0 = da @ wh.T
        dwx = dwx + x[:, t].T @ da
        dwh = dwh + hp.T @ da
        db = db + da.sum(0)
    return dx, dh0, dwx, dwh, db


def _bptt_last_weights(dh, x, h0, wx, wh, b):
    """Right dx and dh0, but dwx, dwh, db from the last step only (overwritten, not summed)."""
    hs = _rnn_forward_stack(x, h0, wx, wh, b)
    dx = np.zeros_like(x)
    carry = np.zeros_like(h0)
    for t in range(x.shape[1] - 1, -1, -1):
        hp = h0 if t == 0 else hs[:, t - 1]
        da = (dh[:, t] + carry) * (1 - hs[:, t] ** 2)
        dx[:, t] = da @ wx.T
        carry = da @ wh.T
        if t == x.shape[1] - 1:
            dwx, dwh, db = x[:, t].T @ da, hp.T @ da, da.sum(0)
    return dx, carry, dwx, dwh, db

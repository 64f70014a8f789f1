"""Table entries: the perceptron, dense and dropout layers, a two-layer network,
a tanh RNN with backpropagation through time, and gradient norms along a deep
chain (the notes' vanishing and exploding gradients).

Backward entries are vector-Jacobian products of their forward (partner mode
"vjp"), so their gradcheck perturbs each input along two random directions:
its cost does not grow with the layer sizes.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from dlgrade.reference import backprop as B

from .. import gradcheck as gc
from .. import strategies as S
from ..spec import Entry, Mistake, Partner, Property, Sample

M = Mistake
_sizes = st.integers(1, 4)


# ------------------------------------------------------------------ inputs


def _perceptron_inputs():
    def build(nd):
        n, d = nd
        return S.inputs(x=S.arrays(st.just((n, d)), -3, 3), w=S.arrays(st.just((d,)), -2, 2), b=S.floats(-1, 1))

    return st.tuples(_sizes, _sizes).flatmap(build).filter(lambda v: bool(np.all(np.abs(v["x"] @ v["w"] + v["b"]) > 1e-6)))


def _update_inputs():
    return _sizes.flatmap(lambda d: S.inputs(w=S.arrays(st.just((d,)), -2, 2), b=S.floats(-1, 1), x=S.arrays(st.just((d,)), -3, 3),
                                             y=st.sampled_from([0.0, 1.0]), lr=st.floats(0.01, 1.0))).filter(
        lambda v: abs(float(v["x"] @ v["w"] + v["b"])) > 1e-6)


def _dense_inputs(backward=False):
    def build(ndm):
        n, d, m = ndm
        f = dict(x=S.arrays(st.just((n, d)), -3, 3), w=S.arrays(st.just((d, m)), -2, 2), b=S.arrays(st.just((m,)), -1, 1))
        if backward:
            f["dout"] = S.arrays(st.just((n, m)), -2, 2)
        return S.inputs(**f)

    return st.tuples(_sizes, _sizes, _sizes).flatmap(build)


def _dropout_inputs(backward=False):
    def build(shape):
        first = "dout" if backward else "x"
        return S.inputs(**{first: S.arrays(st.just(shape), -3, 3)},
                        mask=S.arrays(st.just(shape), elements=st.sampled_from([0.0, 1.0])), p=st.floats(0.0, 0.9))

    return S.shapes(min_dims=1, max_dims=3).flatmap(build)


def _two_layer_inputs(smooth=False):
    def build(sizes):
        n, d, h, c = sizes
        params = S.inputs(W1=S.arrays(st.just((d, h)), -1, 1), b1=S.arrays(st.just((h,)), -0.5, 0.5),
                          W2=S.arrays(st.just((h, c)), -1, 1), b2=S.arrays(st.just((c,)), -0.5, 0.5))
        return S.inputs(params=params, x=S.arrays(st.just((n, d)), -2, 2),
                        y=S.arrays(st.just((n,)), elements=st.integers(0, c - 1)).map(lambda a: a.astype(np.int64)),
                        reg=st.sampled_from([0.0, 0.1, 0.05]))

    out = st.tuples(_sizes, _sizes, _sizes, st.integers(2, 4)).flatmap(build)
    return out.filter(_relu_off_kink) if smooth else out


def _relu_off_kink(v) -> bool:
    p = v["params"]
    return bool(np.all(np.abs(v["x"] @ p["W1"] + p["b1"]) > 1e-3))


def _rnn_step_inputs(backward=False):
    def build(ndh):
        n, d, h = ndh
        f = dict(x=S.arrays(st.just((n, d)), -2, 2), h_prev=S.arrays(st.just((n, h)), -1, 1),
                 wx=S.arrays(st.just((d, h)), -1, 1), wh=S.arrays(st.just((h, h)), -1, 1), b=S.arrays(st.just((h,)), -0.5, 0.5))
        if backward:
            f = {"dh_next": S.arrays(st.just((n, h)), -2, 2), **f}
        return S.inputs(**f)

    return st.tuples(_sizes, _sizes, _sizes).flatmap(build)


def _rnn_inputs(backward=False):
    def build(ntdh):
        n, t, d, h = ntdh
        f = dict(x=S.arrays(st.just((n, t, d)), -2, 2), h0=S.arrays(st.just((n, h)), -1, 1),
                 wx=S.arrays(st.just((d, h)), -1, 1), wh=S.arrays(st.just((h, h)), -1, 1), b=S.arrays(st.just((h,)), -0.5, 0.5))
        if backward:
            f = {"dh": S.arrays(st.just((n, t, h)), -2, 2), **f}
        return S.inputs(**f)

    return st.tuples(_sizes, st.integers(1, 4), _sizes, _sizes).flatmap(build)


def _chain_inputs():
    """Layers of different widths, so code that assumes square weights fails."""

    def build(spec):
        n, widths = spec
        layers = st.tuples(*(S.arrays(st.just((a, b)), -1.5, 1.5) for a, b in zip(widths, widths[1:]))).map(list)
        return S.inputs(x=S.arrays(st.just((n, widths[0])), -2, 2), weights=layers,
                        activation=st.sampled_from(["sigmoid", "tanh", "relu"]))

    return st.tuples(_sizes, st.lists(st.integers(1, 4), min_size=2, max_size=6)).flatmap(build)


# ------------------------------------------------------------------ named samples

XP = np.array([[1.0, 2.0], [-1.0, 0.5], [0.5, -2.0]])
WP = np.array([0.5, -0.25])
XD = np.array([[1.0, -2.0, 0.5], [0.0, 1.5, -1.0]])
WD = np.array([[0.2, -0.1], [0.4, 0.3], [-0.5, 0.6]])
BD = np.array([0.1, -0.2])
DD = np.array([[1.0, -1.0], [0.5, 2.0]])
MASK = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
PARAMS = {"W1": np.array([[0.2, -0.5, 0.1], [0.4, 0.3, -0.2]]), "b1": np.array([0.1, 0.2, -0.1]),
          "W2": np.array([[0.3, -0.2], [-0.4, 0.5], [0.6, 0.1]]), "b2": np.array([0.05, -0.05])}
X2 = np.array([[1.0, -1.0], [0.5, 2.0], [-1.5, 0.3]])
Y2 = np.array([0, 1, 1])
RX = np.array([[0.5, -1.0], [1.0, 0.25]])
RH = np.array([[0.1, -0.2, 0.3], [0.0, 0.5, -0.5]])
RWX = np.array([[0.2, -0.3, 0.1], [0.4, 0.1, -0.2]])
RWH = np.array([[0.1, 0.2, -0.1], [-0.3, 0.2, 0.1], [0.05, -0.1, 0.2]])
RB = np.array([0.1, 0.0, -0.1])
SEQ = np.stack([RX, -RX, 0.5 * RX], axis=1)  # (2, 3, 2)


def _rnn_dh():
    return np.linspace(-1, 1, 2 * 3 * 3).reshape(2, 3, 3)


# ------------------------------------------------------------------ properties


def _expectation_kept(call, v):
    x, p = v["x"], v["p"]
    kept = call(x, np.ones_like(x), p)
    dropped = call(x, np.zeros_like(x), p)
    if not isinstance(kept, np.ndarray) or kept.shape != x.shape or not isinstance(dropped, np.ndarray):
        return "dropout_forward should return an array of the shape of x"
    mean = (1 - p) * kept + p * dropped
    if not np.allclose(mean, x, rtol=1e-9, atol=1e-12):
        return (f"averaged over the mask (kept with probability 1 - p = {1 - p:.3g}), the output should equal x: "
                "inverted dropout scales the kept entries by 1 / (1 - p)")
    return None


def _training_lowers_loss(call, v):
    params, x, y = {k: a.copy() for k, a in v["params"].items()}, v["x"], v["y"]
    first = None
    for _ in range(5):
        res = call(params, x, y, 0.0)
        if not isinstance(res, (tuple, list)) or len(res) != 2 or not isinstance(res[1], dict):
            return "two_layer_loss should return (loss, grads) with grads a dict"
        loss, grads = res
        if first is None:
            first = float(np.asarray(loss))
        try:
            params = {k: params[k] - 0.5 * np.asarray(grads[k], dtype=float) for k in params}
        except (KeyError, ValueError) as exc:
            return f"grads must have the keys and shapes of params ({exc})"
    last = float(np.asarray(call(params, x, y, 0.0)[0]))
    if not last < first - 1e-6:
        return f"five gradient steps (lr 0.5) with your gradients should lower your loss, but it went from {first:.6g} to {last:.6g}"
    return None


def _training_inputs():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(12, 3))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.int64)
    params = {"W1": rng.normal(scale=0.5, size=(3, 5)), "b1": np.full(5, 0.1), "W2": rng.normal(scale=0.5, size=(5, 2)), "b2": np.zeros(2)}
    return st.just({"params": params, "x": x, "y": y, "reg": 0.0})


def _grads_match_loss(call, v):
    """The student's grads against central differences of the student's own loss."""
    res = call(v["params"], v["x"], v["y"], v["reg"])
    if not isinstance(res, (tuple, list)) or len(res) != 2 or not isinstance(res[1], dict):
        return "two_layer_loss should return (loss, grads) with grads a dict"
    grads = res[1]
    for k in ("W1", "b1", "W2", "b2"):
        g = np.asarray(grads.get(k, np.nan), dtype=float)
        if g.shape != v["params"][k].shape:
            return f"grads['{k}'] has shape {g.shape}; expected {v['params'][k].shape}"

        def many(batch, k=k):
            return [np.asarray(call({**v["params"], k: b[k]}, v["x"], v["y"], v["reg"])[0], dtype=float) for b in batch]

        r = gc.directional(many, {k: v["params"][k]}, {k: g}, seed=1, directions=1)[0]
        if r.error > 1e-5 and abs(r.claimed - r.numeric) > 1e-7:
            return (f"grads['{k}'] does not match your own loss: along a random direction it predicts a change of "
                    f"{r.claimed:.6g} but the loss changes by {r.numeric:.6g}")
    return None


def _vanishing(call, v):
    x, weights = B.balanced_sigmoid_chain(6, 2.0)
    norms = np.asarray(call(x, weights, "sigmoid"), dtype=float)
    if norms.shape != (6,):
        return f"returned shape {norms.shape}; expected one norm per layer, (6,)"
    if not np.all(np.diff(norms) > 0):
        return (f"in a deep sigmoid chain (sigmoid' <= 1/4) the gradient norms should shrink toward the FIRST layer; "
                f"got {np.round(norms, 8).tolist()} (is the order layer 0 first?)")
    return None


def _exploding(call, v):
    x, weights = B.balanced_sigmoid_chain(6, 40.0)
    norms = np.asarray(call(x, weights, "sigmoid"), dtype=float)
    if norms.shape != (6,) or not np.all(np.diff(norms) < 0):
        return f"with large weights (the notes' 0.25 x 500) the norms should grow toward the first layer; got {np.round(norms, 4).tolist()}"
    return None


# ------------------------------------------------------------------ mistakes


def _step_ge(x, w, b):
    return (np.asarray(x) @ w + b >= 0).astype(float)


def _upd_sign(w, b, x, y, lr):
    e = float(B.perceptron_predict(x, w, b)) - y
    return w + lr * e * x, b + lr * e


def _upd_no_bias(w, b, x, y, lr):
    e = y - float(B.perceptron_predict(x, w, b))
    return w + lr * e * x, np.float64(b)


def _upd_always(w, b, x, y, lr):
    return w + lr * y * x, np.float64(b + lr * y)


def _dense_db_mean(dout, x, w, b):
    dx, dw, db = B.dense_backward(dout, x, w, b)
    return dx, dw, dout.mean(axis=0)


def _dense_dw_mean(dout, x, w, b):
    dx, dw, db = B.dense_backward(dout, x, w, b)
    return dx, dw / x.shape[0], db


def _drop_no_scale(x, mask, p):
    return x * mask


def _drop_scale_p(x, mask, p):
    with np.errstate(all="ignore"):
        return x * mask / p


def _drop_inverted_mask(x, mask, p):
    return x * (1 - mask) / (1 - p) if p < 1 else np.zeros_like(x)


def _dropb_no_scale(dout, mask, p):
    return dout * mask


def _tl(reg_factor=1.0, reg_bias=False, sum_loss=False, no_reg_grad=False, relu_ge=False):
    def loss_fn(params, x, y, reg=0.0):
        W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
        n = x.shape[0]
        z = x @ W1 + b1
        h = np.maximum(z, 0)
        s = h @ W2 + b2
        s = s - s.max(axis=1, keepdims=True)
        p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
        data = -np.log(p[np.arange(n), y]).sum()
        scale = 1.0 if sum_loss else 1.0 / n
        r = reg * reg_factor * (np.sum(W1**2) + np.sum(W2**2) + (np.sum(b1**2) + np.sum(b2**2) if reg_bias else 0))
        ds = p.copy()
        ds[np.arange(n), y] -= 1
        ds *= scale
        dW2 = h.T @ ds
        db2 = ds.sum(0)
        dz = (ds @ W2.T) * ((z >= 0) if relu_ge else (z > 0))
        dW1 = x.T @ dz
        db1 = dz.sum(0)
        if not no_reg_grad:
            dW1 = dW1 + 2 * reg * reg_factor * W1
            dW2 = dW2 + 2 * reg * reg_factor * W2
            if reg_bias:
                db1, db2 = db1 + 2 * reg * reg_factor * b1, db2 + 2 * reg * reg_factor * b2
        return float(data * scale + r), {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

    return loss_fn


def _rnn_step_back(dtanh):
    def back(dh_next, x, h_prev, wx, wh, b):
        h = B.rnn_step_forward(x, h_prev, wx, wh, b)
        da = dh_next * dtanh(h, h_prev)
        return da @ wx.T, da @ wh.T, x.T @ da, h_prev.T @ da, da.sum(0)

    return back


def _rnn_back_no_carry(dh, x, h0, wx, wh, b):
    n, t, _ = x.shape
    hs = B.rnn_forward(x, h0, wx, wh, b)
    dx = np.zeros_like(x)
    dwx, dwh, db = np.zeros_like(wx), np.zeros_like(wh), np.zeros_like(b)
    dh0 = np.zeros_like(h0)
    for k in range(t):
        prev = h0 if k == 0 else hs[:, k - 1]
        dxk, dprev, a, bb, c = B.rnn_step_backward(dh[:, k], x[:, k], prev, wx, wh, b)
        dx[:, k] = dxk
        dwx += a
        dwh += bb
        db += c
        if k == 0:
            dh0 = dprev
    return dx, dh0, dwx, dwh, db


def _rnn_back_last_only(dh, x, h0, wx, wh, b):
    dx, dh0, dwx, dwh, db = B.rnn_backward(dh, x, h0, wx, wh, b)
    n, t, _ = x.shape
    hs = B.rnn_forward(x, h0, wx, wh, b)
    dnext = np.zeros_like(h0)
    for k in range(t - 1, -1, -1):
        prev = h0 if k == 0 else hs[:, k - 1]
        _, dnext, a, bb, c = B.rnn_step_backward(dh[:, k] + dnext, x[:, k], prev, wx, wh, b)
        if k == t - 1:
            return dx, dh0, a, bb, c
    return dx, dh0, dwx, dwh, db


def _norms_reversed(x, weights, activation):
    return B.chain_gradient_norms(x, weights, activation)[::-1].copy()


def _norms_relu_ge(x, weights, activation):
    if activation != "relu":
        return B.chain_gradient_norms(x, weights, activation)
    hs, zs = [np.asarray(x, float)], []
    for w in weights:
        zs.append(hs[-1] @ w)
        hs.append(np.maximum(zs[-1], 0))
    g, norms = np.ones_like(hs[-1]), []
    for layer in range(len(weights) - 1, -1, -1):
        dz = g * (zs[layer] >= 0)
        norms.append(np.linalg.norm(hs[layer].T @ dz))
        g = dz @ weights[layer].T
    return np.array(norms[::-1])


def _norms_squared(x, weights, activation):
    return B.chain_gradient_norms(x, weights, activation) ** 2


ENTRIES = (
    Entry("perceptron_predict", "backprop", B.perceptron_predict, ("x", "w", "b"), _perceptron_inputs,
          samples=(Sample("three samples", {"x": XP, "w": WP, "b": 0.1}),
                   Sample("one sample (D,)", {"x": np.array([1.0, -2.0]), "w": WP, "b": 0.1}, "a 1-d x gives a 0-d output")),
          kinks=(Sample("on the boundary", {"x": np.array([[2.0, 4.0], [1.0, 0.0]]), "w": np.array([0.5, -0.25]), "b": -0.5},
                        "the second row has x @ w + b = 0, classified 0"),),
          mistakes=(M("perceptron_predict: 1 on the boundary", "step(0) = 0: a sample exactly on the boundary (x @ w + b = 0) is classified 0; use > 0.", _step_ge),
                    M("perceptron_predict: sign instead of step", "The perceptron outputs 0 or 1: step(z) = 1 if z > 0 else 0, not np.sign.", lambda x, w, b: np.sign(np.asarray(x) @ w + b)))),
    Entry("perceptron_update", "backprop", B.perceptron_update, ("w", "b", "x", "y", "lr"), _update_inputs,
          samples=(Sample("misclassified positive", {"w": WP, "b": -1.0, "x": np.array([1.0, 1.0]), "y": 1.0, "lr": 0.5}),
                   Sample("correct: no change", {"w": WP, "b": 0.1, "x": np.array([1.0, 2.0]), "y": 1.0, "lr": 0.5})),
          mistakes=(M("perceptron_update: sign flipped", "The rule is w + lr (y - y_hat) x: the error is target minus prediction.", _upd_sign),
                    M("perceptron_update: bias not updated", "The bias learns too: b + lr (y - y_hat).", _upd_no_bias),
                    M("perceptron_update: updates when right", "Update by the ERROR (y - y_hat): a correctly classified sample changes nothing.", _upd_always))),
    Entry("dense_forward", "backprop", B.dense_forward, ("x", "w", "b"), _dense_inputs,
          samples=(Sample("two samples", {"x": XD, "w": WD, "b": BD}),),
          mistakes=(M("dense_forward: bias missing", "An affine layer adds the bias: x @ w + b.", lambda x, w, b: x @ w),)),
    Entry("dense_backward", "backprop", B.dense_backward, ("dout", "x", "w", "b"), lambda: _dense_inputs(backward=True),
          samples=(Sample("two samples", {"dout": DD, "x": XD, "w": WD, "b": BD}),),
          partner=Partner("dense_forward", "vjp", ("x", "w", "b")),
          mistakes=(M("dense_backward: db as a mean", "db = dout.sum(axis=0): the bias is added to every sample, so its gradient sums over them.", _dense_db_mean),
                    M("dense_backward: dw divided by N", "dw = x.T @ dout; any 1/N belongs to the loss, which is already in dout.", _dense_dw_mean))),
    Entry("dropout_forward", "backprop", B.dropout_forward, ("x", "mask", "p"), _dropout_inputs,
          samples=(Sample("p = 0.5", {"x": XD, "mask": MASK, "p": 0.5}), Sample("p = 0: identity", {"x": XD, "mask": np.ones_like(XD), "p": 0.0}),
                   Sample("p = 1: all dropped", {"x": XD, "mask": np.zeros_like(XD), "p": 1.0})),
          properties=(Property("keeps_expectation", "inverted dropout keeps the expectation", _expectation_kept,
                               inputs=lambda: S.inputs(x=S.arrays(S.shapes(min_dims=1, max_dims=2), -3, 3), p=st.floats(0.0, 0.9))),),
          mistakes=(M("dropout: kept entries not scaled", "Inverted dropout divides the kept entries by 1 - p, so the expected output equals x (and nothing changes at test time).", _drop_no_scale),
                    M("dropout: scaled by 1/p", "p is the probability of DROPPING: the kept entries are scaled by 1 / (1 - p), not 1 / p.", _drop_scale_p),
                    M("dropout: mask inverted", "mask = 1 means kept: multiply by mask, not by 1 - mask.", _drop_inverted_mask))),
    Entry("dropout_backward", "backprop", B.dropout_backward, ("dout", "mask", "p"), lambda: _dropout_inputs(backward=True),
          samples=(Sample("p = 0.5", {"dout": DD @ np.ones((2, 3)), "mask": MASK, "p": 0.5}),),
          mistakes=(M("dropout_backward: not scaled", "The backward of x * mask / (1 - p) is dout * mask / (1 - p): the same scale.", _dropb_no_scale),)),
    Entry("two_layer_loss", "backprop", B.two_layer_loss, ("params", "x", "y", "reg"), _two_layer_inputs,
          samples=(Sample("three samples, no reg", {"params": PARAMS, "x": X2, "y": Y2, "reg": 0.0}),
                   Sample("three samples, reg 0.1", {"params": PARAMS, "x": X2, "y": Y2, "reg": 0.1})),
          kinks=(Sample("a hidden unit exactly at 0", {"params": {"W1": np.array([[1.0], [1.0]]), "b1": np.array([0.0]),
                                                                    "W2": np.array([[1.0, -1.0]]), "b2": np.array([0.0, 0.0])},
                                                         "x": np.array([[1.0, -1.0]]), "y": np.array([0]), "reg": 0.0},
                        "relu'(0) = 0: no gradient flows through a unit whose input is exactly 0"),),
          properties=(Property("grads_match_loss", "grads match the loss", _grads_match_loss, inputs=lambda: _two_layer_inputs(smooth=True)),
                      Property("training_lowers_loss", "gradient steps lower the loss", _training_lowers_loss, inputs=_training_inputs)),
          mistakes=(M("two_layer_loss: reg with 1/2", "This assignment's penalty is reg * (sum W1^2 + sum W2^2), without a 1/2: its gradient is 2 reg W.", _tl(reg_factor=0.5)),
                    M("two_layer_loss: biases regularised", "Only the weights W1 and W2 are regularised, not the biases.", _tl(reg_bias=True)),
                    M("two_layer_loss: sum over samples", "The data loss is the MEAN over the N samples (and so are its gradients).", _tl(sum_loss=True)),
                    M("two_layer_loss: reg missing from grads", "The penalty reg * sum W^2 adds 2 reg W to dW1 and dW2.", _tl(no_reg_grad=True)),
                    M("two_layer_loss: relu'(0) = 1", "relu'(0) = 0: use (z > 0) for the mask in the backward pass, not (z >= 0).", _tl(relu_ge=True)))),
    Entry("rnn_step_forward", "backprop", B.rnn_step_forward, ("x", "h_prev", "wx", "wh", "b"), _rnn_step_inputs,
          samples=(Sample("two samples", {"x": RX, "h_prev": RH, "wx": RWX, "wh": RWH, "b": RB}),),
          mistakes=(M("rnn_step: tanh missing", "h = tanh(x @ wx + h_prev @ wh + b): the nonlinearity is part of the step.", lambda x, hp, wx, wh, b: x @ wx + hp @ wh + b),)),
    Entry("rnn_step_backward", "backprop", B.rnn_step_backward, ("dh_next", "x", "h_prev", "wx", "wh", "b"), lambda: _rnn_step_inputs(backward=True),
          samples=(Sample("two samples", {"dh_next": RH[::-1].copy(), "x": RX, "h_prev": RH, "wx": RWX, "wh": RWH, "b": RB}),),
          partner=Partner("rnn_step_forward", "vjp", ("x", "h_prev", "wx", "wh", "b")),
          mistakes=(M("rnn_step_backward: tanh derivative missing", "Backpropagate through tanh first: da = dh_next * (1 - h**2) with h the step's output.", _rnn_step_back(lambda h, hp: 1.0)),
                    M("rnn_step_backward: derivative at h_prev", "tanh' is 1 - h**2 at this step's OUTPUT h, not at h_prev.", _rnn_step_back(lambda h, hp: 1 - hp**2)))),
    Entry("rnn_forward", "backprop", B.rnn_forward, ("x", "h0", "wx", "wh", "b"), _rnn_inputs,
          samples=(Sample("two sequences of 3 steps", {"x": SEQ, "h0": RH, "wx": RWX, "wh": RWH, "b": RB}),),
          mistakes=(M("rnn_forward: h0 reused", "Feed each step the PREVIOUS hidden state: h_t = tanh(x_t wx + h_{t-1} wh + b), starting from h0.",
                      lambda x, h0, wx, wh, b: np.stack([np.tanh(x[:, k] @ wx + h0 @ wh + b) for k in range(x.shape[1])], axis=1)),)),
    Entry("rnn_backward", "backprop", B.rnn_backward, ("dh", "x", "h0", "wx", "wh", "b"), lambda: _rnn_inputs(backward=True),
          samples=(Sample("two sequences of 3 steps", {"dh": _rnn_dh(), "x": SEQ, "h0": RH, "wx": RWX, "wh": RWH, "b": RB}),),
          partner=Partner("rnn_forward", "vjp", ("x", "h0", "wx", "wh", "b")),
          mistakes=(M("rnn_backward: no gradient through time", "Each step's hidden state also feeds the NEXT step: add dh_prev from step t+1 to dh[:, t] before backpropagating step t.", _rnn_back_no_carry),
                    M("rnn_backward: weights from the last step only", "wx, wh and b are shared by every step: sum their gradients over all time steps.", _rnn_back_last_only))),
    Entry("chain_gradient_norms", "backprop", B.chain_gradient_norms, ("x", "weights", "activation"), _chain_inputs,
          samples=(Sample("balanced sigmoid chain", dict(zip(("x", "weights"), B.balanced_sigmoid_chain(4, 2.0)), activation="sigmoid")),
                   Sample("layers of different widths", {"x": np.ones((2, 3)), "weights": [np.full((3, 2), 0.5), np.full((2, 4), 0.5)], "activation": "tanh"})),
          kinks=(Sample("a relu input exactly at 0", {"x": np.array([[1.0, -1.0]]), "weights": [np.array([[1.0, 0.0], [1.0, 1.0]]), np.eye(2)],
                                                      "activation": "relu"}, "relu'(0) = 0"),),
          properties=(Property("sigmoid_vanishes", "a deep sigmoid chain's gradients vanish toward the input", _vanishing, inputs=lambda: st.just({})),
                      Property("large_weights_explode", "large weights make gradients explode", _exploding, inputs=lambda: st.just({}))),
          mistakes=(M("chain_gradient_norms: relu'(0) = 1", "relu'(0) = 0: use (z > 0), not (z >= 0), in the backward pass.", _norms_relu_ge),
                    M("chain_gradient_norms: reversed order", "norms[l] belongs to weights[l]: layer 0 (the first, nearest the input) comes first.", _norms_reversed),
                    M("chain_gradient_norms: squared norms", "The Frobenius norm is sqrt(sum(g**2)): np.linalg.norm(g).", _norms_squared))),
)

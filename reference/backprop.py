"""Reference backpropagation: perceptron, dense, dropout, a two-layer network,
a vanilla RNN, and gradient flow through deep chains. numpy float64.

Conventions (CONVENTIONS.md; the student guide restates them):

- Row-major batches: a batch ``x`` is (N, D), one sample per row, and
  weights are (fan_in, fan_out) so that a layer is ``x @ w + b``.
- Every backward takes its forward's arguments preceded by the upstream
  gradient ``dout`` (shaped like the forward's output) and returns the
  gradients of ``sum(dout * forward(...))`` in the order the docstring gives,
  each shaped like the argument it belongs to. The one exception is the
  contract's ``dropout_backward(dout, mask, p)``, which does not need ``x``.
- Kinks take the left branch (the z <= 0 side): step(0) = 0, relu'(0) = 0.
- Pure: inputs are never modified.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "perceptron_predict",
    "perceptron_update",
    "dense_forward",
    "dense_backward",
    "dropout_forward",
    "dropout_backward",
    "two_layer_loss",
    "rnn_step_forward",
    "rnn_step_backward",
    "rnn_forward",
    "rnn_backward",
    "chain_gradient_norms",
    "ACTIVATIONS",
    "balanced_sigmoid_chain",
    "vanishing_exploding_demo",
]


def _f64(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


def _step(z: np.ndarray) -> np.ndarray:
    return (z > 0).astype(np.float64)  # step(0) = 0


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # Split on the sign of z so that exp never overflows.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# ---------------------------------------------------------------- perceptron


def perceptron_predict(x, w, b):
    """Perceptron output ``step(x @ w + b)``, with step(z) = 1 if z > 0 else 0.

    x (N, D) or one sample (D,); w (D,); b a number. Returns float64 0.0/1.0
    values: shape (N,) for a batch, a 0-d value for one sample. A sample
    exactly on the boundary (x @ w + b == 0) is classified 0.
    """
    return _step(_f64(x) @ _f64(w) + _f64(b))


def perceptron_update(w, b, x, y, lr):
    """One step of the perceptron learning rule on ONE sample -> (w_new, b_new).

    x (D,), y in {0, 1}, w (D,), b a number, lr > 0::

        y_hat = step(x @ w + b)          (step(0) = 0)
        w_new = w + lr (y - y_hat) x
        b_new = b + lr (y - y_hat)

    Nothing changes when the sample is classified correctly. This is a
    gradient step on the perceptron criterion max(0, -(2y - 1)(x @ w + b)).
    Returns new arrays (w_new float64 of shape (D,), b_new a float64 scalar).
    """
    w, x = _f64(w), _f64(x)
    b = np.float64(b)
    err = float(y) - float(_step(x @ w + b))
    return w + lr * err * x, np.float64(b + lr * err)


# ---------------------------------------------------------------- dense


def dense_forward(x, w, b) -> np.ndarray:
    """Fully connected layer ``out = x @ w + b``: x (N, D), w (D, M), b (M,) -> (N, M)."""
    return _f64(x) @ _f64(w) + _f64(b)


def dense_backward(dout, x, w, b):
    """Gradients of ``sum(dout * (x @ w + b))`` -> (dx, dw, db).

    dout (N, M)::

        dx = dout @ w.T     (N, D)
        dw = x.T @ dout     (D, M)
        db = sum_n dout     (M,)
    """
    dout, x, w = _f64(dout), _f64(x), _f64(w)
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)


# ---------------------------------------------------------------- dropout


def _check_p(p) -> float:
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability p must be in [0, 1], got {p}")
    return p


def dropout_forward(x, mask, p) -> np.ndarray:
    """Inverted dropout in training: ``x * mask / (1 - p)``.

    mask: 0/1 array shaped like x (1 = kept, 0 = dropped), drawn by the
    caller so that results are deterministic; p: the probability of
    DROPPING an entry (as torch), 0 <= p <= 1. Kept entries are scaled by
    1/(1 - p) so that the expected output equals x. p = 1 drops everything
    and returns zeros (no division by zero). At evaluation time dropout is
    the identity and this function is not called.
    """
    p = _check_p(p)
    x, mask = _f64(x), _f64(mask)
    if p == 1.0:
        return np.zeros(np.broadcast_shapes(x.shape, mask.shape))
    return x * mask / (1.0 - p)


def dropout_backward(dout, mask, p) -> np.ndarray:
    """Gradient of ``sum(dout * dropout_forward(x, mask, p))`` w.r.t. x.

    ``dx = dout * mask / (1 - p)`` (zeros when p = 1). Takes (dout, mask, p),
    not x: the gradient does not depend on x.
    """
    return dropout_forward(dout, mask, p)


# ---------------------------------------------------------------- two-layer network


def two_layer_loss(params, x, y, reg=0.0):
    """Loss and gradients of a two-layer ReLU classifier -> (loss, grads).

    params: dict with W1 (D, H), b1 (H,), W2 (H, C), b2 (C,); x (N, D); y (N,)
    integer class indices in [0, C); reg >= 0::

        z1     = x @ W1 + b1
        h      = relu(z1)
        scores = h @ W2 + b2
        loss   = (1/N) sum_n -log softmax(scores_n)[y_n]
                 + reg * (sum W1^2 + sum W2^2)

    No 1/2 in front of the regularisation, biases are not regularised; the
    softmax is computed stably (log-sum-exp with the row maximum removed).
    grads: dict with the same keys and shapes (dW1, ... under "W1", ...)::

        dscores = (softmax(scores) - onehot(y)) / N
        dW2 = h.T @ dscores + 2 reg W2,   db2 = sum_n dscores
        dz1 = (dscores @ W2.T) * [z1 > 0] (relu'(0) = 0)
        dW1 = x.T @ dz1 + 2 reg W1,       db1 = sum_n dz1

    loss is returned as a Python float.
    """
    w1, b1 = _f64(params["W1"]), _f64(params["b1"])
    w2, b2 = _f64(params["W2"]), _f64(params["b2"])
    x = _f64(x)
    y = np.asarray(y)
    n = x.shape[0]
    if y.shape != (n,):
        raise ValueError(f"y must have shape (N,) = ({n},), got {y.shape}")
    yi = y.astype(np.int64)
    if not np.array_equal(yi, y) or (n and (yi.min() < 0 or yi.max() >= w2.shape[1])):
        raise ValueError(f"y must hold integer class indices in [0, {w2.shape[1]})")
    z1 = x @ w1 + b1
    h = np.maximum(z1, 0.0)
    scores = h @ w2 + b2
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(n)
    loss = -log_probs[rows, yi].mean() + reg * (np.sum(w1 * w1) + np.sum(w2 * w2))
    dscores = np.exp(log_probs)
    dscores[rows, yi] -= 1.0
    dscores /= n
    dz1 = (dscores @ w2.T) * (z1 > 0)
    grads = {
        "W1": x.T @ dz1 + 2.0 * reg * w1,
        "b1": dz1.sum(axis=0),
        "W2": h.T @ dscores + 2.0 * reg * w2,
        "b2": dscores.sum(axis=0),
    }
    return float(loss), grads


# ---------------------------------------------------------------- vanilla RNN


def rnn_step_forward(x, h_prev, wx, wh, b) -> np.ndarray:
    """One vanilla RNN step ``h = tanh(x @ wx + h_prev @ wh + b)``.

    x (N, D), h_prev (N, H), wx (D, H), wh (H, H), b (H,) -> h (N, H).
    """
    return np.tanh(_f64(x) @ _f64(wx) + _f64(h_prev) @ _f64(wh) + _f64(b))


def rnn_step_backward(dh_next, x, h_prev, wx, wh, b):
    """Gradients of ``sum(dh_next * rnn_step_forward(x, h_prev, wx, wh, b))``.

    Returns (dx, dh_prev, dwx, dwh, db), shaped like (x, h_prev, wx, wh, b).
    With h the step's output and dz = dh_next * (1 - h^2) (tanh' = 1 - tanh^2)::

        dx = dz @ wx.T,   dh_prev = dz @ wh.T
        dwx = x.T @ dz,   dwh = h_prev.T @ dz,   db = sum_n dz
    """
    x, h_prev, wx, wh = _f64(x), _f64(h_prev), _f64(wx), _f64(wh)
    h = rnn_step_forward(x, h_prev, wx, wh, b)
    dz = _f64(dh_next) * (1.0 - h * h)
    return dz @ wx.T, dz @ wh.T, x.T @ dz, h_prev.T @ dz, dz.sum(axis=0)


def rnn_forward(x, h0, wx, wh, b) -> np.ndarray:
    """Run the RNN over a sequence: x (N, T, D), h0 (N, H) -> h (N, T, H).

    ``h[:, t] = tanh(x[:, t] @ wx + h[:, t-1] @ wh + b)`` with h[:, -1] = h0;
    h0 itself is not part of the output.
    """
    x = _f64(x)
    n, t_len, _ = x.shape
    h_prev = _f64(h0)
    h = np.empty((n, t_len, h_prev.shape[1]))
    for t in range(t_len):
        h_prev = rnn_step_forward(x[:, t], h_prev, wx, wh, b)
        h[:, t] = h_prev
    return h


def rnn_backward(dh, x, h0, wx, wh, b):
    """Backpropagation through time for ``sum(dh * rnn_forward(x, h0, wx, wh, b))``.

    dh (N, T, H) is the upstream gradient of EVERY hidden state h[:, t] (for a
    loss on the last state only, dh is zero except at t = T - 1). Returns
    (dx, dh0, dwx, dwh, db) shaped like (x, h0, wx, wh, b). Going from
    t = T - 1 down to 0, the gradient reaching h[:, t] is dh[:, t] plus what
    flows back from step t + 1; each step adds its parameter gradients.
    """
    x, h0, dh = _f64(x), _f64(h0), _f64(dh)
    h = rnn_forward(x, h0, wx, wh, b)
    dx = np.zeros_like(x)
    dwx = np.zeros_like(_f64(wx))
    dwh = np.zeros_like(_f64(wh))
    db = np.zeros_like(_f64(b))
    carry = np.zeros_like(h0)
    for t in range(x.shape[1] - 1, -1, -1):
        h_prev = h[:, t - 1] if t > 0 else h0
        dxt, carry, dwxt, dwht, dbt = rnn_step_backward(
            dh[:, t] + carry, x[:, t], h_prev, wx, wh, b
        )
        dx[:, t] = dxt
        dwx += dwxt
        dwh += dwht
        db += dbt
    return dx, carry, dwx, dwh, db


# ---------------------------------------------------------------- gradient flow in deep chains


def _sigmoid_grad(z):
    s = _sigmoid(z)
    return s * (1.0 - s)


def _tanh_grad(z):
    t = np.tanh(z)
    return 1.0 - t * t


# name -> (activation, its derivative as a function of the pre-activation z)
ACTIVATIONS = {
    "sigmoid": (_sigmoid, _sigmoid_grad),
    "tanh": (np.tanh, _tanh_grad),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(np.float64)),
}


def chain_gradient_norms(x, weights, activation) -> np.ndarray:
    """Frobenius norms of dloss/dW_l along a deep chain without biases -> (L,).

    x (N, D0); weights a list of L arrays W_l (D_l, D_{l+1}); activation one
    of "sigmoid", "tanh", "relu" (relu'(0) = 0)::

        h_0 = x,   z_l = h_l @ W_l,   h_{l+1} = act(z_l),   loss = sum(h_L)
        dz_{L-1} = act'(z_{L-1})
        dW_l = h_l.T @ dz_l,   dz_{l-1} = (dz_l @ W_l.T) * act'(z_{l-1})

    Returns ``[||dW_0||_F, ..., ||dW_{L-1}||_F]``, index 0 the layer nearest
    the input. Each step back multiplies the signal by act'(z) (at most 1/4
    for the sigmoid) and by W_l.T: small factors make the first layers'
    norms vanish, large weights make them explode (the notes' 0.25 x 500).
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    act, act_grad = ACTIVATIONS[activation]
    weights = [_f64(w) for w in weights]
    hs, zs = [_f64(x)], []
    for w in weights:
        zs.append(hs[-1] @ w)
        hs.append(act(zs[-1]))
    norms = np.empty(len(weights))
    dh = np.ones_like(hs[-1])
    for l in range(len(weights) - 1, -1, -1):
        dz = dh * act_grad(zs[l])
        norms[l] = np.linalg.norm(hs[l].T @ dz)
        dh = dz @ weights[l].T
    return norms


def balanced_sigmoid_chain(depth: int, gain: float):
    """A width-2 sigmoid chain whose pre-activations are all exactly 0 -> (x, weights).

    x = [[0.5, 0.5]] and every W_l = (gain / 4) [[3, -1], [-3, 1]]: the
    columns of W_l sum to 0, so z_l = 0.5 * (column sums) = 0, every hidden
    unit is sigmoid(0) = 0.5 and sits where the sigmoid is steepest,
    sigmoid'(0) = 1/4. The backward signal lies along (1, -1), an eigenvector
    of W_l with eigenvalue ``gain``, so each layer multiplies it by
    sigmoid'(0) * gain = gain / 4 (gain / 8 for the last step, where the
    signal starts as (1, 1)). Hence, with the norms from
    :func:`chain_gradient_norms`::

        norms[l] / norms[l + 1] = gain / 4   for l < depth - 2
        norms[depth - 2] / norms[depth - 1] = gain / 8

    gain < 4 vanishes toward the first layer, gain > 4 explodes; the notes'
    "[0 <= sigma' <= 0.25] * w -> 0.25 x 500 ~ 125" is gain = 500.
    """
    w = (gain / 4.0) * np.array([[3.0, -1.0], [-3.0, 1.0]])
    return np.array([[0.5, 0.5]]), [w.copy() for _ in range(depth)]


def vanishing_exploding_demo(depth: int = 6, seed: int = 0) -> dict:
    """The notes' vanishing and exploding gradients, as per-layer norms (index 0 = first layer).

    - "vanishing": a deep sigmoid chain, width 8, weights N(0, 1) drawn with
      ``np.random.default_rng(seed)``, x uniform in [-1, 1] (N = 4): each layer
      back shrinks the signal (sigmoid' <= 1/4), so the norms shrink toward
      the first layer.
    - "vanishing_balanced": :func:`balanced_sigmoid_chain` with gain 1, each
      layer back exactly x 1/4 ("0.2 x 0.1 x 0.05 ~ 0.001" in the notes).
    - "exploding": :func:`balanced_sigmoid_chain` with gain 500, each layer
      back exactly x 125 (the notes' 0.25 x 500).
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(4, 8))
    weights = [rng.standard_normal((8, 8)) for _ in range(depth)]
    return {
        "vanishing": chain_gradient_norms(x, weights, "sigmoid"),
        "vanishing_balanced": chain_gradient_norms(*balanced_sigmoid_chain(depth, 1.0), "sigmoid"),
        "exploding": chain_gradient_norms(*balanced_sigmoid_chain(depth, 500.0), "sigmoid"),
    }

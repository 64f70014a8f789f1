"""Backpropagation: the perceptron, dense and dropout layers, a two-layer
network, a tanh RNN through time, and vanishing / exploding gradients.

Fill in every function below (replace each ``raise NotImplementedError``).
Read GUIDE.md (guide.md in the assignment folder) first: it states exactly
what the checks test.

Run the checks on your file:

    dlgrade check backprop backprop.py          # score and feedback
    dlgrade check backprop backprop.py -v       # also reproduction snippets

or, in the folder that ``dlgrade init backprop FOLDER`` made, simply

    pytest

The contract every check relies on:

- arrays are numpy float64. A batch x has one sample per ROW: x (N, D).
  Weights are (fan_in, fan_out), so a layer is  x @ w + b  with w (D, M),
  b (M,).
- arguments are always passed positionally, in the order of the signatures
  below, and every hyper-parameter (lr, p, reg, activation) is passed
  explicitly: your defaults are never used.
- pure functions: never modify an input (no x += ..., no x[...] = ...,
  no params["W1"] -= ...); build new arrays.
- every backward receives the upstream gradient FIRST (dout, dh_next, dh:
  shaped like the forward's output), then the forward's own arguments, and
  returns the gradients of the scalar  L = sum(dout * forward(...))  with
  respect to the inputs, in the order its docstring gives, each shaped
  like the input it belongs to.
- kinks take the left branch: step(0) = 0, relu'(0) = 0.
- integer results with the right values are accepted (e.g. a 0/1 int
  array from the perceptron).

Only numpy is needed. torch, tensorflow, jax, keras and autograd are not
allowed in this assignment: you write every gradient by hand.
"""

import numpy as np


# ---------------------------------------------------------------- perceptron


def perceptron_predict(x, w, b):
    """Perceptron output: step(x @ w + b), with step(z) = 1 if z > 0 else 0.

    x: (N, D) a batch, or (D,) one sample; w: (D,); b: a number.
    Returns 0.0 / 1.0 values: shape (N,) for a batch, a scalar (or 0-d
    array) for one sample. step(0) = 0: a sample exactly on the boundary
    (x @ w + b == 0) is classified 0.

    Example: x = [[1, 2], [-1, 0.5]], w = [0.5, -0.25], b = 0.1
    gives z = [0.1, -0.525] and the output [1.0, 0.0].
    """
    raise NotImplementedError


def perceptron_update(w, b, x, y, lr):
    """One step of the perceptron learning rule on ONE sample -> (w_new, b_new).

    w: (D,), b: a number, x: (D,) one sample, y: its target, 0 or 1 (given
    as a float 0.0 or 1.0), lr: the learning rate > 0.

        y_hat = step(x @ w + b)            (step(0) = 0)
        w_new = w + lr * (y - y_hat) * x
        b_new = b + lr * (y - y_hat)

    Returns the tuple (w_new, b_new): w_new an array of shape (D,), b_new a
    number. A correctly classified sample changes nothing. Do not modify w.
    """
    raise NotImplementedError


# ---------------------------------------------------------------- dense layer


def dense_forward(x, w, b):
    """Fully connected (affine) layer: out = x @ w + b.

    x: (N, D), w: (D, M), b: (M,)  ->  out: (N, M).
    out[n, m] = sum_d x[n, d] * w[d, m] + b[m]
    """
    raise NotImplementedError


def dense_backward(dout, x, w, b):
    """Backward pass of dense_forward -> (dx, dw, db).

    dout: (N, M), the upstream gradient dL/dout; L = sum(dout * (x @ w + b)).

        dx = dout @ w.T             shape (N, D)
        dw = x.T @ dout             shape (D, M)
        db = sum over n of dout     shape (M,)   (a SUM over the batch, not a mean)

    Returns the tuple (dx, dw, db), in this order.
    """
    raise NotImplementedError


# ---------------------------------------------------------------- dropout


def dropout_forward(x, mask, p):
    """Inverted dropout (training time): out = x * mask / (1 - p).

    x: any shape; mask: 0/1 array shaped like x (1 = KEPT, 0 = dropped),
    given to you so that results are deterministic; p: the probability of
    DROPPING an entry, 0 <= p <= 1. The kept entries are scaled by
    1 / (1 - p), so that the expected output equals x. p = 1 drops
    everything: return zeros shaped like x (do not divide by zero).
    """
    raise NotImplementedError


def dropout_backward(dout, mask, p):
    """Backward pass of dropout_forward -> dx (shaped like dout).

    dout: the upstream gradient, shaped like x; mask and p as in the forward.
    L = sum(dout * dropout_forward(x, mask, p)) gives

        dx = dout * mask / (1 - p)          (zeros when p = 1)

    The gradient does not depend on x, so x is not an argument.
    """
    raise NotImplementedError


# ---------------------------------------------------------------- two-layer network


def two_layer_loss(params, x, y, reg=0.0):
    """Loss and gradients of a two-layer ReLU softmax classifier -> (loss, grads).

    params: a dict with W1 (D, H), b1 (H,), W2 (H, C), b2 (C,). Do not modify it.
    x: (N, D); y: (N,) integer class indices in 0 .. C-1; reg >= 0.

        z1     = x @ W1 + b1               (N, H)
        h      = relu(z1) = max(z1, 0)     (N, H)
        scores = h @ W2 + b2               (N, C)
        p      = softmax(scores) over each row (subtract the row maximum first)
        loss   = (1/N) * sum_n -log p[n, y[n]]  +  reg * (sum W1^2 + sum W2^2)

    The data loss is the MEAN over the N samples; the penalty has NO 1/2 and
    does not include the biases. grads: a dict with the same keys and the
    same shapes as params, grads["W1"] = dloss/dW1 and so on:

        dscores = (p - onehot(y)) / N
        dW2 = h.T @ dscores + 2 reg W2      db2 = sum over n of dscores
        dh  = dscores @ W2.T
        dz1 = dh * (z1 > 0)                 (relu'(0) = 0)
        dW1 = x.T @ dz1 + 2 reg W1          db1 = sum over n of dz1

    Returns the tuple (loss, grads): loss a Python float (or a 0-d value).
    """
    raise NotImplementedError


# ---------------------------------------------------------------- vanilla RNN


def rnn_step_forward(x, h_prev, wx, wh, b):
    """One step of a vanilla (tanh) RNN: h = tanh(x @ wx + h_prev @ wh + b).

    x: (N, D), h_prev: (N, H), wx: (D, H), wh: (H, H), b: (H,)  ->  h: (N, H).
    """
    raise NotImplementedError


def rnn_step_backward(dh_next, x, h_prev, wx, wh, b):
    """Backward pass of rnn_step_forward -> (dx, dh_prev, dwx, dwh, db).

    dh_next: (N, H), the upstream gradient of this step's output h;
    L = sum(dh_next * rnn_step_forward(x, h_prev, wx, wh, b)).
    With h = rnn_step_forward(x, h_prev, wx, wh, b) (recompute it) and
    tanh'(a) = 1 - tanh(a)^2 = 1 - h^2:

        da      = dh_next * (1 - h^2)       (N, H)
        dx      = da @ wx.T                 (N, D)
        dh_prev = da @ wh.T                 (N, H)
        dwx     = x.T @ da                  (D, H)
        dwh     = h_prev.T @ da             (H, H)
        db      = sum over n of da          (H,)

    Returns the tuple (dx, dh_prev, dwx, dwh, db), in this order.
    """
    raise NotImplementedError


def rnn_forward(x, h0, wx, wh, b):
    """Run the RNN over a whole sequence -> h: (N, T, H).

    x: (N, T, D) (N sequences of T steps), h0: (N, H) the initial hidden
    state, wx (D, H), wh (H, H), b (H,) shared by every step:

        h[:, 0] = tanh(x[:, 0] @ wx + h0 @ wh + b)
        h[:, t] = tanh(x[:, t] @ wx + h[:, t-1] @ wh + b)     for t = 1 .. T-1

    Returns every hidden state h[:, 0] .. h[:, T-1] (h0 is NOT included).
    """
    raise NotImplementedError


def rnn_backward(dh, x, h0, wx, wh, b):
    """Backpropagation through time -> (dx, dh0, dwx, dwh, db).

    dh: (N, T, H), the upstream gradient of EVERY hidden state h[:, t]
    returned by rnn_forward; L = sum(dh * rnn_forward(x, h0, wx, wh, b)).
    Going backwards from t = T-1 to 0, the gradient reaching h[:, t] is
    dh[:, t] PLUS the dh_prev that flows back from step t+1; backpropagate
    it through step t (rnn_step_backward), and SUM the gradients of wx, wh
    and b over all steps (they are shared). dh0 is the dh_prev of step 0.

    Returns (dx, dh0, dwx, dwh, db) shaped like (x, h0, wx, wh, b).
    """
    raise NotImplementedError


# ---------------------------------------------------------------- vanishing / exploding gradients


def chain_gradient_norms(x, weights, activation):
    """Frobenius norms of dloss/dW_l along a deep chain without biases -> (L,).

    x: (N, D0); weights: a list of L arrays, W_l of shape (D_l, D_{l+1});
    activation: "sigmoid", "tanh" or "relu" (relu'(0) = 0).

        h_0 = x,   z_l = h_l @ W_l,   h_{l+1} = act(z_l)     (l = 0 .. L-1)
        loss = sum of every entry of h_L

    Backward: dloss/dh_L = ones; for l = L-1 down to 0:
        dz_l = dh_{l+1} * act'(z_l)
        dW_l = h_l.T @ dz_l
        dh_l = dz_l @ W_l.T

    Returns a float array norms of shape (L,) with
    norms[l] = sqrt(sum(dW_l ** 2)), in LAYER ORDER: norms[0] belongs to
    weights[0], the layer nearest the input.
    """
    raise NotImplementedError

"""Buggy backprop.py: dense_backward's db as a mean over the batch; two_layer_loss
with the penalty 0.5 * reg * sum W^2 (in the loss and, consistently, in the
gradients: reg W instead of 2 reg W).

Every other function is correct.
"""

import numpy as np


# ---------------------------------------------------------------- perceptron


def perceptron_predict(x, w, b):
    z = np.dot(x, w) + b
    return np.where(z > 0, 1.0, 0.0)


def perceptron_update(w, b, x, y, lr):
    y_hat = 1.0 if np.dot(x, w) + b > 0 else 0.0
    error = y - y_hat
    w_new = w + lr * error * x
    b_new = b + lr * error
    return w_new, b_new


# ---------------------------------------------------------------- dense


def dense_forward(x, w, b):
    return np.dot(x, w) + b


def dense_backward(dout, x, w, b):
    dx = np.dot(dout, w.T)
    dw = np.dot(x.T, dout)
    db = np.mean(dout, axis=0)  # BUG: a mean, not a sum
    return dx, dw, db


# ---------------------------------------------------------------- dropout


def dropout_forward(x, mask, p):
    if p == 1:
        return np.zeros_like(x * mask)
    keep = 1.0 - p
    return x * mask / keep


def dropout_backward(dout, mask, p):
    if p == 1:
        return np.zeros_like(dout * mask)
    return dout * mask / (1.0 - p)


# ---------------------------------------------------------------- two-layer network


def two_layer_loss(params, x, y, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = x.shape[0]

    # forward
    z1 = x.dot(W1) + b1
    h = np.maximum(z1, 0)
    scores = h.dot(W2) + b2
    scores = scores - np.max(scores, axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    correct_logprobs = -np.log(probs[range(N), y])
    data_loss = np.sum(correct_logprobs) / N
    reg_loss = 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))  # BUG: the textbook 1/2
    loss = data_loss + reg_loss

    # backward, one link of the chain at a time
    dscores = probs.copy()
    dscores[range(N), y] -= 1
    dscores /= N
    dW2 = h.T.dot(dscores) + reg * W2
    db2 = np.sum(dscores, axis=0)
    dh = dscores.dot(W2.T)
    dz1 = dh * (z1 > 0)
    dW1 = x.T.dot(dz1) + reg * W1
    db1 = np.sum(dz1, axis=0)

    grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    return float(loss), grads


# ---------------------------------------------------------------- RNN


def rnn_step_forward(x, h_prev, wx, wh, b):
    a = np.dot(x, wx) + np.dot(h_prev, wh) + b
    return np.tanh(a)


def rnn_step_backward(dh_next, x, h_prev, wx, wh, b):
    h = rnn_step_forward(x, h_prev, wx, wh, b)
    da = dh_next * (1 - h ** 2)
    dx = np.dot(da, wx.T)
    dh_prev = np.dot(da, wh.T)
    dwx = np.dot(x.T, da)
    dwh = np.dot(h_prev.T, da)
    db = np.sum(da, axis=0)
    return dx, dh_prev, dwx, dwh, db


def rnn_forward(x, h0, wx, wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    prev = h0
    for t in range(T):
        prev = rnn_step_forward(x[:, t, :], prev, wx, wh, b)
        h[:, t, :] = prev
    return h


def rnn_backward(dh, x, h0, wx, wh, b):
    N, T, D = x.shape
    h = rnn_forward(x, h0, wx, wh, b)
    dx = np.zeros_like(x)
    dwx = np.zeros_like(wx)
    dwh = np.zeros_like(wh)
    db = np.zeros_like(b)
    dprev = np.zeros_like(h0)
    for t in reversed(range(T)):
        h_prev = h0 if t == 0 else h[:, t - 1, :]
        dx_t, dprev, dwx_t, dwh_t, db_t = rnn_step_backward(dh[:, t, :] + dprev, x[:, t, :], h_prev, wx, wh, b)
        dx[:, t, :] = dx_t
        dwx += dwx_t
        dwh += dwh_t
        db += db_t
    return dx, dprev, dwx, dwh, db


# ---------------------------------------------------------------- vanishing / exploding


def _act(z, activation):
    if activation == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if activation == "tanh":
        return np.tanh(z)
    return np.maximum(z, 0)


def _act_grad(z, activation):
    if activation == "sigmoid":
        s = 1 / (1 + np.exp(-z))
        return s * (1 - s)
    if activation == "tanh":
        return 1 - np.tanh(z) ** 2
    return (z > 0) * 1.0


def chain_gradient_norms(x, weights, activation):
    hs = [x]
    zs = []
    for W in weights:
        z = hs[-1] @ W
        zs.append(z)
        hs.append(_act(z, activation))
    L = len(weights)
    norms = np.zeros(L)
    dh = np.ones_like(hs[-1])  # d(sum h_L) / d h_L
    for l in range(L - 1, -1, -1):
        dz = dh * _act_grad(zs[l], activation)
        dW = hs[l].T @ dz
        norms[l] = np.sqrt(np.sum(dW ** 2))
        dh = dz @ weights[l].T
    return norms

"""Adam without the bias correction; RMSProp with eps inside the square root."""

import numpy as np


def sgd(w, dw, state, lr):
    return w - lr * dw, {}


def sgd_momentum(w, dw, state, lr, momentum):
    # the notes' form: v = gamma v + lr dw; w -= v (same weights for a constant lr)
    velocity = state.get("velocity", np.zeros_like(w))
    velocity = momentum * velocity + lr * dw
    return w - velocity, {"velocity": velocity}


def adagrad(w, dw, state, lr, eps):
    if "sum_sq" in state:
        sum_sq = state["sum_sq"] + dw ** 2
    else:
        sum_sq = dw ** 2
    new_w = w - lr * dw / (np.sqrt(sum_sq) + eps)
    return new_w, {"sum_sq": sum_sq}


def rmsprop(w, dw, state, lr, beta, eps):
    cache = state.get("cache", 0.0)
    cache = beta * cache + (1 - beta) * dw * dw
    # BUG: eps belongs outside the root, sqrt(cache) + eps
    return w - lr * dw / np.sqrt(cache + eps), {"cache": cache}


def adadelta(w, dw, state, rho, eps):
    avg_sq_grad = state.get("avg_sq_grad", np.zeros_like(w))
    avg_sq_delta = state.get("avg_sq_delta", np.zeros_like(w))
    avg_sq_grad = rho * avg_sq_grad + (1 - rho) * dw ** 2
    delta = np.sqrt(avg_sq_delta + eps) / np.sqrt(avg_sq_grad + eps) * dw
    avg_sq_delta = rho * avg_sq_delta + (1 - rho) * delta ** 2
    return w - delta, {"avg_sq_grad": avg_sq_grad, "avg_sq_delta": avg_sq_delta}


def adam(w, dw, state, lr, beta1, beta2, eps):
    m, v = state.get("m", 0.0), state.get("v", 0.0)
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    # BUG: no bias correction (m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t))
    w = w - lr * m / (np.sqrt(v) + eps)
    return w, {"m": m, "v": v}


def linear_mse_grad(w, x, y):
    n = len(y)
    residual = x @ w - y
    return 2 / n * x.T @ residual


def gd(w, x, y, lr, epochs):
    for _ in range(epochs):
        w = w - lr * linear_mse_grad(w, x, y)
    return w


def minibatch_sgd(w, x, y, lr, batch_size, epochs, seed):
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    for epoch in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            w = w - lr * linear_mse_grad(w, x[batch], y[batch])
    return w

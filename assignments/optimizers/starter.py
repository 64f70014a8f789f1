"""Optimizers: SGD, momentum, AdaGrad, RMSProp, AdaDelta, Adam, and gradient descent loops.

Fill in every function below (replace each ``raise NotImplementedError``).
Read GUIDE.md (guide.md in the assignment folder) first: it states exactly
what the checks test.

Run the checks on your file:

    dlgrade check optimizers optimizers.py

or, in the folder that ``dlgrade init optimizers FOLDER`` made, simply

    pytest

The contract of every optimizer step:

    w_new, state_new = step(w, dw, state, *hyper_parameters)

- w: the weights, dw: the gradient dL/dw; float64 arrays of the same shape
  (any shape: every rule acts entry by entry). Below, g means dw.
- state: a dict that belongs to you. It is {} at the first step; afterwards
  you receive the state_new you returned at the previous step. Keep in it
  whatever your rule needs (arrays, numbers, lists, a step counter).
- hyper-parameters are always passed explicitly, positionally, in the order
  of the signature.
- pure: do not modify w, dw or the state dict passed in (no w -= ..., no
  state["v"] = ...); build new arrays and return a NEW dict.
- accumulators (velocity, sums and averages of squares, moments) start at 0.

Only numpy is needed. torch, tensorflow, jax and keras are not allowed in
this assignment.
"""

import numpy as np


def sgd(w, dw, state, lr):
    """Plain (stochastic) gradient descent.

        w_new = w - lr * g

    No state: return (w_new, {}).
    """
    raise NotImplementedError


def sgd_momentum(w, dw, state, lr, momentum):
    """SGD with momentum (PyTorch's form).

        b = g                   at the first step
        b = momentum * b + g    at later steps
        w_new = w - lr * b

    Keep b in the state. (The notes' form v = momentum * v + lr * g;
    w_new = w - v gives the same weights here: see the guide.)
    """
    raise NotImplementedError


def adagrad(w, dw, state, lr, eps):
    """AdaGrad.

        G = G + g^2                           (G starts at 0: the running SUM)
        w_new = w - lr * g / (sqrt(G) + eps)

    eps is OUTSIDE the square root (PyTorch). Keep G in the state.
    """
    raise NotImplementedError


def rmsprop(w, dw, state, lr, beta, eps):
    """RMSProp.

        s = beta * s + (1 - beta) * g^2       (s starts at 0)
        w_new = w - lr * g / (sqrt(s) + eps)

    eps is OUTSIDE the square root; no bias correction. Keep s in the state.
    """
    raise NotImplementedError


def adadelta(w, dw, state, rho, eps):
    """AdaDelta (Zeiler 2012). There is no learning rate (it is 1).

        Eg    = rho * Eg + (1 - rho) * g^2                  (Eg starts at 0)
        dx    = sqrt(Edx + eps) / sqrt(Eg + eps) * g        (Edx starts at 0;
                                                             the PREVIOUS Edx)
        Edx   = rho * Edx + (1 - rho) * dx^2
        w_new = w - dx

    eps is INSIDE both square roots. Keep Eg and Edx in the state.
    """
    raise NotImplementedError


def adam(w, dw, state, lr, beta1, beta2, eps):
    """Adam (Kingma and Ba 2015).

        t = t + 1                              (so t = 1 at the first step)
        m = beta1 * m + (1 - beta1) * g        (m starts at 0)
        v = beta2 * v + (1 - beta2) * g^2      (v starts at 0)
        m_hat = m / (1 - beta1^t)
        v_hat = v / (1 - beta2^t)
        w_new = w - lr * m_hat / (sqrt(v_hat) + eps)

    eps is OUTSIDE the square root, after the bias correction. Keep m, v and
    t in the state.
    """
    raise NotImplementedError


def linear_mse_grad(w, x, y):
    """Gradient of the mean squared error of a linear model.

        L(w) = mean over the N rows of (x @ w - y)^2
        dL/dw = 2 * x.T @ (x @ w - y) / N

    x: (N, D), y: (N,), w: (D,). Returns an array of shape (D,).
    """
    raise NotImplementedError


def gd(w, x, y, lr, epochs):
    """Full-batch gradient descent on L(w) = mean((x @ w - y)^2).

    epochs times:  w = w - lr * linear_mse_grad(w, x, y)

    Starts from w (do not modify it) and returns the final w, shape (D,).
    """
    raise NotImplementedError


def minibatch_sgd(w, x, y, lr, batch_size, epochs, seed):
    """Mini-batch SGD on L(w) = mean((x @ w - y)^2). Returns the final w, shape (D,).

    Exactly (the check follows the same order of rows):

        rng = np.random.default_rng(seed)          # ONCE, before the first epoch
        for each of the epochs:
            order = rng.permutation(N)             # a new order EVERY epoch
            for k = 0, batch_size, 2*batch_size, ... while k < N:
                idx = order[k:k + batch_size]      # the last batch may be smaller: keep it
                w = w - lr * linear_mse_grad(w, x[idx], y[idx])

    The gradient of a batch is the mean over that batch's own rows.
    Do not modify w, x or y.
    """
    raise NotImplementedError

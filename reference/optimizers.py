"""Reference optimizers: the oracles for the ``optimizers`` assignment.

Every optimizer is ONE functional step with explicit state::

    w_new, state_new = step(w, dw, state, *hyper_parameters)

- ``w`` the weights and ``dw`` = dL/dw, float64 arrays of the same shape
  (any shape; every rule acts entrywise); ``g`` below is ``dw``.
- ``state`` is a dict of arrays and numbers, ``{}`` on the first step; pass
  the returned ``state_new`` to the next step. Its keys are each
  implementation's own business: grading compares the weights along a
  trajectory, never the state.
- Pure: ``w``, ``dw`` and the ``state`` passed in are never modified, and the
  returned arrays share no memory with the inputs.
- Accumulators start at 0; t counts steps from 1. Hyper-parameters are
  always passed explicitly (positionally, in the order of the signature).

=============  ===============================================================
sgd            w -= lr g
sgd_momentum   b = g at step 1, then b = momentum b + g;  w -= lr b  (PyTorch)
momentum_notes v = gamma v + lr g (v = lr g at step 1);   w -= v     (the notes)
adagrad        G += g^2;  w -= lr g / (sqrt(G) + eps)
rmsprop        s = beta s + (1 - beta) g^2;  w -= lr g / (sqrt(s) + eps)
adadelta       Eg = rho Eg + (1-rho) g^2;  dx = sqrt(Edx + eps)/sqrt(Eg + eps) g;
               Edx = rho Edx + (1-rho) dx^2;  w -= dx                (lr = 1)
adam           m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  mhat = m/(1-b1^t);
               vhat = v/(1-b2^t);  w -= lr mhat / (sqrt(vhat) + eps)
=============  ===============================================================

eps sits outside the square root for AdaGrad, RMSProp and Adam (Adam: after
bias correction), and inside both roots for AdaDelta, as in PyTorch. The
notes write AdaGrad as eta/sqrt(alpha_t + eps): a variant, not graded.
``torch_optimizers`` checks each step against ``torch.optim`` and documents
the mapping of hyper-parameters.

Built on these, for linear regression with mean squared error:
:func:`linear_mse_grad`, :func:`gd` (full batch) and :func:`minibatch_sgd`.
"""

from __future__ import annotations

import operator

import numpy as np

__all__ = [
    "sgd",
    "sgd_momentum",
    "momentum_notes",
    "adagrad",
    "rmsprop",
    "adadelta",
    "adam",
    "linear_mse_grad",
    "gd",
    "minibatch_sgd",
]


def _wg(w, dw) -> tuple[np.ndarray, np.ndarray]:
    # Copies: nothing returned (weights or state) may alias the caller's arrays.
    w = np.array(w, dtype=np.float64, copy=True)
    g = np.array(dw, dtype=np.float64, copy=True)
    if w.shape != g.shape:
        raise ValueError(f"w has shape {w.shape} but dw has shape {g.shape}")
    return w, g


def _acc(state: dict, key: str, like: np.ndarray) -> np.ndarray:
    """state[key] as float64, or zeros on the first step (accumulators start at 0)."""
    if key in state:
        return np.asarray(state[key], dtype=np.float64)
    return np.zeros_like(like)


def sgd(w, dw, state, lr):
    """Plain (stochastic) gradient descent: w_new = w - lr g. State stays {}.

    torch.optim.SGD(lr=lr). "SGD" in the notes is this step applied to the
    gradient of one sample; "GD" applies it to the whole data set.
    """
    w, g = _wg(w, dw)
    return w - lr * g, {}


def sgd_momentum(w, dw, state, lr, momentum):
    """SGD with momentum, PyTorch's form.

    b_1 = g_1 (not momentum*0 + g_1: the same thing, since b starts at 0);
    b_t = momentum b_{t-1} + g_t;  w_t = w_{t-1} - lr b_t.
    torch.optim.SGD(lr=lr, momentum=momentum, dampening=0, nesterov=False).
    State: {"b": b}.

    With a constant lr this is exactly the notes' form
    (:func:`momentum_notes` with gamma = momentum): v_t = lr b_t. When lr
    changes between steps they differ: here a new lr scales the whole
    velocity at once, in the notes only the new gradient.
    """
    w, g = _wg(w, dw)
    b = g if "b" not in state else momentum * np.asarray(state["b"], dtype=np.float64) + g
    return w - lr * b, {"b": b}


def momentum_notes(w, dw, state, lr, gamma):
    """SGD with momentum, the notes' form: v_t = gamma v_{t-1} + lr g_t; w_t = w_{t-1} - v_t.

    v starts at 0, so v_1 = lr g_1. State: {"v": v}.
    Equivalence with :func:`sgd_momentum` (torch's form): by induction
    v_t = lr b_t while lr is constant (v_1 = lr g_1 = lr b_1, and
    v_t = gamma lr b_{t-1} + lr g_t = lr b_t), so the weights are identical.
    If lr changes from lr_1 to lr_2 at step 2, the notes give
    v_2 = gamma lr_1 g_1 + lr_2 g_2 but torch lr_2 (gamma g_1 + g_2): they differ by
    gamma g_1 (lr_1 - lr_2). Ng's form v = beta v + (1 - beta) g, w -= lr v is
    a third scaling (equal to torch's with lr (1 - beta)).
    """
    w, g = _wg(w, dw)
    v = gamma * _acc(state, "v", w) + lr * g
    return w - v, {"v": v}


def adagrad(w, dw, state, lr, eps):
    """AdaGrad: G_t = G_{t-1} + g_t^2 (G_0 = 0); w_t = w_{t-1} - lr g_t / (sqrt(G_t) + eps).

    torch.optim.Adagrad(lr=lr, eps=eps, lr_decay=0, weight_decay=0,
    initial_accumulator_value=0). The notes write lr / sqrt(alpha_t + eps)
    (eps inside the root): a variant we do not grade. State: {"G": G}.
    """
    w, g = _wg(w, dw)
    G = _acc(state, "G", w) + g * g
    return w - lr * g / (np.sqrt(G) + eps), {"G": G}


def rmsprop(w, dw, state, lr, beta, eps):
    """RMSProp: s_t = beta s_{t-1} + (1 - beta) g_t^2 (s_0 = 0); w_t = w_{t-1} - lr g_t / (sqrt(s_t) + eps).

    No bias correction, so early steps are large (s_1 = (1 - beta) g_1^2).
    torch.optim.RMSprop(lr=lr, alpha=beta, eps=eps, momentum=0,
    centered=False, weight_decay=0): torch calls beta ``alpha`` (default
    0.99; Hinton's lecture 0.9). State: {"s": s}.
    """
    w, g = _wg(w, dw)
    s = beta * _acc(state, "s", w) + (1.0 - beta) * g * g
    return w - lr * g / (np.sqrt(s) + eps), {"s": s}


def adadelta(w, dw, state, rho, eps):
    """AdaDelta (Zeiler 2012), with lr = 1 and eps inside both roots.

    Eg_t  = rho Eg_{t-1} + (1 - rho) g_t^2                 (Eg_0 = 0)
    dx_t  = sqrt(Edx_{t-1} + eps) / sqrt(Eg_t + eps) * g_t  (Edx_0 = 0)
    Edx_t = rho Edx_{t-1} + (1 - rho) dx_t^2
    w_t   = w_{t-1} - dx_t
    torch.optim.Adadelta(lr=1.0, rho=rho, eps=eps, weight_decay=0).
    State: {"Eg": Eg, "Edx": Edx}.
    """
    w, g = _wg(w, dw)
    Eg = rho * _acc(state, "Eg", w) + (1.0 - rho) * g * g
    Edx = _acc(state, "Edx", w)
    dx = np.sqrt(Edx + eps) / np.sqrt(Eg + eps) * g
    Edx = rho * Edx + (1.0 - rho) * dx * dx
    return w - dx, {"Eg": Eg, "Edx": Edx}


def adam(w, dw, state, lr, beta1, beta2, eps):
    """Adam (Kingma and Ba 2015), t counted from 1, eps outside the root after bias correction.

    m_t = beta1 m_{t-1} + (1 - beta1) g_t;  v_t = beta2 v_{t-1} + (1 - beta2) g_t^2  (m_0 = v_0 = 0)
    mhat = m_t / (1 - beta1^t);  vhat = v_t / (1 - beta2^t)
    w_t = w_{t-1} - lr mhat / (sqrt(vhat) + eps)
    For a constant gradient g the correction is exact: mhat = g and vhat =
    g^2 at every t, so every step moves by lr g / (|g| + eps).
    torch.optim.Adam(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=0,
    amsgrad=False). State: {"m": m, "v": v, "t": t}.
    """
    w, g = _wg(w, dw)
    t = int(state.get("t", 0)) + 1
    m = beta1 * _acc(state, "m", w) + (1.0 - beta1) * g
    v = beta2 * _acc(state, "v", w) + (1.0 - beta2) * g * g
    mhat = m / (1.0 - beta1**t)
    vhat = v / (1.0 - beta2**t)
    return w - lr * mhat / (np.sqrt(vhat) + eps), {"m": m, "v": v, "t": t}


# ---------------------------------------------------- linear regression
def linear_mse_grad(w, x, y):
    """Gradient of L(w) = mean((x @ w - y)^2) over the N rows: 2 x^T (x w - y) / N.

    x (N, D), y (N,), w (D,); returns (D,), computed as
    ``2.0 * (x.T @ (x @ w - y)) / N``. The mean (not the sum) makes the
    gradient of a batch independent of the batch size.
    """
    w = np.asarray(w, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 2 or y.shape != (x.shape[0],) or w.shape != (x.shape[1],):
        raise ValueError(f"need x (N, D), y (N,), w (D,); got {x.shape}, {y.shape}, {w.shape}")
    n = x.shape[0]
    return 2.0 * (x.T @ (x @ w - y)) / n


def gd(w, x, y, lr, epochs):
    """Full-batch gradient descent on mean((x @ w - y)^2): ``epochs`` steps of
    w = w - lr * linear_mse_grad(w, x, y), starting from w. Returns the final
    w (a new array; epochs = 0 returns a copy of w). "GD" in the notes.
    """
    epochs = operator.index(epochs)
    if epochs < 0:
        raise ValueError(f"epochs must be >= 0, got {epochs}")
    w = np.array(w, dtype=np.float64, copy=True)
    for _ in range(epochs):
        w, _ = sgd(w, linear_mse_grad(w, x, y), {}, lr)
    return w


def minibatch_sgd(w, x, y, lr, batch_size, epochs, seed):
    """Mini-batch SGD on mean((x @ w - y)^2). Returns the final w (a new array).

    The exact convention (a correct solution must follow it step for step):

    - ``rng = np.random.default_rng(seed)`` is created ONCE, before the first epoch;
    - at the start of every epoch, ``order = rng.permutation(N)`` (N = len(y));
    - the batches are consecutive slices of ``order``:
      ``order[0:batch_size]``, ``order[batch_size:2*batch_size]``, ...; the last
      one holds the N % batch_size leftover rows when batch_size does not divide
      N (it is not dropped); batch_size >= N gives one batch per epoch;
    - one update per batch, in that order:
      ``w = w - lr * linear_mse_grad(w, x[idx], y[idx])`` with the mean over
      the rows of that batch (its own size, also for the smaller last batch).

    So there are ceil(N / batch_size) updates per epoch. batch_size = 1 is the
    notes' "SGD" (one sample per update); batch_size = N is :func:`gd` (the
    permutation then only reorders the rows of a sum: the same w up to rounding).
    """
    batch_size, epochs = operator.index(batch_size), operator.index(epochs)
    if batch_size < 1 or epochs < 0:
        raise ValueError(f"need batch_size >= 1 and epochs >= 0, got {batch_size}, {epochs}")
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.array(w, dtype=np.float64, copy=True)
    n = y.shape[0]
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            w, _ = sgd(w, linear_mse_grad(w, x[idx], y[idx]), {}, lr)
    return w


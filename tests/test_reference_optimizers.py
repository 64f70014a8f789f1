"""The optimizer references: first steps, purity, state, and the linear-regression loops."""

import copy
import math

import numpy as np
import pytest

from dlgrade.reference import optimizers as O

HYPER = {
    "sgd": (0.1,),
    "sgd_momentum": (0.05, 0.9),
    "momentum_notes": (0.05, 0.9),
    "adagrad": (0.1, 1e-3),
    "rmsprop": (0.01, 0.9, 1e-3),
    "adadelta": (0.95, 1e-3),
    "adam": (0.01, 0.9, 0.999, 1e-3),
}
W0 = np.array([[0.5, -1.0, 2.0], [0.0, 3.0, -0.25]])
G1 = np.array([[1.0, -2.0, 1e-3], [0.0, 4.0, -0.5]])


def _first_step(name):
    """Each rule's first step from zero state, written out by hand."""
    g, a = G1, np.abs(G1)
    if name == "sgd":
        return W0 - 0.1 * g
    if name in ("sgd_momentum", "momentum_notes"):
        return W0 - 0.05 * g  # b_1 = g (torch); v_1 = lr g (notes)
    if name == "adagrad":
        return W0 - 0.1 * g / (a + 1e-3)  # G_1 = g^2
    if name == "rmsprop":
        return W0 - 0.01 * g / (math.sqrt(0.1) * a + 1e-3)  # s_1 = (1 - beta) g^2, no correction
    if name == "adadelta":
        return W0 - math.sqrt(1e-3) / np.sqrt(0.05 * g * g + 1e-3) * g
    return W0 - 0.01 * g / (a + 1e-3)  # adam: mhat = g, vhat = g^2


@pytest.mark.parametrize("name", HYPER)
def test_first_step_from_empty_state(name):
    w, state = getattr(O, name)(W0, G1, {}, *HYPER[name])
    np.testing.assert_allclose(w, _first_step(name), rtol=1e-14, atol=1e-16)
    assert isinstance(state, dict)
    assert w.dtype == np.float64 and w.shape == W0.shape


@pytest.mark.parametrize("name", HYPER)
def test_pure(name):
    """Inputs untouched, outputs share no memory with them, an old state can be replayed."""
    step = getattr(O, name)
    w, g = W0.copy(), G1.copy()
    _, state1 = step(w, g, {}, *HYPER[name])
    frozen = copy.deepcopy(state1)
    g2 = -0.5 * G1
    w2, state2 = step(w, g2, state1, *HYPER[name])
    np.testing.assert_array_equal(w, W0)
    np.testing.assert_array_equal(g, G1)
    assert state1.keys() == frozen.keys()
    for k in frozen:
        np.testing.assert_array_equal(state1[k], frozen[k])
    for out in [w2, *[v for v in state2.values() if isinstance(v, np.ndarray)]]:
        for arr in [w, g, g2, *[v for v in state1.values() if isinstance(v, np.ndarray)]]:
            assert not np.shares_memory(out, arr)
    again, _ = step(w, g2, state1, *HYPER[name])
    np.testing.assert_array_equal(again, w2)
    # Mutating the caller's gradient afterwards must not reach the state.
    g2[...] = 1e9
    w3, _ = step(w2, G1, state2, *HYPER[name])
    assert np.all(np.abs(w3) < 1e3)


@pytest.mark.parametrize("name", HYPER)
def test_any_shape_and_mismatch(name):
    step = getattr(O, name)
    w, _ = step(np.float64(1.0), np.float64(0.5), {}, *HYPER[name])
    assert np.shape(w) == ()
    w, _ = step([1.0, 2.0], [0.1, -0.2], {}, *HYPER[name])
    assert w.shape == (2,)
    with pytest.raises(ValueError):
        step(np.zeros(3), np.zeros(4), {}, *HYPER[name])


def test_adam_counts_steps():
    w, s = W0, {}
    for t in range(1, 5):
        w, s = O.adam(w, G1, s, *HYPER["adam"])
        assert s["t"] == t
        # constant gradient: bias correction exact, every step is lr g / (|g| + eps)
        np.testing.assert_allclose(w, W0 - t * 0.01 * G1 / (np.abs(G1) + 1e-3), rtol=1e-13, atol=1e-15)


def test_momentum_forms_equal_for_constant_lr_only():
    rng = np.random.default_rng(0)
    a = b = rng.normal(size=10)
    sa, sb = {}, {}
    for _ in range(30):
        g = rng.normal(size=10)
        a, sa = O.sgd_momentum(a, g, sa, 0.05, 0.9)
        b, sb = O.momentum_notes(b, g, sb, 0.05, 0.9)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-13)
    g1, g2 = np.ones(1), np.ones(1)
    a, sa = O.sgd_momentum(np.zeros(1), g1, {}, 0.1, 0.9)
    b, sb = O.momentum_notes(np.zeros(1), g1, {}, 0.1, 0.9)
    a, _ = O.sgd_momentum(a, g2, sa, 0.01, 0.9)
    b, _ = O.momentum_notes(b, g2, sb, 0.01, 0.9)
    # notes - torch = gamma g1 (lr2 - lr1) after step 2
    assert (a - b)[0] == pytest.approx(-(0.9 * (0.01 - 0.1)), abs=1e-15)


# ------------------------------------------------------- linear regression
def _problem(n=37, d=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = x @ np.array([1.0, -2.0, 0.5]) + 0.01 * rng.normal(size=n)
    return x, y, np.zeros(d)


def test_linear_mse_grad_is_the_gradient():
    x, y, _ = _problem()
    w = np.array([0.3, -0.1, 2.0])
    loss = lambda v: np.mean((x @ v - y) ** 2)  # noqa: E731
    h = 1e-6
    fd = np.array([(loss(w + h * e) - loss(w - h * e)) / (2 * h) for e in np.eye(3)])
    np.testing.assert_allclose(O.linear_mse_grad(w, x, y), fd, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(O.linear_mse_grad(w, x, y), 2 * x.T @ (x @ w - y) / len(y), rtol=1e-15)
    with pytest.raises(ValueError):
        O.linear_mse_grad(w, x, y[:-1])


def test_gd_converges_and_is_pure():
    x, y, w0 = _problem()
    xc, yc = x.copy(), y.copy()
    w = O.gd(w0, x, y, 0.1, 500)
    np.testing.assert_allclose(w, np.linalg.lstsq(x, y, rcond=None)[0], atol=1e-10)
    np.testing.assert_array_equal(w0, np.zeros(3))
    np.testing.assert_array_equal(x, xc)
    np.testing.assert_array_equal(y, yc)
    same = O.gd(w0, x, y, 0.1, 0)
    assert np.array_equal(same, w0) and same is not w0


def _replay(w, x, y, lr, batch_size, epochs, seed):
    """The documented convention, written out independently."""
    rng = np.random.default_rng(seed)
    n = len(y)
    for _ in range(epochs):
        order = rng.permutation(n)
        for k in range(math.ceil(n / batch_size)):
            idx = order[k * batch_size : (k + 1) * batch_size]
            r = x[idx] @ w - y[idx]
            w = w - lr * 2.0 * (x[idx].T @ r) / len(idx)
    return w


@pytest.mark.parametrize("batch_size", [1, 5, 8, 37, 100])
def test_minibatch_sgd_follows_the_convention(batch_size):
    x, y, w0 = _problem()
    got = O.minibatch_sgd(w0, x, y, 0.02, batch_size, 3, 42)
    np.testing.assert_allclose(got, _replay(w0, x, y, 0.02, batch_size, 3, 42), rtol=1e-14, atol=1e-15)


def test_minibatch_sgd_details():
    x, y, w0 = _problem()
    # one batch per epoch: the same as gd up to the order of a sum
    np.testing.assert_allclose(O.minibatch_sgd(w0, x, y, 0.1, 37, 20, 3), O.gd(w0, x, y, 0.1, 20), atol=1e-13)
    # the seed matters, and the rng is created once (epochs differ)
    a = O.minibatch_sgd(w0, x, y, 0.02, 5, 1, 1)
    assert not np.allclose(a, O.minibatch_sgd(w0, x, y, 0.02, 5, 1, 2))
    # the last, smaller batch (37 = 4 * 8 + 5) is used, with its own mean
    dropped = w0
    rng = np.random.default_rng(9)
    order = rng.permutation(37)
    for k in range(4):
        idx = order[8 * k : 8 * k + 8]
        dropped = dropped - 0.02 * O.linear_mse_grad(dropped, x[idx], y[idx])
    assert not np.allclose(O.minibatch_sgd(w0, x, y, 0.02, 8, 1, 9), dropped)
    with pytest.raises(ValueError):
        O.minibatch_sgd(w0, x, y, 0.02, 0, 1, 0)
    np.testing.assert_array_equal(w0, np.zeros(3))

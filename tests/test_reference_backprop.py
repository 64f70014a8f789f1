"""The backprop oracles: hand-computed values, kink conventions, gradients, the notes' demos."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlgrade.reference import backprop as B
from tests.numeric import numeric_vjp

SETTINGS = settings(max_examples=30, derandomize=True, database=None, deadline=None)


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------- perceptron


def test_perceptron_predict_step_at_zero_is_zero():
    w = np.array([1.0, -1.0])
    x = np.array([[2.0, 1.0], [1.0, 1.0], [0.0, 1.0]])  # z = 1, 0, -1
    np.testing.assert_array_equal(B.perceptron_predict(x, w, 0.0), [1.0, 0.0, 0.0])
    assert B.perceptron_predict(x[1], w, 0.0) == 0.0
    assert B.perceptron_predict(x[1], w, 1e-300) == 1.0
    assert np.asarray(B.perceptron_predict(x, w, 0.0)).dtype == np.float64


def test_perceptron_update_by_hand():
    w, b, x = np.array([0.5, -1.0]), 0.0, np.array([1.0, 2.0])  # z = -1.5: y_hat = 0
    w_new, b_new = B.perceptron_update(w, b, x, 1, 0.1)  # wrong: move toward x
    np.testing.assert_allclose(w_new, [0.6, -0.8])
    assert b_new == pytest.approx(0.1)
    w_same, b_same = B.perceptron_update(w, b, x, 0, 0.1)  # right: no change
    np.testing.assert_array_equal(w_same, w)
    assert b_same == 0.0
    w_new, b_new = B.perceptron_update(np.array([1.0, 0.0]), 0.5, x, 0, 1.0)  # z > 0, y = 0
    np.testing.assert_array_equal(w_new, [0.0, -2.0])
    assert b_new == -0.5
    # On the boundary (z = 0) the prediction is 0, so a positive sample moves w.
    w_new, _ = B.perceptron_update(np.zeros(2), 0.0, x, 1, 1.0)
    np.testing.assert_array_equal(w_new, x)


def test_perceptron_learns_and():
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 0, 0, 1])
    w, b = np.zeros(2), 0.0
    for _ in range(20):
        for xi, yi in zip(x, y, strict=True):
            w, b = B.perceptron_update(w, b, xi, yi, 0.1)
    np.testing.assert_array_equal(B.perceptron_predict(x, w, b), y)


# ---------------------------------------------------------------- dense and dropout


def test_dense_by_hand_and_gradients():
    x = np.array([[1.0, 2.0]])
    w = np.array([[1.0, 0.0, -1.0], [0.5, 1.0, 2.0]])
    b = np.array([0.0, 1.0, 2.0])
    np.testing.assert_array_equal(B.dense_forward(x, w, b), [[2.0, 3.0, 5.0]])
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal(5)
    dout = rng.standard_normal((4, 5))
    grads = B.dense_backward(dout, x, w, b)
    for i, g in enumerate(grads):
        assert g.shape == (x, w, b)[i].shape
        close(g, numeric_vjp(B.dense_forward, (x, w, b), i, dout))


def test_dropout_scales_the_kept_entries():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    mask = np.array([[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(B.dropout_forward(x, mask, 0.5), [[2.0, 0.0], [0.0, 8.0]])
    np.testing.assert_array_equal(B.dropout_forward(x, np.ones((2, 2)), 0.0), x)
    np.testing.assert_allclose(B.dropout_forward(x, mask, 0.75), [[4.0, 0.0], [0.0, 16.0]])
    dout = np.array([[1.0, 1.0], [1.0, -1.0]])
    np.testing.assert_array_equal(B.dropout_backward(dout, mask, 0.5), [[2.0, 0.0], [0.0, -2.0]])


def test_dropout_p_one_gives_zeros_without_warnings():
    x = np.array([1.0, -2.0, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for mask in (np.zeros(3), np.ones(3)):
            np.testing.assert_array_equal(B.dropout_forward(x, mask, 1.0), np.zeros(3))
            np.testing.assert_array_equal(B.dropout_backward(x, mask, 1.0), np.zeros(3))


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_rejects_p_outside_unit_interval(p):
    with pytest.raises(ValueError, match="p must be in"):
        B.dropout_forward(np.ones(2), np.ones(2), p)


def test_dropout_is_unbiased_over_masks():
    rng = np.random.default_rng(5)
    x, p = np.array([1.0, -2.0, 0.5]), 0.3
    masks = (rng.random((200_000, 3)) >= p).astype(float)
    mean = B.dropout_forward(x, masks, p).mean(axis=0)
    np.testing.assert_allclose(mean, x, atol=0.02)  # about 8 standard errors


# ---------------------------------------------------------------- two-layer network


def _params(rng, d=3, h=4, c=3):
    return {
        "W1": rng.standard_normal((d, h)),
        "b1": rng.standard_normal(h),
        "W2": rng.standard_normal((h, c)),
        "b2": rng.standard_normal(c),
    }


def test_two_layer_loss_zero_weights_is_log_c():
    params = {"W1": np.zeros((2, 3)), "b1": np.zeros(3), "W2": np.zeros((3, 4)), "b2": np.zeros(4)}
    loss, grads = B.two_layer_loss(params, np.ones((5, 2)), np.array([0, 1, 2, 3, 0]), 0.1)
    assert loss == pytest.approx(np.log(4.0), rel=1e-15)
    assert isinstance(loss, float)
    assert set(grads) == {"W1", "b1", "W2", "b2"}
    # relu'(0) = 0: with every z1 = 0 nothing flows into the first layer.
    assert not grads["W1"].any() and not grads["b1"].any()


@pytest.mark.parametrize("reg", [0.0, 0.05, 1.0])
def test_two_layer_loss_gradients_match_central_differences(reg):
    rng = np.random.default_rng(7)
    params = _params(rng)
    x, y = rng.standard_normal((6, 3)), rng.integers(0, 3, size=6)
    loss, grads = B.two_layer_loss(params, x, y, reg)
    for k in params:

        def f(v, k=k):
            return B.two_layer_loss({**params, k: v}, x, y, reg)[0]

        close(grads[k], numeric_vjp(f, (params[k],), 0, 1.0))
    # The penalty has no 1/2: it adds reg * sum W^2 and 2 reg W to the gradient.
    loss0, grads0 = B.two_layer_loss(params, x, y, 0.0)
    assert loss - loss0 == pytest.approx(
        reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    )
    close(grads["W2"] - grads0["W2"], 2 * reg * params["W2"])
    close(grads["b2"], grads0["b2"])


def test_two_layer_loss_relu_kink_takes_zero():
    params = {
        "W1": np.array([[1.0, -1.0]]),
        "b1": np.array([0.0, 0.0]),
        "W2": np.eye(2),
        "b2": np.zeros(2),
    }
    _, grads = B.two_layer_loss(params, np.array([[0.0]]), np.array([1]))  # z1 = 0 exactly
    assert not grads["b1"].any() and not grads["W1"].any()


def test_two_layer_loss_is_stable_for_huge_scores():
    params = {"W1": np.eye(2) * 1e4, "b1": np.zeros(2), "W2": np.eye(2) * 1e4, "b2": np.zeros(2)}
    loss, grads = B.two_layer_loss(params, np.array([[1.0, 0.0]]), np.array([1]))
    assert loss == pytest.approx(1e8)
    assert all(np.isfinite(g).all() for g in grads.values())


def test_two_layer_loss_rejects_bad_labels():
    params = _params(np.random.default_rng(0))
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="class indices"):
        B.two_layer_loss(params, x, np.array([0, 3]))
    with pytest.raises(ValueError, match="class indices"):
        B.two_layer_loss(params, x, np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="shape"):
        B.two_layer_loss(params, x, np.array([0]))


# ---------------------------------------------------------------- RNN


def _rnn(rng, n=2, t=4, d=3, h=5):
    return (
        rng.standard_normal((n, t, d)),
        rng.standard_normal((n, h)),
        rng.standard_normal((d, h)) * 0.5,
        rng.standard_normal((h, h)) * 0.5,
        rng.standard_normal(h),
    )


def test_rnn_step_by_hand_and_gradients():
    h = B.rnn_step_forward(
        np.array([[1.0]]),
        np.array([[0.5]]),
        np.array([[2.0]]),
        np.array([[-2.0]]),
        np.array([0.25]),
    )
    assert h[0, 0] == pytest.approx(np.tanh(1.25), rel=1e-15)
    rng = np.random.default_rng(2)
    x, h0, wx, wh, b = _rnn(rng)
    args = (x[:, 0], h0, wx, wh, b)
    dout = rng.standard_normal(h0.shape)
    grads = B.rnn_step_backward(dout, *args)
    assert len(grads) == 5
    for i, g in enumerate(grads):
        close(g, numeric_vjp(B.rnn_step_forward, args, i, dout))


def test_rnn_forward_is_the_step_loop():
    x, h0, wx, wh, b = _rnn(np.random.default_rng(3))
    h = B.rnn_forward(x, h0, wx, wh, b)
    assert h.shape == (2, 4, 5)
    prev = h0
    for t in range(4):
        prev = B.rnn_step_forward(x[:, t], prev, wx, wh, b)
        np.testing.assert_array_equal(h[:, t], prev)


def test_rnn_backward_matches_central_differences():
    rng = np.random.default_rng(4)
    args = _rnn(rng)
    dh = rng.standard_normal((2, 4, 5))
    grads = B.rnn_backward(dh, *args)
    assert [g.shape for g in grads] == [a.shape for a in args]
    for i, g in enumerate(grads):
        close(g, numeric_vjp(B.rnn_forward, args, i, dh))


def test_rnn_backward_one_step_is_the_step_backward():
    x, h0, wx, wh, b = _rnn(np.random.default_rng(5), t=1)
    dh = np.ones((2, 1, 5))
    seq = B.rnn_backward(dh, x, h0, wx, wh, b)
    step = B.rnn_step_backward(dh[:, 0], x[:, 0], h0, wx, wh, b)
    close(seq[0][:, 0], step[0])
    for a, s in zip(seq[1:], step[1:], strict=True):
        close(a, s)


# ---------------------------------------------------------------- deep chains


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_chain_gradient_norms_match_central_differences(activation):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 2))
    weights = [rng.standard_normal(s) for s in ((2, 4), (4, 3), (3, 2))]
    act = B.ACTIVATIONS[activation][0]

    def loss(*ws):
        h = x
        for w in ws:
            h = act(h @ w)
        return h.sum()

    got = B.chain_gradient_norms(x, weights, activation)
    assert got.shape == (3,)
    expected = [np.linalg.norm(numeric_vjp(loss, weights, i, 1.0)) for i in range(3)]
    close(got, expected)


def test_chain_gradient_norms_relu_kink_takes_zero():
    # h_1 = relu(x @ W0) with z = 0 exactly: relu'(0) = 0 blocks everything below.
    norms = B.chain_gradient_norms(
        np.array([[1.0, -1.0]]), [np.ones((2, 1)), np.ones((1, 1))], "relu"
    )
    np.testing.assert_array_equal(norms, [0.0, 0.0])


def test_chain_gradient_norms_rejects_unknown_activation():
    with pytest.raises(ValueError, match="activation"):
        B.chain_gradient_norms(np.ones((1, 1)), [np.ones((1, 1))], "softsign")


def test_balanced_chain_factors_are_exact():
    for gain in (1.0, 500.0):
        x, weights = B.balanced_sigmoid_chain(6, gain)
        norms = B.chain_gradient_norms(x, weights, "sigmoid")
        ratios = norms[:-1] / norms[1:]
        np.testing.assert_allclose(ratios[:-1], gain / 4, rtol=1e-12)
        assert ratios[-1] == pytest.approx(gain / 8, rel=1e-12)


def test_notes_vanishing_and_exploding_gradients():
    demo = B.vanishing_exploding_demo()
    vanishing = demo["vanishing"]
    assert (np.diff(vanishing) > 0).all()  # shrinks toward the first layer
    assert vanishing[0] < 0.05 * vanishing[-1]
    assert (np.diff(demo["vanishing_balanced"]) > 0).all()
    exploding = demo["exploding"]
    assert (np.diff(exploding) < 0).all()  # grows toward the first layer
    assert exploding[0] / exploding[1] == pytest.approx(125.0)  # the notes' 0.25 x 500
    assert exploding[0] > 1e9


# ---------------------------------------------------------------- purity


@SETTINGS
@given(st.integers(0, 2**16))
def test_functions_do_not_modify_inputs(seed):
    rng = np.random.default_rng(seed)
    x, h0, wx, wh, b = _rnn(rng, n=2, t=3, d=2, h=3)
    params = _params(rng)
    xd, y = rng.standard_normal((4, 3)), rng.integers(0, 3, size=4)
    mask = (rng.random((4, 3)) > 0.5).astype(float)
    arrays = [x, h0, wx, wh, b, xd, mask, *params.values()]
    for a in arrays:
        a.setflags(write=False)  # a write would raise
    B.rnn_backward(np.ones((2, 3, 3)), x, h0, wx, wh, b)
    B.rnn_step_backward(np.ones((2, 3)), x[:, 0], h0, wx, wh, b)
    B.two_layer_loss(params, xd, y, 0.1)
    B.dropout_backward(xd, mask, 0.5)
    B.dense_backward(np.ones((4, 4)), xd, params["W1"], params["b1"])
    B.chain_gradient_norms(xd, [params["W1"], params["W2"]], "tanh")
    B.perceptron_update(xd[0], 0.0, xd[1], 1, 0.1)

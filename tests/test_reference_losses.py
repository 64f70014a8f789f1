"""The loss oracles: return types, reductions, stability, purity, shapes, kinks.

Correctness against SymPy and PyTorch is in test_verify_losses.py; here the
engineering contract and a few independent cross-checks (central
differences, one-hot vs class-index forms).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from dlgrade.reference import activations as A
from dlgrade.reference import losses as L

RNG = np.random.default_rng(11)
Y = RNG.normal(0, 2, (4, 5))
YH = Y + RNG.normal(0, 1.5, (4, 5))
Y01 = RNG.uniform(0, 1, (4, 5))
P01 = RNG.uniform(0.05, 0.95, (4, 5))
LAB = np.array([0, 3, 1, 2, 3])
ONEHOT = np.eye(4)[LAB]
Z = RNG.normal(0, 2, (5, 4))
PC = A.softmax(Z)

# name -> (loss, grad, args): losses take (target, prediction, *hyper)
PAIRS = {
    "mse": (L.mse, L.mse_grad, (Y, YH)),
    "mae": (L.mae, L.mae_grad, (Y, YH)),
    "huber": (L.huber, L.huber_grad, (Y, YH, 1.3)),
    "binary_cross_entropy": (L.binary_cross_entropy, L.binary_cross_entropy_grad, (Y01, P01)),
    "binary_cross_entropy_logits": (L.binary_cross_entropy_logits, L.binary_cross_entropy_logits_grad, (Y01, YH)),
    "categorical_cross_entropy": (L.categorical_cross_entropy, L.categorical_cross_entropy_grad, (ONEHOT, PC)),
    "categorical_cross_entropy_logits": (
        L.categorical_cross_entropy_logits,
        L.categorical_cross_entropy_logits_grad,
        (ONEHOT, Z),
    ),
    "categorical_cross_entropy_indices": (
        L.categorical_cross_entropy_indices,
        L.categorical_cross_entropy_indices_grad,
        (LAB, PC),
    ),
    "cross_entropy_logits_indices": (L.cross_entropy_logits_indices, L.cross_entropy_logits_indices_grad, (LAB, Z)),
    "sum_squares_cost": (L.sum_squares_cost, L.sum_squares_cost_grad, (Y, YH)),
}


def test_every_public_function_is_exercised():
    names = set(PAIRS) | {n + "_grad" for n in PAIRS}
    assert names == set(L.__all__)


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_loss_is_python_float_and_grad_has_prediction_shape(name):
    loss, grad, args = PAIRS[name]
    value = loss(*args)
    assert type(value) is float and np.isfinite(value)
    g = grad(*args)
    assert isinstance(g, np.ndarray) and g.dtype == np.float64 and g.shape == np.shape(args[1])


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_grad_matches_central_differences(name):
    loss, grad, args = PAIRS[name]
    pred = np.asarray(args[1], dtype=np.float64)
    num = np.zeros_like(pred)
    for idx in np.ndindex(pred.shape):
        h = 6e-6 * max(1.0, abs(pred[idx]))
        if name == "binary_cross_entropy":
            h = 1e-7
        e = np.zeros_like(pred)
        e[idx] = h
        num[idx] = (loss(args[0], pred + e, *args[2:]) - loss(args[0], pred - e, *args[2:])) / (2 * h)
    np.testing.assert_allclose(grad(*args), num, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_pure_inputs_unchanged(name):
    loss, grad, args = PAIRS[name]
    # read-only copies: any in-place write raises; the shared arrays stay untouched
    frozen = tuple(np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args)
    before = [np.array(a, copy=True) for a in frozen if isinstance(a, np.ndarray)]
    for a in frozen:
        if isinstance(a, np.ndarray):
            a.flags.writeable = False
    loss(*frozen)
    grad(*frozen)
    after = [a for a in frozen if isinstance(a, np.ndarray)]
    for a, b in zip(after, before, strict=True):
        np.testing.assert_array_equal(a, b)


def test_means_run_over_all_elements():
    y, yh = np.zeros((2, 3)), np.ones((2, 3))
    assert L.mse(y, yh) == 1.0 and L.mae(y, yh) == 1.0 and L.huber(y, yh, 1.0) == 0.5
    np.testing.assert_array_equal(L.mse_grad(y, yh), np.full((2, 3), 2 / 6))
    np.testing.assert_array_equal(L.mae_grad(y, yh), np.full((2, 3), 1 / 6))
    assert L.sum_squares_cost(y, yh) == 6.0
    np.testing.assert_array_equal(L.sum_squares_cost_grad(y, yh), np.full((2, 3), 2.0))
    # categorical: sum over classes, mean over samples (leading axes all count)
    p = np.full((2, 3, 4), 0.25)
    onehot = np.zeros((2, 3, 4))
    onehot[..., 0] = 1.0
    assert L.categorical_cross_entropy(onehot, p) == pytest.approx(np.log(4), rel=1e-15)
    np.testing.assert_allclose(L.categorical_cross_entropy_grad(onehot, p)[..., 0], -4 / 6)


def test_zero_d_inputs_have_n_equal_one():
    assert L.mse(np.float64(1.0), np.float64(3.0)) == 4.0
    assert L.mse_grad(1.0, 3.0).shape == () and L.mse_grad(1.0, 3.0) == 4.0
    assert L.mae_grad(1.0, 3.0) == 1.0
    assert L.huber(0.0, 3.0, 1.0) == 2.5 and L.huber_grad(0.0, -3.0, 1.0) == -1.0
    assert L.binary_cross_entropy_logits_grad(1.0, 0.0) == -0.5
    assert L.sum_squares_cost(2, 5) == 9.0


def test_single_sample_categorical_from_1d():
    p = np.array([0.2, 0.5, 0.3])
    assert L.categorical_cross_entropy(np.array([0, 1, 0.0]), p) == pytest.approx(-np.log(0.5), rel=1e-15)
    assert L.categorical_cross_entropy_indices(np.array(1), p) == pytest.approx(-np.log(0.5), rel=1e-15)


@pytest.mark.parametrize(
    "call",
    [
        lambda: L.mse(np.zeros(3), np.zeros((3, 1))),
        lambda: L.mae_grad(np.zeros(3), np.zeros(4)),
        lambda: L.binary_cross_entropy(np.zeros(0), np.zeros(0)),
        lambda: L.categorical_cross_entropy(np.float64(1.0), np.float64(1.0)),
        lambda: L.cross_entropy_logits_indices(np.array([0, 4]), np.zeros((2, 4))),
        lambda: L.cross_entropy_logits_indices(np.array([0, -1]), np.zeros((2, 4))),
        lambda: L.categorical_cross_entropy_indices(np.array([0, 1, 2]), np.full((2, 4), 0.25)),
    ],
)
def test_bad_shapes_and_labels_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_labels_must_be_integers():
    z = np.zeros((2, 3))
    assert L.cross_entropy_logits_indices(np.array([0.0, 2.0]), z) == pytest.approx(np.log(3))
    with pytest.raises(TypeError):
        L.cross_entropy_logits_indices(np.array([0.5, 2.0]), z)


def test_index_forms_equal_one_hot_forms():
    assert L.categorical_cross_entropy_indices(LAB, PC) == pytest.approx(
        L.categorical_cross_entropy(ONEHOT, PC), rel=1e-14
    )
    np.testing.assert_allclose(
        L.categorical_cross_entropy_indices_grad(LAB, PC), L.categorical_cross_entropy_grad(ONEHOT, PC), rtol=1e-14
    )
    assert L.cross_entropy_logits_indices(LAB, Z) == pytest.approx(
        L.categorical_cross_entropy_logits(ONEHOT, Z), rel=1e-14
    )
    np.testing.assert_allclose(
        L.cross_entropy_logits_indices_grad(LAB, Z),
        L.categorical_cross_entropy_logits_grad(ONEHOT, Z),
        rtol=1e-14,
        atol=1e-17,
    )
    # logits forms equal probability forms on softmax/sigmoid
    assert L.categorical_cross_entropy_logits(ONEHOT, Z) == pytest.approx(
        L.categorical_cross_entropy(ONEHOT, PC), rel=1e-13
    )
    assert L.binary_cross_entropy_logits(Y01, YH) == pytest.approx(
        L.binary_cross_entropy(Y01, A.sigmoid(YH)), rel=1e-13
    )
    np.testing.assert_allclose(
        L.categorical_cross_entropy_logits_grad(ONEHOT, Z), (PC - ONEHOT) / 5, rtol=1e-13, atol=1e-17
    )


EXTREME_LOGITS = np.array([-1e4, -800.0, -40.0, 0.0, 40.0, 800.0, 1e4])


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_stable_at_extremes(name):
    loss, grad, _ = PAIRS[name]
    y01 = np.array([0.0, 1.0, 0.5, 1.0, 0.0, 1.0, 0.3])
    cases = {
        "binary_cross_entropy": [(y01, np.array([0.0, 1.0, 1e-300, 1e-20, 1.0 - 1e-16, 0.5, 1.0]))],
        "binary_cross_entropy_logits": [(y01, EXTREME_LOGITS)],
        "categorical_cross_entropy": [(np.eye(3)[[0, 1]], np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]]))],
        "categorical_cross_entropy_logits": [(np.eye(3)[[0, 2]], np.array([[-1e4, 0.0, 1e4], [800.0, -800.0, 0.0]]))],
        "categorical_cross_entropy_indices": [(np.array([0, 1]), np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]]))],
        "cross_entropy_logits_indices": [(np.array([0, 2]), np.array([[-1e4, 0.0, 1e4], [800.0, -800.0, 0.0]]))],
    }.get(name, [(-EXTREME_LOGITS, EXTREME_LOGITS)])
    extra = (1.0,) if name == "huber" else ()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            for y, p in cases:
                assert np.isfinite(loss(y, p, *extra))
                assert np.all(np.isfinite(grad(y, p, *extra)))


def test_probability_boundaries_follow_torch_clamp():
    # log clamped at -100: a certain wrong answer costs 100, a certain right one 0
    assert L.binary_cross_entropy(np.array([1.0]), np.array([0.0])) == 100.0
    assert L.binary_cross_entropy(np.array([0.0, 1.0]), np.array([0.0, 1.0])) == 0.0
    assert L.categorical_cross_entropy(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])) == 100.0
    np.testing.assert_array_equal(L.binary_cross_entropy_grad(np.array([1.0]), np.array([0.0])), [-1e12])
    np.testing.assert_array_equal(L.categorical_cross_entropy_grad(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])), [[-1e12, 0.0]])


def test_logits_tails_exact():
    # max(z, 0) - z y + log1p(e^-|z|): exact far out, where the naive form gives inf
    assert L.binary_cross_entropy_logits(np.array([0.0]), np.array([1e4])) == 1e4
    assert L.binary_cross_entropy_logits(np.array([1.0]), np.array([1e4])) == 0.0
    assert L.binary_cross_entropy_logits(np.array([1.0]), np.array([-40.0])) == 40.0
    assert L.cross_entropy_logits_indices(np.array([0]), np.array([[-1e4, 1e4]])) == 2e4


def test_kinks():
    y = np.array([1.0, -2.0, 0.0])
    np.testing.assert_array_equal(L.mae_grad(y, y.copy()), [0.0, 0.0, 0.0])  # sign(0) = 0
    # Huber is C1 at |r| = delta: both branches give delta sign(r) there
    d = 0.7
    p = y + np.array([d, -d, d])
    np.testing.assert_allclose(L.huber_grad(y, p, d), np.array([d, -d, d]) / 3, rtol=1e-15)
    for side in (-1e-9, 1e-9):
        q = y + np.array([d + side, -(d + side), d + side])
        np.testing.assert_allclose(L.huber_grad(y, q, d), np.array([d, -d, d]) / 3, rtol=1e-8)
        assert L.huber(y, q, d) == pytest.approx(d * d / 2, rel=1e-8)


def test_huber_equals_notes_form():
    r = np.linspace(-5, 5, 101)
    delta = 1.5
    notes = np.where(np.abs(r) <= delta, 0.5 * r**2, delta * np.abs(r) - 0.5 * delta**2)
    assert L.huber(np.zeros_like(r), r, delta) == pytest.approx(np.mean(notes), rel=1e-14)


def test_general_target_gradient_of_logits_cce():
    # rows of y summing to 1.5: the exact derivative is softmax(z) * 1.5 - y
    y = np.full((2, 3), 0.5)
    z = np.array([[0.1, -0.2, 0.3], [1.0, 2.0, -1.0]])
    np.testing.assert_allclose(
        L.categorical_cross_entropy_logits_grad(y, z), (A.softmax(z) * 1.5 - y) / 2, rtol=1e-14
    )


def test_docstrings_carry_the_formula():
    for name in L.__all__:
        doc = getattr(L, name).__doc__
        assert doc and ("=" in doc or "/" in doc), name

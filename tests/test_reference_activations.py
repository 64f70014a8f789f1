"""The activation oracles: stability, purity, shapes, kink conventions.

Correctness of the values is proven by ``dlgrade verify`` (see
test_verify_activations.py); these tests pin the engineering contract.

Stability runs with numpy's overflow, divide and invalid errors raised and
every warning an error. Underflow is left at numpy's default (ignored): the
correctly rounded sigmoid(-800) is 0, and producing it is not an error.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from dlgrade.reference import activations as A

EXTREMES = np.array([-1e4, -800.0, -40.0, 0.0, 40.0, 800.0, 1e4])

# name -> how to call it on an array z (hyper-parameters passed explicitly)
CALLS = {
    "step": lambda z: A.step(z),
    "sigmoid": lambda z: A.sigmoid(z),
    "sigmoid_grad": lambda z: A.sigmoid_grad(z),
    "tanh": lambda z: A.tanh(z),
    "tanh_grad": lambda z: A.tanh_grad(z),
    "relu": lambda z: A.relu(z),
    "relu_grad": lambda z: A.relu_grad(z),
    "leaky_relu": lambda z: A.leaky_relu(z, 0.01),
    "leaky_relu_grad": lambda z: A.leaky_relu_grad(z, 0.01),
    "prelu": lambda z: A.prelu(z, 0.25),
    "prelu_grad": lambda z: A.prelu_grad(z, 0.25),
    "elu": lambda z: A.elu(z, 1.0),
    "elu_grad": lambda z: A.elu_grad(z, 1.0),
    "softplus": lambda z: A.softplus(z),
    "softplus_grad": lambda z: A.softplus_grad(z),
    "swish": lambda z: A.swish(z),
    "swish_grad": lambda z: A.swish_grad(z),
    "softmax": lambda z: A.softmax(z),
    "softmax_backward": lambda z: A.softmax_backward(np.ones_like(z), z),
    "log_softmax": lambda z: A.log_softmax(z),
}


def _outputs(result):
    return result if isinstance(result, tuple) else (result,)


def test_every_public_function_is_exercised():
    assert set(CALLS) == set(A.__all__)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_stable_at_extremes(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            for z in (EXTREMES, EXTREMES.reshape(1, -1)[:, ::-1], *[np.float64(v) for v in EXTREMES]):
                for out in _outputs(CALLS[name](z)):
                    assert np.all(np.isfinite(out)), f"{name}({z}) = {out}"


@pytest.mark.parametrize(
    "name, expected",
    [
        # e^-40 (1 + e^-40) rounds to e^-40 in float64: these are the exact values
        ("sigmoid", [0.0, 0.0, np.exp(-40.0), 0.5, 1.0, 1.0, 1.0]),
        ("sigmoid_grad", [0.0, 0.0, np.exp(-40.0), 0.25, np.exp(-40.0), 0.0, 0.0]),
        ("tanh_grad", [0.0, 0.0, 4 * np.exp(-80.0), 1.0, 4 * np.exp(-80.0), 0.0, 0.0]),
        ("softplus", [0.0, 0.0, np.exp(-40.0), np.log(2.0), 40.0, 800.0, 1e4]),
        ("swish", [0.0, 0.0, -40 * np.exp(-40.0), 0.0, 40.0, 800.0, 1e4]),
        ("swish_grad", [0.0, 0.0, -39 * np.exp(-40.0), 0.5, 1.0, 1.0, 1.0]),
        ("elu", [-1.0, -1.0, -1.0, 0.0, 40.0, 800.0, 1e4]),
    ],
)
def test_tails_keep_their_relative_accuracy(name, expected):
    got = CALLS[name](EXTREMES)
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=0)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_pure_inputs_unchanged(name):
    z = np.random.default_rng(0).normal(0, 3, (3, 4))
    before = z.copy()
    z.flags.writeable = False  # any in-place write would raise
    CALLS[name](z)
    np.testing.assert_array_equal(z, before)


def test_prelu_and_softmax_backward_do_not_touch_their_other_inputs():
    z = np.linspace(-2, 2, 12).reshape(3, 4)
    alpha = np.array([0.1, 0.2, 0.3, 0.4])
    dout = np.ones((3, 4))
    for arr in (z, alpha, dout):
        arr.flags.writeable = False
    A.prelu(z, alpha)
    A.prelu_grad(z, alpha)
    A.softmax_backward(dout, z)


SHAPES = [(), (1,), (5,), (2, 3), (2, 3, 4), (2, 1, 3, 4)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(CALLS))
def test_shapes_from_0d_to_4d(name, shape):
    z = np.random.default_rng(1).normal(0, 2, shape)
    for out in _outputs(CALLS[name](z)):
        assert isinstance(out, np.ndarray)
        assert out.dtype == np.float64
        assert out.shape == shape


def test_python_scalars_and_ints_are_accepted():
    assert A.sigmoid(0) == 0.5
    assert A.relu(-3) == 0.0
    assert A.step([1, 0, -1]).tolist() == [1.0, 0.0, 0.0]
    assert A.relu([True]).dtype == np.float64


def test_prelu_broadcasts_alpha():
    z = np.array([[-1.0, 2.0], [-3.0, -4.0]])
    alpha = np.array([[0.1], [0.5]])
    np.testing.assert_array_equal(A.prelu(z, alpha), [[-0.1, 2.0], [-1.5, -2.0]])
    dz, dalpha = A.prelu_grad(z, alpha)
    np.testing.assert_array_equal(dz, [[0.1, 1.0], [0.5, 0.5]])
    np.testing.assert_array_equal(dalpha, [[-1.0, 0.0], [-3.0, -4.0]])
    # alpha of larger rank than z: the broadcast shape
    dz, dalpha = A.prelu_grad(np.array(-2.0), np.array([0.1, 0.2]))
    assert dz.shape == dalpha.shape == (2,)
    np.testing.assert_array_equal(dalpha, [-2.0, -2.0])
    assert dalpha.flags.writeable and dz.flags.writeable


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda: A.step(0.0), 0.0),
        (lambda: A.relu_grad(0.0), 0.0),
        (lambda: A.leaky_relu_grad(0.0, 0.01), 0.01),
        (lambda: A.leaky_relu_grad(0.0, 0.3), 0.3),
        (lambda: A.prelu_grad(0.0, 0.25)[0], 0.25),
        (lambda: A.prelu_grad(0.0, 0.25)[1], 0.0),
        (lambda: A.elu_grad(0.0, 1.0), 1.0),
        (lambda: A.elu_grad(0.0, 2.5), 2.5),
        (lambda: A.relu(-0.0), 0.0),
        (lambda: A.elu(0.0, 3.0), 0.0),
        (lambda: A.sigmoid_grad(0.0), 0.25),
        (lambda: A.tanh_grad(0.0), 1.0),
        (lambda: A.swish_grad(0.0), 0.5),
    ],
    ids=lambda v: "" if callable(v) else str(v),
)
def test_kink_conventions_left_branch(call, expected):
    assert call() == expected


def test_kinks_approached_from_both_sides():
    eps = np.array([-1e-300, -1e-8, 1e-8, 1e-300])
    np.testing.assert_array_equal(A.relu_grad(eps), [0, 0, 1, 1])
    np.testing.assert_array_equal(A.leaky_relu_grad(eps, 0.1), [0.1, 0.1, 1, 1])
    np.testing.assert_allclose(A.elu_grad(eps, 2.0), [2.0, 2.0, 1, 1], rtol=1e-7)
    np.testing.assert_array_equal(A.step(eps), [0, 0, 1, 1])


def test_defaults_follow_conventions():
    z = np.array([-2.0, 3.0])
    np.testing.assert_array_equal(A.leaky_relu(z), A.leaky_relu(z, 0.01))
    np.testing.assert_array_equal(A.leaky_relu_grad(z), A.leaky_relu_grad(z, 0.01))
    np.testing.assert_array_equal(A.elu(z), A.elu(z, 1.0))
    np.testing.assert_array_equal(A.elu_grad(z), A.elu_grad(z, 1.0))


def test_softmax_rows_last_axis():
    z = np.random.default_rng(2).normal(0, 50, (3, 4, 5))
    s = A.softmax(z)
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(A.softmax(z + 1e3), s, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(A.log_softmax(z / 50), np.log(A.softmax(z / 50)), rtol=1e-13)
    assert A.softmax(np.float64(7.0)) == 1.0 and A.log_softmax(np.float64(7.0)) == 0.0
    np.testing.assert_array_equal(A.softmax(np.array([1e4, -1e4])), [1.0, 0.0])
    np.testing.assert_array_equal(A.log_softmax(np.array([1e4, -1e4])), [0.0, -2e4])


def _central(f, z, h=6e-6):
    return (f(z + h) - f(z - h)) / (2 * h)


@pytest.mark.parametrize(
    "forward, grad",
    [
        (A.sigmoid, A.sigmoid_grad),
        (A.tanh, A.tanh_grad),
        (A.relu, A.relu_grad),
        (lambda z: A.leaky_relu(z, 0.1), lambda z: A.leaky_relu_grad(z, 0.1)),
        (lambda z: A.prelu(z, -0.3), lambda z: A.prelu_grad(z, -0.3)[0]),
        (lambda z: A.elu(z, 1.7), lambda z: A.elu_grad(z, 1.7)),
        (A.softplus, A.softplus_grad),
        (A.swish, A.swish_grad),
    ],
)
def test_derivatives_match_central_differences(forward, grad):
    z = np.random.default_rng(3).normal(0, 3, 200)
    z = z[np.abs(z) > 1e-3]  # 10 h away from the kink
    np.testing.assert_allclose(grad(z), _central(forward, z), rtol=1e-7, atol=1e-9)


def test_softmax_backward_matches_central_differences():
    rng = np.random.default_rng(4)
    z, dout = rng.normal(0, 2, (2, 5)), rng.normal(0, 1, (2, 5))
    num = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        e = np.zeros_like(z)
        e[idx] = 6e-6
        num[idx] = np.sum(dout * (A.softmax(z + e) - A.softmax(z - e))) / 1.2e-5
    np.testing.assert_allclose(A.softmax_backward(dout, z), num, atol=1e-9)


def test_prelu_dalpha_matches_central_differences():
    z = np.array([-2.0, -0.5, 0.7, 3.0])
    h = 6e-6
    num = (A.prelu(z, 0.2 + h) - A.prelu(z, 0.2 - h)) / (2 * h)
    np.testing.assert_allclose(A.prelu_grad(z, 0.2)[1], num, atol=1e-9)


def test_docstrings_carry_the_formula():
    for name in A.__all__:
        doc = getattr(A, name).__doc__
        assert doc and len(doc.strip()) > 20, name

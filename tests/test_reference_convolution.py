"""The convolution and pooling oracles: hand-computed values, conventions, gradients."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlgrade.reference import convolution as C
from tests.numeric import numeric_vjp

SETTINGS = settings(max_examples=40, derandomize=True, database=None, deadline=None)


# ---------------------------------------------------------------- output size


@pytest.mark.parametrize(
    "n, f, pad, stride, expected",
    [
        (6, 3, 0, 1, 4),  # the notes: n - f + 1
        (6, 3, 1, 1, 6),  # the notes: n - f + 1 + 2p, "not losing anything"
        (7, 3, 0, 2, 3),
        (8, 3, 0, 2, 3),  # floor: the last column is never a window start
        (5, 5, 0, 1, 1),
        (1, 3, 1, 1, 1),
        (10, 4, 2, 3, 4),
        (4, 1, 0, 5, 1),
    ],
)
def test_conv_output_size(n, f, pad, stride, expected):
    assert C.conv_output_size(n, f, pad, stride) == expected
    assert type(C.conv_output_size(np.int64(n), f, pad, stride)) is int


@pytest.mark.parametrize(
    "args, words",
    [
        ((3, 5, 0, 1), "larger than the padded input"),
        ((3, 6, 1, 1), "larger than the padded input"),
        ((5, 3, 0, 0), "stride"),
        ((5, 3, -1, 1), "pad"),
        ((0, 1, 0, 1), "input size"),
        ((5, 0, 0, 1), "filter size"),
        ((5.0, 3, 0, 1), "integer"),
        ((5, 3, 0, True), "integer"),
    ],
)
def test_conv_output_size_rejects_invalid_geometry(args, words):
    with pytest.raises(ValueError, match=words):
        C.conv_output_size(*args)


# ---------------------------------------------------------------- conv2d values


def test_conv2d_is_cross_correlation():
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    out = C.conv2d_forward(x, w, np.zeros(1))
    np.testing.assert_array_equal(out, [[[[27.0, 37.0], [57.0, 67.0]]]])  # CONVENTIONS.md
    flipped = C.conv2d_forward(x, w[:, :, ::-1, ::-1], np.zeros(1))
    np.testing.assert_array_equal(flipped, [[[[13.0, 23.0], [43.0, 53.0]]]])


def test_notes_edge_example_by_hand():
    image, kernel, out = C.notes_edge_example()
    np.testing.assert_array_equal(image[0], [0, 0, 0, 1, 1, 1])
    assert (image == image[0]).all() and image.shape == (6, 6)
    np.testing.assert_array_equal(kernel, [[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    # Window at column j: 4 * (x[:, j] - x[:, j + 2]) -> 0, 0-1, 0-1, 1-1, times 4.
    np.testing.assert_array_equal(out, [[0.0, -4.0, -4.0, 0.0]] * 4)
    np.testing.assert_array_equal(out, C.NOTES_EDGE_OUTPUT)
    # The notes' worked sum for the first window: 0*1 + 0*0 + 0*-1, times 1, 2, 1 = 0.
    assert np.sum(image[:3, :3] * kernel) == out[0, 0] == 0.0


def test_notes_edge_example_returns_fresh_arrays():
    image, _, _ = C.notes_edge_example()
    image[:] = 7.0
    np.testing.assert_array_equal(C.notes_edge_example()[0], C.NOTES_EDGE_IMAGE)
    with pytest.raises(ValueError):
        C.NOTES_EDGE_IMAGE[0, 0] = 1.0


def test_notes_padding_keeps_the_size():
    image, kernel, out = C.notes_edge_example()
    padded = C.conv2d_forward(image[None, None], kernel[None, None], np.zeros(1), 1, 1)
    assert padded.shape == (1, 1, 6, 6)  # 8x8 after padding, 3x3 filter: n - f + 1 + 2p = 6
    np.testing.assert_array_equal(padded[0, 0, 1:5, 1:5], out)
    # Top-left corner by hand: the window sees pad zeros, then x[0:2, 0:2] = 0, so only
    # the right column matters: -(2 * x[0, 1] + 1 * x[1, 1]) = 0.
    assert padded[0, 0, 0, 0] == 0.0
    # Right border: window over columns 4, 5 and a pad column: 1*(x[.,4]) - 0 = 1+2+1 in
    # the middle rows, 2 + 1 = 3 in the top row.
    assert padded[0, 0, 2, 5] == 4.0 and padded[0, 0, 0, 5] == 3.0


def test_conv2d_bias_stride_and_channels_by_hand():
    x = np.arange(2 * 4 * 4, dtype=float).reshape(1, 2, 4, 4)
    w = np.zeros((2, 2, 2, 2))
    w[0, 0, 0, 0] = 1.0  # picks channel 0, top-left of each window
    w[1, 1, 1, 1] = -1.0  # picks minus channel 1, bottom-right
    out = C.conv2d_forward(x, w, np.array([0.5, 10.0]), stride=2)
    np.testing.assert_array_equal(out[0, 0], x[0, 0, ::2, ::2] + 0.5)
    np.testing.assert_array_equal(out[0, 1], 10.0 - x[0, 1, 1::2, 1::2])


def test_conv2d_zero_padding_on_every_side():
    x = np.ones((1, 1, 2, 3))
    w = np.ones((1, 1, 1, 1))
    out = C.conv2d_forward(x, w, np.zeros(1), stride=1, pad=2)
    assert out.shape == (1, 1, 6, 7)
    assert out.sum() == 6.0 and (out[0, 0, 2:4, 2:5] == 1.0).all()


def test_conv2d_rejects_bad_shapes():
    x, w, b = np.zeros((1, 2, 5, 5)), np.zeros((3, 2, 3, 3)), np.zeros(3)
    with pytest.raises(ValueError, match="channels"):
        C.conv2d_forward(x, np.zeros((3, 1, 3, 3)), b)
    with pytest.raises(ValueError, match=r"\(F,\)"):
        C.conv2d_forward(x, w, np.zeros(2))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        C.conv2d_forward(x[0], w, b)
    with pytest.raises(ValueError, match="larger than"):
        C.conv2d_forward(x, np.zeros((3, 2, 6, 1)), b)
    with pytest.raises(ValueError, match="dout"):
        C.conv2d_backward(np.zeros((1, 3, 2, 2)), x, w, b)


# ---------------------------------------------------------------- conv2d gradients


@pytest.mark.parametrize(
    "xs, ws, stride, pad",
    [
        ((2, 2, 5, 4), (3, 2, 3, 2), 1, 0),
        ((1, 3, 6, 7), (2, 3, 3, 3), 2, 1),
        ((1, 1, 7, 5), (2, 1, 2, 3), 3, 2),
    ],
)
def test_conv2d_backward_matches_central_differences(xs, ws, stride, pad):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    out = C.conv2d_forward(x, w, b, stride, pad)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = C.conv2d_backward(dout, x, w, b, stride, pad)

    def f(x_, w_, b_):
        return C.conv2d_forward(x_, w_, b_, stride, pad)

    for i, g in enumerate((dx, dw, db)):
        np.testing.assert_allclose(g, numeric_vjp(f, (x, w, b), i, dout), rtol=1e-6, atol=1e-8)


def test_conv2d_backward_skipped_rows_get_zero():
    x = np.ones((1, 1, 6, 6))
    dx, _, _ = C.conv2d_backward(np.ones((1, 1, 2, 2)), x, np.ones((1, 1, 2, 2)), np.zeros(1), 3)
    assert (dx[0, 0, 2, :] == 0).all() and (dx[0, 0, :, 5] == 0).all()
    assert dx.sum() == 16.0


@st.composite
def conv_geometry(draw):
    n, c, f = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    hh, ww = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    pad, stride = draw(st.integers(0, 2)), draw(st.integers(1, 3))
    h = draw(st.integers(max(1, hh - 2 * pad), 8))
    w = draw(st.integers(max(1, ww - 2 * pad), 8))
    seed = draw(st.integers(0, 2**16))
    return (n, c, h, w), (f, c, hh, ww), stride, pad, seed


@SETTINGS
@given(conv_geometry())
def test_conv2d_backward_is_the_adjoint(geometry):
    """The conv is bilinear in (x, w): sum(dout * conv(x, w, 0)) = <dx, x> = <dw, w>."""
    xs, ws, stride, pad, seed = geometry
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    b = np.zeros(ws[0])
    out = C.conv2d_forward(x, w, b, stride, pad)
    assert out.shape == (
        xs[0],
        ws[0],
        *(C.conv_output_size(xs[k], ws[k], pad, stride) for k in (2, 3)),
    )
    dout = rng.standard_normal(out.shape)
    dx, dw, db = C.conv2d_backward(dout, x, w, b, stride, pad)
    assert dx.shape == x.shape and dw.shape == w.shape and db.shape == b.shape
    total = np.sum(dout * out)
    scale = 1.0 + np.sum(np.abs(dout)) * np.max(np.abs(x)) * np.sum(np.abs(w))
    assert abs(np.sum(dx * x) - total) <= 1e-12 * scale
    assert abs(np.sum(dw * w) - total) <= 1e-12 * scale
    np.testing.assert_allclose(db, dout.sum(axis=(0, 2, 3)))


# ---------------------------------------------------------------- pooling


X44 = np.array(
    [[1.0, 3.0, 2.0, 4.0], [5.0, 6.0, 7.0, 8.0], [3.0, 2.0, 1.0, 0.0], [1.0, 2.0, 3.0, 4.0]]
)


def test_maxpool_by_hand():
    out = C.maxpool_forward(X44[None, None], 2, 2)
    np.testing.assert_array_equal(out[0, 0], [[6.0, 8.0], [3.0, 4.0]])
    dx = C.maxpool_backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), X44[None, None], 2, 2)
    expected = np.zeros((4, 4))
    expected[1, 1], expected[1, 3], expected[2, 0], expected[3, 3] = 1.0, 2.0, 3.0, 4.0
    np.testing.assert_array_equal(dx[0, 0], expected)


def test_maxpool_ties_go_to_the_first_in_scan_order():
    x = np.array([[[[5.0, 5.0], [5.0, 5.0]]]])
    dx = C.maxpool_backward(np.array([[[[1.0]]]]), x, 2, 2)
    np.testing.assert_array_equal(dx[0, 0], [[1.0, 0.0], [0.0, 0.0]])
    x = np.array([[[[0.0, 1.0], [1.0, 0.0]]]])  # scan order is row-major: (0, 1) first
    dx = C.maxpool_backward(np.array([[[[1.0]]]]), x, 2, 2)
    np.testing.assert_array_equal(dx[0, 0], [[0.0, 1.0], [0.0, 0.0]])


def test_maxpool_overlapping_windows_accumulate():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 9.0  # the centre is the maximum of all four 2x2 windows
    dx = C.maxpool_backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), x, 2, 1)
    assert dx[0, 0, 1, 1] == 10.0 and dx.sum() == 10.0


def test_avgpool_by_hand():
    out = C.avgpool_forward(X44[None, None], 2, 2)
    np.testing.assert_array_equal(out[0, 0], [[15 / 4, 21 / 4], [2.0, 2.0]])
    dx = C.avgpool_backward(np.array([[[[4.0, 8.0], [12.0, 16.0]]]]), X44[None, None], 2, 2)
    np.testing.assert_array_equal(
        dx[0, 0], [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    )


def test_avgpool_overlapping_and_skipped():
    dx = C.avgpool_backward(np.ones((1, 1, 2, 2)), np.zeros((1, 1, 3, 3)), 2, 1)
    np.testing.assert_array_equal(dx[0, 0], np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 4)
    dx = C.avgpool_backward(np.ones((1, 1, 1, 1)), np.zeros((1, 1, 3, 3)), 2, 2)
    assert (dx[0, 0, 2] == 0).all() and (dx[0, 0, :, 2] == 0).all()


@pytest.mark.parametrize("size, stride", [(2, 2), (3, 1), (2, 3), (3, 2)])
def test_pool_backward_matches_central_differences(size, stride):
    rng = np.random.default_rng(size * 10 + stride)
    x = rng.permutation(2 * 2 * 7 * 6).reshape(2, 2, 7, 6) / 10.0  # tie-free, gaps of 0.1
    for fwd, bwd in (
        (C.maxpool_forward, C.maxpool_backward),
        (C.avgpool_forward, C.avgpool_backward),
    ):
        out = fwd(x, size, stride)
        dout = rng.standard_normal(out.shape)
        expected = numeric_vjp(fwd, (x, size, stride), 0, dout)
        np.testing.assert_allclose(bwd(dout, x, size, stride), expected, rtol=1e-6, atol=1e-8)


def test_pool_rejects_bad_geometry():
    with pytest.raises(ValueError, match="larger than"):
        C.maxpool_forward(np.zeros((1, 1, 2, 5)), 3, 1)
    with pytest.raises(ValueError, match="stride"):
        C.avgpool_forward(np.zeros((1, 1, 4, 4)), 2, 0)
    with pytest.raises(ValueError, match="dout"):
        C.maxpool_backward(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 4, 4)), 2, 2)


# ---------------------------------------------------------------- purity and dtype


def test_functions_are_pure_and_return_float64():
    rng = np.random.default_rng(3)
    x = rng.integers(-3, 4, size=(2, 2, 5, 5))  # integers in: float64 out
    w, b = rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)
    args = [a.copy() for a in (x, w, b)]
    for a in args:
        a.setflags(write=False)  # read-only inputs must be accepted
    out = C.conv2d_forward(*args, 2, 1)
    grads = C.conv2d_backward(np.ones_like(out), *args, 2, 1)
    pooled = [f(args[0], 2, 1) for f in (C.maxpool_forward, C.avgpool_forward)]
    pool_grads = [
        f(np.ones_like(pooled[0]), args[0], 2, 1) for f in (C.maxpool_backward, C.avgpool_backward)
    ]
    for a, orig in zip(args, (x, w, b), strict=True):
        np.testing.assert_array_equal(a, orig)
    for r in (out, *grads, *pooled, *pool_grads):
        assert r.dtype == np.float64 and r.flags.writeable

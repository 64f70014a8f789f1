"""Reference convolution and pooling: forward and backward, numpy float64.

Conventions (CONVENTIONS.md, "Convolution, pooling, dropout"; the student
guide restates them):

- Layout is NCHW: ``x`` has shape (N, C, H, W) = (samples, channels, rows,
  columns); a filter bank ``w`` has shape (F, C, HH, WW); a bias ``b`` (F,).
- ``conv2d`` is *cross-correlation*, as in every deep-learning library: the
  kernel is not flipped.
- Padding is zeros, ``pad`` rows/columns on every side (top, bottom, left,
  right alike); the stride is the same along rows and columns.
- Output size along one axis: ``floor((n + 2 pad - f) / stride) + 1``. With
  stride 1 this is the notes' ``n - f + 1 + 2p``.
- Pooling has no padding; the window is ``size x size`` and moves by
  ``stride`` (``stride < size`` gives overlapping windows).
- Max pooling routes each window's gradient to one maximum: the first in
  row-major scan order when several entries tie (as torch does on CPU).
  Overlapping windows add their gradients into the shared entries.
- Every backward takes the forward's arguments preceded by ``dout`` (the
  upstream gradient, shaped like the forward's output) and returns the
  gradients of ``sum(dout * forward(...))``.

All functions are pure: inputs are never modified (they are copied to
float64 first). Windows are read with ``sliding_window_view``; only the
small kernel dimensions are looped over in the backward passes.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "conv_output_size",
    "conv2d_forward",
    "conv2d_backward",
    "maxpool_forward",
    "maxpool_backward",
    "avgpool_forward",
    "avgpool_backward",
    "notes_edge_example",
    "NOTES_EDGE_IMAGE",
    "NOTES_EDGE_FILTER",
    "NOTES_EDGE_OUTPUT",
]


def _as_int(value, name: str) -> int:
    # bool is an Integral; a True stride is almost surely a bug upstream.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    return int(value)


def conv_output_size(n, f, pad, stride) -> int:
    """Number of window positions along one axis.

    ``out = floor((n + 2 pad - f) / stride) + 1``

    n: input length (>= 1); f: window length (>= 1); pad: zeros added on each
    side (>= 0); stride: step between windows (>= 1). The window must fit in
    the padded input (``f <= n + 2 pad``).

    The course notes give ``n - f + 1 + 2p``, the stride-1 case.

    Raises ValueError, naming the offending quantity, on invalid geometry.
    """
    n, f = _as_int(n, "n (input size)"), _as_int(f, "f (filter size)")
    pad, stride = _as_int(pad, "pad"), _as_int(stride, "stride")
    if n < 1:
        raise ValueError(f"input size n must be >= 1, got {n}")
    if f < 1:
        raise ValueError(f"filter size f must be >= 1, got {f}")
    if pad < 0:
        raise ValueError(f"pad must be >= 0, got {pad}")
    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    if f > n + 2 * pad:
        raise ValueError(
            f"filter size f={f} is larger than the padded input n + 2 pad = {n + 2 * pad}"
        )
    return (n + 2 * pad - f) // stride + 1


def _pad(x: np.ndarray, pad: int) -> np.ndarray:
    if pad == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))


def _windows(xp: np.ndarray, hh: int, ww: int, stride: int) -> np.ndarray:
    """Read-only view (N, C, H', W', hh, ww) of the windows of a padded input."""
    return sliding_window_view(xp, (hh, ww), axis=(2, 3))[:, :, ::stride, ::stride]


def _check_conv(x, w, b, stride, pad):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got shape {x.shape}")
    if w.ndim != 4:
        raise ValueError(f"w must have shape (F, C, HH, WW), got shape {w.shape}")
    if w.shape[1] != x.shape[1]:
        raise ValueError(f"channels differ: x has C={x.shape[1]}, w has C={w.shape[1]}")
    if b.shape != (w.shape[0],):
        raise ValueError(f"b must have shape (F,) = ({w.shape[0]},), got shape {b.shape}")
    h_out = conv_output_size(x.shape[2], w.shape[2], pad, stride)
    w_out = conv_output_size(x.shape[3], w.shape[3], pad, stride)
    return x, w, b, int(stride), int(pad), h_out, w_out


def conv2d_forward(x, w, b, stride=1, pad=0) -> np.ndarray:
    """2-D convolution layer (cross-correlation, no kernel flip).

    x (N, C, H, W), w (F, C, HH, WW), b (F,) -> out (N, F, H', W') with
    H' = floor((H + 2 pad - HH) / stride) + 1 (W' likewise), and, with xp the
    input zero-padded by ``pad`` on every side::

        out[n, f, i, j] = b[f] + sum_{c, k, l} xp[n, c, i*stride + k, j*stride + l] * w[f, c, k, l]

    Example (CONVENTIONS.md): x = arange(9) as 3x3, w = [[1, 2], [3, 4]],
    b = 0 gives [[27, 37], [57, 67]]; a flipped kernel would give
    [[13, 23], [43, 53]].
    """
    x, w, b, stride, pad, _, _ = _check_conv(x, w, b, stride, pad)
    cols = _windows(_pad(x, pad), w.shape[2], w.shape[3], stride)  # (N, C, H', W', HH, WW)
    out = np.tensordot(cols, w, axes=([1, 4, 5], [1, 2, 3]))  # (N, H', W', F)
    return np.ascontiguousarray(out.transpose(0, 3, 1, 2)) + b[None, :, None, None]


def conv2d_backward(dout, x, w, b, stride=1, pad=0):
    """Gradients of ``L = sum(dout * conv2d_forward(x, w, b, stride, pad))``.

    dout (N, F, H', W') -> (dx, dw, db), shaped like (x, w, b)::

        db[f]          = sum_{n, i, j} dout[n, f, i, j]
        dw[f, c, k, l] = sum_{n, i, j} dout[n, f, i, j] * xp[n, c, i*s + k, j*s + l]
        dxp[n, c, i*s + k, j*s + l] += sum_f dout[n, f, i, j] * w[f, c, k, l]

    and dx is dxp with the padding cut off (gradients that land on padded
    zeros are discarded). Input positions that no window covers (when the
    stride skips the last rows or columns) get a zero gradient.
    """
    x, w, b, stride, pad, h_out, w_out = _check_conv(x, w, b, stride, pad)
    dout = np.asarray(dout, dtype=np.float64)
    expect = (x.shape[0], w.shape[0], h_out, w_out)
    if dout.shape != expect:
        raise ValueError(f"dout must have the output's shape {expect}, got {dout.shape}")
    hh, ww = w.shape[2], w.shape[3]
    xp = _pad(x, pad)
    db = dout.sum(axis=(0, 2, 3))
    dw = np.tensordot(dout, _windows(xp, hh, ww, stride), axes=([0, 2, 3], [0, 2, 3]))
    dxp = np.zeros_like(xp)
    for k in range(hh):
        rows = slice(k, k + stride * (h_out - 1) + 1, stride)
        for l in range(ww):
            cols = slice(l, l + stride * (w_out - 1) + 1, stride)
            # sum_f dout[n, f, i, j] w[f, c, k, l] -> (N, C, H', W')
            dxp[:, :, rows, cols] += np.einsum("nfij,fc->ncij", dout, w[:, :, k, l])
    dx = dxp[:, :, pad : pad + x.shape[2], pad : pad + x.shape[3]]
    return np.ascontiguousarray(dx), dw, db


def _check_pool(x, size, stride):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got shape {x.shape}")
    size = _as_int(size, "size")
    h_out = conv_output_size(x.shape[2], size, 0, stride)
    w_out = conv_output_size(x.shape[3], size, 0, stride)
    return x, size, int(stride), h_out, w_out


def _check_dout(dout, x, h_out, w_out):
    dout = np.asarray(dout, dtype=np.float64)
    expect = (x.shape[0], x.shape[1], h_out, w_out)
    if dout.shape != expect:
        raise ValueError(f"dout must have the output's shape {expect}, got {dout.shape}")
    return dout


def maxpool_forward(x, size, stride) -> np.ndarray:
    """Max pooling, no padding: x (N, C, H, W) -> (N, C, H', W').

    ``out[n, c, i, j] = max_{0 <= k, l < size} x[n, c, i*stride + k, j*stride + l]``
    with H' = floor((H - size) / stride) + 1 (W' likewise).
    """
    x, size, stride, _, _ = _check_pool(x, size, stride)
    return _windows(x, size, size, stride).max(axis=(4, 5))


def maxpool_backward(dout, x, size, stride):
    """Gradient of ``sum(dout * maxpool_forward(x, size, stride))`` w.r.t. x.

    Each window sends its whole ``dout[n, c, i, j]`` to ONE input entry: its
    maximum; on ties the first maximum in row-major scan order within the
    window (as torch.nn.functional.max_pool2d on CPU). Every other entry of
    the window gets 0 from that window. When windows overlap (stride < size)
    an entry that is the maximum of several windows receives the sum of their
    gradients. Returns dx with x's shape.
    """
    x, size, stride, h_out, w_out = _check_pool(x, size, stride)
    dout = _check_dout(dout, x, h_out, w_out)
    n, c = x.shape[:2]
    flat = _windows(x, size, size, stride).reshape(n, c, h_out, w_out, size * size)
    arg = flat.argmax(axis=-1)  # np.argmax returns the first maximum: scan order
    rows = np.arange(h_out)[:, None] * stride + arg // size
    cols = np.arange(w_out)[None, :] * stride + arg % size
    dx = np.zeros_like(x)
    ni = np.arange(n)[:, None, None, None]
    ci = np.arange(c)[None, :, None, None]
    # add.at, not fancy assignment: overlapping windows may pick the same entry.
    np.add.at(dx, (ni, ci, rows, cols), dout)
    return dx


def avgpool_forward(x, size, stride) -> np.ndarray:
    """Average pooling, no padding: x (N, C, H, W) -> (N, C, H', W').

    ``out[n, c, i, j] = (1 / size^2) sum_{0 <= k, l < size} x[n, c, i*stride + k, j*stride + l]``
    """
    x, size, stride, _, _ = _check_pool(x, size, stride)
    return _windows(x, size, size, stride).mean(axis=(4, 5))


def avgpool_backward(dout, x, size, stride):
    """Gradient of ``sum(dout * avgpool_forward(x, size, stride))`` w.r.t. x.

    ``dx[n, c, i*stride + k, j*stride + l] += dout[n, c, i, j] / size^2`` for
    every window (i, j) and offset (k, l); overlapping windows add up, and
    entries no window covers get 0. Returns dx with x's shape.
    """
    x, size, stride, h_out, w_out = _check_pool(x, size, stride)
    dout = _check_dout(dout, x, h_out, w_out)
    share = dout / (size * size)
    dx = np.zeros_like(x)
    for k in range(size):
        rows = slice(k, k + stride * (h_out - 1) + 1, stride)
        for l in range(size):
            dx[:, :, rows, slice(l, l + stride * (w_out - 1) + 1, stride)] += share
    return dx


# The notes' worked example ("#CNN"): a 6x6 image whose left three columns are
# 0 and right three are 1 (the notes draw rows "0 0 0 1 1 1"), convolved with
# the vertical edge filter they draw, +1 0 -1 / +2 0 -2 / +1 0 -1 (a Sobel
# filter). n = 6, f = 3 gives n - f + 1 = 4: a 4x4 output. Each window sums
# (left column - right column) weighted 1, 2, 1, so an output entry is
# 4 * (x[., j] - x[., j + 2]): 0 where the window sees one colour, -4 where it
# straddles the edge. The notes then render this 4x4 map in 0..255 greyscale
# as two dark outer columns and two bright middle columns: the edge, found.
NOTES_EDGE_IMAGE = np.repeat([[0.0, 0.0, 0.0, 1.0, 1.0, 1.0]], 6, axis=0)
NOTES_EDGE_FILTER = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
NOTES_EDGE_OUTPUT = np.repeat([[0.0, -4.0, -4.0, 0.0]], 4, axis=0)  # by hand, see above
for _a in (NOTES_EDGE_IMAGE, NOTES_EDGE_FILTER, NOTES_EDGE_OUTPUT):
    _a.setflags(write=False)
del _a


def notes_edge_example():
    """The notes' vertical-edge example as (image (6, 6), filter (3, 3), output (4, 4)).

    image: rows ``0 0 0 1 1 1`` (dark left half, bright right half); filter:
    ``[[1, 0, -1], [2, 0, -2], [1, 0, -1]]``; output: ``conv2d_forward`` of
    the two (stride 1, no padding, zero bias), which is every row
    ``[0, -4, -4, 0]``. Fresh writable copies are returned each call; reshape
    to (1, 1, 6, 6) and (1, 1, 3, 3) for the 4-D API.
    """
    image = NOTES_EDGE_IMAGE.copy()
    kernel = NOTES_EDGE_FILTER.copy()
    out = conv2d_forward(image[None, None], kernel[None, None], np.zeros(1))[0, 0]
    return image, kernel, out

"""Convolution and pooling layers: forward and backward passes.

Fill in every function below (replace each ``raise NotImplementedError``).
Read GUIDE.md (guide.md in the assignment folder) first: it states exactly
what the checks test.

Run the checks on your file:

    dlgrade check convolution convolution.py

or, in the folder that ``dlgrade init convolution FOLDER`` made, simply

    pytest

The contract every check relies on:

- arrays are numpy float64, in the NCHW layout: x has shape (N, C, H, W)
  (samples, channels, rows, columns); a filter bank w has shape
  (F, C, HH, WW); a bias b has shape (F,).
- arguments are always passed positionally, in the order of the signatures
  below, and every hyper-parameter (stride, pad, size) is passed explicitly:
  your defaults are never used.
- pure functions: never modify an input (no x += ..., no x[...] = ...);
  build new arrays.
- a convolution layer computes a CROSS-CORRELATION: the kernel is not
  flipped (as in the course notes and in PyTorch).
- padding is zeros, pad rows/columns on EVERY side; pooling has no padding.
- output size along one axis: floor((n + 2 pad - f) / stride) + 1.
- every backward receives the forward's arguments preceded by dout (the
  upstream gradient, shaped like the forward's output) and returns the
  gradient of  L = sum(dout * forward(...))  with respect to the inputs.

Only numpy is needed (np.pad, slicing, np.einsum, np.tensordot and
np.lib.stride_tricks.sliding_window_view are all fine). torch, tensorflow,
jax, keras, scipy.signal and scipy.ndimage are not allowed in this
assignment.
"""

import numpy as np


def conv_output_size(n, f, pad, stride):
    """Number of window positions along one axis (an int).

        out = floor((n + 2 * pad - f) / stride) + 1      # (n + 2 * pad - f) // stride + 1

    n: input length, f: window (filter) length, pad: zeros added on EACH
    side, stride: step between two windows. All are ints with n >= 1,
    f >= 1, pad >= 0, stride >= 1 and f <= n + 2 * pad (the window fits).
    The notes' n - f + 1 + 2p is the stride-1 case.

    Example: n = 6, f = 3, pad = 0, stride = 1 gives 4 (the notes).
    """
    raise NotImplementedError


def conv2d_forward(x, w, b, stride=1, pad=0):
    """Forward pass of a 2-D convolution layer (cross-correlation, no flip).

    x (N, C, H, W), w (F, C, HH, WW), b (F,)  ->  out (N, F, H', W') with

        H' = floor((H + 2 pad - HH) / stride) + 1,  W' = floor((W + 2 pad - WW) / stride) + 1

    With xp = x zero-padded by pad rows/columns on every side
    (shape (N, C, H + 2 pad, W + 2 pad)):

        out[n, f, i, j] = b[f] + sum over c, k, l of
                          xp[n, c, i*stride + k, j*stride + l] * w[f, c, k, l]

    for 0 <= k < HH, 0 <= l < WW. Every channel c is summed over; each filter
    f gives one output channel. The kernel is NOT flipped.

    Example: x = arange(9) as a 3x3 image, w = [[1, 2], [3, 4]], b = 0,
    stride 1, pad 0 gives [[27, 37], [57, 67]].
    """
    raise NotImplementedError


def conv2d_backward(dout, x, w, b, stride=1, pad=0):
    """Backward pass of conv2d_forward: returns (dx, dw, db).

    dout (N, F, H', W') is dL/dout for L = sum(dout * conv2d_forward(x, w, b, stride, pad)).
    Returns a tuple of three float64 arrays, in this order, shaped like x, w, b:

        db[f]          = sum over n, i, j of dout[n, f, i, j]
        dw[f, c, k, l] = sum over n, i, j of dout[n, f, i, j] * xp[n, c, i*stride + k, j*stride + l]
        dxp[n, c, i*stride + k, j*stride + l] += sum over f of dout[n, f, i, j] * w[f, c, k, l]

    (the += matters: windows overlap). dx is dxp with the padding cut off:
    dx = dxp[:, :, pad:pad + H, pad:pad + W], shape (N, C, H, W). Input
    entries that no window reads (the last rows/columns when the stride
    does not fit exactly) get 0. No division by N: these are plain sums.
    """
    raise NotImplementedError


def maxpool_forward(x, size, stride):
    """Max pooling, no padding: x (N, C, H, W) -> out (N, C, H', W').

        out[n, c, i, j] = max over 0 <= k, l < size of x[n, c, i*stride + k, j*stride + l]

    with H' = floor((H - size) / stride) + 1 (W' likewise). Each channel is
    pooled on its own. Windows overlap when stride < size.
    """
    raise NotImplementedError


def maxpool_backward(dout, x, size, stride):
    """Backward pass of maxpool_forward: returns dx, shaped like x.

    dout (N, C, H', W'). Each window (i, j) sends its whole dout[n, c, i, j]
    to the ONE entry of x that was the maximum of that window; every other
    entry of the window gets 0 from it. When windows overlap, an entry that
    is the maximum of several windows receives the SUM of their gradients
    (dx[...] += ..., not =). Entries that no window reads get 0.
    (Inputs are graded without ties, so which of two equal maxima gets the
    gradient never matters.)
    """
    raise NotImplementedError


def avgpool_forward(x, size, stride):
    """Average pooling, no padding: x (N, C, H, W) -> out (N, C, H', W').

        out[n, c, i, j] = (1 / (size * size)) * sum over 0 <= k, l < size of
                          x[n, c, i*stride + k, j*stride + l]

    with H' = floor((H - size) / stride) + 1 (W' likewise).
    """
    raise NotImplementedError


def avgpool_backward(dout, x, size, stride):
    """Backward pass of avgpool_forward: returns dx, shaped like x.

    Every entry of window (i, j) gets an equal share of that window's gradient:

        dx[n, c, i*stride + k, j*stride + l] += dout[n, c, i, j] / (size * size)

    for 0 <= k, l < size; overlapping windows add up (+=), entries that no
    window reads get 0.
    """
    raise NotImplementedError

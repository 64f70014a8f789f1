"""The forward pass pads only the top and the left (so the output is too
small whenever pad > 0); max pooling's backward assigns (=) instead of adding
(+=), so an entry that is the maximum of several overlapping windows keeps
only the last window's gradient."""

import numpy as np


def conv_output_size(n, f, pad, stride):
    return (n + 2 * pad - f) // stride + 1


def _pad(x, pad):
    N, C, H, W = x.shape
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    xp[:, :, pad:pad + H, pad:pad + W] = x
    return xp


def _pad_top_left(x, pad):
    N, C, H, W = x.shape
    # BUG: zeros only above and to the left of the image
    xp = np.zeros((N, C, H + pad, W + pad))
    xp[:, :, pad:, pad:] = x
    return xp


def conv2d_forward(x, w, b, stride=1, pad=0):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xp = _pad_top_left(x, pad)
    Ho = (xp.shape[2] - HH) // stride + 1
    Wo = (xp.shape[3] - WW) // stride + 1
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    window = xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out


def conv2d_backward(dout, x, w, b, stride=1, pad=0):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, Ho, Wo = dout.shape
    xp = _pad(x, pad)
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w, dtype=float)
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    g = dout[n, f, i, j]
                    rows = slice(i * stride, i * stride + HH)
                    cols = slice(j * stride, j * stride + WW)
                    db[f] += g
                    dw[f] += g * xp[n, :, rows, cols]
                    dxp[n, :, rows, cols] += g * w[f]
    dx = dxp[:, :, pad:pad + H, pad:pad + W]
    return dx, dw, db


def maxpool_forward(x, size, stride):
    N, C, H, W = x.shape
    Ho = (H - size) // stride + 1
    Wo = (W - size) // stride + 1
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, i * stride:i * stride + size, j * stride:j * stride + size]
            out[:, :, i, j] = window.max(axis=(2, 3))
    return out


def maxpool_backward(dout, x, size, stride):
    N, C, H, W = x.shape
    _, _, Ho, Wo = dout.shape
    dx = np.zeros(x.shape)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * stride:i * stride + size, j * stride:j * stride + size]
                    k, l = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * stride + k, j * stride + l] = dout[n, c, i, j]  # BUG: = instead of +=
    return dx


def avgpool_forward(x, size, stride):
    N, C, H, W = x.shape
    Ho = (H - size) // stride + 1
    Wo = (W - size) // stride + 1
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, i * stride:i * stride + size, j * stride:j * stride + size]
            out[:, :, i, j] = window.sum(axis=(2, 3)) / (size * size)
    return out


def avgpool_backward(dout, x, size, stride):
    _, _, Ho, Wo = dout.shape
    dx = np.zeros(x.shape)
    for i in range(Ho):
        for j in range(Wo):
            share = dout[:, :, i, j] / (size * size)
            dx[:, :, i * stride:i * stride + size, j * stride:j * stride + size] += share[:, :, None, None]
    return dx

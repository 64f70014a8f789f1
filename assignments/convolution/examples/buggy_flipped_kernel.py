"""A textbook (signal-processing) convolution: the kernel is flipped, in the
forward pass and, consistently, in the backward pass; and the output size
computed with / instead of //, so it is a float that is wrong when the stride
does not fit exactly."""

import numpy as np


def conv_output_size(n, f, pad, stride):
    # BUG: true division, no floor
    return (n + 2 * pad - f) / stride + 1


def _pad(x, pad):
    N, C, H, W = x.shape
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    xp[:, :, pad:pad + H, pad:pad + W] = x
    return xp


def conv2d_forward(x, w, b, stride=1, pad=0):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho = (H + 2 * pad - HH) // stride + 1
    Wo = (W + 2 * pad - WW) // stride + 1
    xp = _pad(x, pad)
    # BUG: "convolution" as in signal processing: the kernel is flipped
    wf = w[:, :, ::-1, ::-1]
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    window = xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                    out[n, f, i, j] = np.sum(window * wf[f]) + b[f]
    return out


def conv2d_backward(dout, x, w, b, stride=1, pad=0):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, Ho, Wo = dout.shape
    xp = _pad(x, pad)
    wf = w[:, :, ::-1, ::-1]
    dxp = np.zeros_like(xp)
    dwf = np.zeros_like(w, dtype=float)
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    g = dout[n, f, i, j]
                    rows = slice(i * stride, i * stride + HH)
                    cols = slice(j * stride, j * stride + WW)
                    db[f] += g
                    dwf[f] += g * xp[n, :, rows, cols]
                    dxp[n, :, rows, cols] += g * wf[f]
    dx = dxp[:, :, pad:pad + H, pad:pad + W]
    dw = dwf[:, :, ::-1, ::-1]  # the gradient of the flipped kernel, flipped back
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
                    dx[n, c, i * stride + k, j * stride + l] += dout[n, c, i, j]
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

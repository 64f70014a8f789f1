"""Convolution and pooling: correct implementations written unlike the reference, and real mistakes.

CORRECT: each must pass every check of its function.
MISTAKES: each must fail ``check`` with ``hint`` in the hint, the named mistake or the summary.
"""

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from tests.catalogue.cases import Alt, Bug

# ------------------------------------------------------------------ helpers


def _pad_manual(x, pad):
    n, c, h, w = x.shape
    xp = np.zeros((n, c, h + 2 * pad, w + 2 * pad))
    xp[:, :, pad:pad + h, pad:pad + w] = x
    return xp


def _np_pad(x, pad):
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")


def _out(n, f, pad, s):
    return (n + 2 * pad - f) // s + 1


# ------------------------------------------------------------------ conv2d forward


def _conv_pure_python(x, w, b, stride=1, pad=0):
    """Seven nested loops, scalar by scalar, padding by bounds tests (no padded copy)."""
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = _out(H, HH, pad, stride), _out(W, WW, pad, stride)
    out = np.empty((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    acc = float(b[f])
                    for c in range(C):
                        for k in range(HH):
                            r = i * stride + k - pad
                            if not 0 <= r < H:
                                continue
                            for l in range(WW):
                                q = j * stride + l - pad
                                if 0 <= q < W:
                                    acc += x[n, c, r, q] * w[f, c, k, l]
                    out[n, f, i, j] = acc
    return out


def _im2col(xp, HH, WW, stride, Ho, Wo):
    """Columns (N, Ho*Wo, C*HH*WW), built by loops over output positions."""
    N, C = xp.shape[:2]
    cols = np.empty((N, Ho * Wo, C * HH * WW))
    for i in range(Ho):
        for j in range(Wo):
            cols[:, i * Wo + j, :] = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW].reshape(N, -1)
    return cols


def _conv_im2col(x, w, b, stride=1, pad=0):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = _out(H, HH, pad, stride), _out(W, WW, pad, stride)
    cols = _im2col(_np_pad(x, pad), HH, WW, stride, Ho, Wo)
    out = cols @ w.reshape(F, -1).T + b  # (N, Ho*Wo, F)
    return out.transpose(0, 2, 1).reshape(N, F, Ho, Wo)


def _conv_swv_einsum(x, w, b, stride=1, pad=0):
    win = sliding_window_view(_np_pad(x, pad), w.shape[2:], axis=(2, 3))[:, :, ::stride, ::stride]
    return np.einsum("ncijkl,fckl->nfij", win, w) + b[None, :, None, None]


def _conv_as_strided(x, w, b, stride=1, pad=0):
    xp = np.ascontiguousarray(_pad_manual(x, pad))
    N, C, Hp, Wp = xp.shape
    F, _, HH, WW = w.shape
    Ho, Wo = (Hp - HH) // stride + 1, (Wp - WW) // stride + 1
    sn, sc, sh, sw = xp.strides
    win = as_strided(xp, (N, C, Ho, Wo, HH, WW), (sn, sc, sh * stride, sw * stride, sh, sw), writeable=False)
    return np.tensordot(win, w, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2) + b.reshape(1, -1, 1, 1)


def _conv_shift_and_add(x, w, b, stride=1, pad=0):
    """Loop over the kernel offsets (k, l): each adds a strided slice of the image times one filter tap."""
    xp = _pad_manual(x, pad)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = _out(H, HH, pad, stride), _out(W, WW, pad, stride)
    out = np.broadcast_to(b[None, :, None, None], (N, F, Ho, Wo)).copy()
    for k in range(HH):
        for l in range(WW):
            sl = xp[:, :, k:k + stride * (Ho - 1) + 1:stride, l:l + stride * (Wo - 1) + 1:stride]
            out += np.einsum("ncij,fc->nfij", sl, w[:, :, k, l])
    return out


# ------------------------------------------------------------------ conv2d backward


def _conv_back_loops(dout, x, w, b, stride=1, pad=0):
    xp = _np_pad(x, pad)
    N, F, Ho, Wo = dout.shape
    HH, WW = w.shape[2:]
    dxp = np.zeros_like(xp)
    dw = np.zeros(w.shape)
    for i in range(Ho):
        for j in range(Wo):
            r, c = i * stride, j * stride
            d = dout[:, :, i, j]  # (N, F)
            dw += np.tensordot(d, xp[:, :, r:r + HH, c:c + WW], axes=(0, 0))
            dxp[:, :, r:r + HH, c:c + WW] += np.tensordot(d, w, axes=(1, 0))
    H, W = x.shape[2:]
    return dxp[:, :, pad:pad + H, pad:pad + W], dw, dout.sum(axis=(0, 2, 3))


def _conv_back_im2col(dout, x, w, b, stride=1, pad=0):
    """dw = dout_cols^T @ cols; dx by col2im with np.add.at on the flat padded image."""
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = dout.shape[2:]
    xp = _pad_manual(x, pad)
    Hp, Wp = xp.shape[2:]
    cols = _im2col(xp, HH, WW, stride, Ho, Wo)  # (N, P, C*HH*WW)
    d = dout.reshape(N, F, Ho * Wo).transpose(0, 2, 1)  # (N, P, F)
    dw = np.einsum("npf,npk->fk", d, cols).reshape(w.shape)
    dcols = d @ w.reshape(F, -1)  # (N, P, C*HH*WW)
    c_, k_, l_ = np.meshgrid(np.arange(C), np.arange(HH), np.arange(WW), indexing="ij")
    i_, j_ = np.meshgrid(np.arange(Ho), np.arange(Wo), indexing="ij")
    rows = i_.reshape(-1, 1) * stride + k_.reshape(1, -1)
    colsi = j_.reshape(-1, 1) * stride + l_.reshape(1, -1)
    flat = (c_.reshape(1, -1) * Hp + rows) * Wp + colsi  # (P, C*HH*WW) into one sample's padded image
    dxp = np.zeros((N, C * Hp * Wp))
    for n in range(N):
        np.add.at(dxp[n], flat.ravel(), dcols[n].ravel())
    dxp = dxp.reshape(N, C, Hp, Wp)
    return dxp[:, :, pad:pad + H, pad:pad + W], dw, d.sum(axis=(0, 1))


def _conv_back_transposed(dout, x, w, b, stride=1, pad=0):
    """dx as a 'full' convolution: dilate dout by the stride, pad it by the kernel size - 1,
    and cross-correlate with the flipped filters (swapping F and C)."""
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = dout.shape[2:]
    xp = _np_pad(x, pad)
    Hp, Wp = xp.shape[2:]
    dil = np.zeros((N, F, (Ho - 1) * stride + 1, (Wo - 1) * stride + 1))
    dil[:, :, ::stride, ::stride] = dout
    full = np.pad(dil, ((0, 0), (0, 0), (HH - 1, HH - 1), (WW - 1, WW - 1)))
    wt = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)  # (C, F, HH, WW)
    win = sliding_window_view(full, (HH, WW), axis=(2, 3))
    dxp_part = np.einsum("nfijkl,cfkl->ncij", win, wt)  # rows 0 .. (Ho-1)*stride + HH - 1
    dxp = np.zeros((N, C, Hp, Wp))
    dxp[:, :, :dxp_part.shape[2], :dxp_part.shape[3]] = dxp_part
    # dw: correlate the padded input with the dilated dout
    dw = np.einsum("ncijkl,nfkl->fcij", sliding_window_view(xp[:, :, :dil.shape[2] + HH - 1, :dil.shape[3] + WW - 1],
                                                             dil.shape[2:], axis=(2, 3)), dil)
    return dxp[:, :, pad:pad + H, pad:pad + W], dw, np.einsum("nfij->f", dout)


# ------------------------------------------------------------------ pooling


def _pool_windows(x, size, stride):
    return sliding_window_view(x, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]


def _maxpool_strided(x, size, stride):
    x = np.ascontiguousarray(x)
    N, C, H, W = x.shape
    Ho, Wo = (H - size) // stride + 1, (W - size) // stride + 1
    sn, sc, sh, sw = x.strides
    win = as_strided(x, (N, C, Ho, Wo, size, size), (sn, sc, sh * stride, sw * stride, sh, sw), writeable=False)
    return win.reshape(N, C, Ho, Wo, -1).max(axis=-1)


def _maxpool_running_max(x, size, stride):
    """Running np.maximum over the window offsets (no window array at all)."""
    N, C, H, W = x.shape
    Ho, Wo = (H - size) // stride + 1, (W - size) // stride + 1
    out = np.full((N, C, Ho, Wo), -np.inf)
    for k in range(size):
        for l in range(size):
            out = np.maximum(out, x[:, :, k:k + stride * (Ho - 1) + 1:stride, l:l + stride * (Wo - 1) + 1:stride])
    return out


def _maxpool_back_mask(dout, x, size, stride):
    """Mask of the window's maximum (x == max), times dout, added window by window."""
    N, C, H, W = x.shape
    Ho, Wo = dout.shape[2:]
    dx = np.zeros(x.shape)
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * stride:i * stride + size, j * stride:j * stride + size]
            mask = win == win.max(axis=(2, 3), keepdims=True)
            dx[:, :, i * stride:i * stride + size, j * stride:j * stride + size] += mask * dout[:, :, i:i + 1, j:j + 1]
    return dx


def _maxpool_back_add_at(dout, x, size, stride):
    """argmax of every window at once, unravelled, scattered with np.add.at."""
    N, C, H, W = x.shape
    Ho, Wo = dout.shape[2:]
    arg = _pool_windows(x, size, stride).reshape(N, C, Ho, Wo, -1).argmax(axis=-1)
    k, l = np.unravel_index(arg, (size, size))
    rows = np.arange(Ho)[:, None] * stride + k
    cols = np.arange(Wo)[None, :] * stride + l
    n = np.arange(N)[:, None, None, None]
    c = np.arange(C)[None, :, None, None]
    dx = np.zeros(x.shape)
    np.add.at(dx, (n, c, rows, cols), dout)
    return dx


def _maxpool_back_lastmax(dout, x, size, stride):
    """Ties broken on the LAST maximum (never graded: inputs are tie-free)."""
    N, C, H, W = x.shape
    Ho, Wo = dout.shape[2:]
    dx = np.zeros(x.shape)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    win = x[n, c, i * stride:i * stride + size, j * stride:j * stride + size].ravel()
                    a = len(win) - 1 - int(np.argmax(win[::-1]))
                    dx[n, c, i * stride + a // size, j * stride + a % size] += dout[n, c, i, j]
    return dx


def _avgpool_integral(x, size, stride):
    """A summed-area table (cumulative sums), read at the window corners."""
    N, C, H, W = x.shape
    Ho, Wo = (H - size) // stride + 1, (W - size) // stride + 1
    S = np.zeros((N, C, H + 1, W + 1))
    S[:, :, 1:, 1:] = x.cumsum(axis=2).cumsum(axis=3)
    r = np.arange(Ho) * stride
    q = np.arange(Wo) * stride
    tot = (S[:, :, r[:, None] + size, q[None, :] + size] - S[:, :, r[:, None], q[None, :] + size]
           - S[:, :, r[:, None] + size, q[None, :]] + S[:, :, r[:, None], q[None, :]])
    return tot / size**2


def _avgpool_kernel(x, size, stride):
    """Average pooling as a depthwise convolution with a constant kernel 1/size^2."""
    k = np.full((size, size), 1.0 / (size * size))
    return np.einsum("ncijkl,kl->ncij", _pool_windows(x, size, stride), k)


def _avgpool_back_ones(dout, x, size, stride):
    N, C, H, W = x.shape
    Ho, Wo = dout.shape[2:]
    dx = np.zeros(x.shape)
    ones = np.ones((size, size)) / (size * size)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    dx[n, c, i * stride:i * stride + size, j * stride:j * stride + size] += dout[n, c, i, j] * ones
    return dx


def _avgpool_back_kron(dout, x, size, stride):
    """When stride == size: np.kron of dout with a block of ones; the general case by loops."""
    Ho, Wo = dout.shape[2:]
    dx = np.zeros(x.shape)
    if stride == size:
        up = np.kron(dout, np.ones((1, 1, size, size))) / (size * size)
        dx[:, :, :Ho * size, :Wo * size] = up
        return dx
    for i in range(Ho):
        for j in range(Wo):
            dx[:, :, i * stride:i * stride + size, j * stride:j * stride + size] += dout[:, :, i:i + 1, j:j + 1] / size**2
    return dx


CORRECT = [
    Alt("conv_output_size", lambda n, f, pad, stride: math.floor((n + 2 * pad - f) / stride) + 1, "math.floor of a true division"),
    Alt("conv_output_size", lambda n, f, pad, stride: len(range(0, n + 2 * pad - f + 1, stride)), "counting window starts with range"),
    Alt("conv_output_size", lambda n, f, pad, stride: float(int((n + 2 * pad - f) / stride) + 1), "int() truncation (the numerator is >= 0), returned as a float"),
    Alt("conv_output_size", lambda n, f, pad, stride: np.int64((n + 2 * pad - f) // stride + 1), "a numpy integer"),
    Alt("conv2d_forward", _conv_pure_python, "pure Python loops, padding by bounds tests"),
    Alt("conv2d_forward", _conv_im2col, "im2col with reshape and a matrix product, np.pad"),
    Alt("conv2d_forward", _conv_swv_einsum, "sliding_window_view and einsum"),
    Alt("conv2d_forward", _conv_as_strided, "as_strided and tensordot, manual zero padding"),
    Alt("conv2d_forward", _conv_shift_and_add, "loop over the kernel offsets, shift and add"),
    Alt("conv2d_backward", _conv_back_loops, "loops over output positions with tensordot"),
    Alt("conv2d_backward", _conv_back_im2col, "im2col / col2im with np.add.at"),
    Alt("conv2d_backward", _conv_back_transposed, "dx as a full convolution of the dilated dout with flipped filters"),
    Alt("maxpool_forward", lambda x, size, stride: _pool_windows(x, size, stride).max(axis=(-2, -1)), "sliding_window_view"),
    Alt("maxpool_forward", _maxpool_strided, "as_strided"),
    Alt("maxpool_forward", _maxpool_running_max, "running np.maximum over the offsets"),
    Alt("maxpool_backward", _maxpool_back_mask, "argmax mask (x == window max) per window"),
    Alt("maxpool_backward", _maxpool_back_add_at, "vectorised argmax and np.add.at"),
    Alt("maxpool_backward", _maxpool_back_lastmax, "ties to the last maximum (tie-breaking is not graded)"),
    Alt("avgpool_forward", _avgpool_integral, "summed-area table"),
    Alt("avgpool_forward", _avgpool_kernel, "a constant 1/size^2 kernel"),
    Alt("avgpool_backward", _avgpool_back_ones, "scalar loops with a block of ones"),
    Alt("avgpool_backward", _avgpool_back_kron, "np.kron when stride == size"),
]


# ------------------------------------------------------------------ mistakes


def _conv_ref(x, w, b, stride=1, pad=0):
    return _conv_swv_einsum(x, w, b, stride, pad)


def _conv_flipped(x, w, b, stride=1, pad=0):
    return _conv_ref(x, w[:, :, ::-1, ::-1], b, stride, pad)


def _conv_relu_fused(x, w, b, stride=1, pad=0):
    # the activation applied inside the layer
    return np.maximum(_conv_ref(x, w, b, stride, pad), 0.0)


def _conv_pad_not_applied(x, w, b, stride=1, pad=0):
    """The padded output size, but the windows slide over the unpadded x (windows running off the end are skipped)."""
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = _out(H, HH, pad, stride), _out(W, WW, pad, stride)
    out = np.zeros((N, F, Ho, Wo)) + b[None, :, None, None]
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            if win.shape[2:] == (HH, WW):
                out[:, :, i, j] += np.einsum("nckl,fckl->nf", win, w)
    return out


def _conv_unit_norm_filters(x, w, b, stride=1, pad=0):
    norms = np.sqrt((w ** 2).sum(axis=(1, 2, 3), keepdims=True))
    return _conv_ref(x, w / np.where(norms > 0, norms, 1.0), b, stride, pad)


def _conv_row_stride_forgotten(x, w, b, stride=1, pad=0):
    """Rows read at i instead of i * stride (columns are right); the output size is right."""
    xp = _np_pad(x, pad)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = _out(H, HH, pad, stride), _out(W, WW, pad, stride)
    out = np.zeros((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = xp[:, :, i:i + HH, j * stride:j * stride + WW]
            out[:, :, i, j] = np.einsum("nckl,fckl->nf", win, w) + b
    return out


def _conv_back_dx_padded(dout, x, w, b, stride=1, pad=0):
    dx, dw, db = _conv_back_loops(dout, x, w, b, stride, pad)
    dxp = np.zeros((x.shape[0], x.shape[1], x.shape[2] + 2 * pad, x.shape[3] + 2 * pad))
    dxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]] = dx
    return dxp, dw, db  # forgot to cut the padding off


def _conv_back_db_mean(dout, x, w, b, stride=1, pad=0):
    dx, dw, db = _conv_back_loops(dout, x, w, b, stride, pad)
    return dx, dw, db / dout.shape[0]  # averaged over the batch


def _conv_back_db_mean_all(dout, x, w, b, stride=1, pad=0):
    dx, dw, db = _conv_back_loops(dout, x, w, b, stride, pad)
    return dx, dw, dout.mean(axis=(0, 2, 3))  # averaged over the batch and the positions


def _conv_back_dw_one_sample(dout, x, w, b, stride=1, pad=0):
    dx, _, db = _conv_back_loops(dout, x, w, b, stride, pad)
    _, dw0, _ = _conv_back_loops(dout[:1], x[:1], w, b, stride, pad)
    return dx, dw0, db


def _conv_back_stride_ignored(dout, x, w, b, stride=1, pad=0):
    xp = _np_pad(x, pad)
    HH, WW = w.shape[2:]
    dxp, dw = np.zeros_like(xp), np.zeros(w.shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            d = dout[:, :, i, j]
            dw += np.tensordot(d, xp[:, :, i:i + HH, j:j + WW], axes=(0, 0))
            dxp[:, :, i:i + HH, j:j + WW] += np.tensordot(d, w, axes=(1, 0))
    H, W = x.shape[2:]
    return dxp[:, :, pad:pad + H, pad:pad + W], dw, dout.sum(axis=(0, 2, 3))


def _conv_back_dx_flipped(dout, x, w, b, stride=1, pad=0):
    # dx with the filters flipped (a half-remembered "the backward is a convolution with the flipped kernel")
    dx, dw, db = _conv_back_loops(dout, x, w[:, :, ::-1, ::-1], b, stride, pad)
    _, dw, _ = _conv_back_loops(dout, x, w, b, stride, pad)
    return dx, dw, db


def _maxpool_min(x, size, stride):
    return _pool_windows(x, size, stride).min(axis=(-2, -1))


def _maxpool_back_overwrite(dout, x, size, stride):
    N, C, H, W = x.shape
    Ho, Wo = dout.shape[2:]
    dx = np.zeros(x.shape)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    win = x[n, c, i * stride:i * stride + size, j * stride:j * stride + size]
                    a = int(np.argmax(win))
                    dx[n, c, i * stride + a // size, j * stride + a % size] = dout[n, c, i, j]
    return dx


def _maxpool_back_spread(dout, x, size, stride):
    return _avgpool_back_ones(dout, x, size, stride)


def _maxpool_back_to_min(dout, x, size, stride):
    return _maxpool_back_mask(dout, -x, size, stride)


def _avgpool_sum(x, size, stride):
    return _pool_windows(x, size, stride).sum(axis=(-2, -1))


def _avgpool_back_overwrite(dout, x, size, stride):
    dx = np.zeros(x.shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            dx[:, :, i * stride:i * stride + size, j * stride:j * stride + size] = dout[:, :, i:i + 1, j:j + 1] / size**2
    return dx


MISTAKES = [
    Bug("conv_output_size", "value", lambda n, f, pad, stride: (n + 2 * pad - f) / stride + 1, "no floor"),
    Bug("conv_output_size", "value", lambda n, f, pad, stride: n - f + 1 + 2 * pad, "stride ignored"),
    Bug("conv_output_size", "value", lambda n, f, pad, stride: (n + pad - f) // stride + 1, "BOTH sides"),
    Bug("conv_output_size", "value", lambda n, f, pad, stride: (n + 2 * pad - f) // stride, "+1 missing"),
    Bug("conv2d_forward", "value", _conv_flipped, "no flip of the kernel"),
    Bug("conv2d_forward", "notes_edge_example", _conv_flipped, "[0, -4, -4, 0]"),
    Bug("conv2d_forward", "value", lambda x, w, b, stride=1, pad=0: _conv_ref(x, w, np.zeros_like(b), stride, pad), "bias"),
    # padding on the top and the left only: the output is too small (no named mistake; the shape says it)
    Bug("conv2d_forward", "value", lambda x, w, b, stride=1, pad=0: _conv_ref(np.pad(x, ((0, 0), (0, 0), (pad, 0), (pad, 0))), w, b, stride, 0), "expected shape"),
    Bug("conv2d_forward", "value", lambda x, w, b, stride=1, pad=0: _conv_ref(x, w, b, 1, pad), "stride ignored"),
    Bug("conv2d_forward", "value", _conv_pad_not_applied, "padding not applied"),
    Bug("conv2d_forward", "linear_in_x", _conv_relu_fused, "linear in x"),
    Bug("conv2d_forward", "linear_in_w", _conv_unit_norm_filters, "linear in w"),
    Bug("conv2d_forward", "translation_equivariant", _conv_row_stride_forgotten, "translation equivariance"),
    Bug("conv2d_backward", "value", _conv_back_db_mean, "no division"),
    Bug("conv2d_backward", "value", _conv_back_db_mean_all, "db:"),
    Bug("conv2d_backward", "value", _conv_back_dw_one_sample, "EVERY sample"),
    Bug("conv2d_backward", "value", _conv_back_stride_ignored, "i * stride"),
    Bug("conv2d_backward", "value", _conv_back_dx_padded, "expected shape"),
    Bug("conv2d_backward", "gradcheck", _conv_back_dx_flipped, "finite-difference"),
    Bug("maxpool_forward", "value", _avgpool_sum, "not the sum"),
    Bug("maxpool_forward", "max_ge_avg", _maxpool_min, "window's maximum"),
    Bug("maxpool_backward", "value", _maxpool_back_overwrite, "add (+=)"),
    Bug("maxpool_backward", "value", _maxpool_back_spread, "ONE entry"),
    Bug("maxpool_backward", "gradcheck", _maxpool_back_to_min, "finite-difference"),
    Bug("avgpool_forward", "value", _avgpool_sum, "size * size"),
    Bug("avgpool_backward", "value", lambda dout, x, size, stride: _avgpool_back_ones(dout, x, size, stride) * size**2, "divides by the window size"),
    Bug("avgpool_backward", "value", _avgpool_back_overwrite, "each window's share"),
]

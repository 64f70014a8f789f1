"""Table entries: convolution (cross-correlation), pooling, and their backwards.

Geometries come from strategies.conv_geometry / pool_geometry (every drawn
geometry is valid, strides 1 to 3, padding 0 to 2). Max pooling is graded on
tie-free inputs (entries at least 1e-3 apart), so which of two equal maxima
gets the gradient is never graded. The conv2d backward's gradcheck costs 12
calls of the student's forward per input (2 directions x 3 arguments x 2
sides), whatever the size of x, w and b.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from dlgrade.reference import convolution as C

from .. import strategies as S
from ..spec import Entry, Mistake, Partner, Property, Sample

# ------------------------------------------------------------------ inputs


def _conv_inputs(backward=False, max_pad=2, max_stride=3):
    def factory():
        def build(g):
            N, Cc, H, W, F, HH, WW = (g[k] for k in ("N", "C", "H", "W", "F", "HH", "WW"))
            fields = dict(x=S.arrays(st.just((N, Cc, H, W)), -2, 2), w=S.arrays(st.just((F, Cc, HH, WW)), -2, 2),
                          b=S.arrays(st.just((F,)), -1, 1), stride=st.just(g["stride"]), pad=st.just(g["pad"]))
            if backward:
                ho = (H + 2 * g["pad"] - HH) // g["stride"] + 1
                wo = (W + 2 * g["pad"] - WW) // g["stride"] + 1
                fields["dout"] = S.arrays(st.just((N, F, ho, wo)), -2, 2)
            return S.inputs(**fields)

        return S.conv_geometry(max_pad=max_pad, max_stride=max_stride).flatmap(build)

    return factory


def _pool_inputs(backward=False):
    def factory():
        def build(g):
            shape = (g["N"], g["C"], g["H"], g["W"])
            fields = dict(x=S.distinct_arrays(shape), size=st.just(g["size"]), stride=st.just(g["stride"]))
            if backward:
                ho = (g["H"] - g["size"]) // g["stride"] + 1
                wo = (g["W"] - g["size"]) // g["stride"] + 1
                fields["dout"] = S.arrays(st.just((g["N"], g["C"], ho, wo)), -2, 2)
            return S.inputs(**fields)

        return S.pool_geometry().flatmap(build)

    return factory


def _size_inputs():
    return st.integers(0, 3).flatmap(lambda pad: st.integers(1, 5).flatmap(lambda f: S.inputs(
        n=st.integers(max(1, f - 2 * pad), 24), f=st.just(f), pad=st.just(pad), stride=st.integers(1, 4))))


# ------------------------------------------------------------------ named samples

IMG, EDGE, EDGE_OUT = C.notes_edge_example()
NOTES = {"x": IMG[None, None], "w": EDGE[None, None], "b": np.zeros(1), "stride": 1, "pad": 0}
AR = {"x": np.arange(9.0).reshape(1, 1, 3, 3), "w": np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), "b": np.array([0.0]), "stride": 1, "pad": 0}
RGB = {"x": np.linspace(-1, 1, 2 * 3 * 5 * 5).reshape(2, 3, 5, 5), "w": np.linspace(-0.5, 0.5, 2 * 3 * 3 * 3).reshape(2, 3, 3, 3),
       "b": np.array([0.1, -0.2]), "stride": 2, "pad": 1}
POOL_X = np.array([[[[1.0, 3.0, 2.0, 9.0], [5.0, 4.0, 0.5, 7.0], [6.0, 0.0, 8.0, 1.5], [2.5, 3.5, 4.5, 5.5]]]])


def _with_dout(sample: dict, forward) -> dict:
    out = forward(*(sample[k] for k in ("x", "w", "b", "stride", "pad")))
    return {**sample, "dout": np.linspace(-1, 1, out.size).reshape(out.shape)}


def _pool_dout(x, size, stride):
    out = C.maxpool_forward(x, size, stride)
    return np.linspace(-1, 1, out.size).reshape(out.shape)


# ------------------------------------------------------------------ properties


def _shape_ok(out, like) -> str | None:
    if not isinstance(out, np.ndarray) or out.shape != like.shape:
        return f"returned {getattr(out, 'shape', type(out).__name__)}, expected shape {like.shape}"
    return None


def _linear_in(arg):
    def check(call, x):
        a = x[arg]
        other = np.cos(np.arange(a.size)).reshape(a.shape)
        base = dict(x, b=np.zeros_like(x["b"]))

        def f(v):
            d = dict(base, **{arg: v})
            return call(d["x"], d["w"], d["b"], d["stride"], d["pad"])

        y1, y2, y3 = f(a), f(other), f(2.0 * a + other)
        for y in (y1, y2, y3):
            bad = _shape_ok(y, C.conv2d_forward(base["x"], base["w"], base["b"], base["stride"], base["pad"]))
            if bad:
                return bad
        if not np.allclose(y3, 2.0 * y1 + y2, rtol=1e-7, atol=1e-9):
            return f"conv(2 {arg}1 + {arg}2) != 2 conv({arg}1) + conv({arg}2) with zero bias: a convolution is linear in {arg}"
        return None

    return check


def _equivariant(call, x):
    s, hh = x["stride"], x["w"].shape[2]
    xx = x["x"]
    if xx.shape[2] - s < hh:
        return None  # too small to shift by one stride
    full = call(xx, x["w"], x["b"], s, 0)
    shifted = call(xx[:, :, s:, :].copy(), x["w"], x["b"], s, 0)
    if not isinstance(full, np.ndarray) or not isinstance(shifted, np.ndarray) or full.ndim != 4:
        return "returned something other than a 4-d array"
    if shifted.shape != full[:, :, 1:, :].shape or not np.allclose(shifted, full[:, :, 1:, :], rtol=1e-7, atol=1e-9):
        return "shifting the input down by one stride should shift the output down by one row (translation equivariance)"
    return None


def _notes_example(call, x):
    got = call(NOTES["x"], NOTES["w"], NOTES["b"], 1, 0)
    want = EDGE_OUT[None, None]
    if not isinstance(got, np.ndarray) or got.shape != want.shape or not np.allclose(got, want, atol=1e-9):
        return (f"the notes' 6x6 half-dark image with the vertical-edge filter [[1,0,-1],[2,0,-2],[1,0,-1]] "
                f"should give rows [0, -4, -4, 0] (the edge, as a cross-correlation); you returned {np.asarray(got).reshape(-1)[:8]}")
    return None


def _max_ge_avg(call, x):
    m = call(x["x"], x["size"], x["stride"])
    a = C.avgpool_forward(x["x"], x["size"], x["stride"])
    bad = _shape_ok(m, a)
    if bad:
        return bad
    if np.any(m < a - 1e-12):
        return "max pooling returned less than the average of a window: it must pick the window's maximum"
    return None


# ------------------------------------------------------------------ mistakes


def _flip(x, w, b, stride=1, pad=0):
    return C.conv2d_forward(x, w[:, :, ::-1, ::-1], b, stride, pad)


def _no_bias(x, w, b, stride=1, pad=0):
    return C.conv2d_forward(x, w, np.zeros_like(b), stride, pad)


def _stride_ignored(x, w, b, stride=1, pad=0):
    return C.conv2d_forward(x, w, b, 1, pad)


def _pad_ignored(x, w, b, stride=1, pad=0):
    # Students who compute the padded output size but slide over the unpadded input.
    hp = (x.shape[2] + 2 * pad - w.shape[2]) // stride + 1
    wp = (x.shape[3] + 2 * pad - w.shape[3]) // stride + 1
    out = np.zeros((x.shape[0], w.shape[0], hp, wp))
    for i in range(hp):
        for j in range(wp):
            win = x[:, :, i * stride:i * stride + w.shape[2], j * stride:j * stride + w.shape[3]]
            if win.shape[2:] == w.shape[2:]:
                out[:, :, i, j] = np.einsum("nchw,fchw->nf", win, w)
    return out + b[None, :, None, None]


def _back(fn):
    def wrapped(dout, x, w, b, stride=1, pad=0):
        return fn(dout, x, w, b, stride, pad)

    return wrapped


def _db_mean(dout, x, w, b, stride=1, pad=0):
    dx, dw, db = C.conv2d_backward(dout, x, w, b, stride, pad)
    return dx, dw, db / dout.shape[0]


def _dw_one_sample(dout, x, w, b, stride=1, pad=0):
    dx, _, db = C.conv2d_backward(dout, x, w, b, stride, pad)
    _, dw0, _ = C.conv2d_backward(dout[:1], x[:1], w, b, stride, pad)
    return dx, dw0, db


def _stride_ignored_backward(dout, x, w, b, stride=1, pad=0):
    # Students who loop over output positions and index the input with i, j instead of i*stride, j*stride.
    N, F, Ho, Wo = dout.shape
    HH, WW = w.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for i in range(Ho):
        for j in range(Wo):
            win = xp[:, :, i:i + HH, j:j + WW]
            if win.shape[2:] != (HH, WW):
                continue
            dw += np.einsum("nf,nchw->fchw", dout[:, :, i, j], win)
            dxp[:, :, i:i + HH, j:j + WW] += np.einsum("nf,fchw->nchw", dout[:, :, i, j], w)
    dx = dxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]
    return dx, dw, dout.sum(axis=(0, 2, 3))


def _sum_pool(x, size, stride):
    return C.avgpool_forward(x, size, stride) * size * size


def _max_no_acc(dout, x, size, stride):
    N, Cc, H, W = x.shape
    dx = np.zeros_like(x)
    Ho, Wo = dout.shape[2:]
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * stride:i * stride + size, j * stride:j * stride + size].reshape(N, Cc, -1)
            k = win.argmax(axis=2)
            r, c = np.unravel_index(k, (size, size))
            for n in range(N):
                for ch in range(Cc):
                    dx[n, ch, i * stride + r[n, ch], j * stride + c[n, ch]] = dout[n, ch, i, j]
    return dx


def _max_spread(dout, x, size, stride):
    return C.avgpool_backward(dout, x, size, stride)


def _avg_no_div(dout, x, size, stride):
    return C.avgpool_backward(dout, x, size, stride) * size * size


def _avg_no_acc(dout, x, size, stride):
    dx = np.zeros_like(x)
    Ho, Wo = dout.shape[2:]
    for i in range(Ho):
        for j in range(Wo):
            dx[:, :, i * stride:i * stride + size, j * stride:j * stride + size] = dout[:, :, i:i + 1, j:j + 1] / (size * size)
    return dx


M = Mistake
KERNEL_FLIP = "Convolution layers compute a cross-correlation: out = sum x[window] * w, with no flip of the kernel (the notes and PyTorch)."

ENTRIES = (
    Entry("conv_output_size", "convolution", C.conv_output_size, ("n", "f", "pad", "stride"), _size_inputs,
          samples=(Sample("the notes: n = 6, f = 3", {"n": 6, "f": 3, "pad": 0, "stride": 1}),
                   Sample("padding 1", {"n": 6, "f": 3, "pad": 1, "stride": 1}),
                   Sample("stride 2, not divisible", {"n": 7, "f": 2, "pad": 0, "stride": 2})),
          mistakes=(M("conv_output_size: no floor", "The output size is an integer: floor((n + 2 pad - f) / stride) + 1, with // in Python.", lambda n, f, p, s: (n + 2 * p - f) / s + 1),
                    M("conv_output_size: stride ignored", "With stride s the window moves s pixels at a time: floor((n + 2 pad - f) / s) + 1; the notes' n - f + 1 + 2p is the s = 1 case.", lambda n, f, p, s: n + 2 * p - f + 1),
                    M("conv_output_size: padding on one side", "Padding adds p on BOTH sides: n + 2 pad.", lambda n, f, p, s: (n + p - f) // s + 1),
                    M("conv_output_size: +1 missing", "Count the window positions: floor((n + 2 pad - f) / stride) + 1 (a window fits at position 0 too).", lambda n, f, p, s: (n + 2 * p - f) // s)),
          integer_ok=True),
    Entry("conv2d_forward", "convolution", C.conv2d_forward, ("x", "w", "b", "stride", "pad"), _conv_inputs(),
          samples=(Sample("the notes' vertical edge", NOTES), Sample("3x3 with a 2x2 kernel", AR), Sample("RGB, stride 2, pad 1", RGB)),
          properties=(Property("linear_in_x", "linear in x", _linear_in("x")), Property("linear_in_w", "linear in w", _linear_in("w")),
                      Property("translation_equivariant", "shifting x shifts the output", _equivariant,
                               inputs=_conv_inputs(max_pad=0)),
                      Property("notes_edge_example", "the notes' vertical-edge example", _notes_example, inputs=lambda: st.just({}))),
          mistakes=(M("conv2d: kernel flipped", KERNEL_FLIP, _flip),
                    M("conv2d: bias missing", "Add the filter's bias b[f] to every output position of channel f.", _no_bias),
                    M("conv2d: stride ignored", "Move the window by `stride` pixels: output (i, j) reads x[..., i*stride : i*stride + HH, j*stride : j*stride + WW].", _stride_ignored),
                    M("conv2d: padding not applied", "Pad the input with zeros on every side first: np.pad(x, ((0,0), (0,0), (pad,pad), (pad,pad))), then slide over the padded array.", _pad_ignored))),
    Entry("conv2d_backward", "convolution", C.conv2d_backward, ("dout", "x", "w", "b", "stride", "pad"), _conv_inputs(backward=True),
          samples=tuple(Sample(n, _with_dout(s, C.conv2d_forward)) for n, s in (("3x3 with a 2x2 kernel", AR), ("RGB, stride 2, pad 1", RGB))),
          partner=Partner("conv2d_forward", "vjp", ("x", "w", "b")),
          mistakes=(M("conv2d_backward: db as a mean", "db sums dout over the batch and every position: dout.sum(axis=(0, 2, 3)), no division.", _db_mean),
                    M("conv2d_backward: dw from one sample", "dw accumulates over EVERY sample of the batch: sum over n as well.", _dw_one_sample),
                    M("conv2d_backward: stride ignored", "In the backward pass, output position (i, j) reads the window at (i * stride, j * stride), as in the forward pass.", _stride_ignored_backward))),
    Entry("maxpool_forward", "convolution", C.maxpool_forward, ("x", "size", "stride"), _pool_inputs(),
          samples=(Sample("4x4, 2x2 windows", {"x": POOL_X, "size": 2, "stride": 2}), Sample("overlapping windows", {"x": POOL_X, "size": 3, "stride": 1})),
          properties=(Property("max_ge_avg", "max pooling >= average pooling", _max_ge_avg),),
          mistakes=(M("maxpool: sum of the window", "Max pooling keeps the largest entry of each window: .max(axis=...), not the sum.", _sum_pool),)),
    Entry("maxpool_backward", "convolution", C.maxpool_backward, ("dout", "x", "size", "stride"), _pool_inputs(backward=True),
          samples=(Sample("4x4, 2x2 windows", {"dout": _pool_dout(POOL_X, 2, 2), "x": POOL_X, "size": 2, "stride": 2}),
                   Sample("overlapping windows", {"dout": _pool_dout(POOL_X, 3, 1), "x": POOL_X, "size": 3, "stride": 1})),
          partner=Partner("maxpool_forward", "vjp", ("x",)),
          mistakes=(M("maxpool_backward: overlapping windows overwrite", "When windows overlap (stride < size) one entry can be the maximum of several windows: add (+=) the gradients, do not assign.", _max_no_acc),
                    M("maxpool_backward: spread over the window", "Max pooling routes each gradient to the ONE entry that was the maximum; spreading it evenly is average pooling's backward.", _max_spread))),
    Entry("avgpool_forward", "convolution", C.avgpool_forward, ("x", "size", "stride"), _pool_inputs(),
          samples=(Sample("4x4, 2x2 windows", {"x": POOL_X, "size": 2, "stride": 2}), Sample("overlapping windows", {"x": POOL_X, "size": 3, "stride": 1})),
          mistakes=(M("avgpool: not divided by the window", "Average = sum / (size * size).", _sum_pool),)),
    Entry("avgpool_backward", "convolution", C.avgpool_backward, ("dout", "x", "size", "stride"), _pool_inputs(backward=True),
          samples=(Sample("4x4, 2x2 windows", {"dout": _pool_dout(POOL_X, 2, 2), "x": POOL_X, "size": 2, "stride": 2}),
                   Sample("overlapping windows", {"dout": _pool_dout(POOL_X, 3, 1), "x": POOL_X, "size": 3, "stride": 1})),
          partner=Partner("avgpool_forward", "vjp", ("x",)),
          mistakes=(M("avgpool_backward: not divided by the window", "Each entry of a window gets dout / (size * size): the average divides by the window size.", _avg_no_div),
                    M("avgpool_backward: overlapping windows overwrite", "When windows overlap, add (+=) each window's share; assigning drops the earlier windows.", _avg_no_acc))),
)

"""PyTorch verification of the convolution and pooling references.

Forward values are compared with ``torch.nn.functional`` (conv2d, max_pool2d,
avg_pool2d) in float64, and every backward with autograd's gradient of
``sum(dout * out)``. Shapes are non-square and cover strides 1-3, paddings
0-2, overlapping pooling windows and strides that skip the last rows.
Max-pooling inputs are random permutations (tie-free), plus one check on
ties that pins the reference to torch's CPU rule (first maximum in scan order).

References are looked up through the module at call time (``C.conv2d_forward``)
so that a test can patch in a broken reference and see these checks fail.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from dlgrade.reference import convolution as C
from dlgrade.reference.verify import VerifyCheck

__all__ = ["CHECKS"]

TOL = 1e-10  # float64 sums of at most a few hundred terms of order 1


def _t(a, grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


def _err(got, expected, what: str) -> float:
    got = np.asarray(got, dtype=np.float64)
    expected = expected.detach().numpy() if isinstance(expected, torch.Tensor) else expected
    if got.shape != expected.shape:
        raise AssertionError(f"{what}: shape {got.shape}, expected {expected.shape}")
    return float(np.max(np.abs(got - expected), initial=0.0))


_CONV_CASES = [
    # x shape (N, C, H, W), w shape (F, C, HH, WW), stride, pad
    ((2, 3, 7, 5), (4, 3, 3, 2), 1, 0),
    ((2, 3, 7, 5), (4, 3, 3, 2), 2, 1),
    ((1, 2, 9, 8), (3, 2, 4, 3), 3, 2),
    ((3, 1, 6, 4), (2, 1, 1, 1), 2, 0),
    ((1, 2, 4, 3), (2, 2, 4, 5), 1, 2),  # kernel wider than the unpadded input
    ((2, 2, 8, 7), (3, 2, 3, 3), 3, 1),  # the stride skips the last rows
]


def _conv_data(i: int, case):
    xs, ws, stride, pad = case
    rng = np.random.default_rng(500 + i)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    return x, w, b, stride, pad


def _check_conv_forward() -> float:
    err = 0.0
    for i, case in enumerate(_CONV_CASES):
        x, w, b, stride, pad = _conv_data(i, case)
        expected = F.conv2d(_t(x), _t(w), _t(b), stride=stride, padding=pad)
        got = C.conv2d_forward(x, w, b, stride, pad)
        err = max(err, _err(got, expected, f"conv2d_forward {case}"))
    return err


def _check_conv_backward() -> float:
    err = 0.0
    for i, case in enumerate(_CONV_CASES):
        x, w, b, stride, pad = _conv_data(i, case)
        tx, tw, tb = _t(x, True), _t(w, True), _t(b, True)
        out = F.conv2d(tx, tw, tb, stride=stride, padding=pad)
        dout = np.random.default_rng(600 + i).standard_normal(tuple(out.shape))
        (out * _t(dout)).sum().backward()
        got = C.conv2d_backward(dout, x, w, b, stride, pad)
        if len(got) != 3:
            raise AssertionError("conv2d_backward must return (dx, dw, db)")
        for name, g, t in zip(("dx", "dw", "db"), got, (tx, tw, tb), strict=True):
            err = max(err, _err(g, t.grad, f"conv2d_backward {name} {case}"))
    return err


_POOL_CASES = [
    # x shape, size, stride
    ((2, 3, 6, 8), 2, 2),
    ((1, 2, 7, 5), 3, 1),  # overlapping
    ((2, 1, 7, 9), 3, 2),  # overlapping, odd sizes
    ((1, 2, 8, 7), 2, 3),  # gaps between windows
    ((1, 1, 9, 6), 4, 2),
]


def _pool_data(i: int, shape) -> np.ndarray:
    # A permutation of distinct values: no ties, so the argmax is unambiguous.
    rng = np.random.default_rng(700 + i)
    return rng.permutation(np.prod(shape)).reshape(shape) / 7.0 - 3.0


def _pool_checks(name: str, torch_pool):
    def forward() -> float:
        err = 0.0
        for i, (shape, size, stride) in enumerate(_POOL_CASES):
            x = _pool_data(i, shape)
            expected = torch_pool(_t(x), size, stride)
            got = getattr(C, f"{name}_forward")(x, size, stride)
            err = max(err, _err(got, expected, f"{name}_forward {shape} {size} {stride}"))
        return err

    def backward() -> float:
        err = 0.0
        for i, (shape, size, stride) in enumerate(_POOL_CASES):
            x = _pool_data(i, shape)
            tx = _t(x, True)
            out = torch_pool(tx, size, stride)
            dout = np.random.default_rng(800 + i).standard_normal(tuple(out.shape))
            (out * _t(dout)).sum().backward()
            got = getattr(C, f"{name}_backward")(dout, x, size, stride)
            err = max(err, _err(got, tx.grad, f"{name}_backward {shape} {size} {stride}"))
        return err

    return forward, backward


def _max_pool(x, size, stride):
    return F.max_pool2d(x, size, stride)


def _avg_pool(x, size, stride):
    return F.avg_pool2d(x, size, stride)  # no padding: count_include_pad is moot


_max_fwd, _max_bwd = _pool_checks("maxpool", _max_pool)
_avg_fwd, _avg_bwd = _pool_checks("avgpool", _avg_pool)


def _check_maxpool_ties() -> float:
    """On tied windows both route the gradient to the first maximum in scan order."""
    err = 0.0
    rng = np.random.default_rng(900)
    for shape, size, stride in (((1, 2, 5, 6), 2, 1), ((2, 1, 6, 6), 3, 2), ((1, 1, 4, 4), 2, 2)):
        x = rng.integers(0, 2, size=shape).astype(np.float64)  # many ties
        tx = _t(x, True)
        out = F.max_pool2d(tx, size, stride)
        dout = rng.standard_normal(tuple(out.shape))
        (out * _t(dout)).sum().backward()
        got = C.maxpool_backward(dout, x, size, stride)
        err = max(err, _err(got, tx.grad, f"maxpool_backward ties {shape} {size} {stride}"))
    return err


CHECKS: list[VerifyCheck] = [
    VerifyCheck(
        "conv2d_forward", "F.conv2d, strides 1-3, pads 0-2, non-square", _check_conv_forward, TOL
    ),
    VerifyCheck(
        "conv2d_backward", "autograd through F.conv2d: dx, dw, db", _check_conv_backward, TOL
    ),
    VerifyCheck("maxpool_forward", "F.max_pool2d, overlapping and gapped windows", _max_fwd, TOL),
    VerifyCheck("maxpool_backward", "autograd through F.max_pool2d, tie-free", _max_bwd, TOL),
    VerifyCheck(
        "maxpool_backward",
        "ties: first maximum in scan order, as torch on CPU",
        _check_maxpool_ties,
        TOL,
    ),
    VerifyCheck("avgpool_forward", "F.avg_pool2d", _avg_fwd, TOL),
    VerifyCheck("avgpool_backward", "autograd through F.avg_pool2d", _avg_bwd, TOL),
]

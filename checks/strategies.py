"""Hypothesis strategies for the inputs of graded functions: one module for all.

Every strategy draws float64 arrays with explicit element options (no NaN,
no infinity, no subnormals, bounded), so nothing here patches Hypothesis.
Draws are labelled by the dict keys they fill. Sizes stay small on purpose:
a counterexample is only useful if a student can read it, and Hypothesis
shrinks toward the smallest shape first.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = [
    "shapes",
    "floats",
    "arrays",
    "probabilities",
    "one_hot",
    "class_indices",
    "away_from",
    "inputs",
    "conv_geometry",
    "pool_geometry",
    "distinct_arrays",
]


def shapes(min_dims: int = 0, max_dims: int = 4, min_side: int = 1, max_side: int = 4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def floats(lo: float = -10.0, hi: float = 10.0):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def arrays(shape=None, lo: float = -10.0, hi: float = 10.0, elements=None):
    """float64 arrays of ``shape`` (a tuple or a strategy; default 0-d to 4-d)."""
    return hnp.arrays(
        np.float64,
        shapes() if shape is None else shape,
        elements=elements if elements is not None else floats(lo, hi),
    )


def probabilities(shape, eps: float = 1e-3):
    """Probabilities strictly inside (0, 1), at least ``eps`` from both ends."""
    return arrays(shape, eps, 1.0 - eps)


@st.composite
def class_indices(draw, n: int, c: int):
    return draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))


@st.composite
def one_hot(draw, n: int, c: int):
    labels = draw(class_indices(n, c))
    out = np.zeros((n, c))
    out[np.arange(n), labels] = 1.0
    return out


def away_from(values: np.ndarray, points=(0.0,), margin: float = 1e-4) -> np.ndarray:
    """Move entries within ``margin`` of a kink outward, so gradient checks
    (central differences with steps near 6e-6 |z|) never straddle a kink."""
    out = np.array(values, dtype=np.float64, copy=True)
    for p in points:
        near = np.abs(out - p) < margin
        out[near] = p + np.where(out[near] >= p, margin, -margin) * 2
    return out


def inputs(**fields):
    """A strategy of input dicts: ``inputs(z=arrays(), alpha=st.floats(0.01, 1))``."""
    return st.fixed_dictionaries(fields)


@st.composite
def conv_geometry(draw, max_n: int = 2, max_c: int = 3, max_f: int = 3, max_k: int = 3, max_pad: int = 2, max_stride: int = 3, max_out: int = 3):
    """A valid conv2d geometry: N, C, H, W, F, HH, WW, pad, stride with an
    output of at least 1 x 1 and every input row reached by some window when
    the stride allows it."""
    n = draw(st.integers(1, max_n))
    c = draw(st.integers(1, max_c))
    f = draw(st.integers(1, max_f))
    hh = draw(st.integers(1, max_k))
    ww = draw(st.integers(1, max_k))
    pad = draw(st.integers(0, min(max_pad, max(hh, ww) - 1)))
    stride = draw(st.integers(1, max_stride))
    out_h = draw(st.integers(1, max_out))
    out_w = draw(st.integers(1, max_out))
    h = (out_h - 1) * stride + hh - 2 * pad + draw(st.integers(0, stride - 1))
    w = (out_w - 1) * stride + ww - 2 * pad + draw(st.integers(0, stride - 1))
    if h < 1 or w < 1:
        h, w = max(h, 1), max(w, 1)
        pad = 0
        hh, ww = min(hh, h), min(ww, w)
    return dict(N=n, C=c, H=h, W=w, F=f, HH=hh, WW=ww, pad=pad, stride=stride)


@st.composite
def pool_geometry(draw, max_n: int = 2, max_c: int = 2, max_size: int = 3, max_stride: int = 3, max_out: int = 3):
    """A valid pooling geometry: N, C, H, W, size, stride (no padding)."""
    n = draw(st.integers(1, max_n))
    c = draw(st.integers(1, max_c))
    size = draw(st.integers(1, max_size))
    stride = draw(st.integers(1, max_stride))
    out_h = draw(st.integers(1, max_out))
    out_w = draw(st.integers(1, max_out))
    h = (out_h - 1) * stride + size + draw(st.integers(0, stride - 1))
    w = (out_w - 1) * stride + size + draw(st.integers(0, stride - 1))
    return dict(N=n, C=c, H=h, W=w, size=size, stride=stride)


@st.composite
def distinct_arrays(draw, shape, lo: float = -10.0, hi: float = 10.0, gap: float = 1e-3):
    """Arrays whose entries differ pairwise by at least ``gap`` (tie-free max
    pooling: a tie would make the routing of the gradient a convention)."""
    size = int(np.prod(shape)) if len(shape) else 1
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    span = max(hi - lo, gap * size * 4)
    grid = np.linspace(lo, lo + span, 4 * size)
    values = rng.choice(grid[: 4 * size], size=size, replace=False)
    return values.reshape(shape)

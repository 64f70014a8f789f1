"""Data for the HTML report's plots, gathered while the student's code is alive.

``collect(entry, student, outcome)`` evaluates the student's function on a
plot grid (the sandbox is gone by the time a report is rendered) and returns
plain JSON-able data, or None when the entry has no such plot. Guaranteed:

- it never raises: a StudentError, a wrong type, NaN or anything else ends
  the series early or yields None (a plot is a courtesy, never a grade);
- every series has at most ``MAX_POINTS`` numbers (NaN and inf become None);
- it costs a few round trips to the student: one call for an activation,
  one batched call for a loss, 25 calls per optimizer path.

Kinds of data (the "kind" key):

curve         an elementwise activation or derivative on z in [-6, 6]
              (hyper-parameters at their first sample's value), or a loss
              or its gradient per element as a function of the prediction
              for a fixed target (y = 0.5 for regression losses, y = 1 for
              binary cross-entropy); ``{"x", "xlabel", "fixed", "series":
              [{"name", "expected", "got"}]}``, one series per output.
trajectory2d  an optimizer step run 25 times on f(w) = (a1 w1^2 + a2 w2^2)/2
              with a = (1, 10) from w = (-1.5, 1.0), the gradient taken at
              the optimizer's own current w and the state carried;
              ``{"a", "start", "hyper", "expected", "got"}`` (lists of [w1, w2],
              the start included; "got" stops early where the student broke).

Conv, pooling and initializer plots need nothing from here: the outcome's
own data (expected/got, histogram) already holds what they draw.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .outcome import Outcome
from .spec import Entry
from .student import StudentError

__all__ = ["collect", "MAX_POINTS", "is_elementwise"]

MAX_POINTS = 300
Z_GRID = np.linspace(-6.0, 6.0, 241)  # step 0.05: z = 0 (the kink) is on the grid
QUAD_A = (1.0, 10.0)
QUAD_START = (-1.5, 1.0)
QUAD_STEPS = 25
# Regression losses: y_hat around y = 0.5; BCE: probabilities away from 0 and 1.
REGRESSION_LOSSES = ("mse", "mae", "huber", "sum_squares_cost")
LOSS_POINTS = 161


def collect(entry: Entry, student, outcome: Outcome) -> dict[str, Any] | None:
    """Plot data for a failed outcome of ``entry``, or None. Never raises."""
    try:
        if entry.kind == "optimizer":
            return _trajectory2d(entry, student)
        if entry.kind != "function":
            return None
        if entry.topic == "activations" and is_elementwise(entry):
            return _activation_curve(entry, student)
        if entry.topic == "losses":
            return _loss_curve(entry, student)
        return None
    except Exception:  # a plot must never cost a grade or stop the pipeline
        return None


def _hyper(entry: Entry) -> dict[str, Any]:
    """Every argument but the first, at the first named sample's value."""
    base = entry.samples[0].inputs if entry.samples else {}
    return {a: base[a] for a in entry.args[1:] if a in base}


def is_elementwise(entry: Entry) -> bool:
    """Whether the reference acts entry by entry on its first argument.

    A prefix test: f(z[:k]) == f(z)[:k] holds for elementwise functions and
    fails for softmax (which a reversal test would not catch).
    """
    if not entry.args or entry.args[0] != "z":
        return False
    hyper = _hyper(entry)
    if len(hyper) != len(entry.args) - 1 or not all(np.ndim(v) == 0 for v in hyper.values()):
        return False
    z = np.array([-2.0, -0.5, 0.3, 1.7, 4.0])
    try:
        with np.errstate(all="ignore"):
            full = entry.reference(z, *hyper.values())
            part = entry.reference(z[:3], *hyper.values())
    except Exception:
        return False
    full_t = full if isinstance(full, tuple) else (full,)
    part_t = part if isinstance(part, tuple) else (part,)
    return all(np.shape(f) == z.shape and np.allclose(np.asarray(f)[:3], p, equal_nan=True)
               for f, p in zip(full_t, part_t, strict=True))


def _series(values, n: int) -> list:
    """A list of n floats (None where missing or not finite)."""
    try:
        arr = np.asarray(values)
        if arr.dtype.kind == "c":  # a complex answer is drawn by its real part
            arr = arr.real
        arr = arr.astype(np.float64).reshape(-1)
    except (TypeError, ValueError):
        return [None] * n
    if arr.size != n:
        return [None] * n
    return [_num(v) for v in arr[:MAX_POINTS]]


def _num(v) -> float | None:
    # 6 significant digits: plenty for a picture, and half the JSON of repr().
    v = float(v)
    return float(f"{v:.6g}") if np.isfinite(v) else None


def _outputs(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _output_names(entry: Entry, k: int) -> list[str]:
    if k > 1 and entry.partner is not None and len(entry.partner.wrt) == k:
        return ["d" + w for w in entry.partner.wrt]
    return [entry.name] if k == 1 else [f"output {i}" for i in range(k)]


def _activation_curve(entry: Entry, student) -> dict | None:
    hyper = _hyper(entry)
    z = Z_GRID
    with np.errstate(all="ignore"):
        expected = _outputs(entry.reference(z, *hyper.values()))
    try:
        got = _outputs(student.call(entry.name, (z.copy(), *hyper.values()), {}))
    except StudentError:
        got = (None,) * len(expected)
    names = _output_names(entry, len(expected))
    series = []
    for i, name in enumerate(names):
        g = got[i] if i < len(got) else None
        series.append({"name": name, "expected": _series(expected[i], z.size), "got": _series(g, z.size)})
    return {"kind": "curve", "x": _series(z, z.size), "xlabel": "z",
            "fixed": {k: float(v) for k, v in hyper.items()}, "series": series}


def _loss_curve(entry: Entry, student) -> dict | None:
    """Per-element loss (or gradient) against the prediction, y fixed.

    Each point is its own call on 0-d arrays (one batched round trip), so a
    mean-reduced loss is not divided by the number of points.
    """
    if len(entry.args) < 2 or entry.args[0] != "y":
        return None
    base = entry.name.removesuffix("_grad")
    pred = entry.args[1]
    if base in REGRESSION_LOSSES:
        y, x = 0.5, np.linspace(-2.5, 3.5, LOSS_POINTS)
    elif base == "binary_cross_entropy":
        y, x = 1.0, np.linspace(0.01, 0.99, LOSS_POINTS)
    elif base == "binary_cross_entropy_logits":
        y, x = 1.0, np.linspace(-6.0, 6.0, LOSS_POINTS)
    else:  # categorical losses have no per-element curve
        return None
    hyper = {a: v for a, v in _hyper(entry).items() if a != pred}
    calls = [((np.float64(y), np.float64(v), *hyper.values()), {}) for v in x]
    with np.errstate(all="ignore"):
        expected = [entry.reference(*args) for args, _ in calls]
    got = student.call_many(entry.name, calls)
    got = [None if isinstance(g, StudentError) or np.size(g) != 1 else np.asarray(g, dtype=float).reshape(()) for g in got]
    return {"kind": "curve", "x": _series(x, x.size), "xlabel": pred,
            "fixed": {"y": y, **{k: float(v) for k, v in hyper.items()}},
            "series": [{"name": entry.name, "expected": _series(expected, x.size),
                        "got": [None if g is None else _num(g) for g in got]}]}


def _trajectory2d(entry: Entry, student) -> dict | None:
    if not {"w", "dw", "state"} <= set(entry.args):
        return None
    hyper = {a: v for a, v in (entry.samples[0].inputs.items() if entry.samples else ()) if a in entry.args and a not in ("w", "dw", "state")}
    a = np.array(QUAD_A)

    def args_of(w, state):
        return tuple(w if n == "w" else a * w if n == "dw" else state if n == "state" else hyper[n] for n in entry.args)

    w, state, expected = np.array(QUAD_START), {}, [list(QUAD_START)]
    for _ in range(QUAD_STEPS):
        with np.errstate(all="ignore"):
            w, state = entry.reference(*args_of(w, state))
        w = np.asarray(w, dtype=np.float64)
        if not np.isfinite(w).all():
            break
        expected.append([_num(v) for v in w])
    w, state, got = np.array(QUAD_START), {}, [list(QUAD_START)]
    for _ in range(QUAD_STEPS):
        try:
            res = student.call(entry.name, args_of(w.copy(), state), {})
        except StudentError:
            break
        if not isinstance(res, (tuple, list)) or len(res) != 2:
            break
        try:
            w_new = np.asarray(res[0], dtype=np.float64)
        except (TypeError, ValueError):
            break
        if w_new.shape != (2,) or not np.isfinite(w_new).all():
            break
        w, state = w_new, res[1]
        got.append([_num(v) for v in w])
        if np.abs(w).max() > 1e6:  # diverged: the rest of the path says nothing more
            break
    return {"kind": "trajectory2d", "a": list(QUAD_A), "start": list(QUAD_START),
            "hyper": {k: float(v) for k, v in hyper.items()}, "expected": expected, "got": got}

"""Comparing a student's answer with the reference's, and saying how they differ.

Both sides are plain values (checks/values.py). :func:`compare` walks the
expected structure (a scalar, an array, a tuple of outputs, a dict of
arrays) and returns None when the answer is right, else a
:class:`Mismatch` that names what is wrong in one sentence and, for wrong
numbers, where they are most wrong:

    Mismatched elements: 3 / 50 (6.0%); greatest absolute difference 0.5
    at index (0, 2) (up to 1e-06 allowed)

Accepted as equivalent, because the maths is the same: a Python number and a
0-d array for a scalar; a list for a tuple of outputs; bool or integer arrays
whose values are right (``np.where(z > 0, 1, 0)`` is a correct ReLU
derivative). Refused with a message of its own: None, a non-numeric object,
a complex or object result, a wrong shape, a wrong number of outputs,
missing dict keys, NaN or inf where the answer is finite.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .spec import Tolerance
from .values import Unsupported

__all__ = ["Mismatch", "compare", "describe_type", "fmt_index"]

_DEFAULT_TOL = Tolerance()


@dataclass
class Mismatch:
    """Why an answer is wrong.

    kind: "none", "type", "arity", "keys", "shape", "dtype", "nonfinite", "value".
    where: which output ("" for a single output, "dw", "grads['W1']", "[1]").
    message: one sentence for the student.
    For numeric mismatches: index of the worst entry, expected and got there,
    absolute and relative error, number of wrong entries and of all entries.
    """

    kind: str
    where: str
    message: str
    index: tuple | None = None
    expected_at: float | None = None
    got_at: float | None = None
    abs_err: float = float("nan")
    rel_err: float = float("nan")
    n_wrong: int = 0
    n_total: int = 0
    wrong_mask: np.ndarray | None = field(default=None, repr=False)

    def headline(self) -> str:
        where = f"{self.where}: " if self.where else ""
        return where + self.message


def describe_type(value) -> str:
    if value is None:
        return "None"
    if isinstance(value, Unsupported):
        return f"a {value.type_name}" + (f" ({value.detail})" if value.detail else "")
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)} items"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, dict):
        return f"a dict with keys {sorted(value)}"
    return f"a {type(value).__name__} ({value!r})"[:120]


def fmt_index(index) -> str:
    return "()" if index == () else str(tuple(int(i) for i in index))


def _expected_kind(expected) -> str:
    if isinstance(expected, np.ndarray) and expected.ndim > 0:
        return f"an array of shape {expected.shape}"
    if isinstance(expected, (int, np.integer)) and not isinstance(expected, bool):
        return "an integer"
    return "a number"


def _as_array(got, where: str, expected, integer_ok: bool) -> np.ndarray | Mismatch:
    if got is None:
        return Mismatch("none", where, "returned None; did you forget a `return` statement?")
    if isinstance(got, Unsupported):
        return Mismatch(
            "type", where, f"returned {describe_type(got)}; expected {_expected_kind(expected)}"
        )
    if isinstance(got, (str, list, tuple, dict)):
        hint = " (wrap it with np.array(...))" if isinstance(got, list) else ""
        return Mismatch(
            "type", where, f"returned {describe_type(got)}; expected {_expected_kind(expected)}{hint}"
        )
    arr = np.asarray(got)
    if arr.dtype.kind == "c":
        return Mismatch(
            "dtype", where, f"returned complex numbers (dtype {arr.dtype}); expected real float64 values"
            " (a square root or power of a negative number?)"
        )
    if arr.dtype.kind in "biu":
        if not integer_ok:
            return Mismatch(
                "dtype", where, f"returned integers (dtype {arr.dtype}); expected float64 values"
                " (integer division, or an array created from integers?)"
            )
        arr = arr.astype(np.float64)
    elif arr.dtype.kind != "f":
        return Mismatch("dtype", where, f"returned dtype {arr.dtype}; expected float64 values")
    return arr


def _compare_numbers(expected, got, tol: Tolerance, where: str, integer_ok: bool, equal_nan: bool):
    exp = np.asarray(expected, dtype=np.float64) if not isinstance(expected, np.ndarray) or expected.dtype.kind != "f" else expected
    arr = _as_array(got, where, expected, integer_ok)
    if isinstance(arr, Mismatch):
        return arr
    if arr.shape != exp.shape:
        if exp.ndim == 0:
            msg = f"returned shape {arr.shape}; expected a scalar (a float or a 0-d array: use .item(), np.sum or np.mean over all axes)"
        else:
            msg = f"returned shape {arr.shape}; expected shape {exp.shape}"
            if arr.size == exp.size:
                msg += " (same number of entries: a reshape, transpose or keepdims slip?)"
        return Mismatch("shape", where, msg)
    arr = arr.astype(np.float64, copy=False)
    with np.errstate(all="ignore"):
        exp_finite = np.isfinite(exp)
        got_finite = np.isfinite(arr)
        both_nan = np.isnan(exp) & np.isnan(arr) if equal_nan else np.zeros(exp.shape, bool)
        same_inf = (~exp_finite) & (exp == arr)
        bad_nonfinite = exp_finite & ~got_finite
        scale = max(1.0, float(np.max(np.abs(exp[exp_finite])))) if exp_finite.any() else 1.0
        allowed = tol.atol * scale + tol.rtol * np.abs(exp)
        diff = np.abs(arr - exp)
        wrong = ~(both_nan | same_inf) & ~(diff <= allowed)
    n_total = int(exp.size)
    if bad_nonfinite.any():
        idx = tuple(int(i) for i in np.argwhere(bad_nonfinite)[0])
        n_bad = int(bad_nonfinite.sum())
        return Mismatch(
            "nonfinite", where,
            f"returned {arr[idx] if arr.ndim else float(arr)} at index {fmt_index(idx)} where the answer is "
            f"{exp[idx] if exp.ndim else float(exp):.6g} ({n_bad} of {n_total} entries are NaN or inf: "
            "an overflow, or 0/0?)",
            index=idx, expected_at=float(exp[idx]), got_at=float(arr[idx]),
            abs_err=float("inf"), rel_err=float("inf"), n_wrong=int(wrong.sum()), n_total=n_total,
            wrong_mask=wrong,
        )
    if not wrong.any():
        return None
    with np.errstate(all="ignore"):
        excess = np.nan_to_num(np.where(wrong, diff, -1.0), nan=np.inf)
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), exp.shape)) if exp.ndim else ()
    e, g = float(exp[idx]), float(arr[idx])
    abs_err = abs(g - e)
    rel_err = abs_err / max(abs(e), abs(g), 1e-300)
    n_wrong = int(wrong.sum())
    if exp.ndim == 0:
        msg = f"returned {g:.10g}, expected {e:.10g} (absolute difference {abs_err:.3g}, up to {float(allowed):.2g} allowed)"
    else:
        msg = (
            f"Mismatched elements: {n_wrong} / {n_total} ({100.0 * n_wrong / n_total:.1f}%); "
            f"greatest absolute difference {abs_err:.3g} at index {fmt_index(idx)} "
            f"(expected {e:.10g}, got {g:.10g}; up to {float(allowed[idx]):.2g} allowed)"
        )
    return Mismatch(
        "value", where, msg, index=idx, expected_at=e, got_at=g, abs_err=abs_err,
        rel_err=rel_err, n_wrong=n_wrong, n_total=n_total, wrong_mask=wrong,
    )


def compare(
    expected,
    got,
    tol: Tolerance | None = None,
    *,
    names: tuple[str, ...] | None = None,
    integer_ok: bool = True,
    equal_nan: bool = False,
    where: str = "",
) -> Mismatch | None:
    """None when ``got`` matches ``expected`` within ``tol``, else the first Mismatch.

    names: labels for the outputs of a tuple-valued function ("dx", "dw", "db").
    equal_nan: NaN in both places counts as equal (used when matching known
    mistakes, which may themselves overflow).
    """
    tol = tol or _DEFAULT_TOL
    if isinstance(expected, tuple):
        n = len(expected)
        label = f" ({', '.join(names)})" if names else ""
        if not isinstance(got, (tuple, list)):
            return Mismatch("arity", where, f"returned {describe_type(got)}; expected a tuple of {n} outputs{label}")
        if len(got) != n:
            return Mismatch("arity", where, f"returned {len(got)} outputs; expected {n}{label}")
        for i, (e, g) in enumerate(zip(expected, got)):
            sub = names[i] if names and i < len(names) else f"{where}[{i}]"
            m = compare(e, g, tol, integer_ok=integer_ok, equal_nan=equal_nan, where=sub)
            if m is not None:
                return m
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return Mismatch("type", where, f"returned {describe_type(got)}; expected a dict with keys {sorted(expected)}")
        missing = sorted(set(expected) - set(got))
        if missing:
            return Mismatch("keys", where, f"the dict lacks the key(s) {missing}; expected keys {sorted(expected)}")
        for k in expected:
            m = compare(expected[k], got[k], tol, integer_ok=integer_ok, equal_nan=equal_nan, where=f"{where}[{k!r}]")
            if m is not None:
                return m
        return None
    return _compare_numbers(expected, got, tol, where, integer_ok, equal_nan)

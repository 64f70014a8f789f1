"""What may cross from student code to the judge: numbers, and nothing else.

Student code runs in a child process (see dlgrade.grader). Whatever it
returns is turned, *in the child*, into a "plain" value by :func:`to_plain`:

    None | bool | int | float | str (capped) | list | tuple
    | dict[str, plain] | numpy.ndarray (base class, bool/int/uint/float/complex)
    | Unsupported(type_name, detail)

The wire format (dlgrade.grader.wire) can carry exactly these, and the judge
only ever sees these. Anything else (a generator, an object array, a lazy
proxy, a tensor that will not convert) becomes :class:`Unsupported`, which the
comparison reports as "returned a generator, expected an array". The same
conversion is used by the in-process runner of the tests, so a check behaves
the same whether the student's code runs in a child or in-process.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Unsupported", "to_plain", "MAX_DEPTH", "MAX_ITEMS", "MAX_STR"]

MAX_DEPTH = 8
MAX_ITEMS = 10_000
MAX_STR = 2_000
_NUMERIC_KINDS = "biufc"


@dataclass(frozen=True)
class Unsupported:
    """A return value that cannot be judged as numbers.

    type_name: the Python type the student returned, e.g. ``generator``.
    detail: why it was refused, in words a student understands.
    """

    type_name: str
    detail: str = ""

    def __str__(self) -> str:
        return f"<{self.type_name}>"


def _array(obj) -> np.ndarray | Unsupported:
    # np.ndarray.view on the base class skips any override a subclass defines.
    arr = np.ndarray.view(obj, np.ndarray) if isinstance(obj, np.ndarray) else obj
    if arr.dtype.kind not in _NUMERIC_KINDS:
        return Unsupported(f"ndarray of dtype {arr.dtype}", "only numeric arrays can be graded")
    if arr.size > 50_000_000:
        return Unsupported("ndarray", f"array of {arr.size} entries is too large")
    return np.array(arr, copy=True, order="C")


def to_plain(obj, _depth: int = 0):
    """Convert a student's return value to plain numbers (see module docstring)."""
    if _depth > MAX_DEPTH:
        return Unsupported(type(obj).__name__, "nested too deeply")
    if obj is None or type(obj) in (bool, int, float, complex):
        if type(obj) is int and not (-(2**63) <= obj < 2**63):
            return float(obj)
        return obj
    if type(obj) is str:
        return obj[:MAX_STR]
    if isinstance(obj, np.ndarray):
        return _array(obj)
    if isinstance(obj, np.generic):
        if np.dtype(type(obj)).kind not in _NUMERIC_KINDS:
            return Unsupported(type(obj).__name__, "not a number")
        return np.array(obj)
    if type(obj) in (tuple, list):
        if len(obj) > MAX_ITEMS:
            return Unsupported(type(obj).__name__, f"{len(obj)} items is too many")
        items = [to_plain(x, _depth + 1) for x in obj]
        return tuple(items) if type(obj) is tuple else items
    if type(obj) is dict:
        if len(obj) > MAX_ITEMS:
            return Unsupported("dict", f"{len(obj)} items is too many")
        out = {}
        for k, v in obj.items():
            if type(k) is not str:
                return Unsupported("dict", f"key {k!r} is not a string")
            out[k[:MAX_STR]] = to_plain(v, _depth + 1)
        return out
    # Objects that know how to become an array (a torch tensor, a scalar-like
    # wrapper). The conversion runs the object's own code, which is fine: this
    # happens on the student's side of the boundary, and only the numbers that
    # come out are judged.
    if hasattr(obj, "__array__") and not callable(getattr(obj, "__next__", None)):
        try:
            arr = np.asarray(obj)
        except Exception as exc:  # the object's own code failed
            # numpy refuses an __array__ that returns a numpy scalar (a 0-d
            # result of a ufunc); the number it holds is still an answer.
            try:
                arr = np.asarray(obj.__array__())
            except Exception:
                return Unsupported(type(obj).__name__, f"np.asarray failed: {exc}"[:MAX_STR])
        if isinstance(arr, np.ndarray):
            return _array(arr)
    # Subclasses of float and int are read through the base class, so an
    # overridden __float__ or __eq__ cannot present one number here and
    # another elsewhere.
    if isinstance(obj, float):
        return float.__float__(obj)
    if isinstance(obj, int) and not isinstance(obj, bool):
        return to_plain(int.__int__(obj), _depth + 1)
    return Unsupported(type(obj).__name__, "")

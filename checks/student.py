"""The judge's view of a student's code: something that answers calls with numbers.

The grader's sandboxed child (dlgrade.grader.sandbox) and the in-process
runner below both implement :class:`Student`, so every check works against
either. Tests use :class:`InProcessStudent` for speed; grading always uses the
sandbox.
"""

from __future__ import annotations

import traceback
import types
from dataclasses import dataclass
from typing import Any, Protocol, Sequence

import numpy as np

from .values import to_plain

__all__ = ["StudentError", "Student", "InProcessStudent", "Call"]

Call = tuple[tuple, dict]


class StudentError(Exception):
    """The student's code broke (as opposed to returning a wrong answer).

    kind: "exception" (it raised), "not-implemented" (raised NotImplementedError),
    "missing" (no such function), "timeout", "crash" (the process died),
    "forbidden" (a forbidden import), "mutated" (modified an input in place).
    message: one line for the report. detail: a short traceback excerpt.
    """

    def __init__(self, kind: str, message: str, detail: str = ""):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.detail = detail

    def __repr__(self) -> str:
        return f"StudentError({self.kind!r}, {self.message!r})"


class Student(Protocol):
    def has(self, name: str) -> bool: ...

    def call(self, name: str, args: tuple, kwargs: dict | None = None) -> Any:
        """Call one function; return its plain result or raise StudentError."""

    def call_many(self, name: str, calls: Sequence[Call]) -> list[Any]:
        """Call one function on many inputs in one round trip.

        Returns a list, one item per call: the plain result, or a StudentError
        instance (not raised) for a call that failed.
        """


def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(v) for v in value)
    return value


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.shape == b.shape
            and a.dtype == b.dtype
            and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
        )
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    return type(a) is type(b) and (a == b or (a != a and b != b))


def mutated_arguments(before: Sequence, after: Sequence) -> list[int]:
    """Positions of arguments that a call changed in place."""
    return [i for i, (x, y) in enumerate(zip(before, after)) if not _same(x, y)]


def invoke(fn, args: tuple, kwargs: dict | None):
    """Run one student call on copies of its inputs; return (plain result, error).

    Shared by the child process and the in-process runner so both judge a
    call the same way: inputs are copies, so a call cannot change the judge's
    arrays; a call that changes its own inputs is reported as "mutated".
    """
    args = tuple(_copy(a) for a in args)
    kwargs = {k: _copy(v) for k, v in (kwargs or {}).items()}
    pristine = _copy(args)
    try:
        with np.errstate(all="ignore"):
            result = fn(*args, **kwargs)
        plain = to_plain(result)
    except NotImplementedError as exc:
        return None, StudentError("not-implemented", f"raised NotImplementedError{': ' + str(exc) if str(exc) else ''}")
    except RecursionError:
        return None, StudentError("exception", "RecursionError: maximum recursion depth exceeded")
    except Exception as exc:
        return None, StudentError("exception", f"{type(exc).__name__}: {exc}"[:500], _short_tb(exc))
    changed = mutated_arguments(pristine, args)
    if changed:
        return None, StudentError(
            "mutated",
            "modified its input argument(s) in place at position(s) "
            + ", ".join(str(i + 1) for i in changed)
            + "; work on a copy (z = z.copy()) or build a new array",
        )
    return plain, None


def _short_tb(exc: BaseException, limit: int = 6) -> str:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    # The last frames are the student's; ours come first and teach nothing.
    text = "".join(lines[-limit:])
    return text[-2000:]


class InProcessStudent:
    """Runs a module's functions in this process: for tests, never for grading."""

    def __init__(self, module: types.ModuleType | dict):
        self._ns = module if isinstance(module, dict) else vars(module)

    @classmethod
    def from_functions(cls, **functions) -> "InProcessStudent":
        return cls(dict(functions))

    def has(self, name: str) -> bool:
        return callable(self._ns.get(name))

    def call(self, name: str, args: tuple, kwargs: dict | None = None):
        fn = self._ns.get(name)
        if not callable(fn):
            raise StudentError("missing", f"no function named {name!r} in the submission")
        result, error = invoke(fn, args, kwargs)
        if error is not None:
            raise error
        return result

    def call_many(self, name: str, calls):
        out = []
        for args, kwargs in calls:
            try:
                out.append(self.call(name, args, kwargs))
            except StudentError as exc:
                out.append(exc)
        return out


@dataclass
class CountingStudent:
    """Wraps a Student and counts the calls of each function (tests of cost)."""

    inner: Any

    def __post_init__(self):
        self.counts: dict[str, int] = {}
        self.round_trips = 0

    def has(self, name):
        return self.inner.has(name)

    def call(self, name, args, kwargs=None):
        self.counts[name] = self.counts.get(name, 0) + 1
        self.round_trips += 1
        return self.inner.call(name, args, kwargs)

    def call_many(self, name, calls):
        self.counts[name] = self.counts.get(name, 0) + len(calls)
        self.round_trips += 1
        return self.inner.call_many(name, calls)

"""The result of one check: what the scorer counts and the reports render."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Outcome", "PASSED", "FAILED", "ERROR"]

PASSED, FAILED, ERROR = "passed", "failed", "error"


@dataclass
class Outcome:
    """One check of one function.

    function: the graded function's name, e.g. "sigmoid".
    check: the check's name, e.g. "value", "stability", "rows_sum_to_one".
    status: "passed"; "failed" (the formula is wrong); "error" (the
        student's code broke: raised, timed out, crashed, is missing).
    summary: one line saying what happened.
    detail: the feedback that teaches: the smallest failing input, expected,
        got, where they differ most. Plain text, several lines.
    hint: why that usually happens and how to fix it ("" if none).
    mistake: the name of a known mistake matched by fingerprinting, or None.
    reproduce: a Python snippet that reproduces the failure, or "".
    data: plain JSON-able extras for reports and plots (inputs, expected,
        got, as nested lists; per-check extras such as a trajectory).
    seconds: wall time the check took.
    """

    function: str
    check: str
    status: str
    summary: str = ""
    detail: str = ""
    hint: str = ""
    mistake: str | None = None
    reproduce: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def to_json(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "check": self.check,
            "status": self.status,
            "summary": self.summary,
            "detail": self.detail,
            "hint": self.hint,
            "mistake": self.mistake,
            "reproduce": self.reproduce,
            "data": self.data,
            "seconds": round(self.seconds, 4),
        }

"""The result of grading one submission: one JSON document, the source of every report.

Schema (``schema_version`` 1; documented field by field in docs/results.md):

    {
      "schema_version": 1,
      "assignment": "activations", "title": "...",
      "submission": "path/as/given", "student": "id or null",
      "score": 37.0, "max_score": 40.0, "percent": 92.5,
      "status": "graded" | "error",
      "functions": [
        {"name": "relu", "score": 3.0, "max_score": 4.0,
         "checks": [
           {"id": "relu.kink", "function": "relu", "check": "kink",
            "score": 0.0, "max_score": 1.0, "status": "failed",
            "visibility": "visible", "summary": "...", "detail": "...",
            "hint": "...", "mistake": null, "reproduce": "...",
            "seconds": 0.01, "data": {...}}]}],
      "notes": ["one line each: import errors, timeouts, restarts, forbidden imports"],
      "stdout": "...", "stderr": "...",   # the student's output, truncated
      "reproducibility": {"dlgrade": "0.1.0", "python": "3.11.7", "numpy": "2.4.6",
                          "hypothesis": "6.x", "platform": "...", "settings": {...}},
      "limits": {...}, "limits_in_force": [...],
      "started_at": "2026-11-24T18:00:00Z", "seconds": 1.2
    }

Scores are computed here, in the judge's process, from the outcomes alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dlgrade.checks.outcome import Outcome

__all__ = ["SCHEMA_VERSION", "CheckResult", "FunctionResult", "GradeResult", "student_view"]

SCHEMA_VERSION = 1


@dataclass
class CheckResult:
    """One check with its points. score is max_score when passed, else 0."""

    function: str
    check: str
    max_score: float
    visibility: str
    outcome: Outcome

    @property
    def id(self) -> str:
        return f"{self.function}.{self.check}"

    @property
    def score(self) -> float:
        return self.max_score if self.outcome.passed else 0.0

    def to_json(self) -> dict[str, Any]:
        o = self.outcome.to_json()
        del o["function"], o["check"]
        return {"id": self.id, "function": self.function, "check": self.check, "score": self.score,
                "max_score": self.max_score, "visibility": self.visibility, **o}


@dataclass
class FunctionResult:
    name: str
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def score(self) -> float:
        return float(sum(c.score for c in self.checks))

    @property
    def max_score(self) -> float:
        return float(sum(c.max_score for c in self.checks))

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "score": self.score, "max_score": self.max_score,
                "checks": [c.to_json() for c in self.checks]}


@dataclass
class GradeResult:
    assignment: str
    title: str
    submission: str
    functions: list[FunctionResult]
    student: str | None = None
    status: str = "graded"
    notes: list[str] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    reproducibility: dict[str, Any] = field(default_factory=dict)
    limits: dict[str, Any] = field(default_factory=dict)
    limits_in_force: dict[str, bool] = field(default_factory=dict)
    started_at: str = ""
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return float(sum(f.score for f in self.functions))

    @property
    def max_score(self) -> float:
        return float(sum(f.max_score for f in self.functions))

    def to_json(self) -> dict[str, Any]:
        score, max_score = self.score, self.max_score
        return {
            "schema_version": SCHEMA_VERSION,
            "assignment": self.assignment,
            "title": self.title,
            "submission": self.submission,
            "student": self.student,
            "score": score,
            "max_score": max_score,
            "percent": round(100.0 * score / max_score, 2) if max_score else 0.0,
            "status": self.status,
            "functions": [f.to_json() for f in self.functions],
            "notes": list(self.notes),
            "stdout": self.stdout,
            "stderr": self.stderr,
            "reproducibility": self.reproducibility,
            "limits": self.limits,
            "limits_in_force": self.limits_in_force,
            "started_at": self.started_at,
            "seconds": round(self.seconds, 3),
        }


def student_view(result: dict[str, Any]) -> dict[str, Any]:
    """The result with every non-visible check withheld.

    A withheld check still counts in the total score; its status, points and
    feedback are not shown, and the per-function scores cover only the
    visible checks, so nothing beyond the total reveals how it went.
    """
    out = dict(result)
    funcs = []
    hidden_checks, hidden_points = 0, 0.0
    for f in result["functions"]:
        visible = [c for c in f["checks"] if c["visibility"] == "visible"]
        hidden = [c for c in f["checks"] if c["visibility"] != "visible"]
        hidden_checks += len(hidden)
        hidden_points += sum(c["max_score"] for c in hidden)
        funcs.append({**f, "checks": visible, "score": float(sum(c["score"] for c in visible)),
                      "max_score": float(sum(c["max_score"] for c in visible)), "hidden_checks": len(hidden)})
    out["functions"] = funcs
    out["hidden"] = {"checks": hidden_checks, "max_score": hidden_points}
    return out

"""A pytest plugin: plain `pytest` in a folder made by `dlgrade init` grades it.

Loaded by that folder's conftest.py (``pytest_plugins =
["dlgrade.grader.pytest_plugin"]``); it acts only on a ``dlgrade.toml``
(written beside it by grader/pytest_files.py) that pytest collects. With no
dlgrade.toml it does nothing at all: no items, no output, no imports beyond
this module.

Guaranteed:

- one grade per session and dlgrade.toml, in the sandbox, exactly as
  `dlgrade check ASSIGNMENT SUBMISSION` grades it (same pipeline, same
  settings), started by the first test that runs;
- one test per visible check, in manifest order, with node ids like
  ``dlgrade.toml::sigmoid::value [2 pt]``: it passes when the check passed,
  and fails with the feedback `dlgrade check` prints (summary, detail,
  likely mistake, hint; the reproduction snippet too with ``-v``) as its
  failure report, never a Python traceback;
- hidden checks are one test, ``dlgrade.toml::hidden checks [N pt]``,
  skipped (by a mark, before anything runs) with a reason that says how
  many there are and nothing of how they went;
- a summary section with the score as `dlgrade check` computes it (hidden
  checks included in the total);
- when grading cannot happen (an unknown assignment, a missing sandbox
  tool), every test fails with that one message.

dlgrade.toml keys: ``assignment`` (a bundled name or a folder path),
``submission`` (relative to the toml's folder), optional ``sandbox``
("rlimits" or "bwrap") and ``timeout`` (seconds).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_NAME = "dlgrade.toml"
_GRADES = pytest.StashKey[dict]()


def pytest_collect_file(file_path: Path, parent):
    if file_path.name == CONFIG_NAME:
        return DlgradeFile.from_parent(parent, path=file_path)
    return None


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    for grade in config.stash.get(_GRADES, {}).values():
        if grade.result is None:
            continue
        terminalreporter.write_sep("=", f"dlgrade: {grade.assignment.name} ({grade.submission.name})")
        terminalreporter.write_line(score_line(grade.result))


def score_line(result: dict[str, Any]) -> str:
    """The total as `dlgrade check` states it (hidden checks in the total, withheld)."""
    hidden = [c for f in result["functions"] for c in f["checks"] if c["visibility"] != "visible"]
    line = f"score: {result['score']:g} / {result['max_score']:g} ({result['percent']:g}%)"
    if hidden:
        points = sum(c["max_score"] for c in hidden)
        line += f"; includes {len(hidden)} hidden checks ({points:g} points) whose results are withheld"
    elif result["max_score"] and result["score"] >= result["max_score"]:
        line += ": all checks passed"
    return line


def feedback(c: dict[str, Any], verbose: bool = False) -> str:
    """The failure block of one check, as the text report prints it.

    The first line is the summary alone (pytest's header and short summary
    already name the function, the check and its points).
    """
    from .reports import failure_body

    return "\n".join([c["summary"], *failure_body(c, verbose)])


class _Grade:
    """The one grade of a dlgrade.toml in this session (run on first use)."""

    def __init__(self, assignment, submission: Path, sandbox: str, timeout: float | None):
        self.assignment = assignment
        self.submission = submission
        self.sandbox = sandbox
        self.timeout = timeout
        self.result: dict[str, Any] | None = None
        self.error: str | None = None
        self.checks: dict[str, dict] = {}

    def run(self) -> None:
        if self.result is not None or self.error is not None:
            return
        from .grade import grade_submission

        try:
            if not self.submission.exists():
                raise FileNotFoundError(f"no such file: {self.submission} (see submission = ... in {CONFIG_NAME})")
            self.result = grade_submission(self.assignment, self.submission, sandbox=self.sandbox,
                                           timeout=self.timeout).to_json()
        except Exception as exc:  # sandbox missing, unreadable file: every test says so, once each
            self.error = f"dlgrade could not grade {self.submission}: {exc}"
            return
        self.checks = {c["id"]: c for f in self.result["functions"] for c in f["checks"]}


class CheckFailed(Exception):
    """A check lost its points; the message is the feedback to show."""


class DlgradeFile(pytest.File):
    """dlgrade.toml: a collector of one collector per graded function."""

    def collect(self):
        from dlgrade.assignments.manifest import ManifestError, load

        try:
            cfg = tomllib.loads(self.path.read_text(encoding="utf-8"))
            assignment = load(cfg["assignment"])
        except (tomllib.TOMLDecodeError, KeyError, ManifestError) as exc:
            raise self.CollectError(f"{self.path}: {exc if not isinstance(exc, KeyError) else f'missing key {exc}'}") from None
        submission = self.path.parent / cfg.get("submission", assignment.module + ".py")
        grade = _Grade(assignment, submission, cfg.get("sandbox", "rlimits"), cfg.get("timeout"))
        self.config.stash.setdefault(_GRADES, {})[self.path] = grade
        for fname in assignment.functions:
            yield DlgradeFunction.from_parent(self, name=fname, grade=grade)
        hidden = [s for s in assignment.checks if s.visibility != "visible"]
        if hidden:
            yield DlgradeHidden.from_parent(self, name=f"hidden checks [{sum(s.points for s in hidden):g} pt]",
                                            grade=grade, count=len(hidden))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, self.CollectError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class DlgradeFunction(pytest.Collector):
    def __init__(self, *, grade: _Grade, **kw):
        super().__init__(**kw)
        self.grade = grade

    def collect(self):
        for spec in self.grade.assignment.checks_of(self.name):
            if spec.visibility == "visible":
                yield DlgradeCheck.from_parent(self, name=f"{spec.check} [{spec.points:g} pt]", grade=self.grade, check_id=spec.id)


class DlgradeCheck(pytest.Item):
    """One visible check: passes or fails as the grade says."""

    def __init__(self, *, grade: _Grade, check_id: str, **kw):
        super().__init__(**kw)
        self.grade = grade
        self.check_id = check_id

    def runtest(self) -> None:
        self.grade.run()
        if self.grade.error is not None:
            raise CheckFailed(self.grade.error)
        c = self.grade.checks[self.check_id]
        if c["status"] != "passed":
            raise CheckFailed(feedback(c, verbose=self.config.get_verbosity() > 0))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CheckFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, 0, f"{self.parent.name}::{self.name}"


class DlgradeHidden(pytest.Item):
    """The hidden checks: graded with the rest, shown as one skipped test."""

    def __init__(self, *, grade: _Grade, count: int, **kw):
        super().__init__(**kw)
        self.grade = grade
        self.count = count
        # A skip mark (not pytest.skip() in runtest) so the report points at
        # dlgrade.toml, not at this module.
        self.add_marker(pytest.mark.skip(reason=f"{count} hidden checks are graded, but their results are withheld"))

    def runtest(self) -> None:  # pragma: no cover - always skipped by its mark
        pass

    def reportinfo(self):
        return self.path, 0, self.name

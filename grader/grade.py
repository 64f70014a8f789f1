"""Grading one submission: the pipeline, as a list of small steps.

    grade_submission(assignment, path) -> GradeResult

1. load      read the submission in the judge's process without running it
             (a .py file, a package folder, a notebook's code cells);
2. scan      find forbidden imports in the source (reported per function);
3. start     start the sandboxed child, which imports the submission;
4. judge     run every check of the manifest through the engine;
5. collect   the student's output (truncated), the sandbox's events, the
             limits in force, and what makes the grade reproducible;
6. plots     (interleaved with 4, while the student's code is still alive)
             for each function, its first failed visible check gets
             data["plot"] from checks/plotdata.collect: the student's curve
             or optimizer path for the HTML report. Never for hidden checks,
             never on success, never an error or a change of score.

Nothing the student's code does can stop the pipeline: each failure becomes
an outcome with status "error" and a one-line reason; a bug in dlgrade
itself is reported as such (and scores 0, never free points).
"""

from __future__ import annotations

import dataclasses
import platform
import sys
import time
import traceback
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from dlgrade import __version__
from dlgrade.assignments.manifest import Assignment, ensure_local_table
from dlgrade.checks.engine import Settings, run_check
from dlgrade.checks import plotdata
from dlgrade.checks.outcome import ERROR, FAILED, Outcome
from dlgrade.checks.table import entry as table_entry

from .child import ALWAYS_FORBIDDEN
from .result import CheckResult, FunctionResult, GradeResult

__all__ = ["grade_submission", "engine_settings", "limits_for"]


def engine_settings(assignment: Assignment) -> Settings:
    return replace(Settings(), module=assignment.module, **assignment.settings)


def limits_for(assignment: Assignment, timeout: float | None = None):
    from .sandbox import Limits

    kw = dict(assignment.limits)
    if timeout is not None:
        kw["total_timeout"] = float(timeout)
    return Limits(**kw)


def _environment(settings: Settings) -> dict:
    import hypothesis
    import numpy

    return {
        "dlgrade": __version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "hypothesis": hypothesis.__version__,
        "platform": f"{platform.system()} {platform.machine()}",
        "settings": {k: getattr(settings, k) for k in ("examples", "gradcheck_examples", "shrink_calls", "confirm", "seed")},
        "seeds": "one fixed seed per check: crc32('<function>/<check>')",
    }


def _all_error(assignment: Assignment, kind: str, message: str, detail: str = "") -> dict[str, Outcome]:
    return {
        c.id: Outcome(c.function, c.check, ERROR, summary=message[:300], detail=detail[:3000], data={"error_kind": kind})
        for c in assignment.checks
    }


def grade_submission(
    assignment: Assignment,
    path: str | Path,
    *,
    sandbox: str = "rlimits",
    timeout: float | None = None,
    settings: Settings | None = None,
    student=None,
    slot: int = 0,
    student_id: str | None = None,
) -> GradeResult:
    """Grade one submission against an assignment.

    student: an already-built Student (tests pass an InProcessStudent); by
    default a sandboxed child process is started for the submission.
    """
    from .forbidden import forbidden_uses
    from .submission import NOTEBOOK_ERRORS, SubmissionError, load_submission

    # An assignment's own table.py: registered in this process too (a batch
    # grading process or a Dask worker receives the Assignment, not the load).
    ensure_local_table(assignment.folder)
    started = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    t0 = time.perf_counter()
    settings = settings or engine_settings(assignment)
    notes: list[str] = []
    outcomes: dict[str, Outcome] = {}
    stdout = stderr = ""
    limits_info: dict = {}
    in_force: dict = {}
    box = None

    # 1. load, 2. scan
    loaded = None
    forbidden_in: dict[str, str] = {}
    if student is None:
        try:
            loaded = load_submission(path, assignment.module)
        except SubmissionError as exc:
            notes.append(str(exc))
            outcomes = _all_error(assignment, "load", str(exc))
        if loaded is not None:
            # dlgrade's own judging modules (the reference solutions) are always forbidden.
            forbidden_in = forbidden_uses(loaded.source_text, (*assignment.forbidden_imports, *ALWAYS_FORBIDDEN),
                                          assignment.functions,
                                          where=lambda line: f"{loaded.path.name}, {loaded.origin(line)}")
            notes.extend(f"{f} {msg}" for f, msg in forbidden_in.items())
    # 3. start
    if not outcomes and student is None:
        from .sandbox import Sandbox

        try:
            extra = (NOTEBOOK_ERRORS,) if loaded.kind == "notebook" else ()
            box = Sandbox(loaded, assignment.functions + extra, limits_for(assignment, timeout),
                          assignment.forbidden_imports, mode=sandbox, slot=slot)
            box.start()
            student = box
            if extra:
                notes.extend(_notebook_errors(box))
            if box.import_error is not None:
                err = _explain_import_error(box.import_error, loaded, (*assignment.forbidden_imports, *ALWAYS_FORBIDDEN))
                notes.append(f"the submission could not be imported: {err.message}")
                outcomes = _all_error(assignment, err.kind, f"the submission could not be imported: {err.message}", err.detail)
        except BaseException:
            if box is not None:
                box.close()
            raise
    # 4. judge
    plotted: set[str] = set()
    try:
        if not outcomes:
            for spec in assignment.checks:
                if spec.function in forbidden_in:
                    outcomes[spec.id] = Outcome(spec.function, spec.check, ERROR, summary=f"{spec.function} {forbidden_in[spec.function]}",
                                                data={"error_kind": "forbidden"})
                    continue
                try:
                    outcomes[spec.id] = run_check(table_entry(spec.function), spec.check, student, settings)
                except Exception as exc:  # a bug in dlgrade: say so, score 0
                    outcomes[spec.id] = Outcome(
                        spec.function, spec.check, ERROR,
                        summary=f"internal error in dlgrade while running this check ({type(exc).__name__}: {exc}); please report it",
                        detail=traceback.format_exc()[-2000:], data={"error_kind": "internal"})
                # 6. plots
                _add_plot(spec, outcomes[spec.id], student, plotted)
    finally:
        # 5. collect
        if box is not None:
            stdout, stderr = box.stdout_text(), box.stderr_text()
            notes.extend(box.events)
            limits_info = dataclasses.asdict(box.limits)
            in_force = box.limits_in_force()
            box.close()
    functions = []
    for fname in assignment.functions:
        fr = FunctionResult(fname)
        for spec in assignment.checks_of(fname):
            fr.checks.append(CheckResult(fname, spec.check, spec.points, spec.visibility, outcomes[spec.id]))
        functions.append(fr)
    return GradeResult(
        assignment=assignment.name, title=assignment.title, submission=str(path), student=student_id,
        functions=functions, notes=_dedupe(notes), stdout=stdout, stderr=stderr,
        reproducibility=_environment(settings), limits=limits_info, limits_in_force=in_force,
        started_at=started, seconds=time.perf_counter() - t0,
    )


def _add_plot(spec, outcome: Outcome, student, plotted: set[str]) -> None:
    """Step 6: plot data for the first failed visible check of each function.

    Once per function: the report draws one picture per function, and the
    JSON result stays small. plotdata.collect never raises.
    """
    if outcome.status != FAILED or spec.visibility != "visible" or spec.function in plotted:
        return
    plotted.add(spec.function)
    plot = plotdata.collect(table_entry(spec.function), student, outcome)
    if plot is not None:
        outcome.data["plot"] = plot


def _notebook_errors(box) -> list[str]:
    """The cells of a notebook that raised (each cell runs on its own)."""
    from dlgrade.checks.student import StudentError

    from .submission import NOTEBOOK_ERRORS

    try:
        errors = box.call(NOTEBOOK_ERRORS, ())
    except StudentError:
        return []
    if not isinstance(errors, list):
        return []
    return [f"{e} (the other cells ran)" for e in errors[:20] if isinstance(e, str)]


def _explain_import_error(err, loaded, forbidden):
    """An import that failed on a forbidden module's line is reported as forbidden,
    even when the module is not installed at all (the import then fails on its
    parent package, e.g. "No module named 'scipy'" for scipy.special)."""
    import re

    from dlgrade.checks.student import StudentError

    from .submission import static_scan

    m = re.search(r"line (\d+)", err.message)
    if err.kind == "forbidden" or not m or not forbidden:
        return err
    line = int(m.group(1))
    for module, hit in static_scan(loaded.source_text, forbidden):
        if hit == line:
            return StudentError("forbidden", f"imports {module} ({loaded.path.name}, {loaded.origin(line)}), which this "
                                "assignment forbids: remove the import and write the formula with numpy", err.detail)
    return err


def _dedupe(lines: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for line in lines:
        seen.setdefault(line, None)
    return list(seen)[:50]


def python_info() -> str:
    return f"Python {sys.version.split()[0]}"

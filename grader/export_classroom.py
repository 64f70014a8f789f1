"""`dlgrade export github-classroom`, and the step that reports one function's points.

The starter repository (``export_github_classroom``):

    <module>.py                      the starter file
    GUIDE.md, README.md, .gitignore
    .github/workflows/classroom.yml  grades every push
    dlgrade-assignment/manifest.toml only for an instructor's own assignment
                                     or one with overrides (else the bundled
                                     name is used, as students type it)

How the workflow reports points. GitHub Classroom's command grader gives a
test all of its ``max-score`` when its command exits 0, else nothing. So the
workflow grades ONCE (the "Grade" step: ``dlgrade check ... --format json``
into .dlgrade/result.json, then the full feedback in the log), and then runs
one command-grader test per graded function, worth that function's points:

    python -m dlgrade.grader.export_classroom .dlgrade/result.json FUNCTION

which prints that function's feedback and exits 0 exactly when the function
got full marks (hidden checks included). The reporter sums the tests. A
student thus gets partial credit function by function, and grading costs
one run whatever the number of functions. The command grader takes whole
points only, so every function's points must be integers.
"""

from __future__ import annotations

import json
import math
import shutil
import sys
import tempfile
from pathlib import Path

from dlgrade.assignments.manifest import BUNDLED, Assignment

from . import export_templates as T
from .export import SLACK, ExportError, Overrides, _hidden_text, _prepare_dir, total_timeout, write_assignment

__all__ = ["export_github_classroom", "workflow_text", "report_function", "main", "RESULT"]

RESULT = ".dlgrade/result.json"
ASSIGNMENT_DIR = "dlgrade-assignment"
_Q = json.dumps  # a JSON string is a valid YAML double-quoted scalar


def _points(a: Assignment) -> dict[str, int]:
    out = {}
    for f in a.functions:
        total = sum(c.points for c in a.checks_of(f))
        if not float(total).is_integer():
            raise ExportError(f"{f} is worth {total:g} points, but GitHub Classroom's command grader takes whole "
                              "points: make every function's points integers (--points FUNCTION.CHECK=N)")
        out[f] = int(total)
    return out


def workflow_text(a: Assignment, assignment_ref: str, spec: str, python_version: str = "3.11") -> str:
    """The GitHub Actions workflow: one grading run, one autograding test per function."""
    import shlex

    points = _points(a)
    submission = f"{a.module}.py"
    grade_minutes = math.ceil((total_timeout(a) + SLACK) / 60)
    check = (f"dlgrade check {shlex.quote(assignment_ref)} {shlex.quote(submission)} "
             f"--format json --output {RESULT} --min-score 0")
    lines = [
        f"# Written by `dlgrade export github-classroom` for {a.name}: grades every push.",
        "# The Grade step runs dlgrade once and prints the feedback; each test after",
        "# it is one graded function, worth its points, passed at full marks.",
        "name: Autograding Tests",
        '"on":',
        "  - push",
        "  - workflow_dispatch",
        "  - repository_dispatch",
        "permissions:",
        "  checks: write",
        "  actions: read",
        "  contents: read",
        "jobs:",
        "  run-autograding-tests:",
        "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'",
        f"    timeout-minutes: {grade_minutes + 10}",
        "    steps:",
        "      - name: Checkout code",
        "        uses: actions/checkout@v4",
        "      - name: Set up Python",
        "        uses: actions/setup-python@v5",
        "        with:",
        f"          python-version: {_Q(python_version)}",
        "      - name: Install dlgrade",
        f"        run: python -m pip install {shlex.quote(spec)}",
        f"      - name: Grade {submission}",
        f"        timeout-minutes: {grade_minutes}",
        "        run: |",
        "          rm -rf .dlgrade",
        f"          {check}",
        f"          python -m dlgrade.grader.export_classroom {RESULT}",
    ]
    for f, pts in points.items():
        lines += [
            f"      - name: {_Q(f'{f} ({pts} points)')}",
            f"        id: {f}",
            "        if: ${{ !cancelled() }}",
            "        uses: classroom-resources/autograding-command-grader@v1",
            "        with:",
            f"          test-name: {_Q(f)}",
            f"          command: {_Q(f'python -m dlgrade.grader.export_classroom {RESULT} {f}')}",
            "          timeout: 1",
            f"          max-score: {pts}",
        ]
    lines += [
        "      - name: Autograding Reporter",
        "        if: ${{ !cancelled() }}",
        "        uses: classroom-resources/autograding-grading-reporter@v1",
        "        env:",
    ]
    lines += [f"          {f.upper()}_RESULTS: \"${{{{steps.{f}.outputs.result}}}}\"" for f in points]
    lines += ["        with:", f"          runners: {','.join(points)}"]
    return "\n".join(lines) + "\n"


def export_github_classroom(a: Assignment, directory: Path, overrides: Overrides | None = None,
                            spec: str = "dlgrade", python_version: str = "3.11",
                            force: bool = False) -> list[Path]:
    """Write the starter repository of ``a`` into ``directory``; return the paths written."""
    directory = Path(directory)
    overrides = overrides or Overrides()
    bundled = a.folder.resolve().parent == BUNDLED and not overrides
    names = [f"{a.module}.py", "GUIDE.md", "README.md", ".gitignore", ".github/workflows/classroom.yml"]
    _prepare_dir(directory, names + ([] if bundled else [ASSIGNMENT_DIR]), force)
    with tempfile.TemporaryDirectory(prefix="dlgrade-export-") as tmp:
        graded = write_assignment(a, overrides, Path(tmp) / "assignment")  # validates before writing
        ref = a.name if bundled else ASSIGNMENT_DIR
        workflow = workflow_text(graded, ref, spec, python_version)
        written = [directory / n for n in names]
        (directory / ".github" / "workflows").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(graded.starter, written[0])
        shutil.copyfile(graded.guide, written[1])
        written[2].write_text(T.CLASSROOM_README.substitute(
            title=graded.title, module=graded.module, assignment=ref, spec=spec,
            total=f"{graded.max_score:g} points", hidden=_hidden_sentence(graded),
            assignment_note="" if bundled else f" or `{ASSIGNMENT_DIR}/`"), encoding="utf-8")
        written[3].write_text(T.CLASSROOM_GITIGNORE, encoding="utf-8")
        written[4].write_text(workflow, encoding="utf-8")
        if not bundled:
            (directory / ASSIGNMENT_DIR).mkdir(exist_ok=True)
            shutil.copyfile(graded.folder / "manifest.toml", directory / ASSIGNMENT_DIR / "manifest.toml")
            written.append(directory / ASSIGNMENT_DIR / "manifest.toml")
    return written


def _hidden_sentence(a: Assignment) -> str:
    if not any(c.visibility != "visible" for c in a.checks):
        return ""
    return f" Some checks are hidden ({_hidden_text(a)}): they count, but their details are not shown."


# ------------------------------------------------------------------ the reporting step


def report_function(result: dict, function: str | None) -> tuple[str, bool]:
    """The feedback for ``function`` (all functions if None), as a student sees it,
    and whether it got full marks, hidden checks included."""
    from .reports import render_text

    if function is None:
        return render_text(result), result["score"] >= result["max_score"] - 1e-9
    match = [f for f in result["functions"] if f["name"] == function]
    if not match:
        return f"{function} is not graded by {result['assignment']}\n", False
    f = match[0]
    one = dict(result, functions=[f], score=f["score"], max_score=f["max_score"],
               percent=round(100 * f["score"] / f["max_score"], 2) if f["max_score"] else 0.0)
    return render_text(one), f["score"] >= f["max_score"] - 1e-9


def main(argv: list[str] | None = None) -> int:
    """``python -m dlgrade.grader.export_classroom RESULT.json [FUNCTION]``.

    Exit 0: FUNCTION got full marks (without FUNCTION: the report was printed).
    Exit 1: it did not, or there is no readable result (the Grade step failed).
    """
    args = sys.argv[1:] if argv is None else argv
    if not 1 <= len(args) <= 2:
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    try:
        result = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"no grading result in {args[0]} ({exc}): the Grade step did not finish; its log says why")
        return 1
    text, full = report_function(result, args[1] if len(args) == 2 else None)
    sys.stdout.write(text)
    return 0 if full or len(args) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())

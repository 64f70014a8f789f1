"""`dlgrade export`: deploy an assignment where courses grade.

    export_gradescope(assignment, output, overrides, spec)        -> Path (the zip)
    export_github_classroom(assignment, directory, overrides, spec) -> list[Path]   (export_classroom.py)
    export_prairielearn(assignment, directory, overrides, image, spec) -> list[Path]

Each exporter ships a copy of the assignment folder (manifest.toml, starter.py,
guide.md; never examples/, which holds the solution) whose manifest has the
instructor's overrides applied: points (``--points FUNCTION.CHECK=N``),
hidden checks (``--hide FUNCTION.CHECK``) and the time limit for the whole
submission (``--timeout S``). An override goes through the manifest loader
itself: the new manifest is written, then ``load()``-ed, so a bad override
fails exactly as a bad manifest would (ExportError, exit code 2) and
nothing is written. Layouts and deployment steps: docs/instructors.md.
"""

from __future__ import annotations

import importlib
import json
import math
import re
import shlex
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path

import click

from dlgrade import __version__
from dlgrade.assignments.manifest import Assignment, CheckSpec, ManifestError, load

from . import export_templates as T

__all__ = [
    "ExportError", "Overrides", "parse_points", "parse_hide", "write_assignment",
    "source_bundle", "export_gradescope", "export_prairielearn", "export",
]

# Seconds the platform's own limit adds to the assignment's total_timeout:
# starting Python, importing dlgrade, writing the report.
SLACK = 60


class ExportError(click.ClickException):
    """An export that cannot be made: bad override, files in the way (exit code 2)."""

    exit_code = 2


@dataclass(frozen=True)
class Overrides:
    """Changes to the manifest. points: (function, check, points), added or
    replaced; hide: (function, check) made "hidden"; timeout: limits.total_timeout."""

    points: tuple[tuple[str, str, float], ...] = ()
    hide: tuple[tuple[str, str], ...] = ()
    timeout: float | None = None

    def __bool__(self) -> bool:
        return bool(self.points or self.hide or self.timeout is not None)


_ID = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$")


def parse_hide(text: str) -> tuple[str, str]:
    m = _ID.match(text.strip())
    if not m:
        raise ExportError(f"--hide {text!r}: expected FUNCTION.CHECK, e.g. relu.idempotent")
    return m.group(1), m.group(2)


def _usage(text: str) -> ExportError:
    return ExportError(f"--points {text!r}: expected FUNCTION.CHECK=N, e.g. relu.value=3")


def parse_points(text: str) -> tuple[str, str, float]:
    ident, sep, value = text.partition("=")
    m = _ID.match(ident.strip())
    if not sep or not m:
        raise _usage(text)
    function, check = m.group(1), m.group(2)
    try:
        points = float(value)
    except ValueError:
        points = math.nan
    if not math.isfinite(points):  # TOML would take nan and inf, and so would the loader
        raise ExportError(f"--points {text!r}: {value!r} is not a number")
    return function, check, points


# ------------------------------------------------------------------ manifests


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))  # reads as the instructor wrote it; the loader takes both
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {v!r} to TOML")


def manifest_text(a: Assignment, checks: tuple[CheckSpec, ...], limits: dict, note: str) -> str:
    """The manifest of ``a`` with ``checks`` and ``limits``, as TOML (comments are not kept)."""
    lines = [f"# {note}", "schema_version = 1", f"name = {_value(a.name)}", f"title = {_value(a.title)}",
             f"module = {_value(a.module)}", f"forbidden_imports = {_value(list(a.forbidden_imports))}"]
    for table, values in (("limits", limits), ("settings", a.settings)):
        if values:
            lines += ["", f"[{table}]"] + [f"{_key(k)} = {_value(v)}" for k, v in values.items()]
    functions: dict[str, list[CheckSpec]] = {}
    for c in checks:
        functions.setdefault(c.function, []).append(c)
    for fname, specs in functions.items():
        lines += ["", f"[functions.{_key(fname)}]"] + [f"{_key(c.check)} = {_value(c.points)}" for c in specs]
        hidden = [c for c in specs if c.visibility != "visible"]
        if hidden:
            lines += ["", f"[functions.{_key(fname)}.visibility]"] + [f"{_key(c.check)} = {_value(c.visibility)}" for c in hidden]
    return "\n".join(lines) + "\n"


def _apply(a: Assignment, o: Overrides) -> tuple[tuple[CheckSpec, ...], dict]:
    checks = list(a.checks)
    index = {c.id: i for i, c in enumerate(checks)}
    for function, check, points in o.points:
        ident = f"{function}.{check}"
        if ident in index:
            checks[index[ident]] = replace(checks[index[ident]], points=points)
        else:  # a check the manifest did not pick: the loader says whether it exists
            index[ident] = len(checks)
            checks.append(CheckSpec(function, check, points))
    for function, check in o.hide:
        ident = f"{function}.{check}"
        if ident not in index:
            raise ExportError(f"--hide {ident}: {a.name} has no check {ident} (its checks: dlgrade list --checks)")
        checks[index[ident]] = replace(checks[index[ident]], visibility="hidden")
    # Keep manifest order: a function's checks together, where it first appeared.
    order = {f: i for i, f in enumerate(dict.fromkeys(c.function for c in checks))}
    checks.sort(key=lambda c: order[c.function])
    limits = dict(a.limits)
    if o.timeout is not None:
        limits["total_timeout"] = float(o.timeout)
    return tuple(checks), limits


def write_assignment(a: Assignment, o: Overrides, dest: Path) -> Assignment:
    """Copy ``a`` to ``dest`` (manifest.toml rewritten with ``o``, starter.py, guide.md, table.py)
    and return it as the loader reads it. Raises ExportError if the loader refuses it."""
    checks, limits = _apply(a, o)
    dest.mkdir(parents=True, exist_ok=True)
    note = f"Written by dlgrade {__version__} `dlgrade export` from {a.folder.name}/manifest.toml" + (
        " with overrides" if o else "") + "."
    (dest / "manifest.toml").write_text(manifest_text(a, checks, limits, note), encoding="utf-8")
    for src in (a.starter, a.guide, a.folder / "table.py"):  # table.py: the assignment's own formulas
        if src.is_file():
            shutil.copyfile(src, dest / src.name)
    try:
        return load(dest)
    except ManifestError as exc:
        raise ExportError(f"the overrides make an invalid manifest: {exc}") from None


def total_timeout(a: Assignment) -> float:
    from .grade import limits_for

    return limits_for(a).total_timeout


def _hidden_text(a: Assignment) -> str:
    hidden = [c for c in a.checks if c.visibility != "visible"]
    if not hidden:
        return "no hidden checks"
    return f"{len(hidden)} hidden check{'s' if len(hidden) > 1 else ''} worth {sum(c.points for c in hidden):g} points"


# ------------------------------------------------------------------ the source bundle

_PACKAGES = ("dlgrade", "dlgrade.reference", "dlgrade.checks", "dlgrade.checks.table",
             "dlgrade.assignments", "dlgrade.grader")

_PYPROJECT = """# Generated by `dlgrade export` from the installed dlgrade {version}.
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "dlgrade"
version = "{version}"
requires-python = ">=3.10"
dependencies = {dependencies}

[project.scripts]
dlgrade = "dlgrade.cli:main"

[tool.setuptools.packages.find]
include = ["dlgrade*"]
namespaces = false

[tool.setuptools.package-data]
"dlgrade.assignments" = ["*/*", "*/*/*", "*/*/*/*"]
"""


def source_bundle(dest: Path) -> Path:
    """Write the installed dlgrade as an installable source folder at ``dest``.

    The folder has the installed layout (dlgrade/, dlgrade/checks/, ...; the
    assignments' examples/ left out, as they hold the solutions) and a
    generated pyproject.toml with the installed version and dependencies, so
    ``pip install DEST`` works without a PyPI release. It is built from what
    Python imports, so it works for an editable install and a wheel alike.
    """
    # examples/ holds each assignment's solution: it stays off the grading machine.
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "examples")
    root = dest / "dlgrade"
    for name in _PACKAGES:
        folder = Path(importlib.import_module(name).__file__).parent
        target = root.joinpath(*name.split(".")[1:])
        if not target.exists():  # nested packages of a wheel are already there
            shutil.copytree(folder, target, ignore=ignore)
    try:
        requires = metadata.requires("dlgrade") or []
    except metadata.PackageNotFoundError:
        raise ExportError("dlgrade is not installed (pip install -e .), so its dependencies are unknown; "
                          "or pass --dlgrade-spec") from None
    deps = [r for r in requires if not re.search(r"\bextra\s*==", r)]
    (dest / "pyproject.toml").write_text(
        _PYPROJECT.format(version=__version__, dependencies=json.dumps(deps)), encoding="utf-8")
    return dest


# ------------------------------------------------------------------ Gradescope

_EXECUTABLE = ("setup.sh", "run_autograder")


def _zip_folder(folder: Path, output: Path) -> None:
    """A reproducible zip: sorted entries, fixed times, modes 644/755."""
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = path.relative_to(folder).as_posix()
            info = zipfile.ZipInfo(rel, date_time=(1980, 1, 1, 0, 0, 0))
            mode = 0o755 if rel in _EXECUTABLE or path.stat().st_mode & stat.S_IXUSR else 0o644
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    tmp.replace(output)


def export_gradescope(a: Assignment, output: Path, overrides: Overrides | None = None,
                      spec: str | None = None) -> Path:
    """Write Gradescope's autograder zip for ``a`` at ``output``.

    Root of the zip: setup.sh, run_autograder, assignment/ (the overridden
    copy) and, unless ``spec`` names a pip requirement, dlgrade-src/ (this
    dlgrade, installed by setup.sh). Entries are sorted with fixed times, so
    the same inputs give the same bytes.
    """
    with tempfile.TemporaryDirectory(prefix="dlgrade-export-") as tmp:
        stage = Path(tmp) / "zip"
        graded = write_assignment(a, overrides or Overrides(), stage / "assignment")
        if spec is None:
            source_bundle(stage / "dlgrade-src")
            pip_spec = '"$SOURCE/dlgrade-src"'
        else:
            pip_spec = shlex.quote(spec)
        limit = int(total_timeout(graded) + SLACK)
        files = {
            "setup.sh": T.GRADESCOPE_SETUP.substitute(name=graded.name, spec=pip_spec),
            "run_autograder": T.gradescope_run(name=graded.name, module=shlex.quote(graded.module), limit=limit),
        }
        for name, text in files.items():
            (stage / name).write_text(text, encoding="utf-8")
            (stage / name).chmod(0o755)
        _zip_folder(stage, Path(output))
    return Path(output)


# ------------------------------------------------------------------ PrairieLearn


def _guide_intro(a: Assignment) -> str:
    """The guide up to its first second-level heading, without the title line."""
    text = a.guide.read_text(encoding="utf-8") if a.guide.is_file() else ""
    intro = []
    for line in text.splitlines():
        if line.startswith("## "):
            break
        if not line.startswith("# "):
            intro.append(line)
    body = "\n".join(intro).strip() or a.title
    return body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _uuid_for(a: Assignment) -> str:
    # Stable across exports of the same assignment, so re-exporting updates
    # the question instead of creating a new one in PrairieLearn.
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://dlgrade/prairielearn/{a.name}"))


def _prepare_dir(directory: Path, names: list[str], force: bool) -> None:
    existing = [n for n in names if (directory / n).exists()]
    if existing and not force:
        raise ExportError(f"{directory}: {', '.join(existing)} already exist; use --force to overwrite")


def export_prairielearn(a: Assignment, directory: Path, overrides: Overrides | None = None,
                        image: str = "prairielearn/grader-python", spec: str = "dlgrade",
                        force: bool = False) -> list[Path]:
    """Write an externally graded PrairieLearn question for ``a`` into ``directory``.

    info.json, question.html, clientFilesQuestion/ (starter, guide),
    tests/run.sh (the entry point) with tests/assignment/ (the overridden
    copy), and a Dockerfile for a grading image with dlgrade installed.
    """
    directory = Path(directory)
    _prepare_dir(directory, ["info.json", "question.html", "Dockerfile", "clientFilesQuestion", "tests"], force)
    with tempfile.TemporaryDirectory(prefix="dlgrade-export-") as tmp:
        graded = write_assignment(a, overrides or Overrides(), Path(tmp) / "assignment")  # validates first
        limit = int(total_timeout(graded) + SLACK)
        info = {
            "uuid": _uuid_for(graded),
            "title": graded.title,
            "topic": graded.name,
            "tags": ["dlgrade", graded.name],
            "type": "v3",
            "singleVariant": True,
            "gradingMethod": "External",
            "externalGradingOptions": {
                "enabled": True,
                "image": image,
                "entrypoint": "/grade/tests/run.sh",
                "timeout": limit + 10,
            },
        }
        client = directory / "clientFilesQuestion"
        tests = directory / "tests"
        client.mkdir(parents=True, exist_ok=True)
        tests.mkdir(exist_ok=True)
        shutil.rmtree(tests / "assignment", ignore_errors=True)
        shutil.copytree(Path(tmp) / "assignment", tests / "assignment")
        written = [directory / "info.json", directory / "question.html", directory / "Dockerfile",
                   tests / "run.sh", client / f"{graded.module}.py", client / "GUIDE.md"]
        written[0].write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        written[1].write_text(T.PL_QUESTION.substitute(
            name=graded.name, module=graded.module, intro=_guide_intro(graded),
            total=f"{graded.max_score:g}", hidden=_hidden_text(graded)), encoding="utf-8")
        written[2].write_text(T.PL_DOCKERFILE.substitute(spec=shlex.quote(spec)), encoding="utf-8")
        written[3].write_text(T.pl_run(name=graded.name, module=graded.module, limit=limit,
                                       spec=shlex.quote(spec)), encoding="utf-8")
        written[3].chmod(0o755)
        shutil.copyfile(graded.starter, written[4])
        shutil.copyfile(graded.guide, written[5])
    return written + [directory / "tests" / "assignment" / "manifest.toml"]


# ------------------------------------------------------------------ the CLI


def _assignment(name: str) -> Assignment:
    try:
        return load(name)
    except ManifestError as exc:
        raise ExportError(str(exc)) from None


def _overrides(points, hide, timeout) -> Overrides:
    if timeout is not None and not math.isfinite(timeout):
        raise ExportError(f"--timeout {timeout}: give a number of seconds")
    return Overrides(tuple(parse_points(p) for p in points), tuple(parse_hide(h) for h in hide), timeout)


def _override_options(f):
    f = click.option("--timeout", type=float, default=None, help="Seconds for the whole submission (limits.total_timeout).")(f)
    f = click.option("--hide", multiple=True, metavar="FUNCTION.CHECK", help="Make a check hidden (repeatable).")(f)
    f = click.option("--points", multiple=True, metavar="FUNCTION.CHECK=N", help="Set a check's points (repeatable).")(f)
    return f


@click.group("export")
def export() -> None:
    """Package an assignment for Gradescope, GitHub Classroom or PrairieLearn.

    Every target takes --points, --hide and --timeout, applied to a copy of the
    assignment's manifest and validated like a manifest (exit 2 if refused).
    """


@export.command("gradescope")
@click.argument("assignment")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default="autograder.zip", show_default=True)
@_override_options
@click.option("--dlgrade-spec", "spec", default=None,
              help="What setup.sh pip-installs (e.g. 'dlgrade==0.1.0'); default: this dlgrade, bundled in the zip.")
def gradescope_cmd(assignment, output, points, hide, timeout, spec) -> None:
    """Write Gradescope's autograder zip (upload it as the assignment's autograder)."""
    path = export_gradescope(_assignment(assignment), Path(output), _overrides(points, hide, timeout), spec)
    click.echo(f"wrote {path}: upload it in Gradescope (Configure Autograder, Ubuntu 22.04 or newer)")


@export.command("github-classroom")
@click.argument("assignment")
@click.argument("directory", type=click.Path(file_okay=False))
@_override_options
@click.option("--dlgrade-spec", "spec", default="dlgrade", show_default=True, help="What the workflow pip-installs.")
@click.option("--python", "python_version", default="3.11", show_default=True, help="The Python version CI uses.")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
def github_classroom_cmd(assignment, directory, points, hide, timeout, spec, python_version, force) -> None:
    """Write the starter repository for a GitHub Classroom assignment into DIRECTORY."""
    from .export_classroom import export_github_classroom

    for path in export_github_classroom(_assignment(assignment), Path(directory), _overrides(points, hide, timeout),
                                        spec=spec, python_version=python_version, force=force):
        click.echo(f"wrote {path}")


@export.command("prairielearn")
@click.argument("assignment")
@click.argument("directory", type=click.Path(file_okay=False))
@_override_options
@click.option("--image", default="prairielearn/grader-python", show_default=True,
              help="The grading image (build one with dlgrade from the Dockerfile written beside info.json).")
@click.option("--dlgrade-spec", "spec", default="dlgrade", show_default=True, help="What the Dockerfile pip-installs.")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
def prairielearn_cmd(assignment, directory, points, hide, timeout, image, spec, force) -> None:
    """Write an externally graded PrairieLearn question into DIRECTORY."""
    for path in export_prairielearn(_assignment(assignment), Path(directory), _overrides(points, hide, timeout),
                                    image=image, spec=spec, force=force):
        click.echo(f"wrote {path}")

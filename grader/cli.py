"""The `dlgrade` command line: a thin click layer over typed functions.

Exit codes (documented in the README):
  0  graded, and the score is at least --min-score (default: full marks);
     for other commands, success;
  1  graded, below --min-score; `verify` found a disagreement;
  2  bad usage or input: unknown assignment, unreadable submission,
     invalid manifest, a missing sandbox tool.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from dlgrade import __version__

EXIT_OK, EXIT_BELOW, EXIT_USAGE = 0, 1, 2


class InputError(click.ClickException):
    exit_code = EXIT_USAGE

    def format_message(self) -> str:
        return self.message


def _load_assignment(name: str):
    from dlgrade.assignments.manifest import ManifestError, load

    try:
        return load(name)
    except ManifestError as exc:
        raise InputError(str(exc)) from None


def _write(text: str, output: str | None) -> None:
    if output:
        path = Path(output)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            raise InputError(f"cannot write {output}: {exc.strerror}") from None
    else:
        click.echo(text, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dlgrade")
def main() -> None:
    """Grade student implementations of deep-learning fundamentals.

    Students: `dlgrade init activations mywork/`, fill in the functions, then
    `dlgrade check activations mywork/activations.py`.
    Instructors: `dlgrade batch`, `dlgrade export`. Everyone: `dlgrade demo`.
    """


@main.command("list")
@click.option("--checks", is_flag=True, help="Also list each function's checks and points.")
def list_cmd(checks: bool) -> None:
    """List the assignments and their functions."""
    from dlgrade.assignments.manifest import available

    for name in available():
        a = _load_assignment(name)
        click.echo(click.style(f"{name}", bold=True) + f"  {a.title}  ({len(a.functions)} functions, {a.max_score:g} points)")
        for f in a.functions:
            if checks:
                parts = ", ".join(f"{c.check} {c.points:g}" + ("" if c.visibility == "visible" else f" [{c.visibility}]") for c in a.checks_of(f))
                click.echo(f"    {f:<34} {parts}")
            else:
                click.echo(f"    {f}")


@main.command()
@click.argument("assignment")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
def init(assignment: str, directory: str, force: bool) -> None:
    """Write the starter files of ASSIGNMENT into DIRECTORY."""
    a = _load_assignment(assignment)
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    files = {a.starter: target / f"{a.module}.py", a.guide: target / "GUIDE.md"}
    from .pytest_files import PYTEST_FILES, write_pytest_files

    # Refuse before writing anything, so a refusal never leaves half a folder.
    clash = [p for p in [*files.values(), *(target / n for n in PYTEST_FILES)] if p.exists()]
    if clash and not force:
        raise InputError(f"{clash[0]} already exists; use --force to overwrite it")
    for src, dst in files.items():
        shutil.copyfile(src, dst)
        click.echo(f"wrote {dst}")
    for dst in write_pytest_files(a, target, force=force):
        click.echo(f"wrote {dst}")
    click.echo(f"\nNext: fill in {target / (a.module + '.py')}, then run\n  dlgrade check {a.name} {target / (a.module + '.py')}\n(or `pytest` inside {target})")


FORMAT_CHOICES = ["text", "json", "gradescope", "junit", "prairielearn", "html"]


@main.command()
@click.argument("assignment")
@click.argument("submission", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="text", show_default=True, help="Report format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report here instead of standard output.")
@click.option("--min-score", type=float, default=None, help="Exit 1 below this many points (default: full marks).")
@click.option("--timeout", type=float, default=None, help="Seconds for the whole submission (default: the assignment's).")
@click.option("--sandbox", type=click.Choice(["rlimits", "bwrap"]), default="rlimits", show_default=True,
              help="rlimits: a child process under resource limits; bwrap: also no network and a read-only filesystem (needs bubblewrap).")
@click.option("--verbose", "-v", is_flag=True, help="Show reproduction snippets and every detail.")
@click.option("--watch", is_flag=True, help="Grade again whenever the submission changes (Ctrl-C to stop).")
def check(assignment, submission, fmt, output, min_score, timeout, sandbox, verbose, watch) -> None:
    """Grade SUBMISSION (a .py file, a folder or a notebook) against ASSIGNMENT."""
    a = _load_assignment(assignment)
    if not Path(submission).exists():
        raise InputError(f"no such file or folder: {submission}")
    if watch:
        from .watch import watch_loop

        watch_loop(lambda: _check_once(a, submission, fmt, output, min_score, timeout, sandbox, verbose), submission)
        return
    sys.exit(_check_once(a, submission, fmt, output, min_score, timeout, sandbox, verbose))


def _check_once(a, submission, fmt, output, min_score, timeout, sandbox, verbose) -> int:
    from .grade import grade_submission
    from .reports import render
    from .sandbox import SandboxError

    try:
        result = grade_submission(a, submission, sandbox=sandbox, timeout=timeout).to_json()
    except SandboxError as exc:
        raise InputError(str(exc)) from None
    if fmt == "text":
        text = render(result, "text", color=output is None and sys.stdout.isatty(), verbose=verbose)
    elif fmt == "json":
        text = render(result, "json")
    elif fmt == "html":
        from .report_html import render_html

        text = render_html(result)
    else:
        text = render(result, fmt)
    _write(text, output)
    if output and fmt != "text":
        click.echo(f"{result['score']:g} / {result['max_score']:g} points; report written to {output}", err=True)
    threshold = result["max_score"] if min_score is None else min_score
    return EXIT_OK if result["score"] >= threshold - 1e-9 else EXIT_BELOW


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--topic", multiple=True, help="Only these topics (repeatable).")
@click.option("--no-torch", is_flag=True, help="Skip the PyTorch cross-check even if torch is installed.")
def verify(as_json: bool, topic: tuple[str, ...], no_torch: bool) -> None:
    """Prove the reference oracles right: SymPy and PyTorch agree with every formula."""
    from .verify_cmd import run_verify

    sys.exit(run_verify(as_json=as_json, topics=topic or None, with_torch=False if no_torch else None))


@main.command()
@click.argument("assignment", required=False)
@click.option("--verbose", "-v", is_flag=True, help="Show every failure of every buggy example.")
def demo(assignment: str | None, verbose: bool) -> None:
    """Grade the bundled examples and show what a student would see."""
    from .demo import run_demo

    sys.exit(run_demo(assignment, verbose=verbose))


def _register_optional() -> None:
    # Commands that live in their own modules; absent ones are simply not offered.
    import importlib

    for module, name in (("batch_cli", "batch"), ("export", "export")):
        try:
            mod = importlib.import_module(f"dlgrade.grader.{module}")
        except ModuleNotFoundError as exc:
            if exc.name == f"dlgrade.grader.{module}":
                continue
            raise
        main.add_command(getattr(mod, name))


_register_optional()

"""`dlgrade batch`: a thin click layer over dlgrade.grader.batch.run_batch.

Exit codes: 0 every student graded (whatever their scores); 1 some results
have status "error" (a dlgrade failure, recorded with its reason: run again
to retry them); 2 bad usage or input; 130 interrupted (results so far are
kept: run again to continue).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

FORMATS = ("gradescope", "junit", "prairielearn", "html")


class BatchUsageError(click.ClickException):
    # Not cli.InputError: cli imports this module while it is being imported.
    exit_code = 2

    def format_message(self) -> str:
        return self.message


@click.command("batch")
@click.argument("assignment")
@click.argument("submissions", type=click.Path())
@click.option("--out", "-o", "out", required=True, type=click.Path(file_okay=False),
              help="Output folder: results/, feedback/, gradebook.csv, summary.html, ...")
@click.option("--jobs", "-j", type=int, default=None, help="Grading processes, or local Dask workers (default: all cores; ignored with --scheduler).")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: processes on this machine; dask: a dask.distributed cluster.")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Dask scheduler, e.g. tcp://HOST:8786 (default with --executor dask: a local cluster of --jobs workers).")
@click.option("--resume/--no-resume", default=True, show_default=True,
              help="Keep stored results whose submission, dlgrade version and assignment are unchanged.")
@click.option("--format", "formats", type=click.Choice(FORMATS), multiple=True,
              help="Also write feedback/<student>.<format>.* (repeatable), e.g. gradescope.")
@click.option("--timeout", type=float, default=None, help="Seconds per submission (default: the assignment's total_timeout).")
@click.option("--sandbox", type=click.Choice(["rlimits", "bwrap"]), default="rlimits", show_default=True,
              help="rlimits: a child process under resource limits; bwrap: also no network and a read-only filesystem.")
@click.option("--layout", type=click.Choice(["auto", "folder", "gradescope", "classroom"]), default="auto", show_default=True,
              help="How SUBMISSIONS is organised (auto: detect it).")
def batch(assignment, submissions, out, jobs, executor, scheduler, resume, formats, timeout, sandbox, layout) -> None:
    """Grade a whole class: every submission in SUBMISSIONS against ASSIGNMENT.

    \b
    SUBMISSIONS is one of (detected automatically; the detected one is shown):
      folder      one .py file, .ipynb notebook or folder per student; the
                  student id is the name without its extension;
      gradescope  a Gradescope export (the "Download submissions" zip,
                  extracted): submission_<id>/ folders and
                  submission_metadata.yml (names and emails);
      classroom   a GitHub Classroom export: <assignment>-<username>/
                  repositories; the student's file (e.g. activations.py or
                  activations.ipynb) is found anywhere inside.

    \b
    Written to --out: results/<student>.json (as each finishes), feedback/<student>.txt,
    gradebook.csv, mistakes.csv, summary.json, summary.html, hist.png, checks.png.
    A run that is killed loses nothing: run the same command again, and only
    missing or changed submissions are graded.

    
    Exit codes: 0 all graded; 1 some results are grading errors (run again
    to retry them); 2 bad usage or input; 130 interrupted.

    \b
    Examples:
      dlgrade batch activations submissions/ --out graded/
      dlgrade batch activations export/ --out graded/ --format gradescope
      dlgrade batch activations subs/ --out graded/ --executor dask --scheduler tcp://HOST:8786
    """
    from dlgrade.assignments.manifest import ManifestError, load

    from .batch import BatchError, BatchOptions, run_batch

    try:
        a = load(assignment)
    except ManifestError as exc:
        raise BatchUsageError(str(exc)) from None
    if not Path(submissions).exists():
        raise BatchUsageError(f"no such folder: {submissions}")
    if jobs is not None and jobs < 1:
        raise BatchUsageError(f"--jobs must be at least 1, got {jobs}")
    if scheduler and executor != "dask":
        raise BatchUsageError("--scheduler needs --executor dask")
    if timeout is not None and timeout <= 0:
        raise BatchUsageError(f"--timeout must be positive, got {timeout:g}")
    options = BatchOptions(jobs=jobs, executor=executor, scheduler=scheduler, resume=resume, formats=tuple(formats),
                           timeout=timeout, sandbox=sandbox, layout=layout, progress=sys.stderr)
    try:
        summary = run_batch(a, Path(submissions), Path(out), options)
    except BatchError as exc:
        raise BatchUsageError(str(exc)) from None
    except KeyboardInterrupt:
        click.echo(f"\ninterrupted: the results written so far are kept in {out}; run the same command to continue", err=True)
        sys.exit(130)
    click.echo(f"dlgrade batch: {summary.line()}")
    sys.exit(1 if summary.errors else 0)

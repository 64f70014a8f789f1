"""`dlgrade demo`: grade the bundled examples and show what a student sees.

Each assignment ships a correct solution written as a student would write
it and several submissions with typical mistakes. The demo grades them in
the sandbox, exactly as `dlgrade check` would, and prints the feedback of one
buggy submission in full, then a line per example of every assignment.
"""

from __future__ import annotations

import sys

import click

from dlgrade.assignments.manifest import available, load

from .grade import grade_submission
from .reports import render_text


def _examples(a):
    files = sorted(a.examples.glob("*.py"))
    correct = [f for f in files if f.stem == "correct"]
    return correct + [f for f in files if f.stem != "correct"]


def run_demo(assignment: str | None = None, verbose: bool = False) -> int:
    names = [assignment] if assignment else available()
    color = sys.stdout.isatty()
    shown_full = False
    problems = 0
    for name in names:
        a = load(name)
        examples = _examples(a)
        if not examples:
            continue
        click.echo(click.style(f"== {a.title} ({a.name}) ==", bold=True))
        for path in examples:
            result = grade_submission(a, path).to_json()
            mark = f"{result['score']:g} / {result['max_score']:g}"
            click.echo(f"  {path.name:<40} {mark:>9}   ({result['seconds']:.1f} s)")
            if path.stem == "correct" and result["score"] < result["max_score"]:
                problems += 1
                click.echo(click.style("  the correct example lost points; this is a bug in dlgrade", fg="red"))
            if path.stem != "correct" and (verbose or not shown_full):
                shown_full = True
                click.echo(click.style(f"\n  What a student who submitted {path.name} sees:\n", fg="cyan"))
                text = render_text(result, color=color)
                click.echo("\n".join("    " + line for line in text.splitlines()) + "\n")
        click.echo("")
    click.echo("Grade your own work: dlgrade init activations mywork/ ; dlgrade check activations mywork/activations.py")
    return 1 if problems else 0

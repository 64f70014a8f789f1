"""The files `dlgrade init` writes so that plain `pytest` grades a student's folder.

``write_pytest_files(assignment, target, force) -> list[Path]`` writes

conftest.py    ``pytest_plugins = ["dlgrade.grader.pytest_plugin"]``: loads
               the plugin for this folder only (pytest reads a conftest.py
               only in and under its own folder);
dlgrade.toml   the assignment and the submission file, which is how the
               plugin knows it is in a dlgrade folder (without it the plugin
               does nothing).

Guaranteed: nothing is written when either file exists and ``force`` is
false (ExistingFiles, a click error with exit code 2, names them all);
returns the paths written, in that order.
"""

from __future__ import annotations

from pathlib import Path

import click

from dlgrade.assignments.manifest import BUNDLED, Assignment

__all__ = ["write_pytest_files", "ExistingFiles", "CONFIG_NAME"]

CONFIG_NAME = "dlgrade.toml"
PYTEST_FILES = ("conftest.py", CONFIG_NAME)

CONFTEST = '''"""Lets `pytest` in this folder grade your work with dlgrade (written by `dlgrade init`).

Each check becomes one test, named like `sigmoid::value [2 pt]`; a failing
test shows the same feedback as `dlgrade check`. Settings: dlgrade.toml.
"""

pytest_plugins = ["dlgrade.grader.pytest_plugin"]
'''


class ExistingFiles(click.ClickException):
    """Files are in the way and --force was not given (exit code 2, as bad input)."""

    exit_code = 2


def _assignment_ref(assignment: Assignment) -> str:
    """The name of a bundled assignment, else the absolute path of its folder."""
    folder = assignment.folder.resolve()
    if folder.parent == BUNDLED:
        return assignment.name
    return str(folder)


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def config_text(assignment: Assignment) -> str:
    return (
        "# dlgrade: `pytest` in this folder grades the submission below (written by `dlgrade init`).\n"
        f"assignment = {_toml_string(_assignment_ref(assignment))}\n"
        f"submission = {_toml_string(assignment.module + '.py')}\n"
        "# Optional: sandbox = \"bwrap\" (no network, read-only filesystem; needs bubblewrap),\n"
        "#           timeout = 120.0 (seconds for the whole submission).\n"
    )


def write_pytest_files(assignment: Assignment, target: Path, force: bool = False) -> list[Path]:
    target = Path(target)
    files = {target / "conftest.py": CONFTEST, target / CONFIG_NAME: config_text(assignment)}
    existing = [p for p in files if p.exists()]
    if existing and not force:
        names = ", ".join(str(p) for p in existing)
        raise ExistingFiles(f"{names} already exist{'s' if len(existing) == 1 else ''}; use --force to overwrite")
    target.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)

"""docs/instructors.md stays true: its walkthroughs are run as written.

- "Write a new assignment": the files marked ``<!-- file: PATH -->`` are
  written to a temporary folder and graded with the public command line
  (``dlgrade check FOLDER FILE``): the solution gets full marks, the starter
  nothing; the folder also exports.
- "Add a formula": the blocks marked ``<!-- test: reference -->`` and
  ``<!-- test: entry -->`` are executed, and the entries they declare are run
  through the check engine: a correct implementation passes every check,
  the documented mistakes are caught and named.
- Every `dlgrade ...` command the guide shows exists.
"""

import json
import re
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from dlgrade.checks.engine import Settings, run_check
from dlgrade.checks.student import InProcessStudent

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "instructors.md"
TEXT = GUIDE.read_text(encoding="utf-8")
_BLOCK = re.compile(r"<!-- (file|test): (\S+) -->\n```\w*\n(.*?)```", re.S)


def _blocks(kind: str) -> dict[str, str]:
    return {name: body for k, name, body in _BLOCK.findall(TEXT) if k == kind}


def _dlgrade(*args, cwd=None):
    exe = Path(sys.executable).parent / "dlgrade"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "dlgrade"]
    return subprocess.run(cmd + [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def quiz(tmp_path_factory):
    root = tmp_path_factory.mktemp("guide")
    files = _blocks("file")
    assert set(files) == {"quiz/manifest.toml", "quiz/starter.py", "quiz/guide.md", "quiz/examples/correct.py"}
    for rel, body in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(body, encoding="utf-8")
    return root / "quiz"


def test_new_assignment_solution_gets_full_marks(quiz):
    proc = _dlgrade("check", quiz, quiz / "examples" / "correct.py", "--format", "json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(proc.stdout)
    assert result["assignment"] == "quiz" and result["score"] == result["max_score"] == 12
    assert [f["name"] for f in result["functions"]] == ["relu", "relu_grad", "softmax"]
    hidden = [c["id"] for f in result["functions"] for c in f["checks"] if c["visibility"] == "hidden"]
    assert hidden == ["softmax.shift_invariant"]


def test_new_assignment_starter_gets_nothing(quiz):
    proc = _dlgrade("check", quiz, quiz / "starter.py", "--format", "json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["score"] == 0


def test_new_assignment_inits_and_exports(quiz, tmp_path):
    assert _dlgrade("init", quiz, tmp_path / "student").returncode == 0
    assert (tmp_path / "student" / "quiz.py").read_text() == (quiz / "starter.py").read_text()
    proc = _dlgrade("export", "github-classroom", quiz, tmp_path / "repo")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "repo" / "dlgrade-assignment" / "manifest.toml").is_file()


# ------------------------------------------------------------------ the new formula


@pytest.fixture(scope="module")
def entries():
    blocks = _blocks("test")
    reference: dict = {}
    exec(compile(blocks["reference"], f"{GUIDE}:reference", "exec"), reference)
    namespace = {"A": types.SimpleNamespace(**reference)}
    exec(compile(blocks["entry"], f"{GUIDE}:entry", "exec"), namespace)
    return {e.name: e for e in namespace["ENTRIES"]}


def _hard_sigmoid(z):
    return np.clip(np.asarray(z, float) / 6 + 0.5, 0.0, 1.0)


def _correct():
    return InProcessStudent.from_functions(
        hard_sigmoid=_hard_sigmoid,
        hard_sigmoid_grad=lambda z: np.where(np.abs(np.asarray(z, float)) < 3, 1 / 6, 0.0),
    )


def test_entries_offer_the_documented_checks(entries):
    assert entries["hard_sigmoid"].checks() == ("value", "stability", "kink", "symmetric")
    assert entries["hard_sigmoid_grad"].checks() == ("value", "stability", "kink", "gradcheck")


def test_a_correct_implementation_passes_every_check(entries):
    student = _correct()
    for e in entries.values():
        for check in e.checks():
            out = run_check(e, check, student, Settings())
            assert out.status == "passed", (e.name, check, out.summary)


def test_documented_mistakes_are_caught_and_named(entries):
    keras = InProcessStudent.from_functions(hard_sigmoid=lambda z: np.clip(0.2 * np.asarray(z, float) + 0.5, 0.0, 1.0))
    out = run_check(entries["hard_sigmoid"], "value", keras, Settings())
    assert out.status == "failed" and out.mistake == "hard_sigmoid: slope 0.2"
    closed = InProcessStudent.from_functions(
        hard_sigmoid=_hard_sigmoid,
        hard_sigmoid_grad=lambda z: np.where(np.abs(np.asarray(z, float)) <= 3, 1 / 6, 0.0))
    out = run_check(entries["hard_sigmoid_grad"], "kink", closed, Settings())
    assert out.status == "failed" and out.mistake == "hard_sigmoid_grad: 1/6 at the corners"
    assert run_check(entries["hard_sigmoid_grad"], "value", closed, Settings()).status == "passed"


# ------------------------------------------------------------------ the commands shown


def _commands() -> set[tuple[str, ...]]:
    found = set()
    for line in re.findall(r"^\$ dlgrade ([a-z-]+(?: [a-z-]+)?)", TEXT, re.M):
        words = line.split()
        found.add(tuple(words[:2]) if words[0] == "export" else (words[0],))
    return found


@pytest.mark.parametrize("command", sorted(_commands()))
def test_commands_in_the_guide_exist(command):
    proc = _dlgrade(*command, "--help")
    assert proc.returncode == 0, proc.stderr

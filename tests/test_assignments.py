"""Every bundled assignment, data-driven from its folder:

- the manifest loads and every check it names exists in the table;
- examples/correct.py gets full marks;
- the untouched starter gets 0 for every function, without a crash;
- each examples/buggy_*.py loses points on exactly the functions listed in
  examples/expected.toml, each with the expected words in its feedback.

These run in-process for speed; tests/test_grade_sandbox.py runs the same
examples through the sandbox.
"""

import runpy
import sys

import pytest

from dlgrade.assignments.manifest import available, load
from dlgrade.checks.student import InProcessStudent
from dlgrade.grader.grade import grade_submission

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ASSIGNMENTS = available()


def _grade(a, path):
    student = InProcessStudent(runpy.run_path(str(path)))
    return grade_submission(a, path, student=student).to_json()


def _lost(result):
    return {f["name"] for f in result["functions"] if f["score"] < f["max_score"]}


def _buggy_cases():
    cases = []
    for name in ASSIGNMENTS:
        a = load(name)
        spec = a.examples / "expected.toml"
        expected = tomllib.loads(spec.read_text()) if spec.exists() else {}
        for path in sorted(a.examples.glob("buggy_*.py")):
            cases.append((name, path.name, expected.get(path.stem)))
    return cases


def test_all_six_assignments_are_bundled():
    assert ASSIGNMENTS == ["activations", "losses", "initializers", "optimizers", "convolution", "backprop"]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_assignment_folder_is_complete(name):
    a = load(name)
    assert a.starter.is_file() and a.guide.is_file() and (a.examples / "correct.py").is_file()
    assert len(list(a.examples.glob("buggy_*.py"))) >= 3, "at least three buggy examples"
    assert a.max_score > 0
    starter = a.starter.read_text()
    for f in a.functions:
        assert f"def {f}(" in starter, f"starter lacks {f}"
        assert f in a.guide.read_text(), f"guide does not mention {f}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_correct_example_gets_full_marks(name):
    a = load(name)
    result = _grade(a, a.examples / "correct.py")
    bad = [(c["id"], c["summary"], c["detail"][:400]) for f in result["functions"] for c in f["checks"] if c["status"] != "passed"]
    assert not bad and result["score"] == result["max_score"], bad


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_starter_gets_zero_without_crashing(name):
    a = load(name)
    result = _grade(a, a.starter)
    assert result["score"] == 0
    for f in result["functions"]:
        for c in f["checks"]:
            assert c["status"] == "error" and "not implemented" in c["summary"], (c["id"], c["summary"])


@pytest.mark.parametrize("name,filename,expected", _buggy_cases())
def test_buggy_example_loses_points_exactly_where_expected(name, filename, expected):
    assert expected is not None, f"examples/expected.toml has no [{filename[:-3]}] table"
    a = load(name)
    result = _grade(a, a.examples / filename)
    want = set(expected["fails"])
    assert _lost(result) == want, f"lost points on {sorted(_lost(result))}, expected {sorted(want)}"
    for fname, words in expected["fails"].items():
        f = next(f for f in result["functions"] if f["name"] == fname)
        text = " ".join(f"{c['summary']} {c['hint']} {c['mistake'] or ''} {c['detail']}" for c in f["checks"] if c["status"] != "passed")
        assert words.lower() in text.lower(), f"{fname}: expected {words!r} in the feedback:\n{text[:1500]}"

"""Hostile submissions through the whole grading pipeline: the score is the honest one.

tests/test_hostile.py drives the sandbox directly; here each module of
tests/hostile/ is graded by grade_submission, exactly as `dlgrade check`
does, against a two-function assignment (relu and sigmoid, one value check
each) under tight limits. For each module:

- a function earns its point exactly when its honest outcome is "ok";
  nothing the code does (forged output, monkeypatching, exits, lying return
  values) earns a point it would not earn honestly;
- grading finishes within the total time budget plus a margin;
- no process of the sandbox outlives grading;
- the report says in one line what happened (a non-empty summary per failure).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from dlgrade.assignments.manifest import load
from dlgrade.grader.grade import grade_submission
from dlgrade.grader.sandbox import UID_BASE, _processes
from tests.test_hostile import MODULES, ROOT, parse_spec

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux /proc")

TOTAL = 20.0

MANIFEST = """schema_version = 1
name = "hostile"
title = "relu and sigmoid, under tight limits"
module = "{module}"
forbidden_imports = {forbid}

[limits]
call_timeout = 1.5
import_timeout = 3.0
total_timeout = {total}
memory_mb = 512
processes = 24

[functions.relu]
value = 1

[functions.sigmoid]
value = 1
"""


def _assignment(tmp: Path, module: str, forbid) -> Path:
    folder = tmp / "assignment"
    folder.mkdir()
    forbid_list = "[" + ", ".join(f'"{f}"' for f in forbid) + "]"
    (folder / "manifest.toml").write_text(MANIFEST.format(module=module, forbid=forbid_list, total=TOTAL))
    return folder


def _leftovers() -> list:
    return [p for p in _processes() if p.get("uid", 0) >= UID_BASE and p.get("uid", 0) < UID_BASE + 1000]


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_hostile_submission_gets_exactly_the_honest_score(path, tmp_path):
    spec = parse_spec(path)
    if spec["root"] and not ROOT:
        pytest.skip("needs the uid drop (run as root)")
    if "import" in spec["expect"]:
        honest = {"relu": False, "sigmoid": False}
    else:
        honest = {f: spec["expect"].get(f, ({"missing"}, None))[0] == {"ok"} for f in ("relu", "sigmoid")}
    a = load(_assignment(tmp_path, path.stem, spec["forbid"]))
    t0 = time.monotonic()
    result = grade_submission(a, path).to_json()
    elapsed = time.monotonic() - t0
    got = {f["name"]: f["score"] == f["max_score"] for f in result["functions"]}
    assert got == honest, f"{path.name}: earned {got}, honest evaluation gives {honest}\n" + "\n".join(
        f"{c['id']}: {c['status']} {c['summary']}" for f in result["functions"] for c in f["checks"])
    for f in result["functions"]:
        for c in f["checks"]:
            if c["status"] != "passed":
                assert c["summary"].strip() and "\n" not in c["summary"], c
    assert elapsed < TOTAL + 10, f"grading took {elapsed:.1f} s"
    if ROOT:
        assert not _leftovers(), f"processes outlived grading: {_leftovers()}"


def test_grader_memory_stays_bounded_under_a_memory_bomb(tmp_path):
    import resource

    bomb = next(p for p in MODULES if p.stem == "memory_bomb")
    a = load(_assignment(tmp_path, "memory_bomb", ()))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    grade_submission(a, bomb)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert (after - before) < 300_000, f"the grader's peak RSS grew by {(after - before) / 1024:.0f} MB"

"""`dlgrade batch`: layouts, honest and isolated grades, resumable results, class outputs, Dask.

Everything runs against tests/fixtures/tiny_activations (relu and sigmoid,
call_timeout 2 s), so a whole class grades in seconds. The class below has
a correct file, a buggy file with named mistakes, a syntax error, a hostile
file (relu loops forever), a notebook and a folder.
"""

from __future__ import annotations

import csv
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from dlgrade.assignments.manifest import load
from dlgrade.grader.batch import (BatchError, BatchOptions, GradingProcess, Payload, discover, parse_gradescope_metadata,
                                  read_payload, run_batch, run_task)
from dlgrade.grader.cli import main
from dlgrade.grader.grade import grade_submission

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox tests need Linux")

TESTS = Path(__file__).parent
TINY = TESTS / "fixtures" / "tiny_activations"
CORRECT = (TESTS.parent / "assignments" / "activations" / "examples" / "correct.py").read_text()
BUGGY = """import numpy as np

def relu(z):
    return (z > 0).astype(float)        # the mask, not the values

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(z))      # the sign of the exponent
"""
NOTEBOOK = {
    "nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
    "cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# relu and sigmoid"]},
              {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
               "source": ["import numpy as np\n", "%matplotlib inline\n",
                          "def relu(z):\n", "    return np.maximum(z, 0.0)\n",
                          "def sigmoid(z):\n", "    return np.exp(-np.logaddexp(0.0, -z))\n"]}],
}


def make_class(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "alice.py").write_text(CORRECT)
    (folder / "bob.py").write_text(BUGGY)
    (folder / "carol.py").write_text("def relu(z)\n    return z\n")
    (folder / "dave.py").write_text((TESTS / "hostile" / "loop_call.py").read_text())
    (folder / "erin.ipynb").write_text(json.dumps(NOTEBOOK))
    (folder / "frank").mkdir()
    (folder / "frank" / "activations.py").write_text(BUGGY.replace("np.exp(z)", "np.exp(-z)"))
    (folder / "notes.md").write_text("not a submission\n")
    return folder


STUDENTS = ["alice", "bob", "carol", "dave", "erin", "frank"]


def cli(*args: str):
    return CliRunner().invoke(main, ["batch", *args])


def results_of(out: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted((out / "results").glob("*.json"))}


def statuses(result: dict) -> dict[str, str]:
    return {c["id"]: c["status"] for f in result["functions"] for c in f["checks"]}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    subs = make_class(root / "subs")
    res = cli(str(TINY), str(subs), "--out", str(root / "out"), "--jobs", "2", "--format", "gradescope")
    assert res.exit_code == 0, res.output
    return subs, root / "out", res.output


# ------------------------------------------------------------------ one class, graded once


def test_every_student_has_one_honest_result(graded):
    subs, out, output = graded
    results = results_of(out)
    assert sorted(results) == STUDENTS
    assert "layout: a folder of submissions (folder)" in output and "ignored 1 entries" in output
    assert re.search(r"graded 6, errors 0, mean score [\d.]+ / 6 ", output)
    full = {s: r["score"] == r["max_score"] for s, r in results.items()}
    assert full == {"alice": True, "bob": False, "carol": False, "dave": False, "erin": True, "frank": False}
    assert results["carol"]["score"] == 0 and any("could not be imported" in n for n in results["carol"]["notes"])
    dave = {f["name"]: f["score"] for f in results["dave"]["functions"]}
    assert dave == {"relu": 0.0, "sigmoid": 3.0}  # the infinite loop costs relu only
    bob = {c["mistake"] for f in results["bob"]["functions"] for c in f["checks"] if c["mistake"]}
    assert bob == {"relu: returned the mask", "sigmoid: sign of the exponent"}
    for s, r in results.items():
        key = r["batch"]["key"]
        assert r["student"] == s and r["status"] == "graded"
        assert set(key) == {"student", "content_sha256", "dlgrade", "manifest_sha256", "timeout", "sandbox"}
        assert r["submission"].startswith(str(subs))
    assert results["frank"]["batch"]["key"]["content_sha256"] == read_payload(subs / "frank").sha256()


def test_batch_grades_equal_grading_alone(graded):
    """Neighbours (the hostile one included) change nothing: each grade equals a solo grade."""
    subs, out, _ = graded
    a = load(TINY)
    for student, result in results_of(out).items():
        path = next(p for p in subs.iterdir() if p.stem == student)
        alone = grade_submission(a, path).to_json()
        assert (result["score"], statuses(result)) == (alone["score"], statuses(alone)), student


def test_gradebook_and_mistakes_csv(graded):
    _, out, _ = graded
    with open(out / "gradebook.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["student", "total", "max", "percent", "relu", "sigmoid", "mistakes"]
    assert [r["student"] for r in rows] == STUDENTS
    results = results_of(out)
    for row in rows:
        r = results[row["student"]]
        assert float(row["total"]) == r["score"] and float(row["max"]) == 6
        assert float(row["relu"]) + float(row["sigmoid"]) == r["score"]
    assert rows[1]["mistakes"] == "relu: returned the mask; sigmoid: sign of the exponent"
    with open(out / "mistakes.csv", newline="") as fh:
        mistakes = list(csv.DictReader(fh))
    assert list(mistakes[0]) == ["function", "mistake", "count", "share"]
    by = {(m["function"], m["mistake"]): int(m["count"]) for m in mistakes}
    assert by[("relu", "returned the mask")] == 2  # bob and frank
    assert by[("sigmoid", "sign of the exponent")] == 1


def test_summary_json_html_and_plots(graded):
    _, out, _ = graded
    summary = json.loads((out / "summary.json").read_text())
    assert summary["students"] == 6 and summary["errors"] == 0 and sum(summary["histogram"]["counts"]) == 6
    rates = {c["id"]: c["failure_rate"] for c in summary["checks"]}
    assert list(rates) == ["relu.value", "relu.kink", "sigmoid.value", "sigmoid.stability"]
    assert rates["relu.value"] == round(4 / 6, 4)  # bob, carol, dave, frank
    html = (out / "summary.html").read_text()
    assert "relu: returned the mask — 2 of 6" in html
    assert html.count("data:image/png;base64,") == 2
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", html, re.I)
    for png in ("hist.png", "checks.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_feedback_files(graded):
    _, out, _ = graded
    for s in STUDENTS:
        text = (out / "feedback" / f"{s}.txt").read_text()
        assert "\x1b[" not in text and text.rstrip().splitlines()[-1].startswith("score:")
        gs = json.loads((out / "feedback" / f"{s}.gradescope.json").read_text())
        assert {"score", "tests"} <= set(gs)


# ------------------------------------------------------------------ no lost work


def test_kill_and_resume_loses_nothing_and_grades_nothing_twice(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for i in range(10):
        (subs / f"s{i:02d}.py").write_text((CORRECT if i % 2 else BUGGY) + f"\n# student {i}\n")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "dlgrade", "batch", str(TINY), str(subs), "--out", str(out), "--jobs", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(list((out / "results").glob("*.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = {p.stem: (p.stat().st_mtime_ns, json.loads(p.read_text())["started_at"]) for p in (out / "results").glob("*.json")}
    assert 3 <= len(before) < 10
    (out / "results" / ".s09.json.4242.tmp").write_text('{"torn": ')  # what a kill mid-write leaves
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert f"graded {10 - len(before)} ({len(before)} unchanged kept)" in again.stdout
    after = results_of(out)
    assert sorted(after) == [f"s{i:02d}" for i in range(10)]
    for s, (mtime, started) in before.items():
        assert (out / "results" / f"{s}.json").stat().st_mtime_ns == mtime and after[s]["started_at"] == started
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    # Change one submission: only it is graded again.
    stamps = {p.stem: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")}
    (subs / "s04.py").write_text(CORRECT + "\n# resubmitted\n")
    third = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert third.returncode == 0 and "graded 1 (9 unchanged kept)" in third.stdout
    changed = {p.stem for p in (out / "results").glob("*.json") if p.stat().st_mtime_ns != stamps[p.stem]}
    assert changed == {"s04"}
    assert results_of(out)["s04"]["score"] == 6


def test_hard_limit_kills_the_grading_process():
    a = load(TINY)
    payload = Payload("dave.py", "file", (("", (TESTS / "hostile" / "loop_call.py").read_bytes()),))
    task = {"assignment": a, "payload": payload, "student": "dave", "display": "dave.py", "timeout": None, "sandbox": "rlimits"}
    holder: list[GradingProcess] = []
    t0 = time.monotonic()
    result = run_task(holder, a, task, 1.5, slot=7)  # relu alone takes call_timeout = 2 s
    assert time.monotonic() - t0 < 10
    assert result["status"] == "error" and result["score"] == 0 and holder == []
    assert "hard limit of 1.5 s" in result["notes"][0]
    assert {c["status"] for f in result["functions"] for c in f["checks"]} == {"error"}


# ------------------------------------------------------------------ layouts


GRADESCOPE_METADATA = """---
submission_111:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1815'
    :email: ada@example.edu
  :created_at: 2026-11-20 10:00:00.000000000 -08:00
  :score: 0.0
  :status: processed
  :history: []
submission_222:
  :submitters:
  - :name: "Grace Hopper"
    :sid: '1906'
    :email: grace@example.edu
  - :name: Alan O'Brien
    :sid: ''
    :email: alan@example.edu
  :created_at: 2026-11-21 10:00:00.000000000 -08:00
submission_333:
  :submitters:
  - :name: =cmd()
    :email: eve@example.edu
"""


def test_parse_gradescope_metadata():
    meta = parse_gradescope_metadata(GRADESCOPE_METADATA)
    assert meta["submission_111"] == [{"name": "Ada Lovelace", "sid": "1815", "email": "ada@example.edu"}]
    assert [p["name"] for p in meta["submission_222"]] == ["Grace Hopper", "Alan O'Brien"]
    assert isinstance(parse_gradescope_metadata("::: not yaml [\n  - x"), dict)  # never raises


def test_gradescope_export(tmp_path):
    root = tmp_path / "export"
    for sid, rel, text in (("111", "activations.py", CORRECT), ("222", "hw/src/activations.py", BUGGY),
                           ("333", "my_answers.py", CORRECT)):
        (root / f"submission_{sid}" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / f"submission_{sid}" / rel).write_text(text)
    (root / "submission_metadata.yml").write_text(GRADESCOPE_METADATA)
    out = tmp_path / "out"
    res = cli(str(TINY), str(root), "--out", str(out), "--jobs", "2")
    assert res.exit_code == 0, res.output
    assert "layout: a Gradescope export (gradescope)" in res.output
    results = results_of(out)
    assert {s: r["score"] for s, r in results.items()} == {"111": 6.0, "222": 1.0, "333": 6.0}
    assert results["222"]["batch"]["source"] == "submission_222/hw/src/activations.py"
    assert results["222"]["batch"]["email"] == "grace@example.edu; alan@example.edu"
    with open(out / "gradebook.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[-2:] == ["name", "email"]
    assert rows[0]["name"] == "Ada Lovelace" and rows[2]["name"] == "'=cmd()"  # no spreadsheet formula


def test_github_classroom_export(tmp_path):
    root = tmp_path / "classroom"
    for user, rel, text in (("alice", "src/activations.py", CORRECT), ("bob-smith", "activations.ipynb", json.dumps(NOTEBOOK)),
                            ("carl", "README.md", "todo\n")):
        repo = root / f"hw1-relu-{user}"
        (repo / ".git").mkdir(parents=True)
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
        (repo / "tests").mkdir()
        (repo / "tests" / "test_it.py").write_text("def test_x(): pass\n")
    found = discover(root, load(TINY))
    assert found.layout == "classroom" and [s.student for s in found.students] == ["alice", "bob-smith", "carl"]
    out = tmp_path / "out"
    summary = run_batch(load(TINY), root, out, BatchOptions(jobs=2))
    assert (summary.layout, summary.graded, summary.errors) == ("classroom", 3, 0)
    results = results_of(out)
    assert results["alice"]["score"] == 6 and results["bob-smith"]["score"] == 6
    assert results["carl"]["score"] == 0 and "no __init__.py and no activations.py" in results["carl"]["notes"][0]


def test_symlinks_are_never_followed(tmp_path):
    secret = tmp_path / "secret.py"
    secret.write_text("SECRET = 'grader-only'\n" + CORRECT)
    subs = tmp_path / "subs"
    (subs / "hal").mkdir(parents=True)
    (subs / "gina.py").symlink_to(secret)
    (subs / "hal" / "activations.py").symlink_to(secret)
    summary = run_batch(load(TINY), subs, tmp_path / "out", BatchOptions(jobs=1))
    assert (summary.graded, summary.errors) == (2, 0)
    results = results_of(tmp_path / "out")
    assert results["gina"]["score"] == 0 and "symbolic link" in results["gina"]["notes"][0]
    assert results["hal"]["score"] == 0
    assert "grader-only" not in json.dumps(results)


def test_bad_input_exits_2_with_what_to_do(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    res = cli(str(TINY), str(subs), "--out", str(tmp_path / "o"))
    assert res.exit_code == 2 and "no submissions in" in res.output
    (subs / "amy.py").write_text(CORRECT)
    (subs / "amy.ipynb").write_text(json.dumps(NOTEBOOK))
    res = cli(str(TINY), str(subs), "--out", str(tmp_path / "o"))
    assert res.exit_code == 2 and "two submissions for student 'amy'" in res.output
    assert cli("nosuch", str(subs), "--out", "o").exit_code == 2
    assert cli(str(TINY), str(tmp_path / "missing"), "--out", "o").exit_code == 2
    res = cli(str(TINY), str(subs), "--out", "o", "--scheduler", "tcp://h:8786")
    assert res.exit_code == 2 and "--executor dask" in res.output
    with pytest.raises(BatchError, match="unzip"):
        discover(tmp_path / "export.zip", load(TINY))
    assert "Gradescope" in cli("--help").output and "GitHub Classroom" in cli("--help").output


# ------------------------------------------------------------------ Dask


@pytest.mark.slow  # 11-15 s: a LocalCluster of two worker processes
def test_dask_local_cluster_gives_identical_results(graded, tmp_path):
    pytest.importorskip("dask.distributed")
    subs, out, _ = graded
    summary = run_batch(load(TINY), subs, tmp_path / "dask", BatchOptions(jobs=2, executor="dask"))
    assert (summary.graded, summary.errors) == (6, 0)
    local, remote = results_of(out), results_of(tmp_path / "dask")
    for s in STUDENTS:
        assert (remote[s]["score"], statuses(remote[s])) == (local[s]["score"], statuses(local[s])), s
        assert remote[s]["batch"]["key"] == local[s]["batch"]["key"]
        assert remote[s]["submission"] == local[s]["submission"]

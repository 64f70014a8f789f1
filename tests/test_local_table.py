"""An assignment folder may declare its own formulas in table.py: graded like the bundled ones."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dlgrade.assignments.manifest import ManifestError, load
from dlgrade.grader.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "local_formula"


def _check(folder, path):
    res = CliRunner().invoke(main, ["check", str(folder), str(path), "--format", "json"], catch_exceptions=False)
    return res.exit_code, json.loads(res.output)


def test_a_local_formula_is_graded_through_the_sandbox(tmp_path):
    sub = tmp_path / "hardsig.py"
    shutil.copyfile(FIXTURE / "examples" / "correct.py", sub)
    code, r = _check(FIXTURE, sub)
    assert code == 0 and r["score"] == r["max_score"] == 7


def test_a_local_mistake_is_caught_and_named(tmp_path):
    sub = tmp_path / "hardsig.py"
    shutil.copyfile(FIXTURE / "examples" / "buggy_corners.py", sub)
    code, r = _check(FIXTURE, sub)
    grad = next(f for f in r["functions"] if f["name"] == "hard_sigmoid_grad")
    kink = next(c for c in grad["checks"] if c["check"] == "kink")
    assert code == 1 and kink["status"] == "failed" and kink["mistake"] == "hard_sigmoid_grad: 1/6 at the corners"


def test_a_local_table_may_not_shadow_a_bundled_function(tmp_path):
    folder = tmp_path / "a"
    shutil.copytree(FIXTURE, folder)
    text = (folder / "table.py").read_text().replace('Entry("hard_sigmoid", ', 'Entry("relu", ')
    (folder / "table.py").write_text(text)
    with pytest.raises(ManifestError, match="already a bundled"):
        load(folder)


def test_a_broken_local_table_is_a_clear_manifest_error(tmp_path):
    folder = tmp_path / "b"
    shutil.copytree(FIXTURE, folder)
    (folder / "table.py").write_text("ENTRIES = (1, 2)\n")
    with pytest.raises(ManifestError, match="Entry"):
        load(folder)


def test_a_batch_grades_a_local_formula(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copyfile(FIXTURE / "examples" / "correct.py", subs / "ada.py")
    shutil.copyfile(FIXTURE / "examples" / "buggy_corners.py", subs / "bob.py")
    res = CliRunner().invoke(main, ["batch", str(FIXTURE), str(subs), "--out", str(tmp_path / "out"), "--jobs", "1"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    ada = json.loads((tmp_path / "out" / "results" / "ada.json").read_text())
    bob = json.loads((tmp_path / "out" / "results" / "bob.json").read_text())
    assert ada["score"] == 7 and bob["score"] == 6

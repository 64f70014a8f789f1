"""`pytest` in a folder made by `dlgrade init` grades it like `dlgrade check`.

Each case runs pytest in a subprocess in a fresh folder, and `dlgrade check
--format json` on the same file, and compares the failing checks and the
score. Both go through the sandbox.
"""

import json
import re
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from dlgrade.assignments.manifest import load
from dlgrade.grader.cli import main
from dlgrade.grader.pytest_files import ExistingFiles, write_pytest_files



def _assignment():
    try:
        return load("activations")
    except Exception:  # the folder may not exist yet in a partial checkout
        return load("optimizers")


def _init(tmp_path, example: str):
    a = _assignment()
    folder = tmp_path / "mywork"
    res = CliRunner().invoke(main, ["init", a.name, str(folder)])
    assert res.exit_code == 0, res.output
    assert (folder / "conftest.py").is_file() and (folder / "dlgrade.toml").is_file()
    shutil.copyfile(a.examples / example, folder / f"{a.module}.py")
    return a, folder


def _pytest(folder, *extra):
    # -q unless the caller asks for -v (the two cancel out).
    quiet = [] if "-v" in extra else ["-q"]
    return subprocess.run([sys.executable, "-m", "pytest", *quiet, "-p", "no:cacheprovider", "-rfEs", *extra],
                          cwd=folder, capture_output=True, text=True, timeout=600)


def _check_json(a, path):
    res = CliRunner().invoke(main, ["check", a.name, str(path), "--format", "json"])
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.output)


def _failing(result):
    return {f"{c['function']}::{c['check']}" for f in result["functions"] for c in f["checks"]
            if c["visibility"] == "visible" and c["status"] != "passed"}


def _examples():
    a = _assignment()
    return ["correct.py", sorted(p.name for p in a.examples.glob("buggy_*.py"))[0]]


@pytest.mark.parametrize("example", _examples())
def test_pytest_agrees_with_dlgrade_check(tmp_path, example):
    a, folder = _init(tmp_path, example)
    run = _pytest(folder)
    expected = _check_json(a, folder / f"{a.module}.py")
    out = run.stdout
    failed = set(re.findall(r"^FAILED dlgrade\.toml::(\w+::\w+) \[[\d.]+ pt\]", out, re.M))
    assert failed == _failing(expected), out[-3000:]
    m = re.search(r"^score: ([\d.]+) / ([\d.]+)", out, re.M)
    assert m, out[-3000:]
    assert (float(m.group(1)), float(m.group(2))) == (expected["score"], expected["max_score"])
    visible = sum(c["visibility"] == "visible" for f in expected["functions"] for c in f["checks"])
    hidden = sum(c["visibility"] != "visible" for f in expected["functions"] for c in f["checks"])
    passed = visible - len(failed)
    assert f"{passed} passed" in out
    assert run.returncode == (1 if failed else 0)
    if hidden:
        assert "1 skipped" in out and "hidden checks are graded, but their results are withheld" in out
    else:
        assert "skipped" not in out


def test_a_failure_reads_like_dlgrade_check_not_a_traceback(tmp_path):
    a, folder = _init(tmp_path, _examples()[1])
    out = _pytest(folder).stdout
    expected = _check_json(a, folder / f"{a.module}.py")
    c = next(c for f in expected["functions"] for c in f["checks"] if c["visibility"] == "visible" and c["status"] == "failed")
    assert c["summary"] in out
    if c["hint"]:
        assert f"hint: {c['hint']}" in out
    if c["mistake"]:
        assert f"likely mistake: {c['mistake']}" in out
    assert "Traceback" not in out and "def runtest" not in out and "CheckFailed" not in out
    # Node ids name the function, the check and its points.
    assert re.search(rf"{c['function']}::{c['check']} \[[\d.]+ pt\]", out)


def test_hidden_checks_reveal_nothing(tmp_path):
    a, folder = _init(tmp_path, _examples()[1])
    hidden = [s for s in a.checks if s.visibility != "visible"]
    if not hidden:
        pytest.skip("this assignment has no hidden checks")
    out = _pytest(folder, "-v").stdout
    for s in hidden:
        assert f"{s.function}::{s.check}" not in out
    assert re.search(r"hidden checks \[[\d.]+ pt\] SKIPPED", out)


def test_pytest_without_dlgrade_toml_is_unaffected(tmp_path):
    # The plugin is loaded (by the conftest) but there is no dlgrade.toml: it does nothing.
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["dlgrade.grader.pytest_plugin"]\n')
    (tmp_path / "test_mine.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
    run = _pytest(tmp_path)
    assert run.returncode == 0, run.stdout
    assert "1 passed" in run.stdout
    assert "dlgrade" not in run.stdout and "score:" not in run.stdout


def test_the_students_own_tests_run_beside_the_checks(tmp_path):
    a, folder = _init(tmp_path, "correct.py")
    (folder / "test_mine.py").write_text("def test_mine():\n    assert True\n")
    out = _pytest(folder, "-v").stdout
    assert "test_mine.py::test_mine PASSED" in out
    assert "score:" in out


def test_write_pytest_files_refuses_to_overwrite(tmp_path):
    a = _assignment()
    written = write_pytest_files(a, tmp_path, force=False)
    assert [p.name for p in written] == ["conftest.py", "dlgrade.toml"]
    assert 'pytest_plugins = ["dlgrade.grader.pytest_plugin"]' in (tmp_path / "conftest.py").read_text()
    toml = (tmp_path / "dlgrade.toml").read_text()
    assert f'assignment = "{a.name}"' in toml and f'submission = "{a.module}.py"' in toml
    (tmp_path / "conftest.py").write_text("# mine\n")
    with pytest.raises(ExistingFiles, match="conftest.py"):
        write_pytest_files(a, tmp_path, force=False)
    assert (tmp_path / "conftest.py").read_text() == "# mine\n", "nothing is written when refusing"
    write_pytest_files(a, tmp_path, force=True)
    assert "pytest_plugins" in (tmp_path / "conftest.py").read_text()


def test_a_missing_submission_fails_every_check_with_one_message(tmp_path):
    a, folder = _init(tmp_path, "correct.py")
    (folder / f"{a.module}.py").unlink()
    run = _pytest(folder)
    assert run.returncode == 1
    assert "dlgrade could not grade" in run.stdout and "no such file" in run.stdout

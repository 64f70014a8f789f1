"""`dlgrade export`: the three deployments, run end to end outside their platforms.

- Gradescope: the zip is unpacked into a temporary /autograder (AUTOGRADER_ROOT),
  run_autograder grades the bundled correct and a buggy example, and every
  results.json (fallbacks included) is validated against Gradescope's
  documented format; overrides show up in the results; bad overrides exit 2.
- GitHub Classroom: the workflow parses, has the documented action steps,
  and its exact commands pass on the correct example and fail, function by
  function, on a buggy one.
- PrairieLearn: info.json and question.html, and tests/run.sh run against a
  temporary /grade (PL_GRADE_ROOT).
"""

import json
import os
import shutil
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from dlgrade.assignments.manifest import load
from dlgrade.grader.cli import main

yaml = pytest.importorskip("yaml")
jsonschema = pytest.importorskip("jsonschema")

A = load("activations")
CORRECT = A.examples / "correct.py"
BUGGY = A.examples / "buggy_relu_kink_softmax_axis.py"  # loses points on relu_grad, softmax, softmax_backward
BUGGY_LOSES = {"relu_grad", "softmax", "softmax_backward"}

# Gradescope's results.json, from https://gradescope-autograders.readthedocs.io/en/latest/specs/
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
GRADESCOPE_SCHEMA = {
    "type": "object",
    "required": ["score", "tests"],
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "score", "max_score", "status", "output", "visibility"],
                "properties": {
                    "name": {"type": "string"},
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "status": {"enum": ["passed", "failed"]},
                    "output": {"type": "string"},
                    "visibility": VISIBILITY,
                    "number": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}


def _env(**extra):
    env = dict(os.environ)
    # dlgrade's console script and a `python` beside the interpreter running the tests.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["DLGRADE_VENV"] = "/nonexistent/dlgrade-venv"
    env.update(extra)
    return env


def _cli(*args):
    return CliRunner().invoke(main, ["export", *args], catch_exceptions=False)


# ------------------------------------------------------------------ Gradescope


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    """The zip, with overrides, unpacked as Gradescope does: /autograder/source."""
    tmp = tmp_path_factory.mktemp("gradescope")
    out = tmp / "autograder.zip"
    r = _cli("gradescope", "activations", "--output", str(out), "--points", "relu.value=5",
             "--hide", "sigmoid.value", "--timeout", "90")
    assert r.exit_code == 0, r.output
    return out


def _unpack(zip_path: Path, root: Path) -> Path:
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
        for info in zf.infolist():  # extractall drops the modes; Gradescope keeps them
            os.chmod(root / "source" / info.filename, (info.external_attr >> 16) & 0o777)
    return root


def _run_autograder(root: Path, **env) -> dict:
    proc = subprocess.run([str(root / "source" / "run_autograder")], env=_env(AUTOGRADER_ROOT=str(root), **env),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, GRADESCOPE_SCHEMA)
    return results


def test_zip_layout(autograder):
    with zipfile.ZipFile(autograder) as zf:
        names = set(zf.namelist())
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
    assert {"setup.sh", "run_autograder", "assignment/manifest.toml", "assignment/starter.py",
            "assignment/guide.md", "dlgrade-src/pyproject.toml", "dlgrade-src/dlgrade/cli.py",
            "dlgrade-src/dlgrade/grader/export.py", "dlgrade-src/dlgrade/checks/table/activations.py",
            "dlgrade-src/dlgrade/assignments/activations/manifest.toml"} <= names
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    assert not [n for n in names if "/examples/" in n or "__pycache__" in n], "no solutions, no bytecode"
    setup = zipfile.ZipFile(autograder).read("setup.sh").decode()
    assert 'pip install --quiet "$SOURCE/dlgrade-src"' in setup
    subprocess.run(["bash", "-n", "-c", setup], check=True)


def test_zip_is_reproducible(autograder, tmp_path):
    again = tmp_path / "again.zip"
    assert _cli("gradescope", "activations", "-o", str(again), "--points", "relu.value=5",
                "--hide", "sigmoid.value", "--timeout", "90").exit_code == 0
    assert again.read_bytes() == autograder.read_bytes()


def test_dlgrade_spec_replaces_the_bundle(tmp_path):
    out = tmp_path / "a.zip"
    assert _cli("gradescope", "losses", "-o", str(out), "--dlgrade-spec", "dlgrade>=0.1,<0.2").exit_code == 0
    with zipfile.ZipFile(out) as zf:
        assert not [n for n in zf.namelist() if n.startswith("dlgrade-src/")]
        assert "pip install --quiet 'dlgrade>=0.1,<0.2'" in zf.read("setup.sh").decode()


@pytest.mark.parametrize("where", ["activations.py", "hw3/src/activations.py"])
def test_correct_submission_gets_full_marks_with_overrides(autograder, tmp_path, where):
    root = _unpack(autograder, tmp_path / "autograder")
    target = root / "submission" / where
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(CORRECT, target)
    results = _run_autograder(root)
    tests = {t["name"]: t for t in results["tests"]}
    assert results["score"] == sum(t["max_score"] for t in results["tests"]) == A.max_score - 2 + 5
    assert tests["relu: value"]["max_score"] == 5
    assert tests["sigmoid: value"]["visibility"] == "hidden"
    assert all(t["status"] == "passed" for t in results["tests"])


def test_buggy_submission_loses_points_where_expected(autograder, tmp_path):
    root = _unpack(autograder, tmp_path / "autograder")
    shutil.copy(BUGGY, root / "submission" / "activations.py")
    results = _run_autograder(root)
    failed = {t["name"].split(":")[0] for t in results["tests"] if t["status"] == "failed"}
    assert failed == BUGGY_LOSES
    assert 0 < results["score"] < sum(t["max_score"] for t in results["tests"])


def test_notebook_submission_is_found(autograder, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    root = _unpack(autograder, tmp_path / "autograder")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CORRECT.read_text())])
    nbformat.write(nb, str(root / "submission" / "My Work.ipynb"))
    assert _run_autograder(root)["score"] == A.max_score + 3


def test_missing_file_still_writes_valid_results(autograder, tmp_path):
    root = _unpack(autograder, tmp_path / "autograder")
    (root / "submission" / "notes.txt").write_text("I forgot\n")
    (root / "submission" / "a.py").write_text("x = 1\n")
    (root / "submission" / "b.py").write_text("y = 2\n")
    results = _run_autograder(root)
    assert results["score"] == 0 and results["tests"] == []
    assert "No activations.py" in results["output"] and "notes.txt" in results["output"]


def test_broken_dlgrade_still_writes_valid_results(autograder, tmp_path):
    root = _unpack(autograder, tmp_path / "autograder")
    shutil.copy(CORRECT, root / "submission" / "activations.py")
    venv = tmp_path / "venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "dlgrade").write_text("#!/bin/sh\necho 'dlgrade: something broke' >&2\nexit 3\n")
    (venv / "dlgrade").chmod(0o755)
    (venv / "python").symlink_to(sys.executable)
    results = _run_autograder(root, DLGRADE_VENV=str(venv.parent))
    assert results["score"] == 0 and results["tests"] == []
    assert "exit code 3" in results["output"] and "something broke" in results["output"]


@pytest.mark.parametrize("args, message", [
    (["--points", "relu.nosuch=1"], "relu has no such check"),
    (["--points", "relu.value=-1"], "points must be a number >= 0"),
    (["--points", "nosuch.value=1"], "no graded function named 'nosuch'"),
    (["--points", "relu=3"], "expected FUNCTION.CHECK=N"),
    (["--points", "relu.value=lots"], "is not a number"),
    (["--points", "relu.value=nan"], "is not a number"),
    (["--timeout", "inf"], "give a number of seconds"),
    (["--hide", "relu.nosuch"], "has no check relu.nosuch"),
    (["--timeout", "0"], "total_timeout must be a positive number"),
])
def test_bad_override_exits_2_and_writes_nothing(tmp_path, args, message):
    out = tmp_path / "autograder.zip"
    r = CliRunner().invoke(main, ["export", "gradescope", "activations", "-o", str(out), *args])
    assert r.exit_code == 2, r.output
    assert message in r.output
    assert not out.exists()


def test_unknown_assignment_exits_2(tmp_path):
    r = CliRunner().invoke(main, ["export", "prairielearn", "nosuch", str(tmp_path / "q")])
    assert r.exit_code == 2 and "no assignment named 'nosuch'" in r.output


@pytest.mark.slow
def test_bundled_source_builds_a_wheel(autograder, tmp_path):
    with zipfile.ZipFile(autograder) as zf:
        zf.extractall(tmp_path / "src")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    str(tmp_path / "src" / "dlgrade-src"), "-w", str(tmp_path / "wheels")],
                   check=True, capture_output=True, timeout=300)
    wheel = next((tmp_path / "wheels").glob("dlgrade-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"dlgrade/cli.py", "dlgrade/grader/child.py", "dlgrade/checks/table/losses.py",
            "dlgrade/assignments/backprop/manifest.toml", "dlgrade/assignments/backprop/starter.py"} <= names


# ------------------------------------------------------------------ GitHub Classroom


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    repo = tmp_path_factory.mktemp("classroom") / "repo"
    r = _cli("github-classroom", "activations", str(repo))
    assert r.exit_code == 0, r.output
    return repo


def _steps(repo: Path) -> list[dict]:
    workflow = yaml.safe_load((repo / ".github" / "workflows" / "classroom.yml").read_text())
    assert set(workflow) >= {"name", "on", "jobs"}  # '"on"' is quoted, so YAML 1.1 keeps the key a string
    (job,) = workflow["jobs"].values()
    return job["steps"]


def test_classroom_files(classroom):
    for name in ("activations.py", "GUIDE.md", "README.md", ".gitignore", ".github/workflows/classroom.yml"):
        assert (classroom / name).is_file(), name
    assert (classroom / "activations.py").read_text() == A.starter.read_text()
    assert ".dlgrade/" in (classroom / ".gitignore").read_text()
    assert not (classroom / "dlgrade-assignment").exists(), "a bundled assignment is named, not copied"
    assert "dlgrade check activations activations.py" in (classroom / "README.md").read_text()


def test_classroom_workflow_steps(classroom):
    steps = _steps(classroom)
    graders = [s for s in steps if s.get("uses", "").startswith("classroom-resources/autograding-command-grader@")]
    (reporter,) = [s for s in steps if s.get("uses", "").startswith("classroom-resources/autograding-grading-reporter@")]
    assert [s["id"] for s in graders] == list(A.functions)
    for s in graders:
        assert set(s["with"]) == {"test-name", "command", "timeout", "max-score"}
        assert s["with"]["max-score"] == sum(c.points for c in A.checks_of(s["id"]))
    assert sum(s["with"]["max-score"] for s in graders) == A.max_score
    assert reporter["with"]["runners"].split(",") == list(A.functions)
    assert reporter["env"] == {f"{f.upper()}_RESULTS": f"${{{{steps.{f}.outputs.result}}}}" for f in A.functions}
    install = [s for s in steps if "pip install" in s.get("run", "")]
    assert install and "dlgrade" in install[0]["run"]


def _run_workflow(repo: Path, submission: Path, tmp_path: Path) -> dict[str, int]:
    """Run the workflow's own commands, as Actions would, on ``submission``."""
    work = tmp_path / "checkout"
    shutil.copytree(repo, work)
    shutil.copy(submission, work / "activations.py")
    steps = _steps(repo)
    (grade,) = [s for s in steps if s.get("name", "").startswith("Grade")]
    subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", grade["run"]], cwd=work,
                   env=_env(), check=True, capture_output=True, timeout=300)
    # The command grader runs `command` in a shell with only PATH and HOME.
    env = {"PATH": _env()["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    codes = {}
    for s in steps:
        if s.get("uses", "").startswith("classroom-resources/autograding-command-grader@"):
            codes[s["id"]] = subprocess.run(s["with"]["command"], shell=True, cwd=work, env=env,
                                            capture_output=True, timeout=60).returncode
    return codes


def test_classroom_commands_pass_on_the_correct_example(classroom, tmp_path):
    assert _run_workflow(classroom, CORRECT, tmp_path) == {f: 0 for f in A.functions}


def test_classroom_commands_fail_per_function_on_a_buggy_example(classroom, tmp_path):
    codes = _run_workflow(classroom, BUGGY, tmp_path)
    assert {f for f, code in codes.items() if code} == BUGGY_LOSES


def test_classroom_with_overrides_ships_the_manifest(tmp_path):
    repo = tmp_path / "repo"
    r = _cli("github-classroom", "activations", str(repo), "--points", "relu.value=4", "--dlgrade-spec", "dlgrade>=0.1")
    assert r.exit_code == 0, r.output
    assert load(repo / "dlgrade-assignment").checks_of("relu")[0].points == 4
    steps = _steps(repo)
    assert "dlgrade check dlgrade-assignment activations.py" in [s for s in steps if "run" in s][-1]["run"]
    assert "pip install 'dlgrade>=0.1'" in [s for s in steps if "run" in s][0]["run"]
    codes = _run_workflow(repo, CORRECT, tmp_path)
    assert set(codes.values()) == {0}


def test_classroom_refuses_fractional_points_and_existing_files(tmp_path, classroom):
    r = CliRunner().invoke(main, ["export", "github-classroom", "activations", str(tmp_path / "r"), "--points", "relu.value=1.5"])
    assert r.exit_code == 2 and "whole points" in r.output
    r = CliRunner().invoke(main, ["export", "github-classroom", "activations", str(classroom)])
    assert r.exit_code == 2 and "--force" in r.output


# ------------------------------------------------------------------ PrairieLearn


@pytest.fixture(scope="module")
def question(tmp_path_factory):
    q = tmp_path_factory.mktemp("pl") / "activations"
    r = _cli("prairielearn", "activations", str(q), "--hide", "relu.kink")
    assert r.exit_code == 0, r.output
    return q


def test_prairielearn_question_files(question):
    info = json.loads((question / "info.json").read_text())
    assert {"uuid", "title", "topic", "tags", "type", "singleVariant", "gradingMethod", "externalGradingOptions"} <= set(info)
    uuid.UUID(info["uuid"])
    assert info["type"] == "v3" and info["gradingMethod"] == "External" and info["singleVariant"] is True
    options = info["externalGradingOptions"]
    assert options["enabled"] is True and options["entrypoint"] == "/grade/tests/run.sh"
    assert isinstance(options["image"], str) and options["timeout"] > 0
    html = (question / "question.html").read_text()
    for needle in ("<pl-question-panel>", 'file-name="activations.py"', "<pl-submission-panel>",
                   "<pl-external-grader-results>"):
        assert needle in html
    assert os.access(question / "tests" / "run.sh", os.X_OK)
    assert (question / "clientFilesQuestion" / "activations.py").read_text() == A.starter.read_text()
    assert load(question / "tests" / "assignment").checks_of("relu")[2].visibility == "hidden"


def _run_pl(question: Path, tmp_path: Path, submission: Path | None) -> dict:
    root = tmp_path / "grade"
    shutil.copytree(question / "tests", root / "tests")
    (root / "student").mkdir()
    if submission is not None:
        shutil.copy(submission, root / "student" / "activations.py")
    proc = subprocess.run([str(root / "tests" / "run.sh")], env=_env(PL_GRADE_ROOT=str(root)),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert isinstance(results["gradable"], bool) and 0 <= results["score"] <= 1
    for t in results["tests"]:
        assert {"name", "points", "max_points"} <= set(t) and 0 <= t["points"] <= t["max_points"]
    return results


def test_prairielearn_grades_the_correct_example(question, tmp_path):
    results = _run_pl(question, tmp_path, CORRECT)
    assert results["gradable"] and results["score"] == 1.0
    assert len(results["tests"]) == len(A.checks)


def test_prairielearn_grades_a_buggy_example(question, tmp_path):
    results = _run_pl(question, tmp_path, BUGGY)
    assert 0 < results["score"] < 1
    failed = {t["name"].split(":")[0] for t in results["tests"] if t["points"] < t["max_points"]}
    assert failed == BUGGY_LOSES


def test_prairielearn_missing_file_is_a_valid_zero(question, tmp_path):
    results = _run_pl(question, tmp_path, None)
    assert results["gradable"] is True and results["score"] == 0 and "No activations.py" in results["message"]


@pytest.mark.parametrize("name", ["activations", "losses", "initializers", "optimizers", "convolution", "backprop"])
def test_every_bundled_assignment_exports(name, tmp_path):
    for args in (["gradescope", name, "-o", str(tmp_path / "a.zip")],
                 ["github-classroom", name, str(tmp_path / "gh")],
                 ["prairielearn", name, str(tmp_path / "pl")]):
        r = _cli(*args)
        assert r.exit_code == 0, r.output
    assert yaml.safe_load((tmp_path / "gh" / ".github" / "workflows" / "classroom.yml").read_text())
    assert json.loads((tmp_path / "pl" / "info.json").read_text())["topic"] == name

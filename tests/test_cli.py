"""The command line as a user meets it: every command, every report format, every exit code."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from dlgrade import __version__
from dlgrade.assignments.manifest import load
from dlgrade.grader.cli import main

ACT = load("activations")
CORRECT = ACT.examples / "correct.py"
BUGGY = sorted(ACT.examples.glob("buggy_*.py"))[0]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_version_and_help_on_every_command():
    assert __version__ in run("--version").output
    for cmd in main.commands:
        res = run(cmd, "--help")
        assert res.exit_code == 0 and "Usage" in res.output, cmd


def test_list_shows_all_six_assignments_and_checks():
    out = run("list", "--checks").output
    for name in ("activations", "losses", "initializers", "optimizers", "convolution", "backprop"):
        assert name in out
    assert "value 3" in out or "value 2" in out


def test_init_writes_starter_and_guide_and_refuses_to_overwrite(tmp_path):
    res = run("init", "losses", tmp_path / "work")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "work" / "losses.py").read_text() == load("losses").starter.read_text()
    assert (tmp_path / "work" / "GUIDE.md").exists()
    again = run("init", "losses", tmp_path / "work")
    assert again.exit_code == 2 and "--force" in again.output


def test_check_exit_codes(tmp_path):
    assert run("check", "activations", CORRECT).exit_code == 0
    assert run("check", "activations", BUGGY).exit_code == 1
    assert run("check", "activations", BUGGY, "--min-score", "10").exit_code == 0
    bad = run("check", "no-such-assignment", CORRECT)
    assert bad.exit_code == 2 and "bundled ones are" in bad.output
    missing = run("check", "activations", tmp_path / "nope.py")
    assert missing.exit_code == 2 and "no such file" in missing.output
    usage = run("check", "activations")
    assert usage.exit_code == 2


def _json(*args):
    res = run("check", "activations", *args, "--format", "json")
    return json.loads(res.output)


def test_json_report_schema_and_reproducibility():
    r = _json(BUGGY)
    assert r["schema_version"] == 1 and r["assignment"] == "activations"
    assert 0 < r["score"] < r["max_score"]
    for key in ("dlgrade", "python", "numpy", "hypothesis", "settings", "seeds"):
        assert key in r["reproducibility"]
    assert r["limits_in_force"]
    check = next(c for f in r["functions"] for c in f["checks"] if c["status"] == "failed")
    assert check["summary"] and check["detail"]


def test_text_report_withholds_hidden_checks_and_never_says_all_passed():
    out = run("check", "activations", CORRECT).output
    assert "all checks passed" not in out and "hidden checks" in out
    hidden = [c for c in ACT.checks if c.visibility != "visible"]
    assert hidden
    for c in hidden:
        assert f"{c.check}:PASS" not in out.split(c.function)[1].splitlines()[0]


GRADESCOPE_SCHEMA = {
    "type": "object",
    "required": ["tests"],
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "visibility": {"enum": ["visible", "hidden", "after_due_date", "after_published"]},
        "stdout_visibility": {"enum": ["visible", "hidden", "after_due_date", "after_published"]},
        "tests": {"type": "array", "items": {
            "type": "object",
            "required": ["name", "score", "max_score"],
            "properties": {
                "name": {"type": "string"}, "score": {"type": "number"}, "max_score": {"type": "number"},
                "status": {"enum": ["passed", "failed"]}, "output": {"type": "string"},
                "visibility": {"enum": ["visible", "hidden", "after_due_date", "after_published"]},
            },
        }},
    },
}


def test_gradescope_results_validate_against_the_documented_format(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    out = tmp_path / "results.json"
    res = run("check", "activations", BUGGY, "--format", "gradescope", "--output", out)
    assert res.exit_code == 1
    data = json.loads(out.read_text())
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    assert abs(sum(t["score"] for t in data["tests"]) - data["score"]) < 1e-9
    assert any(t["visibility"] == "hidden" for t in data["tests"])
    assert any(t["status"] == "failed" and "hint" in t["output"] for t in data["tests"])


def test_junit_parses_with_a_standard_parser(tmp_path):
    out = tmp_path / "junit.xml"
    run("check", "activations", BUGGY, "--format", "junit", "--output", out)
    root = ET.parse(out).getroot()
    cases = root.findall(".//testcase")
    assert len(cases) == len(ACT.checks)
    assert root.findall(".//failure")


def test_prairielearn_results(tmp_path):
    out = tmp_path / "pl.json"
    run("check", "activations", BUGGY, "--format", "prairielearn", "--output", out)
    data = json.loads(out.read_text())
    assert data["gradable"] is True and 0 < data["score"] < 1
    assert all({"name", "points", "max_points"} <= set(t) for t in data["tests"])


def test_notebook_submission_is_graded(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    src = CORRECT.read_text()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# my activations"), nbformat.v4.new_code_cell("%matplotlib inline\n!pip list"),
                nbformat.v4.new_code_cell(src)]
    path = tmp_path / "activations.ipynb"
    nbformat.write(nb, path)
    r = _json(path)
    assert r["score"] == r["max_score"]


def test_syntax_error_is_a_zero_with_file_and_line(tmp_path):
    path = tmp_path / "activations.py"
    path.write_text(CORRECT.read_text() + "\ndef broken(:\n    pass\n")
    r = _json(path)
    assert r["score"] == 0
    assert any("line" in n and "activations.py" in n for n in r["notes"]), r["notes"]


def test_missing_function_costs_only_that_function(tmp_path):
    path = tmp_path / "activations.py"
    path.write_text(CORRECT.read_text().replace("def swish_grad(", "def swish_grad_renamed("))
    r = _json(path)
    lost = {f["name"] for f in r["functions"] if f["score"] < f["max_score"]}
    assert lost == {"swish_grad"}


def test_a_crash_in_the_middle_of_grading_fails_only_what_it_touched(tmp_path):
    path = tmp_path / "activations.py"
    src = CORRECT.read_text() + (
        "\n\nimport os as _os\n_real_tanh = tanh\n\ndef tanh(z):\n    _os._exit(3)\n"
    )
    path.write_text(src)
    r = _json(path)
    lost = {f["name"] for f in r["functions"] if f["score"] < f["max_score"]}
    assert "tanh" in lost and "tanh_grad" in lost  # tanh_grad's gradcheck needs the student's tanh
    assert lost <= {"tanh", "tanh_grad"}
    tanh = next(f for f in r["functions"] if f["name"] == "tanh")
    assert all(c["status"] == "error" for c in tanh["checks"])
    assert any("exited" in c["summary"] or "crash" in c["summary"] for c in tanh["checks"])


def test_forbidden_import_inside_a_function_costs_that_function(tmp_path):
    path = tmp_path / "activations.py"
    path.write_text(CORRECT.read_text() + "\n\ndef step(z):\n    from scipy.special import expit\n    return (expit(z) > 0.5) * 1.0\n")
    r = _json(path)
    lost = {f["name"] for f in r["functions"] if f["score"] < f["max_score"]}
    assert lost == {"step"}
    assert any("scipy.special" in n for n in r["notes"])


def test_forbidden_import_at_module_level_stops_the_import_with_a_clear_reason(tmp_path):
    path = tmp_path / "activations.py"
    path.write_text("from scipy.special import expit\n" + CORRECT.read_text())
    r = _json(path)
    assert r["score"] == 0
    summaries = {c["summary"] for f in r["functions"] for c in f["checks"]}
    assert all("scipy.special" in s for s in summaries), summaries


def test_dlgrade_runs_as_a_module():
    proc = subprocess.run([sys.executable, "-m", "dlgrade", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and __version__ in proc.stdout


def test_timeout_option_bounds_the_whole_submission(tmp_path):
    path = tmp_path / "activations.py"
    path.write_text(CORRECT.read_text() + "\n\nimport time as _t\n_t.sleep(60)\n")
    import time

    t0 = time.monotonic()
    r = json.loads(run("check", "activations", path, "--format", "json", "--timeout", "3").output)
    assert time.monotonic() - t0 < 30
    assert r["score"] == 0
    assert Path(r["submission"]).name == "activations.py"


def test_forbidden_module_that_is_not_even_installed_is_reported_as_forbidden(tmp_path):
    folder = tmp_path / "assignment"
    folder.mkdir()
    (folder / "manifest.toml").write_text(
        'schema_version = 1\nname = "mini"\nmodule = "mini"\nforbidden_imports = ["notinstalledpkg.special"]\n'
        "[functions.relu]\nvalue = 1\n")
    sub = tmp_path / "mini.py"
    sub.write_text("from notinstalledpkg.special import relu\n")
    res = CliRunner().invoke(main, ["check", str(folder), str(sub), "--format", "json"], catch_exceptions=False)
    r = json.loads(res.output)
    summary = r["functions"][0]["checks"][0]["summary"]
    assert "notinstalledpkg.special" in summary and "forbids" in summary, summary


def test_a_notebook_cell_that_fails_does_not_stop_the_others(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    src = CORRECT.read_text()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from google.colab import drive\ndrive.mount('/content/drive')"),
                nbformat.v4.new_code_cell(src),
                nbformat.v4.new_code_cell("assert relu(np.array(-1.0)) == 1, 'my own test, wrong'"),
                nbformat.v4.new_code_cell("def swish_grad(z):\n    return undefined_name\nswish_grad(1)")]
    path = tmp_path / "activations.ipynb"
    nbformat.write(nb, path)
    r = _json(path)
    lost = {f["name"] for f in r["functions"] if f["score"] < f["max_score"]}
    assert lost == {"swish_grad"}, lost
    notes = " ".join(r["notes"])
    assert "cell 1" in notes and "google" in notes and "cell 3" in notes and "cell 4" in notes

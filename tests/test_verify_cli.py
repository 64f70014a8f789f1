"""`dlgrade verify` as a user runs it: the table, --json, exit codes, and life without torch."""

import json

from click.testing import CliRunner

from dlgrade.grader.cli import main
from dlgrade.reference import convolution as C


def run(*args):
    return CliRunner().invoke(main, ["verify", *args], catch_exceptions=False)


def test_table_lists_formulas_with_both_columns():
    res = run("--topic", "convolution")
    assert res.exit_code == 0, res.output
    assert "formula" in res.output and "symbolic" in res.output and "torch" in res.output
    assert "conv2d_forward" in res.output and "all agree" in res.output


def test_json_output_for_machines():
    res = run("--topic", "optimizers", "--json")
    data = json.loads(res.output)
    assert res.exit_code == 0 and data["passed"] is True and data["torch"] is True
    kinds = {r["kind"] for r in data["results"]}
    assert kinds == {"symbolic", "torch"}
    assert any(r["formula"].startswith("adam") for r in data["results"])


def test_a_broken_reference_makes_verify_exit_1(monkeypatch):
    monkeypatch.setattr(C, "conv2d_forward", _flipped)  # a true convolution: the kernel flipped
    res = run("--topic", "convolution")
    assert res.exit_code == 1 and "FAIL" in res.output and "disagree" in res.output


_REAL = C.conv2d_forward


def _flipped(x, w, b, stride=1, pad=0):
    return _REAL(x, w[:, :, ::-1, ::-1], b, stride, pad)


def test_without_torch_runs_the_symbolic_half_and_says_how_to_install():
    res = run("--topic", "activations", "--no-torch")
    assert res.exit_code == 0
    assert "pip install torch" in res.output
    assert "skipped" in res.output

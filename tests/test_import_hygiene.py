"""The grading path never imports torch or sympy (1.3 s and 0.3 s of import time).

Only `dlgrade verify`, the verification modules and the tests need them.
Checked in a fresh interpreter that grades a submission end to end.
"""

import subprocess
import sys

CODE = """
import sys
from dlgrade.assignments.manifest import load
from dlgrade.grader.grade import grade_submission
from dlgrade.grader.reports import render
from dlgrade.checks.table import entries
entries()  # every topic's table, references and strategies
for name in ("activations", "convolution"):
    a = load(name)
    r = grade_submission(a, a.examples / "correct.py").to_json()
    assert r["score"] == r["max_score"], r["score"]
    for fmt in ("text", "json", "gradescope", "junit", "prairielearn"):
        render(r, fmt)
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "sympy", "scipy", "matplotlib"))
print(heavy)
"""


def test_grading_imports_neither_torch_nor_sympy():
    proc = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "[]", f"heavy modules imported while grading: {proc.stdout.strip()[:300]}"

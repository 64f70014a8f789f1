"""The text of the files `dlgrade export` writes: shell scripts, HTML, Markdown.

Templates are ``string.Template`` texts (``$name`` placeholders, ``$$`` for a
literal dollar), so shell variables stay readable. Every value substituted
into a shell script is quoted by the caller (``shlex.quote``) unless it is
shell text on purpose (the default pip spec refers to ``$SOURCE``).

Guaranteed by the scripts (tests/test_export.py runs them):
- ``run_autograder`` and ``run.sh`` always leave a results file that parses
  as JSON in the platform's format, whatever happens to dlgrade: a fallback
  with score 0 and the reason in the student-visible message;
- both honour a root override (AUTOGRADER_ROOT, PL_GRADE_ROOT) so that they
  can be run outside the platform's container.
"""

from __future__ import annotations

from string import Template

__all__ = [
    "GRADESCOPE_SETUP", "GRADESCOPE_RUN", "PL_RUN", "PL_QUESTION", "PL_DOCKERFILE",
    "CLASSROOM_README", "CLASSROOM_GITIGNORE",
]

# Shared by both graders: pick the sandbox, find dlgrade. bwrap is used only
# if it can actually start here (Docker's default seccomp profile often
# forbids the namespaces it needs), so a failed probe falls back to rlimits.
_FIND_DLGRADE = r'''
if [ -x "$VENV/bin/dlgrade" ]; then
  DLGRADE=("$VENV/bin/dlgrade"); PY="$VENV/bin/python"
elif command -v dlgrade >/dev/null 2>&1; then
  DLGRADE=(dlgrade); PY="$(command -v python3 || command -v python || echo python3)"
else
  PY="$(command -v python3 || command -v python || echo python3)"; DLGRADE=("$PY" -m dlgrade)
fi
SANDBOX="${DLGRADE_SANDBOX:-auto}"
if [ "$SANDBOX" = auto ]; then
  SANDBOX=rlimits
  if command -v bwrap >/dev/null 2>&1 &&
     bwrap --die-with-parent --unshare-pid --unshare-net --ro-bind / / --proc /proc --dev /dev true >/dev/null 2>&1; then
    SANDBOX=bwrap
  fi
fi
'''

GRADESCOPE_SETUP = Template(r'''#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image.
# Written by `dlgrade export gradescope` for the assignment "$name".
# It installs Python (3.10 or newer) and dlgrade into a virtual environment,
# plus bubblewrap when the image offers it (run_autograder uses it if it works).
set -euo pipefail
SOURCE="$$(cd "$$(dirname "$${BASH_SOURCE[0]}")" && pwd)"
VENV="$${DLGRADE_VENV:-/opt/dlgrade-venv}"
export DEBIAN_FRONTEND=noninteractive

apt-get update -q
apt-get install -y -q python3 python3-venv python3-pip
apt-get install -y -q bubblewrap || echo "bubblewrap is not available: grading uses --sandbox rlimits"

PY=""
for candidate in python3.13 python3.12 python3.11 python3.10 python3; do
  if command -v "$$candidate" >/dev/null 2>&1 &&
     "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    PY="$$candidate"; break
  fi
done
if [ -z "$$PY" ]; then
  echo "dlgrade needs Python 3.10 or newer; choose the Ubuntu 22.04 (or newer) base image in the autograder settings" >&2
  exit 1
fi
"$$PY" -m venv "$$VENV"
"$$VENV/bin/python" -m pip install --quiet --upgrade pip
"$$VENV/bin/python" -m pip install --quiet $spec
"$$VENV/bin/dlgrade" --version
''')

GRADESCOPE_RUN = Template(r'''#!/usr/bin/env bash
# Gradescope runs this for every submission. Written by `dlgrade export gradescope`
# for the assignment "$name". It finds the student's file under submission/,
# grades it with dlgrade, and ALWAYS leaves a valid results/results.json: if
# dlgrade cannot run, a score of 0 with the reason in "output".
# AUTOGRADER_ROOT (default /autograder) lets you run it anywhere, for a test.
set -u
ROOT="$${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$$ROOT/source"
SUBMISSION="$$ROOT/submission"
RESULTS="$$ROOT/results"
OUT="$$RESULTS/results.json"
VENV="$${DLGRADE_VENV:-/opt/dlgrade-venv}"
MODULE=$module
LIMIT=$limit
mkdir -p "$$RESULTS"
rm -f "$$OUT"
$find_dlgrade
fallback() {  # $$1: the message shown to the student
  if ! "$$PY" - "$$OUT" "$$1" <<'EOF'
import json, sys
with open(sys.argv[1], "w") as fh:
    json.dump({"score": 0.0, "output": sys.argv[2], "stdout_visibility": "hidden", "tests": []}, fh, indent=2)
EOF
  then
    printf '%s\n' '{"score": 0.0, "output": "The autograder could not run; please tell your instructor.", "tests": []}' > "$$OUT"
  fi
}

# The student's file: MODULE.py, else a notebook, else the only .py file;
# the shallowest first, hidden folders and __pycache__ skipped.
pick() {
  find "$$SUBMISSION" -type f "$$@" -not -path '*/.*' -not -path '*/__pycache__/*' -printf '%d %p\n' 2>/dev/null |
    sort -k1,1n -k2 | head -n 1 | cut -d' ' -f2-
}
FILE="$$(pick -name "$$MODULE.py")"
[ -n "$$FILE" ] || FILE="$$(pick -name '*.ipynb')"
if [ -z "$$FILE" ] && [ "$$(find "$$SUBMISSION" -type f -name '*.py' -not -path '*/.*' 2>/dev/null | wc -l)" = 1 ]; then
  FILE="$$(pick -name '*.py')"
fi
if [ -z "$$FILE" ]; then
  LISTING="$$(cd "$$SUBMISSION" 2>/dev/null && find . -type f | head -n 20 | tr '\n' ' ')"
  fallback "No $$MODULE.py (or notebook) found in your submission. Files received: $${LISTING:-none}. Upload $$MODULE.py and submit again."
  exit 0
fi

echo "grading $$FILE with $${DLGRADE[*]} (sandbox: $$SANDBOX)"
LOG="$$(mktemp)"
TIMEOUT=()
if command -v timeout >/dev/null 2>&1; then TIMEOUT=(timeout --kill-after=10 "$$LIMIT"); fi
"$${TIMEOUT[@]}" "$${DLGRADE[@]}" check "$$SOURCE/assignment" "$$FILE" --format gradescope \
  --output "$$OUT" --sandbox "$$SANDBOX" --min-score 0 2> "$$LOG"
STATUS=$$?
cat "$$LOG" >&2
if [ "$$STATUS" -ne 0 ] || ! "$$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); assert isinstance(d["score"], (int, float)) and isinstance(d["tests"], list)' "$$OUT" 2>/dev/null; then
  fallback "dlgrade could not grade this submission (exit code $$STATUS): $$(tail -c 1500 "$$LOG")"
fi
rm -f "$$LOG"
exit 0
''')

PL_RUN = Template(r'''#!/usr/bin/env bash
# PrairieLearn runs this in the grading container for every submission.
# Written by `dlgrade export prairielearn` for the assignment "$name".
# It grades /grade/student/$module.py and ALWAYS leaves a valid
# /grade/results/results.json: score 0 with the reason when the student's
# file is missing, gradable false when dlgrade itself cannot run (then the
# submission does not count against the student).
# PL_GRADE_ROOT (default /grade) lets you run it anywhere, for a test.
set -u
ROOT="$${PL_GRADE_ROOT:-/grade}"
TESTS="$$ROOT/tests"
RESULTS="$$ROOT/results"
OUT="$$RESULTS/results.json"
FILE="$$ROOT/student/$module.py"
VENV="$${DLGRADE_VENV:-/opt/dlgrade-venv}"
LIMIT=$limit
mkdir -p "$$RESULTS"
rm -f "$$OUT"
$find_dlgrade
if ! "$${DLGRADE[@]}" --version >/dev/null 2>&1; then
  # Only works when the question enables networking; the image should have dlgrade.
  "$$PY" -m pip install --quiet $spec >/dev/null 2>&1 || true
  PY="$$(command -v python3 || echo python3)"; DLGRADE=("$$PY" -m dlgrade)
fi
result() {  # $$1: gradable (true/false), $$2: message
  if ! "$$PY" - "$$OUT" "$$1" "$$2" <<'EOF'
import json, sys
with open(sys.argv[1], "w") as fh:
    json.dump({"gradable": sys.argv[2] == "true", "score": 0.0, "message": sys.argv[3], "output": "", "tests": []}, fh, indent=2)
EOF
  then
    printf '%s\n' '{"gradable": false, "score": 0.0, "message": "The grader could not run; please tell your instructor.", "tests": []}' > "$$OUT"
  fi
}
if ! "$${DLGRADE[@]}" --version >/dev/null 2>&1; then
  result false "dlgrade is not installed in the grading image; build the image from the Dockerfile beside info.json (see dlgrade's docs/instructors.md)."
  exit 0
fi
if [ ! -f "$$FILE" ]; then
  result true "No $module.py was submitted."
  exit 0
fi
LOG="$$(mktemp)"
TIMEOUT=()
if command -v timeout >/dev/null 2>&1; then TIMEOUT=(timeout --kill-after=10 "$$LIMIT"); fi
"$${TIMEOUT[@]}" "$${DLGRADE[@]}" check "$$TESTS/assignment" "$$FILE" --format prairielearn \
  --output "$$OUT" --sandbox "$$SANDBOX" --min-score 0 2> "$$LOG"
STATUS=$$?
cat "$$LOG" >&2
if [ "$$STATUS" -ne 0 ] || ! "$$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); assert 0 <= d["score"] <= 1 and isinstance(d["tests"], list)' "$$OUT" 2>/dev/null; then
  result false "dlgrade could not grade this submission (exit code $$STATUS): $$(tail -c 1500 "$$LOG")"
fi
rm -f "$$LOG"
exit 0
''')

PL_QUESTION = Template('''<!-- Written by `dlgrade export prairielearn` for the assignment "$name". -->
<pl-question-panel>
  <markdown>
$intro
  </markdown>
  <p>
    Write your functions in <code>$module.py</code> (the editor starts from the starter file).
    The full guide: <a href="{{options.client_files_question_url}}/GUIDE.md">GUIDE.md</a>;
    the starter: <a href="{{options.client_files_question_url}}/$module.py">$module.py</a>.
    Each submission is graded by dlgrade ($total points; $hidden).
  </p>
</pl-question-panel>

<pl-file-editor file-name="$module.py" ace-mode="ace/mode/python"
                source-file-name="clientFilesQuestion/$module.py"></pl-file-editor>

<pl-submission-panel>
  <pl-external-grader-results></pl-external-grader-results>
  <pl-file-preview></pl-file-preview>
</pl-submission-panel>
''')

PL_DOCKERFILE = Template('''# The grading image for this question (written by `dlgrade export prairielearn`).
# Build and push it, then name it in info.json ("image"):
#   docker build -t YOUR_ORG/dlgrade-grader . && docker push YOUR_ORG/dlgrade-grader
# Graders run without network by default, so dlgrade must be in the image.
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap \\
 && rm -rf /var/lib/apt/lists/* \\
 && python -m venv /opt/dlgrade-venv \\
 && /opt/dlgrade-venv/bin/pip install --no-cache-dir $spec
''')

CLASSROOM_README = Template('''# $title

Your work goes in `$module.py`: fill in every function (replace each
`raise NotImplementedError`). `GUIDE.md` says exactly what is checked.

## Check your work before you push

```console
$$ python -m pip install $spec
$$ dlgrade check $assignment $module.py          # score and feedback
$$ dlgrade check $assignment $module.py -v       # also reproduction snippets
$$ dlgrade check $assignment $module.py --watch  # again on every save
```

## How you are graded

Every push runs `.github/workflows/classroom.yml`, which grades `$module.py`
with the same checks as the command above. The "Grade" step prints the full feedback;
then one autograding test per function passes when that function gets full
marks, and is worth its points ($total in all).$hidden

Do not edit `.github/workflows/classroom.yml`$assignment_note: your
instructor sees every change.
''')

CLASSROOM_GITIGNORE = '''# Written by `dlgrade export github-classroom`.
__pycache__/
*.pyc
.ipynb_checkpoints/
.venv/
.dlgrade/
report.html
'''


def gradescope_run(**kw) -> str:
    return GRADESCOPE_RUN.substitute(find_dlgrade=_FIND_DLGRADE, **kw)


def pl_run(**kw) -> str:
    return PL_RUN.substitute(find_dlgrade=_FIND_DLGRADE, **kw)

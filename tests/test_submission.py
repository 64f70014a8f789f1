"""Loading submissions without running them, and the static import scan."""

from __future__ import annotations

import json
import os

import pytest

from dlgrade.grader.submission import (
    SubmissionError,
    load_submission,
    notebook_source,
    static_scan,
)


def write(path, text: str | bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode()
    path.write_bytes(text)
    return path


def notebook(cells, **meta) -> str:
    return json.dumps({
        "nbformat": 4, "nbformat_minor": 5, "metadata": meta,
        "cells": [{"cell_type": kind, "metadata": {}, "source": src, **({"outputs": []} if kind == "code" else {})}
                  for kind, src in cells],
    })


# ------------------------------------------------------------------ files and folders


def test_python_file(tmp_path):
    sub = load_submission(write(tmp_path / "my_activations.py", "def relu(z):\n    return z\n"))
    assert sub.module_name == "my_activations"
    assert sub.files == (("my_activations.py", b"def relu(z):\n    return z\n"),)
    assert "def relu" in sub.source_text and sub.kind == "module"


@pytest.mark.parametrize("stem", ["numpy", "random", "my-activations", "class", "_private", "2nd"])
def test_names_that_cannot_be_imported_as_such_become_submission(tmp_path, stem):
    sub = load_submission(write(tmp_path / f"{stem}.py", "x = 1\n"))
    assert sub.module_name == "submission"
    assert sub.files[0][0] == "submission.py"


def test_package_folder(tmp_path):
    write(tmp_path / "hw" / "__init__.py", "from .impl import relu\n")
    write(tmp_path / "hw" / "impl.py", "def relu(z):\n    return z\n")
    write(tmp_path / "hw" / "__pycache__" / "impl.cpython-311.pyc", b"\0")
    write(tmp_path / "hw" / ".git" / "config", "secret")
    sub = load_submission(tmp_path / "hw")
    assert sub.module_name == "hw"
    assert sorted(rel for rel, _ in sub.files) == ["hw/__init__.py", "hw/impl.py"]
    assert "from .impl import relu" in sub.source_text


def test_folder_with_the_assignment_module(tmp_path):
    write(tmp_path / "alice" / "activations.py", "import helpers\n")
    write(tmp_path / "alice" / "helpers.py", "X = 1\n")
    write(tmp_path / "alice" / "weights.npy", b"\x93NUMPY")
    sub = load_submission(tmp_path / "alice", module="activations")
    assert sub.module_name == "activations"
    assert {rel for rel, _ in sub.files} == {"activations.py", "helpers.py", "weights.npy"}
    with pytest.raises(SubmissionError, match="losses.py"):
        load_submission(tmp_path / "alice", module="losses")


def test_symlinks_are_never_followed(tmp_path):
    secret = write(tmp_path / "secret.txt", "root's secret")
    folder = tmp_path / "bob"
    write(folder / "activations.py", "x = 1\n")
    os.symlink(secret, folder / "stolen.txt")
    os.symlink(secret, folder / "stolen.py")
    sub = load_submission(folder, module="activations")
    assert [rel for rel, _ in sub.files] == ["activations.py"]
    assert all(b"secret" not in data for _, data in sub.files)


def test_not_a_submission(tmp_path):
    with pytest.raises(SubmissionError, match="does not exist"):
        load_submission(tmp_path / "nope.py")
    with pytest.raises(SubmissionError, match="expected a .py file"):
        load_submission(write(tmp_path / "answers.txt", "x"))
    write(tmp_path / "many" / "a.py", "")
    write(tmp_path / "many" / "b.py", "")
    with pytest.raises(SubmissionError, match="no __init__.py"):
        load_submission(tmp_path / "many")


def test_size_cap(tmp_path, monkeypatch):
    from dlgrade.grader import submission

    monkeypatch.setattr(submission, "MAX_FILE_BYTES", 100)
    with pytest.raises(SubmissionError, match="more than the 100 allowed"):
        load_submission(write(tmp_path / "big.py", "#" * 200))


# ------------------------------------------------------------------ decoding


def test_invalid_utf8_is_a_clear_error(tmp_path):
    path = write(tmp_path / "act.py", b"import numpy as np\n# caf\xe9\ndef relu(z):\n    return z\n")
    with pytest.raises(SubmissionError) as info:
        load_submission(path)
    message = str(info.value)
    assert "act.py is not valid utf-8 text: byte 0xe9 at line 2, column 6" in message
    assert "Save the file as UTF-8" in message


def test_declared_encodings_and_bom_are_honoured(tmp_path):
    latin = write(tmp_path / "latin.py", b"# -*- coding: latin-1 -*-\n# caf\xe9\nx = 1\n")
    assert "café" in load_submission(latin).source_text
    bom = write(tmp_path / "bom.py", b"\xef\xbb\xbfx = 1\n")
    assert load_submission(bom).source_text == "x = 1\n"
    unknown = write(tmp_path / "odd.py", b"# -*- coding: klingon -*-\nx = 1\n")
    with pytest.raises(SubmissionError, match="odd.py"):
        load_submission(unknown)


# ------------------------------------------------------------------ notebooks


def test_notebook_magics_are_neutralised(tmp_path):
    text = notebook([
        ("markdown", "# Title"),
        ("code", ["%matplotlib inline\n", "import numpy as np\n", "!pip install torch\n"]),
        ("code", "%%bash\necho hi\n"),
        ("code", "%%time\ndef relu(z):\n    return np.maximum(z, 0)\n"),
        ("code", "files = !ls\nnp.sum?\nif True:\n    %time relu(1)\n"),
        ("code", ""),
        ("code", "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))"),
    ], kernelspec={"language": "python", "name": "python3"})
    sub = load_submission(write(tmp_path / "hw.ipynb", text))
    assert sub.kind == "notebook" and sub.module_name == "hw"
    compile(sub.files[0][1].decode(), "hw.py", "exec")  # the cell-by-cell runner the child imports
    source = sub.source_text  # the cells' code, for the static scan and line origins
    compile(source, "hw.py", "exec")
    assert "echo hi" not in source and "pip install" not in source
    assert "def relu" in source and "def sigmoid" in source
    assert "    pass  # IPython syntax dropped" in source  # indentation kept
    lines = source.splitlines()
    assert sub.origin(lines.index("def sigmoid(z):") + 1) == "cell 7, line 1"
    assert sub.origin(lines.index("def relu(z):") + 1) == "cell 4, line 2"


@pytest.mark.parametrize("text, match", [
    ('{"cells": [', "broken JSON at line 1"),
    ("[1, 2]", "top level is not an object"),
    ('{"metadata": {}}', "no list of cells"),
    ('{"cells": [5]}', "cell 1 is not an object"),
    ('{"cells": [{"cell_type": "code", "source": 5}]}', "source of cell 1 is not text"),
    (notebook([("code", "x <- 1")], kernelspec={"language": "R"}), "is a R notebook"),
    (notebook([("code", "1")], language_info={"name": "julia"}), "julia notebook"),
])
def test_broken_notebooks(tmp_path, text, match):
    with pytest.raises(SubmissionError, match=match):
        load_submission(write(tmp_path / "nb.ipynb", text))


def test_odd_metadata_is_ignored(tmp_path):
    text = json.dumps({"metadata": ["odd"], "nbformat": 4,
                       "cells": [{"cell_type": "code", "source": "x = 1", "metadata": 7}]})
    sub = load_submission(write(tmp_path / "nb.ipynb", text))
    assert "x = 1" in sub.source_text


def test_nbformat3_worksheets():
    text = json.dumps({"nbformat": 3, "worksheets": [{"cells": [
        {"cell_type": "code", "input": ["y = 2\n"], "language": "python"}]}]})
    source, cells = notebook_source(text.encode(), "old.ipynb")
    assert "y = 2" in source and cells[0][1] == 1


# ------------------------------------------------------------------ static scan


SOURCE = '''\
import numpy as np
import torch.nn as nn, math
from torch import tensor
from scipy import signal
from scipy.signal import convolve2d
from scipy import linalg
from . import torch
import importlib
m = importlib.import_module("dlgrade.reference.activations")
t = __import__("torch")
s = "import torch"  # a string, not an import
def f():
    import dlgrade.checks.table
'''


def test_static_scan_finds_forbidden_imports():
    found = static_scan(SOURCE, ["torch", "scipy.signal", "dlgrade.reference", "dlgrade.checks.table"])
    assert found == [
        ("torch.nn", 2), ("torch", 3), ("scipy.signal", 4), ("scipy.signal", 5),
        ("dlgrade.reference.activations", 9), ("torch", 10), ("dlgrade.checks.table", 13),
    ]
    assert static_scan(SOURCE, []) == []
    assert static_scan("import torchvision\n", ["torch"]) == []


def test_static_scan_survives_syntax_errors():
    broken = "import torch\ndef f(:\n    from scipy.signal import x\n    y = __import__('torch')\n"
    assert static_scan(broken, ["torch", "scipy.signal"]) == [
        ("torch", 1), ("scipy.signal", 3), ("torch", 4),
    ]


def test_a_submission_that_is_itself_a_symlink_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0\n")
    link = tmp_path / "activations.py"
    os.symlink(secret, link)
    with pytest.raises(SubmissionError, match="symbolic link"):
        load_submission(link, "activations")

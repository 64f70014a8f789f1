"""The sandbox as a Student: calls, batches, errors, capture, cleanup, limits."""

from __future__ import annotations

import os
import stat
import sys
import textwrap
import time

import numpy as np
import pytest

from dlgrade.checks.student import StudentError
from dlgrade.grader import sandbox as sandbox_module
from dlgrade.grader.sandbox import Limits, Sandbox, SandboxError
from dlgrade.grader.submission import load_submission

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the sandbox needs POSIX")

FAST = Limits(call_timeout=2.0, import_timeout=5.0, total_timeout=30.0, memory_mb=1024,
              processes=32, output_bytes=1000)
ROOT = os.geteuid() == 0

GOOD = """\
import numpy as np
print("imported")

def relu(z):
    return np.maximum(z, 0)

def adam_like(w, dw, state, lr):
    m = state.get("m", np.zeros_like(w)) * 0.9 + dw
    return w - lr * m, {"m": m, "t": state.get("t", 0) + 1}

def kinds(*args, **kwargs):
    return [type(a).__name__ for a in args] + sorted(kwargs)

def chatty(n):
    for i in range(n):
        print("line", i)
    return n

def whoami():
    import os
    return [os.getuid(), os.getcwd(), sorted(os.listdir("."))]
"""


def make(tmp_path, source: str, name: str = "student.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return load_submission(path)


@pytest.fixture
def good(tmp_path):
    with Sandbox(make(tmp_path, GOOD), ["relu", "adam_like", "kinds", "chatty", "whoami", "gone"],
                 FAST) as sb:
        yield sb


def test_calls_return_plain_numbers(good):
    assert good.import_error is None
    assert good.has("relu") and not good.has("gone") and not good.has("never_asked")
    out = good.call("relu", (np.array([-1.0, 2.0]),))
    assert type(out) is np.ndarray and out.tolist() == [0.0, 2.0]
    w, state = good.call("adam_like", (np.ones(2), np.ones(2), {}, 0.1))
    assert w.tolist() == [0.9, 0.9] and state["t"] == 1 and state["m"].tolist() == [1.0, 1.0]
    assert good.call("kinds", (np.float64(1), 2, 3.0, "s", [np.ones(1)], {"a": 1}),
                     {"k": None}) == ["float64", "int", "float", "str", "list", "dict", "k"]


def test_missing_function(good):
    with pytest.raises(StudentError) as info:
        good.call("gone", (1,))
    assert info.value.kind == "missing"


def test_call_many_is_one_round_trip(good, monkeypatch):
    good.start()
    sends = []
    real = good._res.chan.send
    monkeypatch.setattr(good._res.chan, "send", lambda frame: (sends.append(len(frame)), real(frame)))
    calls = [((np.array([float(i - 50)]),), {}) for i in range(100)]
    out = good.call_many("relu", calls)
    assert len(sends) == 1
    assert [o.item() for o in out] == [max(i - 50, 0.0) for i in range(100)]
    assert good.call_many("relu", []) == []


def test_child_is_started_once_and_answers_fast(good):
    z = np.random.default_rng(0).normal(size=10)
    good.call("relu", (z,))
    t = time.perf_counter()
    for _ in range(200):
        good.call("relu", (z,))
    per_call = (time.perf_counter() - t) / 200
    assert good.child_starts == 1
    assert per_call < 0.05  # generous: a sanity bound, not a benchmark


def test_output_is_captured_and_capped(good):
    assert good.call("chatty", (5000,)) == 5000
    out = good.stdout_text()
    assert out.startswith("imported\nline 0\n")
    assert "more bytes not shown" in out or "output truncated" in out
    assert len(out) < FAST.output_bytes + 100
    assert good.stderr_text() == ""


def test_work_dir_is_private_and_removed(good):
    uid, cwd, files = good.call("whoami", ())
    assert files == ["student.py"]
    root = os.path.dirname(cwd)
    if ROOT:
        assert uid == good._res.uid >= sandbox_module.UID_BASE
        info = os.stat(cwd)
        assert info.st_uid == uid and stat.S_IMODE(info.st_mode) == 0o700
    good.close()
    assert not os.path.exists(root)
    with pytest.raises(SandboxError, match="closed"):
        good.call("relu", (np.ones(1),))


@pytest.mark.skipif(not ROOT, reason="uids are per sandbox only as root")
def test_concurrent_sandboxes_get_distinct_uids(tmp_path):
    sub = make(tmp_path, GOOD)
    with Sandbox(sub, ["whoami"], FAST) as a, Sandbox(sub, ["whoami"], FAST) as b:
        assert a.call("whoami", ())[0] != b.call("whoami", ())[0]


def test_import_errors_name_file_and_line(tmp_path):
    broken = make(tmp_path, "import numpy as np\n\ndef relu(z)\n    return z\n")
    with Sandbox(broken, ["relu"], FAST) as sb:
        err = sb.import_error
        assert err.kind == "exception"
        assert "SyntaxError" in err.message and "(student.py, line 3)" in err.message
        assert not sb.has("relu")
        with pytest.raises(StudentError) as info:
            sb.call("relu", (1,))
        assert info.value.message == err.message
        assert sb.child_starts == 1  # a broken import is not retried per call
    nameerror = make(tmp_path, "x = 1\ny = undefined_name\n", "other.py")
    with Sandbox(nameerror, ["relu"], FAST) as sb:
        assert "NameError" in sb.import_error.message
        assert "(other.py, line 2)" in sb.import_error.message


def test_notebook_import_error_names_the_cell(tmp_path):
    import json

    nb = {"nbformat": 4, "metadata": {}, "cells": [
        {"cell_type": "code", "source": "import numpy as np\n%matplotlib inline", "metadata": {}},
        {"cell_type": "markdown", "source": "text", "metadata": {}},
        {"cell_type": "code", "source": "def relu(z):\n    return np.maximum(z, 0)", "metadata": {}},
        {"cell_type": "code", "source": "relu(np.ones(2))\nplot(1)", "metadata": {}},
    ]}
    path = tmp_path / "hw.ipynb"
    path.write_text(json.dumps(nb))
    # Each cell runs on its own: the failing cell is reported, relu is still graded.
    with Sandbox(load_submission(path), ["relu", "_dlgrade_notebook_errors"], FAST) as sb:
        assert sb.import_error is None
        (error,) = sb.call("_dlgrade_notebook_errors", ())
        assert error.startswith("cell 4 of hw.ipynb, line 2: NameError"), error
        assert sb.call("relu", (np.array([-1.0, 1.0]),)).tolist() == [0.0, 1.0]
    nb["cells"].pop()
    path.write_text(json.dumps(nb))
    with Sandbox(load_submission(path), ["relu"], FAST) as sb:
        assert sb.call("relu", (np.array([-1.0, 1.0]),)).tolist() == [0.0, 1.0]


def test_limits_in_force_are_reported(good):
    good.call("relu", (np.ones(1),))
    got = good.limits_in_force()
    assert got["call_timeout"] and got["total_timeout"]
    if sys.platform.startswith("linux"):
        assert got["memory"] and got["cpu"] and got["file_size"] and got["open_files"]
        assert got["processes"]
    assert got["separate_user"] is ROOT
    assert got["no_network"] is False


def test_limits_validation():
    with pytest.raises(ValueError, match="call_timeout"):
        Limits(call_timeout=0)
    with pytest.raises(ValueError, match="processes"):
        Limits(processes=-1)


def test_mode_validation(tmp_path):
    with pytest.raises(ValueError, match="mode"):
        Sandbox(make(tmp_path, GOOD), ["relu"], FAST, mode="docker")


ESCAPER = """\
import os
import numpy as np

_PID = []

def relu(z):
    if not _PID:
        r, w = os.pipe()
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.write(w, str(os.getpid()).encode())
                os.execve("/bin/sleep", ["sleep", "1000"], {})  # no marker left in its environment
            os._exit(0)
        _PID.append(int(os.read(r, 32)))
    return np.maximum(z, 0)

def pid():
    return _PID[0]
"""


def test_escaped_daemon_is_killed_without_a_uid_of_its_own(tmp_path, monkeypatch):
    """The non-root path: no uid to kill by, so session, marker and subreaper must do."""
    if not sys.platform.startswith("linux"):
        pytest.skip("needs /proc and PR_SET_CHILD_SUBREAPER")
    monkeypatch.setattr(sandbox_module.os, "geteuid", lambda: 1000)
    sb = Sandbox(make(tmp_path, ESCAPER), ["relu", "pid"], FAST)
    with sb:
        assert sb._res.uid is None
        sb.call("relu", (np.ones(1),))
        pid = sb.call("pid", ())
        with open(f"/proc/{pid}/environ", "rb") as fh:
            assert b"DLGRADE" not in fh.read()
    for _ in range(100):
        if not os.path.exists(f"/proc/{pid}"):
            break
        time.sleep(0.01)
    assert not os.path.exists(f"/proc/{pid}")


def test_restart_after_crash_is_reported(tmp_path):
    src = "import os\nimport numpy as np\ndef relu(z):\n    if z[0] > 0:\n        os._exit(7)\n    return z\n"
    with Sandbox(make(tmp_path, src), ["relu"], FAST) as sb:
        with pytest.raises(StudentError) as info:
            sb.call("relu", (np.ones(1),))
        assert info.value.kind == "crash"
        assert "exited with status 7 during the call" in info.value.message
        assert sb.call("relu", (-np.ones(1),)).tolist() == [-1.0]
        assert sb.child_starts == 2
        assert any("status 7" in e and "restarted" in e for e in sb.events)


def test_finalizer_cleans_up_a_forgotten_sandbox(tmp_path):
    sb = Sandbox(make(tmp_path, GOOD), ["relu"], FAST)
    sb.start()
    root, pid = sb._res.root, sb._res.proc.pid
    del sb
    import gc

    gc.collect()
    assert not os.path.exists(root)
    assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split(") ")[1][0] == "Z"

"""Hostile and broken submissions against the sandbox.

Each module in tests/hostile/ says in its docstring what it does and what
the honest outcome is, with machine-readable lines::

    expect relu: timeout "took longer than"     (outcomes separated by |)
    expect import: crash                        (the import fails with that kind)
    forbid: torch                               (forbidden imports for this module)
    needs: root                                 (only run with the uid drop in place)

Outcomes: ok (the reference's numbers), wrong (a plain value that is not
them), value (any plain value), unsupported, or a StudentError kind. For
every module we also check: the wall time stays within the limits plus a
margin, and no process of the sandbox outlives close().
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import resource
import shutil
import socket
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from dlgrade.checks.student import StudentError
from dlgrade.checks.values import Unsupported
from dlgrade.grader.sandbox import Limits, Sandbox, _processes
from dlgrade.grader.submission import load_submission

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux /proc")

HOSTILE = Path(__file__).parent / "hostile"
MODULES = sorted(HOSTILE.glob("*.py"))
LIMITS = Limits(
    call_timeout=1.0, import_timeout=2.0, total_timeout=25.0, memory_mb=512, cpu_seconds=10,
    file_size_mb=4, open_files=64, processes=24, output_bytes=4096, message_mb=8,
)
Z = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
REFERENCE = {"relu": lambda z: np.maximum(z, 0), "sigmoid": lambda z: 1 / (1 + np.exp(-z))}
KINDS = {"timeout", "crash", "exception", "forbidden", "missing", "mutated", "not-implemented"}
ROOT = os.geteuid() == 0


def parse_spec(path: Path) -> dict:
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    spec = {"expect": {}, "forbid": (), "root": False}
    for line in doc.splitlines():
        if m := re.match(r'\s*expect (\w+): ([\w|-]+)(?: "(.*)")?\s*$', line):
            spec["expect"][m.group(1)] = (set(m.group(2).split("|")), m.group(3))
        elif m := re.match(r"\s*forbid: (.*)$", line):
            spec["forbid"] = tuple(s.strip() for s in m.group(1).split(","))
        elif line.startswith("needs: root"):
            spec["root"] = True
    assert spec["expect"], f"{path.name}: no 'expect' lines in its docstring"
    for outcomes, _ in spec["expect"].values():
        assert outcomes <= KINDS | {"ok", "wrong", "value", "unsupported"}, path.name
    return spec


def classify(name: str, value) -> str:
    if isinstance(value, Unsupported):
        return "unsupported"
    if type(value) is np.ndarray and value.dtype == np.float64 and value.shape == Z.shape:
        if np.allclose(value, REFERENCE[name](Z), rtol=1e-12, atol=0):
            return "ok"
    return "wrong"


def outcome(sb: Sandbox, name: str):
    try:
        value = sb.call(name, (Z.copy(),))
    except StudentError as exc:
        return exc.kind, exc.message, None
    return classify(name, value), "", value


def stray_processes(uid: int | None, marker: bytes) -> list[int]:
    """Live processes of a closed sandbox: by uid (root) or environment marker."""
    out = []
    for p in _processes():
        if p["state"] == "Z" or p["pid"] == os.getpid():
            continue
        if uid is not None and uid in p["uids"]:
            out.append(p["pid"])
            continue
        try:
            with open(f"/proc/{p['pid']}/environ", "rb") as fh:
                if marker in fh.read():
                    out.append(p["pid"])
        except OSError:
            pass
    return out


def assert_clean(sb: Sandbox) -> None:
    uid, marker = sb._res.uid, sb._res.marker
    root = None
    sb.close()
    assert stray_processes(uid, marker) == []
    assert sb._res.root is root
    if uid is not None:
        for folder in ("/tmp", "/var/tmp", "/dev/shm"):
            for entry in os.scandir(folder):
                assert entry.stat(follow_symlinks=False).st_uid != uid, entry.path


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_hostile_module(path):
    spec = parse_spec(path)
    if spec["root"] and not ROOT:
        pytest.skip("without root the child runs as the developer: these attempts would succeed")
    names = ["relu", "sigmoid"]
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.monotonic()
    sb = Sandbox(load_submission(path), names, LIMITS, spec["forbid"])
    try:
        sb.start()
        expect = dict(spec["expect"])
        if "import" in expect:
            kinds, text = expect.pop("import")
            assert sb.import_error is not None and sb.import_error.kind in kinds, sb.import_error
            if text:
                assert text in sb.import_error.message
            for name in names:
                with pytest.raises(StudentError) as info:
                    sb.call(name, (Z,))
                assert info.value.kind == sb.import_error.kind
        else:
            assert sb.import_error is None, sb.import_error
        calls = 0
        for name, (kinds, text) in expect.items():
            got, message, value = outcome(sb, name)
            calls += 1
            if "value" in kinds and got in ("ok", "wrong"):
                got = "value"
            assert got in kinds, f"{name}: got {got} {message!r} {value!r}"
            if text:
                assert text in message, message
            assert "\n" not in message
        # After whatever happened, an honest call in this sandbox still works
        # (possibly in a restarted child) unless the import itself failed.
        if "import" not in spec["expect"] and spec["expect"].get("sigmoid", ({""},))[0] == {"ok"}:
            assert outcome(sb, "sigmoid")[0] == "ok"
            calls += 1
        elapsed = time.monotonic() - t0
        budget = LIMITS.import_timeout * 2 + calls * (LIMITS.call_timeout + 1.5) + 3.0
        assert elapsed < budget, f"took {elapsed:.1f} s"
    finally:
        t1 = time.monotonic()
        assert_clean(sb)
        assert time.monotonic() - t1 < 3.0, "close() was slow"
    # The parent never holds more than one bounded frame.
    peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert peak_after - peak_before < 200_000, "parent memory grew by more than 200 MB"


def test_output_is_captured_and_truncated():
    with Sandbox(load_submission(HOSTILE / "stdout_flood.py"), ["relu"], LIMITS) as sb:
        assert outcome(sb, "relu")[0] == "ok"
        out, err = sb.stdout_text(), sb.stderr_text()
    assert out.startswith("x" * 100) and "more bytes not shown" in out
    assert len(out) < LIMITS.output_bytes + 100
    assert err.startswith("e" * 100) and len(err) < LIMITS.output_bytes + 100


def test_daemon_is_killed_by_close():
    sb = Sandbox(load_submission(HOSTILE / "daemon.py"), ["relu", "daemon_pid"], LIMITS)
    with sb:
        assert outcome(sb, "relu")[0] == "ok"
        pid = sb.call("daemon_pid", ())
        assert pid > 0 and os.path.exists(f"/proc/{pid}")
        with open(f"/proc/{pid}/stat") as fh:
            assert fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    # Dead and reaped: the grader is its subreaper.
    for _ in range(100):
        if not os.path.exists(f"/proc/{pid}"):
            break
        time.sleep(0.01)
    assert not os.path.exists(f"/proc/{pid}")


def test_secrets_and_neighbours_are_invisible(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_TOKEN", "hunter2-do-not-leak")
    folder = tmp_path / "submissions"
    folder.mkdir()
    mine = folder / "alice.py"
    shutil.copy(HOSTILE / "read_secrets.py", mine)
    neighbour = folder / "bob.py"
    neighbour.write_text("# bob's answers\n")
    with Sandbox(load_submission(mine), ["relu", "leaks"], LIMITS) as sb:
        found = sb.call("leaks", ([str(neighbour), str(mine), "/root/.bashrc"],))
    assert "SECRET_TOKEN" not in found["environ"]
    assert "hunter2" not in repr(found)
    assert set(found["environ"]) <= {
        "PATH", "HOME", "TMPDIR", "LANG", "PYTHONHASHSEED", "PYTHONDONTWRITEBYTECODE",
        "PYTHONUTF8", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
        "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "DLGRADE_SANDBOX",
    }
    if ROOT:  # pytest's tmp_path is private (mode 700) and the child is another uid
        assert [k for k in found if k != "environ"] == []


def _tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(str(path).encode() + path.read_bytes())
    return h.hexdigest()


@pytest.mark.skipif(not ROOT, reason="without root the child runs as the grading user")
def test_grader_files_are_untouched():
    grader = Path(__file__).resolve().parent.parent / "grader"
    before = _tree_digest(grader)
    with Sandbox(load_submission(HOSTILE / "write_outside.py"), ["relu"], LIMITS) as sb:
        assert outcome(sb, "relu")[0] == "ok"  # zero writes succeeded
    assert _tree_digest(grader) == before
    assert not (grader / "pwned.py").exists()
    assert not Path("/root/pwned.txt").exists()


def test_original_submission_is_untouched(tmp_path):
    copy = tmp_path / "files_workdir.py"
    shutil.copy(HOSTILE / "files_workdir.py", copy)
    before = copy.read_bytes()
    with Sandbox(load_submission(copy), ["relu"], LIMITS) as sb:
        assert outcome(sb, "relu")[0] == "ok"  # deletes its own copy
    assert copy.read_bytes() == before


@pytest.mark.skipif(not ROOT, reason="leftover files are found by the sandbox uid")
def test_tmp_leftovers_are_removed():
    with Sandbox(load_submission(HOSTILE / "files_workdir.py"), ["sigmoid"], LIMITS) as sb:
        assert outcome(sb, "sigmoid")[0] == "ok"
        assert os.path.exists("/tmp/dlgrade-hostile-leftover.txt")
    assert not os.path.exists("/tmp/dlgrade-hostile-leftover.txt")
    assert not [p for p in os.listdir("/tmp") if p.startswith("dlgrade-hostile-dir-")]


def test_network_in_rlimits_mode_is_not_isolated():
    """Documented: without bwrap the child can reach the network."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        with Sandbox(load_submission(HOSTILE / "network.py"), ["connect"], LIMITS) as sb:
            assert sb.call("connect", (port,)) == "connected"
            assert sb.limits_in_force()["no_network"] is False


def test_other_sandboxes_keep_working_during_a_fork_bomb():
    bomb = Sandbox(load_submission(HOSTILE / "fork_bomb.py"), ["relu", "sigmoid"], LIMITS)
    calm = Sandbox(load_submission(HOSTILE / "slow_but_ok.py"), ["relu", "sigmoid"],
                   LIMITS, slot=0)
    with bomb, calm:
        assert bomb._res.uid != calm._res.uid or not ROOT
        assert outcome(bomb, "relu")[0] in ("timeout", "crash")
        assert outcome(calm, "sigmoid")[0] == "ok"
    assert_clean(bomb)
    assert_clean(calm)


def test_time_budget_is_enforced():
    limits = Limits(call_timeout=0.6, import_timeout=3.0, total_timeout=2.0, memory_mb=512,
                    processes=24, message_mb=8)
    t0 = time.monotonic()
    with Sandbox(load_submission(HOSTILE / "loop_call.py"), ["relu", "sigmoid"], limits) as sb:
        kinds = [outcome(sb, "relu")[:2] for _ in range(6)]
        t1 = time.monotonic()
        late = outcome(sb, "sigmoid")
        assert time.monotonic() - t1 < 0.1  # fails fast
    assert time.monotonic() - t0 < limits.total_timeout + 2.5
    assert all(k == "timeout" for k, _ in kinds)
    assert "whole time budget" in kinds[-1][1]
    assert late[0] == "timeout" and "budget" in late[1]
    assert any("timed out after 0.6 s" in e for e in sb.events)


def test_call_many_survives_one_bad_item(tmp_path):
    src = tmp_path / "picky.py"
    src.write_text(
        "import numpy as np\n"
        "def relu(z):\n"
        "    while z[0] == 42:\n"
        "        pass\n"
        "    return np.maximum(z, 0)\n"
    )
    calls = [((Z + i * (i != 2) + 42 * (i == 2) - Z[0] * (i == 2),), {}) for i in range(5)]
    assert calls[2][0][0][0] == 42
    with Sandbox(load_submission(src), ["relu"], LIMITS) as sb:
        results = sb.call_many("relu", calls)
        assert sb.child_starts == 2  # one restart
    for i, r in enumerate(results):
        if i == 2:
            assert isinstance(r, StudentError) and r.kind == "timeout"
        else:
            np.testing.assert_array_equal(r, np.maximum(calls[i][0][0], 0))


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
class TestBwrap:
    def test_network_is_cut(self):
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            port = server.getsockname()[1]
            with Sandbox(load_submission(HOSTILE / "network.py"), ["connect", "relu"], LIMITS,
                         mode="bwrap") as sb:
                assert sb.import_error is None, sb.import_error
                assert outcome(sb, "relu")[0] == "ok"
                assert sb.call("connect", (port,)).startswith("refused")
                assert sb.limits_in_force()["no_network"] is True

    @pytest.mark.parametrize("name", ["loop_call", "fork_bomb", "daemon", "write_outside",
                                      "protocol_garbage", "memory_bomb"])
    def test_hostile_under_bwrap(self, name):
        path = HOSTILE / f"{name}.py"
        spec = parse_spec(path)
        if spec["root"] and not ROOT:
            pytest.skip("needs the uid drop")
        sb = Sandbox(load_submission(path), ["relu", "sigmoid"], LIMITS, mode="bwrap")
        with sb:
            assert sb.import_error is None, sb.import_error
            for fn, (kinds, _) in spec["expect"].items():
                assert outcome(sb, fn)[0] in kinds
        assert_clean(sb)

    def test_neighbours_are_not_mounted(self, tmp_path):
        folder = tmp_path / "subs"
        folder.mkdir()
        mine = folder / "alice.py"
        shutil.copy(HOSTILE / "read_secrets.py", mine)
        neighbour = folder / "bob.py"
        neighbour.write_text("# bob\n")
        os.chmod(tmp_path, 0o755)
        os.chmod(folder, 0o755)
        os.chmod(neighbour, 0o644)  # world-readable: only the mount namespace hides it
        with Sandbox(load_submission(mine), ["leaks"], LIMITS, mode="bwrap") as sb:
            found = sb.call("leaks", ([str(neighbour)],))
        assert str(neighbour) not in found


def test_bwrap_missing_says_how_to_install(monkeypatch):
    from dlgrade.grader import sandbox as sandbox_module

    monkeypatch.setattr(sandbox_module.shutil, "which", lambda name: None)
    sb = Sandbox(load_submission(HOSTILE / "slow_but_ok.py"), ["relu"], LIMITS, mode="bwrap")
    with pytest.raises(sandbox_module.SandboxError, match="apt-get install bubblewrap"):
        sb.start()
    sb.close()

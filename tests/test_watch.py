"""`dlgrade check --watch`: re-runs on a change, stops cleanly."""

import io
import os
import threading
import time

from dlgrade.grader.watch import snapshot, watch_loop


def _wait_for(cond, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return False


def _touch(path, text):
    path.write_text(text)
    # Some filesystems keep mtime to the second: make the change visible regardless.
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


def _start(run_once, path, **kw):
    stop = threading.Event()
    out = io.StringIO()
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("code", watch_loop(run_once, str(path), interval=0.05, stop=stop, out=out, **kw)))
    thread.start()
    return stop, thread, out, result


def test_reruns_when_the_file_changes_and_stops_on_request(tmp_path):
    sub = tmp_path / "activations.py"
    sub.write_text("x = 1\n")
    runs = []
    stop, thread, out, result = _start(lambda: runs.append(1) or 0, sub)
    try:
        assert _wait_for(lambda: len(runs) == 1), "runs once at start"
        time.sleep(0.2)
        assert len(runs) == 1, "no change, no re-run"
        _touch(sub, "x = 2\n")
        assert _wait_for(lambda: len(runs) == 2), "re-runs after a change"
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive() and result["code"] == 0
    assert "-" * 72 in out.getvalue(), "a separator between runs when not on a terminal"


def test_watches_every_python_file_of_a_folder(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("a = 1\n")
    (tmp_path / "notes.txt").write_text("ignored\n")
    runs = []
    stop, thread, _, result = _start(lambda: runs.append(1) or 1, tmp_path, max_runs=3)
    try:
        assert _wait_for(lambda: len(runs) == 1)
        _touch(tmp_path / "notes.txt", "still ignored\n")
        time.sleep(0.3)
        assert len(runs) == 1, "a .txt change does not re-run"
        (tmp_path / "pkg" / "b.py").write_text("b = 1\n")
        assert _wait_for(lambda: len(runs) == 2), "a new .py file re-runs"
        _touch(tmp_path / "pkg" / "a.py", "a = 2\n")
        assert _wait_for(lambda: len(runs) == 3)
        thread.join(5)
        assert not thread.is_alive(), "max_runs ends the loop"
    finally:
        stop.set()
        thread.join(5)
    assert result["code"] == 0


def test_an_exception_in_run_once_does_not_end_the_watch(tmp_path):
    sub = tmp_path / "s.py"
    sub.write_text("")
    calls = []

    def run_once():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return 0

    stop, thread, out, _ = _start(run_once, sub)
    try:
        assert _wait_for(lambda: len(calls) == 1)
        _touch(sub, "y = 1\n")
        assert _wait_for(lambda: len(calls) == 2)
    finally:
        stop.set()
        thread.join(5)
    assert "RuntimeError: boom" in out.getvalue()


def test_ctrl_c_exits_with_code_0(tmp_path):
    sub = tmp_path / "s.py"
    sub.write_text("")

    def run_once():
        raise KeyboardInterrupt

    out = io.StringIO()
    assert watch_loop(run_once, str(sub), interval=0.01, out=out) == 0
    assert "stopped watching" in out.getvalue()


def test_snapshot_skips_caches_and_hidden_folders(tmp_path):
    for rel in ("a.py", "nb.ipynb", "__pycache__/a.cpython-311.py", ".venv/x.py", "data.csv"):
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("1")
    assert sorted(os.path.basename(k) for k in snapshot(tmp_path)) == ["a.py", "nb.ipynb"]

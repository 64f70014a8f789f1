"""Batch grading of a whole class: discovery, resumable results, local or Dask workers.

    run_batch(assignment, submissions_dir, out_dir, BatchOptions()) -> BatchSummary

Guarantees:

- Layouts (``discover``): a plain folder (one .py, .ipynb or folder per
  student; the id is the name without extension), a Gradescope export
  (``submission_<id>/`` folders and ``submission_metadata.yml``) or a GitHub
  Classroom export (``<prefix>-<username>/`` repositories; the student's file
  is ``<module>.py`` or ``<module>.ipynb`` anywhere inside). The detected
  layout is reported; ``layout=`` forces one.
- What is graded is what is hashed: a submission is read once into a
  :class:`Payload` (the files ``load_submission`` would read), its sha256 goes
  into the result's key, and the worker grades a copy of exactly those bytes
  under the same file name. So a local and a Dask run give the same results
  (timing fields aside), and Dask workers need no shared filesystem.
- No lost work: each result is written as ``results/<id>.json`` as soon as
  it arrives (temp file in the same folder, fsync, os.replace), with a
  ``batch`` object holding its key (student, content sha256, dlgrade version,
  assignment hash, timeout, sandbox). With ``resume``, a stored "graded"
  result with the same key is kept, anything else is graded again; a batch
  killed at any moment and run again grades only the students without a
  current result, and leaves no torn file (leftover temp files are removed
  at start).
- Nothing stops the batch: a broken submission is a graded 0 with reasons
  (grade_submission); a dlgrade exception, a dead worker, or a student over
  the hard limit (2 x total_timeout + 30 s; the worker is killed) becomes a
  result with status "error", 0 points and the reason. Error results are
  retried by the next run.
- One grading process per job, each with its own sandbox slot; a grading
  process dies with its parent (PR_SET_PDEATHSIG on Linux).
- Symbolic links are never followed, at any depth: a student could point
  one at a file of the grading machine. A submission that is a symlink is
  graded 0 with that reason.

Outputs (``write_outputs``, from the stored results of the current roster):
gradebook.csv, mistakes.csv, summary.json, summary.html (plots embedded),
hist.png, checks.png, feedback/<id>.txt and feedback/<id>.<format>.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Callable, TextIO

from dlgrade import __version__
from dlgrade.assignments.manifest import Assignment

from .batch_discovery import (  # noqa: F401  (re-exported: the batch API lives here)
    LAYOUTS,
    BatchError,
    Discovery,
    Payload,
    StudentSubmission,
    assignment_hash,
    discover,
    hard_limit,
    parse_gradescope_metadata,
    read_payload,
    result_key,
)
from .batch_outputs import atomic_write, class_summary, slim, write_outputs  # noqa: F401

__all__ = ["BatchError", "BatchOptions", "BatchSummary", "Discovery", "GradingProcess", "LAYOUTS", "OutDir",
           "Payload", "StudentSubmission", "class_summary", "discover", "error_result", "grade_payload",
           "hard_limit", "parse_gradescope_metadata", "read_payload", "result_key", "run_batch", "run_task",
           "slim", "write_outputs"]

# ------------------------------------------------------------------ grading one payload


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def error_result(assignment: Assignment, student: str, display: str, reason: str, detail: str = "",
                 seconds: float = 0.0, status: str = "error", kind: str = "internal") -> dict:
    """A result in which every check errors with ``reason``: 0 points. status "error"
    (dlgrade failed: retried by the next run) or "graded" (the submission's fault)."""
    from dlgrade.checks.outcome import ERROR, Outcome

    from .result import CheckResult, FunctionResult, GradeResult

    functions = [FunctionResult(f, [CheckResult(f, c.check, c.points, c.visibility,
                                                Outcome(f, c.check, ERROR, summary=reason[:300], detail=detail[-3000:],
                                                        data={"error_kind": kind}))
                                    for c in assignment.checks_of(f)]) for f in assignment.functions]
    return GradeResult(assignment=assignment.name, title=assignment.title, submission=display, student=student,
                       functions=functions, status=status, notes=[reason], reproducibility={"dlgrade": __version__},
                       started_at=_now(), seconds=seconds).to_json()


def grade_payload(assignment: Assignment, payload: Payload, student: str, display: str,
                  timeout: float | None = None, sandbox: str = "rlimits", slot: int = 0) -> dict:
    """Grade a payload (copied to a fresh temp folder under its own name) -> result JSON dict.

    Never raises for a dlgrade failure: returns error_result with the traceback.
    The result's ``submission`` is ``display`` (the path on the coordinator).
    """
    from .grade import grade_submission

    t0 = time.perf_counter()
    if payload.refused:
        return error_result(assignment, student, display, payload.refused, status="graded", kind="load")
    with tempfile.TemporaryDirectory(prefix="dlgrade-batch-", dir=_work_root) as tmp:
        target = Path(tmp) / payload.name
        try:
            if payload.kind == "file":
                target.write_bytes(payload.files[0][1])
            else:
                target.mkdir()
                for rel, data in payload.files:
                    dest = target.joinpath(*rel.split("/"))
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(data)
            result = grade_submission(assignment, target, sandbox=sandbox, timeout=timeout, slot=slot,
                                      student_id=student).to_json()
        except Exception as exc:  # a bug in dlgrade or the setup: record it, go on
            return error_result(assignment, student, display,
                                f"internal error in dlgrade while grading ({type(exc).__name__}: {exc}); please report it",
                                traceback.format_exc(), time.perf_counter() - t0)
    result["submission"] = display
    return result


# ------------------------------------------------------------------ grading processes


class GradingProcess:
    """A `python -m dlgrade.grader.batch --worker` process that grades one payload at a time.

    Tasks and results cross a socketpair as pickles: both ends are dlgrade's
    own code (student code only ever runs in the sandbox below the worker).
    """

    def __init__(self, slot: int):
        import socket

        self.slot = slot
        ours, theirs = socket.socketpair()
        self._log = tempfile.TemporaryFile()
        # The worker's copies of submissions live here, removed by close() even if the worker was killed.
        self.tmp = tempfile.mkdtemp(prefix="dlgrade-worker-")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dlgrade.grader.batch", "--worker", str(theirs.fileno()), str(slot), str(os.getpid()), self.tmp],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log)
        theirs.close()
        self.conn = Connection(ours.detach())
        self.task: Any = None
        self.deadline = 0.0

    def send(self, task: dict, limit: float) -> None:
        self.task, self.deadline = task, time.monotonic() + limit
        try:
            self.conn.send(task)
        except OSError:
            pass  # the process died: receive() sees EOF and death_reason() says why

    def receive(self) -> dict | None:
        """The result, or None if the process died (see death_reason)."""
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            return None

    def alive(self) -> bool:
        return self.proc.poll() is None

    def death_reason(self) -> tuple[str, str]:
        code = self.proc.wait()
        self._log.seek(0)
        tail = self._log.read()[-3000:].decode(errors="replace")
        how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
        return f"the grading process died ({how}); this is a dlgrade problem, not the student's: please report it", tail

    def kill(self) -> None:
        """SIGTERM (the worker closes its sandbox), SIGKILL 3 s later if it is stuck in C code."""
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc.wait()
        self.close()
        if os.name == "posix" and os.geteuid() == 0:
            _reap_slot(self.slot)

    def close(self) -> None:
        try:
            self.conn.close()
        except OSError:
            pass
        if self.alive():
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def _reap_slot(slot: int) -> None:
    # A worker killed mid-grade cannot close its sandbox: kill what runs as the
    # slot's uid, as Sandbox.start would before reusing it (same helpers).
    from .sandbox import SandboxError, _claim_uid, _kill_uid, _remove_files_of

    try:
        uid, fd = _claim_uid(slot)
    except SandboxError:
        return
    try:
        _kill_uid(uid)
        _remove_files_of(uid)
    finally:
        os.close(fd)


def run_task(proc_holder: list, assignment: Assignment, task: dict, limit: float, slot: int) -> dict:
    """Grade one task in the holder's GradingProcess (started if needed); kill it past ``limit``."""
    if not proc_holder or not proc_holder[0].alive():
        proc_holder[:] = [GradingProcess(slot)]
    proc = proc_holder[0]
    t0 = time.monotonic()
    proc.send(task, limit)
    if wait([proc.conn], timeout=limit):
        result = proc.receive()
        if result is not None:
            return result
        reason, detail = proc.death_reason()
    else:
        proc.kill()
        reason, detail = f"grading took longer than the hard limit of {limit:g} s (2 x total_timeout + 30 s); the grading process was killed", ""
    proc_holder.clear()
    return error_result(assignment, task["student"], task["display"], reason, detail, time.monotonic() - t0)


_local = threading.local()
_slots = iter(range(10**6))
_slots_lock = threading.Lock()


def dask_grade(assignment: Assignment, task: dict, limit: float) -> dict:
    """The Dask task: grade in a grading process owned by this worker thread."""
    if not hasattr(_local, "holder"):
        with _slots_lock:
            _local.slot = next(_slots)
        _local.holder = []
    return run_task(_local.holder, assignment, task, limit, _local.slot)


_work_root: str | None = None  # set in a grading process: where grade_payload copies submissions


def _worker_main(fd: int, slot: int, parent: int, work_root: str) -> int:
    global _work_root
    _work_root = work_root
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: die with the coordinator
    # SIGTERM unwinds grade_submission's finally, which closes the sandbox.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if os.getppid() != parent:
        return 0
    conn = Connection(fd)
    from . import grade  # noqa: F401  (import the heavy modules once, before the first task)

    try:
        while True:
            try:
                task = conn.recv()
            except (EOFError, OSError):
                return 0
            # Keys starting with "_" are the coordinator's bookkeeping, not grade_payload's arguments.
            conn.send(grade_payload(slot=slot, **{k: v for k, v in task.items() if not k.startswith("_")}))
    finally:  # also when the coordinator died without close()
        shutil.rmtree(work_root, ignore_errors=True)


# ------------------------------------------------------------------ the output folder


def _json_bytes(obj: Any) -> bytes:
    try:
        return json.dumps(obj, indent=1, allow_nan=False, default=str).encode()
    except ValueError:  # a NaN that escaped to_plain: still keep the result
        return json.dumps(obj, indent=1, default=str).encode()


class OutDir:
    """The --out folder, locked against a second batch; leftover temp files are removed."""

    def __init__(self, out: Path):
        import fcntl

        self.root, self.results, self.feedback = out, out / "results", out / "feedback"
        try:
            for d in (self.root, self.results, self.feedback):
                d.mkdir(parents=True, exist_ok=True)
            self._lock = os.open(out / ".dlgrade-batch.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise BatchError(f"cannot write to {out}: {exc.strerror}; choose another --out") from None
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchError(f"another `dlgrade batch` is writing to {out}; wait for it or choose another --out") from None
        for d in (self.root, self.results, self.feedback):
            for leftover in d.glob(".*.tmp"):  # from a batch killed mid-write: never a result
                leftover.unlink(missing_ok=True)

    def load(self, student: str) -> dict | None:
        try:
            data = json.loads((self.results / f"{student}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        # Anything but a complete result of ours (hand-edited, older) is graded again.
        ok = isinstance(data, dict) and isinstance(data.get("batch"), dict) and isinstance(data.get("functions"), list) \
            and all(isinstance(data.get(k), (int, float)) for k in ("score", "max_score", "percent"))
        return data if ok else None

    def store(self, student: str, result: dict, formats: tuple[str, ...]) -> None:
        atomic_write(self.results / f"{student}.json", _json_bytes(result))
        self.write_feedback(student, result, formats)

    def _feedback_paths(self, student: str, formats: tuple[str, ...]) -> list[Path]:
        return [self.feedback / f"{student}.txt"] + [self.feedback / f"{student}.{f}.{FEEDBACK_SUFFIX[f]}" for f in formats]

    def feedback_stale(self, student: str, formats: tuple[str, ...]) -> bool:
        """A feedback file is missing or older than the stored result."""
        stamp = (self.results / f"{student}.json").stat().st_mtime_ns
        return any(not p.exists() or p.stat().st_mtime_ns < stamp for p in self._feedback_paths(student, formats))

    def write_feedback(self, student: str, result: dict, formats: tuple[str, ...]) -> None:
        """The text report and each format's; a renderer's failure is written down, never fatal."""
        from .reports import render

        for fmt, path in zip(("text", *formats), self._feedback_paths(student, formats)):
            try:
                if fmt == "html":
                    from .report_html import render_html

                    text = render_html(result)
                else:
                    text = render(result, fmt)
            except Exception as exc:  # a renderer bug must not stop the class; the result is stored
                text = f"dlgrade could not render this report ({type(exc).__name__}: {exc}); see results/{student}.json\n"
            atomic_write(path, text.encode(), durable=False)

    def close(self) -> None:
        os.close(self._lock)


FEEDBACK_SUFFIX = {"gradescope": "json", "junit": "xml", "prairielearn": "json", "html": "html"}


# ------------------------------------------------------------------ progress


def _duration(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"


class Progress:
    """Counts and ETA: a redrawn bar on a terminal, a plain line every ``every`` s otherwise (CI logs)."""

    def __init__(self, total: int, stream: TextIO | None, every: float = 10.0):
        self.total, self.stream, self.every = total, stream, every
        self.tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self.done = self.errors = 0
        self.t0 = self._last = time.monotonic()

    def add(self, error: bool) -> None:
        self.done += 1
        self.errors += error
        self.show(force=self.done == self.total)

    def show(self, force: bool = False) -> None:
        if self.stream is None or not self.total:
            return
        now = time.monotonic()
        if not force and now - self._last < (0.2 if self.tty else self.every):
            return
        self._last = now
        elapsed = now - self.t0
        eta = _duration(elapsed / self.done * (self.total - self.done)) if self.done else "?"
        pct = 100 * self.done // self.total
        if self.tty:
            bar = "#" * (30 * self.done // self.total)
            self.stream.write(f"\r  {self.done}/{self.total} [{bar:<30}] {pct:3d}%  errors {self.errors}  "
                              f"elapsed {_duration(elapsed)}  ETA {eta}   ")
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"dlgrade batch: {self.done}/{self.total} graded ({pct}%), errors {self.errors}, "
                              f"elapsed {_duration(elapsed)}, ETA {eta}\n")
        self.stream.flush()


# ------------------------------------------------------------------ executors


def _run_local(assignment: Assignment, tasks, count: int, jobs: int, limit: float,
               on_result: Callable[[dict, dict], None], tick: Callable[[], None]) -> None:
    procs = [GradingProcess(slot) for slot in range(min(jobs, count))]
    idle, busy = list(procs), []
    it = iter(tasks)
    try:
        while True:
            while idle and (task := next(it, None)) is not None:
                proc = idle.pop()
                proc.send(task, limit)
                busy.append(proc)
            if not busy:
                return
            timeout = min(0.5, max(0.0, min(p.deadline for p in busy) - time.monotonic()))
            ready = wait([p.conn for p in busy], timeout)
            for proc in list(busy):
                task, result = proc.task, None
                if proc.conn in ready:
                    result = proc.receive()
                    if result is None:
                        reason, detail = proc.death_reason()
                        proc.close()
                        result = error_result(assignment, task["student"], task["display"], reason, detail)
                elif time.monotonic() > proc.deadline:
                    proc.kill()
                    result = error_result(assignment, task["student"], task["display"],
                                          f"grading took longer than the hard limit of {limit:g} s (2 x total_timeout + 30 s); "
                                          "the grading process was killed", seconds=limit)
                if result is None:
                    continue
                busy.remove(proc)
                if not proc.alive():  # a fresh process, same slot: the sandbox uid stays distinct
                    procs[procs.index(proc)] = proc = GradingProcess(proc.slot)
                idle.append(proc)
                on_result(task, result)
            tick()
    finally:
        for proc in procs:
            proc.close()


def _run_dask(assignment: Assignment, tasks, jobs: int, scheduler: str | None, limit: float,
              on_result: Callable[[dict, dict], None], tick: Callable[[], None], log: Callable[[str], None]) -> None:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise BatchError("--executor dask needs dask.distributed: pip install 'dlgrade[dask]'") from None
    import logging

    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="15s", set_as_default=False)
        else:
            cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise BatchError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); start one with `dask scheduler` "
                         "and pass the address it prints, e.g. --scheduler tcp://HOST:8786") from None
    try:
        try:
            client.wait_for_workers(1, timeout=60)
        except (TimeoutError, OSError):
            raise BatchError(f"no Dask worker joined {scheduler} within 60 s; start some with "
                             f"`dask worker {scheduler} --nthreads 1`") from None
        threads = sum(client.nthreads().values())
        log(f"dask: {len(client.nthreads())} workers, {threads} threads ({scheduler or 'a local cluster'})")
        it, futures, done = iter(tasks), {}, as_completed(loop=client.loop)
        # A window of tasks in flight: payloads are read as they are sent, not all at once.
        window = max(4, 2 * threads)

        def submit_next() -> None:
            task = next(it, None)
            if task is not None:
                fut = client.submit(dask_grade, assignment, task, limit, pure=False,
                                    key=f"dlgrade-{task['student']}-{os.urandom(4).hex()}")
                futures[fut] = task
                done.add(fut)

        for _ in range(window):
            submit_next()
        while futures:
            batch = done.next_batch(block=False)
            if not batch:
                tick()
                time.sleep(0.1)
                continue
            for fut in batch:
                task = futures.pop(fut)
                try:
                    result = fut.result()
                except Exception as exc:  # a worker lost for good (KilledWorker) or a cancelled task
                    result = error_result(assignment, task["student"], task["display"],
                                          f"the Dask task failed ({type(exc).__name__}: {exc}); this is not the student's fault")
                on_result(task, result)
                submit_next()
            tick()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ------------------------------------------------------------------ the batch


@dataclass(frozen=True)
class BatchOptions:
    """jobs: grading processes (local) or local-cluster workers (dask without
    a scheduler); default os.cpu_count(). formats: extra per-student reports
    (gradescope, junit, prairielearn, html). progress: where progress and
    notes go (None: silent)."""

    jobs: int | None = None
    executor: str = "local"
    scheduler: str | None = None
    resume: bool = True
    formats: tuple[str, ...] = ()
    timeout: float | None = None
    sandbox: str = "rlimits"
    layout: str = "auto"
    progress: TextIO | None = None


@dataclass
class BatchSummary:
    layout: str
    students: int
    graded: int
    skipped: int
    errors: int
    mean_score: float
    max_score: float
    wall_seconds: float
    out: Path
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        pct = 100 * self.mean_score / self.max_score if self.max_score else 0.0
        skipped = f" ({self.skipped} unchanged kept)" if self.skipped else ""
        return (f"graded {self.graded}{skipped}, errors {self.errors}, mean score {self.mean_score:.2f} / "
                f"{self.max_score:g} ({pct:.1f}%) over {self.students} students, wall time {_duration(self.wall_seconds)}; "
                f"results in {self.out}")


def run_batch(assignment: Assignment, submissions: Path, out: Path, options: BatchOptions = BatchOptions()) -> BatchSummary:
    """Grade every submission under ``submissions`` into ``out`` (see the module docstring)."""
    t0 = time.monotonic()
    stream = options.progress

    def log(msg: str) -> None:
        if stream is not None:
            stream.write(f"dlgrade batch: {msg}\n")
            stream.flush()

    jobs = options.jobs or os.cpu_count() or 1
    if jobs < 1:
        raise BatchError(f"--jobs must be at least 1, got {jobs}")
    unknown = [f for f in options.formats if f not in FEEDBACK_SUFFIX]
    if unknown:
        raise BatchError(f"unknown feedback format {unknown[0]!r}; use {', '.join(FEEDBACK_SUFFIX)}")
    if options.executor not in ("local", "dask"):
        raise BatchError(f"unknown executor {options.executor!r}; use local or dask")
    if options.executor == "local" and options.sandbox == "bwrap":
        if shutil.which("bwrap") is None:
            raise BatchError("--sandbox bwrap needs bubblewrap: apt-get install bubblewrap (or use --sandbox rlimits)")
    found = discover(Path(submissions), assignment, options.layout)
    what = {"folder": "a folder of submissions", "gradescope": "a Gradescope export",
            "classroom": "a GitHub Classroom export"}[found.layout]
    log(f"{len(found.students)} submissions, layout: {what} ({found.layout})")
    for note in found.notes:
        log(note)
    outdir = OutDir(Path(out))
    try:
        mhash = assignment_hash(assignment)
        limit = hard_limit(assignment, options.timeout)
        todo: list[StudentSubmission] = []
        for sub in found.students:
            stored = outdir.load(sub.student) if options.resume else None
            key = result_key(sub.student, read_payload(sub.path).sha256(), mhash, options.timeout, options.sandbox)
            if stored and stored.get("status") == "graded" and stored["batch"].get("key") == key:
                if outdir.feedback_stale(sub.student, options.formats):
                    outdir.write_feedback(sub.student, stored, options.formats)
                continue
            todo.append(sub)
        if len(todo) < len(found.students):
            log(f"{len(found.students) - len(todo)} results are up to date (--resume); grading {len(todo)}")
        others = {p.stem for p in outdir.results.glob("*.json")} - {sub.student for sub in found.students}
        if others:
            log(f"{len(others)} results in {outdir.results} belong to no current submission (e.g. {min(others)}): "
                "left as they are, not in the gradebook")
        progress = Progress(len(todo), stream)
        root = Path(submissions)

        def tasks():
            for sub in todo:
                payload = read_payload(sub.path)  # read at dispatch: the key is over what is graded
                key = result_key(sub.student, payload.sha256(), mhash, options.timeout, options.sandbox)
                meta = {"key": key, "layout": found.layout, "source": _relative(sub.path, root),
                        "name": sub.name, "email": sub.email, "sid": sub.sid, "executor": options.executor}
                yield {"assignment": assignment, "payload": payload, "student": sub.student, "display": str(sub.path),
                       "timeout": options.timeout, "sandbox": options.sandbox, "_meta": meta}

        def on_result(task: dict, result: dict) -> None:
            worker_version = result.get("reproducibility", {}).get("dlgrade")
            if worker_version != __version__:
                result = error_result(assignment, task["student"], task["display"],
                                      f"the worker runs dlgrade {worker_version}, this machine {__version__}: "
                                      "install the same version everywhere")
            result["batch"] = {**task["_meta"], "finished_at": _now()}
            outdir.store(task["student"], result, options.formats)
            progress.add(result.get("status") == "error")

        if todo:
            if options.executor == "local":
                _run_local(assignment, tasks(), len(todo), jobs, limit, on_result, progress.show)
            else:
                _run_dask(assignment, tasks(), jobs, options.scheduler, limit, on_result, progress.show, log)
        rows = [slim(r) for sub in found.students if (r := outdir.load(sub.student)) is not None]
        summary = write_outputs(assignment, rows, outdir.root, found.layout)
    finally:
        outdir.close()
    return BatchSummary(found.layout, len(found.students), len(todo), len(found.students) - len(todo),
                        summary["errors"], summary["mean_score"], assignment.max_score, time.monotonic() - t0,
                        Path(out), list(found.notes))


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


if __name__ == "__main__" and len(sys.argv) == 6 and sys.argv[1] == "--worker":
    sys.exit(_worker_main(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]))

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
  killed at any moment and run again grades each student at most once more
  and leaves no torn file (leftover temp files are removed at start).
- Nothing stops the batch: a broken submission is a graded 0 with reasons
  (grade_submission); a dlgrade exception, a dead worker, or a student over
  the hard limit (2 x total_timeout + 30 s; the worker is killed) becomes a
  result with status "error", 0 points and the reason. Error results are
  retried by the next run.
- One grading process per job, each with its own sandbox slot; a grading
  process dies with its parent (PR_SET_PDEATHSIG on Linux).

Outputs (``write_outputs``, from the stored results of the current roster):
gradebook.csv, mistakes.csv, summary.json, summary.html (plots embedded),
hist.png, checks.png, feedback/<id>.txt and feedback/<id>.<format>.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Callable, TextIO

from dlgrade import __version__
from dlgrade.assignments.manifest import Assignment

__all__ = ["BatchError", "BatchOptions", "BatchSummary", "Discovery", "Payload", "StudentSubmission",
           "discover", "read_payload", "grade_payload", "error_result", "result_key", "run_batch",
           "parse_gradescope_metadata", "hard_limit", "LAYOUTS"]

LAYOUTS = ("folder", "gradescope", "classroom")
_SKIP_DIRS = {"__pycache__", "node_modules", "venv", "site-packages"}
_TIMING = ("started_at", "seconds")


class BatchError(Exception):
    """The batch cannot start (bad input or setup); the message says what to do."""


# ------------------------------------------------------------------ discovery


@dataclass(frozen=True)
class StudentSubmission:
    """One student's submission. student: the id used for file names;
    path: what is graded (a file or a folder); names/emails/sids: from the
    Gradescope metadata ("; "-joined for group submissions)."""

    student: str
    path: Path
    name: str = ""
    email: str = ""
    sid: str = ""


@dataclass(frozen=True)
class Discovery:
    layout: str
    students: tuple[StudentSubmission, ...]
    notes: tuple[str, ...] = ()


def _safe_id(raw: str) -> str:
    # Ids become file names: keep them portable and never hidden or a path.
    sid = re.sub(r"[^A-Za-z0-9._@+-]", "_", raw.strip()) or "_"
    return "_" + sid if sid.startswith(".") else sid


def _visible(p: Path) -> bool:
    return not p.name.startswith(".") and p.name not in _SKIP_DIRS


def _find_module(root: Path, module: str) -> Path:
    """``module``.py (else .ipynb) anywhere under root, shallowest first; else root itself."""
    found: list[tuple[int, int, str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIP_DIRS)
        depth = len(Path(dirpath).relative_to(root).parts)
        for pref, suffix in enumerate((".py", ".ipynb")):
            if module + suffix in filenames:
                rel = os.path.join(dirpath, module + suffix)
                found.append((depth, pref, rel, Path(rel)))
    return min(found)[3] if found else root


def parse_gradescope_metadata(text: str) -> dict[str, list[dict[str, str]]]:
    """Submitters per submission folder from Gradescope's submission_metadata.yml.

    The file maps ``submission_<id>`` to a mapping whose ``:submitters:`` is a
    list of ``{:name:, :sid:, :email:}``. Parsed by a small YAML-subset reader
    (block mappings, block lists, plain and quoted scalars), no PyYAML; keys
    lose their leading ':'. Returns {} for text it cannot read.
    """
    try:
        data = _yaml_subset(text)
    except Exception:  # an unreadable metadata file only loses names, never grades
        return {}
    out: dict[str, list[dict[str, str]]] = {}
    for folder, entry in (data.items() if isinstance(data, dict) else ()):
        subs = entry.get("submitters") if isinstance(entry, dict) else None
        out[str(folder)] = [{k: str(s.get(k) or "") for k in ("name", "sid", "email")}
                            for s in (subs or []) if isinstance(s, dict)]
    return out


def _scalar(raw: str) -> Any:
    raw = raw.strip()
    if raw.startswith("'") and raw.endswith("'") and len(raw) >= 2:
        return raw[1:-1].replace("''", "'")
    if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
        try:
            return json.loads(raw)
        except ValueError:
            return raw[1:-1]
    return re.sub(r"\s+#.*$", "", raw)


def _yaml_subset(text: str) -> Any:
    lines = [[len(ln) - len(ln.lstrip(" ")), ln.strip()] for ln in text.splitlines()
             if ln.strip() and not ln.lstrip().startswith("#") and ln.strip() not in ("---", "...")]

    def block(i: int, indent: int) -> tuple[Any, int]:
        if lines[i][1].startswith("-"):
            items = []
            while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("-"):
                rest = lines[i][1][1:].lstrip()
                if not rest:
                    nested = i + 1 < len(lines) and lines[i + 1][0] > indent
                    value, i = block(i + 1, lines[i + 1][0]) if nested else (None, i + 1)
                else:  # "- key: v" opens a mapping at the column of "key"
                    lines[i] = [indent + len(lines[i][1]) - len(rest), rest]
                    value, i = block(i, lines[i][0]) if re.match(r"^[^'\"].*?:(\s|$)", rest) else (_scalar(rest), i + 1)
                items.append(value)
            return items, i
        mapping: dict[str, Any] = {}
        while i < len(lines) and lines[i][0] >= indent:
            if lines[i][0] > indent or lines[i][1].startswith("- "):
                i += 1  # a continuation line we do not need
                continue
            m = re.match(r"^(\"[^\"]*\"|'[^']*'|.*?):(\s+(.*))?$", lines[i][1])
            if not m:
                i += 1
                continue
            key, value = str(_scalar(m.group(1))).lstrip(":"), (m.group(3) or "").strip()
            i += 1
            if value and value[0] in "|>":
                while i < len(lines) and lines[i][0] > indent:
                    i += 1
                mapping[key] = ""
            elif value:
                mapping[key] = _scalar(value)
            elif i < len(lines) and (lines[i][0] > indent or (lines[i][0] == indent and lines[i][1].startswith("-"))):
                mapping[key], i = block(i, lines[i][0])
            else:
                mapping[key] = None
        return mapping, i

    return block(0, lines[0][0])[0] if lines else {}


def _classroom_prefix(names: list[str], assignment: Assignment) -> str | None:
    for cand in (assignment.name, assignment.module):
        if names and all(n.startswith(cand + "-") and len(n) > len(cand) + 1 for n in names):
            return cand + "-"
    if len(names) >= 2:
        common = os.path.commonprefix(names)
        prefix = common[: common.rfind("-") + 1]
        if prefix and all(len(n) > len(prefix) for n in names):
            return prefix
    return None


def discover(root: Path, assignment: Assignment, layout: str = "auto") -> Discovery:
    """Find every student's submission under root; detect the layout unless given.

    Detection: ``submission_metadata.yml`` or only ``submission_<id>/``
    folders -> gradescope; only folders sharing a ``<prefix>-`` where some
    hold ``.git`` or the prefix is the assignment's name -> classroom; else
    folder. Raises BatchError for an empty folder or two submissions with
    the same id.
    """
    if not root.is_dir():
        hint = f" (extract it first: unzip {root} -d {root.with_suffix('')})" if root.suffix == ".zip" else ""
        raise BatchError(f"{root} is not a folder{hint}")
    entries = sorted((p for p in root.iterdir() if _visible(p)), key=lambda p: p.name)
    dirs = [p for p in entries if p.is_dir()]
    meta_file = root / "submission_metadata.yml"
    if layout == "auto":
        if meta_file.is_file() or (dirs and all(re.fullmatch(r"submission_\w+", d.name) for d in dirs)):
            layout = "gradescope"
        elif dirs and len(dirs) == len([e for e in entries if e.suffix.lower() not in (".md", ".txt", ".csv")]) \
                and _classroom_prefix([d.name for d in dirs], assignment) \
                and (any((d / ".git").exists() for d in dirs)
                     or _classroom_prefix([d.name for d in dirs], assignment) in (assignment.name + "-", assignment.module + "-")):
            layout = "classroom"
        else:
            layout = "folder"
    if layout not in LAYOUTS:
        raise BatchError(f"unknown layout {layout!r}; use auto, {', '.join(LAYOUTS)}")
    notes: list[str] = []
    found: list[StudentSubmission] = []
    if layout == "gradescope":
        meta = parse_gradescope_metadata(meta_file.read_text(encoding="utf-8", errors="replace")) if meta_file.is_file() else {}
        for d in dirs:
            people = meta.get(d.name, [])
            raw = d.name[len("submission_"):] if d.name.startswith("submission_") else d.name
            found.append(StudentSubmission(_safe_id(raw), _find_module(d, assignment.module),
                                           *("; ".join(p[k] for p in people if p[k]) for k in ("name", "email", "sid"))))
        missing = sorted(set(meta) - {d.name for d in dirs})
        if missing:
            notes.append(f"{len(missing)} submissions in submission_metadata.yml have no folder (e.g. {missing[0]})")
    elif layout == "classroom":
        prefix = _classroom_prefix([d.name for d in dirs], assignment) or ""
        found = [StudentSubmission(_safe_id(d.name[len(prefix):]), _find_module(d, assignment.module)) for d in dirs]
    else:
        skipped = [e.name for e in entries if not (e.is_dir() or e.suffix.lower() in (".py", ".ipynb"))]
        found = [StudentSubmission(_safe_id(e.stem if e.is_file() else e.name), e) for e in entries
                 if e.is_dir() or e.suffix.lower() in (".py", ".ipynb")]
        if skipped:
            notes.append(f"ignored {len(skipped)} entries that are not .py, .ipynb or folders (e.g. {skipped[0]})")
    if not found:
        raise BatchError(f"no submissions in {root}: expected one .py file, notebook or folder per student, "
                         "a Gradescope export or a GitHub Classroom export (see `dlgrade batch --help`)")
    seen: dict[str, Path] = {}
    for s in found:
        if s.student in seen:
            raise BatchError(f"two submissions for student {s.student!r}: {seen[s.student]} and {s.path}; keep one")
        seen[s.student] = s.path
    return Discovery(layout, tuple(found), tuple(notes))


# ------------------------------------------------------------------ payloads and keys


@dataclass(frozen=True)
class Payload:
    """The bytes of a submission: kind "file" (one entry, named ``name``) or
    "dir" (paths relative to the folder ``name``)."""

    name: str
    kind: str
    files: tuple[tuple[str, bytes], ...]

    def sha256(self) -> str:
        """sha256 of the file; for a folder, of the lines "<sha256>  <path>\\n"
        (sha256sum's format) over its files in sorted path order."""
        if self.kind == "file":
            return hashlib.sha256(self.files[0][1]).hexdigest()
        lines = "".join(f"{hashlib.sha256(d).hexdigest()}  {rel}\n" for rel, d in sorted(self.files))
        return hashlib.sha256(lines.encode()).hexdigest()


def read_payload(path: Path) -> Payload:
    """Read a submission the way load_submission will: a file, or a folder's
    non-hidden .py/.npy/.npz/.json/.txt/.csv files without following
    symlinks. Reading stops just past load_submission's size limits, so an
    oversized submission is still refused by load_submission, with its message."""
    from . import submission as sub

    path = path.resolve() if path.is_symlink() else path
    if not path.is_dir():
        limit = sub.MAX_NOTEBOOK_BYTES if path.suffix.lower() == ".ipynb" else sub.MAX_FILE_BYTES
        try:
            with open(path, "rb") as fh:
                return Payload(path.name, "file", (("", fh.read(limit + 1)),))
        except OSError:
            return Payload(path.name, "file", (("", b""),))
    files: list[tuple[str, bytes]] = []
    total = 0

    def walk(folder: Path, rel: str, depth: int) -> None:
        nonlocal total
        if depth > 8 or total > sub.MAX_TOTAL_BYTES or len(files) > sub.MAX_FILES:
            return
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.name.startswith(".") or entry.name == "__pycache__" or entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False):
                walk(Path(entry.path), f"{rel}{entry.name}/", depth + 1)
            elif entry.is_file(follow_symlinks=False) and entry.name.endswith(sub._DATA_SUFFIXES):
                if total > sub.MAX_TOTAL_BYTES or len(files) > sub.MAX_FILES:
                    return
                with open(entry.path, "rb") as fh:
                    data = fh.read(sub.MAX_FILE_BYTES + 1)
                total += len(data)
                files.append((rel + entry.name, data))

    walk(path, "", 0)
    return Payload(path.name, "dir", tuple(files))


def assignment_hash(assignment: Assignment) -> str:
    """sha256 of the parsed manifest (checks, points, visibility, limits,
    settings, forbidden imports, module): comments and formatting do not count."""
    data = {k: v for k, v in asdict(assignment).items() if k != "folder"}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def result_key(student: str, content_sha256: str, manifest_sha256: str, timeout: float | None, sandbox: str) -> dict:
    """What a stored result must match to be kept by --resume."""
    return {"student": student, "content_sha256": content_sha256, "dlgrade": __version__,
            "manifest_sha256": manifest_sha256, "timeout": timeout, "sandbox": sandbox}


def hard_limit(assignment: Assignment, timeout: float | None) -> float:
    """Seconds after which a grading process is killed: 2 x total_timeout + 30."""
    from .sandbox import Limits

    total = timeout or assignment.limits.get("total_timeout") or Limits().total_timeout
    return 2.0 * float(total) + 30.0


# ------------------------------------------------------------------ grading one payload


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def error_result(assignment: Assignment, student: str, display: str, reason: str, detail: str = "",
                 seconds: float = 0.0) -> dict:
    """A result with status "error": every check errors with ``reason``, 0 points."""
    from dlgrade.checks.outcome import ERROR, Outcome

    from .result import CheckResult, FunctionResult, GradeResult

    functions = [FunctionResult(f, [CheckResult(f, c.check, c.points, c.visibility,
                                                Outcome(f, c.check, ERROR, summary=reason[:300], detail=detail[-3000:],
                                                        data={"error_kind": "internal"}))
                                    for c in assignment.checks_of(f)]) for f in assignment.functions]
    return GradeResult(assignment=assignment.name, title=assignment.title, submission=display, student=student,
                       functions=functions, status="error", notes=[reason], reproducibility={"dlgrade": __version__},
                       started_at=_now(), seconds=seconds).to_json()


def grade_payload(assignment: Assignment, payload: Payload, student: str, display: str,
                  timeout: float | None = None, sandbox: str = "rlimits", slot: int = 0) -> dict:
    """Grade a payload (copied to a fresh temp folder under its own name) -> result JSON dict.

    Never raises for a dlgrade failure: returns error_result with the traceback.
    The result's ``submission`` is ``display`` (the path on the coordinator).
    """
    from .grade import grade_submission

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="dlgrade-batch-") as tmp:
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
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dlgrade.grader.batch", "--worker", str(theirs.fileno()), str(slot), str(os.getpid())],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log)
        theirs.close()
        self.conn = Connection(ours.detach())
        self.task: Any = None
        self.deadline = 0.0

    def send(self, task: dict, limit: float) -> None:
        self.task, self.deadline = task, time.monotonic() + limit
        self.conn.send(task)

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
        if self.alive():
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
    return error_result(assignment, task["student"], task["display"], reason, detail, limit)


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


def _worker_main(fd: int, slot: int, parent: int) -> int:
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: die with the coordinator
    # SIGTERM unwinds grade_submission's finally, which closes the sandbox.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if os.getppid() != parent:
        return 0
    conn = Connection(fd)
    from . import grade  # noqa: F401  (import the heavy modules once, before the first task)

    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return 0
        conn.send(grade_payload(slot=slot, **task))


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "--worker":
    sys.exit(_worker_main(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))

"""Running a submission in a sandboxed child process: the parent's side.

:class:`Sandbox` implements the ``Student`` protocol of dlgrade.checks.student
(``has``, ``call``, ``call_many``) by sending calls to a child process
(dlgrade.grader.child) that imports the student's code. Guarantees:

- Only numbers come back: every frame is validated by dlgrade.grader.wire;
  nothing is unpickled or evaluated; a frame above ``Limits.message_mb`` is
  refused before its payload is read.
- Nothing hangs: each call has a wall-clock deadline (``call_timeout``), the
  import has ``import_timeout``, and the submission as a whole has
  ``total_timeout`` (time spent in the child, not in the judge). After the
  budget is spent, calls fail at once with kind "timeout".
- A timeout, a crash (EOF, a signal, an exit, a malformed or unexpected
  frame) fails the call(s) it touched with a one-line StudentError ("timeout"
  or "crash"), kills the child's whole process tree, and the next call
  starts a new child. A batch (``call_many``) survives one such failure and
  carries on with its remaining items; after a second one they fail as "not
  run".
- After :meth:`Sandbox.close`, no process started by the submission is
  running: the child is started in its own session and killed by process
  group; the grader becomes a child subreaper (Linux) so daemonised
  grandchildren re-parent to it; as root, the child runs as a uid of its
  own (61000 + slot, locked so no two sandboxes share one) and everything
  of that uid is killed; otherwise processes are found by session, process
  tree and an environment marker. Files the uid left in /tmp, /var/tmp and
  /dev/shm (top level) are removed, and so is the work dir.
- The child sees a copy of the submission in a fresh work dir, a scrubbed
  environment (no secrets), and resource limits; :meth:`limits_in_force`
  says which ones the OS actually enforces. ``mode="bwrap"`` adds
  bubblewrap: no network, a private /tmp, and only the Python installation
  and the work dir visible.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import signal
import stat
import sys
import tempfile
import time
import weakref
from dataclasses import dataclass
from typing import Any, Sequence

from dlgrade.checks.student import StudentError
from dlgrade.grader import wire
from dlgrade.grader.submission import LoadedSubmission

__all__ = ["Limits", "Sandbox", "SandboxError"]

UID_BASE = 61000
_KINDS = {"exception", "not-implemented", "missing", "forbidden", "mutated"}
_LINUX = sys.platform.startswith("linux")


class SandboxError(RuntimeError):
    """The sandbox itself cannot run (a dlgrade or setup problem, not the student's)."""


@dataclass(frozen=True)
class Limits:
    """Limits for one submission. Times in seconds; sizes in MB unless named bytes.

    call_timeout: wall clock for one call. import_timeout: wall clock for
    starting the child and importing the submission. total_timeout: wall
    clock for everything the child does for this submission. memory_mb:
    address space (RLIMIT_AS). cpu_seconds: CPU time per child process.
    file_size_mb: largest file the child may write (its captured output
    included). open_files: file descriptors. processes: processes and threads
    of the sandbox's uid. output_bytes: captured stdout/stderr kept for the
    report. message_mb: largest frame the parent accepts from the child.
    """

    call_timeout: float = 10.0
    import_timeout: float = 20.0
    total_timeout: float = 600.0
    memory_mb: int = 2048
    cpu_seconds: int = 600
    file_size_mb: int = 64
    open_files: int = 64
    processes: int = 64
    output_bytes: int = 64 * 1024
    message_mb: int = 256

    def __post_init__(self):
        for name, value in vars(self).items():
            if not value > 0:
                raise ValueError(f"Limits.{name} must be positive, got {value!r}")


# ------------------------------------------------------------------ processes


def _enable_subreaper() -> None:
    """Orphans of the child re-parent to us instead of init, so we can find and reap them."""
    if _LINUX and not getattr(_enable_subreaper, "done", False):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
        _enable_subreaper.done = True


def _processes() -> list[dict]:
    """A snapshot of /proc: pid, ppid, pgrp, sid, state, start, uids (Linux only)."""
    out = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return out
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{name}/status", "rb") as fh:
                uids = next(ln for ln in fh.read().splitlines() if ln.startswith(b"Uid:"))
        except (OSError, StopIteration, IndexError):
            continue
        out.append({
            "pid": int(name), "state": fields[0].decode(), "ppid": int(fields[1]),
            "pgrp": int(fields[2]), "sid": int(fields[3]),
            "uids": {int(u) for u in uids.split()[1:]},
        })
    return out


def _has_marker(pid: int, marker: bytes) -> bool:
    try:
        with open(f"/proc/{pid}/environ", "rb") as fh:
            return marker in fh.read(1 << 20)
    except OSError:
        return False


def _kill_uid(uid: int) -> None:
    """Kill every process of ``uid``: a helper becomes that uid and calls kill(-1, SIGKILL).

    kill(-1) signals the whole uid under the tasklist lock, and fork refuses
    to complete in a process with a pending SIGKILL, so a fork bomb cannot
    outrun it.
    """
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the forked helper
        code = 0
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            for _ in range(3):
                os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        except BaseException:
            code = 1
        os._exit(code)
    os.waitpid(pid, 0)


def _claim_uid(slot: int) -> tuple[int, int]:
    """A uid of our own from 61000 + slot upwards, held by an flock until close()."""
    import pwd

    # A fixed place, not $TMPDIR: two graders with different TMPDIRs must
    # still see each other's locks, or they could hand out the same uid.
    lockdir = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), "dlgrade-uids")
    os.makedirs(lockdir, mode=0o700, exist_ok=True)
    info = os.lstat(lockdir)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o077:
        raise SandboxError(f"{lockdir} must be a directory owned by root with mode 700")
    for uid in range(UID_BASE + slot, UID_BASE + slot + 4000):
        try:
            pwd.getpwuid(uid)
            continue  # a real account: not ours to kill
        except KeyError:
            pass
        fd = os.open(f"{lockdir}/{uid}", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return uid, fd
    raise SandboxError("no free sandbox uid")


def _remove_files_of(uid: int) -> None:
    """Remove what ``uid`` left at the top of the shared temporary directories."""
    for folder in {tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm"}:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)  # fd-based: symlink-safe
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


def _exit_reason(returncode: int | None, limits: Limits, during: str) -> str:
    if returncode is None:
        return "stopped answering"
    if returncode >= 0:
        return f"exited with status {returncode} {during} (os._exit/sys.exit?)"
    sig = -returncode
    try:
        name = signal.Signals(sig).name
    except ValueError:
        name = f"signal {sig}"
    if sig == signal.SIGKILL:
        return f"was killed by SIGKILL — probably the memory limit ({limits.memory_mb} MB)"
    if sig == getattr(signal, "SIGXCPU", None):
        return f"was killed by SIGXCPU: its CPU time limit ({limits.cpu_seconds} s) ran out"
    if sig == signal.SIGSEGV:
        return "crashed with SIGSEGV (a segmentation fault: a C stack overflow from deep recursion?)"
    return f"was killed by {name}"


# ------------------------------------------------------------------ resources


class _Resources:
    """What must be released whatever happens: the child, its uid, its files.

    Held apart from the Sandbox so that a weakref finalizer can release it
    if a Sandbox is dropped without close().
    """

    def __init__(self):
        self.proc = None
        self.chan: wire.Channel | None = None
        self.uid: int | None = None
        self.lock_fd: int | None = None
        self.root: str | None = None
        self.captures: list = []
        self.marker = b"DLGRADE_SANDBOX=" + secrets.token_hex(8).encode()

    def stop_child(self) -> int | None:
        """Kill the child and everything it started; reap; return its returncode."""
        proc, self.proc = self.proc, None
        if proc is not None:
            # Everything in one pass, the child included, and before its pipes
            # close (EOF makes it exit): a dead child cuts its descendants
            # loose from its tree.
            self.kill_members(proc.pid)
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.chan is not None:
            self.chan.close()
            self.chan = None
        if proc is None:
            return None
        proc.wait()
        return proc.returncode

    def kill_members(self, child_pid: int | None) -> None:
        """SIGKILL every process of the sandbox until none is left; reap those re-parented to us."""
        me = os.getpid()
        seen: set[int] = set()
        for _ in range(200):
            if self.uid is not None:
                _kill_uid(self.uid)
            procs = _processes()
            members = {p["pid"] for p in procs if p["pid"] in seen or self._is_member(p, child_pid, me)}
            grew = True
            while grew:  # descendants of members belong to the sandbox too
                extra = {p["pid"] for p in procs if p["ppid"] in members} - members
                grew = bool(extra)
                members |= extra
            seen |= members
            alive = [p["pid"] for p in procs if p["pid"] in members and p["state"] != "Z"]
            for pid in alive:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            if not alive:
                break
            time.sleep(0.002)
        # All dead now; the orphans among them are our children (we are a
        # subreaper) and stay zombies until reaped. The child itself is
        # left to Popen.wait().
        for p in _processes():
            if p["pid"] in seen and p["ppid"] == me and p["pid"] != child_pid:
                try:
                    os.waitpid(p["pid"], os.WNOHANG)
                except ChildProcessError:
                    pass

    def _is_member(self, p: dict, child_pid, me: int) -> bool:
        if p["pid"] == me:
            return False
        if self.uid is not None and self.uid in p["uids"]:
            return True
        # The rest also finds what runs as root beside the uid (bwrap's own
        # processes), so that it is killed and reaped too. Descendants of the
        # child are added by the caller: the child is a subreaper, so a
        # double-forked daemon stays in its tree until the child dies.
        if child_pid is not None and child_pid in (p["pid"], p["sid"], p["pgrp"]):
            return True
        return p["state"] != "Z" and _has_marker(p["pid"], self.marker)

    def release(self) -> None:
        self.stop_child()
        if self.uid is not None:
            self.kill_members(None)
            _remove_files_of(self.uid)
        for fh in self.captures:
            fh.close()
        self.captures = []
        if self.root:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            self.lock_fd = None



# ------------------------------------------------------------------ the sandbox


class Sandbox:
    """A submission running in a child process; implements the Student protocol.

    Use as a context manager (or call start() and close()). ``function_names``
    are the functions ``has`` reports on; ``forbidden_imports`` are refused by
    the child's import guard (dlgrade's own judging modules always are).
    ``slot`` picks the sandbox uid when running as root (61000 + slot, or the
    next free one). ``mode``: "rlimits" (resource limits, uid drop as root)
    or "bwrap" (the same inside bubblewrap).
    """

    def __init__(
        self,
        submission: LoadedSubmission,
        function_names: Sequence[str],
        limits: Limits = Limits(),
        forbidden_imports: Sequence[str] = (),
        mode: str = "rlimits",
        slot: int = 0,
    ):
        if mode not in ("rlimits", "bwrap"):
            raise ValueError(f"mode must be 'rlimits' or 'bwrap', not {mode!r}")
        self.submission = submission
        self.function_names = tuple(function_names)
        self.limits = limits
        self.forbidden_imports = tuple(forbidden_imports)
        self.mode = mode
        self.slot = slot
        self.events: list[str] = []
        self._res = _Resources()
        self._finalizer = weakref.finalize(self, _Resources.release, self._res)
        self._started = self._closed = False
        self._has: dict[str, bool] = {}
        self._import_error: StudentError | None = None
        self._in_force: dict[str, bool] = {}
        self._spent = 0.0
        self._budget_end = 0.0
        self._work = ""
        self.child_starts = 0

    # -------------------------------------------------------------- lifecycle

    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        """Create the work dir and start the child (importing the submission)."""
        if self._started:
            return
        if self._closed:
            raise SandboxError("this sandbox is closed")
        if os.name != "posix":
            raise SandboxError("the sandbox needs Linux or macOS (on Windows, use WSL)")
        if self.mode == "bwrap" and shutil.which("bwrap") is None:
            raise SandboxError(
                "--sandbox bwrap needs bubblewrap, which is not installed: "
                "apt-get install bubblewrap (Debian/Ubuntu) or dnf install bubblewrap (Fedora)"
            )
        self._started = True
        _enable_subreaper()
        res = self._res
        if os.geteuid() == 0:
            res.uid, res.lock_fd = _claim_uid(self.slot)
            _kill_uid(res.uid)  # leftovers of a grader that died without cleaning up
            _remove_files_of(res.uid)
        res.root = tempfile.mkdtemp(prefix="dlgrade-")
        self._work = os.path.join(res.root, "work")
        os.mkdir(self._work, 0o700)
        for rel, data in self.submission.files:
            parts = rel.split("/")
            if rel.startswith("/") or ".." in parts or "" in parts:
                raise SandboxError(f"bad file name in submission: {rel!r}")
            dest = os.path.join(self._work, *parts)
            os.makedirs(os.path.dirname(dest), mode=0o700, exist_ok=True)
            with open(dest, "xb") as fh:
                fh.write(data)
        if res.uid is not None:
            os.chmod(res.root, 0o711)  # the uid may pass through, not list
            for dirpath, dirnames, filenames in os.walk(self._work):
                for name in [*dirnames, *filenames, ""]:
                    os.lchown(os.path.join(dirpath, name) if name else dirpath, res.uid, res.uid)
        res.captures = [tempfile.TemporaryFile(dir=res.root) for _ in range(2)]
        self._spawn()

    def close(self) -> None:
        """Kill everything the submission started and delete its files. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._finalizer()

    # -------------------------------------------------------------- child process

    def _command(self) -> list[str]:
        cmd = [sys.executable, "-s", "-B"]
        if sys.version_info >= (3, 11):
            cmd.append("-P")  # -I without -E: our scrubbed environment must apply
        cmd += ["-m", "dlgrade.grader.child"]
        return (self._bwrap_prefix() if self.mode == "bwrap" else []) + cmd

    def _bwrap_prefix(self) -> list[str]:
        import dlgrade
        import dlgrade.checks
        import dlgrade.grader

        # No --new-session: Popen's start_new_session already left the whole
        # tree without a controlling terminal, and staying in the child's
        # session keeps bwrap's inner process findable (even as a zombie).
        args = ["bwrap", "--die-with-parent"]
        if os.geteuid() == 0:  # no user namespace: the child drops to its uid itself
            args += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                     "--unshare-cgroup-try"]
        else:
            args += ["--unshare-all"]
        args += ["--ro-bind", "/usr", "/usr", "--ro-bind-try", "/etc", "/etc"]
        # The private /tmp comes before the Python binds: an interpreter or a
        # venv that lives under /tmp is then bound on top of it, not hidden.
        args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
        for d in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
            if os.path.islink(d):
                args += ["--symlink", os.readlink(d), d]
            elif os.path.isdir(d):
                args += ["--ro-bind", d, d]
        import site
        import sysconfig

        keep = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                os.path.dirname(os.path.realpath(sys.executable)), *site.getsitepackages(),
                *sysconfig.get_paths().values(),
                *dlgrade.__path__, *dlgrade.grader.__path__, *dlgrade.checks.__path__}
        for d in sorted(keep, key=len):
            if os.path.isdir(d) and not d.startswith("/usr/"):
                args += ["--ro-bind", d, d]
        # The judge's own modules (reference solutions, the table, the bundled
        # assignments and their example solutions) are hidden under empty
        # directories: the child never needs them, and a student who removes
        # the import guard must not find them on disk either.
        for d in _judge_dirs():
            args += ["--tmpfs", d]
        # The sandbox root (mode 711) is bound whole: a parent directory
        # created by bwrap would be mode 700 and root's, closed to the child.
        args += ["--bind", self._res.root, self._res.root, "--"]
        return args

    def _env(self) -> dict[str, str]:
        env = {
            "PATH": "/usr/bin:/bin", "HOME": self._work, "TMPDIR": self._work,
            "LANG": "C.UTF-8", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUTF8": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
        for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
            if key in os.environ:  # numpy's OpenBLAS may crash without them on some CPUs
                env[key] = os.environ[key]
        key, value = self._res.marker.decode().split("=")
        env[key] = value
        return env

    def _config(self) -> dict[str, Any]:
        lim, mb = self.limits, 2**20
        return {
            "module": self.submission.module_name,
            "functions": list(self.function_names),
            "forbidden": list(self.forbidden_imports),
            "workdir": self._work,
            "uid": self._res.uid,
            "gid": self._res.uid,
            "rlimits": {"AS": lim.memory_mb * mb, "CPU": lim.cpu_seconds,
                        "FSIZE": lim.file_size_mb * mb, "NOFILE": lim.open_files,
                        "NPROC": lim.processes, "CORE": 0},
            "max_message": lim.message_mb * mb,
            "output_bytes": lim.output_bytes,
            "hide": _judge_dirs(),
        }

    def _spawn(self) -> None:
        """Start a child and wait for its import; sets _has or _import_error."""
        import subprocess

        res = self._res
        t0 = time.monotonic()
        self._budget_end = t0 + self.limits.total_timeout - self._spent
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        try:
            res.proc = subprocess.Popen(
                self._command() + [str(req_r), str(resp_w)],
                stdin=subprocess.DEVNULL, stdout=res.captures[0], stderr=res.captures[1],
                pass_fds=(req_r, resp_w), cwd="/", env=self._env(), start_new_session=True,
            )
        finally:
            os.close(req_r)
            os.close(resp_w)
        self.child_starts += 1
        for fd in (req_w, resp_r):
            os.set_blocking(fd, False)
            try:  # 1 MiB pipes: big arrays in fewer system calls (Linux F_SETPIPE_SZ)
                fcntl.fcntl(fd, 1031, 1 << 20)
            except OSError:
                pass
        chan = res.chan = wire.Channel(resp_r, req_w, self.limits.message_mb * 2**20)
        nonce = secrets.token_hex(8)
        chan.deadline = min(t0 + self.limits.import_timeout, self._budget_end)
        try:
            chan.send(wire.encode_frame("config", nonce, self._config()))
            self._accept_ready(chan.receive(), nonce)
        except wire.Timeout:
            if time.monotonic() >= self._budget_end - 1e-3:
                self._res.stop_child()  # the budget ran out: calls will say so
                self.events.append("the child was stopped: the time budget is spent")
            else:
                self._fail_import(
                    "timeout",
                    f"importing the submission took longer than {self.limits.import_timeout:g} s "
                    "(an infinite loop or heavy work at module level?)",
                )
        except (wire.Closed, wire.ProtocolError) as exc:
            reason = self._crash_reason(exc, "while importing the submission")
            self._fail_import("crash", f"the child process {reason}")
        finally:
            self._spent += time.monotonic() - t0

    def _accept_ready(self, msg: wire.Message, nonce: str) -> None:
        body = msg.body
        if msg.type != "ready" or msg.id != nonce or type(body) is not dict:
            raise wire.ProtocolError("expected the child's ready message")
        has, error, in_force = body.get("has"), body.get("import_error"), body.get("in_force")
        if (
            type(has) is not dict
            or not all(type(v) is bool for v in has.values())
            or type(in_force) is not dict
            or not all(type(v) is bool for v in in_force.values())
        ):
            raise wire.ProtocolError("malformed ready message")
        self._in_force = dict(in_force)
        self._has = {n: has.get(n) is True for n in self.function_names}
        if error is not None:
            kind, message, detail = _error_triple(error)
            message = self._locate(message)
            self._import_error = StudentError(kind if kind == "forbidden" else "exception",
                                              message, detail)
            self._has = {}
            self.events.append(message)
            self._res.stop_child()

    def _locate(self, message: str) -> str:
        """For a notebook, say which cell a 'module.py, line N' is in."""
        sub = self.submission
        tail = f"{sub.module_name}.py, line "
        if sub.kind == "notebook" and tail in message:
            try:
                line = int(message.rsplit(tail, 1)[1].split(")")[0])
            except ValueError:
                return message
            return f"{message} — {sub.origin(line)} of the notebook"
        return message

    def _fail_import(self, kind: str, message: str) -> None:
        self._import_error = StudentError(kind, message)
        self._has = {}
        self.events.append(message)
        self._res.stop_child()

    def _crash_reason(self, exc: Exception, during: str = "during the call") -> str:
        proc = self._res.proc
        if isinstance(exc, wire.ProtocolError):
            return f"sent malformed data on the protocol channel ({exc})"
        rc = None
        if proc is not None:
            try:  # give an exiting child a moment, to learn how it ended
                rc = proc.wait(timeout=1.0)
            except Exception:
                rc = None
        if rc is None:
            return "closed the protocol channel"
        return _exit_reason(rc, self.limits, during)

    # -------------------------------------------------------------- Student protocol

    @property
    def import_error(self) -> StudentError | None:
        """Why the submission could not be imported (kind, message), or None."""
        self.start()
        return self._import_error

    def has(self, name: str) -> bool:
        self.start()
        return self._has.get(name, False)

    def call(self, name: str, args: tuple, kwargs: dict | None = None) -> Any:
        (result,) = self._run(name, [(args, kwargs)])
        if isinstance(result, StudentError):
            raise result
        return result

    def call_many(self, name: str, calls: Sequence) -> list[Any]:
        return self._run(name, list(calls))

    def _run(self, name: str, calls: list) -> list[Any]:
        self.start()
        if self._closed:
            raise SandboxError("this sandbox is closed")
        out: list[Any] = [None] * len(calls)
        pending = list(range(len(calls)))
        failures = 0
        while pending:
            early = self._early_error(name)
            if early is not None:
                for i in pending:
                    out[i] = StudentError(early.kind, early.message, early.detail)
                break
            pending, failed = self._round(name, calls, pending, out)
            failures += failed is not None
            if failures >= 2 and pending:
                for i in pending:
                    out[i] = StudentError(
                        failed, f"not run: two earlier calls of {name} in this batch failed ({failed})"
                    )
                break
        return out

    def _early_error(self, name: str) -> StudentError | None:
        if self._import_error is None and self._res.proc is None and self._budget_left() > 0:
            self._spawn()  # lazily, after a timeout or crash
        if self._import_error is not None:
            return self._import_error
        if self._budget_left() <= 0:
            return StudentError("timeout", "not run: the submission used its whole time budget "
                                f"({self.limits.total_timeout:g} s)")
        if not self._has.get(name):
            return StudentError("missing", f"no function named {name!r} in the submission")
        return None

    def _budget_left(self) -> float:
        return self.limits.total_timeout - self._spent

    def _round(self, name, calls, pending, out) -> tuple[list[int], str | None]:
        """One request for the pending items; return (items still pending, kind of failure)."""
        t0 = time.monotonic()
        self._budget_end = t0 + self._budget_left()
        nonce = secrets.token_hex(8)
        items = [(tuple(calls[i][0]), dict(calls[i][1] or {})) for i in pending]
        frame = wire.encode_frame("call", nonce, {"name": name, "calls": items},
                                  self.limits.message_mb * 2**20)
        done = 0
        chan = self._res.chan
        try:
            chan.deadline = min(t0 + self.limits.call_timeout, self._budget_end)
            chan.send(frame)
            for k, index in enumerate(pending):
                chan.deadline = min(time.monotonic() + self.limits.call_timeout, self._budget_end)
                out[index] = self._item(chan.receive(), nonce, k)
                done = k + 1
            return [], None
        except wire.Timeout:
            index = pending[done]
            if time.monotonic() >= self._budget_end - 1e-3:
                out[index] = StudentError("timeout", "the submission used its whole time budget "
                                          f"({self.limits.total_timeout:g} s)")
                self.events.append(f"call to {name} stopped: the time budget is spent")
            else:
                t = self.limits.call_timeout
                out[index] = StudentError("timeout", f"took longer than {t:g} s "
                                          "(the time limit per call): an infinite loop?")
                self.events.append(f"call to {name} timed out after {t:g} s; "
                                   "the child was restarted")
            self._res.stop_child()
        except (wire.Closed, wire.ProtocolError) as exc:
            index = pending[done]
            reason = self._crash_reason(exc)
            out[index] = StudentError("crash", f"the child process {reason}")
            self.events.append(f"call to {name}: the child {reason}; it was restarted")
            self._res.stop_child()
        finally:
            self._spent += time.monotonic() - t0
        return pending[done + 1 :], out[index].kind

    def _item(self, msg: wire.Message, nonce: str, k: int) -> Any:
        body = msg.body
        if msg.type != "item" or msg.id != nonce or type(body) is not dict or body.get("i") != k:
            raise wire.ProtocolError("unexpected frame (wrong type, id or order)")
        if set(body) == {"i", "ok"}:
            return body["ok"]
        if set(body) == {"i", "err"}:
            kind, message, detail = _error_triple(body["err"])
            return StudentError(kind if kind in _KINDS else "exception", message, detail)
        raise wire.ProtocolError("malformed result")

    # -------------------------------------------------------------- reports

    def stdout_text(self) -> str:
        """What the submission printed (truncated to Limits.output_bytes)."""
        return self._capture(0)

    def stderr_text(self) -> str:
        return self._capture(1)

    def _capture(self, which: int) -> str:
        if not self._res.captures:
            return ""
        fd = self._res.captures[which].fileno()
        cap = self.limits.output_bytes
        data = os.pread(fd, cap, 0)  # never more than the cap from disk
        size = os.fstat(fd).st_size
        text = data.decode("utf-8", "replace")
        if size > cap:
            text += f"\n[... {size - cap} more bytes not shown]"
        return text

    def limits_in_force(self) -> dict[str, bool]:
        """Which limits the OS enforces for this sandbox (from the child, once it started)."""
        out = {"call_timeout": True, "total_timeout": True}
        have_rlimits = os.name == "posix"
        out.update({k: have_rlimits for k in ("memory", "cpu", "file_size", "open_files")})
        out["memory"] = have_rlimits and sys.platform != "darwin"
        out["processes"] = have_rlimits
        out["separate_user"] = have_rlimits and os.geteuid() == 0
        out.update(self._in_force)
        out["no_network"] = out["private_filesystem"] = self.mode == "bwrap"
        return out


def _judge_dirs() -> list[str]:
    """The folders of dlgrade's judging code that a submission must never read."""
    import dlgrade.assignments
    import dlgrade.checks.table
    import dlgrade.reference

    return [d for pkg in (dlgrade.reference, dlgrade.checks.table, dlgrade.assignments)
            for d in pkg.__path__ if os.path.isdir(d)]


def _error_triple(raw) -> tuple[str, str, str]:
    if type(raw) not in (list, tuple) or len(raw) != 3 or not all(type(s) is str for s in raw):
        raise wire.ProtocolError("malformed error")
    return raw[0][:40], raw[1][:500], raw[2][-2000:]


"""The sandboxed child: imports one submission and answers calls with numbers.

Started by dlgrade.grader.sandbox as ``python -s -B -P -m dlgrade.grader.child
R W`` (R, W: the protocol pipe fds) with a scrubbed environment, stdin on
/dev/null and stdout/stderr on capture files the parent holds. It imports
only numpy, the wire format and dlgrade.checks.student/values (dlgrade's
``__init__`` modules import nothing), so it starts in about 0.15 s.

Order of events, each before any student code runs:

1. read the config from the first protocol message;
2. move the protocol fds to high numbers (close-on-exec), so a student's
   ``open()`` or a ``subprocess`` never lands on them by accident;
3. replace sys.stdout/sys.stderr by capped writers (prints cannot reach the
   protocol, and a print flood is silently truncated instead of failing);
4. set resource limits (address space, CPU, file size, open files,
   processes, no core dumps), hard limits included;
5. as root: drop to the sandbox's own uid/gid (setgroups([]), setgid,
   setuid; verified, and no_new_privs so no setuid binary can undo it);
   module directories the new uid cannot reach (a Python under /root) stay
   importable through directory fds opened before the drop;
6. chdir to the work dir and install the import guard;
7. import the submission and report which functions exist, or the import
   error with file and line.

Then it serves "call" requests, one response frame per call, each echoing
the request's id. Every call runs through checks.student.invoke (inputs are
copies, results become plain numbers, in-place mutation is reported), and
BaseException (SystemExit, KeyboardInterrupt, GeneratorExit) is reported as
an error of that call, not a crash. Nothing here is trusted by the parent:
the student's code shares this process and can rewrite all of it; the
parent validates every frame and judges the numbers itself.
"""

from __future__ import annotations

import builtins
import importlib
import io
import os
import sys
import traceback

from dlgrade.checks.student import StudentError, invoke
from dlgrade.grader import wire

__all__ = ["ALWAYS_FORBIDDEN", "main"]

# The judge's own code: a submission never imports it, whatever the assignment says.
ALWAYS_FORBIDDEN = ("dlgrade.reference", "dlgrade.checks.table", "dlgrade.assignments")
_PROTOCOL_FD_BASE = 900
# The builtins as Python made them. A submission that rebinds builtins.max
# (say) would break this server and to_plain, so they are put back after the
# import and after every call: such a patch lives only while the student's
# own code runs.
_BUILTINS = dict(builtins.__dict__)


def _restore_builtins() -> None:
    current = builtins.__dict__
    if current != _BUILTINS:
        current.clear()
        current.update(_BUILTINS)


class ForbiddenImport(ImportError):
    """Raised by the import guard; an ImportError so ``try: import torch`` fallbacks work."""


class _Guard:
    """A sys.meta_path finder that refuses the assignment's forbidden modules."""

    def __init__(self, forbidden):
        self.forbidden = tuple(forbidden)
        self.tripped: str | None = None

    def find_spec(self, fullname, path=None, target=None):
        for name in self.forbidden:
            if fullname == name or fullname.startswith(name + "."):
                self.tripped = fullname
                raise ForbiddenImport(
                    f"importing {fullname} is not allowed in this assignment", name=fullname
                )
        return None


class _CappedText(io.TextIOBase):
    """sys.stdout/sys.stderr: writes go to the capture fd until the cap, then are dropped."""

    def __init__(self, fd: int, cap: int):
        self._fd = fd
        self._left = cap
        self.buffer = _CappedBytes(self)

    encoding = "utf-8"
    errors = "replace"

    def writable(self):
        return True

    def write_bytes(self, data: bytes) -> None:
        if self._left <= 0:
            return
        if len(data) >= self._left:
            data = data[: self._left] + b"\n[dlgrade: output truncated]\n"
            self._left = 0
        else:
            self._left -= len(data)
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError:
            self._left = 0

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        self.write_bytes(s.encode("utf-8", "replace"))
        return len(s)

    def flush(self):
        pass

    def fileno(self):
        return self._fd


class _CappedBytes(io.RawIOBase):
    def __init__(self, text: _CappedText):
        self._text = text

    def writable(self):
        return True

    def write(self, b):
        data = bytes(b)
        self._text.write_bytes(data)
        return len(data)


def _move_high(fd: int) -> int:
    import fcntl

    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except ImportError:  # pragma: no cover - not POSIX
        soft = 1024
    base = _PROTOCOL_FD_BASE if soft == -1 or soft > _PROTOCOL_FD_BASE + 64 else max(soft - 32, 3)
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, base)
    os.close(fd)
    return new


def _count_own_tasks(uid: int) -> int:
    """Tasks (threads included, as RLIMIT_NPROC counts them) of ``uid``; 0 if unknown."""
    count = 0
    try:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.stat(f"/proc/{entry}").st_uid == uid:
                        count += len(os.listdir(f"/proc/{entry}/task"))
                except OSError:
                    pass
    except OSError:
        return 0
    return count


def _apply_limits(spec: dict, dropping: bool) -> dict[str, bool]:
    """Set hard and soft rlimits; return which ones the OS enforces."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return {name: False for name in ("memory", "cpu", "file_size", "open_files", "processes")}
    names = {"AS": "memory", "CPU": "cpu", "FSIZE": "file_size", "NOFILE": "open_files",
             "NPROC": "processes", "CORE": None}
    in_force: dict[str, bool] = {}
    for key, label in names.items():
        value = spec.get(key)
        res = getattr(resource, "RLIMIT_" + key, None)
        ok = False
        if value is not None and res is not None:
            if key == "NPROC" and not dropping and os.geteuid() != 0:
                # The kernel counts every task of the real uid: leave room for
                # the user's other processes (best effort: counts can change).
                value += _count_own_tasks(os.getuid())
            soft, hard = resource.getrlimit(res)
            # CPU: SIGXCPU at the soft limit, SIGKILL one second later.
            want_hard = value + 1 if key == "CPU" else value
            if hard != resource.RLIM_INFINITY and os.geteuid() != 0:
                want_hard = min(want_hard, hard)
            try:
                resource.setrlimit(res, (min(value, want_hard), want_hard))
                ok = True
            except (ValueError, OSError):
                ok = False
        if label is not None:
            in_force[label] = ok
    if sys.platform == "darwin":
        in_force["memory"] = False  # macOS accepts RLIMIT_AS but does not enforce it
    if os.geteuid() == 0 and not dropping:
        in_force["processes"] = False  # root ignores RLIMIT_NPROC
    return in_force


def _hide_judge_files(paths) -> bool:
    """As root on Linux: in a mount namespace of this process's own, cover the
    judge's folders (reference solutions, the table, the bundled assignments)
    with empty root-only tmpfs mounts, so that a submission that removes the
    import guard still cannot read them. Needs CAP_SYS_ADMIN (a plain Docker
    container lacks it: then nothing is hidden, and limits_in_force says so)."""
    if not paths or not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        CLONE_NEWNS, MS_REC, MS_PRIVATE = 0x00020000, 0x4000, 0x40000
        if libc.unshare(CLONE_NEWNS) != 0:
            return False
        if libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
            return False
        ok = True
        for path in paths:
            if os.path.isdir(path):
                ok &= libc.mount(b"tmpfs", os.fsencode(path), b"tmpfs", 0, b"size=4k,mode=0700") == 0
        return ok
    except (OSError, AttributeError):
        return False


def _prctl(option: int, arg: int) -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, arg, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _open_dirs() -> dict[str, int]:
    """Directory fds for every import location, opened while we can still reach them."""
    paths = [p for p in sys.path if p]
    for mod in list(sys.modules.values()):
        path = mod.__dict__.get("__path__")
        if type(path) is list:
            paths.extend(p for p in path if isinstance(p, str))
    fds: dict[str, int] = {}
    for p in sorted(set(paths), key=len):
        if any(p.startswith(q + os.sep) for q in fds):
            continue
        try:
            fds[p] = os.open(p, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            pass
    return fds


def _reroute_unreadable(fds: dict[str, int]) -> None:
    """Point import paths the dropped uid cannot traverse at /proc/self/fd/N.

    /proc/self/fd/N resolves to the directory itself without checking the
    ancestors' permissions, so a Python installed under /root (mode 700)
    keeps working: later ``import statistics`` or numpy's lazy submodules
    load as usual, while /root itself stays unreadable.
    """
    mapping = {}
    for p, fd in fds.items():
        if os.access(p, os.R_OK | os.X_OK):
            os.close(fd)
        else:
            mapping[p] = f"/proc/self/fd/{fd}"
    if not mapping:
        return

    def fix(entry):
        if isinstance(entry, str):
            for p, alias in mapping.items():
                if entry == p or entry.startswith(p + os.sep):
                    return alias + entry[len(p) :]
        return entry

    sys.path[:] = [fix(e) for e in sys.path]
    for mod in list(sys.modules.values()):
        path = mod.__dict__.get("__path__")
        if type(path) is list:
            path[:] = [fix(e) for e in path]
    sys.path_importer_cache.clear()
    importlib.invalidate_caches()


def _drop_privileges(uid: int, gid: int) -> None:
    os.setgroups([])
    # As root, setgid/setuid set the real, effective and saved ids alike.
    os.setgid(gid)
    os.setuid(uid)
    if (os.getuid(), os.geteuid(), os.getgid(), os.getegid()) != (uid, uid, gid, gid) or os.getgroups():
        raise SystemExit("dlgrade child: privilege drop did not take")
    if hasattr(os, "getresuid") and (os.getresuid() != (uid,) * 3 or os.getresgid() != (gid,) * 3):
        raise SystemExit("dlgrade child: privilege drop did not take")
    try:
        os.setuid(0)
    except PermissionError:
        pass
    else:
        raise SystemExit("dlgrade child: could regain root after the drop")


def _where(exc: BaseException, workdir: str) -> str:
    """'file.py, line N' of the deepest frame in the student's files."""
    if isinstance(exc, SyntaxError) and exc.filename:
        fname, line = exc.filename, exc.lineno
    else:
        fname = line = None
        for frame, lineno in traceback.walk_tb(exc.__traceback__):
            if frame.f_code.co_filename.startswith(workdir):
                fname, line = frame.f_code.co_filename, lineno
    if fname is None:
        return ""
    if fname.startswith(workdir):
        fname = fname[len(workdir) :].lstrip(os.sep)
    return f"{fname}, line {line}"


def _describe(exc: BaseException, during: str, workdir: str = "") -> str:
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r}) {during}"
    if isinstance(exc, SyntaxError):
        text = f"SyntaxError: {exc.msg}"
    else:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if isinstance(exc, OSError) and exc.errno == 27:
            text += " (the submission wrote more than the file size limit)"
    where = _where(exc, workdir) if workdir else ""
    return (text[:400] + (f" ({where})" if where else ""))[:500]


def _short_tb(exc: BaseException) -> str:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return "".join(lines[-6:])[-2000:]


class _Server:
    def __init__(self, chan: wire.Channel, config: dict):
        self.chan = chan
        self.cfg = config
        self.workdir = config["workdir"]
        self.guard = _Guard(tuple(config["forbidden"]) + ALWAYS_FORBIDDEN)
        self.ns: dict = {}

    def import_submission(self) -> tuple | None:
        for name in list(sys.modules):
            if any(name == f or name.startswith(f + ".") for f in self.guard.forbidden):
                del sys.modules[name]
        sys.meta_path.insert(0, self.guard)
        sys.path.insert(0, self.workdir)
        try:
            module = importlib.import_module(self.cfg["module"])
            self.ns = module.__dict__
            _restore_builtins()
        except BaseException as exc:  # the student's import, whatever it raises
            _restore_builtins()
            kind = "forbidden" if self.guard.tripped else "exception"
            message = "importing the submission failed: " + _describe(
                exc, "while being imported", self.workdir
            )
            return (kind, message, _short_tb(exc))
        return None

    def has(self) -> dict[str, bool]:
        out = {}
        for name in self.cfg["functions"]:
            try:
                out[name] = callable(self.ns.get(name))
            except BaseException:
                out[name] = False
        return out

    def run_one(self, name: str, args, kwargs):
        fn = self.ns.get(name)
        if not callable(fn):
            return None, StudentError("missing", f"no function named {name!r} in the submission")
        self.guard.tripped = None
        try:
            result, error = invoke(fn, tuple(args), dict(kwargs))
        except BaseException as exc:  # SystemExit, KeyboardInterrupt, GeneratorExit...
            _restore_builtins()
            return None, StudentError("exception", _describe(exc, "during the call"), _short_tb(exc))
        _restore_builtins()
        if error is not None and self.guard.tripped:
            error = StudentError(
                "forbidden", f"importing {self.guard.tripped} is not allowed in this assignment"
            )
        elif error is not None and "Errno 27" in error.message:
            error.message += " (the submission wrote more than the file size limit)"
        return result, error

    def serve(self) -> None:
        max_message = self.cfg["max_message"]
        while True:
            try:
                msg = self.chan.receive()
            except wire.Closed:
                os._exit(0)
            if msg.type == "exit":
                os._exit(0)
            body = msg.body
            name, calls = body["name"], body["calls"]
            for i, (args, kwargs) in enumerate(calls):
                result, error = self.run_one(name, args, kwargs)
                frame = None
                if error is None:
                    try:
                        frame = wire.encode_frame("item", msg.id, {"i": i, "ok": result}, max_message)
                    except (wire.EncodeError, MemoryError) as exc:
                        error = StudentError(
                            "exception", f"returned a value that cannot be sent to the grader: {exc}"
                        )
                if frame is None:
                    item = {"i": i, "err": [error.kind, error.message[:500], error.detail[-2000:]]}
                    frame = wire.encode_frame("item", msg.id, item, max_message)
                try:
                    self.chan.send(frame)
                except wire.Closed:
                    os._exit(0)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    rfd, wfd = _move_high(int(argv[0])), _move_high(int(argv[1]))
    chan = wire.Channel(rfd, wfd)  # blocking: the parent keeps the clock
    hello = chan.receive()
    config = hello.body
    chan.max_message = config["max_message"]

    cap = config["output_bytes"]
    sys.stdout = sys.__stdout__ = _CappedText(1, cap)
    sys.stderr = sys.__stderr__ = _CappedText(2, cap)

    uid, gid = config.get("uid"), config.get("gid")
    dropping = uid is not None and os.geteuid() == 0
    # Before the import paths are opened: an fd opened earlier would still
    # see the files under the new mounts.
    hidden = dropping and _hide_judge_files(config.get("hide", ()))
    dir_fds = _open_dirs() if dropping else {}
    in_force = _apply_limits(config["rlimits"], dropping)
    if dropping:
        _drop_privileges(uid, gid)
        _reroute_unreadable(dir_fds)
    in_force["separate_user"] = dropping
    in_force["judge_files_hidden"] = bool(hidden)
    if sys.platform.startswith("linux"):
        # Orphans of the student's processes re-parent to this process, so the
        # grader finds a double-forked daemon in our tree (PR_SET_CHILD_SUBREAPER).
        _prctl(36, 1)
    # No setuid binary may raise the privileges of anything the student starts.
    in_force["no_new_privs"] = sys.platform.startswith("linux") and _prctl(38, 1)
    os.chdir(config["workdir"])
    os.environ["HOME"] = config["workdir"]

    server = _Server(chan, config)
    import_error = server.import_submission()
    ready = {
        "has": server.has() if import_error is None else {},
        "import_error": list(import_error) if import_error else None,
        "in_force": in_force,
        "pid": os.getpid(),
    }
    chan.send(wire.encode_frame("ready", hello.id, ready, chan.max_message))
    server.serve()


if __name__ == "__main__":
    main()

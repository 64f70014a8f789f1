"""Batch grading, part 1: finding each student's submission and the key of its result.

See grader/batch.py for the guarantees; this module holds the layouts
(folder, Gradescope, GitHub Classroom), the payload read once and hashed, and
the resume key.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from dlgrade import __version__
from dlgrade.assignments.manifest import Assignment


LAYOUTS = ("folder", "gradescope", "classroom")
_SKIP_DIRS = {"__pycache__", "node_modules", "venv", "site-packages"}


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
            if module + suffix in filenames and not os.path.islink(os.path.join(dirpath, module + suffix)):
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
    "dir" (paths relative to the folder ``name``). refused: why it cannot be
    graded at all (then graded 0 with that reason, without running it)."""

    name: str
    kind: str
    files: tuple[tuple[str, bytes], ...]
    refused: str = ""

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

    if path.is_symlink():
        return Payload(path.name, "file", (("", b""),), f"{path.name} is a symbolic link; submit the file itself")
    if not path.is_dir():
        limit = sub.MAX_NOTEBOOK_BYTES if path.suffix.lower() == ".ipynb" else sub.MAX_FILE_BYTES
        data = _read_nofollow(path, limit + 1)
        if data is None:
            return Payload(path.name, "file", (("", b""),), f"{path.name} cannot be read")
        return Payload(path.name, "file", (("", data),))
    files: list[tuple[str, bytes]] = []
    total = 0

    def walk(folder: Path, rel: str, depth: int) -> None:
        nonlocal total
        if depth > 8 or total > sub.MAX_TOTAL_BYTES or len(files) > sub.MAX_FILES:
            return
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith(".") or entry.name == "__pycache__" or entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False):
                walk(Path(entry.path), f"{rel}{entry.name}/", depth + 1)
            elif entry.is_file(follow_symlinks=False) and entry.name.endswith(sub._DATA_SUFFIXES):
                if total > sub.MAX_TOTAL_BYTES or len(files) > sub.MAX_FILES:
                    return
                data = _read_nofollow(Path(entry.path), sub.MAX_FILE_BYTES + 1)
                if data is not None:
                    total += len(data)
                    files.append((rel + entry.name, data))

    walk(path, "", 0)
    return Payload(path.name, "dir", tuple(files))


def _read_nofollow(path: Path, limit: int) -> bytes | None:
    """At most ``limit`` bytes of a regular file, never through a symlink (None if unreadable)."""
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(limit)
    except OSError:
        return None
    finally:
        os.close(fd)


def assignment_hash(assignment: Assignment) -> str:
    """sha256 of the parsed manifest (checks, points, visibility, limits,
    settings, forbidden imports, module): comments and formatting do not count."""
    data = {k: v for k, v in asdict(assignment).items() if k != "folder"}
    table = assignment.folder / "table.py"  # an assignment's own graded functions change grades too
    if table.is_file():
        data["table.py"] = hashlib.sha256(table.read_bytes()).hexdigest()
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



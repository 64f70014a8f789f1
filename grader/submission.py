"""Loading a submission in the grader WITHOUT running it, and the static import scan.

:func:`load_submission` accepts

- a ``.py`` file;
- a package directory (with ``__init__.py``), or a folder holding
  ``MODULE.py`` (plus any helper modules beside it);
- a Jupyter notebook (``.ipynb``): its code cells become one module.

It reads every file once, into memory: the sandbox writes these bytes into
a fresh work dir, so the original cannot be modified by the student's code,
and what is scanned is exactly what runs. Symlinks, special files, hidden
files and ``__pycache__`` are never read (a symlink to /etc/shadow in a
student's folder must not be copied by a grader running as root). Sizes
are capped.

Source decoding (decided): strict. The encoding is what Python itself would
use (a BOM or a ``# -*- coding: ... -*-`` line, else UTF-8); bytes that do
not decode raise :class:`SubmissionError` naming the file, line and column
and saying how to fix it. Python would refuse the import anyway, with a
less helpful message.

Notebooks: JSON is parsed with ``json`` only (never executed); IPython
lines (``%magic``, ``!shell``, ``x = !cmd``, ``obj?``) become ``pass`` so
line numbers and indentation survive; a cell starting with a cell magic is
dropped, except ``%%time``/``%%capture`` whose body is plain Python. The
notebook runs as a module, top to bottom, like "Restart & Run All": an
exception in any cell fails the import. A kernel in another language, or
malformed JSON, is a SubmissionError.
"""

from __future__ import annotations

import ast
import io
import json
import keyword
import os
import re
import stat
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

__all__ = ["LoadedSubmission", "SubmissionError", "load_submission", "static_scan"]

MAX_FILE_BYTES = 5 * 2**20
MAX_NOTEBOOK_BYTES = 50 * 2**20  # outputs (plots) make notebooks large; only code is kept
MAX_TOTAL_BYTES = 20 * 2**20
MAX_FILES = 500
_DATA_SUFFIXES = (".py", ".npy", ".npz", ".json", ".txt", ".csv")
_PYTHON_CELL_MAGICS = ("time", "capture")
# Names a submission module must not take: the child has imported modules of
# these names already, so ``import numpy`` would find the real one, not the
# student's file. Such a file is imported as "submission" instead.
_TAKEN = {"numpy", "dlgrade", "certifi", "site", "__main__", "_distutils_hack"}


class SubmissionError(ValueError):
    """The submission cannot be loaded; the message says why and how to fix it."""


@dataclass(frozen=True)
class LoadedSubmission:
    """A submission read into memory, ready to be copied into a sandbox.

    path: what the user named. module_name: what the child imports.
    files: (relative POSIX path, content) pairs to write into the work dir.
    source_text: all Python source, for :func:`static_scan` (one file, or the
    files of a folder joined in order). kind: "module", "package", "notebook".
    cells: for a notebook, (first line in the generated module, cell number).
    """

    path: Path
    module_name: str
    files: tuple[tuple[str, bytes], ...]
    source_text: str
    kind: str = "module"
    cells: tuple[tuple[int, int], ...] = ()

    def origin(self, line: int) -> str:
        """Where line ``line`` of the module came from: 'cell 3, line 2' for a notebook."""
        for first, cell in reversed(self.cells):
            if line >= first:
                return f"cell {cell}, line {line - first + 1}"
        return f"line {line}"


def _safe_name(stem: str) -> str:
    ok = (
        stem.isidentifier()
        and not keyword.iskeyword(stem)
        and stem not in _TAKEN
        and stem not in getattr(sys, "stdlib_module_names", ())
        and not stem.startswith("_")
    )
    return stem if ok else "submission"


def _read(path: Path, limit: int) -> bytes:
    """Read a regular file without following a symlink, at most ``limit`` bytes."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise SubmissionError(f"cannot read {path.name}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SubmissionError(f"{path.name} is not a regular file")
        if info.st_size > limit:
            raise SubmissionError(f"{path.name} is {info.st_size} bytes, more than the {limit} allowed")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(limit + 1)[:limit]
    finally:
        os.close(fd)


def decode_source(data: bytes, name: str) -> str:
    """Decode Python source as Python would; SubmissionError with line and column if it can't."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise SubmissionError(f"{name}: {exc.msg}") from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise SubmissionError(
            f"{name} is not valid {encoding} text: byte 0x{data[exc.start]:02x} at line {line}, "
            f"column {column}. Save the file as UTF-8 (or declare its encoding on the first "
            f"line, e.g. '# -*- coding: latin-1 -*-')"
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


# ------------------------------------------------------------------ notebooks

_ASSIGN_MAGIC = re.compile(r"^\s*[\w.\[\]]+(\s*,\s*[\w.\[\]]+)*\s*=\s*[%!]")


def _neutralise(line: str) -> str:
    stripped = line.lstrip()
    if (
        stripped.startswith(("%", "!"))
        or _ASSIGN_MAGIC.match(line)
        or (stripped.endswith("?") and not stripped.startswith("#"))
    ):
        return line[: len(line) - len(stripped)] + "pass  # IPython syntax dropped by dlgrade"
    return line


def notebook_source(data: bytes, name: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The code cells of a notebook as one module; and (first line, cell number) per cell."""
    try:
        nb = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise SubmissionError(f"{name} is not a valid notebook: it is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise SubmissionError(
            f"{name} is not a valid notebook: broken JSON at line {exc.lineno}, column {exc.colno} "
            f"({exc.msg}). Open it in Jupyter and save it again"
        ) from None
    except RecursionError:
        raise SubmissionError(f"{name} is not a valid notebook: JSON nested too deeply") from None
    if not isinstance(nb, dict):
        raise SubmissionError(f"{name} is not a valid notebook: the top level is not an object")
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    for key, field in (("kernelspec", "language"), ("language_info", "name")):
        section = meta.get(key)
        lang = section.get(field) if isinstance(section, dict) else None
        if isinstance(lang, str) and lang.strip().lower() not in ("python", "python3", "ipython"):
            raise SubmissionError(f"{name} is a {lang} notebook; the assignment needs Python")
    cells = nb.get("cells")
    if cells is None and isinstance(nb.get("worksheets"), list) and nb["worksheets"]:
        first = nb["worksheets"][0]
        cells = first.get("cells") if isinstance(first, dict) else None  # nbformat 3
    if not isinstance(cells, list):
        raise SubmissionError(f"{name} is not a valid notebook: it has no list of cells")
    out: list[str] = [f"# Code cells of {name}, extracted by dlgrade\n"]
    origins = []
    line = 2
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict):
            raise SubmissionError(f"{name} is not a valid notebook: cell {number} is not an object")
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", cell.get("input", ""))
        if isinstance(src, list) and all(isinstance(s, str) for s in src):
            src = "".join(src)
        if not isinstance(src, str):
            raise SubmissionError(f"{name}: the source of cell {number} is not text")
        lines = src.splitlines()
        first = next((ln.strip() for ln in lines if ln.strip()), "")
        if first.startswith("%%"):
            magic = first[2:].split()[0] if first[2:].split() else ""
            if magic not in _PYTHON_CELL_MAGICS:
                lines = [f"# cell magic %%{magic} dropped by dlgrade"]
            else:
                at = next(i for i, ln in enumerate(lines) if ln.strip())
                lines = lines[:at] + ["pass  # " + first] + lines[at + 1 :]
        body = [_neutralise(ln) for ln in lines] or [""]
        out.append(f"# In[{number}]:\n")
        origins.append((line + 1, number))
        out.append("\n".join(body) + "\n\n")
        line += 1 + len(body) + 1
    return "".join(out), tuple(origins)


NOTEBOOK_ERRORS = "_dlgrade_notebook_errors"


def notebook_module(source: str, cells: tuple[tuple[int, int], ...], name: str) -> str:
    """The module the child runs for a notebook: each code cell on its own.

    A cell that raises (a Colab-only import, a failing test cell, a typo)
    does not stop the cells after it, as when a student runs them all in
    Jupyter; the functions defined elsewhere are graded. The errors are
    kept and returned by ``_dlgrade_notebook_errors()`` for the report.
    Tracebacks name the cell ("cell 3 of act.ipynb") and its own lines.
    """
    lines = source.split("\n")
    out = [f"# The code cells of {name}, run one by one by dlgrade.",
           "_dlgrade_cell_errors = []", "",
           "def _dlgrade_run_cell(_src, _where):",
           "    try:",
           "        exec(compile(_src, _where, 'exec'), globals())",
           "    except Exception as _exc:",
           "        _tb, _line = _exc.__traceback__, getattr(_exc, 'lineno', None)",
           "        while _tb is not None:",
           "            if _tb.tb_frame.f_code.co_filename == _where:",
           "                _line = _tb.tb_lineno",
           "            _tb = _tb.tb_next",
           "        _at = f', line {_line}' if _line else ''",
           "        _dlgrade_cell_errors.append(f'{_where}{_at}: {type(_exc).__name__}: {_exc}'[:300])", "",
           f"def {NOTEBOOK_ERRORS}():",
           "    return list(_dlgrade_cell_errors[:20])", ""]
    bounds = [first for first, _ in cells] + [len(lines) + 1]
    for (first, number), end in zip(cells, bounds[1:]):
        # The cell's own lines: from its first line up to the "# In[..]" marker of the next.
        body = "\n".join(lines[first - 1:end - 2]).rstrip() + "\n"
        out.append(f"_dlgrade_run_cell({body!r}, {f'cell {number} of {name}'!r})")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ loading


def _folder_files(root: Path) -> list[tuple[str, bytes]]:
    files: list[tuple[str, bytes]] = []
    total = 0

    def walk(folder: Path, rel: str, depth: int):
        nonlocal total
        if depth > 8:
            return
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.name.startswith(".") or entry.name == "__pycache__":
                    continue
                if entry.is_symlink():
                    continue  # never follow a student's symlink
                if entry.is_dir(follow_symlinks=False):
                    walk(Path(entry.path), f"{rel}{entry.name}/", depth + 1)
                elif entry.is_file(follow_symlinks=False) and entry.name.endswith(_DATA_SUFFIXES):
                    data = _read(Path(entry.path), MAX_FILE_BYTES)
                    total += len(data)
                    if total > MAX_TOTAL_BYTES or len(files) >= MAX_FILES:
                        raise SubmissionError(f"{root.name} is too large (files or bytes)")
                    files.append((rel + entry.name, data))

    walk(root, "", 0)
    return files


def load_submission(path: str | os.PathLike, module: str | None = None) -> LoadedSubmission:
    """Read a submission without running any of it.

    ``module``: the module the assignment expects (e.g. "activations"), used
    to find ``MODULE.py`` in a folder. Raises SubmissionError (a ValueError)
    with a message for the student when the submission cannot be used.
    """
    path = Path(path)
    try:
        info = os.lstat(path)
    except OSError:
        raise SubmissionError(f"{path} does not exist") from None
    if stat.S_ISLNK(info.st_mode):
        # Never followed: in an autograder running as root, a submitted link
        # to a system file would be read by the grader and echoed in feedback.
        raise SubmissionError(f"{path} is a symbolic link; give the path of the file it points to")
    if stat.S_ISDIR(info.st_mode):
        return _load_folder(path, module)
    suffix = path.suffix.lower()
    if suffix == ".ipynb":
        source, cells = notebook_source(_read(path, MAX_NOTEBOOK_BYTES), path.name)
        name = _safe_name(path.stem)
        module = notebook_module(source, cells, path.name)
        return LoadedSubmission(path, name, ((name + ".py", module.encode()),), source, "notebook", cells)
    if suffix != ".py":
        raise SubmissionError(f"{path.name}: expected a .py file, a .ipynb notebook or a folder")
    data = _read(path, MAX_FILE_BYTES)
    source = decode_source(data, path.name)
    name = _safe_name(path.stem)
    return LoadedSubmission(path, name, ((name + ".py", data),), source, "module")


def _load_folder(path: Path, module: str | None) -> LoadedSubmission:
    files = _folder_files(path)
    py = [(rel, data) for rel, data in files if rel.endswith(".py")]
    sources = "".join(
        f"# file: {rel}\n{decode_source(data, rel)}\n" for rel, data in py
    )
    if (path / "__init__.py").is_file():
        name = _safe_name(path.name)
        files = [(f"{name}/{rel}", data) for rel, data in files]
        return LoadedSubmission(path, name, tuple(files), sources, "package")
    top = [rel for rel, _ in py if "/" not in rel]
    if module and f"{module}.py" in top:
        name = module
    elif len(top) == 1:
        name = top[0][:-3]
    else:
        want = f"{module}.py" if module else "one .py file"
        raise SubmissionError(f"{path.name} has no __init__.py and no {want} to grade")
    if _safe_name(name) != name:
        raise SubmissionError(f"{name}.py cannot be imported under that name; rename it")
    return LoadedSubmission(path, name, tuple(files), sources, "package")


# ------------------------------------------------------------------ static scan


def _matches(module: str, forbidden: tuple[str, ...]) -> bool:
    return any(module == f or module.startswith(f + ".") for f in forbidden)


_RX_IMPORT = re.compile(r"^\s*import\s+([\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*)")
_RX_FROM = re.compile(r"^\s*from\s+([\w.]+)\s+import\s+\(?\s*([\w\s,]+)")
_RX_CALL = re.compile(r"(?:__import__|import_module)\(\s*['\"]([\w.]+)['\"]")


def _regex_scan(source: str, forbidden: tuple[str, ...]) -> list[tuple[str, int]]:
    found = []
    for number, line in enumerate(source.splitlines(), 1):
        names = []
        if m := _RX_IMPORT.match(line):
            names += [part.split()[0] for part in m.group(1).split(",")]
        if m := _RX_FROM.match(line):
            if _matches(m.group(1), forbidden):
                names.append(m.group(1))
            else:
                names += [f"{m.group(1)}.{n.split()[0]}" for n in m.group(2).split(",") if n.strip()]
        names += _RX_CALL.findall(line)
        found += [(n, number) for n in names if _matches(n, forbidden)]
    return found


def static_scan(source: str, forbidden: Iterable[str]) -> list[tuple[str, int]]:
    """Imports of forbidden modules in ``source``: (module, line), in line order.

    Finds ``import X``, ``from X import y`` (and ``from X import sub`` when
    ``X.sub`` is forbidden), ``__import__("X")`` and
    ``importlib.import_module("X")`` with literal names. A module matches
    when it is a forbidden name or inside one (``torch.nn`` for ``torch``).
    Source that does not parse is scanned line by line with regexes. Dynamic
    imports built at run time are the import guard's job, in the child.
    """
    forbidden = tuple(forbidden)
    if not forbidden:
        return []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return sorted(set(_regex_scan(source, forbidden)), key=lambda x: (x[1], x[0]))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {(a.name, node.lineno) for a in node.names if _matches(a.name, forbidden)}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if _matches(node.module, forbidden):
                found.add((node.module, node.lineno))
            else:
                for a in node.names:
                    full = f"{node.module}.{a.name}"
                    if _matches(full, forbidden):
                        found.add((full, node.lineno))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            fname = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            arg = node.args[0]
            if (
                fname in ("__import__", "import_module")
                and isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
                and _matches(arg.value, forbidden)
            ):
                found.add((arg.value, node.lineno))
    return sorted(found, key=lambda x: (x[1], x[0]))

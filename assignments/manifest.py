"""Loading and validating an assignment's manifest.toml (format: docs/manifest.md).

An assignment is a folder with ``manifest.toml``, ``starter.py``, ``guide.md``
and ``examples/``. The bundled ones live beside this module; an instructor's
own folder works the same way (pass its path instead of a name).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["ManifestError", "CheckSpec", "Assignment", "load", "available", "ensure_local_table", "BUNDLED", "VISIBILITIES"]

BUNDLED = Path(__file__).resolve().parent
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
SCHEMA_VERSION = 1
_LIMIT_KEYS = {"call_timeout": float, "import_timeout": float, "total_timeout": float, "memory_mb": int,
               "cpu_seconds": int, "processes": int}
_SETTING_KEYS = {"examples": int, "gradcheck_examples": int, "shrink_calls": int}


class ManifestError(Exception):
    """A manifest that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class CheckSpec:
    function: str
    check: str
    points: float
    visibility: str = "visible"

    @property
    def id(self) -> str:
        return f"{self.function}.{self.check}"


@dataclass(frozen=True)
class Assignment:
    name: str
    title: str
    module: str
    folder: Path
    checks: tuple[CheckSpec, ...]
    forbidden_imports: tuple[str, ...] = ()
    limits: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)

    @property
    def functions(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for c in self.checks:
            seen.setdefault(c.function, None)
        return tuple(seen)

    @property
    def max_score(self) -> float:
        return float(sum(c.points for c in self.checks))

    @property
    def starter(self) -> Path:
        return self.folder / "starter.py"

    @property
    def guide(self) -> Path:
        return self.folder / "guide.md"

    @property
    def examples(self) -> Path:
        return self.folder / "examples"

    def checks_of(self, function: str) -> tuple[CheckSpec, ...]:
        return tuple(c for c in self.checks if c.function == function)


def available() -> list[str]:
    """Names of the bundled assignments, in course order."""
    from dlgrade.checks.table import TOPICS

    names = sorted(p.parent.name for p in BUNDLED.glob("*/manifest.toml"))
    return [t for t in TOPICS if t in names] + [n for n in names if n not in TOPICS]


def _fail(path: Path, msg: str):
    raise ManifestError(f"{path}: {msg}")


def load(name_or_path: str | Path) -> Assignment:
    """Load a bundled assignment by name, or an assignment folder / manifest path."""
    p = Path(name_or_path)
    if p.suffix == ".toml" and p.is_file():
        manifest = p
    elif p.is_dir() and (p / "manifest.toml").is_file():
        manifest = p / "manifest.toml"
    elif (BUNDLED / str(name_or_path) / "manifest.toml").is_file():
        manifest = BUNDLED / str(name_or_path) / "manifest.toml"
    else:
        names = ", ".join(available()) or "(none installed)"
        raise ManifestError(f"no assignment named {str(name_or_path)!r}; the bundled ones are: {names} (or give a folder with a manifest.toml)")
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        _fail(manifest, f"not valid TOML: {exc}")
    ensure_local_table(manifest.parent)
    return _parse(manifest, data)


def ensure_local_table(folder: Path) -> None:
    """An assignment folder may declare its own graded functions in table.py
    (ENTRIES, as in dlgrade.checks.table): the instructor's code, run in the
    judge's process like the bundled table. Never read from a submission."""
    path = folder / "table.py"
    if not path.is_file():
        return
    import hashlib
    import importlib.util

    from dlgrade.checks.table import register_local

    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    name = f"dlgrade_local_table_{digest}"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise ManifestError(f"{path}: could not be imported: {type(exc).__name__}: {exc}") from exc
        sys.modules[name] = module
    entries = getattr(module, "ENTRIES", None)
    if not isinstance(entries, (tuple, list)):
        raise ManifestError(f"{path}: must define ENTRIES, a tuple of dlgrade.checks.spec.Entry")
    try:
        register_local(tuple(entries), str(path))
    except (TypeError, ValueError) as exc:
        raise ManifestError(str(exc)) from exc


def _parse(path: Path, data: dict) -> Assignment:
    from dlgrade.checks.table import entry as table_entry

    if data.get("schema_version") != SCHEMA_VERSION:
        _fail(path, f"schema_version must be {SCHEMA_VERSION} (got {data.get('schema_version')!r})")
    name = data.get("name") or path.parent.name
    module = data.get("module", name)
    if not isinstance(module, str) or not module.isidentifier():
        _fail(path, f"module must be a Python module name, got {module!r}")
    forbidden = data.get("forbidden_imports", [])
    if not isinstance(forbidden, list) or not all(isinstance(x, str) for x in forbidden):
        _fail(path, "forbidden_imports must be a list of module names")
    limits = data.get("limits", {})
    for k, v in limits.items():
        if k not in _LIMIT_KEYS:
            _fail(path, f"[limits] has an unknown key {k!r}; known: {', '.join(_LIMIT_KEYS)}")
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
            _fail(path, f"[limits] {k} must be a positive number, got {v!r}")
    settings = data.get("settings", {})
    for k, v in settings.items():
        if k not in _SETTING_KEYS or not isinstance(v, int) or v < 1:
            _fail(path, f"[settings] {k} = {v!r}: known keys are {', '.join(_SETTING_KEYS)}, positive integers")
    functions = data.get("functions")
    if not isinstance(functions, dict) or not functions:
        _fail(path, "no [functions.NAME] tables: an assignment grades at least one function")
    checks: list[CheckSpec] = []
    for fname, table in functions.items():
        try:
            ent = table_entry(fname)
        except KeyError:
            _fail(path, f"[functions.{fname}]: no graded function named {fname!r} in the table (dlgrade list --checks shows them)")
        if not isinstance(table, dict):
            _fail(path, f"[functions.{fname}] must be a table of check = points")
        visibility = table.get("visibility", {})
        if not isinstance(visibility, dict):
            _fail(path, f"[functions.{fname}.visibility] must be a table of check = visibility")
        supported = ent.checks()
        for check, points in table.items():
            if check == "visibility":
                continue
            if check not in supported:
                _fail(path, f"[functions.{fname}] {check}: {fname} has no such check; it has {', '.join(supported)}")
            if isinstance(points, bool) or not isinstance(points, (int, float)) or not math.isfinite(points) or points < 0:
                _fail(path, f"[functions.{fname}] {check} = {points!r}: points must be a number >= 0")
            vis = visibility.get(check, "visible")
            if vis not in VISIBILITIES:
                _fail(path, f"[functions.{fname}.visibility] {check} = {vis!r}: use one of {', '.join(VISIBILITIES)}")
            checks.append(CheckSpec(fname, check, float(points), vis))
        for check in visibility:
            if check not in table:
                _fail(path, f"[functions.{fname}.visibility] names {check!r}, which has no points in [functions.{fname}]")
    return Assignment(
        name=name, title=data.get("title", name), module=module, folder=path.parent,
        checks=tuple(checks), forbidden_imports=tuple(forbidden), limits=dict(limits), settings=dict(settings),
    )

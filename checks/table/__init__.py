"""THE table of graded functions: every entry of every topic, by name.

Each topic module (activations, losses, ...) exports ``ENTRIES``. This module
collects them lazily (importing a topic imports its reference and its
strategies) and refuses duplicate names.
"""

from __future__ import annotations

import importlib

from ..spec import Entry

__all__ = ["TOPICS", "entries", "entry", "topic_entries", "register_local"]

TOPICS = ("activations", "losses", "initializers", "optimizers", "convolution", "backprop")

_BY_TOPIC: dict[str, tuple[Entry, ...]] = {}
# Entries declared by an assignment folder's own table.py (see
# assignments/manifest.py): looked up after the bundled topics.
_LOCAL: dict[str, Entry] = {}


def register_local(new: tuple[Entry, ...], origin: str) -> None:
    """Add an assignment's own entries; a name may not shadow a bundled entry
    or a different local entry registered before."""
    for e in new:
        if not isinstance(e, Entry):
            raise TypeError(f"{origin}: ENTRIES must hold Entry records, found {type(e).__name__}")
        try:
            _bundled(e.name)
        except KeyError:
            pass
        else:
            raise ValueError(f"{origin}: {e.name!r} is already a bundled graded function; choose another name")
        old = _LOCAL.get(e.name)
        if old is not None and old is not e and old.reference is not e.reference:
            raise ValueError(f"{origin}: {e.name!r} is declared by another assignment's table.py too")
        _LOCAL[e.name] = e


def topic_entries(topic: str) -> tuple[Entry, ...]:
    if topic not in TOPICS:
        raise KeyError(f"unknown topic {topic!r}; topics are {', '.join(TOPICS)}")
    if topic not in _BY_TOPIC:
        _BY_TOPIC[topic] = tuple(importlib.import_module(f"{__name__}.{topic}").ENTRIES)
    return _BY_TOPIC[topic]


def entries() -> dict[str, Entry]:
    """Every entry of every topic, by name (names are unique across topics)."""
    out: dict[str, Entry] = {}
    for t in TOPICS:
        try:
            es = topic_entries(t)
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{t}":
                continue
            raise
        for e in es:
            if e.name in out:
                raise ValueError(f"entry {e.name!r} is declared twice ({out[e.name].topic} and {t})")
            out[e.name] = e
    out.update({k: v for k, v in _LOCAL.items() if k not in out})
    return out


def entry(name: str) -> Entry:
    try:
        return _bundled(name)
    except KeyError:
        if name in _LOCAL:
            return _LOCAL[name]
        raise


def _bundled(name: str) -> Entry:
    for t in TOPICS:
        try:
            for e in topic_entries(t):
                if e.name == name:
                    return e
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{t}":
                continue
            raise
    raise KeyError(f"no graded function named {name!r}")

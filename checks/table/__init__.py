"""THE table of graded functions: every entry of every topic, by name.

Each topic module (activations, losses, ...) exports ``ENTRIES``. This module
collects them lazily (importing a topic imports its reference and its
strategies) and refuses duplicate names.
"""

from __future__ import annotations

import importlib

from ..spec import Entry

__all__ = ["TOPICS", "entries", "entry", "topic_entries"]

TOPICS = ("activations", "losses", "initializers", "optimizers", "convolution", "backprop")

_BY_TOPIC: dict[str, tuple[Entry, ...]] = {}


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
    return out


def entry(name: str) -> Entry:
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

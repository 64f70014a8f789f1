"""Every verification of every topic passes: one test per check, from the topics' CHECKS lists.

Each topic's own file (tests/test_verify_<topic>.py) shows the other way:
a deliberately broken reference patched in makes its checks fail.
"""

from __future__ import annotations

import pytest

from dlgrade.reference.verify import TOPICS, _run_one, collect, torch_available

SYMBOLIC = collect("symbolic", TOPICS)
TORCH = collect("torch", TOPICS) if torch_available() else []


def _ids(pairs):
    return [f"{topic}-{i:02d}-{c.formula}" for i, (topic, c) in enumerate(pairs)]


def test_every_topic_has_both_kinds_of_verification():
    for topic in TOPICS:
        assert any(t == topic for t, _ in SYMBOLIC), f"{topic} has no symbolic checks"
        if torch_available():
            assert any(t == topic for t, _ in TORCH), f"{topic} has no torch checks"


@pytest.mark.parametrize("topic,check", SYMBOLIC, ids=_ids(SYMBOLIC))
def test_symbolic_check_passes(topic, check):
    result = _run_one(check, "symbolic")
    assert result.passed, f"{topic}: {check.formula}: {check.what}: {result.message}"


@pytest.mark.torch
@pytest.mark.parametrize("topic,check", TORCH, ids=_ids(TORCH))
def test_torch_check_passes(topic, check):
    result = _run_one(check, "torch")
    assert result.passed, f"{topic}: {check.formula}: {check.what}: {result.message}"

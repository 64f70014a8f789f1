"""Every check, both ways: correct alternatives pass, real mistakes fail with the expected hint.

The cases live in tests/catalogue/<topic>.py (CORRECT and MISTAKES lists);
this file only runs them against the engine, in-process.
"""

import importlib

import pytest

from dlgrade.checks.engine import run_check, run_entry
from dlgrade.checks.student import InProcessStudent
from dlgrade.checks.table import TOPICS, entry, topic_entries

CATALOGUES = {}
for _t in TOPICS:
    try:
        CATALOGUES[_t] = importlib.import_module(f"tests.catalogue.{_t}")
    except ModuleNotFoundError:
        pass


def _reference_namespace(topic):
    from dlgrade.reference import activations, backprop, convolution, initializers, losses, optimizers  # noqa: F401

    ns = {}
    for e in topic_entries(topic):
        ns[e.name] = e.reference
    return ns


def _student(topic, **override):
    ns = _reference_namespace(topic)
    ns.update(override)
    return InProcessStudent(ns)


def _ids(cases):
    return [f"{c.function}-{getattr(c, 'check', '')}-{i}" for i, c in enumerate(cases)]


CORRECT = [(t, c) for t, m in CATALOGUES.items() for c in m.CORRECT]
MISTAKES = [(t, c) for t, m in CATALOGUES.items() for c in m.MISTAKES]


@pytest.mark.parametrize("topic", list(CATALOGUES))
def test_reference_passes_every_check(topic):
    student = _student(topic)
    for e in topic_entries(topic):
        for out in run_entry(e, student):
            assert out.passed, f"{e.name}.{out.check}: {out.summary}\n{out.detail}"


@pytest.mark.parametrize("topic,case", CORRECT, ids=[f"{t}-{c.function}-{i}" for i, (t, c) in enumerate(CORRECT)])
def test_correct_alternative_passes(topic, case):
    e = entry(case.function)
    student = _student(topic, **{case.function: case.impl})
    for out in run_entry(e, student):
        assert out.passed, f"{case.style}: {e.name}.{out.check}: {out.summary}\n{out.detail}"


@pytest.mark.parametrize("topic,case", MISTAKES, ids=[f"{t}-{c.function}-{c.check}-{i}" for i, (t, c) in enumerate(MISTAKES)])
def test_mistake_fails_its_check_with_hint(topic, case):
    e = entry(case.function)
    student = _student(topic, **{case.function: case.impl})
    out = run_check(e, case.check, student)
    assert out.status == "failed", f"{case.function}.{case.check} should fail: {out.status} {out.summary}"
    text = f"{out.hint} {out.mistake or ''} {out.summary}".lower()
    assert case.hint.lower() in text, f"expected {case.hint!r} in the feedback, got hint={out.hint!r} mistake={out.mistake!r}"


def test_each_topic_catalogue_has_three_mistakes():
    for topic, mod in CATALOGUES.items():
        assert len(mod.MISTAKES) >= 3, topic

"""Naming mistakes (fingerprinting), data-driven from the table:

- every known wrong variant of every entry, submitted as the student's
  function, fails a check that names exactly that variant;
- a bug that is not in the library gets no name (a wrong name is worse than none).

(Correct implementations never get a name: tests/test_catalogue.py runs every
correct alternative through every check, and a passing check names nothing.)
"""

import numpy as np
import pytest

from dlgrade.checks.engine import Settings, run_check
from dlgrade.checks.student import InProcessStudent
from dlgrade.checks.table import entries, entry, topic_entries

# Naming does not depend on how far a failure is shrunk; a small shrinking
# budget keeps this file fast.
FAST = Settings(shrink_calls=15)

ALL = [(e, m) for e in entries().values() for m in e.mistakes]


def _student(e, impl):
    ns = {x.name: x.reference for x in topic_entries(e.topic)}
    ns[e.name] = impl
    return InProcessStudent(ns)


@pytest.mark.parametrize("e,m", ALL, ids=[m.name for _, m in ALL])
def test_each_known_mistake_is_named(e, m):
    student = _student(e, m.impl)
    outcomes = [run_check(e, c, student, FAST) for c in e.checks()]
    failed = [o for o in outcomes if not o.passed]
    assert failed, f"{m.name} passes every check of {e.name}"
    named = {o.mistake for o in failed if o.mistake}
    assert named == {m.name}, f"{m.name}: failing checks named {named or 'nothing'}"
    assert all(o.hint for o in failed if o.mistake)


def test_at_least_five_mistakes_per_topic():
    from dlgrade.checks.table import TOPICS

    for t in TOPICS:
        n = sum(len(e.mistakes) for e in topic_entries(t))
        assert n >= 5, f"{t} has only {n} named mistakes"


UNKNOWN = [
    ("sigmoid", lambda z: 1 / (1 + np.exp(-2 * z)), "value"),
    ("relu_grad", lambda z: (z > 1).astype(float), "value"),
    ("softmax", lambda z: np.exp(z - z.max(-1, keepdims=True)) / np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True) * 0.99, "value"),
    ("mse", lambda y, p: float(np.mean((y - p) ** 2) * 3), "value"),
    ("conv2d_forward", lambda x, w, b, stride=1, pad=0: np.zeros((x.shape[0], w.shape[0], (x.shape[2] + 2 * pad - w.shape[2]) // stride + 1, (x.shape[3] + 2 * pad - w.shape[3]) // stride + 1)), "value"),
    ("adam", lambda w, g, s, lr, b1, b2, eps: (w - lr * np.sign(g), s), "trajectory"),
    ("he_normal", lambda fi, fo, seed: np.random.default_rng(seed).normal(0, np.sqrt(2.5 / fi), (fi, fo)), "statistics"),
    ("dense_backward", lambda dout, x, w, b: (dout @ w.T, x.T @ dout * 1.5, dout.sum(0)), "value"),
]


@pytest.mark.parametrize("name,impl,check", UNKNOWN, ids=[u[0] for u in UNKNOWN])
def test_a_bug_outside_the_library_gets_no_name(name, impl, check):
    e = entry(name)
    out = run_check(e, check, _student(e, impl))
    assert out.status == "failed"
    assert out.mistake is None, f"wrongly named {out.mistake!r}"

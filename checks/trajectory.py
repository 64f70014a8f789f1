"""The trajectory check of an optimizer step.

An optimizer entry has args like ``("w", "dw", "state", "lr", "beta1", ...)``
and inputs drawn as ``{"w": w0, "grads": (T, *w.shape) array, "lr": ..., ...}``.
Starting from ``state = {}``, the student's step is called T times, each time
with the weights and the state *it* returned last, and the gradient
``grads[t]``; the reference runs the same sequence. The weights are compared
after every step (never the state: its contents are the student's own
business), and the first step that differs is reported: a wrong first step
points at the update rule, a right first step and a wrong second one at the
state (a missing bias correction, t counted from 0, an accumulator reset).

A known mistake is named when its own trajectory matches the student's on
every compared step of the failing sequence and of a few more.
"""

from __future__ import annotations

import numpy as np

from . import feedback
from .compare import compare
from .outcome import FAILED, PASSED, Outcome
from .search import check_seed, draw_examples
from .spec import Entry
from .student import StudentError

__all__ = ["check_trajectory", "run_reference", "run_student"]


def _step_args(entry: Entry, inputs: dict, w, g, state) -> tuple:
    out = []
    for a in entry.args:
        out.append(w if a == "w" else g if a == "dw" else state if a == "state" else inputs[a])
    return tuple(out)


def run_reference(entry: Entry, inputs: dict, impl=None) -> list:
    """Weights after each step of the reference (or of a mistake's impl)."""
    impl = impl or entry.reference
    w, state, out = np.array(inputs["w"], dtype=np.float64), {}, []
    for g in inputs["grads"]:
        with np.errstate(all="ignore"):
            w, state = impl(*_step_args(entry, inputs, w, g, state))
        out.append(np.asarray(w, dtype=np.float64))
    return out


def run_student(entry: Entry, student, inputs: dict) -> tuple[list, StudentError | str | None]:
    """The student's weights after each step, and what stopped it early (if anything)."""
    w, state, out = np.array(inputs["w"], dtype=np.float64), {}, []
    for t, g in enumerate(inputs["grads"]):
        try:
            res = student.call(entry.name, _step_args(entry, inputs, w, g, state), {})
        except StudentError as err:
            return out, err
        if not isinstance(res, (tuple, list)) or len(res) != 2:
            return out, f"step {t + 1} returned {feedback.show(res, 120)}; expected a tuple (w_new, state)"
        w, state = res
        out.append(w)
        if not isinstance(w, np.ndarray) and not isinstance(w, float):
            return out, None
    return out, None


def _first_difference(entry: Entry, expected: list, got: list):
    for t, (e, g) in enumerate(zip(expected, got)):
        m = compare(e, g, entry.tolerance)
        if m is not None:
            return t, m
    return None


def check_trajectory(entry: Entry, student, settings, check: str = "trajectory") -> Outcome:
    seed_value = check_seed(entry.name, check)
    pool = [s.inputs for s in entry.samples] + draw_examples((entry.name, check), entry.inputs, settings.examples, seed_value)
    runs = {}
    for inputs in pool:
        expected = run_reference(entry, inputs)
        got, stop = run_student(entry, student, inputs)
        runs[id(inputs)] = got
        if isinstance(stop, StudentError):
            if stop.kind in ("missing", "not-implemented", "timeout", "crash", "forbidden"):
                from .engine import _error_outcome

                return _error_outcome(entry, check, stop)
            return _failure(entry, inputs, len(got), f"raised {stop.message}", settings, expected, got, None)
        if isinstance(stop, str):
            return _failure(entry, inputs, len(got), stop, settings, expected, got, None)
        diff = _first_difference(entry, expected, got)
        if diff is not None:
            t, m = diff
            mistake = _identify(entry, student, inputs, got, pool, runs, settings)
            return _failure(entry, inputs, t, m.headline(), settings, expected, got, mistake)
    steps = len(pool[0]["grads"]) if pool else 0
    return Outcome(entry.name, check, PASSED, summary=f"weights right after every step of {len(pool)} trajectories (about {steps} steps each)")


def _identify(entry: Entry, student, failing: dict, got: list, pool: list, runs: dict, settings):
    from .engine import _informative

    others = _informative([x for x in pool if x is not failing], settings.confirm)
    for x in others:
        if id(x) not in runs:
            runs[id(x)] = run_student(entry, student, x)[0]
    for m in entry.mistakes:
        ok = True
        for x in [failing, *others]:
            want = run_reference(entry, x, impl=m.impl)
            mine = got if x is failing else runs[id(x)]
            if len(mine) != len(want) or any(compare(a, b, entry.tolerance, equal_nan=True) is not None for a, b in zip(want, mine)):
                ok = False
                break
        if ok:
            return m
    return None


def _jsonable(value):
    from .engine import _jsonable as convert

    return convert(value)


def _failure(entry: Entry, inputs: dict, t: int, what: str, settings, expected: list, got: list, mistake) -> Outcome:
    hyper = {a: inputs[a] for a in entry.args if a not in ("w", "dw", "state")}
    hyper_text = ", ".join(f"{k} = {v!r}" for k, v in hyper.items())
    lines = [
        f"starting from w = {feedback.show(inputs['w'])} and state = {{}}, with {hyper_text},",
        f"the gradients of steps 1..{t + 1} being:",
    ]
    lines += [f"    step {k + 1}: dw = {feedback.show(g)}" for k, g in enumerate(inputs["grads"][: t + 1])]
    if t < len(expected):
        lines.append(f"  after step {t + 1}: expected w = {feedback.show(expected[t])}")
        lines.append(f"  {'':>{len(str(t + 1)) + 13}}got w      = {feedback.show(got[t]) if t < len(got) else '(nothing)'}")
    lines.append(f"  {what}")
    if t == 0:
        lines.append("  The very first step (from state = {}) is already wrong: check the update rule itself.")
    else:
        lines.append(f"  Steps 1..{t} were right, so the update rule is close: check what the state carries from step to step.")
    hint = mistake.hint if mistake else entry.hint
    return Outcome(
        entry.name, "trajectory", FAILED,
        summary=f"trajectory check failed at step {t + 1}: {what}"[:400],
        detail="\n".join(lines), hint=hint, mistake=mistake.name if mistake else None,
        data=_jsonable({"step": t + 1, "w0": np.asarray(inputs["w"]), "grads": np.asarray(inputs["grads"]),
                        "hyper": {k: float(v) for k, v in hyper.items()}, "expected": list(expected),
                        "got": [g if isinstance(g, np.ndarray) else None for g in got]}),
    )

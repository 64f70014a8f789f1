"""Checks generated from the table: one function per check kind.

``run_check(entry, check, student)`` judges one check of one table entry
against a student (anything implementing checks.student.Student) and returns
an Outcome. The kinds:

value      named samples, then drawn inputs, compared with the reference;
           the smallest failing input is found by shrinking.
stability  the entry's edge points (huge magnitudes): the answer must be
           finite and right there.
kink       exact values at kinks (the left-branch convention).
gradcheck  the student's derivative/backward against central differences
           of the student's own forward (directional: cost independent of
           the input size).
<property> each Property of the entry, on drawn inputs, shrunk on failure.
statistics, seed, trajectory: see checks/samplers.py and checks/trajectory.py.

Fast path first: every input of a check goes to the student in one batched
call; diagnosis (shrinking, fingerprinting against known mistakes, a
self-consistency gradient check) only runs when something failed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np

from . import feedback, gradcheck as gc
from .compare import Mismatch, compare
from .outcome import ERROR, FAILED, PASSED, Outcome
from .search import Memo, check_seed, draw_examples, key_of, shrink_failure
from .spec import Entry, Tolerance
from .student import StudentError

__all__ = ["Settings", "run_check", "run_entry", "KIND_RUNNERS"]


@dataclass(frozen=True)
class Settings:
    """How hard each check looks. Fixed per grading run, so grades are reproducible.

    examples: drawn inputs per value/property check.
    gradcheck_examples: drawn inputs per gradcheck.
    shrink_calls: most student calls spent shrinking one failure.
    confirm: extra inputs a known mistake must also match before it is named.
    module: the student's module name, for reproduction snippets.
    """

    examples: int = 10
    gradcheck_examples: int = 3
    shrink_calls: int = 120
    confirm: int = 3
    module: str = "submission"
    seed: int = 0


def _outputs_names(entry: Entry) -> tuple[str, ...] | None:
    if entry.partner is not None and len(entry.partner.wrt) > 1:
        return tuple("d" + w for w in entry.partner.wrt)
    return None


def _error_outcome(entry: Entry, check: str, err: StudentError, inputs: dict | None = None) -> Outcome:
    detail = err.message
    if inputs is not None:
        # Property inputs need not be the entry's arguments (an optimizer's
        # descent check draws w and a curvature, not dw and state).
        shown = tuple(a for a in entry.args if a in inputs) or tuple(inputs)
        detail = f"on {feedback.show_inputs(shown, inputs)}\n{err.message}"
    if err.detail:
        detail += "\n" + err.detail
    summary = {
        "missing": f"{entry.name} is missing from the submission",
        "not-implemented": f"{entry.name} is not implemented yet (raises NotImplementedError)",
    }.get(err.kind, f"{entry.name} {err.message}" if err.kind in ("timeout", "crash") else f"{entry.name} raised {err.message}")
    return Outcome(entry.name, check, ERROR, summary=summary[:300], detail=detail[:3000], data={"error_kind": err.kind})


class _Judge:
    """Calls the student on inputs and compares with the reference."""

    def __init__(self, entry: Entry, student, settings: Settings):
        self.entry = entry
        self.student = student
        self.settings = settings
        self.names = _outputs_names(entry)
        self.got: dict[Any, Any] = {}

    def expected(self, inputs: dict):
        return self.entry.expected(inputs)

    def verdict(self, inputs: dict, got) -> Mismatch | StudentError | None:
        if isinstance(got, StudentError):
            return got
        return compare(self.expected(inputs), got, self.entry.tolerance, names=self.names, integer_ok=self.entry.integer_ok)

    def call_many(self, batch: list[dict]) -> list:
        calls = [(self.entry.positional(x), {}) for x in batch]
        results = self.student.call_many(self.entry.name, calls)
        for x, r in zip(batch, results):
            self.got[key_of(x)] = r
        return results

    def call_one(self, inputs: dict):
        k = key_of(inputs)
        if k not in self.got:
            self.call_many([inputs])
        return self.got[k]

    def judge(self, inputs: dict):
        return self.verdict(inputs, self.call_one(inputs))


def _fail_outcome(entry: Entry, check: str, judge: _Judge, inputs: dict, verdict, settings: Settings, sample_name: str = "", pool: list[dict] = ()) -> Outcome:
    if isinstance(verdict, StudentError):
        return _error_outcome(entry, check, verdict, inputs)
    got = judge.got.get(key_of(inputs))
    expected = judge.expected(inputs)
    on = f"on the sample '{sample_name}': " if sample_name else "on "
    detail_lines = [
        f"{on}{feedback.show_inputs(entry.args, inputs)}",
        f"  expected: {feedback.show(expected)}",
        f"  got:      {feedback.show(got)}",
    ]
    mistake = identify_mistake(entry, judge, inputs, pool, settings)
    hint = mistake.hint if mistake else (entry.hint or feedback.GENERIC_HINTS.get(check, ""))
    # Not at kinks: there a central difference averages the two slopes.
    diag = diagnose_partner(entry, judge.student, inputs, got, settings) if check == "value" else ""
    if diag:
        detail_lines.append("  " + diag)
    summary = f"{check} check failed: {verdict.headline()}"
    data = {
        "inputs": {a: _jsonable(inputs[a]) for a in entry.args},
        "expected": _jsonable(expected),
        "got": _jsonable(got),
        "mismatch": {"kind": verdict.kind, "where": verdict.where, "index": list(verdict.index) if verdict.index is not None else None,
                      "abs_err": _num(verdict.abs_err), "n_wrong": verdict.n_wrong, "n_total": verdict.n_total},
    }
    return Outcome(
        entry.name, check, FAILED, summary=summary[:400], detail="\n".join(detail_lines),
        hint=hint, mistake=mistake.name if mistake else None,
        reproduce=feedback.reproduce(settings.module, entry.name, entry.args, inputs, expected), data=data,
    )


def _num(x):
    x = float(x)
    return x if np.isfinite(x) else str(x)


def _jsonable(value):
    """Plain JSON: NaN and infinities become the strings "nan", "inf", "-inf"."""
    if isinstance(value, np.ndarray):
        if value.size > 2000:
            return {"shape": list(value.shape), "truncated": True}
        if value.dtype.kind in "fc" and not np.isfinite(value).all():
            return _jsonable(value.tolist())
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, complex):
        return str(value)
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def identify_mistake(entry: Entry, judge: _Judge, failing: dict, pool, settings: Settings):
    """The known mistake that reproduces the student's answers, or None.

    A mistake is named only if its output matches the student's on the
    failing input and on ``settings.confirm`` more inputs; with two or more
    candidates agreeing everywhere, the first in table order is named (they
    are then indistinguishable on these inputs, and the table lists the more
    common one first).
    """
    if not entry.mistakes:
        return None
    got = judge.got.get(key_of(failing))
    if isinstance(got, StudentError) or got is None and key_of(failing) not in judge.got:
        return None
    others = _informative([x for x in pool if key_of(x) != key_of(failing)], settings.confirm)
    missing = [x for x in others if key_of(x) not in judge.got]
    if missing:
        judge.call_many(missing)
    names = judge.names
    for m in entry.mistakes:
        ok = True
        for x in [failing, *others]:
            g = judge.got.get(key_of(x))
            if isinstance(g, StudentError):
                ok = False
                break
            try:
                with np.errstate(all="ignore"):
                    want = m.impl(*entry.positional(x))
            except Exception:
                ok = False
                break
            if compare(want, g, entry.tolerance, names=names, integer_ok=True, equal_nan=True) is not None:
                ok = False
                break
        if ok:
            return m
    return None


def _richness(value) -> int:
    """How many distinct numbers an input holds: Hypothesis draws the simplest
    inputs first (all zeros), on which many wrong variants agree with each other."""
    if isinstance(value, np.ndarray):
        return int(np.unique(value).size) if value.size <= 10_000 else 10_000
    if isinstance(value, dict):
        return sum(_richness(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(_richness(v) for v in value)
    return 1


def _informative(pool: list, k: int) -> list:
    """The k richest inputs of the pool (ties keep their order)."""
    ranked = sorted(range(len(pool)), key=lambda i: -_richness(pool[i]))
    return [pool[i] for i in sorted(ranked[:k])]


def diagnose_partner(entry: Entry, student, inputs: dict, got, settings: Settings) -> str:
    """For a wrong derivative: is the student's own forward right here, and
    does the derivative match it? One sentence, or "" when it cannot tell."""
    p = entry.partner
    if p is None or isinstance(got, StudentError) or not student.has(p.forward):
        return ""
    from .table import entry as table_entry

    fwd_inputs = _forward_inputs(entry, inputs)
    try:
        fwd_entry = table_entry(p.forward)
        fwd_got = student.call(p.forward, tuple(fwd_inputs[a] for a in _fwd_args(entry)), {})
        fwd_ok = compare(fwd_entry.expected(fwd_inputs), fwd_got, fwd_entry.tolerance, integer_ok=True) is None
        numeric = _numeric_partner(entry, student, inputs)
    except Exception:  # the student's forward broke, or the input is too large to differentiate fully
        return ""
    if numeric is None:
        return ""
    own = compare(numeric, got, _GC_TOL, names=_outputs_names(entry)) is None
    if not fwd_ok and own:
        return (f"Your {entry.name} does match the derivative of your own {p.forward}, but {p.forward} itself "
                f"is wrong on this input: fix {p.forward} first.")
    if not fwd_ok:
        return f"Your {p.forward} is wrong on this input too: fix {p.forward} first, then its derivative."
    if not own:
        return (f"Your {p.forward} is right on this input, but {entry.name} does not match its derivative: "
                "the mistake is in the derivative itself.")
    return (f"Your {entry.name} does match the derivative of your own {p.forward}; {p.forward} has the right value "
            f"here but the wrong slope, so it is wrong near this input: fix {p.forward} first.")


# Central differences are good to about 1e-10 relative; a wrong derivative is
# off by far more. The margin absorbs a student forward that is itself noisy.
_GC_TOL = Tolerance(rtol=1e-5, atol=1e-7)


def _fwd_args(entry: Entry) -> tuple[str, ...]:
    """The forward's arguments: a vjp backward takes the upstream gradient
    (dout, dh_next, dh, ...) first, then exactly the forward's arguments."""
    return entry.args[1:] if entry.partner.mode == "vjp" else entry.args


def _upstream(entry: Entry, inputs: dict):
    return inputs[entry.args[0]] if entry.partner.mode == "vjp" else None


def _forward_inputs(entry: Entry, inputs: dict) -> dict:
    return {a: inputs[a] for a in _fwd_args(entry)}


def _forward_evaluator(entry: Entry, student, fwd_args: tuple[str, ...]):
    name = entry.partner.forward

    def evaluate_many(batch):
        res = student.call_many(name, [(tuple(x[a] for a in fwd_args), {}) for x in batch])
        for r in res:
            if isinstance(r, StudentError):
                raise r
        return res

    return evaluate_many


def _numeric_partner(entry: Entry, student, inputs: dict):
    """The full numerical derivative the entry claims to compute (small inputs only)."""
    p = entry.partner
    fwd = _forward_inputs(entry, inputs)
    ev = _forward_evaluator(entry, student, _fwd_args(entry))
    outs = []
    for w in p.wrt:
        if p.mode == "elementwise":
            outs.append(gc.elementwise(ev, fwd, w))
        else:
            x = np.asarray(fwd[w])
            if x.size > 200:
                return None
            outs.append(gc.full(ev, fwd, w, _upstream(entry, inputs)))
    return outs[0] if len(outs) == 1 else tuple(outs)


# ---------------------------------------------------------------- check kinds


def _fatal(v) -> bool:
    """Errors that will repeat on every input: stop at once, do not shrink."""
    return isinstance(v, StudentError) and v.kind in ("missing", "not-implemented", "timeout", "crash", "forbidden")


def check_value(entry: Entry, student, settings: Settings, check: str = "value") -> Outcome:
    """Named samples and drawn inputs in one batched call, then shrink a failure.

    A failing drawn input is shrunk and reported (it is the smallest); a
    failing named sample is reported as it is (samples are small and
    readable by design). stability and kink checks use only their samples.
    """
    judge = _Judge(entry, student, settings)
    samples = {"value": entry.samples, "stability": entry.edges, "kink": entry.kinks}[check]
    seed_value = check_seed(entry.name, "value")
    drawn = draw_examples((entry.name, "value"), entry.inputs, settings.examples, seed_value)
    batch = [s.inputs for s in samples] + (drawn if check == "value" else [])
    results = judge.call_many(batch) if batch else []
    verdicts = [judge.verdict(x, got) for x, got in zip(batch, results)]
    for x, v in zip(batch, verdicts):
        if _fatal(v):
            return _error_outcome(entry, check, v, x)
    bad_sample = next(((s, v) for s, v in zip(samples, verdicts) if v is not None), None)
    bad_drawn = next(((x, v) for x, v in zip(batch[len(samples):], verdicts[len(samples):]) if v is not None), None)
    if bad_drawn is not None:
        memo = Memo(judge.judge, settings.shrink_calls)
        for x, v in zip(batch, verdicts):
            memo.seed_with(x, v)
        inputs, verdict = shrink_failure(entry.inputs, memo, settings.examples, seed_value) or bad_drawn
        return _fail_outcome(entry, check, judge, inputs, verdict, settings, pool=[s.inputs for s in entry.samples] + drawn)
    if bad_sample is not None:
        s, v = bad_sample
        return _fail_outcome(entry, check, judge, s.inputs, v, settings, sample_name=s.name, pool=[x.inputs for x in entry.samples] + drawn)
    what = f"{len(samples)} {check} points" if check != "value" else f"{len(samples)} samples and {len(drawn)} drawn inputs"
    return Outcome(entry.name, check, PASSED, summary=f"right on {what}")


def _narrow(entry: Entry, inputs: dict, index: tuple) -> dict:
    """The single entry of an elementwise input where it fails (readable)."""
    z = np.asarray(inputs[entry.args[0]])
    out = {}
    for a in entry.args:
        v = inputs[a]
        if isinstance(v, np.ndarray) and v.shape == z.shape and v.ndim:
            out[a] = np.array([v[index]])
        else:
            out[a] = v
    return out


def check_gradcheck(entry: Entry, student, settings: Settings, check: str = "gradcheck") -> Outcome:
    """The student's backward against central differences of the student's own forward."""
    p = entry.partner
    seed_value = check_seed(entry.name, check)

    def strategy():
        st = entry.inputs()
        return st.filter(entry.smooth) if entry.smooth is not None else st

    # Hypothesis draws the simplest inputs first (zeros, one stride); check the
    # richest few of a larger draw so every gradcheck exercises real geometry.
    pool = draw_examples((entry.name, check), strategy, max(6, 2 * settings.gradcheck_examples), seed_value)
    named = [x.inputs for x in entry.samples if entry.smooth is None or entry.smooth(x.inputs)]
    drawn = named + _informative(pool, settings.gradcheck_examples)
    judge = _Judge(entry, student, settings)
    claims = judge.call_many(drawn)
    ev = _forward_evaluator(entry, student, _fwd_args(entry))
    names = _outputs_names(entry)
    for i, (x, claim) in enumerate(zip(drawn, claims)):
        if isinstance(claim, StudentError):
            return _error_outcome(entry, check, claim, x)
        claim_t = claim if isinstance(claim, (tuple, list)) and len(p.wrt) > 1 else (claim,)
        if len(claim_t) != len(p.wrt):
            return Outcome(entry.name, check, FAILED, summary=f"returned {len(claim_t)} outputs; expected {len(p.wrt)} ({', '.join(names or p.wrt)})")
        fwd = _forward_inputs(entry, x)
        try:
            if p.mode == "elementwise":
                for w, g in zip(p.wrt, claim_t):
                    numeric = gc.elementwise(ev, fwd, w)
                    m = compare(numeric, g, _GC_TOL)
                    if m is not None:
                        if m.kind != "value":
                            return _grad_fail(entry, check, x, w, m.headline(), settings)
                        small = _narrow(entry, x, m.index)
                        shown = ", ".join(f"{a} = {feedback.show(np.asarray(small[a]).reshape(()) if np.ndim(small[a]) else small[a])}" for a in entry.args)
                        msg = (f"at {shown} your {entry.name} gives {m.got_at:.8g} with respect to {w}, but the slope of "
                               f"your {p.forward} there is {m.expected_at:.8g} ({m.n_wrong} of {m.n_total} entries disagree)")
                        return _grad_fail(entry, check, small, w, msg, settings)
            else:
                grads = {}
                for w, g in zip(p.wrt, claim_t):
                    ga = np.asarray(g, dtype=np.float64) if not isinstance(g, (dict, list, tuple, str)) and g is not None else None
                    if ga is None or ga.shape != np.shape(fwd[w]):
                        return Outcome(entry.name, check, FAILED, summary=f"the gradient with respect to {w} has the wrong shape or type: {feedback.show(g, 80)}")
                    grads[w] = ga
                results = gc.directional(ev, fwd, grads, dout=_upstream(entry, x), seed=seed_value + i, directions=2)
                bad = [r for r in results if r.error > 1e-5 and abs(r.claimed - r.numeric) > 1e-7 * max(1.0, abs(r.numeric))]
                if bad:
                    r = max(bad, key=lambda r: r.error)
                    msg = (f"the gradient with respect to {r.arg} is wrong: along a random direction it predicts a change of "
                           f"{r.claimed:.6g} but your {p.forward} changes by {r.numeric:.6g} (relative error {r.error:.2g})")
                    return _grad_fail(entry, check, x, r.arg, msg, settings)
        except StudentError as err:
            return Outcome(entry.name, check, ERROR, summary=f"cannot check {entry.name} against your {p.forward}: {p.forward} {err.message}"[:300], data={"error_kind": err.kind})
        except (ValueError, TypeError) as err:
            # The student's forward returned something that is not an array of
            # the right shape: the backward cannot be checked against it.
            return Outcome(entry.name, check, FAILED, summary=f"cannot check {entry.name} against your {p.forward}: "
                           f"{p.forward} does not return an array of the expected shape ({err}); fix {p.forward} first"[:400])
    return Outcome(entry.name, check, PASSED, summary=f"agrees with finite differences of your {p.forward} on {len(drawn)} inputs")


def _grad_fail(entry: Entry, check: str, inputs: dict, arg: str, msg: str, settings: Settings) -> Outcome:
    return Outcome(
        entry.name, check, FAILED, summary=f"gradcheck failed: {msg}"[:400],
        detail=f"on {feedback.show_inputs(entry.args, inputs)}\n  {msg}",
        hint=feedback.GENERIC_HINTS["gradcheck"],
        reproduce=feedback.reproduce(settings.module, entry.name, entry.args, inputs),
        data={"inputs": {a: _jsonable(inputs[a]) for a in entry.args}, "argument": arg},
    )


def check_property(entry: Entry, student, settings: Settings, check: str) -> Outcome:
    prop = next(p for p in entry.properties if p.name == check)
    factory = prop.inputs or entry.inputs
    # A property on the entry's own inputs reuses the value check's draws
    # (generation is most of the cost of a passing check).
    key = (entry.name, "value") if prop.inputs is None else (entry.name, check)
    seed_value = check_seed(*key)

    def call(*args):
        return student.call(entry.name, tuple(args), {})

    def judge(inputs):
        # Properties read their inputs in the entry's argument order.
        ordered = {a: inputs[a] for a in entry.args if a in inputs}
        ordered.update({k: v for k, v in inputs.items() if k not in ordered})
        try:
            return prop.check(call, ordered)
        except StudentError as err:
            return err

    drawn = draw_examples(key, factory, settings.examples, seed_value)
    first_bad = None
    for x in drawn:
        v = judge(x)
        if isinstance(v, StudentError) and v.kind in ("missing", "not-implemented", "timeout", "crash", "forbidden"):
            return _error_outcome(entry, check, v, x)
        if v is not None:
            first_bad = (x, v)
            break
    if first_bad is None:
        return Outcome(entry.name, check, PASSED, summary=f"{prop.description}: holds on {len(drawn)} drawn inputs")
    memo = Memo(judge, settings.shrink_calls)
    memo.seed_with(*first_bad)
    found = shrink_failure(factory, memo, settings.examples, seed_value) or first_bad
    x, v = found
    if isinstance(v, StudentError):
        return _error_outcome(entry, check, v, x)
    args = tuple(a for a in entry.args if a in x) or tuple(x)
    return Outcome(
        entry.name, check, FAILED, summary=f"property '{prop.description}' fails: {v}"[:400],
        detail=f"on {feedback.show_inputs(args, x)}", hint=prop.hint,
        data={"inputs": {a: _jsonable(x[a]) for a in args}},
    )


def _lazy(module: str, name: str) -> Callable:
    def run(entry, student, settings, check):
        import importlib

        return getattr(importlib.import_module(f"dlgrade.checks.{module}"), name)(entry, student, settings, check)

    return run


KIND_RUNNERS: dict[str, Callable[..., Outcome]] = {
    "value": check_value,
    "stability": check_value,
    "kink": check_value,
    "gradcheck": check_gradcheck,
    "statistics": _lazy("samplers", "check_statistics"),
    "seed": _lazy("samplers", "check_seed"),
    "trajectory": _lazy("trajectory", "check_trajectory"),
}


def run_check(entry: Entry, check: str, student, settings: Settings = Settings()) -> Outcome:
    """Judge one check; never raises for anything the student's code does."""
    if check not in entry.checks():
        raise KeyError(f"{entry.name} has no check {check!r}; it has {entry.checks()}")
    start = time.perf_counter()
    if not student.has(entry.name):
        out = _error_outcome(entry, check, StudentError("missing", f"no function named {entry.name}"))
    else:
        runner = KIND_RUNNERS.get(check, check_property)
        try:
            out = runner(entry, student, settings, check)
        except StudentError as err:
            out = _error_outcome(entry, check, err)
    out.seconds = time.perf_counter() - start
    return out


def run_entry(entry: Entry, student, settings: Settings = Settings(), checks=None) -> list[Outcome]:
    return [run_check(entry, c, student, settings) for c in (checks or entry.checks())]


def with_module(settings: Settings, module: str) -> Settings:
    return replace(settings, module=module)

"""The record that declares one graded function: the table's row type.

Design note. Every graded function is declared once, as an :class:`Entry`,
in the table modules under ``dlgrade.checks.table`` (one module per topic).
An entry reads like a spec sheet: the reference that judges it, the student's
argument order, how to draw its inputs, its named samples and edge points,
its derivative partner, its properties and its known mistakes. The check
kinds (value, stability, kink, gradcheck, trajectory, statistics, seed and
each named property) are generated from these fields by
:mod:`dlgrade.checks.engine`; an assignment's manifest only picks checks and
gives them points. Adding a formula is adding an entry.

Arguments are always passed *positionally* in ``args`` order, and every
hyper-parameter is passed explicitly, so a student's own parameter names and
defaults never matter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

__all__ = [
    "Sample",
    "Tolerance",
    "Partner",
    "Property",
    "Mistake",
    "Entry",
    "KINDS",
]

Inputs = Mapping[str, Any]

# What an entry is, which decides the checks it can have.
#   function  : outputs compared with the reference (value, stability, kink, properties)
#   sampler   : a seeded random array judged by statistics (statistics, seed)
#   optimizer : a step (w, dw, state, *hyper) -> (w_new, state) judged along a trajectory
KINDS = ("function", "sampler", "optimizer")


@dataclass(frozen=True)
class Sample:
    """A named, readable input: ``Sample("zero", {"z": np.array(0.0)})``."""

    name: str
    inputs: Inputs
    why: str = ""


@dataclass(frozen=True)
class Tolerance:
    """|got - expected| <= atol * max(1, max|expected|) + rtol * |expected|, entrywise.

    atol is scaled by the largest expected magnitude so that entries that
    cancel to nearly zero inside a large output (a softmax backward, a conv
    output) are judged relative to the output, not to themselves.
    """

    rtol: float = 1e-6
    atol: float = 1e-9

    def __post_init__(self):
        if not (0 <= self.rtol < 1 and 0 <= self.atol < 1):
            raise ValueError(f"tolerance out of range: {self}")


@dataclass(frozen=True)
class Partner:
    """This entry is the derivative or backward of another entry, ``forward``.

    mode:
      "elementwise": f'(z) entrywise, same args as the forward
                     (sigmoid_grad(z) for sigmoid(z));
      "vjp":         backward(dout, *forward_args) returns the gradients of
                     sum(dout * forward(...)) with respect to ``wrt``, in that
                     order (conv2d_backward -> (dx, dw, db));
      "scalar":      grad(*forward_args) is the gradient of the scalar forward
                     with respect to ``wrt`` (mse_grad wrt y_hat).
    wrt: names of forward arguments, in the order the outputs come back.
    """

    forward: str
    mode: str
    wrt: tuple[str, ...]

    def __post_init__(self):
        if self.mode not in ("elementwise", "vjp", "scalar"):
            raise ValueError(f"unknown partner mode {self.mode!r}")
        if not self.wrt:
            raise ValueError("a partner names at least one argument in wrt")


@dataclass(frozen=True)
class Property:
    """A property the student's function must have, checked with Hypothesis.

    check(call, inputs) returns None when the property holds, else a sentence
    saying what broke. ``call(*args)`` calls the student's function (the same
    one the entry names) and returns its plain result; it raises
    dlgrade.checks.student.StudentError when the student's code fails.
    inputs: a zero-argument function returning a Hypothesis strategy of input
    dicts; None means the entry's own ``inputs``.
    """

    name: str
    description: str
    check: Callable[[Callable[..., Any], Inputs], str | None]
    inputs: Callable[[], Any] | None = None
    hint: str = ""


@dataclass(frozen=True)
class Mistake:
    """A known wrong variant of the reference, and what to tell a student who made it.

    impl takes the same positional arguments as the reference. When a check
    fails, the engine evaluates impl on the failing inputs (in the judge's
    process: this is our code, not the student's) and names the mistake only
    if it matches the student's outputs there and on a few more inputs.
    """

    name: str
    hint: str
    impl: Callable[..., Any]


@dataclass(frozen=True)
class Entry:
    """One graded function. See the module docstring."""

    name: str
    topic: str
    reference: Callable[..., Any]
    args: tuple[str, ...]
    inputs: Callable[[], Any]
    kind: str = "function"
    samples: tuple[Sample, ...] = ()
    edges: tuple[Sample, ...] = ()
    kinks: tuple[Sample, ...] = ()
    smooth: Callable[[Inputs], bool] | None = None
    tolerance: Tolerance = field(default_factory=Tolerance)
    partner: Partner | None = None
    properties: tuple[Property, ...] = ()
    mistakes: tuple[Mistake, ...] = ()
    hint: str = ""
    integer_ok: bool = True

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: kind must be one of {KINDS}, not {self.kind!r}")
        if not self.name.isidentifier():
            raise ValueError(f"{self.name!r} is not a Python identifier")
        # An optimizer's samples give the start and the gradient sequence, not dw and state.
        needed = set(self.args) if self.kind != "optimizer" else (set(self.args) - {"dw", "state"}) | {"grads"}
        for group in (self.samples, self.edges, self.kinks):
            for s in group:
                missing = needed - set(s.inputs)
                if missing:
                    raise ValueError(f"{self.name}: sample {s.name!r} lacks {sorted(missing)}")
        names = [p.name for p in self.properties]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: duplicate property names {names}")
        clash = set(names) & set(BUILTIN_CHECKS)
        if clash:
            raise ValueError(f"{self.name}: property names {sorted(clash)} clash with check kinds")
        if self.partner is not None:
            missing = set(self.partner.wrt) - set(self.args)
            if missing and self.partner.mode != "vjp":
                raise ValueError(f"{self.name}: partner wrt {sorted(missing)} not in args")

    def positional(self, inputs: Inputs) -> tuple:
        """The inputs as the positional arguments the student receives."""
        return tuple(inputs[a] for a in self.args)

    def expected(self, inputs: Inputs):
        return self.reference(*self.positional(inputs))

    def checks(self) -> tuple[str, ...]:
        """The names of the checks this entry supports (what a manifest may pick)."""
        out: list[str] = []
        if self.kind == "function":
            out.append("value")
            if self.edges:
                out.append("stability")
            if self.kinks:
                out.append("kink")
            if self.partner is not None:
                out.append("gradcheck")
        elif self.kind == "sampler":
            out += ["statistics", "seed"]
        elif self.kind == "optimizer":
            out.append("trajectory")
        out += [p.name for p in self.properties]
        return tuple(out)


BUILTIN_CHECKS = ("value", "stability", "kink", "gradcheck", "statistics", "seed", "trajectory")

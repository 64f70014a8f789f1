"""Driving Hypothesis from the judge's side: draw inputs, find and shrink a failure.

The student's function is called through a :class:`Memo`, so an input is
never sent twice (shrinking revisits inputs) and a flaky student function
cannot make Hypothesis itself flaky. Inputs are drawn in two passes that see
the same examples (one fixed seed per check):

1. ``draw_examples``: generation only, no student calls. The examples are
   cached for the life of the process, so a batch of a thousand submissions
   pays for generation once. The engine then evaluates them all in one
   batched call.
2. ``shrink_failure``: only when pass 1 found a failing input. Hypothesis
   replays the same examples (answered from the memo) and then shrinks the
   failure toward the smallest input, calling the student for each new
   candidate until a call budget runs out.
"""

from __future__ import annotations

import zlib
from typing import Any, Callable

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis.errors import HypothesisException

__all__ = ["key_of", "Memo", "draw_examples", "shrink_failure", "check_seed"]


def check_seed(*parts: str) -> int:
    return zlib.crc32("/".join(parts).encode())


def key_of(value) -> Any:
    """A hashable, exact key for a plain input value (arrays by bytes)."""
    if isinstance(value, np.ndarray):
        return ("a", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, dict):
        return ("d", tuple((k, key_of(v)) for k, v in sorted(value.items())))
    if isinstance(value, (list, tuple)):
        return ("l", tuple(key_of(v) for v in value))
    if isinstance(value, float):
        return ("f", value.hex())
    return ("o", repr(value))


class BudgetSpent(BaseException):
    """Raised through Hypothesis to end shrinking once the call budget is spent.

    A BaseException so that Hypothesis does not take it for the student's
    failure; _run catches it and keeps the smallest failure seen so far.
    """


class Memo:
    """Remembers the judgement of each input; stops the search after a budget.

    Hypothesis's shrinker may try thousands of candidates; each new one costs
    a call of the student's code, so the budget bounds the cost of a failing
    check. Candidates seen before are answered from the cache, so replaying
    an example never calls the student twice.
    """

    def __init__(self, judge: Callable[[dict], Any], budget: int):
        self.judge = judge
        self.budget = budget
        self.calls = 0
        self.cache: dict[Any, Any] = {}

    def seed_with(self, inputs: dict, verdict) -> None:
        self.cache[key_of(inputs)] = verdict

    def __call__(self, inputs: dict):
        k = key_of(inputs)
        if k in self.cache:
            return self.cache[k]
        if self.calls >= self.budget:
            raise BudgetSpent()
        self.calls += 1
        verdict = self.judge(inputs)
        self.cache[k] = verdict
        return verdict


_QUIET = dict(
    database=None,
    deadline=None,
    derandomize=False,
    verbosity=Verbosity.quiet,
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
    print_blob=False,
)

_EXAMPLES: dict[tuple, list[dict]] = {}


class _Failed(Exception):
    pass


def _run(strategy, judge, examples: int, seed_value: int, phases) -> tuple[dict, Any] | None:
    found: dict[str, Any] = {}

    @seed(seed_value)
    @settings(max_examples=examples, phases=phases, **_QUIET)
    @given(strategy)
    def probe(inputs):
        verdict = judge(inputs)
        if verdict is not None:
            found["last"] = (inputs, verdict)
            raise _Failed()

    try:
        probe()
    except _Failed:
        return found["last"]
    except BudgetSpent:
        return found.get("last")
    except HypothesisException as exc:  # a table bug (unsatisfiable strategy), not the student's
        raise RuntimeError(f"input strategy failed: {exc}") from exc
    return None


def draw_examples(cache_key: tuple, strategy_factory: Callable[[], Any], examples: int, seed_value: int) -> list[dict]:
    """The deterministic examples of one check (cached per process)."""
    key = (cache_key, examples, seed_value)
    if key not in _EXAMPLES:
        out: list[dict] = []

        def collect(inputs):
            out.append(inputs)
            return None

        _run(strategy_factory(), collect, examples, seed_value, [Phase.explicit, Phase.generate])
        _EXAMPLES[key] = out
    return _EXAMPLES[key]


def shrink_failure(strategy_factory: Callable[[], Any], memo: Memo, examples: int, seed_value: int) -> tuple[dict, Any] | None:
    """Find the smallest failing input, replaying the examples of draw_examples."""
    return _run(strategy_factory(), memo, examples, seed_value, [Phase.explicit, Phase.generate, Phase.shrink])

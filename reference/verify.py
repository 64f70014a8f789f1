"""`dlgrade verify`: proves the oracles right, symbolically and against PyTorch.

Each topic has two verification modules beside its reference:
``symbolic_<topic>.py`` (SymPy) and ``torch_<topic>.py`` (PyTorch). Each
exports ``CHECKS``, a list of :class:`VerifyCheck`. Only this module and
those modules import sympy or torch, and only when verification runs.

A check's ``run()`` returns the largest absolute error it saw (0.0 for a
symbolic identity proven exactly) or raises ``AssertionError`` with the
reason. It passes when the error is <= ``tol``. Checks look the reference
functions up at call time (``activations.sigmoid``, not a captured
``sigmoid``), so a broken reference patched in by a test makes verify fail.
"""

from __future__ import annotations

import importlib
import math
import time
from dataclasses import dataclass
from typing import Callable

__all__ = ["VerifyCheck", "VerifyResult", "TOPICS", "run_all", "torch_available"]

TOPICS = ("activations", "losses", "initializers", "optimizers", "convolution", "backprop")


@dataclass(frozen=True)
class VerifyCheck:
    """formula: the row of the table it fills ("sigmoid", "sigmoid_grad",
    "fact: sigmoid' <= 1/4"). what: one line on what is compared."""

    formula: str
    what: str
    run: Callable[[], float]
    tol: float = 1e-12


@dataclass
class VerifyResult:
    formula: str
    kind: str  # "symbolic" or "torch"
    what: str
    passed: bool
    error: float
    message: str
    seconds: float


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except Exception:
        return False
    return True


def _run_one(check: VerifyCheck, kind: str) -> VerifyResult:
    start = time.perf_counter()
    try:
        err = float(check.run())
        ok = math.isfinite(err) and err <= check.tol
        msg = "" if ok else f"max abs error {err:.3g} > tolerance {check.tol:.1g}"
    except AssertionError as exc:
        err, ok, msg = math.inf, False, str(exc) or "assertion failed"
    except Exception as exc:  # a crash in verification is a failure, reported
        err, ok, msg = math.inf, False, f"{type(exc).__name__}: {exc}"
    return VerifyResult(check.formula, kind, check.what, ok, err, msg, time.perf_counter() - start)


def collect(kind: str, topics=TOPICS) -> list[tuple[str, VerifyCheck]]:
    out = []
    for topic in topics:
        try:
            mod = importlib.import_module(f"dlgrade.reference.{kind}_{topic}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("dlgrade.reference"):
                continue
            raise
        out += [(topic, c) for c in mod.CHECKS]
    return out


def run_all(topics=TOPICS, with_torch: bool | None = None) -> list[VerifyResult]:
    """Run every symbolic check, and every torch check when torch imports."""
    if with_torch is None:
        with_torch = torch_available()
    results = [_run_one(c, "symbolic") for _, c in collect("symbolic", topics)]
    if with_torch:
        results += [_run_one(c, "torch") for _, c in collect("torch", topics)]
    return results

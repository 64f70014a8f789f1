"""Words for a failing check: inputs a student can read, a snippet they can run.

Everything the engine says to a student goes through here, so every check
speaks in one format:

    sigmoid: value check failed on z = array([-3.5])
      expected: array([0.02931223])
      got:      array([0.97068777])
      Mismatched elements: 1 / 1 (100.0%); greatest absolute difference ...
"""

from __future__ import annotations

import numpy as np

__all__ = ["show", "show_inputs", "reproduce", "GENERIC_HINTS"]

_PRINT = dict(precision=8, suppress_small=False, threshold=60, edgeitems=3, max_line_width=88)


def show(value, limit: int = 600) -> str:
    """A short, readable rendering of a plain value."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            text = f"np.float64({float(value)!r})" if value.dtype.kind == "f" else repr(value.item())
        else:
            text = "array(" + np.array2string(value, separator=", ", **_PRINT) + ")"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k!r}: {show(v, limit // 2)}" for k, v in value.items()) + "}"
    elif isinstance(value, (tuple, list)):
        inner = ", ".join(show(v, limit // 2) for v in value)
        text = f"({inner}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{inner}]"
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + " ...]"


def show_inputs(args: tuple[str, ...], inputs: dict) -> str:
    return ", ".join(f"{a} = {show(inputs[a], 300)}" for a in args)


def _literal(value) -> str | None:
    """Exact Python source for a value, or None if it is too large to print."""
    if isinstance(value, np.ndarray):
        if value.size > 400:
            return None
        if value.dtype.kind == "f":
            body = repr(value.tolist())
            return f"np.array({body})" if value.ndim else f"np.float64({float(value)!r})"
        return f"np.array({value.tolist()!r}, dtype=np.{value.dtype.name})"
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            lit = _literal(v)
            if lit is None:
                return None
            parts.append(f"{k!r}: {lit}")
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, (tuple, list)):
        parts = [_literal(v) for v in value]
        if any(p is None for p in parts):
            return None
        inner = ", ".join(parts) + ("," if isinstance(value, tuple) and len(parts) == 1 else "")
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    return repr(value)


def reproduce(module: str, function: str, args: tuple[str, ...], inputs: dict, expected=None) -> str:
    """A snippet that calls the student's function on the failing input."""
    lines = ["import numpy as np", f"from {module} import {function}", ""]
    for a in args:
        lit = _literal(inputs[a])
        if lit is None:
            return ""
        lines.append(f"{a} = {lit}")
    lines.append(f"print({function}({', '.join(args)}))")
    if expected is not None:
        exp = show(expected, 400).replace("\n", "\n# ")
        lines.append(f"# expected: {exp}")
    return "\n".join(lines)


# What a failing check of each kind usually means, when no known mistake matched.
GENERIC_HINTS = {
    "value": "",
    "stability": (
        "Large inputs overflow a naive formula (np.exp(1000) is inf, inf/inf is NaN). "
        "Rewrite so that exp only sees non-positive numbers: subtract the maximum, "
        "use np.exp(-np.abs(z)), np.logaddexp or np.log1p."
    ),
    "kink": (
        "At a kink the convention is the left branch (the z <= 0 side), as PyTorch does: "
        "relu'(0) = 0, leaky_relu'(0) = alpha, elu'(0) = alpha, step(0) = 0, sign(0) = 0 for |r|. "
        "Check > versus >= (the student guide lists every convention)."
    ),
    "gradcheck": (
        "Your derivative disagrees with a finite-difference derivative of your own forward "
        "function: check each factor of the chain rule."
    ),
    "property": "",
}

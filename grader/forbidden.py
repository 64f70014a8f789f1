"""Which graded functions a forbidden import touches, found without running the code.

static_scan (grader/submission.py) finds the forbidden imports and their
lines. This module maps them onto the functions that are charged:

- an import inside a function's body charges that function;
- an import at module level charges every function whose body uses a name
  it binds (``import torch`` then ``torch.sigmoid(z)`` in sigmoid); a name
  bound but used by no graded function costs nothing here (the import guard
  in the child still refuses it at run time, with its own message).
"""

from __future__ import annotations

import ast

from .submission import static_scan

__all__ = ["forbidden_uses"]


def _bound_names(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Import):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    if isinstance(node, ast.ImportFrom):
        return {a.asname or a.name for a in node.names}
    return set()


def forbidden_uses(source: str, forbidden, functions, where=lambda line: f"line {line}") -> dict[str, str]:
    """{graded function: one-line reason} for the functions a forbidden import touches."""
    hits = static_scan(source, forbidden)
    if not hits:
        return {}
    functions = set(functions)
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}  # the import itself fails and reports the syntax error
    spans = {n.name: (n.lineno, n.end_lineno or n.lineno) for n in tree.body
             if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name in functions}
    used = {name: {x.id for x in ast.walk(node) if isinstance(x, ast.Name)} | {x.attr for x in ast.walk(node) if isinstance(x, ast.Attribute)}
            for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (name := node.name) in functions}
    lines_to_nodes = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            lines_to_nodes.setdefault(node.lineno, []).append(node)
    out: dict[str, str] = {}
    for module, line in hits:
        msg = f"uses {module} ({where(line)}), which this assignment forbids: write the formula with numpy"
        inside = [f for f, (a, b) in spans.items() if a <= line <= b]
        if inside:
            for f in inside:
                out.setdefault(f, msg)
            continue
        names = set().union(*(_bound_names(n) for n in lines_to_nodes.get(line, []))) or {module.split(".")[0]}
        for f, u in used.items():
            if names & u:
                out.setdefault(f, msg)
    return out

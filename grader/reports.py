"""Reports, each rendered from the one JSON result (grader/result.py).

text        the terminal: a table per function with points, then the
            feedback of each failure; colour only on a terminal.
json        the result itself (schema_version 1).
gradescope  Gradescope's results.json (score, execution_time, output, tests
            with name, score, max_score, status, output, visibility).
junit       JUnit XML: a testsuite per function, a testcase per check.
prairielearn PrairieLearn's external-grader results (score in [0, 1],
            tests with points and max_points).

Every renderer takes the full result dict; student-facing renderers (text,
and json with ``student=True``) withhold non-visible checks through
``student_view``. Gradescope and PrairieLearn receive every check with its
visibility, and hide them themselves.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any, Callable

from .result import student_view

__all__ = ["FORMATS", "render", "failure_body"]

STATUS_MARK = {"passed": "PASS", "failed": "FAIL", "error": "ERROR"}


def _fmt_points(x: float) -> str:
    return f"{x:g}"


def _plain(text, **_):
    return text


def failure_body(c: dict[str, Any], verbose: bool = False, style=_plain) -> list[str]:
    """The lines under a failing check's headline: detail, named mistake,
    hint, and with ``verbose`` the reproduction snippet. Shared by the text
    report and the pytest plugin, so both say the same thing."""
    lines = []
    quiet = c["status"] == "error" and (c.get("data") or {}).get("error_kind") in ("missing", "not-implemented")
    if c.get("detail") and (verbose or not quiet):
        lines += ["    " + line for line in c["detail"].splitlines()[:40]]
    if c.get("mistake"):
        lines.append(style(f"    likely mistake: {c['mistake']}", fg="magenta"))
    if c.get("hint"):
        lines.append(style(f"    hint: {c['hint']}", fg="cyan"))
    if c.get("reproduce") and verbose:
        lines.append("    reproduce:")
        lines += ["      " + line for line in c["reproduce"].splitlines()]
    return lines


def render_text(result: dict[str, Any], color: bool = False, verbose: bool = False) -> str:
    import click

    def style(text, **kw):
        return click.style(text, **kw) if color else text

    view = student_view(result)
    lines = [style(f"dlgrade: {view['title']} ({view['assignment']})", bold=True),
             f"submission: {view['submission']}", ""]
    width = max([len(f["name"]) for f in view["functions"]] + [8])
    failures = []
    for f in view["functions"]:
        marks = []
        for c in f["checks"]:
            mark = STATUS_MARK[c["status"]]
            colour = {"PASS": "green", "FAIL": "red", "ERROR": "yellow"}[mark]
            marks.append(style(f"{c['check']}:{mark}", fg=colour))
            if c["status"] != "passed":
                failures.append(c)
        hidden = f" (+{f['hidden_checks']} hidden)" if f.get("hidden_checks") else ""
        pts = f"{_fmt_points(f['score'])}/{_fmt_points(f['max_score'])}"
        lines.append(f"  {f['name']:<{width}}  {pts:>9}  " + "  ".join(marks) + hidden)
    lines.append("")
    for c in failures:
        lines.append(style(f"{c['function']} · {c['check']} ({_fmt_points(c['max_score'])} pt): {c['summary']}",
                           fg="red" if c["status"] == "failed" else "yellow", bold=True))
        lines += failure_body(c, verbose, style)
        lines.append("")
    for note in view["notes"]:
        lines.append(style(f"note: {note}", fg="yellow"))
    hidden = view.get("hidden", {})
    total = f"score: {_fmt_points(view['score'])} / {_fmt_points(view['max_score'])} ({view['percent']:g}%)"
    if hidden.get("checks"):
        n, pts = hidden["checks"], hidden["max_score"]
        total += (f"; includes {n} hidden check{'s' if n != 1 else ''} ({_fmt_points(pts)} point{'s' if pts != 1 else ''}) "
                  "whose results are withheld")
    elif view["max_score"] and view["score"] == view["max_score"]:
        total += ": all checks passed"
    lines.append(style(total, bold=True))
    return "\n".join(lines) + "\n"


def render_json(result: dict[str, Any], student: bool = False) -> str:
    return json.dumps(student_view(result) if student else result, indent=2, allow_nan=False, default=str) + "\n"


def _check_output(c: dict[str, Any]) -> str:
    parts = [c["summary"]]
    if c["status"] != "passed":
        if c["detail"]:
            parts.append(c["detail"])
        if c.get("mistake"):
            parts.append(f"likely mistake: {c['mistake']}")
        if c["hint"]:
            parts.append(f"hint: {c['hint']}")
        if c["reproduce"]:
            parts.append("reproduce:\n" + c["reproduce"])
    return "\n".join(p for p in parts if p)


def render_gradescope(result: dict[str, Any]) -> str:
    tests = []
    for f in result["functions"]:
        for c in f["checks"]:
            tests.append({
                "name": f"{c['function']}: {c['check']}",
                "score": c["score"],
                "max_score": c["max_score"],
                "status": "passed" if c["status"] == "passed" else "failed",
                "output": _check_output(c),
                "visibility": c["visibility"],
            })
    out = {
        "score": result["score"],
        "execution_time": round(result["seconds"], 3),
        "output": "\n".join(result["notes"]) or f"Graded by dlgrade {result['reproducibility'].get('dlgrade', '')}",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    return json.dumps(out, indent=2, allow_nan=False) + "\n"


def render_junit(result: dict[str, Any]) -> str:
    suites = ET.Element("testsuites", name=f"dlgrade {result['assignment']}")
    for f in result["functions"]:
        failures = sum(c["status"] == "failed" for c in f["checks"])
        errors = sum(c["status"] == "error" for c in f["checks"])
        suite = ET.SubElement(suites, "testsuite", name=f"{result['assignment']}.{f['name']}",
                              tests=str(len(f["checks"])), failures=str(failures), errors=str(errors),
                              time=f"{sum(c['seconds'] for c in f['checks']):.3f}")
        for c in f["checks"]:
            case = ET.SubElement(suite, "testcase", classname=f"{result['assignment']}.{f['name']}",
                                 name=f"{c['check']} [{_fmt_points(c['max_score'])} pt]", time=f"{c['seconds']:.3f}")
            if c["status"] != "passed":
                tag = "failure" if c["status"] == "failed" else "error"
                el = ET.SubElement(case, tag, message=c["summary"][:500], type=c.get("mistake") or c["status"])
                el.text = _check_output(c)
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="score", value=_fmt_points(f["score"]))
        ET.SubElement(props, "property", name="max_score", value=_fmt_points(f["max_score"]))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def render_prairielearn(result: dict[str, Any]) -> str:
    tests = [{
        "name": f"{c['function']}: {c['check']}",
        "description": c["summary"] if c["visibility"] == "visible" else "hidden check",
        "points": c["score"],
        "max_points": c["max_score"],
        "message": c["summary"] if c["visibility"] == "visible" else "",
        "output": _check_output(c) if c["visibility"] == "visible" else "",
    } for f in result["functions"] for c in f["checks"]]
    out = {
        "gradable": True,
        "score": (result["score"] / result["max_score"]) if result["max_score"] else 0.0,
        "message": "\n".join(result["notes"]),
        "output": "",
        "tests": tests,
    }
    return json.dumps(out, indent=2, allow_nan=False) + "\n"


FORMATS: dict[str, Callable[..., str]] = {
    "text": render_text,
    "json": render_json,
    "gradescope": render_gradescope,
    "junit": render_junit,
    "prairielearn": render_prairielearn,
}


def render(result: dict[str, Any], fmt: str, **kw) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return FORMATS[fmt](result, **kw)

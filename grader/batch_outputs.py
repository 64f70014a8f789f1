"""Batch grading, part 3: the class outputs (gradebook, mistakes, summary page and plots).

See grader/batch.py; everything here is rendered from the stored results.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from dlgrade import __version__
from dlgrade.assignments.manifest import Assignment


def atomic_write(path: Path, data: bytes, durable: bool = True) -> None:
    """Replace ``path`` with data all at once: readers see the old or the new file, never a torn one.

    durable: fsync the file and its folder (results); derived files skip it.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        if durable:
            fh.flush()
            os.fsync(fh.fileno())
    os.replace(tmp, path)
    if durable:
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)



# ------------------------------------------------------------------ class outputs


def _cell(text: str) -> str:
    # Names come from students (Gradescope metadata): keep spreadsheets from running them as formulas.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _mistake_text(function: str, mistake: str) -> str:
    return mistake[len(function) + 2:] if mistake.startswith(function + ": ") else mistake


def slim(result: dict) -> dict:
    """What the class outputs need of one result (a full result can be 100 KB; a class, thousands)."""
    checks = [c for f in result["functions"] for c in f["checks"]]
    return {"student": str(result.get("student")), "score": float(result["score"]), "max_score": float(result["max_score"]),
            "percent": float(result["percent"]), "status": result.get("status", "graded"),
            "functions": {f["name"]: float(f["score"]) for f in result["functions"]},
            "checks": {c["id"]: c["status"] for c in checks},
            "mistakes": sorted({(c["function"], c["mistake"]) for c in checks if c.get("mistake")}),
            "name": result.get("batch", {}).get("name", ""), "email": result.get("batch", {}).get("email", "")}


def class_summary(assignment: Assignment, rows: list[dict]) -> dict:
    """The numbers of summary.json: scores, histogram, per-check failure rates, named mistakes."""
    import statistics

    n = len(rows)
    scores, percents = [r["score"] for r in rows], [r["percent"] for r in rows]
    counts = [0] * 10
    for p in percents:
        counts[min(9, max(0, int(p // 10)))] += 1
    status = {c.id: {"passed": 0, "failed": 0, "error": 0} for c in assignment.checks}
    mistakes: dict[tuple[str, str], int] = {}
    for r in rows:
        for cid, st in r["checks"].items():
            if cid in status and st in status[cid]:
                status[cid][st] += 1
        for f, m in r["mistakes"]:  # a student counts once per mistake, however many checks caught it
            key = (f, _mistake_text(f, m))
            mistakes[key] = mistakes.get(key, 0) + 1
    order = {f: i for i, f in enumerate(assignment.functions)}
    return {
        "assignment": assignment.name, "title": assignment.title, "dlgrade": __version__,
        "students": n, "graded": sum(r["status"] == "graded" for r in rows),
        "errors": sum(r["status"] == "error" for r in rows),
        "max_score": assignment.max_score,
        "mean_score": round(statistics.fmean(scores), 4) if n else 0.0,
        "median_score": statistics.median(scores) if n else 0.0,
        "mean_percent": round(statistics.fmean(percents), 2) if n else 0.0,
        "histogram": {"percent_bins": list(range(0, 101, 10)), "counts": counts},
        "checks": [{"id": c.id, "function": c.function, "check": c.check, "points": c.points, "visibility": c.visibility,
                    **status[c.id], "failure_rate": round((status[c.id]["failed"] + status[c.id]["error"]) / n, 4) if n else 0.0}
                   for c in assignment.checks],
        "mistakes": [{"function": f, "mistake": m, "count": k, "share": round(k / n, 4)}
                     for (f, m), k in sorted(mistakes.items(), key=lambda x: (-x[1], order.get(x[0][0], 99), x[0][1]))],
    }


def _plots(summary: dict) -> dict[str, bytes]:
    """hist.png and checks.png (matplotlib Agg, no pyplot state); {} without matplotlib."""
    import io

    try:
        from matplotlib.figure import Figure
    except ImportError:
        return {}
    out = {}
    fig = Figure(figsize=(6.4, 3.2))
    ax = fig.add_subplot()
    ax.bar([b + 5 for b in range(0, 100, 10)], summary["histogram"]["counts"], width=9, color="#4c72b0")
    ax.set(xlabel="score (%)", ylabel="students", xlim=(0, 100), title=f"Scores ({summary['students']} students)")
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    out["hist.png"] = buf.getvalue()
    checks = summary["checks"]
    fig = Figure(figsize=(7.0, 1.2 + 0.22 * len(checks)))
    ax = fig.add_subplot()
    ax.barh(range(len(checks)), [100 * c["failure_rate"] for c in checks], color="#c44e52")
    ax.set_yticks(range(len(checks)), [c["id"] for c in checks], fontsize=7)
    ax.invert_yaxis()
    ax.set(xlabel="students failing the check (%)", xlim=(0, 100), title="Failure rate per check")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    out["checks.png"] = buf.getvalue()
    return out


def _html(summary: dict, rows: list[dict], images: dict[str, bytes]) -> str:
    import base64
    from html import escape

    def img(name: str) -> str:
        if name not in images:
            return "<p><i>(install matplotlib for this plot)</i></p>"
        return f'<img alt="{name}" src="data:image/png;base64,{base64.b64encode(images[name]).decode()}">'

    n = summary["students"]
    mistakes = "".join(f"<li>{escape(m['function'])}: {escape(m['mistake'])} — {m['count']} of {n}</li>"
                       for m in summary["mistakes"]) or "<li>none named</li>"
    checks = "".join(f"<tr><td>{escape(c['id'])}</td><td>{c['points']:g}</td><td>{c['failed']}</td><td>{c['error']}</td>"
                     f"<td>{100 * c['failure_rate']:.1f}%</td></tr>" for c in summary["checks"])
    students = "".join(
        f"<tr><td>{escape(r['student'])}</td><td>{r['score']:g}</td><td>{r['percent']:g}%</td><td>{escape(r['status'])}</td>"
        f"<td>{escape('; '.join(m for _, m in r['mistakes']))}</td></tr>" for r in rows)
    title = escape(f"{summary['title']} ({summary['assignment']})")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>dlgrade class summary: {title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 8px;text-align:left}}img{{max-width:100%}}</style>
</head><body>
<h1>Class summary: {title}</h1>
<p>{n} students; mean {summary['mean_score']:g} / {summary['max_score']:g} ({summary['mean_percent']:g}%), median {summary['median_score']:g};
{summary['errors']} grading errors. dlgrade {escape(summary['dlgrade'])}.</p>
<h2>Scores</h2>{img("hist.png")}
<h2>Named mistakes</h2><ul>{mistakes}</ul>
<h2>Checks</h2>{img("checks.png")}
<table><tr><th>check</th><th>points</th><th>failed</th><th>errors</th><th>failure rate</th></tr>{checks}</table>
<h2>Students</h2>
<table><tr><th>student</th><th>score</th><th>percent</th><th>status</th><th>named mistakes</th></tr>{students}</table>
</body></html>
"""


def write_outputs(assignment: Assignment, rows: list[dict], out: Path, layout: str = "folder") -> dict:
    """gradebook.csv, mistakes.csv, summary.json, hist.png, checks.png, summary.html from
    ``slim`` rows; returns the summary. Gradescope layouts add name and email columns."""
    import csv
    import io

    rows = sorted(rows, key=lambda r: r["student"])
    summary = class_summary(assignment, rows)
    people = layout == "gradescope"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", "total", "max", "percent", *assignment.functions, "mistakes"] + (["name", "email"] if people else []))
    for r in rows:
        w.writerow([_cell(r["student"]), f"{r['score']:g}", f"{r['max_score']:g}", f"{r['percent']:g}",
                    *(f"{r['functions'].get(f, 0.0):g}" for f in assignment.functions),
                    "; ".join(m for _, m in r["mistakes"])] + ([_cell(r["name"]), _cell(r["email"])] if people else []))
    atomic_write(out / "gradebook.csv", buf.getvalue().encode(), durable=False)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["function", "mistake", "count", "share"])
    for m in summary["mistakes"]:
        w.writerow([m["function"], m["mistake"], m["count"], m["share"]])
    atomic_write(out / "mistakes.csv", buf.getvalue().encode(), durable=False)
    atomic_write(out / "summary.json", (json.dumps(summary, indent=2) + "\n").encode(), durable=False)
    images = _plots(summary)
    for name, data in images.items():
        atomic_write(out / name, data, durable=False)
    atomic_write(out / "summary.html", _html(summary, rows, images).encode(), durable=False)
    return summary



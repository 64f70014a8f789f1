"""The HTML report: one self-contained page rendered from the JSON result.

``render_html(result) -> str``. Guaranteed:

- self-contained: CSS inline, pictures as ``data:image/png;base64`` URIs, no
  script, no link, no font or URL to fetch; the page opens offline and can
  be mailed or attached to a CI run as one file;
- student-facing: rendered from ``student_view(result)``, so hidden checks
  show only as a count and their points, and the page never says "all
  checks passed" while hidden checks exist;
- pictures only for what failed (visible checks with status "failed"): a
  perfect submission's page has no image and stays a few kilobytes;
- stable hooks for tools and tests: each function is a
  ``<section class="function" id="fn-NAME" data-function="NAME">``, its
  picture an ``<img class="plot">`` inside it, each check a
  ``<tr class="check STATUS" id="check-FUNCTION-CHECK">``.

One picture per failing function, the first that applies:

curve         data["plot"] kind "curve" (checks/plotdata.py): the student's
              curve against the reference, the region where they differ shaded;
trajectory2d  data["plot"] kind "trajectory2d": both optimizer paths on the
              contours of the quadratic;
histogram     data["histogram"] of a sampler's statistics check: the
              student's histogram against the theoretical density;
arrays        data["expected"] / data["got"] of the smallest failing input:
              heatmaps of expected, got and their difference (the first
              (n, channel) slice of a 4-d array), a line for 1-d, bars for
              a number.

matplotlib is imported lazily here (``dlgrade check`` without ``--format
html`` never imports it), through its object API on the Agg canvas (no
pyplot, so no global backend is switched in a host process such as a
notebook). Without matplotlib the page is rendered without pictures and
says so.
"""

from __future__ import annotations

import base64
import html
import io
import math
from typing import Any

from .result import student_view

__all__ = ["render_html"]

STATUS_LABEL = {"passed": "PASS", "failed": "FAIL", "error": "ERROR"}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1000px;padding:1rem 1.5rem;color:#1d2329;line-height:1.45}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;margin:0;display:flex;justify-content:space-between}
.meta{color:#5b6670;font-size:.9rem}.score{font-size:1.3rem;font-weight:600;margin:.6rem 0 .3rem}
.bar{height:.6rem;background:#e5e8eb;border-radius:.3rem;overflow:hidden;margin-bottom:.4rem}.bar>div{height:100%;background:#2f9e44}
.hidden-note{color:#5b6670;font-style:italic}.note{background:#fff4e5;border-left:4px solid #f08c00;padding:.3rem .6rem;margin:.3rem 0}
table{border-collapse:collapse;width:100%;font-size:.92rem}td,th{padding:.25rem .4rem;text-align:left;vertical-align:top}
table.overview td{border-bottom:1px solid #eef0f2}
section.function{border:1px solid #dde1e5;border-radius:.4rem;padding:.7rem .9rem;margin:1rem 0}
section.function.lost{border-left:5px solid #e03131}section.function.full{border-left:5px solid #2f9e44}
.badge{display:inline-block;font-size:.75rem;font-weight:700;padding:.05rem .4rem;border-radius:.25rem;color:#fff;margin-right:.15rem}
.badge.passed{background:#2f9e44}.badge.failed{background:#e03131}.badge.error{background:#f08c00}
tr.check td{border-top:1px solid #eef0f2}.feedback{padding:.2rem 0 .5rem 1rem}
.mistake{color:#862e9c}.hint{color:#1864ab}pre{background:#f6f8fa;padding:.5rem;overflow-x:auto;font-size:.82rem;margin:.3rem 0}
figure{margin:.5rem 0}figure img{max-width:100%;height:auto}figcaption{font-size:.85rem;color:#5b6670}
details summary{cursor:pointer;color:#1864ab}footer{color:#5b6670;font-size:.8rem;margin-top:2rem}
a{color:inherit}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _pts(x: float) -> str:
    return f"{x:g}"


def _count(n: float, noun: str) -> str:
    return f"{n:g} {noun}" + ("" if n == 1 else "s")


def render_html(result: dict[str, Any]) -> str:
    """The page for one graded submission (see the module docstring)."""
    view = student_view(result)
    plotter = _Plotter()
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>dlgrade: {_e(view['title'])} - {_pts(view['score'])}/{_pts(view['max_score'])}</title>",
           f"<style>{CSS}</style></head><body>"]
    out += _header(view)
    out += _overview(view)
    for f in view["functions"]:
        out += _function_section(f, plotter)
    if plotter.unavailable:
        out.append(f'<p class="note">Pictures are not shown: {_e(plotter.unavailable)}.</p>')
    out += _footer(view)
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _score_line(view: dict) -> str:
    hidden = view.get("hidden") or {}
    text = f"Score: {_pts(view['score'])} / {_pts(view['max_score'])} ({view['percent']:g}%)"
    if hidden.get("checks"):
        return text + (f'<div class="hidden-note">includes {_count(hidden["checks"], "hidden check")} '
                       f'({_count(hidden["max_score"], "point")}) whose results are withheld</div>')
    if view["max_score"] and view["score"] >= view["max_score"]:
        return text + ": all checks passed"
    return text


def _header(view: dict) -> list[str]:
    pct = max(0.0, min(100.0, float(view["percent"] or 0.0)))
    lines = [f"<header><h1>{_e(view['title'])}</h1>",
             f'<div class="meta">assignment <b>{_e(view["assignment"])}</b> &middot; submission <code>{_e(view["submission"])}</code>'
             + (f" &middot; student {_e(view['student'])}" if view.get("student") else "")
             + (f" &middot; graded {_e(view['started_at'])}" if view.get("started_at") else "") + "</div>",
             f'<div class="score" id="score">{_score_line(view)}</div>',
             f'<div class="bar" title="{pct:g}%"><div style="width:{pct:.1f}%"></div></div>']
    if view.get("status") == "error":
        lines.append('<p class="note">The submission could not be graded normally; see the notes below.</p>')
    for note in view.get("notes") or []:
        lines.append(f'<p class="note">{_e(note)}</p>')
    lines.append("</header>")
    return lines


def _overview(view: dict) -> list[str]:
    lines = ['<table class="overview"><thead><tr><th>function</th><th>points</th><th>checks</th></tr></thead><tbody>']
    for f in view["functions"]:
        badges = " ".join(f'<span class="badge {_e(c["status"])}" title="{_e(c["summary"])}">{_e(c["check"])}</span>'
                          for c in f["checks"])
        if f.get("hidden_checks"):
            badges += f' <span class="hidden-note">+{f["hidden_checks"]} hidden</span>'
        lines.append(f'<tr><td><a href="#fn-{_e(f["name"])}">{_e(f["name"])}</a></td>'
                     f'<td>{_pts(f["score"])} / {_pts(f["max_score"])}</td><td>{badges}</td></tr>')
    lines.append("</tbody></table>")
    return lines


def _function_section(f: dict, plotter: "_Plotter") -> list[str]:
    lost = f["score"] < f["max_score"]
    name = _e(f["name"])
    lines = [f'<section class="function {"lost" if lost else "full"}" id="fn-{name}" data-function="{name}">',
             f'<h2><span>{name}</span><span class="points">{_pts(f["score"])} / {_pts(f["max_score"])}</span></h2>']
    if f.get("hidden_checks"):
        lines.append(f'<div class="hidden-note">and {_count(f["hidden_checks"], "hidden check")}, graded but withheld</div>')
    figure = plotter.figure_for(f)
    if figure:
        lines.append(figure)
    lines.append('<table class="checks">')
    for c in f["checks"]:
        lines += _check_rows(c)
    lines.append("</table></section>")
    return lines


def _check_rows(c: dict) -> list[str]:
    status = c["status"] if c["status"] in STATUS_LABEL else "error"
    rid = f"check-{c['function']}-{c['check']}"
    lines = [f'<tr class="check {status}" id="{_e(rid)}"><td><span class="badge {status}">{STATUS_LABEL[status]}</span></td>'
             f'<td>{_e(c["check"])}</td><td>{_pts(c["score"])} / {_pts(c["max_score"])}</td><td>{_e(c["summary"])}</td></tr>']
    if status == "passed":
        return lines
    parts = []
    if c.get("mistake"):
        parts.append(f'<div class="mistake"><b>likely mistake:</b> {_e(c["mistake"])}</div>')
    if c.get("hint"):
        parts.append(f'<div class="hint"><b>hint:</b> {_e(c["hint"])}</div>')
    if c.get("detail"):
        parts.append(f"<pre>{_e(c['detail'])}</pre>")
    if c.get("reproduce"):
        parts.append(f"<details><summary>reproduce</summary><pre>{_e(c['reproduce'])}</pre></details>")
    if parts:
        lines.append(f'<tr class="feedback-row"><td></td><td colspan="3" class="feedback">{"".join(parts)}</td></tr>')
    return lines


def _footer(view: dict) -> list[str]:
    lines = []
    for stream in ("stdout", "stderr"):
        if view.get(stream):
            lines.append(f"<details><summary>your program's {stream}</summary><pre>{_e(view[stream])}</pre></details>")
    rep = view.get("reproducibility") or {}
    bits = [f"{k} {rep[k]}" for k in ("dlgrade", "python", "numpy", "hypothesis", "platform") if rep.get(k)]
    lines.append("<footer>" + _e(" · ".join(bits)))
    if view.get("limits_in_force"):
        lines.append("<br>limits in force: " + _e(", ".join(map(str, view["limits_in_force"]))))
    lines.append(f"<br>graded in {float(view.get('seconds') or 0):.2f} s</footer>")
    return lines


# ------------------------------------------------------------------ pictures


class _Plotter:
    """Draws one picture per failing function; remembers why it could not."""

    def __init__(self):
        self.unavailable = ""

    def figure_for(self, f: dict) -> str:
        failed = [c for c in f["checks"] if c["status"] == "failed"]
        if not failed or self.unavailable:
            return ""
        choice = _choose(failed)
        if choice is None:
            return ""
        kind, c = choice
        try:
            from matplotlib.figure import Figure  # noqa: F401  (lazy: only pages with failures need it)
        except ImportError:
            self.unavailable = "matplotlib is not installed (pip install 'dlgrade[report]')"
            return ""
        try:
            png, caption = DRAW[kind](c)
        except Exception as exc:  # a picture is a courtesy: the page goes on without it
            return f'<p class="hidden-note">(no picture: {_e(type(exc).__name__)}: {_e(exc)})</p>'
        uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        alt = f"{f['name']}: {caption}"
        return (f'<figure class="plot" data-kind="{kind}"><img class="plot" src="{uri}" alt="{_e(alt)}">'
                f"<figcaption>{_e(caption)}</figcaption></figure>")


def _choose(failed: list[dict]):
    for c in failed:
        plot = (c.get("data") or {}).get("plot")
        if isinstance(plot, dict) and plot.get("kind") in ("curve", "trajectory2d"):
            return plot["kind"], c
    for c in failed:
        if isinstance((c.get("data") or {}).get("histogram"), dict):
            return "histogram", c
    arrays = [c for c in failed if _pair(c) is not None]
    if arrays:
        # The smallest failing input reads best (shrinking already made value checks small).
        # A one-number output makes a poor heatmap: prefer outputs of 4 entries or more.
        return "arrays", min(arrays, key=lambda c: (_size(_pair(c)[1]) < 4, _size(_pair(c)[1])))
    return None


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=80, layout="constrained")


def _png(fig) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    # No metadata: the same result gives the same bytes.
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _finite(v) -> float:
    """A plot value: None, NaN strings and infinities become NaN (a gap)."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return math.nan
    return x if math.isfinite(x) else math.nan


def _draw_curve(c: dict):
    import numpy as np

    p = c["data"]["plot"]
    x = np.array([_finite(v) for v in p["x"]])
    series = p["series"]
    fig = _figure(4.2 * len(series) if len(series) > 1 else 6.4, 3.2)
    axes = fig.subplots(1, len(series), squeeze=False)[0]
    n_diff_total = 0
    for ax, s in zip(axes, series, strict=True):
        exp = np.array([_finite(v) for v in s["expected"]])
        got = np.array([_finite(v) for v in s["got"]])
        with np.errstate(all="ignore"):
            differs = ~(np.abs(got - exp) <= 1e-6 * (1 + np.abs(exp)))  # NaN (missing) counts as different
        differs &= np.isfinite(exp)
        n_diff_total += int(differs.sum())
        step = float(np.nanmedian(np.diff(x))) if x.size > 1 else 1.0
        for lo, hi in _runs(differs):
            ax.axvspan(x[lo] - step / 2, x[hi] + step / 2, color="#ffa8a8", alpha=0.45, lw=0)
        ax.plot(x, exp, color="#343a40", lw=2.2, label="reference")
        ax.plot(x, got, color="#e03131", lw=1.4, ls="--", label="yours")
        ax.set_ylim(*_ylim(exp, got))
        ax.set_xlabel(p.get("xlabel", "x"))
        ax.set_title(s["name"], fontsize=10)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, loc="best")
    fixed = ", ".join(f"{k} = {v:g}" for k, v in (p.get("fixed") or {}).items())
    caption = (f"your {c['function']} (dashed) against the reference"
               + (f" with {fixed}" if fixed else "")
               + f"; shaded where they differ ({n_diff_total} of {x.size * len(series)} points)")
    return _png(fig), caption


def _runs(mask):
    """(start, end) index pairs of the runs of True in mask."""
    out, start = [], None
    for i, m in enumerate(list(mask) + [False]):
        if m and start is None:
            start = i
        elif not m and start is not None:
            out.append((start, i - 1))
            start = None
    return out


def _ylim(exp, got):
    import numpy as np

    lo, hi = float(np.nanmin(exp)), float(np.nanmax(exp))
    span = (hi - lo) or max(1.0, abs(hi))
    g = got[np.isfinite(got)]
    # Show the student's curve, but not so far that the reference flattens to a line.
    glo = float(g.min()) if g.size else lo
    ghi = float(g.max()) if g.size else hi
    return max(min(lo, glo), lo - 1.5 * span) - 0.08 * span, min(max(hi, ghi), hi + 1.5 * span) + 0.08 * span


def _draw_trajectory(c: dict):
    import numpy as np

    p = c["data"]["plot"]
    a = np.array(p["a"], dtype=float)
    exp = np.array([[_finite(v) for v in w] for w in p["expected"]])
    got = np.array([[_finite(v) for v in w] for w in p["got"]]) if p["got"] else np.zeros((0, 2))
    ref = exp[np.isfinite(exp).all(axis=1)]
    ref_lim = np.maximum(np.abs(ref).max(axis=0) * 1.3, [2.0, 1.5])
    mine = got[np.isfinite(got).all(axis=1)] if got.size else ref
    # Follow a diverging path a little way, not so far that the reference shrinks to a dot.
    lim = np.minimum(np.maximum(ref_lim, np.abs(mine).max(axis=0) * 1.1), 2.5 * ref_lim)
    w1, w2 = np.meshgrid(np.linspace(-lim[0], lim[0], 160), np.linspace(-lim[1], lim[1], 160))
    f = 0.5 * (a[0] * w1 ** 2 + a[1] * w2 ** 2)
    fig = _figure(6.4, 3.8)
    ax = fig.subplots()
    ax.contour(w1, w2, f, levels=np.geomspace(max(f.max(), 1e-9) * 1e-3, f.max(), 12), cmap="Greys", linewidths=0.7)
    ax.plot(exp[:, 0], exp[:, 1], "o-", color="#343a40", ms=3, lw=1.6, label="reference")
    if len(got):
        ax.plot(got[:, 0], got[:, 1], "s--", color="#e03131", ms=3, lw=1.2, label="yours")
    ax.plot(*p["start"], marker="*", color="#1864ab", ms=12, ls="none", label="start")
    ax.plot(0, 0, marker="+", color="#2f9e44", ms=12, mew=2, ls="none", label="minimum")
    ax.set_xlim(-lim[0], lim[0])
    ax.set_ylim(-lim[1], lim[1])
    ax.set_xlabel("w1")
    ax.set_ylabel("w2")
    ax.legend(fontsize=8, loc="upper right")
    steps = len(p["expected"]) - 1
    hyper = ", ".join(f"{k} = {v:g}" for k, v in (p.get("hyper") or {}).items())
    caption = (f"{steps} steps of your {c['function']} (dashed) and of the reference on f(w) = "
               f"({a[0]:g} w1² + {a[1]:g} w2²) / 2 from w = ({p['start'][0]:g}, {p['start'][1]:g})"
               + (f", {hyper}" if hyper else ""))
    if len(got) - 1 < steps:
        caption += f"; your path stops after {max(len(got) - 1, 0)} steps (an error, NaN, a wrong shape or divergence)"
    return _png(fig), caption


def _draw_histogram(c: dict):
    import numpy as np

    d = c["data"]
    h = d["histogram"]
    edges = np.array(h["edges"], dtype=float)
    density = np.array([_finite(v) for v in h["density"]])
    fig = _figure(6.4, 3.2)
    ax = fig.subplots()
    ax.stairs(np.nan_to_num(density), edges, fill=True, color="#ffa8a8", alpha=0.8, label="your samples")
    x = np.linspace(edges[0], edges[-1], 400)
    if d.get("family") == "normal" and d.get("std"):
        std = float(d["std"])
        pdf = np.exp(-0.5 * (x / std) ** 2) / (std * math.sqrt(2 * math.pi))
        law = f"N(0, {std:.4g}²)"
    elif d.get("bound"):
        b = float(d["bound"])
        pdf = np.where(np.abs(x) <= b, 1 / (2 * b), 0.0)
        law = f"U(-{b:.4g}, {b:.4g})"
    else:
        pdf, law = None, "the expected law"
    if pdf is not None:
        ax.plot(x, pdf, color="#343a40", lw=2, label=f"expected {law}")
    ax.set_xlabel("weight value")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    shape = f"({d.get('fan_in')}, {d.get('fan_out')})" if d.get("fan_in") else ""
    return _png(fig), f"histogram of your {c['function']} samples {shape} against the density of {law}"


def _leaves(value, path=""):
    """(path, value) of every number or array in a nested output."""
    if isinstance(value, dict):
        if value.get("truncated"):
            return []
        return [leaf for k, v in value.items() for leaf in _leaves(v, f"{path}[{k!r}]")]
    if isinstance(value, list) and value and any(isinstance(v, (list, dict)) for v in value) and not _is_rect(value):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, f"{path}[{i}]")]
    return [(path, value)]


def _is_rect(value) -> bool:
    import numpy as np

    try:
        return np.asarray(value, dtype=float).dtype.kind == "f"
    except (TypeError, ValueError):
        return False


def _pair(c: dict):
    """(label, expected array, got array) of the first output that differs, or None."""
    import numpy as np

    d = c.get("data") or {}
    if "expected" not in d or "got" not in d:
        return None
    exp_leaves = _leaves(d["expected"])
    got_leaves = dict(_leaves(d["got"]))
    for path, e in exp_leaves:
        if path not in got_leaves:
            continue
        try:
            ea = np.array(_nested(e), dtype=float)
            ga = np.array(_nested(got_leaves[path]), dtype=float)
        except (TypeError, ValueError):
            continue
        if ea.shape != ga.shape or not np.allclose(ea, ga, rtol=1e-6, atol=1e-9, equal_nan=True):
            return path, ea, ga
    return None


def _nested(v):
    if isinstance(v, list):
        return [_nested(x) for x in v]
    return _finite(v)


def _size(a) -> int:
    return int(getattr(a, "size", 1))


def _slice2d(a):
    """The first (n, channel) slice of a 4-d array, the first of a 3-d one."""
    while a.ndim > 2:
        a = a[0]
    return a


def _draw_arrays(c: dict):
    import numpy as np

    label, exp, got = _pair(c)
    where = ((c.get("data") or {}).get("mismatch") or {}).get("where")
    # The engine's own name for the wrong output ("db", "grads['W1']") reads better than a path.
    name = f"{c['function']}: {where}" if where else c["function"] + label
    if exp.size == 1 and got.size == 1:
        fig = _figure(4.0, 2.8)
        ax = fig.subplots()
        ax.bar(["expected", "yours"], [float(exp.reshape(-1)[0]), float(got.reshape(-1)[0])], color=["#343a40", "#e03131"])
        ax.set_title(name, fontsize=10)
        ax.grid(alpha=0.3, axis="y")
        return _png(fig), f"{c['check']} check: the expected number and yours"
    if exp.ndim == 1 and got.ndim == 1:
        fig = _figure(6.4, 3.0)
        ax = fig.subplots()
        ax.plot(np.arange(exp.size), exp, "o-", color="#343a40", lw=2, label="expected")
        ax.plot(np.arange(got.size), got, "s--", color="#e03131", lw=1.2, label="yours")
        ax.set_xlabel("index")
        ax.set_title(name, fontsize=10)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
        return _png(fig), f"{c['check']} check: expected and your {name}, entry by entry"
    e2 = _slice2d(exp if exp.ndim >= 2 else exp.reshape(1, -1))
    g2 = _slice2d(got if got.ndim >= 2 else got.reshape(1, -1))
    same = e2.shape == g2.shape
    panels = [("expected", e2), ("yours", g2)] + ([("yours - expected", g2 - e2)] if same else [])
    fig = _figure(2.6 * len(panels) + 0.6, 2.9)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    vals = np.concatenate([e2.ravel(), g2.ravel()])
    vals = vals[np.isfinite(vals)]
    vmin, vmax = (float(vals.min()), float(vals.max())) if vals.size else (0.0, 1.0)
    for ax, (title, arr) in zip(axes, panels, strict=True):
        if title.startswith("yours -"):
            m = float(np.nanmax(np.abs(arr))) if np.isfinite(arr).any() else 1.0
            im = ax.imshow(arr, cmap="RdBu_r", vmin=-(m or 1.0), vmax=m or 1.0)
        else:
            im = ax.imshow(arr, cmap="viridis", vmin=vmin, vmax=vmax)
        if arr.size <= 36:  # small enough to read the numbers themselves
            for (i, j), v in np.ndenumerate(arr):
                light = title.startswith("yours -") or v > (vmin + vmax) / 2  # dark text on light cells
                ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=7, color="black" if light else "white")
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        fig.colorbar(im, ax=ax, shrink=0.8)
    where = " (first sample, first channel)" if exp.ndim == 4 else " (first slice)" if exp.ndim == 3 else ""
    shapes = "" if same else f"; the shapes differ: expected {exp.shape}, yours {got.shape}"
    return _png(fig), f"{c['check']} check, smallest failing input: {name}{where}{shapes}"


DRAW = {"curve": _draw_curve, "trajectory2d": _draw_trajectory, "histogram": _draw_histogram, "arrays": _draw_arrays}

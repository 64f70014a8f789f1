"""`dlgrade verify`: the table of formulas, each proven symbolically and against torch."""

from __future__ import annotations

import json
import math

import click

from dlgrade.reference.verify import TOPICS, run_all, torch_available

TORCH_HINT = (
    "PyTorch is not installed, so only the symbolic half ran. Install the CPU build with\n"
    "  pip install torch --index-url https://download.pytorch.org/whl/cpu\n"
    "(or `pip install 'dlgrade[torch]'`), then run `dlgrade verify` again."
)


def run_verify(as_json: bool = False, topics=None, with_torch=None) -> int:
    topics = tuple(topics or TOPICS)
    unknown = [t for t in topics if t not in TOPICS]
    if unknown:
        raise click.UsageError(f"unknown topic(s) {unknown}; topics are {', '.join(TOPICS)}")
    have_torch = torch_available() if with_torch is None else with_torch
    results = run_all(topics, with_torch=have_torch)
    ok = all(r.passed for r in results) and bool(results)
    if as_json:
        click.echo(json.dumps({
            "schema_version": 1, "passed": ok, "torch": have_torch,
            "results": [{"formula": r.formula, "kind": r.kind, "what": r.what, "passed": r.passed,
                         "max_abs_error": r.error if math.isfinite(r.error) else None,
                         "message": r.message, "seconds": round(r.seconds, 4)} for r in results],
        }, indent=2))
        return 0 if ok else 1
    rows: dict[str, dict[str, list]] = {}
    for r in results:
        rows.setdefault(r.formula, {}).setdefault(r.kind, []).append(r)
    width = max([len(f) for f in rows] + [7])
    click.echo(f"{'formula':<{width}}  {'symbolic':<9} {'torch':<9} max abs error")
    for formula, kinds in rows.items():
        cells, errs = [], []
        for kind in ("symbolic", "torch"):
            rs = kinds.get(kind, [])
            if not rs:
                cells.append("-" if kind == "symbolic" or have_torch else "skipped")
                continue
            good = all(r.passed for r in rs)
            cells.append(click.style("pass", fg="green") + " " * 5 if good else click.style("FAIL", fg="red") + " " * 5)
            errs += [r.error for r in rs]
        err = max(errs) if errs else float("nan")
        click.echo(f"{formula:<{width}}  {cells[0]:<9} {cells[1]:<9} {err:.2e}" if math.isfinite(err) else f"{formula:<{width}}  {cells[0]:<9} {cells[1]:<9} -")
        for kind in ("symbolic", "torch"):
            for r in kinds.get(kind, []):
                if not r.passed:
                    click.echo(click.style(f"    {kind}: {r.what}: {r.message}", fg="red"))
    n_fail = sum(not r.passed for r in results)
    click.echo(f"\n{len(results)} verifications over {len(rows)} formulas and facts: "
               + (click.style("all agree", fg="green") if ok else click.style(f"{n_fail} disagree", fg="red")))
    if not have_torch:
        click.echo(TORCH_HINT)
    return 0 if ok else 1

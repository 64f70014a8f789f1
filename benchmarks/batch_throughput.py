"""Throughput of `dlgrade batch`: whole-process wall time for a class of generated submissions.

    python benchmarks/batch_throughput.py [--count 1000] [--jobs 1,2] [--assignment activations]

1. Writes --count submissions into a temp folder: copies of the assignment's
   examples/correct.py and examples/buggy_*.py in turn, each with a unique
   comment so that every content hash differs (no two share a result).
2. For each --jobs value, runs `python -m dlgrade batch ASSIGNMENT SUBS --out
   FRESH_DIR --jobs N` as a new process and times it (discovery, grading,
   gradebook, summary and plots included).
3. Prints wall time, submissions per minute and the speedup over the first
   --jobs value, and checks that every student got a result.

The target (DESIGN.md): 1,000 submissions of one assignment in under
10 minutes on 2 cores. Run it on an idle machine; it takes minutes at 1,000.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path


def generate(assignment: str, count: int, folder: Path) -> dict[str, int]:
    from dlgrade.assignments.manifest import load

    a = load(assignment)
    sources = [a.examples / "correct.py"] + sorted(a.examples.glob("buggy_*.py"))
    texts = [(p.stem, p.read_text(encoding="utf-8")) for p in sources]
    mix: dict[str, int] = {}
    folder.mkdir(parents=True)
    for i in range(count):
        stem, text = texts[i % len(texts)]
        (folder / f"student{i:05d}.py").write_text(f"{text}\n# submission {i} ({stem}) {uuid.uuid4().hex}\n", encoding="utf-8")
        mix[stem] = mix.get(stem, 0) + 1
    return mix


def run(assignment: str, subs: Path, out: Path, jobs: int) -> dict:
    cmd = [sys.executable, "-m", "dlgrade", "batch", assignment, str(subs), "--out", str(out), "--jobs", str(jobs)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"dlgrade batch failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    summary = json.loads((out / "summary.json").read_text())
    return {"jobs": jobs, "wall_s": wall, "results": len(list((out / "results").glob("*.json"))),
            "errors": summary["errors"], "mean_percent": summary["mean_percent"], "line": proc.stdout.strip()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=1000, help="submissions to generate (default 1000)")
    ap.add_argument("--jobs", default="1,2", help="comma-separated --jobs values to time (default 1,2)")
    ap.add_argument("--assignment", default="activations")
    ap.add_argument("--keep", action="store_true", help="keep the temp folder (submissions and outputs)")
    args = ap.parse_args()
    jobs = [int(j) for j in args.jobs.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="dlgrade-bench-"))
    try:
        mix = generate(args.assignment, args.count, tmp / "subs")
        print(f"{args.count} submissions of {args.assignment}: " + ", ".join(f"{k} x{v}" for k, v in mix.items()))
        rows = []
        for j in jobs:
            row = run(args.assignment, tmp / "subs", tmp / f"out-jobs{j}", j)
            rows.append(row)
            print(f"  --jobs {j}: {row['line']}", flush=True)
        base = rows[0]["wall_s"]
        print(f"\n{'jobs':>4}  {'wall time':>10}  {'subs/min':>9}  {'speedup':>7}  {'results':>7}  {'errors':>6}  {'mean %':>6}")
        for r in rows:
            print(f"{r['jobs']:>4}  {r['wall_s']:>9.1f}s  {60 * args.count / r['wall_s']:>9.1f}  {base / r['wall_s']:>6.2f}x  "
                  f"{r['results']:>7}  {r['errors']:>6}  {r['mean_percent']:>6.2f}")
        if any(r["results"] != args.count for r in rows):
            raise SystemExit("some students have no result")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

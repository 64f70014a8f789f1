"""Whole-process wall time of `dlgrade check`, and the child protocol's per-call overhead.

    python benchmarks/check_time.py [--runs 9] [--assignment activations]

1. Runs `dlgrade check ASSIGNMENT examples/correct.py --format json` as a new
   process --runs times and reports the median and the spread (the target:
   under 2 s median for activations on a 2-core machine).
2. Starts one sandbox on a tiny module and measures the round trip of a call
   with a small array, a call_many of 100 small calls, and an 8 MB array,
   as medians over repeats.

Numbers depend on the machine's load; run it on an idle machine and report
the median, not the minimum.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def whole_process(assignment: str, runs: int) -> dict:
    from dlgrade.assignments.manifest import load

    a = load(assignment)
    target = a.examples / "correct.py"
    times, score = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "dlgrade", "check", assignment, str(target), "--format", "json"],
                              capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        result = json.loads(proc.stdout)
        score = (result["score"], result["max_score"])
    return {"runs": runs, "median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "score": score}


def protocol(repeats: int = 200) -> dict:
    from dlgrade.grader.sandbox import Limits, Sandbox
    from dlgrade.grader.submission import load_submission

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mod.py"
        path.write_text("def ident(x):\n    return x\n")
        t0 = time.perf_counter()
        box = Sandbox(load_submission(path, "mod"), ["ident"], Limits())
        box.start()
        start = time.perf_counter() - t0
        try:
            small = np.arange(10.0)
            rt = []
            for _ in range(repeats):
                t = time.perf_counter()
                box.call("ident", (small,))
                rt.append(time.perf_counter() - t)
            many = []
            for _ in range(20):
                t = time.perf_counter()
                box.call_many("ident", [((small,), {})] * 100)
                many.append(time.perf_counter() - t)
            big = np.random.default_rng(0).normal(size=1_000_000)
            bigt = []
            for _ in range(5):
                t = time.perf_counter()
                box.call("ident", (big,))
                bigt.append(time.perf_counter() - t)
        finally:
            box.close()
    return {"sandbox_start_s": start, "round_trip_small_us": 1e6 * statistics.median(rt),
            "call_many_100_ms": 1e3 * statistics.median(many), "round_trip_8MB_ms": 1e3 * statistics.median(bigt)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--assignment", default="activations")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    w = whole_process(args.assignment, args.runs)
    print(f"dlgrade check {args.assignment} (correct example), whole process, {w['runs']} runs: "
          f"median {w['median_s']:.2f} s (min {w['min_s']:.2f}, max {w['max_s']:.2f}); score {w['score'][0]:g}/{w['score'][1]:g}")
    p = protocol()
    print(f"sandbox start {p['sandbox_start_s'] * 1e3:.0f} ms; round trip (10 floats) {p['round_trip_small_us']:.0f} us; "
          f"call_many x100 {p['call_many_100_ms']:.1f} ms; round trip 8 MB {p['round_trip_8MB_ms']:.1f} ms")


if __name__ == "__main__":
    main()

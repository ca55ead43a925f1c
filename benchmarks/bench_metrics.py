"""Benchmark `opsbook metrics` against `opsbook validate` on the same knowledge base (issue 13).

    python benchmarks/bench_metrics.py                  # full size (10,000 incidents); generates a KB first
    python benchmarks/bench_metrics.py --kb /tmp/kb     # an existing knowledge base (generate_kb.py)
    python benchmarks/bench_metrics.py --scale 0.1 --runs 3

Each run is a separate process, as people run the commands: `opsbook validate`,
`opsbook metrics` with the default window (90 days), and `opsbook metrics` over
a year by month (`--from/--to --by month`), all with `--now` at the generated
knowledge base's instant. The commands take turns run by run, so a busy spell
on a shared machine slows every side of a ratio alike. Reported: the median of
each command, and metrics / validate; the issue's target is 1.3 or less.

Results: a table on stdout and benchmarks/out/metrics.json.
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

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
NOW = "2026-11-20T15:00:00Z"
TARGET = 1.3


def commands(kb: Path) -> dict[str, list[str]]:
    base = [sys.executable, "-m", "opsbook", "--root", str(kb)]
    return {
        "validate": [*base, "validate", "--now", NOW],
        "metrics (90 days)": [*base, "metrics", "--now", NOW, "--json"],
        "metrics (a year, by month)": [*base, "metrics", "--now", NOW, "--from", "2025-11-20", "--to", "2026-11-20",
                                       "--by", "month", "--json"],
    }


def timed(argv: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):  # validate exits 1 on findings; anything else is a failure
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, help="an existing knowledge base (default: generate one)")
    parser.add_argument("--scale", type=float, default=1.0, help="size when generating (1.0 = 10,000 incidents)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()

    kb = args.kb
    if kb is None:
        sys.path.insert(0, str(HERE))
        from generate_kb import generate, scaled

        kb = Path(tempfile.mkdtemp(prefix="bench-metrics-")) / "kb"
        print(f"generating a knowledge base at scale {args.scale} in {kb} ...", file=sys.stderr)
        generate(kb, seed=1, warn_fraction=0.02, **scaled(args.scale))
    incidents = sum(1 for _ in (kb / "incidents").glob("*.yaml"))
    runs: dict[str, list[float]] = {name: [] for name in commands(kb)}
    for round_number in range(args.warmup + args.runs):
        for name, argv in commands(kb).items():
            elapsed, _ = timed(argv)
            if round_number >= args.warmup:
                runs[name].append(elapsed)
    medians = {name: statistics.median(values) for name, values in runs.items()}
    base = medians["validate"]
    print(f"{incidents} incidents, {args.runs} runs each (median seconds; ratio to validate; target <= {TARGET})")
    for name, value in medians.items():
        ratio = value / base
        mark = "" if name == "validate" else ("  ok" if ratio <= TARGET else "  OVER TARGET")
        print(f"  {name:<28} {value:7.2f} s  {ratio:5.2f}x{mark}")
    OUT.mkdir(exist_ok=True)
    (OUT / "metrics.json").write_text(json.dumps({
        "kb": str(kb), "incidents": incidents, "runs": runs, "median_seconds": medians,
        "ratio_to_validate": {name: value / base for name, value in medians.items()}, "target": TARGET,
    }, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

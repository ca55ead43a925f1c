"""Benchmark `opsbook diff` against `opsbook validate` on the large synthetic knowledge base.

    python benchmarks/bench_diff.py                 # full size, 3 runs each
    python benchmarks/bench_diff.py --scale 0.1     # a quick smaller run

The knowledge base of benchmarks/generate_kb.py is committed to a fresh git
repository (commit 1); a policy change is committed on top (commit 2): one
schedule's turn length, one severity level's acknowledgement target, one
service's tier. Measured, each in a fresh subprocess, sides taking turns:

* `opsbook validate` of the working tree (= commit 2);
* `opsbook diff HEAD~1 HEAD` (both sides read from git objects);
* `opsbook diff HEAD~1` (HEAD is the working tree).

Reported: medians and the ratio of each diff to validate (target: 2.5x or less).
Results: a table on stdout and benchmarks/out/diff.json.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

from generate_kb import NOW_TEXT, generate, scaled  # noqa: E402

TARGET = 2.5
PY = sys.executable


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args], cwd=root,
                          check=True, capture_output=True, text=True).stdout


def _change(root: Path) -> None:
    """A policy change a pull request might make."""
    schedule = sorted((root / "schedules").glob("*.yaml"))
    schedule = next(p for p in schedule if p.name not in ("people.yaml", "escalation.yaml"))
    text = schedule.read_text()
    # The last layer's length: a later layer wins, so an earlier one may be shadowed.
    found = list(re.finditer(r"length: (\S+)", text))[-1]
    schedule.write_text(text[:found.start()] + ("length: 2w" if found.group(1) != "2w" else "length: 1w")
                        + text[found.end():])
    severity = root / "playbooks/severity.yaml"
    text = severity.read_text()
    found = re.search(r"ack_within: (\S+)", text)
    severity.write_text(text.replace(found.group(0), "ack_within: 2m" if found.group(1) != "2m" else "ack_within: 3m", 1))
    config = root / "opsbook.yaml"
    text = config.read_text()
    found = re.search(r"tier: (\d)", text)
    config.write_text(text.replace(found.group(0), f"tier: {1 if found.group(1) != '1' else 2}", 1))


def _time(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child and its git processes): on a shared
    machine the CPU time is the steadier of the two."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--out", type=Path, default=OUT / "diff.json")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = (args.keep or Path(tmp) / "kb").resolve()
        stats = generate(root, **scaled(args.scale))
        _git(root, "init", "-q", "-b", "main")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "generated")
        _change(root)
        _git(root, "commit", "-q", "-am", "a policy change")
        base = [PY, "-m", "opsbook", "--root", str(root)]
        commands = {
            "validate": base + ["validate", "--now", NOW_TEXT],
            "diff HEAD~1 HEAD": base + ["diff", "HEAD~1", "HEAD", "--now", NOW_TEXT, "--json"],
            "diff HEAD~1 (working tree)": base + ["diff", "HEAD~1", "--now", NOW_TEXT, "--json"],
        }
        check = subprocess.run(commands["diff HEAD~1 HEAD"], capture_output=True, text=True, check=True)
        summary = json.loads(check.stdout)["summary"]
        for cmd in commands.values():  # warm the page cache and the bytecode
            _time(cmd)
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                wall, used = _time(cmd)
                times[name].append(wall)
                cpu[name].append(used)
    medians = {name: statistics.median(values) for name, values in times.items()}
    cpu_medians = {name: statistics.median(values) for name, values in cpu.items()}
    results = {"scale": args.scale, "kb": stats, "now": NOW_TEXT, "target_ratio": TARGET, "runs": times,
               "cpu_runs": cpu, "median_seconds": medians, "median_cpu_seconds": cpu_medians,
               "summary_of_the_change": summary,
               "ratios": {name: medians[name] / medians["validate"] for name in commands if name != "validate"},
               "cpu_ratios": {name: cpu_medians[name] / cpu_medians["validate"]
                              for name in commands if name != "validate"}}
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"{'command':32} {'wall s':>8} {'ratio':>7} {'cpu s':>8} {'ratio':>7}")
    for name in commands:
        print(f"{name:32} {medians[name]:8.2f} {medians[name] / medians['validate']:6.2f}x "
              f"{cpu_medians[name]:8.2f} {cpu_medians[name] / cpu_medians['validate']:6.2f}x")
    print(f"the change, as the diff reads it: {'; '.join(summary)}")
    worst = max(results["ratios"].values())
    print(f"target {TARGET}x (wall): {'met' if worst <= TARGET else 'NOT met'} (worst {worst:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Issue 8 (bounded work): `opsbook oncall now` must not pay for how far the data reaches.

Copies the example knowledge base (this repository's opsbook.yaml, schedules/,
playbooks/, ...) to a temporary folder and times

    opsbook --root COPY oncall now --now 2026-11-20T15:00Z

as written ("baseline") and with one override added to schedules/payments.yaml
that started before now and ends far in the future: in 2999 ("ends 2999") and
in 2226 ("ends 2226", a typo for 2026). The override holds the primary role, so
the answer and the next change (the backup's weekly handoff) are found exactly
as quickly as without it, if the engine does not walk the turns up to the
override's end. The target is a ratio of at most 1.5x for both.

Two measurements per variant, taking turns (baseline, 2999, 2226, baseline, ...)
so that a busy spell on a shared machine slows every variant alike:

- the command in a fresh process (what a responder waits for, start-up included);
- the engine alone in this process (`state_at` for every schedule), which is what
  the far override could make slow, without the ~0.5 s of interpreter start-up
  that hides it in the first number.

    python benchmarks/bench_oncall_now.py [--runs 5] [--engine-runs 50] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOW = "2026-11-20T15:00Z"
CONTENT = ("opsbook.yaml", "schedules", "playbooks", "incidents", "postmortems", "runbooks", "status")
VARIANTS = {
    "baseline": None,
    "ends 2999": "2999-12-31T09:00",
    "ends 2226": "2226-11-30T09:00",
}
LIMIT = 1.5


def make_copy(dest: Path, end: str | None) -> Path:
    dest.mkdir(parents=True)
    for name in CONTENT:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name)
        elif source.exists():
            shutil.copy2(source, dest / name)
    if end is not None:
        schedule = dest / "schedules" / "payments.yaml"
        text = schedule.read_text(encoding="utf-8").rstrip("\n")
        schedule.write_text(text + f'\n  - {{role: primary, person: oliver, start: 2026-11-16T09:00, end: {end}, '
                            'reason: "far-future end"}\n', encoding="utf-8")
    return dest


def command(root: Path) -> list[str]:
    return [sys.executable, "-m", "opsbook", "--root", str(root), "oncall", "now", "--now", NOW]


def time_process(root: Path) -> float:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    began = time.perf_counter()
    result = subprocess.run(command(root), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
                            timeout=120)
    elapsed = time.perf_counter() - began
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command(root))} failed ({result.returncode}): {result.stderr}")
    return elapsed


def engine_timer(root: Path):
    from opsbook.load import load
    from opsbook.oncall.engine import state_at

    kb, _ = load(root)
    at = datetime.fromisoformat(NOW.replace("Z", "+00:00")).astimezone(timezone.utc)

    def run() -> tuple[float, list]:
        began = time.perf_counter()
        answers = [state_at(schedule, at) for schedule in kb.schedule_list]
        return time.perf_counter() - began, answers

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed processes per variant (after one warm-up)")
    parser.add_argument("--engine-runs", type=int, default=50, help="in-process engine runs per variant")
    parser.add_argument("--keep", type=Path, help="make the copies under this folder and keep them")
    args = parser.parse_args()

    base = args.keep or Path(tempfile.mkdtemp(prefix="opsbook-bench-now-"))
    try:
        roots = {name: make_copy(base / name.replace(" ", "-"), end) for name, end in VARIANTS.items()}
        process: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for name, root in roots.items():
            time_process(root)  # warm-up: bytecode, page cache
        for _ in range(args.runs):
            for name, root in roots.items():
                process[name].append(time_process(root))

        timers = {name: engine_timer(root) for name, root in roots.items()}
        engine: dict[str, list[float]] = {name: [] for name in VARIANTS}
        answers = {}
        for name, run in timers.items():
            _, answers[name] = run()  # warm-up: zone caches
        for _ in range(args.engine_runs):
            for name, run in timers.items():
                engine[name].append(run()[0])
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)

    print(f"opsbook oncall now --now {NOW} on the example knowledge base "
          f"({args.runs} processes and {args.engine_runs} engine runs per variant, medians)")
    print(f"{'variant':<11} {'process':>10} {'ratio':>7} {'engine':>10} {'ratio':>7}  payments answer")
    base_p, base_e = statistics.median(process["baseline"]), statistics.median(engine["baseline"])
    worst = 1.0
    for name in VARIANTS:
        p, e = statistics.median(process[name]), statistics.median(engine[name])
        worst = max(worst, p / base_p, e / base_e)
        state = next(s for s in answers[name] if s.schedule == "payments")
        print(f"{name:<11} {p * 1000:8.1f} ms {p / base_p:6.2f}x {e * 1000:8.2f} ms {e / base_e:6.2f}x  "
              f"primary {state.primary}, backup {state.backup}, changes {state.next_handoff:%Y-%m-%d %H:%M}Z")
    verdict = "within" if worst <= LIMIT else "OVER"
    print(f"worst ratio {worst:.2f}x: {verdict} the {LIMIT}x budget")
    if worst > LIMIT:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

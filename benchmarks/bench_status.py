"""Benchmark the status site build (issue #5) on 10,000 incidents of history.

    python benchmarks/bench_status.py                  # 1,250 / 2,500 / 5,000 / 10,000 incidents
    python benchmarks/bench_status.py --sizes 500,1000 --runs 1

Builds a knowledge base in memory (the example's page, severities and
organisation, plus N synthetic public incidents spread over the years before
``now``, a third of them overlapping another), then times the two stages of
`opsbook status build` apart from loading files: the public projection plus
engines and writers (``build_site``), and writing the files to a fresh folder.
Reports time, files and bytes per size, and the ratio of each to the smallest
size over the ratio of incident counts: near 1.0 means linear growth.

Results: a table on stdout and benchmarks/out/status.json.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"

STATUSES = ("degraded_performance", "partial_outage", "major_outage")


def synthetic_kb(count: int, seed: int = 1):
    from opsbook.load import load
    from opsbook.model.incident import Incident

    kb, _ = load(REPO)
    now = kb.config.as_of
    rng = random.Random(seed)
    components = [c.id for c in kb.status.components]
    incidents = []
    # About 3 incidents a day, newest ending before now: 10,000 is ~9 years of history.
    for n in range(count):
        start = now - timedelta(hours=8 * (count - n) + rng.randint(0, 12))
        affected = rng.sample(components, rng.randint(1, 3))
        steps = [(start, "investigating"), (start + timedelta(minutes=rng.randint(10, 60)), "identified"),
                 (start + timedelta(minutes=rng.randint(70, 180)), "monitoring"),
                 (start + timedelta(minutes=rng.randint(190, 600)), "resolved")]
        updates = [{"at": at.isoformat(), "status": stage, "message": f"Update {i} on incident {n}: " + "x" * 160,
                    "components": {c: ("operational" if stage in ("monitoring", "resolved") else rng.choice(STATUSES))
                                   for c in affected}} for i, (at, stage) in enumerate(steps)]
        incidents.append(Incident.model_validate({
            "id": f"INC-{start.year}-{n:05d}", "title": f"Synthetic incident {n} <b>&</b>", "severity": "SEV2",
            "status": "resolved", "declared": start.isoformat(), "resolved": steps[-1][0].isoformat(),
            "public": True, "impact": rng.choice(["minor", "major"]), "updates": updates,
            "timeline": [{"at": start.isoformat(), "text": "internal note"}]}))
    return replace(kb, incident_list=tuple(incidents)), now


def measure(count: int, runs: int) -> dict:
    from opsbook.statuspage.public import public_page
    from opsbook.statuspage.site import build_site

    kb, now = synthetic_kb(count)
    build_times, write_times = [], []
    for _ in range(runs):
        started = time.perf_counter()
        files = build_site(public_page(kb, now))
        build_times.append(time.perf_counter() - started)
        folder = Path(tempfile.mkdtemp(prefix="bench-status-"))
        started = time.perf_counter()
        for path, content in files.items():
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        write_times.append(time.perf_counter() - started)
        shutil.rmtree(folder)
    size = sum(len(c.encode("utf-8") if isinstance(c, str) else c) for c in files.values())
    return {"incidents": count, "build_s": statistics.median(build_times), "write_s": statistics.median(write_times),
            "files": len(files), "bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1250,2500,5000,10000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    results = [measure(int(size), args.runs) for size in args.sizes.split(",")]
    base = results[0]
    print(f"{'incidents':>9} {'build s':>8} {'write s':>8} {'files':>7} {'MiB':>7} {'time/lin':>8} {'size/lin':>8}")
    for row in results:
        scale = row["incidents"] / base["incidents"]
        row["time_vs_linear"] = (row["build_s"] + row["write_s"]) / (base["build_s"] + base["write_s"]) / scale
        row["size_vs_linear"] = row["bytes"] / base["bytes"] / scale
        print(f"{row['incidents']:>9} {row['build_s']:>8.2f} {row['write_s']:>8.2f} {row['files']:>7} "
              f"{row['bytes'] / 2**20:>7.1f} {row['time_vs_linear']:>8.2f} {row['size_vs_linear']:>8.2f}")
    OUT.mkdir(exist_ok=True)
    (OUT / "status.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

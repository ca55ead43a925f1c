"""Issue 4 (incident lifecycle): how the lifecycle commands scale. A script, not a test.

Measures, in a temporary copy of a minimal knowledge base:
- declaring N incidents in a row (each scans incidents/ for the next number);
- one `incident note` on a record that already holds M timeline entries
  (a ruamel.yaml load and two dumps, the splice into the original lines, and
  validation before the write);
- `opsbook validate` time spent in the OB5xx rules over P generated postmortems.

    python benchmarks/bench_incidents.py [--incidents 300] [--entries 2000] [--postmortems 2000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=300)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--postmortems", type=int, default=2000)
    args = parser.parse_args()

    from conftest import make_kb  # the tests' minimal knowledge base

    from opsbook.check import postmortems as rules
    from opsbook.check.registry import Context
    from opsbook.incidents.lifecycle import Change, declare, record
    from opsbook.load import load

    with tempfile.TemporaryDirectory() as tmp:
        root = make_kb(Path(tmp))
        kb, _ = load(root)
        start = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
        t0 = time.perf_counter()
        for i in range(args.incidents):
            declare(kb, f"Incident {i}", "SEV3", [], None, start + timedelta(minutes=i))
        declared = time.perf_counter() - t0
        print(f"declare: {args.incidents} incidents in {declared:.2f} s ({1000 * declared / args.incidents:.1f} ms each)")

        big = root / "incidents" / "INC-2026-002.yaml"
        lines = big.read_text().rstrip("\n").split("\n")
        lines += [f'  - {{at: {(start + timedelta(seconds=i)).isoformat().replace("+00:00", "Z")}, text: "entry {i}"}}'
                  for i in range(1, args.entries)]
        big.write_text("\n".join(lines) + "\n")
        kb, _ = load(root)
        incident = kb.incidents["INC-2026-002"]
        t0 = time.perf_counter()
        record(kb, incident, Change(at=start + timedelta(days=1), note="one more"))
        print(f"note on a record with {args.entries} timeline entries: {time.perf_counter() - t0:.2f} s")

        folder = root / "postmortems" / "gen"
        folder.mkdir(parents=True)
        text = (root / "postmortems/2026/2026-03-14-card-payments.md").read_text()
        body = "\n\n## Root cause\n\nThe pool had no timeout; the retry storm did the rest.\n" * 3
        for i in range(args.postmortems):
            (folder / f"pm-{i}.md").write_text(text.replace("AI-1,", f"AI-{i}x1,").replace("AI-2,", f"AI-{i}x2,")
                                               + body)
        kb, _ = load(root)
        ctx = Context(kb, start)
        t0 = time.perf_counter()
        found = 0
        for check in (rules.action_items_overdue, rules.action_item_count, rules.blameful_language,
                      rules.root_cause_unknown, rules.person_in_root_cause):
            found += sum(1 for _ in check(ctx))
        elapsed = time.perf_counter() - t0
        print(f"OB501-OB506 over {args.postmortems} postmortems: {elapsed:.2f} s ({found} findings)")


if __name__ == "__main__":
    main()

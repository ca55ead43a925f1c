"""Issue #3 benchmark: every ICS feed for 200 schedules, over 1 year and 2 years.

Builds a synthetic knowledge base in memory (200 schedules mixing weekly 24/7,
follow-the-sun and business-hours layers with overrides, 800 people), then
times `opsbook.oncall.ics.all_feeds` over a window W and 2W. The ratio shows
the cost grows linearly with the window (about 2x for 2x).

    python benchmarks/bench_ics.py [--schedules 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from opsbook.model.kb import KnowledgeBase
from opsbook.model.org import OrgConfig
from opsbook.model.people import PeopleFile
from opsbook.model.schedule import Schedule
from opsbook.oncall.ics import all_feeds
from opsbook.timeutil import get_zone

ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC", "Asia/Singapore"]
START = datetime(2027, 1, 1, tzinfo=timezone.utc)


def synthetic_kb(count: int) -> KnowledgeBase:
    people = [{"id": f"p{i}", "name": f"Person {i}", "timezone": ZONES[i % len(ZONES)]} for i in range(count * 4)]
    schedules = []
    for n in range(count):
        members = [f"p{4 * n + k}" for k in range(4)]
        kind = n % 3
        if kind == 0:  # weekly 24/7
            layers = [{"name": "weekly", "members": members, "start": "2026-01-05T09:00", "length": "1w"}]
        elif kind == 1:  # follow-the-sun, three daily windows
            layers = [{"name": f"l{k}", "members": members[k:k + 2] or members[:2], "start": "2026-01-05T00:00",
                       "length": "1w", "restrict": [{"from": f"{8 * k:02d}:00", "to": f"{8 * k + 8:02d}:00"}]}
                      for k in range(3)]
        else:  # business hours plus a weekly base
            layers = [{"name": "base", "members": members, "start": "2026-01-05T09:00", "length": "1w"},
                      {"name": "day", "members": members[::-1], "start": "2026-01-05T09:00", "length": "1d",
                       "restrict": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "17:30"}]}]
        overrides = [{"role": "primary", "person": members[(k + 1) % 4],
                      "start": (START + timedelta(days=30 * k + n % 7)).isoformat(),
                      "end": (START + timedelta(days=30 * k + n % 7, hours=36)).isoformat()} for k in range(24)]
        zone = ZONES[n % len(ZONES)]
        model = Schedule.model_validate({"name": f"Schedule {n}", "timezone": zone, "coverage": "24/7",
                                         "layers": layers, "overrides": overrides}, context={"zone": get_zone(zone)})
        model._file = Path(f"schedules/s{n}.yaml")
        schedules.append(model)
    return KnowledgeBase(root=Path("."), config=OrgConfig(name="Bench"),
                         people_file=PeopleFile(people=people), schedule_list=tuple(schedules))


def timed(kb: KnowledgeBase, days: int, repeat: int) -> tuple[float, int, int]:
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        feeds = all_feeds(kb, START, START + timedelta(days=days), START)
        best = min(best, time.perf_counter() - began)
    events = sum(f.count(b"BEGIN:VEVENT") for name, f in feeds.items() if not name.startswith("people/"))
    return best, len(feeds), events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    kb = synthetic_kb(args.schedules)
    one, feeds, events1 = timed(kb, 365, args.repeat)
    two, _, events2 = timed(kb, 730, args.repeat)
    print(f"{args.schedules} schedules, {feeds} feeds (schedules + people), best of {args.repeat}")
    print(f"  1 year : {one:6.2f} s  {events1:7d} shift events")
    print(f"  2 years: {two:6.2f} s  {events2:7d} shift events")
    print(f"  2x window -> {two / one:.2f}x time, {events2 / events1:.2f}x events")


if __name__ == "__main__":
    main()

"""Property: for random PagerDuty layer sets, the imported schedule's shifts equal a direct,
independent evaluation of PagerDuty's layer rules, written here without opsbook's engine.

The rules evaluated (PagerDuty REST v2, "Schedule Basics"): layers are listed highest first and
the highest layer active at an instant is on call; a layer is active from its ``start``, until its
``end`` (when it has one), and only inside its restrictions (daily: every day from ``start_time_of_day`` for ``duration_seconds``;
weekly: from ``start_day_of_week`` (1 = Monday) at that time for that long, across midnight and
days); turn ``k`` starts at the wall-clock time ``rotation_virtual_start + k * turn`` in the
schedule's zone and belongs to ``users[k mod n]``. Wall-clock times in a spring-forward gap mean
the first instant after the gap; ambiguous ones their first occurrence.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsbook.importers import pagerduty
from opsbook.importers.mapping import Context, map_schedule
from opsbook.importers.source import Source

UTC = timezone.utc
ZONES = ["UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe"]
USERS = ["PA", "PB", "PC", "PD"]
CUT = datetime(2026, 3, 1, tzinfo=UTC)


def wall_to_instant(naive: datetime, zone: ZoneInfo) -> datetime:
    """Independent of opsbook.timeutil: gap -> first instant after it; fold -> first occurrence."""
    first = naive.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive:
        return first.astimezone(UTC)
    lo = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    hi = first.astimezone(UTC)
    lo, hi = min(lo, hi), max(lo, hi)
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(zone).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0)


def pd_on_call(layers: list[dict], zone: ZoneInfo, t: datetime) -> str | None:
    local = t.astimezone(zone).replace(tzinfo=None)
    for layer in layers:  # highest first, as the API lists them
        if t < datetime.fromisoformat(layer["start"]):
            continue
        if layer["end"] is not None and t >= datetime.fromisoformat(layer["end"]):
            continue
        if layer["restrictions"]:
            active = False
            for r in layer["restrictions"]:
                h, m, s = (int(x) for x in r["start_time_of_day"].split(":"))
                for back in range(0, 9):
                    day = (local - timedelta(days=back)).date()
                    if r["type"] == "weekly_restriction" and day.isoweekday() != r["start_day_of_week"]:
                        continue
                    begin = datetime(day.year, day.month, day.day, h, m, s)
                    end = begin + timedelta(seconds=r["duration_seconds"])
                    if wall_to_instant(begin, zone) <= t < wall_to_instant(end, zone):
                        active = True
                        break
                if active:
                    break
            if not active:
                continue
        anchor = datetime.fromisoformat(layer["rotation_virtual_start"]).astimezone(zone).replace(tzinfo=None)
        turn = timedelta(seconds=layer["rotation_turn_length_seconds"])
        k = (local - anchor) // turn + 2
        while wall_to_instant(anchor + k * turn, zone) > t:
            k -= 1
        users = layer["users"]
        return users[k % len(users)]["user"]["id"]
    return None


restriction = st.one_of(
    st.builds(lambda tod, dur: {"type": "daily_restriction", "start_time_of_day": tod, "duration_seconds": dur},
              st.integers(0, 1439).map(lambda m: f"{m // 60:02d}:{m % 60:02d}:00"),
              st.integers(1, 1440).map(lambda m: m * 60)),
    st.builds(lambda day, tod, dur: {"type": "weekly_restriction", "start_day_of_week": day,
                                     "start_time_of_day": tod, "duration_seconds": dur},
              st.integers(1, 7), st.integers(0, 1439).map(lambda m: f"{m // 60:02d}:{m % 60:02d}:00"),
              st.integers(1, 7 * 1440).map(lambda m: m * 60)),
)


@st.composite
def layer(draw, index: int):
    # Any whole number of minutes from 15 (opsbook's shortest turn), and the common lengths.
    turn_minutes = draw(st.one_of(st.sampled_from([60, 90, 750, 720, 1440, 2160, 10080, 20160]),
                                  st.integers(15, 3 * 1440)))
    anchor = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 80 * 1440)))
    # `start` (coverage) differs from `rotation_virtual_start` (the turns' anchor): after it, in the
    # middle of a turn or at a handoff, and before or after the cut-over.
    start = anchor + timedelta(minutes=draw(st.one_of(st.integers(0, 30 * 1440),
                                                      st.integers(0, 6).map(lambda k: k * turn_minutes))))
    start = min(start, CUT + timedelta(days=draw(st.integers(0, 10))))
    end = draw(st.one_of(st.none(), st.integers(1, 20 * 1440).map(lambda m: start + timedelta(minutes=m))))
    users = draw(st.lists(st.sampled_from(USERS), min_size=1, max_size=4))
    return {"id": f"L{index}", "name": f"Layer {index}", "start": start.isoformat(),
            "end": end.isoformat() if end is not None else None,
            "rotation_virtual_start": anchor.isoformat(), "rotation_turn_length_seconds": turn_minutes * 60,
            "users": [{"user": {"id": u}} for u in users],
            "restrictions": draw(st.lists(restriction, max_size=2))}


@st.composite
def schedules(draw):
    count = draw(st.integers(1, 3))
    return draw(st.sampled_from(ZONES)), [draw(layer(i)) for i in range(count)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules(), st.integers(0, 6 * 24 * 60))
def test_imported_shifts_equal_pagerduty_rules(case, offset_minutes):
    from opsbook.model.schedule import Schedule
    from opsbook.oncall.engine import shifts_between
    from opsbook.timeutil import get_zone

    zone_name, layers = case
    data = {"schedule": {"id": "PS", "name": "S", "time_zone": zone_name, "schedule_layers": layers}}
    parsed = pagerduty.parse([Source("s.json", data)])
    ctx = Context("pagerduty", "PagerDuty", CUT, lambda vid: (vid.lower(), ""))
    mapped, problems = map_schedule(parsed.schedules[0], ctx)
    if mapped is None:
        # Every layer left out (ended before the cut-over, restrictions covering nothing), or an end or
        # start in the second occurrence of a repeated hour (Lord Howe's fall-back half hour), which a
        # wall-clock `from`/`end` cannot name: nothing to compare.
        assert problems and all("no layer is on call" in p.reason or "second occurrence" in p.reason
                                for p in problems), problems
        return
    schedule = Schedule.model_validate(mapped.data, context={"zone": get_zone(zone_name)})
    zone = ZoneInfo(zone_name)
    start = CUT + timedelta(minutes=offset_minutes)
    end = start + timedelta(days=9)
    shifts = shifts_between(schedule, start, end, role="primary")

    def ours(t):
        return next((s.person for s in shifts if s.start <= t < s.end), None)

    samples = {start + timedelta(minutes=37 * i) for i in range(int((end - start).total_seconds() // (37 * 60)))}
    for s in shifts:
        for t in (s.start, s.end - timedelta(seconds=1), s.end):
            if start <= t < end:
                samples.add(t)
    for t in sorted(samples):
        theirs = pd_on_call(layers, zone, t)
        assert ours(t) == (theirs.lower() if theirs else None), (t, zone_name)

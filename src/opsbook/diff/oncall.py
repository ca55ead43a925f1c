"""On call as consequences: the same window, before and after, through the engine.

Both revisions' schedules go through ``oncall.engine.shifts_between`` over
[now, now + N weeks); nothing here derives a rotation. What is compared:

* hours per person, primary and backup, shifts clipped to the window;
* nights: the hours 22:00-08:00 (the metrics' "sleep" hours) on the wall clock of
  the person's own zone (people.yaml), else the schedule's: a night is named by
  its evening's date and counts once for a person who holds the primary pager for
  any part of it; night hours are the primary hours inside such stretches;
* weekends: Saturday 00:00 to Monday 00:00 in the same zone; a weekend counts
  once for a person primary at any time in it; weekend hours likewise;
* stretches of a schedule's role held by another person after the change, or by
  nobody (a gap opened), or by someone where there was nobody (a gap closed),
  in the schedule's zone;
* someone holding roles on two schedules at once where they did not before.

A schedule whose file does not load on either side is left out of every number
(its hours would otherwise all read as lost or gained) and listed.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from opsbook import timeutil
from opsbook.diff.model import Change, DoublePager, Handover, OnCallDiff, PersonLoad
from opsbook.humanize import person_name
from opsbook.model.kb import KnowledgeBase
from opsbook.oncall.engine import ROLES, shifts_between
from opsbook.oncall.report import person_zone

UTC = timezone.utc
NIGHT_FROM, NIGHT_TO = 22, 8  # as metrics.definitions' sleep hours
DEFINITIONS = {
    "hours": "primary hours in the window (shifts from the rotation engine, clipped to it); backup apart",
    "night": "22:00-08:00 on the wall clock of the person's zone (people.yaml), else the schedule's; "
             "counted once for a person primary during any part of it",
    "weekend": "Saturday 00:00 to Monday 00:00 in the same zone; counted once for a person primary "
               "during any part of it",
    "times": "shown in each schedule's own zone",
}

Interval = tuple[datetime, datetime]


@dataclass
class _Load:
    zone: str = "UTC"
    hours: float = 0.0
    backup: float = 0.0
    night_hours: float = 0.0
    nights: set[date] = field(default_factory=set)
    weekend_hours: float = 0.0
    weekends: set[date] = field(default_factory=set)


def _hours(a: datetime, b: datetime) -> float:
    return max((b - a).total_seconds(), 0.0) / 3600


def _local_windows(start: datetime, end: datetime, zone, weekend: bool):
    """(label date, (window start, window end)) of the nights or weekends meeting [start, end),
    in UTC: two datetimes of one ZoneInfo zone subtract as wall clocks, which would make
    the night the clocks go back 10 hours instead of 11."""
    for label, (a, b) in _local_windows_in_zone(start, end, zone, weekend):
        yield label, (a.astimezone(UTC), b.astimezone(UTC))


def _local_windows_in_zone(start: datetime, end: datetime, zone, weekend: bool):
    day = start.astimezone(zone).date() - timedelta(days=2)
    last = end.astimezone(zone).date()
    while day <= last:
        if weekend:
            if day.weekday() == 5:
                yield day, (timeutil.to_aware(datetime.combine(day, time()), zone),
                            timeutil.to_aware(datetime.combine(day + timedelta(days=2), time()), zone))
        else:
            yield day, (timeutil.to_aware(datetime.combine(day, time(NIGHT_FROM)), zone),
                        timeutil.to_aware(datetime.combine(day + timedelta(days=1), time(NIGHT_TO)), zone))
        day += timedelta(days=1)


def _add_primary(row: _Load, start: datetime, end: datetime) -> None:
    zone = timeutil.get_zone(row.zone)
    row.hours += _hours(start, end)
    for weekend, (label, (a, b)) in [(w, item) for w in (False, True) for item in _local_windows(start, end, zone, w)]:
        overlap = _hours(max(a, start), min(b, end))
        if overlap <= 0:
            continue
        if weekend:
            row.weekend_hours += overlap
            row.weekends.add(label)
        else:
            row.night_hours += overlap
            row.nights.add(label)


@dataclass
class _Side:
    loads: dict[str, _Load]
    # schedule id -> role -> [(start, end, person)] clipped, by start
    held: dict[str, dict[str, list[tuple[datetime, datetime, str]]]]


def _side(kb: KnowledgeBase, schedule_ids: list[str], start: datetime, end: datetime,
          shifts: dict[str, list] | None = None) -> _Side:
    """One side's load per person and holders per schedule. ``shifts``: the engine's
    answer per schedule id, filled in here; given (from the other side) for the
    schedules whose definition is the same on both sides, it is used as it is."""
    loads: dict[str, _Load] = {}
    held: dict[str, dict[str, list]] = {}
    shifts = {} if shifts is None else shifts
    for ident in schedule_ids:
        schedule = kb.schedules[ident]
        held[ident] = {role: [] for role in ROLES}
        if ident not in shifts:
            shifts[ident] = shifts_between(schedule, start, end)
        for shift in shifts[ident]:
            a, b = max(shift.start, start), min(shift.end, end)
            if b <= a:
                continue
            held[ident][shift.role].append((a, b, shift.person))
            row = loads.setdefault(shift.person, _Load(zone=person_zone(kb, shift.person, schedule)))
            if shift.role == "primary":
                _add_primary(row, a, b)
            else:
                row.backup += _hours(a, b)
        for role in ROLES:
            held[ident][role].sort()
    return _Side(loads, held)


def _holder(items: list[tuple[datetime, datetime, str]], starts: list[datetime], at: datetime) -> str | None:
    k = bisect.bisect_right(starts, at) - 1
    return items[k][2] if k >= 0 and items[k][1] > at else None


def _handovers(old: list, new: list, start: datetime, end: datetime) -> list[tuple[datetime, datetime, str | None, str | None]]:
    """Stretches where the holder differs, merged while the (before, after) pair stays."""
    cuts = sorted({start, end, *(t for a, b, _ in old + new for t in (a, b))})
    old_starts, new_starts = [s[0] for s in old], [s[0] for s in new]
    out: list[list] = []
    for a, b in zip(cuts, cuts[1:]):
        before, after = _holder(old, old_starts, a), _holder(new, new_starts, a)
        if before == after:
            continue
        if out and out[-1][1] == a and out[-1][2] == before and out[-1][3] == after:
            out[-1][1] = b
        else:
            out.append([a, b, before, after])
    return [tuple(item) for item in out]


def _union(intervals: list[Interval]) -> list[Interval]:
    out: list[list] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _minus(these: list[Interval], those: list[Interval]) -> list[Interval]:
    out = []
    for a, b in these:
        pieces = [(a, b)]
        for c, d in those:
            pieces = [p for x, y in pieces for p in ((x, min(y, c)), (max(x, d), y)) if p[1] > p[0]]
        out += pieces
    return out


def _doubles(side: _Side) -> dict[str, list[Interval]]:
    """Per person, when they hold roles on two schedules or more at once."""
    by_person: dict[str, list[tuple[datetime, datetime, str]]] = {}
    for ident, roles in side.held.items():
        for items in roles.values():
            for a, b, person in items:
                by_person.setdefault(person, []).append((a, b, ident))
    out: dict[str, list[Interval]] = {}
    for person, items in by_person.items():
        events = sorted([(a, 1, s) for a, _, s in items] + [(b, -1, s) for _, b, s in items],
                        key=lambda e: (e[0], e[1]))
        count: dict[str, int] = {}
        found: list[Interval] = []
        opened = None
        for at, step, ident in events:
            count[ident] = count.get(ident, 0) + step
            active = sum(1 for c in count.values() if c > 0)
            if active >= 2 and opened is None:
                opened = at
            elif active < 2 and opened is not None:
                if at > opened:
                    found.append((opened, at))
                opened = None
        if found:
            out[person] = _union(found)
    return out


def _held_at(side: _Side, kb: KnowledgeBase, person: str, at: datetime) -> list[str]:
    out = []
    for ident, roles in side.held.items():
        for role, items in roles.items():
            if any(a <= at < b and who == person for a, b, who in items):
                out.append(f"{kb.schedules[ident].name} ({role})")
    return out


def _iso(at: datetime, zone: str) -> str:
    return at.astimezone(timeutil.get_zone(zone)).isoformat(timespec="minutes")


def compare(base: KnowledgeBase, head: KnowledgeBase, now: datetime, weeks: int) -> OnCallDiff:
    start = now.astimezone(UTC)
    end = start + timedelta(weeks=weeks)
    broken = {ident for kind, ident in base.broken_ids | head.broken_ids if kind == "schedule"}
    schedules_broken = "schedule" in base.broken or "schedule" in head.broken
    changes: list[Change] = []
    for ident in sorted(broken):
        changes.append(Change(kind="schedule", id=ident, name=ident, status="changed",
                              notes=["its file does not load on one side, so its on call is not compared "
                                     "(see validation)"]))
    old_ids = [i for i in base.schedules if i not in broken]
    new_ids = [i for i in head.schedules if i not in broken]
    for ident in new_ids:
        if ident not in base.schedules and not schedules_broken:
            changes.append(Change(kind="schedule", id=ident, name=head.schedules[ident].name, status="added"))
    for ident in old_ids:
        if ident not in head.schedules and not schedules_broken:
            changes.append(Change(kind="schedule", id=ident, name=base.schedules[ident].name, status="removed"))
    engine: dict[str, list] = {}
    old = _side(base, old_ids, start, end, engine)
    # A schedule the change left alone has the same shifts: the engine runs once for it.
    same = {ident: engine[ident] for ident in new_ids
            if ident in engine and base.schedules[ident].model_dump() == head.schedules[ident].model_dump()}
    new = _side(head, new_ids, start, end, same)

    people: list[PersonLoad] = []
    for person in sorted(set(old.loads) | set(new.loads)):
        a, b = old.loads.get(person, _Load()), new.loads.get(person, _Load())
        row = PersonLoad(
            person=person, name=person_name(head, person) if person in head.people else person_name(base, person),
            zone=(new.loads.get(person) or old.loads.get(person)).zone,
            hours_before=round(a.hours, 2), hours_after=round(b.hours, 2),
            night_hours_before=round(a.night_hours, 2), night_hours_after=round(b.night_hours, 2),
            nights_before=len(a.nights), nights_after=len(b.nights),
            weekend_hours_before=round(a.weekend_hours, 2), weekend_hours_after=round(b.weekend_hours, 2),
            weekends_before=len(a.weekends), weekends_after=len(b.weekends),
            backup_hours_before=round(a.backup, 2), backup_hours_after=round(b.backup, 2))
        if (row.hours_before, row.nights_before, row.weekends_before, row.backup_hours_before,
                row.night_hours_before, row.weekend_hours_before) != (
                row.hours_after, row.nights_after, row.weekends_after, row.backup_hours_after,
                row.night_hours_after, row.weekend_hours_after):
            people.append(row)
    people.sort(key=lambda r: (-abs(r.delta), -abs(r.nights_after - r.nights_before), r.name))

    handovers: list[Handover] = []
    for ident in new_ids:
        if ident not in old.held:
            continue
        schedule = head.schedules[ident]
        for role in ROLES:
            for a, b, before, after in _handovers(old.held[ident][role], new.held[ident][role], start, end):
                kind = "gap_opened" if after is None else "gap_closed" if before is None else "changed_hands"
                handovers.append(Handover(
                    schedule=ident, schedule_name=schedule.name, zone=schedule.timezone, role=role,
                    start=_iso(a, schedule.timezone), end=_iso(b, schedule.timezone), before=before, after=after,
                    before_name=person_name(base, before) if before else None,
                    after_name=person_name(head, after) if after else None,
                    hours=round(_hours(a, b), 2), kind=kind))

    doubles: list[DoublePager] = []
    old_doubles, new_doubles = _doubles(old), _doubles(new)
    for person, intervals in sorted(new_doubles.items()):
        for a, b in _minus(intervals, old_doubles.get(person, [])):
            zone = new.loads[person].zone
            doubles.append(DoublePager(person=person, name=person_name(head, person),
                                       schedules=_held_at(new, head, person, a), start=_iso(a, zone),
                                       end=_iso(b, zone), zone=zone, hours=round(_hours(a, b), 2)))
    return OnCallDiff(start=start.isoformat(), end=end.isoformat(), weeks=weeks, people=people,
                      handovers=handovers, double_pagers=doubles, schedules=changes, definitions=DEFINITIONS)

"""On-call load per person: primary hours from the rotation engine's shifts, and
the incidents that reached them, by the hour in their own zone.

An incident reaches the person who was primary, at its ``declared`` instant, on
the schedule of each of its services (a person counted once per incident even
when two of its schedules name them). Hours are primary shifts clipped to the
window; the share is those hours over the window's hours.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime

from opsbook import timeutil
from opsbook.metrics.definitions import (
    BUSINESS_FROM_HOUR,
    BUSINESS_TO_HOUR,
    PER_SHIFT_LIMIT,
    SHARE_LIMIT,
    SLEEP_FROM_HOUR,
    SLEEP_TO_HOUR,
)
from opsbook.metrics.model import OnCallLoad, PersonLoad
from opsbook.model.incident import Incident
from opsbook.model.kb import KnowledgeBase
from opsbook.oncall.engine import Shift, shifts_between
from opsbook.oncall.report import person_zone


def bucket(at: datetime, zone) -> str:
    """business_hours, evenings_weekends or sleep, by the wall clock in ``zone``."""
    local = at.astimezone(zone)
    if local.hour >= SLEEP_FROM_HOUR or local.hour < SLEEP_TO_HOUR:
        return "sleep"
    if local.weekday() < 5 and BUSINESS_FROM_HOUR <= local.hour < BUSINESS_TO_HOUR:
        return "business_hours"
    return "evenings_weekends"


@dataclass
class _Row:
    person: str
    zone: str
    hours: float = 0.0
    backup_hours: float = 0.0
    shifts: int = 0
    buckets: dict[str, int] = field(default_factory=lambda: {"business_hours": 0, "evenings_weekends": 0, "sleep": 0})
    per_shift: dict[tuple, int] = field(default_factory=dict)
    incidents: set[str] = field(default_factory=set)


def _hours(start: datetime, end: datetime) -> float:
    return max((end - start).total_seconds(), 0.0) / 3600


def _primary_at(shifts: list[Shift], starts: list[datetime], at: datetime) -> Shift | None:
    index = bisect.bisect_right(starts, at) - 1
    if index >= 0 and shifts[index].start <= at < shifts[index].end:
        return shifts[index]
    return None


def load(kb: KnowledgeBase, incidents: list[Incident], start: datetime, end: datetime) -> OnCallLoad:
    rows: dict[str, _Row] = {}
    primaries: dict[str, tuple[list[Shift], list[datetime]]] = {}

    def row_for(person: str, schedule) -> _Row:
        if person not in rows:
            rows[person] = _Row(person, person_zone(kb, person, schedule))
        return rows[person]

    for schedule in kb.schedule_list:
        shifts = shifts_between(schedule, start, end)
        primary = sorted((s for s in shifts if s.role == "primary"), key=lambda s: s.start)
        primaries[schedule.id] = (primary, [s.start for s in primary])
        for shift in shifts:
            row = row_for(shift.person, schedule)
            hours = _hours(max(shift.start, start), min(shift.end, end))
            if shift.role == "primary":
                row.hours += hours
                row.shifts += 1
            else:
                row.backup_hours += hours

    unattended: list[str] = []
    for incident in incidents:
        schedule_ids = dict.fromkeys(kb.services[s].schedule for s in incident.services
                                     if s in kb.services and kb.services[s].schedule)
        reached = False
        for schedule_id in schedule_ids:
            if schedule_id not in primaries:
                continue
            shift = _primary_at(*primaries[schedule_id], incident.declared)
            if shift is None:
                continue
            reached = True
            row = row_for(shift.person, kb.schedules[schedule_id])
            if incident.id in row.incidents:
                continue
            row.incidents.add(incident.id)
            row.buckets[bucket(incident.declared, timeutil.get_zone(row.zone))] += 1
            key = (shift.schedule, shift.start)
            row.per_shift[key] = row.per_shift.get(key, 0) + 1
        if not reached and schedule_ids:
            unattended.append(incident.id)

    window_hours = _hours(start, end)
    people = []
    for row in rows.values():
        share = row.hours / window_hours if window_hours else 0.0
        most = max(row.per_shift.values(), default=0)
        flags = []
        if share > SHARE_LIMIT:
            flags.append(f"on call as primary for {share:.1%} of the window's hours (over {SHARE_LIMIT:.0%})")
        for (schedule_id, shift_start), count in sorted(row.per_shift.items(), key=lambda kv: kv[0][1]):
            if count > PER_SHIFT_LIMIT:
                local = shift_start.astimezone(timeutil.get_zone(row.zone))
                flags.append(f"{count} incidents in one {schedule_id} shift from {local:%Y-%m-%d %H:%M} "
                             f"(over {PER_SHIFT_LIMIT})")
        person = kb.people.get(row.person)
        people.append(PersonLoad(
            person=row.person, name=person.name if person else row.person, timezone=row.zone,
            primary_hours=round(row.hours, 2), share=round(share, 4), backup_hours=round(row.backup_hours, 2),
            shifts=row.shifts, incidents=len(row.incidents), most_in_one_shift=most, flags=flags, **row.buckets))
    people.sort(key=lambda p: (-p.primary_hours, p.person))
    return OnCallLoad(people=people, unattended=sorted(unattended))

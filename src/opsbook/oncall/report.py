"""Hours on call per person: the numbers teams use for on-call pay.

Per person over a window: hours as primary, primary shifts, primary hours at
night (22:00-07:00) and at the weekend (Saturday and Sunday), both in the
person's own zone (people.yaml ``timezone``, else the schedule's), and hours as
backup. Shifts are clipped to the window; a night or a weekend that spans a DST
change counts the hours that really passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone, tzinfo

from opsbook import timeutil
from opsbook.model.kb import KnowledgeBase
from opsbook.model.schedule import Schedule
from opsbook.oncall.engine import Shift, shifts_between

NIGHT_FROM, NIGHT_TO = time(22, 0), time(7, 0)


@dataclass
class PersonLoad:
    person: str
    name: str
    timezone: str
    hours: float = 0.0
    shifts: int = 0
    night_hours: float = 0.0
    weekend_hours: float = 0.0
    backup_hours: float = 0.0
    schedules: set[str] = field(default_factory=set)

    def as_dict(self) -> dict:
        return {
            "person": self.person, "name": self.name, "timezone": self.timezone,
            "hours": round(self.hours, 2), "shifts": self.shifts, "night_hours": round(self.night_hours, 2),
            "weekend_hours": round(self.weekend_hours, 2), "backup_hours": round(self.backup_hours, 2),
            "schedules": sorted(self.schedules),
        }


def _hours(span: timedelta) -> float:
    return span.total_seconds() / 3600


def _overlap(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> timedelta:
    # In UTC: subtracting two datetimes of the same ZoneInfo zone ignores a DST
    # change between them (wall-clock arithmetic), and a 25-hour day counts 24.
    a0, a1, b0, b1 = (t.astimezone(timezone.utc) for t in (*a, *b))
    return max(timedelta(0), min(a1, b1) - max(a0, b0))


def night_hours(start: datetime, end: datetime, zone: tzinfo) -> float:
    """Hours of [start, end) between 22:00 and 07:00 local time in ``zone``."""
    total = timedelta(0)
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    while day <= last:
        night = (timeutil.to_aware(datetime.combine(day, NIGHT_FROM), zone),
                 timeutil.to_aware(datetime.combine(day + timedelta(days=1), NIGHT_TO), zone))
        total += _overlap((start, end), night)
        day += timedelta(days=1)
    return _hours(total)


def weekend_hours(start: datetime, end: datetime, zone: tzinfo) -> float:
    """Hours of [start, end) on a Saturday or Sunday in ``zone``."""
    total = timedelta(0)
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    while day <= last:
        if day.weekday() >= 5:
            span = (timeutil.start_of_day(day, zone), timeutil.start_of_day(day + timedelta(days=1), zone))
            total += _overlap((start, end), span)
        day += timedelta(days=1)
    return _hours(total)


def person_zone(kb: KnowledgeBase, person: str, schedule: Schedule) -> str:
    known = kb.people.get(person)
    return known.timezone if known is not None and known.timezone else schedule.timezone


def load_report(kb: KnowledgeBase, start: datetime, end: datetime,
                schedules: list[Schedule] | None = None) -> list[PersonLoad]:
    """One row per person on call in [start, end), sorted by hours, most first."""
    rows: dict[str, PersonLoad] = {}
    for schedule in schedules if schedules is not None else kb.schedule_list:
        for shift in shifts_between(schedule, start, end):
            _add(kb, rows, schedule, shift, start, end)
    return sorted(rows.values(), key=lambda r: (-r.hours, -r.backup_hours, r.person))


def _add(kb: KnowledgeBase, rows: dict[str, PersonLoad], schedule: Schedule, shift: Shift,
         start: datetime, end: datetime) -> None:
    zone_name = person_zone(kb, shift.person, schedule)
    person = kb.people.get(shift.person)
    row = rows.setdefault(shift.person, PersonLoad(shift.person, person.name if person else shift.person, zone_name))
    s, e = max(shift.start, start), min(shift.end, end)
    row.schedules.add(schedule.id)
    if shift.role == "backup":
        row.backup_hours += _hours(e - s)
        return
    zone = timeutil.get_zone(zone_name)
    row.hours += _hours(e - s)
    row.shifts += 1
    row.night_hours += night_hours(s, e, zone)
    row.weekend_hours += weekend_hours(s, e, zone)


CSV_FIELDS = ("person", "name", "timezone", "hours", "shifts", "night_hours", "weekend_hours", "backup_hours",
              "schedules")

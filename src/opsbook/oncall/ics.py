"""iCalendar feeds of final shifts: one per schedule, one per person.

Built with the ``icalendar`` library. Each shift is one VEVENT in UTC (no
VTIMEZONE needed; every client shows it in its reader's zone) with:

- a UID that is a hash of the organisation, schedule, role, person and start,
  so the same shift keeps its UID across builds and windows (the engine reports
  shifts whole, not clipped) and a swap shows as one event moved, not a new one;
- DTSTAMP, the build instant (so the same build is byte-for-byte the same);
- TRANSP:TRANSPARENT, so a week on call does not mark the person busy;
- a VALARM before the shift starts (policies.oncall.reminder, default 15m).

The same shift has the same UID in the schedule's feed and in the person's.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from icalendar import Alarm, Calendar, Event

from opsbook.model.base import is_web_url
from opsbook.model.kb import KnowledgeBase
from opsbook.model.schedule import Schedule
from opsbook.oncall.engine import Shift, shifts_between
from opsbook.visibility import Audience, shows_override_reasons

PRODID = "-//opsbook//on-call calendar//EN"
DEFAULT_REMINDER = timedelta(minutes=15)


def schedule_label(kb: KnowledgeBase, schedule: Schedule) -> str:
    """"Payments": the team's name, else the schedule's."""
    team = kb.teams.get(schedule.team) if schedule.team else None
    return team.name if team is not None else schedule.name


def person_name(kb: KnowledgeBase, person: str) -> str:
    known = kb.people.get(person)
    return known.name if known is not None else person


def shift_uid(kb: KnowledgeBase, shift: Shift) -> str:
    key = "|".join((kb.config.name, shift.schedule, shift.role, shift.person,
                    shift.start.astimezone(timezone.utc).isoformat()))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + "@opsbook"


# RFC 5545 TEXT allows no control character but tab (and line breaks, which
# icalendar writes as \\n); the model refuses them in names and text, and this
# is the second line for every value taken from data.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _text(text: str) -> str:
    """Text for a TEXT property: line feeds kept (icalendar escapes them), CRs
    and other control characters dropped."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _one_line(text: str) -> str:
    """icalendar escapes line breaks in TEXT values but not in X-WR-* ones, where a
    line feed aborts the build and a bare CR ends the content line (a reader that
    splits on it would see injected properties). Names are one line anyway."""
    return " ".join(_text(text).split())


def _calendar(name: str, description: str) -> Calendar:
    name, description = _one_line(name), _one_line(description)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-caldesc", description)
    # Subscribed calendars refresh on their own schedule; ask for hourly.
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    return cal


def _event(kb: KnowledgeBase, schedule: Schedule, shift: Shift, summary: str, now: datetime,
           reminder: timedelta, audience: Audience = "public") -> Event:
    event = Event()
    event.add("uid", shift_uid(kb, shift))
    event.add("dtstamp", now.astimezone(timezone.utc))
    event.add("dtstart", shift.start.astimezone(timezone.utc))
    event.add("dtend", shift.end.astimezone(timezone.utc))
    event.add("summary", _one_line(summary))
    lines = [f"{person_name(kb, shift.person)} is {shift.role} on call for {schedule.name}."]
    if shift.override is not None:
        reason = schedule.overrides[shift.override].reason
        # Reasons are often personal ("at a wedding"): only internal feeds carry them.
        shown = reason if reason and shows_override_reasons(audience) else ""
        lines.append(f"Override{': ' + shown if shown else ''}")
    else:
        lines.append(f"Rotation layer: {shift.layer}.")
    if schedule.handoff_channel:
        lines.append(f"Handoffs in {schedule.handoff_channel}.")
    event.add("description", _text("\n".join(lines)))
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["On call"])
    if is_web_url(kb.config.site_url):  # never a javascript: or data: address
        event.add("url", kb.config.site_url.rstrip("/") + f"/oncall/{quote(schedule.id, safe='')}/")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _one_line(f"On call in {_humanize(reminder)}: {summary}"))
    alarm.add("trigger", -reminder)
    event.add_component(alarm)
    return event


def _humanize(span: timedelta) -> str:
    from opsbook.timeutil import humanize

    return humanize(span)


def schedule_feed(kb: KnowledgeBase, schedule: Schedule, shifts: list[Shift], now: datetime,
                  reminder: timedelta = DEFAULT_REMINDER, audience: Audience = "public") -> bytes:
    label = schedule_label(kb, schedule)
    cal = _calendar(f"On call: {label}", f"Final shifts of {schedule.name} (after overrides), from opsbook.")
    for shift in shifts:
        summary = f"{person_name(kb, shift.person)} on call: {label} ({shift.role})"
        cal.add_component(_event(kb, schedule, shift, summary, now, reminder, audience))
    return cal.to_ical()


def person_feed(kb: KnowledgeBase, person: str, shifts: list[Shift], now: datetime,
                reminder: timedelta = DEFAULT_REMINDER, audience: Audience = "public") -> bytes:
    name = person_name(kb, person)
    cal = _calendar(f"On call: {name}", f"{name}'s on-call shifts in every schedule, from opsbook.")
    for shift in shifts:
        schedule = kb.schedules[shift.schedule]
        summary = f"On call: {schedule_label(kb, schedule)} ({shift.role})"
        cal.add_component(_event(kb, schedule, shift, summary, now, reminder, audience))
    return cal.to_ical()


def default_window(now: datetime) -> tuple[datetime, datetime]:
    """Four weeks back to 26 weeks ahead: recent history for pay questions,
    half a year ahead for planning."""
    return now - timedelta(weeks=4), now + timedelta(weeks=26)


def reminder_for(kb: KnowledgeBase) -> timedelta:
    policy = getattr(kb.config.policies, "oncall", None)
    return getattr(policy, "reminder", DEFAULT_REMINDER) or DEFAULT_REMINDER


def all_feeds(kb: KnowledgeBase, start: datetime, end: datetime, now: datetime,
              audience: Audience = "public") -> dict[str, bytes]:
    """``{"payments.ics": ..., "people/maya.ics": ...}``: every schedule and every
    person (people without shifts get an empty feed, so a subscription never 404s)."""
    reminder = reminder_for(kb)
    feeds: dict[str, bytes] = {}
    by_person: dict[str, list[Shift]] = {person: [] for person in kb.people}
    for schedule in kb.schedule_list:
        shifts = shifts_between(schedule, start, end)
        feeds[f"{schedule.id}.ics"] = schedule_feed(kb, schedule, shifts, now, reminder, audience)
        for shift in shifts:
            by_person.setdefault(shift.person, []).append(shift)
    for person in sorted(by_person):
        shifts = sorted(by_person[person], key=lambda s: (s.start, s.schedule, s.role))
        feeds[f"people/{person}.ics"] = person_feed(kb, person, shifts, now, reminder, audience)
    return feeds

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
    event.add("description", _description(kb, schedule, shift, audience))
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


def _description(kb: KnowledgeBase, schedule: Schedule, shift: Shift, audience: Audience) -> str:
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
    return _text("\n".join(lines))


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
    person (people without shifts get an empty feed, so a subscription never 404s).

    The same bytes as ``schedule_feed`` and ``person_feed`` give (tests/test_ics.py
    compares them), built once per shift instead of once per feed and event: the
    lines a shift's two events share (times, UID, description) are written by
    icalendar once and used in both feeds, and lines that repeat across shifts
    (DTSTAMP, categories, the alarm's trigger, a person's summary in a schedule)
    once per build."""
    reminder = reminder_for(kb)
    writer = _FeedWriter(kb, now, reminder, audience)
    feeds: dict[str, bytes] = {}
    by_person: dict[str, list[tuple[Shift, bytes]]] = {person: [] for person in kb.people}
    for schedule in kb.schedule_list:
        shifts = shifts_between(schedule, start, end)
        events = []
        for shift in shifts:
            shared = writer.shared(schedule, shift)
            events.append(writer.event(writer.schedule_summary(schedule, shift), shared))
            by_person.setdefault(shift.person, []).append((shift, shared))
        feeds[f"{schedule.id}.ics"] = writer.calendar(*_schedule_calendar(kb, schedule), events)
    for person in sorted(by_person):
        pairs = sorted(by_person[person], key=lambda pair: (pair[0].start, pair[0].schedule, pair[0].role))
        events = [writer.event(writer.person_summary(kb.schedules[shift.schedule], shift), shared)
                  for shift, shared in pairs]
        feeds[f"people/{person}.ics"] = writer.calendar(*_person_calendar(kb, person), events)
    return feeds


def _schedule_calendar(kb: KnowledgeBase, schedule: Schedule) -> tuple[str, str]:
    return (f"On call: {schedule_label(kb, schedule)}",
            f"Final shifts of {schedule.name} (after overrides), from opsbook.")


def _person_calendar(kb: KnowledgeBase, person: str) -> tuple[str, str]:
    name = person_name(kb, person)
    return f"On call: {name}", f"{name}'s on-call shifts in every schedule, from opsbook."


def _lines(component: type, *props: tuple[str, object]) -> bytes:
    """Content lines of ``props`` exactly as icalendar writes them inside ``component``
    (each line is folded on its own, so lines written apart join to the same bytes)."""
    holder = component()
    for name, value in props:
        holder.add(name, value)
    data = holder.to_ical(sorted=False)
    begin, end = b"BEGIN:" + holder.name.encode() + b"\r\n", b"END:" + holder.name.encode() + b"\r\n"
    assert data.startswith(begin) and data.endswith(end)
    return data[len(begin):-len(end)]


_PLAIN_UID = re.compile(r"[0-9a-f]{32}@opsbook")


class _FeedWriter:
    """The events of ``_event`` as bytes, each piece written by icalendar once.

    icalendar writes a VEVENT's properties as SUMMARY, DTSTART, DTEND, DTSTAMP,
    UID (its canonical order), then the rest alphabetically (CATEGORIES,
    DESCRIPTION, TRANSP, URL), then the VALARM (ACTION, DESCRIPTION, TRIGGER)."""

    def __init__(self, kb: KnowledgeBase, now: datetime, reminder: timedelta, audience: Audience) -> None:
        self.kb, self.reminder, self.audience = kb, reminder, audience
        self.dtstamp = _lines(Event, ("dtstamp", now.astimezone(timezone.utc)))
        self.categories = _lines(Event, ("categories", ["On call"]))
        self.transp = _lines(Event, ("transp", "TRANSPARENT"))
        self.action = _lines(Alarm, ("action", "DISPLAY"))
        self.trigger = _lines(Alarm, ("trigger", -reminder))
        self._summaries: dict[tuple, bytes] = {}
        self._descriptions: dict[tuple, bytes] = {}
        self._urls: dict[str, bytes] = {}

    def _url(self, schedule: Schedule) -> bytes:
        if schedule.id not in self._urls:
            site_url = self.kb.config.site_url
            self._urls[schedule.id] = (_lines(Event, ("url", site_url.rstrip("/") + f"/oncall/{quote(schedule.id, safe='')}/"))
                                       if is_web_url(site_url) else b"")
        return self._urls[schedule.id]

    def shared(self, schedule: Schedule, shift: Shift) -> tuple[bytes, bytes]:
        """What a shift's event is in every feed: (DTSTART to UID, CATEGORIES to URL)."""
        key = (schedule.id, shift.person, shift.role, shift.override, shift.layer)
        description = self._descriptions.get(key)
        if description is None:
            description = self._descriptions[key] = _lines(Event, ("description", _description(
                self.kb, schedule, shift, self.audience)))
        start, end = shift.start.astimezone(timezone.utc), shift.end.astimezone(timezone.utc)
        uid = shift_uid(self.kb, shift)
        if start.microsecond or end.microsecond or not _PLAIN_UID.fullmatch(uid):
            times = _lines(Event, ("dtstart", start), ("dtend", end))
            uid_line = _lines(Event, ("uid", uid))
        else:
            # What icalendar writes for a UTC instant in whole seconds and for a UID
            # of hex digits (nothing to escape, shorter than a fold): the one part of
            # an event that differs per shift, so it is formatted here, 0.3 ms less
            # per shift. tests/test_ics.py holds every feed to icalendar's bytes.
            times = (b"DTSTART:" + start.strftime("%Y%m%dT%H%M%SZ").encode() + b"\r\nDTEND:"
                     + end.strftime("%Y%m%dT%H%M%SZ").encode() + b"\r\n")
            uid_line = b"UID:" + uid.encode() + b"\r\n"
        return times + self.dtstamp + uid_line, self.categories + description + self.transp + self._url(schedule)

    def _summary(self, key: tuple, summary: str) -> bytes:
        found = self._summaries.get(key)
        if found is None:
            found = self._summaries[key] = (
                _lines(Event, ("summary", _one_line(summary))),
                _lines(Alarm, ("description", _one_line(f"On call in {_humanize(self.reminder)}: {summary}"))))
        return found

    def schedule_summary(self, schedule: Schedule, shift: Shift):
        return self._summary(("schedule", schedule.id, shift.person, shift.role),
                             f"{person_name(self.kb, shift.person)} on call: {schedule_label(self.kb, schedule)} "
                             f"({shift.role})")

    def person_summary(self, schedule: Schedule, shift: Shift):
        return self._summary(("person", schedule.id, shift.role),
                             f"On call: {schedule_label(self.kb, schedule)} ({shift.role})")

    def event(self, summary: tuple[bytes, bytes], shared: tuple[bytes, bytes]) -> bytes:
        return b"".join((b"BEGIN:VEVENT\r\n", summary[0], shared[0], shared[1], b"BEGIN:VALARM\r\n", self.action,
                         summary[1], self.trigger, b"END:VALARM\r\nEND:VEVENT\r\n"))

    @staticmethod
    def calendar(name: str, description: str, events: list[bytes]) -> bytes:
        head = _calendar(name, description).to_ical()
        end = b"END:VCALENDAR\r\n"
        assert head.endswith(end)
        return b"".join((head[:-len(end)], *events, end))

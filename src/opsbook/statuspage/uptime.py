"""Uptime from status intervals: per component, per day, and over the window.

An interval is a span during which a component had a non-operational status:

- an incident update that sets a component's status starts one; it lasts
  until a later update of the same incident sets another status, or until the
  incident is resolved (its first 'resolved' update), or until ``now``;
- a maintenance window puts its components under maintenance while it runs
  (``current.maintenance_window``).

Intervals of different incidents may overlap; ``merge`` keeps, at every
instant, the worst status any of them gives. Downtime is the merged time
weighted by ``vocabulary.DOWNTIME_WEIGHT``. Days are the page zone's calendar
days (23 or 25 hours across a clock change). A day before a component's
``since`` date, or after ``now``, is *no data*: neither up nor down.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from opsbook.statuspage.current import maintenance_window
from opsbook.statuspage.public import PublicIncident, PublicPage
from opsbook.statuspage.vocabulary import COMPONENT_RANK, DOWNTIME_WEIGHT
from opsbook.timeutil import start_of_day

WINDOW_DAYS = 90


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime
    status: str


def incident_intervals(incident: PublicIncident, now: datetime) -> dict[str, list[Interval]]:
    """Component id -> the spans this incident gave it a non-operational status."""
    out: dict[str, list[Interval]] = {}
    open_since: dict[str, tuple[datetime, str]] = {}
    end_of_incident = incident.resolved_at or now

    def close(component: str, at: datetime) -> None:
        start, status = open_since.pop(component)
        if status != "operational" and at > start:
            out.setdefault(component, []).append(Interval(start, at, status))

    for update in incident.updates:
        if update.at >= end_of_incident:
            break
        for component, status in update.components:
            if component in open_since:
                if open_since[component][1] == status:
                    continue
                close(component, update.at)
            open_since[component] = (update.at, status)
    for component in list(open_since):
        close(component, min(end_of_incident, now))
    return out


def page_intervals(page: PublicPage) -> dict[str, list[Interval]]:
    """Every component's raw intervals from all incidents and maintenance (may overlap)."""
    out: dict[str, list[Interval]] = {c.id: [] for c in page.components}
    for incident in page.incidents:
        for component, spans in incident_intervals(incident, page.now).items():
            out[component].extend(spans)
    for window in page.maintenance:
        start, end = maintenance_window(window)
        end = min(end, page.now)
        if end > start:
            for component in window.components:
                out[component].append(Interval(start, end, "under_maintenance"))
    return out


def merge(intervals: list[Interval]) -> list[Interval]:
    """Non-overlapping, time-ordered spans; where several overlap the worst wins,
    and touching spans with the same status join."""
    if not intervals:
        return []
    edges = sorted({i.start for i in intervals} | {i.end for i in intervals})
    starts: dict[datetime, list[str]] = {}
    ends: dict[datetime, list[str]] = {}
    for span in intervals:
        starts.setdefault(span.start, []).append(span.status)
        ends.setdefault(span.end, []).append(span.status)
    active: Counter[str] = Counter()
    merged: list[Interval] = []
    for left, right in zip(edges, edges[1:]):
        for status in ends.get(left, ()):
            active[status] -= 1
        for status in starts.get(left, ()):
            active[status] += 1
        present = [status for status, count in active.items() if count > 0]
        if not present:
            continue
        status = max(present, key=COMPONENT_RANK.__getitem__)
        if merged and merged[-1].end == left and merged[-1].status == status:
            merged[-1] = Interval(merged[-1].start, right, status)
        else:
            merged.append(Interval(left, right, status))
    return merged


@dataclass(frozen=True)
class DayUptime:
    day: date
    status: str
    """The worst status of the day, or 'no_data'."""
    observed: float
    """Seconds the component existed and had happened by ``now`` that day."""
    seconds: dict[str, float]
    """Non-operational status -> seconds in it that day."""
    downtime: float
    """Weighted seconds of downtime."""

    @property
    def uptime(self) -> float | None:
        return None if self.observed <= 0 else 1 - self.downtime / self.observed


@dataclass(frozen=True)
class ComponentUptime:
    component: str
    days: tuple[DayUptime, ...]
    """Oldest first, ending with the day of ``now``."""
    observed: float
    downtime: float

    @property
    def uptime(self) -> float | None:
        return None if self.observed <= 0 else 1 - self.downtime / self.observed


def window_days(now: datetime, zone: ZoneInfo, count: int = WINDOW_DAYS) -> list[date]:
    today = now.astimezone(zone).date()
    return [today - timedelta(days=count - 1 - n) for n in range(count)]


def day_uptimes(merged: list[Interval], days: list[date], zone: ZoneInfo, now: datetime,
                since: date | None) -> list[DayUptime]:
    starts = [span.start for span in merged]
    out = []
    for day in days:
        # In UTC: subtracting two times of one ZoneInfo zone gives wall-clock
        # time, which is wrong by the DST change on the days that have one.
        begin = start_of_day(day, zone).astimezone(timezone.utc)
        end = min(start_of_day(day + timedelta(days=1), zone).astimezone(timezone.utc), now)
        if since is not None:
            begin = max(begin, start_of_day(since, zone).astimezone(timezone.utc))
        if end <= begin:
            out.append(DayUptime(day, "no_data", 0.0, {}, 0.0))
            continue
        seconds: dict[str, float] = {}
        # Spans are ordered and disjoint: start one before the first that begins in the day.
        index = max(bisect.bisect_left(starts, begin) - 1, 0)
        while index < len(merged) and merged[index].start < end:
            span = merged[index]
            overlap = (min(span.end, end) - max(span.start, begin)).total_seconds()
            if overlap > 0:
                seconds[span.status] = seconds.get(span.status, 0.0) + overlap
            index += 1
        status = max(seconds, key=COMPONENT_RANK.__getitem__, default="operational")
        downtime = sum(DOWNTIME_WEIGHT[s] * secs for s, secs in seconds.items())
        out.append(DayUptime(day, status, (end - begin).total_seconds(), seconds, downtime))
    return out


def uptime_report(page: PublicPage, days: int = WINDOW_DAYS) -> dict[str, ComponentUptime]:
    """Component id -> its day bars and uptime over the last ``days`` days of the page zone."""
    listed = window_days(page.now, page.zone, days)
    report = {}
    for component, spans in page_intervals(page).items():
        bars = day_uptimes(merge(spans), listed, page.zone, page.now, page.component(component).since)
        report[component] = ComponentUptime(component, tuple(bars), sum(d.observed for d in bars),
                                            sum(d.downtime for d in bars))
    return report

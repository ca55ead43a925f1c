"""The operational review over one window: ``report(kb, start, end, now, by, audience)``.

Which incidents: those *declared* in [start, end) (and by ``now``). A public
audience sees only what the public incident list shows (``visibility``):
public incidents, grouped by status-page component rather than internal
service, and only the time to resolve (the public incident pages show a
duration; detection and acknowledgement times are internal milestones). An
internal-only incident is then neither counted nor named anywhere on the page.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from opsbook.metrics import followthrough, impact, oncall
from opsbook.metrics.definitions import MEASURE_IDS
from opsbook.metrics.model import (
    Count,
    Counts,
    GroupTimes,
    MetricsReport,
    MonthSeverity,
    OpenIncident,
    Window,
)
from opsbook.metrics.times import response_times
from opsbook.model.incident import Incident
from opsbook.model.kb import KnowledgeBase
from opsbook.visibility import Audience, check_audience, visible_incidents, visible_postmortems

PUBLIC_MEASURES = ("resolve",)


def month_of(kb: KnowledgeBase, at: datetime) -> str:
    return f"{at.astimezone(kb.zone):%Y-%m}"


def months_between(kb: KnowledgeBase, start: datetime, end: datetime) -> list[str]:
    """Every month the window touches, oldest first, zeros included."""
    first = start.astimezone(kb.zone).date().replace(day=1)
    last = (end - timedelta(microseconds=1)).astimezone(kb.zone).date()
    out = []
    while first <= last:
        out.append(f"{first:%Y-%m}")
        first = (first + timedelta(days=32)).replace(day=1)
    return out


def public_components(kb: KnowledgeBase, incident: Incident, now: datetime) -> list[str]:
    """Status-page components its posted updates reported as not operational (as the incident pages show)."""
    seen: dict[str, None] = {}
    for update in incident.updates:
        if update.at > now:
            continue
        for component, status in update.components.items():
            if status != "operational" and component in kb.components:
                seen.setdefault(component, None)
    return list(seen)


def _keys(kb: KnowledgeBase, incident: Incident, by: str, now: datetime) -> list[tuple[str, str]]:
    """(key, label) of each group an incident belongs to under ``--by``."""
    if by == "severity":
        level = kb.severities.get(incident.severity)
        return [(incident.severity, f"{incident.severity} {level.name}" if level else incident.severity)]
    if by == "month":
        month = month_of(kb, incident.declared)
        return [(month, month)]
    if by == "service":
        return [(s, kb.services[s].name if s in kb.services else s) for s in dict.fromkeys(incident.services)]
    if by == "team":
        teams = dict.fromkeys(kb.services[s].team for s in incident.services if s in kb.services and kb.services[s].team)
        return [(t, kb.teams[t].name if t in kb.teams else t) for t in teams]
    if by == "component":
        return [(c, kb.components[c].name) for c in public_components(kb, incident, now)]
    raise ValueError(f"unknown grouping {by!r}")


def _tally(kb, incidents, by, now, order: list[str] | None = None) -> list[Count]:
    counts: dict[str, list] = {}
    for incident in incidents:
        for key, label in _keys(kb, incident, by, now):
            counts.setdefault(key, [label, 0])[1] += 1
    if order is not None:
        rows = [Count(key=k, label=counts[k][0], count=counts[k][1]) for k in order if k in counts]
        rows += [Count(key=k, label=v[0], count=v[1]) for k, v in sorted(counts.items()) if k not in order]
        return rows
    return sorted((Count(key=k, label=v[0], count=v[1]) for k, v in counts.items()), key=lambda c: (-c.count, c.key))


def report(kb: KnowledgeBase, start: datetime, end: datetime, now: datetime, by: str | None = None,
           audience: Audience = "internal", restricted: bool = False) -> MetricsReport:
    """``restricted``: count restricted postmortems too. Only for a reader who is
    the team itself (the CLI); no published page passes it, so a restricted
    postmortem shows there as ``not_public`` and is never named."""
    for name, value in (("start", start), ("end", end), ("now", now)):
        if value.tzinfo is None:
            raise ValueError(f"{name} must be an aware datetime")
    if end <= start:
        raise ValueError("the window must end after it starts")
    audience = check_audience(audience)
    public = audience == "public"
    if public and by in ("service", "team"):
        by = "component"  # internal service ids are not shown to public readers
    pool = visible_incidents(kb, audience)
    incidents = sorted((i for i in pool if start <= i.declared < end and i.declared <= now),
                       key=lambda i: (i.declared, i.id))
    measures = PUBLIC_MEASURES if public else MEASURE_IDS
    groups = []
    if by:
        members: dict[str, tuple[str, list[Incident]]] = {}
        for incident in incidents:
            for key, label in _keys(kb, incident, by, now):
                members.setdefault(key, (label, []))[1].append(incident)
        order = ([lvl.id for lvl in kb.levels] if by == "severity" else months_between(kb, start, end)
                 if by == "month" else sorted(members))
        for key in order + sorted(set(members) - set(order)):
            label, found = members.get(key, (_label(kb, by, key), []))
            groups.append(GroupTimes(key=key, label=label, incidents=len(found),
                                     measures=response_times(found, measures)))

    levels = [lvl.id for lvl in kb.levels]
    by_month = []
    for month in months_between(kb, start, end):
        counts = {lvl: 0 for lvl in levels}
        for incident in incidents:
            if month_of(kb, incident.declared) == month:
                counts[incident.severity] = counts.get(incident.severity, 0) + 1
        by_month.append(MonthSeverity(month=month, counts=counts, total=sum(counts.values())))

    readable = list(kb.postmortem_list) if restricted and not public else visible_postmortems(kb, audience)
    first_day = start.astimezone(kb.zone).date()
    end_day = _day_after_last(end.astimezone(kb.zone))
    load = oncall.load(kb, incidents, start, end)
    open_now = sorted((i for i in pool if i.is_open and i.declared <= now), key=lambda i: (i.declared, i.id))
    return MetricsReport(
        audience=audience,
        window=Window(start=start, end=end, now=now, timezone=kb.config.timezone),
        by=by,
        incidents=len(incidents),
        response_times=response_times(incidents, measures),
        groups=groups,
        counts=Counts(
            total=len(incidents),
            by_severity=_tally(kb, incidents, "severity", now, order=levels),
            by_service=[] if public else _tally(kb, incidents, "service", now),
            by_team=[] if public else _tally(kb, incidents, "team", now),
            by_component=_tally(kb, incidents, "component", now, order=list(kb.components)),
            by_month=by_month),
        customer_impact=impact.customer_impact(kb, start, end, now),
        postmortems=followthrough.postmortems(kb, incidents, readable, now),
        actions=followthrough.actions(kb, readable, first_day, end_day, now),
        oncall=load,
        open_incidents=[OpenIncident(id=i.id, title=i.title, severity=i.severity, status=i.status,
                                     declared=i.declared, age_seconds=(now - i.declared).total_seconds())
                        for i in open_now],
    )


def _label(kb: KnowledgeBase, by: str, key: str) -> str:
    """A group's label when no incident is in it (a severity level without incidents)."""
    level = kb.severities.get(key) if by == "severity" else None
    return f"{key} {level.name}" if level else key


def _day_after_last(local_end: datetime) -> date:
    """The first calendar day not in the window: a window ending at midnight
    does not include that day; one ending at 15:00 includes it."""
    day = local_end.date()
    return day if local_end.time() == datetime.min.time() else day + timedelta(days=1)

"""Follow-through: postmortems against the severity's deadline, action items against their due dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from opsbook.incidents.actions import rows as action_rows
from opsbook.metrics.definitions import median
from opsbook.metrics.model import ActionFollowThrough, PostmortemFollowThrough, PostmortemRow
from opsbook.model.incident import Incident
from opsbook.model.kb import KnowledgeBase
from opsbook.model.postmortem import Postmortem
from opsbook.timeutil import start_of_day


def postmortem_deadline(kb: KnowledgeBase, incident: Incident, docs: list[Postmortem]) -> datetime | None:
    """The instant the postmortem is due, by the rule `opsbook validate` applies
    (check/policies.py postmortems_on_time): a `due` date in the front matter
    ends at midnight in the organisation's zone, else resolution plus the
    severity's postmortem_due, else resolution itself."""
    level = kb.severities.get(incident.severity)
    if level is None or incident.resolved is None:
        return None
    if docs and docs[0].due is not None:
        return start_of_day(docs[0].due + timedelta(days=1), kb.zone)
    return level.postmortem_due.after(incident.resolved, kb.zone) if level.postmortem_due else incident.resolved


def postmortem_state(kb: KnowledgeBase, incident: Incident, docs: list[Postmortem], now: datetime,
                     hidden: bool) -> PostmortemRow:
    """One incident's postmortem, as one of:

    on_time / late: out of draft (in-review or published), dated on or before /
    after the day the deadline falls on; undated: out of draft without a date;
    overdue_draft: only drafts, deadline passed; missing: none, deadline passed;
    pending: not due yet (or the incident is still open); not_public: the reader
    may not see its postmortem (a public build: the reader cannot tell).

    A postmortem records no publication date, so its ``date`` (the day
    `postmortem new` wrote the draft, unless a person changed it) stands for the
    day it was delivered. A draft written on time and finished late counts as
    on time; the state is exact only where teams set ``date`` on publication."""
    deadline = postmortem_deadline(kb, incident, docs)
    due_day = (deadline - timedelta(microseconds=1)).astimezone(kb.zone).date() if deadline else None
    delivered = next((pm for pm in docs if pm.status != "draft"), None)
    state: str
    if hidden:
        state = "not_public"
    elif delivered is not None:
        if delivered.date is None:
            state = "undated"
        else:
            state = "on_time" if due_day is None or delivered.date <= due_day else "late"
    elif deadline is None or deadline > now:
        state = "pending"
    else:
        state = "overdue_draft" if docs else "missing"
    shown = None if hidden else (delivered or (docs[0] if docs else None))
    return PostmortemRow(incident=incident.id, severity=incident.severity, state=state, due=due_day,
                         delivered=delivered.date if delivered is not None and not hidden else None,
                         postmortem=shown.id if shown else None)


def postmortems(kb: KnowledgeBase, incidents: list[Incident], readable: list[Postmortem],
                now: datetime) -> PostmortemFollowThrough:
    """Incidents whose severity requires a postmortem. ``readable``: the
    postmortems the audience may see; any other covering one makes the row
    not_public rather than missing, so a public page neither hides nor reveals it."""
    visible = {id(pm) for pm in readable}
    found: list[PostmortemRow] = []
    for incident in incidents:
        level = kb.severities.get(incident.severity)
        if level is None or level.postmortem != "required":
            continue
        docs = kb.postmortems_for(incident.id)
        seen = [pm for pm in docs if id(pm) in visible]
        found.append(postmortem_state(kb, incident, seen, now, hidden=bool(docs) and not seen))
    found.sort(key=lambda r: r.incident)
    tally = {state: sum(1 for r in found if r.state == state)
             for state in ("on_time", "late", "overdue_draft", "missing", "pending", "undated", "not_public")}
    return PostmortemFollowThrough(required=len(found), rows=found, **tally)


def actions(kb: KnowledgeBase, readable: list[Postmortem], first_day: date, end_day: date,
            now: datetime) -> ActionFollowThrough:
    """Items of the readable postmortems. ``first_day``..``end_day`` (exclusive):
    the window's calendar days; "due in the window" is judged on those."""
    all_rows = action_rows(kb, now, readable)
    due = [r for r in all_rows if r.item.due is not None and first_day <= r.item.due < end_day]
    closed_on_time = closed_late = closed_undated = still_open = wont_do = 0
    for row in due:
        item = row.item
        if item.status == "wont-do":
            wont_do += 1
        elif item.is_open:
            still_open += 1
        elif item.closed is None:
            closed_undated += 1
        elif item.closed <= item.due:
            closed_on_time += 1
        else:
            closed_late += 1
    open_rows = [r for r in all_rows if r.item.is_open]
    ages = [r.age_days for r in open_rows if r.age_days is not None]
    overdue = sorted((r for r in open_rows if r.overdue), key=lambda r: (-r.overdue_days, r.item.id))
    return ActionFollowThrough(
        due_in_window=len(due) - wont_do, closed_on_time=closed_on_time, closed_late=closed_late,
        closed_undated=closed_undated, still_open=still_open, wont_do=wont_do, open_now=len(open_rows),
        overdue_now=len(overdue), median_open_age_days=median([float(a) for a in ages]), open_age_n=len(ages),
        overdue=[r.item.id for r in overdue])

"""Steps 8 and 9: learning from incidents, measured by its deadlines:
postmortems written by the severity's postmortem_due, action items closed by
their due dates. Both judge at ``now`` in the organisation's zone, and agree
with `opsbook validate` on what is late (OB5xx)."""

from __future__ import annotations

from datetime import timedelta

from opsbook.doctor.common import Judge, listed, make, plural
from opsbook.doctor.model import Item
from opsbook.load import LAYOUT
from opsbook.timeutil import start_of_day
from opsbook.visibility import may_read, may_read_incident

FOLDER = f"{LAYOUT.postmortems}/"


def _incidents(judge: Judge, incidents) -> str:
    """Incident ids a reader may see, and a count of the others."""
    seen = [inc.id for inc in incidents if may_read_incident(judge.audience, inc)]
    hidden = len(incidents) - len(seen)
    return listed(seen + ([plural(hidden, "internal incident")] if hidden else []))


def _postmortem_file(judge: Judge, pm) -> str:
    # A restricted postmortem's file name carries its title: named to nobody,
    # not even internally (the CLI's output lands in CI logs).
    return judge.rel(pm.file) if may_read(judge.audience, pm) else FOLDER


def postmortems_on_time(judge: Judge) -> Item:
    """Resolved incidents whose level has ``postmortem: required``. The deadline
    is the level's postmortem_due after resolution, or the end of the
    postmortem's own ``due`` day when it sets one (as validate computes it). A
    postmortem is written when one covering the incident is out of draft; it was
    on time when its ``date`` is before the deadline (undated: taken as on time).
    fail: past the deadline with no postmortem out of draft. warn: the ladder
    requires none, or one was written after its deadline. pass: otherwise."""
    title, key = "Postmortems on time", "postmortems-on-time"
    kb, zone, now = judge.kb, judge.kb.zone, judge.now
    ladder = judge.rel(kb.severity_file.file) if kb.severity_file is not None else LAYOUT.severity
    if not any(level.postmortem == "required" for level in kb.levels):
        return make(8, key, title, "warn", "No severity level requires a postmortem (postmortem: required), so no "
                    "incident is ever reviewed on a deadline", ladder,
                    "set postmortem: required and a postmortem_due (e.g. 5bd) on the levels that page")
    on_time, written_late, missing, pending, undated = [], [], [], [], 0
    for inc in sorted(kb.incident_list, key=lambda i: i.id):
        level = kb.severities.get(inc.severity)
        if level is None or level.postmortem != "required" or inc.resolved is None:
            continue
        deadline = level.postmortem_due.after(inc.resolved, zone) if level.postmortem_due else inc.resolved
        docs = kb.postmortems_for(inc.id)
        if docs and docs[0].due is not None:
            deadline = start_of_day(docs[0].due + timedelta(days=1), zone)
        written = [pm for pm in docs if pm.status != "draft"]
        if written:
            if written[0].date is None:
                undated += 1
                on_time.append(inc)
            elif start_of_day(written[0].date, zone) < deadline:
                on_time.append(inc)
            else:
                written_late.append((inc, written[0]))
        elif deadline <= now:
            missing.append((inc, docs[0] if docs else None))
        else:
            pending.append(inc)
    due = len(on_time) + len(written_late) + len(missing)
    if not due and not pending:
        return make(8, key, title, "pass", "No resolved incident has needed a postmortem yet", FOLDER)
    parts = [f"{len(on_time)} of {plural(due, 'required postmortem')} written on time"
             + (f" ({undated} undated, taken as on time)" if undated else "")] if due else []
    if written_late:
        parts.append(f"{len(written_late)} written after the deadline ({_incidents(judge, [i for i, _ in written_late])})")
    if missing:
        parts.append(f"{len(missing)} past the deadline and not out of draft ({_incidents(judge, [i for i, _ in missing])})")
    if pending:
        parts.append(f"{len(pending)} {'more ' if due else ''}in draft or not started, not due yet")
    why = "; ".join(parts)
    if missing:
        inc, draft = missing[0]
        shown = _incidents(judge, [inc])
        if draft is not None:
            return make(8, key, title, "fail", why, _postmortem_file(judge, draft),
                        f"finish the postmortem for {shown} and set status: in-review (or published)")
        return make(8, key, title, "fail", why, FOLDER,
                    f"write the postmortem for {shown}"
                    + (f" (`opsbook postmortem new {inc.id}`)" if may_read_incident(judge.audience, inc) else ""))
    if written_late:
        return make(8, key, title, "warn", why, _postmortem_file(judge, written_late[0][1]),
                    "agree a due: in the postmortem's front matter when a review needs longer, or lengthen "
                    "postmortem_due in the ladder if it is routinely too short")
    return make(8, key, title, "pass", why, FOLDER)


def action_items_on_time(judge: Judge) -> Item:
    """Every action item of every postmortem, judged on the organisation's
    calendar day at ``now``. fail: an open item overdue by more than
    policies.action_items.overdue_error_after (validate's OB error). warn: an
    open item overdue by less, or open without a due date. pass: nothing open is
    overdue. Items closed after their due date are counted, not judged: history
    cannot be fixed."""
    title, key = "Action items closed on time", "action-items-on-time"
    kb = judge.kb
    today = judge.now.astimezone(kb.zone).date()
    limit = kb.config.policies.action_items.overdue_error_after.days
    items = [(pm, item) for pm in sorted(kb.postmortem_list, key=lambda p: p.id) for item in pm.action_items]
    if not items:
        return make(9, key, title, "pass", "No postmortem has action items yet", FOLDER)
    opened = [(pm, item) for pm, item in items if item.is_open]
    closed = [item for _, item in items if not item.is_open]
    closed_late = [item for item in closed if item.due and item.closed and item.closed > item.due]
    overdue = sorted(((pm, item, (today - item.due).days) for pm, item in opened if item.due and item.due < today),
                     key=lambda t: (-t[2], t[1].id))
    undated = [(pm, item) for pm, item in opened if item.due is None]
    too_long = [entry for entry in overdue if entry[2] > limit]
    postmortems = len({pm.id for pm, _ in items})
    parts = [f"{plural(len(items), 'item')} in {plural(postmortems, 'postmortem')}: {len(closed)} closed"
             + (f" ({len(closed) - len(closed_late)} by their due date, {len(closed_late)} after it)"
                if closed_late else ""),
             f"{len(opened)} open"]
    if overdue:
        parts.append(f"{len(overdue)} overdue, the longest by {plural(overdue[0][2], 'day')} "
                     f"({len(too_long)} by more than the {plural(limit, 'day')} policies.action_items."
                     f"overdue_error_after allows)")
    elif opened:
        parts.append("none overdue")
    if undated:
        parts.append(f"{len(undated)} open without a due date")
    why = "; ".join(parts)
    if overdue or undated:
        pm, item = (overdue[0][0], overdue[0][1]) if overdue else undated[0]
        visible = may_read(judge.audience, pm)
        what = f"action item {item.id}" if visible else "the oldest overdue item"
        fix = (f"close {what} (`opsbook actions done`) or agree a new due date; `opsbook actions --overdue` lists "
               "every one" if overdue else f"give {what} a due date")
        return make(9, key, title, "fail" if too_long else "warn", why, _postmortem_file(judge, pm), fix)
    return make(9, key, title, "pass", why, FOLDER)

"""Policy rules that need no engine: runbook sections and reviews, escalation
order, action-item ownership, postmortem duty, incident milestones."""

from __future__ import annotations

from datetime import timedelta
from typing import Iterable

from opsbook.check.registry import Context, check
from opsbook.diagnostics import (
    ACTION_ITEM_DUE,
    ACTION_ITEM_OWNER,
    ESCALATION_ORDER,
    INCIDENT_ROLES,
    INCIDENT_TIME_ORDER,
    POSTMORTEM_MISSING,
    RUNBOOK_REVIEW_OVERDUE,
    RUNBOOK_SECTION_EMPTY,
    RUNBOOK_SECTION_MISSING,
    UNKNOWN_PERSON,
    Diagnostic,
    Level,
    shown,
)
from opsbook.markdown import is_placeholder, section_key
from opsbook.suggest import closest
from opsbook.model.incident import MILESTONE_ORDER
from opsbook.model.postmortem import by_incident
from opsbook.timeutil import format_duration, humanize, start_of_day


def _days(delta) -> str:
    return f"{delta.days} day{'s' if delta.days != 1 else ''}"


@check
def runbook_sections(ctx: Context) -> Iterable[Diagnostic]:
    """Required sections, matched as CommonMark reads headings (code blocks hold none),
    case-insensitively and ignoring trailing punctuation; near misses get a did-you-mean,
    and a required section that is empty or only says TODO is a finding too."""
    policy = ctx.kb.config.policies.runbooks
    for doc in ctx.kb.runbook_list:
        rules = doc.rules(policy)
        if rules.is_page or not rules.sections:
            continue
        sections = [s for s in doc.markdown.sections if s.heading.level >= 2]
        present = {}
        for section in sections:
            present.setdefault(section_key(section.heading.text), section)
        missing = [name for name in rules.sections if section_key(name) not in present]
        near = {}
        unused = {key: s for key, s in present.items() if key not in {section_key(n) for n in rules.sections}}
        for name in missing:
            close = closest(section_key(name), list(unused))
            if close is not None:
                near[name] = unused.pop(close)
        if missing:
            names = ", ".join(missing)
            first = missing[0]
            if first in near:
                heading = near[first].heading
                hint = (f"did you mean '{shown(heading.text)}' (line {heading.line})? rename it to '## {first}'; "
                        "the policy is set in opsbook.yaml under policies.runbooks")
            else:
                hint = (f"add '## {first}' with what a responder does there; the policy is set in opsbook.yaml "
                        "under policies.runbooks (a folder can have its own: policies.runbooks.folders)")
            others = [f"'{shown(near[n].heading.text)}' for {n}" for n in missing[1:] if n in near]
            if others:
                hint += "; also " + ", ".join(others)
            yield Diagnostic(
                RUNBOOK_SECTION_MISSING, doc.file,
                f"runbook lacks the section{'s' if len(missing) > 1 else ''} {names} (policy: {rules.profile})",
                hint, line=doc.body_first_line, column=1)
        for name in rules.sections:
            section = present.get(section_key(name))
            if section is not None and is_placeholder(section.text):
                said = section.text.strip()
                what = f"only says '{shown(said[:40])}'" if said else "is empty"
                yield Diagnostic(
                    RUNBOOK_SECTION_EMPTY, doc.file, f"the required section '{shown(section.heading.text)}' {what}",
                    f"write what a responder does under '{shown(section.heading.text)}', or ask the owner to",
                    line=section.heading.line, column=1)


@check
def runbook_reviews(ctx: Context) -> Iterable[Diagnostic]:
    policy = ctx.kb.config.policies.runbooks
    today = ctx.now.astimezone(ctx.kb.zone).date()
    for doc in ctx.kb.runbook_list:
        rules = doc.rules(policy)
        if rules.is_page or not rules.reviews:
            continue
        interval = doc.review_every or rules.review_every
        if doc.last_reviewed is None:
            yield Diagnostic(RUNBOOK_REVIEW_OVERDUE, doc.file, "runbook has no last_reviewed date",
                             f"review it and add last_reviewed: {today.isoformat()}"
                             + ("" if doc.extra or doc.body_first_line > 1 else
                                " in front matter (a '---' block at the top)"), path=())
            continue
        due = doc.last_reviewed + interval
        if due < today:
            yield Diagnostic(RUNBOOK_REVIEW_OVERDUE, doc.file,
                             f"runbook review is overdue: last reviewed {doc.last_reviewed.isoformat()}, due every "
                             f"{format_duration(interval)}, so by {due.isoformat()} ({_days(today - due)} ago)",
                             f"walk through it against the live system, fix what changed, and set last_reviewed: "
                             f"{today.isoformat()}", path=("last_reviewed",))


@check
def escalation_delays(ctx: Context) -> Iterable[Diagnostic]:
    f = ctx.kb.escalation_file
    if not f:
        return
    for i, policy in enumerate(f.policies):
        for j in range(1, len(policy.steps)):
            before, after = policy.steps[j - 1].after, policy.steps[j].after
            if after <= before:
                yield Diagnostic(ESCALATION_ORDER, f.file,
                                 f"step {j + 1} of policy '{policy.id}' notifies after {format_duration(after)}, "
                                 f"not later than step {j} ({format_duration(before)})",
                                 "each step's 'after' must be strictly greater than the step before it",
                                 path=("policies", i, "steps", j, "after"))


@check
def action_items_have_due_dates(ctx: Context) -> Iterable[Diagnostic]:
    """An open item needs a due date; a done or wont-do item (history) needs none."""
    for pm in ctx.kb.postmortem_list:
        for i, item in enumerate(pm.action_items):
            if item.due is None and item.is_open:
                yield Diagnostic(ACTION_ITEM_DUE, pm.file, f"action item {item.id} has no due date",
                                 "add due: YYYY-MM-DD; an item without a date never becomes urgent",
                                 path=("action_items", i))


@check
def action_item_owners(ctx: Context) -> Iterable[Diagnostic]:
    """An owner is a person id, or a team id. An open item needs an owner (an error) and
    should name one person (a team is a warning); a done or wont-do item is history and
    needs neither, though a name it gives must still be a person or a team."""
    kb = ctx.kb
    for pm in kb.postmortem_list:
        f = pm.file
        for i, item in enumerate(pm.action_items):
            path = ("action_items", i, "owner")
            if item.owner is None:
                if item.is_open:
                    yield Diagnostic(ACTION_ITEM_OWNER, f, f"action item {item.id} has no owner",
                                     "name one person who is accountable: owner: <person id>",
                                     path=("action_items", i))
            elif kb.knows("team", item.owner):
                if item.is_open:
                    yield Diagnostic(ACTION_ITEM_OWNER, f,
                                     f"open action item {item.id} is owned by the team '{item.owner}'",
                                     "an item owned by a team is often owned by nobody; name one person from it "
                                     "(a closed item may keep its team)", path=path, level=Level.WARNING)
            else:
                yield from ctx.reference("person", item.owner, UNKNOWN_PERSON, f, path, what="person or team")


@check
def postmortems_on_time(ctx: Context) -> Iterable[Diagnostic]:
    kb = ctx.kb
    covering = by_incident(kb.postmortem_list)  # `incident` and `incidents` alike
    for inc in kb.incident_list:
        level = kb.severities.get(inc.severity)
        if level is None or level.postmortem != "required" or inc.resolved is None:
            continue
        deadline = level.postmortem_due.after(inc.resolved, kb.zone) if level.postmortem_due else inc.resolved
        docs = covering.get(inc.id, [])
        if docs and docs[0].due is not None:
            # A due date in the front matter (written by `postmortem new`, or an
            # agreed extension in review) replaces the computed one: the day ends
            # at midnight in the organisation's zone.
            deadline = start_of_day(docs[0].due + timedelta(days=1), kb.zone)
        if deadline > ctx.now:
            continue
        late = f"due {humanize(ctx.now - deadline)} ago"
        if not docs:
            yield Diagnostic(POSTMORTEM_MISSING, inc.file,
                             f"{inc.severity} requires a postmortem for {inc.id}; none exists ({late})",
                             f"write it with `opsbook postmortem new {inc.id}`, or under postmortems/ with "
                             f"'incident: {inc.id}' in its front matter", path=("severity",))
        elif all(pm.status == "draft" for pm in docs):
            pm = docs[0]
            yield Diagnostic(POSTMORTEM_MISSING, pm.file,
                             f"postmortem for {inc.id} is still a draft ({late})",
                             "finish it and set status: in-review (or published)", path=("status",))


@check
def incident_milestones(ctx: Context) -> Iterable[Diagnostic]:
    for inc in ctx.kb.incident_list:
        for earlier, later in MILESTONE_ORDER:
            a, b = getattr(inc, earlier), getattr(inc, later)
            if a is not None and b is not None and b < a:
                yield Diagnostic(INCIDENT_TIME_ORDER, inc.file,
                                 f"{later} ({b.isoformat()}) is before {earlier} ({a.isoformat()})",
                                 f"{later} cannot happen before {earlier}; check the times and their offsets",
                                 path=(later,))
        if inc.status == "resolved" and inc.resolved is None:
            yield Diagnostic(INCIDENT_TIME_ORDER, inc.file, "status is resolved but there is no 'resolved' time",
                             "add resolved: <time impact ended>", path=("status",))
        if inc.status != "resolved" and inc.resolved is not None:
            yield Diagnostic(INCIDENT_TIME_ORDER, inc.file,
                             f"'resolved' is set but status is {inc.status}",
                             "set status: resolved, or remove the resolved time to reopen", path=("resolved",))
        for i in range(1, len(inc.updates)):
            if inc.updates[i].at < inc.updates[i - 1].at:
                yield Diagnostic(INCIDENT_TIME_ORDER, inc.file,
                                 f"update {i + 1} ({inc.updates[i].at.isoformat()}) is earlier than the update before it",
                                 "updates are listed oldest first", path=("updates", i, "at"))
        for i in range(1, len(inc.timeline)):
            if inc.timeline[i].at < inc.timeline[i - 1].at:
                yield Diagnostic(INCIDENT_TIME_ORDER, inc.file,
                                 f"timeline entry {i + 1} ({inc.timeline[i].at.isoformat()}) is earlier than the one "
                                 "before it", "timeline entries are listed oldest first", path=("timeline", i, "at"))


@check
def incident_roles(ctx: Context) -> Iterable[Diagnostic]:
    for inc in ctx.kb.incident_list:
        level = ctx.kb.severities.get(inc.severity)
        if level is None:
            continue
        filled = set(inc.roles) | ({"commander"} if inc.commander else set())
        missing = [role for role in level.roles if role not in filled]
        if missing:
            parts = [] if "commander" not in missing else ["commander: <person id>"]
            others = [role for role in missing if role != "commander"]
            if others:
                parts.append("roles: {" + ", ".join(f"{role}: <person id>" for role in others) + "}")
            yield Diagnostic(INCIDENT_ROLES, inc.file,
                             f"{inc.severity} needs the role{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                             "add " + " and ".join(parts), path=("roles",) if inc.roles else ())



"""Who is paged when: an escalation policy resolved at an instant to people.

Each step fires at ``page + after`` (an absolute delay: minute 10 is ten minutes
of real time later, across a DST change too, because instants are UTC). A
schedule target is resolved to whoever holds its role *when the step fires*,
so a handoff between minute 0 and minute 30 is honoured; a team is its
members; a person is that person. A step whose targets all resolve to nobody is
a gap: a page that reaches no one. Repeated rounds are laid out when the policy
says when they start (``repeat_after``); otherwise the answer says how many
more rounds follow and that their time is not stated.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import Field

from opsbook.outputs import Output, SkippedList


class Reached(Output):
    kind: str
    """schedule, person or team."""
    id: str
    role: str | None = None
    """primary or backup, for a schedule."""
    people: list[str]
    """Person ids this target pages at that instant; empty when nobody holds it."""
    note: str | None = None
    """Why nobody, when nobody."""


class Page(Output):
    minute: float
    """Minutes after the first page."""
    at: str
    """The instant the step fires (ISO 8601)."""
    round: int
    """0 for the first pass; each repeat is the next round."""
    step: int
    """1-based step of the policy."""
    targets: list[Reached]
    people: list[str]
    """Everyone this step pages, in target order, without repeats."""
    gap: bool
    """True when the step pages nobody."""


class EscalationTimeline(Output):
    """`opsbook escalation SERVICE|POLICY --json`."""

    policy: str
    policy_name: str | None
    service: str | None
    severity: str | None
    override: bool
    """True when the severity's own policy replaced the service's."""
    at: str
    repeat: int
    repeat_after_minutes: float | None
    rounds_laid_out: int
    pages: list[Page]
    gaps: int
    """Steps that page nobody."""
    notes: list[str] = []
    skipped: SkippedList = Field(default_factory=list)


class EscalationError(LookupError):
    """An unknown service, policy or severity (a finding: exit 1)."""


def choose_policy(kb, name: str, severity: str | None = None):
    """(policy, service id or None, override?) for a service id or a policy id.

    A severity level with its own ``escalation`` replaces a service's policy (the
    ladder says so: "the policy that replaces the service's own at this level");
    a policy named outright is taken as named.
    """
    from opsbook.incidents.lifecycle import unknown

    level = None
    if severity is not None:
        level = kb.severities.get(severity)
        if level is None:
            raise EscalationError(unknown("severity", severity, kb.ids("severity")))
    service = kb.services.get(name)
    if service is not None:
        if level is not None and level.escalation:
            policy_id, override = level.escalation, True
        elif service.escalation:
            policy_id, override = service.escalation, False
        else:
            raise EscalationError(f"service '{name}' names no escalation policy in opsbook.yaml")
        policy = kb.escalation.get(policy_id)
        if policy is None:
            raise EscalationError(unknown("escalation policy", policy_id, kb.ids("escalation")) +
                                  f" (named by {'severity ' + level.id if override else 'service ' + name})")
        return policy, service.id, override
    policy = kb.escalation.get(name)
    if policy is None:
        raise EscalationError(unknown("service or escalation policy", name,
                                      sorted(set(kb.ids("service")) | set(kb.ids("escalation")))))
    return policy, None, False


def _resolve(kb, target, fires: datetime, cache: dict) -> Reached:
    from opsbook.oncall.engine import UnknownSchedule, find_schedule, state_at

    if target.person:
        known = kb.knows("person", target.person) is not False
        return Reached(kind="person", id=target.person, people=[target.person] if known else [],
                       note=None if known else "no such person in people.yaml")
    if target.team:
        team = kb.teams.get(target.team)
        if team is None:
            return Reached(kind="team", id=target.team, people=[], note="no such team in people.yaml")
        return Reached(kind="team", id=target.team, people=list(team.members),
                       note=None if team.members else "the team has no members")
    key = (target.schedule, fires)
    if key not in cache:
        try:
            cache[key] = state_at(find_schedule(kb, target.schedule), fires)
        except UnknownSchedule as exc:
            cache[key] = exc
    state = cache[key]
    if isinstance(state, Exception):
        return Reached(kind="schedule", id=target.schedule, role=target.role, people=[], note=str(state))
    holder = getattr(state, target.role)
    return Reached(kind="schedule", id=target.schedule, role=target.role, people=[holder] if holder else [],
                   note=None if holder else f"nobody is {target.role} on {target.schedule} then (a gap)")


def escalation_timeline(kb, policy, at: datetime, service: str | None = None, severity: str | None = None,
                        override: bool = False) -> EscalationTimeline:
    """Every notification of ``policy`` for a page at ``at``, resolved to people."""
    from opsbook.humanize import duration_text

    if at.tzinfo is None:
        raise ValueError("at must be an aware datetime")
    cache: dict = {}
    pages = []
    index = {id(step): i for i, step in enumerate(policy.steps)}
    for delay, round_, step in policy.notifications():
        fires = at + delay  # aware + timedelta: absolute time, DST-proof once in UTC
        fires = fires.astimezone(at.tzinfo)
        targets = [_resolve(kb, target, fires, cache) for target in step.notify]
        people: list[str] = []
        for reached in targets:
            people += [p for p in reached.people if p not in people]
        pages.append(Page(minute=delay / timedelta(minutes=1), at=fires.isoformat(), round=round_,
                          step=index[id(step)] + 1, targets=targets, people=people, gap=not people))
    rounds = policy.repeat + 1 if policy.repeat and policy.repeat_after else 1
    notes = []
    if policy.repeat and not policy.repeat_after:
        notes.append(f"after the last step the policy repeats {policy.repeat} more time(s), but it does not say "
                     "when (no repeat_after), so those rounds are not laid out; set repeat_after to lay them out")
    return EscalationTimeline(
        policy=policy.id, policy_name=policy.name, service=service, severity=severity, override=override,
        at=at.isoformat(), repeat=policy.repeat,
        repeat_after_minutes=policy.repeat_after / timedelta(minutes=1) if policy.repeat_after else None,
        rounds_laid_out=rounds, pages=pages, gaps=sum(p.gap for p in pages), notes=notes)


def timeline_lines(kb, answer: EscalationTimeline, zone, indent: str = "  ") -> list[str]:
    """The timeline as text lines: minute, local time, who (names), and gaps flagged."""
    from opsbook.humanize import person_name

    out = []
    for page in answer.pages:
        when = datetime.fromisoformat(page.at).astimezone(zone)
        parts = []
        for target in page.targets:
            label = f"{target.id} {target.role}" if target.kind == "schedule" else f"{target.kind} {target.id}"
            who = ", ".join(person_name(kb, p) for p in target.people) if target.people else "NOBODY"
            parts.append(f"{label}: {who}")
        minute = f"{page.minute:g}"
        round_ = f" (round {page.round + 1})" if answer.rounds_laid_out > 1 else ""
        flag = "  <- GAP: this step pages nobody" if page.gap else ""
        out.append(f"{indent}minute {minute:>4}  {when:%Y-%m-%d %H:%M %Z}{round_}  " + "; ".join(parts) + flag)
    for note in answer.notes:
        out.append(f"{indent}note: {note}")
    return out


def for_incident(kb, incident, at: datetime) -> tuple[list[EscalationTimeline], list[str]]:
    """The timelines that page for ``incident`` at ``at``: the level's override when it has
    one, else each distinct policy of its services; and notes for what could not be resolved."""
    from opsbook.model.kb import NotLoaded

    level = kb.severities.get(incident.severity)
    out, notes, seen = [], [], set()
    try:
        if level is not None and level.escalation:
            policy = kb.escalation.get(level.escalation)
            if policy is None:
                return [], [f"{level.id}'s escalation policy '{level.escalation}' is not defined"]
            return [escalation_timeline(kb, policy, at, None, level.id, True)], []
        for service_id in incident.services:
            service = kb.services.get(service_id)
            if service is None or not service.escalation or service.escalation in seen:
                continue
            seen.add(service.escalation)
            policy = kb.escalation.get(service.escalation)
            if policy is None:
                notes.append(f"{service_id}'s escalation policy '{service.escalation}' is not defined")
                continue
            out.append(escalation_timeline(kb, policy, at, service_id, incident.severity, False))
    except NotLoaded:
        raise  # a caller that did not load escalation or schedules: a bug, not a finding
    return out, notes

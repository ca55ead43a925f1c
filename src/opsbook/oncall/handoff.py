"""The on-call handoff: who hands over to whom, and what they hand over.

A handoff is an instant when someone comes on call and the (primary, backup)
pair differs from the last pair on call (``engine.handoffs_between``). For the
latest handoff at or before ``at`` it gathers the outgoing and incoming pairs,
incidents that touched the team's services during the outgoing shift, open
action items owned by the team's members (overdue ones first), and overrides
during the coming shift. Rendered as text, JSON or Slack Block Kit.

Action items of restricted postmortems are left out: a handoff goes to a
channel, and restricted postmortems are published nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from opsbook.model.incident import Incident
from opsbook.model.kb import KnowledgeBase
from opsbook.model.postmortem import ActionItem
from opsbook.model.schedule import Override, Schedule
from opsbook.oncall import engine
from opsbook.timeutil import get_zone, humanize


@dataclass(frozen=True)
class Handoff:
    schedule: Schedule
    at: datetime
    previous: datetime | None
    """When the outgoing shift began (the handoff before this one)."""
    next: datetime | None
    outgoing: tuple[str | None, str | None]
    incoming: tuple[str | None, str | None]
    incidents: tuple[Incident, ...]
    action_items: tuple[tuple[ActionItem, str], ...]
    """(item, postmortem id), overdue first."""
    overdue: frozenset[str]
    overrides: tuple[tuple[int, Override], ...]


def _team_services(kb: KnowledgeBase, schedule: Schedule) -> set[str]:
    return {svc.id for svc in kb.config.services
            if svc.schedule == schedule.id or (schedule.team and svc.team == schedule.team)}


def build_handoff(kb: KnowledgeBase, schedule: Schedule, at: datetime) -> Handoff | None:
    """The latest handoff at or before ``at``; None when there has been none in a year."""
    when = engine.last_handoff(schedule, at)
    if when is None:
        return None
    before = engine.last_handoff(schedule, when - timedelta(microseconds=1))
    after = engine.next_handoff(schedule, when)
    incoming = engine.state_at(schedule, when)
    outgoing = engine.last_pair_before(schedule, when) or (None, None)
    window_start = before or when - timedelta(weeks=1)

    services = _team_services(kb, schedule)
    incidents = []
    for incident in kb.incident_list:
        began = incident.started or incident.detected or incident.declared
        ended = incident.resolved
        if set(incident.services) & services and began < when and (ended is None or ended >= window_start):
            incidents.append(incident)
    incidents.sort(key=lambda i: i.declared)

    from opsbook.visibility import visible_postmortems

    team = kb.teams.get(schedule.team) if schedule.team else None
    members = set(team.members) if team else {p for layer in schedule.layers for p in layer.members}
    today = at.astimezone(kb.zone).date()
    items, overdue = [], set()
    for pm in visible_postmortems(kb, "internal"):
        for item in pm.action_items:
            if item.is_open and item.owner in members:
                items.append((item, pm.id))
                if item.due is not None and item.due < today:
                    overdue.add(item.id)
    items.sort(key=lambda pair: (pair[0].id not in overdue, pair[0].due or today.max, pair[0].id))

    # An override is itself a handoff, so "until the next handoff" would hide
    # the very override the incoming person needs to hear about: look a whole
    # turn ahead (at least up to the next handoff).
    turn = max(layer.length for layer in schedule.layers)
    end = max(after or when, when + turn)
    overrides = tuple((i, o) for i, o in enumerate(schedule.overrides) if o.start < end and o.end > when)
    return Handoff(schedule, when, before, after, outgoing, (incoming.primary, incoming.backup),
                   tuple(incidents), tuple(items), frozenset(overdue), overrides)


# --- output ---------------------------------------------------------------------------------


def _local(handoff: Handoff, at: datetime | None) -> str:
    if at is None:
        return "—"
    local = at.astimezone(get_zone(handoff.schedule.timezone))
    # An override can reach far (from 1900, to 2999): name the year when it is not the handoff's.
    same_year = local.year == handoff.at.astimezone(local.tzinfo).year
    return local.strftime("%a %d %b %H:%M %Z" if same_year else "%a %d %b %Y %H:%M %Z")


def _name(kb: KnowledgeBase, person: str | None) -> str:
    if person is None:
        return "nobody"
    known = kb.people.get(person)
    return known.name if known else person


def as_json(kb: KnowledgeBase, h: Handoff) -> dict:
    def person(ident):
        return None if ident is None else {"id": ident, "name": _name(kb, ident)}

    return {
        "schedule": h.schedule.id, "name": h.schedule.name, "at": h.at.isoformat(),
        "previous_handoff": h.previous.isoformat() if h.previous else None,
        "next_handoff": h.next.isoformat() if h.next else None,
        "outgoing": {"primary": person(h.outgoing[0]), "backup": person(h.outgoing[1])},
        "incoming": {"primary": person(h.incoming[0]), "backup": person(h.incoming[1])},
        "incidents": [{"id": i.id, "title": i.title, "severity": i.severity, "status": i.status,
                       "services": list(i.services)} for i in h.incidents],
        "action_items": [{"id": item.id, "title": item.title, "owner": item.owner, "status": item.status,
                          "due": item.due.isoformat() if item.due else None, "overdue": item.id in h.overdue,
                          "postmortem": pm} for item, pm in h.action_items],
        "overrides": [{"index": i, "role": o.role, "person": person(o.person), "start": o.start.isoformat(),
                       "end": o.end.isoformat(), "reason": o.reason} for i, o in h.overrides],
    }


def as_text(kb: KnowledgeBase, h: Handoff) -> str:
    lines = [f"Handoff: {h.schedule.name} at {_local(h, h.at)}"]
    if h.next:
        lines[0] += f" (next {_local(h, h.next)}, in {humanize(h.next - h.at)})"
    lines += [
        f"  outgoing  primary {_name(kb, h.outgoing[0])}, backup {_name(kb, h.outgoing[1])}",
        f"  incoming  primary {_name(kb, h.incoming[0])}, backup {_name(kb, h.incoming[1])}",
        "",
        f"Incidents during the outgoing shift ({len(h.incidents)}):",
    ]
    lines += [f"  {i.id} {i.severity} {i.status}: {i.title}" for i in h.incidents] or ["  none"]
    lines += ["", f"Open action items owned by the team ({len(h.action_items)}, {len(h.overdue)} overdue):"]
    lines += [f"  {'OVERDUE ' if item.id in h.overdue else ''}{item.id} ({item.owner}, due "
              f"{item.due.isoformat() if item.due else 'unset'}): {item.title}"
              for item, _ in h.action_items] or ["  none"]
    lines += ["", f"Overrides in the coming shift ({len(h.overrides)}):"]
    lines += [f"  {o.role} {_name(kb, o.person)} {_local(h, o.start)} → {_local(h, o.end)}"
              + (f": {o.reason}" if o.reason else "") for _, o in h.overrides] or ["  none"]
    return "\n".join(lines)


def _mrkdwn(text: str) -> str:
    # Slack's mrkdwn needs exactly these three escaped; anything else is shown as typed.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mention(kb: KnowledgeBase, person: str | None) -> str:
    if person is None:
        return "_nobody_"
    known = kb.people.get(person)
    if known is not None and known.slack:
        return f"<@{known.slack}>"  # the id is validated as U.../W... in the model
    return _mrkdwn(_name(kb, person))


def slack_payload(kb: KnowledgeBase, h: Handoff) -> dict:
    """A Block Kit message (with a plain ``text`` fallback for notifications)."""
    title = f"On-call handoff: {h.schedule.name}"
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150], "emoji": False}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _mrkdwn(
            f"{_local(h, h.at)}" + (f" · next handoff {_local(h, h.next)}" if h.next else ""))}]},
        {"type": "section", "fields": [
            {"type": "mrkdwn", "text": f"*Outgoing primary*\n{_mention(kb, h.outgoing[0])}"},
            {"type": "mrkdwn", "text": f"*Incoming primary*\n{_mention(kb, h.incoming[0])}"},
            {"type": "mrkdwn", "text": f"*Outgoing backup*\n{_mention(kb, h.outgoing[1])}"},
            {"type": "mrkdwn", "text": f"*Incoming backup*\n{_mention(kb, h.incoming[1])}"},
        ]},
        {"type": "divider"},
    ]

    def section(heading: str, rows: list[str]) -> dict:
        body = "\n".join(rows) if rows else "_none_"
        text = f"*{heading}*\n{body}"
        if len(text) > 2900:  # Slack caps a section's text at 3000 characters
            text = text[:2890] + "\n…"
        return {"type": "section", "text": {"type": "mrkdwn", "text": text}}

    blocks.append(section(f"Incidents during the outgoing shift ({len(h.incidents)})", [
        f"• *{_mrkdwn(i.id)}* {_mrkdwn(i.severity)} · {_mrkdwn(i.status)} — {_mrkdwn(i.title)}" for i in h.incidents]))
    blocks.append(section(f"Open action items owned by the team ({len(h.action_items)}, {len(h.overdue)} overdue)", [
        f"• {':warning: *overdue* ' if item.id in h.overdue else ''}*{_mrkdwn(item.id)}* {_mrkdwn(item.title)} "
        f"({_mention(kb, item.owner)}, due {item.due.isoformat() if item.due else 'unset'})"
        for item, _ in h.action_items]))
    blocks.append(section(f"Overrides in the coming shift ({len(h.overrides)})", [
        f"• {o.role}: {_mention(kb, o.person)} {_mrkdwn(_local(h, o.start))} → {_mrkdwn(_local(h, o.end))}"
        + (f" — {_mrkdwn(o.reason)}" if o.reason else "") for _, o in h.overrides]))
    fallback = (f"{title}: {_name(kb, h.outgoing[0])} → {_name(kb, h.incoming[0])} (primary), "
                f"{_name(kb, h.outgoing[1])} → {_name(kb, h.incoming[1])} (backup)")
    # The fallback is shown in notifications and parsed as mrkdwn too: a name
    # like "<!channel>" must not ping a whole channel.
    return {"text": _mrkdwn(fallback), "blocks": blocks}

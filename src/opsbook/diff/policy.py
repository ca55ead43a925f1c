"""What changed in the policies themselves: severity ladder, escalation
policies, services, runbooks and alerts, status-page components, opsbook.yaml.

Each comparison takes the two knowledge bases and returns ``Change`` records
whose values are worded as people read them (names, "15 min"), never raw YAML.
Things are matched by id; a kind whose file does not load on one side is not
compared (its absence would read as "everything removed"), and validation
reports the broken file instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Callable, Iterable

from opsbook.diff.model import Change, FieldChange
from opsbook.humanize import deadline_text, duration_text, person_name, service_name, team_name
from opsbook.model.kb import KnowledgeBase
from opsbook.timeutil import Deadline


def _text(value: Any) -> str:
    if value is None or value == [] or value == "" or value == {}:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, timedelta):
        return duration_text(value)
    if isinstance(value, Deadline):
        return deadline_text(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _fields(pairs: Iterable[tuple[str, Any, Any]]) -> list[FieldChange]:
    return [FieldChange(field=name, before=_text(a), after=_text(b)) for name, a, b in pairs if a != b]


def _by_id(old: dict, new: dict, kind: str, name: Callable[[Any], str],
           compare: Callable[[Any, Any], tuple[list[FieldChange], list[str]]],
           skip: set[str] = frozenset()) -> list[Change]:
    """Added, removed and changed items of two id indexes, in the new order then removed ones."""
    out: list[Change] = []
    for ident, item in new.items():
        if ident in skip:
            continue
        if ident not in old:
            out.append(Change(kind=kind, id=ident, name=name(item), status="added"))
            continue
        fields, notes = compare(old[ident], item)
        if fields or notes:
            out.append(Change(kind=kind, id=ident, name=name(item), status="changed", fields=fields, notes=notes))
    out += [Change(kind=kind, id=ident, name=name(item), status="removed")
            for ident, item in old.items() if ident not in new and ident not in skip]
    return out


def _broken(base: KnowledgeBase, head: KnowledgeBase, kind: str) -> bool:
    return kind in base.broken or kind in head.broken


def _broken_ids(base: KnowledgeBase, head: KnowledgeBase, kind: str) -> set[str]:
    return {ident for k, ident in base.broken_ids | head.broken_ids if k == kind}


# --- severity ----------------------------------------------------------------------


def severity(base: KnowledgeBase, head: KnowledgeBase) -> list[Change]:
    if _broken(base, head, "severity"):
        return []

    def compare(a, b):
        fields = _fields([
            ("name", a.name, b.name),
            ("pages the on-call responder", a.page, b.page),
            ("acknowledge within", a.ack_within, b.ack_within),
            ("updates every", a.update_every, b.update_every),
            ("roles", a.roles, b.roles),
            ("postmortem", a.postmortem, b.postmortem),
            ("postmortem due", deadline_text(a.postmortem_due) or None, deadline_text(b.postmortem_due) or None),
            ("status page", a.status_page, b.status_page),
            ("escalation", _policy_name(base, a.escalation), _policy_name(head, b.escalation)),
        ])
        notes = []
        if a.page and not b.page:
            notes.append(f"{b.id} no longer pages")
        elif b.page and not a.page:
            notes.append(f"{b.id} now pages")
        return fields, notes

    out = _by_id(base.severities, head.severities, "severity", lambda level: level.id, compare)
    for change in out:
        level = head.severities.get(change.id) or base.severities.get(change.id)
        if change.status == "added" and level.page:
            change.notes.append(f"{level.id} pages")
    old_order = [i for i in base.severities if i in head.severities]
    new_order = [i for i in head.severities if i in base.severities]
    if old_order != new_order:
        out.append(Change(kind="severity", id="(order)", name="order of the ladder", status="changed",
                          fields=[FieldChange(field="most severe first", before=" > ".join(old_order),
                                              after=" > ".join(new_order))],
                          notes=["the ladder was reordered"]))
    return out


def _policy_name(kb: KnowledgeBase, ident: str | None) -> str | None:
    if ident is None:
        return None
    policy = kb.escalation.get(ident) if "escalation" not in kb.broken else None
    return policy.name or ident if policy is not None else ident


# --- escalation ----------------------------------------------------------------------


def target_text(kb: KnowledgeBase, target) -> str:
    if target.schedule is not None:
        schedule = kb.schedules.get(target.schedule)
        return f"{schedule.name if schedule else target.schedule} ({target.role})"
    if target.person is not None:
        return person_name(kb, target.person)
    return f"team {team_name(kb, target.team)}"


def _steps(kb: KnowledgeBase, policy) -> list[tuple[timedelta, list[str]]]:
    return [(step.after, [target_text(kb, t) for t in step.notify]) for step in policy.steps]


def escalation(base: KnowledgeBase, head: KnowledgeBase) -> list[Change]:
    if _broken(base, head, "escalation"):
        return []

    def compare(a, b):
        fields = _fields([("name", a.name, b.name)])
        old, new = _steps(base, a), _steps(head, b)
        for i in range(max(len(old), len(new))):
            label = f"step {i + 1}"
            if i >= len(old):
                fields.append(FieldChange(field=label, before=None,
                                          after=f"after {_text(new[i][0])}: {', '.join(new[i][1])}"))
            elif i >= len(new):
                fields.append(FieldChange(field=label, before=f"after {_text(old[i][0])}: {', '.join(old[i][1])}",
                                          after=None))
            else:
                fields += _fields([(f"{label} delay", old[i][0], new[i][0]),
                                   (f"{label} notifies", old[i][1], new[i][1])])
        fields += _fields([("repeats", a.repeat, b.repeat), ("repeats after", a.repeat_after, b.repeat_after)])
        notes = []
        if a.repeat and not b.repeat:
            notes.append("no longer loops when nobody acknowledges")
        elif b.repeat and not a.repeat:
            notes.append(f"now loops {b.repeat} more time{'s' * (b.repeat != 1)} when nobody acknowledges")
        first_old, first_new = (old[0][0] if old else None), (new[0][0] if new else None)
        if first_old is not None and first_new is not None and first_new > first_old:
            notes.append(f"the first page goes out later ({_text(first_old)} -> {_text(first_new)})")
        return fields, notes

    return _by_id(base.escalation, head.escalation, "escalation", lambda p: p.name or p.id, compare)


# --- services, runbooks, alerts ---------------------------------------------------------


def services(base: KnowledgeBase, head: KnowledgeBase) -> list[Change]:
    def schedule_name(kb, ident):
        if ident is None:
            return None
        schedule = kb.schedules.get(ident)
        return schedule.name if schedule else ident

    def compare(a, b):
        fields = _fields([
            ("name", a.name, b.name),
            ("owner", team_name(base, a.team) or None, team_name(head, b.team) or None),
            ("tier", a.tier, b.tier),
            ("schedule", schedule_name(base, a.schedule), schedule_name(head, b.schedule)),
            ("escalation", _policy_name(base, a.escalation), _policy_name(head, b.escalation)),
        ])
        notes = []
        if a.escalation and not b.escalation:
            notes.append("no escalation policy any more")
        if a.schedule and not b.schedule:
            notes.append("no on-call schedule any more")
        return fields, notes

    out = _by_id(base.services, head.services, "service", lambda s: s.name, compare)
    if not _broken(base, head, "runbook"):
        old_covered = _runbook_services(base)
        new_covered = _runbook_services(head)
        for ident, service in head.services.items():
            if ident in old_covered and ident not in new_covered:
                note = "lost its runbook"
                existing = next((c for c in out if c.id == ident and c.kind == "service"), None)
                if existing is None:
                    out.append(Change(kind="service", id=ident, name=service.name, status="changed", notes=[note]))
                else:
                    existing.notes.append(note)
    return out


def _runbook_services(kb: KnowledgeBase) -> set[str]:
    return {rb.service for rb in kb.runbook_list if rb.service}


def runbooks(base: KnowledgeBase, head: KnowledgeBase) -> list[Change]:
    """Runbooks added or removed (edits to their text are not policy), and alerts
    whose runbook changed: moved to another, lost, or newly covered."""
    if _broken(base, head, "runbook"):
        return []
    skip = _broken_ids(base, head, "runbook")

    def compare(a, b):
        return _fields([("service", service_name(base, a.service) or None, service_name(head, b.service) or None),
                        ("owner", team_name(base, a.owner) or None, team_name(head, b.owner) or None),
                        ("severity", a.severity, b.severity)]), []

    out = _by_id(base.runbooks, head.runbooks, "runbook", lambda rb: rb.title or rb.id, compare, skip)
    old_alerts, new_alerts = _alerts(base, skip), _alerts(head, skip)
    for alert in sorted(set(old_alerts) | set(new_alerts)):
        before, after = old_alerts.get(alert, []), new_alerts.get(alert, [])
        if before == after:
            continue
        status = "added" if not before else "removed" if not after else "changed"
        notes = ["no runbook covers it any more"] if not after else []
        out.append(Change(kind="alert", id=alert, name=alert, status=status, notes=notes,
                          fields=[FieldChange(field="runbook", before=_text(before), after=_text(after))]))
    return out


def _alerts(kb: KnowledgeBase, skip: set[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for rb in kb.runbook_list:
        if rb.id in skip:
            continue
        for alert in rb.alerts:
            out.setdefault(alert, []).append(rb.title or rb.id)
    return {alert: sorted(titles) for alert, titles in out.items()}


# --- status page ----------------------------------------------------------------------


def status_page(base: KnowledgeBase, head: KnowledgeBase) -> list[Change]:
    if _broken(base, head, "component"):
        return []

    def group_name(kb, ident):
        if ident is None:
            return None
        group = kb.groups.get(ident)
        return group.name if group else ident

    def compare(a, b):
        return _fields([
            ("name", a.name, b.name),
            ("group", group_name(base, a.group), group_name(head, b.group)),
            ("services", sorted(service_name(base, s) for s in a.services),
             sorted(service_name(head, s) for s in b.services)),
        ]), []

    def compare_group(a, b):
        return _fields([("name", a.name, b.name)]), []

    return (_by_id(base.components, head.components, "component", lambda c: c.name, compare)
            + _by_id(base.groups, head.groups, "group", lambda g: g.name, compare_group))


# --- opsbook.yaml -------------------------------------------------------------------


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    """Leaves of a model as dotted keys, with the model's own values (durations as
    timedeltas, so they read "8 weeks" as everywhere else in the diff)."""
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        items = {(f.alias or name): getattr(value, name) for name, f in type(value).model_fields.items()}
    elif isinstance(value, dict) and value:
        items = value
    else:
        out[prefix] = value
        return
    for key, item in items.items():
        _flatten(item, f"{prefix}.{key}" if prefix else str(key), out)


def settings(base: KnowledgeBase, head: KnowledgeBase) -> list[Change]:
    """Every setting of opsbook.yaml apart from services (compared as services),
    policies included, one change per key that changed (dotted paths)."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    _flatten(base.config, "", old)
    _flatten(head.config, "", new)
    for side in (old, new):
        side.pop("services", None)
    out = []
    for key in list(new) + [k for k in old if k not in new]:
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        status = "added" if key not in old else "removed" if key not in new else "changed"
        out.append(Change(kind="setting", id=key, name=key, status=status,
                          fields=[FieldChange(field=key, before=None if key not in old else _text(a),
                                              after=None if key not in new else _text(b))]))
    return out

"""The edits a commander makes during an incident: severity, roles, a shift swap.

Each goes through the comment-keeping editor (``yamledit``), leaves a timeline
entry with who and when (the schedule's own ``reason`` for a swap), and is
refused with a clear message when it names something that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import Field

from opsbook.incidents.lifecycle import Change, LifecycleError, record, suggest, unknown
from opsbook.incidents.yamledit import EditError, append_item, edit_file, edit_yaml_text, flow_map, iso_time, text_value
from opsbook.model.incident import Incident
from opsbook.outputs import Output, SkippedList

COMMANDER = "commander"


class UnknownName(LifecycleError):
    """A role or person that does not exist: a finding (exit 1), not a usage error."""


class Refused(LifecycleError):
    """An override that would overlap, leave the rotation or replace nobody (exit 1; --force)."""


# --- answers (--json) -------------------------------------------------------------------

class SeverityChanged(Output):
    """`opsbook incident severity ID LEVEL --json`."""

    id: str
    file: str
    severity: str
    previous: str
    reason: str
    at: str
    next_update_due: str | None
    roles_missing: list[str]
    """Roles the new level requires that nobody holds yet."""
    history: list[dict]
    post: dict | None = None
    skipped: SkippedList = Field(default_factory=list)


class RolesAssigned(Output):
    """`opsbook incident assign ID ROLE=PERSON... --json`."""

    id: str
    file: str
    assigned: dict[str, str]
    """Role -> person id, as given."""
    previous: dict[str, str | None]
    commander: str | None
    roles: dict[str, str]
    roles_missing: list[str]
    skipped: SkippedList = Field(default_factory=list)


class OverrideAdded(Output):
    """`opsbook oncall override SCHEDULE --json`."""

    schedule: str
    file: str
    role: str
    person: str
    start: str
    end: str
    replacing: str | None
    reason: str
    forced: list[str]
    """The refusals --force overrode (overlap, outside the team, not on call)."""
    skipped: SkippedList = Field(default_factory=list)


# --- severity ---------------------------------------------------------------------------

class _SeverityEdit(Change):
    def __init__(self, at: datetime, level: str, reason: str, by: str | None) -> None:
        super().__init__(at=at, by=by)
        self.level, self.reason = level, reason

    def apply(self, incident: Incident, data) -> None:
        previous = data.get("severity", incident.severity)
        if previous == self.level:
            raise LifecycleError(f"{incident.id} is {self.level} already")
        stamp = iso_time(self.at)
        data["severity"] = self.level
        append_item(data, "severity_changes", flow_map(at=stamp, severity=self.level, previous=str(previous),
                                                       reason=text_value(self.reason), by=self.by))
        append_item(data, "timeline", flow_map(at=stamp, text=text_value(
            f"Severity {previous} -> {self.level}: {self.reason}"), by=self.by))


def change_severity(kb, incident: Incident, level: str, reason: str, at: datetime, by: str | None) -> Incident:
    if level not in kb.severities:
        raise LifecycleError(unknown("severity", level, kb.ids("severity")))
    if not reason.strip():
        raise LifecycleError("--reason: say why the severity changes (it is kept in the severity history)")
    if not incident.is_open:
        raise LifecycleError(f"{incident.id} is resolved; reopen it (`incident update --reopen`) before changing "
                             "its severity")
    return record(kb, incident, _SeverityEdit(at, level, reason.strip(), by))


def missing_roles(kb, incident: Incident) -> list[str]:
    level = kb.severities.get(incident.severity)
    if level is None:
        return []
    held = {COMMANDER} if incident.commander else set()
    held |= set(incident.roles)
    return [role for role in level.roles if role not in held]


# --- roles ------------------------------------------------------------------------------

def ladder_roles(kb) -> list[str]:
    """Every role some level of the ladder asks for, and commander."""
    roles = [COMMANDER]
    for level in kb.levels:
        roles += [r for r in level.roles if r not in roles]
    return roles


def parse_assignments(kb, pairs: tuple[str, ...]) -> dict[str, str]:
    """``("comms=bob", ...)`` -> {role: person}, roles from the ladder, people from people.yaml."""
    if not pairs:
        raise LifecycleError("give at least one ROLE=PERSON, e.g. commander=priya comms=daniel")
    known_roles = ladder_roles(kb)
    people = kb.ids("person")
    out: dict[str, str] = {}
    for pair in pairs:
        role, sep, person = pair.partition("=")
        role, person = role.strip(), person.strip()
        if not sep or not role or not person:
            raise LifecycleError(f"{pair!r}: expected ROLE=PERSON, e.g. comms=daniel")
        if role not in known_roles:
            raise UnknownName(f"{unknown('role', role, known_roles)} (roles come from playbooks/severity.yaml)")
        if person not in kb.people:
            raise UnknownName(unknown("person", person, people))
        if role in out and out[role] != person:
            raise LifecycleError(f"{role} is given twice ({out[role]} and {person})")
        out[role] = person
    return out


class _AssignEdit(Change):
    def __init__(self, at: datetime, assignments: dict[str, str], by: str | None, names) -> None:
        super().__init__(at=at, by=by)
        self.assignments, self.names = assignments, names
        self.previous: dict[str, str | None] = {}

    def apply(self, incident: Incident, data) -> None:
        texts = []
        for role, person in self.assignments.items():
            if role == COMMANDER:
                before = data.get(COMMANDER)
                if COMMANDER not in data:
                    _insert_after(data, COMMANDER, person, ("services", "status"))
                else:
                    data[COMMANDER] = person
            else:
                roles = data.get("roles")
                if roles is None:
                    roles = flow_map()
                    _insert_after(data, "roles", roles, (COMMANDER, "services", "status"))
                before = roles.get(role)
                roles[role] = person
            self.previous[role] = str(before) if before is not None else None
            if before == person:
                continue
            texts.append(f"{role}: {self.names(person)}" + (f" (was {self.names(str(before))})" if before else ""))
        if not texts:
            raise LifecycleError(f"{incident.id} has these roles already; nothing to change")
        append_item(data, "timeline", flow_map(at=iso_time(self.at), text=text_value("Assigned " + "; ".join(texts)),
                                               by=self.by))


def _insert_after(data, key: str, value, after: tuple[str, ...]) -> None:
    keys = list(data)
    for anchor in after:
        if anchor in keys:
            data.insert(keys.index(anchor) + 1, key, value)
            return
    data[key] = value


def assign_roles(kb, incident: Incident, assignments: dict[str, str], at: datetime,
                 by: str | None) -> tuple[Incident, dict[str, str | None]]:
    from opsbook.humanize import person_name

    edit = _AssignEdit(at, assignments, by, lambda p: person_name(kb, p))
    updated = record(kb, incident, edit)
    return updated, edit.previous


# --- on-call override (shift swap) --------------------------------------------------------

@dataclass(frozen=True)
class Refusal:
    kind: str
    """overlap, outside-team or not-on-call: what --force overrides."""
    message: str


def override_refusals(kb, schedule, role: str, person: str, start: datetime, end: datetime,
                      replacing: str | None) -> list[Refusal]:
    """Why this override should not be written as asked (each overridable with --force)."""
    from opsbook.oncall.engine import shifts_between

    out = []
    for index, other in enumerate(schedule.overrides):
        if other.role == role and other.start < end and start < other.end:
            out.append(Refusal("overlap", f"it overlaps override {index + 1} of {schedule.id} ({other.person}, "
                                          f"{other.start.isoformat()} to {other.end.isoformat()}); change or remove "
                                          "that one first"))
    members = set()
    team = kb.teams.get(schedule.team) if schedule.team else None
    if team is not None:
        members |= set(team.members)
    for layer in schedule.layers:
        members |= set(getattr(layer, "members", []) or [])
    if person not in members:
        out.append(Refusal("outside-team", f"{person} is not in team {schedule.team or '(none)'} or any layer of "
                                           f"{schedule.id}; someone outside the rotation may lack its access"))
    if replacing is not None:
        holders = {s.person for s in shifts_between(schedule, start, end, role=role)}
        if replacing not in holders:
            who = ", ".join(sorted(p for p in holders if p)) or "nobody"
            out.append(Refusal("not-on-call", f"{replacing} is not {role} on {schedule.id} in that window "
                                              f"(on call then: {who})"))
    return out


def add_override(kb, schedule, role: str, person: str, start: datetime, end: datetime, reason: str,
                 replacing: str | None, force: bool) -> tuple[Path, list[Refusal]]:
    """Append the override to the schedule's file (comments kept), unless refused."""
    from opsbook.load import LAYOUT  # noqa: F401 - the schedule knows its file
    from opsbook.model.schedule import Schedule
    from opsbook.yamlsource import parse_yaml

    if role not in ("primary", "backup"):
        raise LifecycleError(unknown("role", role, ["primary", "backup"]))
    if person not in kb.people:
        raise UnknownName("--person: " + unknown("person", person, kb.ids("person")))
    if replacing is not None and replacing not in kb.people:
        raise UnknownName("--replacing: " + unknown("person", replacing, kb.ids("person")))
    if end <= start:
        raise LifecycleError(f"--to ({end.isoformat()}) must be after --from ({start.isoformat()})")
    if end - start > timedelta(days=731):
        raise LifecycleError("an override spans at most 731 days (two years); split a longer absence")
    refusals = override_refusals(kb, schedule, role, person, start, end, replacing)
    if refusals and not force:
        raise Refused("; ".join(r.message for r in refusals) + " (pass --force to write it anyway)")
    text = reason.strip()
    if replacing:
        text = f"replacing {replacing}" + (f": {text}" if text else "")
    path = schedule.file

    def change(data) -> None:
        append_item(data, "overrides", flow_map(role=role, person=person, start=iso_time(start), end=iso_time(end),
                                                reason=text_value(text) if text else None))

    def check(new: str) -> None:
        from pydantic import ValidationError

        data, diags = parse_yaml(path, new)
        if diags:
            raise EditError(diags[0].message, line=diags[0].line, path=path)
        try:
            Schedule.model_validate(data, context={"zone": kb.zone})
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            raise EditError(".".join(str(p) for p in first["loc"]) + ": " + first["msg"], path=path) from None

    edit_file(path, lambda old: edit_yaml_text(old, change, append_only=True), check=check)
    return path, refusals


__all__ = ["SeverityChanged", "RolesAssigned", "OverrideAdded", "change_severity", "assign_roles",
           "parse_assignments", "add_override", "missing_roles", "ladder_roles", "suggest"]

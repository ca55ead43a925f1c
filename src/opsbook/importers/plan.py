"""What an import will do to a knowledge base, and doing it.

``build_plan`` decides everything without writing: which people are new and
which are merged by email, which schedules, teams and policies are created,
which are refused because their id exists, and which cannot be mapped. Every
new or edited text is generated and validated with the loader's own models
here, so ``--dry-run`` reports exactly what a real run writes. ``apply_plan``
then writes: people first (schedules name them), new schedule files created
exclusively (never replacing a file), then escalation policies; people and
policies are merged into their files through the comment-keeping editor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from opsbook import timeutil
from opsbook.importers.ir import Parsed, VendorUser, Where
from opsbook.importers.mapping import (
    Context,
    Note,
    Unmappable,
    clean_line,
    map_policy,
    map_schedule,
    person_id_for,
    slug,
    unique,
)

RESERVED_SCHEDULE_IDS = frozenset({"people", "escalation"})
LABELS = {"pagerduty": "PagerDuty", "opsgenie": "Opsgenie", "grafana-oncall": "Grafana OnCall"}


class KnowledgeBaseError(Exception):
    """The knowledge base itself cannot take the import (a file that does not load); exit 2."""


@dataclass
class Item:
    kind: str
    id: str
    file: str
    vendor_id: str
    name: str = ""
    detail: str = ""

    def as_dict(self) -> dict:
        out = {"kind": self.kind, "id": self.id, "file": self.file, "vendor_id": clean_line(self.vendor_id, 120),
               "name": clean_line(self.name, 120)}
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass
class Plan:
    vendor: str
    exact_from: datetime
    created: list[Item] = field(default_factory=list)
    merged: list[Item] = field(default_factory=list)
    refused: list[Item] = field(default_factory=list)
    unmappable: list[Unmappable] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    new_people: list[dict] = field(default_factory=list)
    new_teams: list[dict] = field(default_factory=list)
    new_schedules: list[tuple[str, Path, str]] = field(default_factory=list)
    new_policies: list[dict] = field(default_factory=list)
    people_path: Path | None = None
    escalation_path: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.unmappable and not self.refused


def _existing(root: Path):
    from opsbook.load import LAYOUT, discover, load_yaml_document
    from opsbook.model.escalation import EscalationFile
    from opsbook.model.people import PeopleFile

    files = discover(root)
    people_path = files["people"][0] if files["people"] else root / LAYOUT.people
    escalation_path = files["escalation"][0] if files["escalation"] else root / LAYOUT.escalation
    people = escalation = None
    if people_path.exists():
        people, diags = load_yaml_document(PeopleFile, people_path, None)
        if people is None:
            raise KnowledgeBaseError(f"{people_path.relative_to(root)} does not load ({diags[0].message}); "
                                     "fix it (opsbook validate) before importing")
    if escalation_path.exists():
        escalation, diags = load_yaml_document(EscalationFile, escalation_path, None)
        if escalation is None:
            raise KnowledgeBaseError(f"{escalation_path.relative_to(root)} does not load ({diags[0].message}); "
                                     "fix it (opsbook validate) before importing")
    schedule_ids = {p.stem for p in files["schedule"]}
    return people_path, people, escalation_path, escalation, schedule_ids


def _rel(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def build_plan(root: Path, parsed: Parsed, exact_from: datetime) -> Plan:
    label = LABELS.get(parsed.vendor, parsed.vendor)
    plan = Plan(parsed.vendor, exact_from.astimezone(timezone.utc))
    people_path, people_file, escalation_path, escalation_file, schedule_ids = _existing(root)
    plan.people_path, plan.escalation_path = people_path, escalation_path
    people_rel = _rel(root, people_path)

    # --- people: one per email, across vendors and runs ---
    existing = list(people_file.people) if people_file else []
    by_email = {p.email.casefold(): p for p in existing if p.email}
    taken_ids = {p.id for p in existing}
    new_ids: set[str] = set()
    new_by_email: dict[str, str] = {}
    person_of: dict[str, tuple[str | None, str]] = {}
    for user in sorted(parsed.users.values(), key=lambda u: (u.email.casefold(), u.vendor_id)):
        key = user.email.casefold()
        if key in by_email:
            person = by_email[key]
            person_of[user.vendor_id] = (person.id, "")
            detail = ""
            if user.timezone and person.timezone and user.timezone != person.timezone:
                detail = f"kept time zone {person.timezone}; {label} says {clean_line(user.timezone, 60)}"
            plan.merged.append(Item("person", person.id, people_rel, user.vendor_id, user.email, detail))
            continue
        if key in new_by_email:
            person_of[user.vendor_id] = (new_by_email[key], "")
            continue
        problem = _person_problem(user, label)
        if problem is not None:
            plan.unmappable.append(problem)
            person_of[user.vendor_id] = (None, f"person {clean_line(user.email, 80)} ({clean_line(user.vendor_id, 40)}) "
                                               f"was not imported: {problem.reason}")
            continue
        base = person_id_for(user.email)
        if base in taken_ids:
            owner = next(p for p in existing if p.id == base)
            plan.refused.append(Item("person", base, people_rel, user.vendor_id, user.email,
                                     f"the id '{base}' is taken by {clean_line(owner.name, 60)}"
                                     f"{' <' + owner.email + '>' if owner.email else ' (no email)'}; if that is the "
                                     f"same person, add `email: {clean_line(user.email, 80)}` to them and import again"))
            person_of[user.vendor_id] = (None, f"person {clean_line(user.email, 80)} was refused: the id '{base}' "
                                               "exists with another email")
            continue
        ident = unique(base, lambda c: c in taken_ids or c in new_ids)
        new_ids.add(ident)
        new_by_email[key] = ident
        person_of[user.vendor_id] = (ident, "")
        entry: dict[str, Any] = {"id": ident, "name": clean_line(user.name, 120) or ident, "email": user.email}
        if user.timezone:
            entry["timezone"] = user.timezone
        plan.new_people.append(entry)
        plan.created.append(Item("person", ident, people_rel, user.vendor_id, user.email))

    def resolve_person(vendor_id: str) -> tuple[str | None, str]:
        if vendor_id in person_of:
            return person_of[vendor_id]
        return None, (f"user {clean_line(vendor_id, 60)} is in no users file of this import (a deactivated "
                      f"account, or a page of the users list not saved)")

    # --- teams ---
    existing_teams = {t.id for t in people_file.teams} if people_file else set()
    team_of: dict[str, str] = {}
    new_team_ids: set[str] = set()
    for team in parsed.teams:
        base = slug(team.name, fallback="team")
        if base in existing_teams:
            plan.refused.append(Item("team", base, people_rel, team.vendor_id, team.name, "a team with this id exists; "
                                     "left as it is"))
            team_of[team.vendor_id] = base
            continue
        ident = unique(base, lambda c: c in new_team_ids or c in existing_teams)
        new_team_ids.add(ident)
        team_of[team.vendor_id] = ident
        members = []
        for member in team.members:
            person, why = resolve_person(member)
            if person is None:
                plan.notes.append(Note("team", team.vendor_id, team.where, f"member left out: {why}"))
            elif person not in members:
                members.append(person)
        plan.new_teams.append({"id": ident, "name": clean_line(team.name, 120) or ident, "members": members})
        plan.created.append(Item("team", ident, people_rel, team.vendor_id, team.name))

    # --- schedules ---
    ctx = Context(parsed.vendor, label, plan.exact_from, resolve_person, team_of=lambda v: team_of.get(v))
    schedule_of: dict[str, str] = {}
    planned: set[str] = set()
    folder = people_path.parent
    for s in parsed.schedules:
        base = slug(s.name, fallback="schedule")
        if base in RESERVED_SCHEDULE_IDS:
            base = f"{base}-schedule"
        if base in schedule_ids:
            plan.refused.append(Item("schedule", base, _rel(root, folder / f"{base}.yaml"), s.vendor_id, s.name,
                                     "a schedule with this id exists; left as it is"))
            schedule_of[s.vendor_id] = base
            continue
        ident = unique(base, lambda c: c in planned or c in schedule_ids or c in RESERVED_SCHEDULE_IDS)
        mapped, problems = map_schedule(s, ctx)
        if mapped is None:
            plan.unmappable.extend(problems)
            continue
        path = folder / f"{ident}.yaml"
        try:
            text = schedule_text(mapped.data, parsed.vendor, s.vendor_id)
        except ValueError as exc:
            plan.unmappable.append(Unmappable("schedule", s.vendor_id, s.name, s.where,
                                              f"the schedule opsbook would write does not validate: {exc}",
                                              "report this as an opsbook bug, with the vendor file"))
            continue
        planned.add(ident)
        schedule_of[s.vendor_id] = ident
        plan.new_schedules.append((ident, path, text))
        plan.created.append(Item("schedule", ident, _rel(root, path), s.vendor_id, s.name,
                                 f"{len(mapped.data['layers'])} layer(s), {len(mapped.data['overrides'])} override(s)"))
    ctx.schedule_of = lambda v: schedule_of.get(v)

    # --- escalation policies ---
    existing_policies = {p.id for p in escalation_file.policies} if escalation_file else set()
    new_policy_ids: set[str] = set()
    escalation_rel = _rel(root, escalation_path)
    for p in parsed.policies:
        base = slug(p.name, fallback="policy")
        if base in existing_policies:
            plan.refused.append(Item("policy", base, escalation_rel, p.vendor_id, p.name,
                                     "a policy with this id exists; left as it is"))
            continue
        data, problems = map_policy(p, ctx)
        if data is None:
            plan.unmappable.extend(problems)
            continue
        ident = unique(base, lambda c: c in new_policy_ids or c in existing_policies)
        new_policy_ids.add(ident)
        data["id"] = ident
        plan.new_policies.append(data)
        plan.created.append(Item("policy", ident, escalation_rel, p.vendor_id, p.name, f"{len(data['steps'])} step(s)"))
    plan.notes = [*ctx.notes, *plan.notes, *[Note(n["kind"], n["vendor_id"], Where(n["file"], n["path"]), n["note"])
                                              for n in parsed.notes]]
    _check_texts(plan)
    return plan


def _person_problem(user: VendorUser, label: str) -> Unmappable | None:
    if user.timezone:
        try:
            timeutil.get_zone(user.timezone)
        except ValueError as exc:
            return Unmappable("person", user.vendor_id, user.email, user.where, f"time zone: {exc}",
                              f"set the user's time zone to an IANA name in {label}, or update the tzdata package")
    return None


# --- texts ---------------------------------------------------------------------------


def _flow(mapping: dict):
    from opsbook.incidents.yamledit import flow_map, flow_seq

    items = {}
    for key, value in mapping.items():
        items[key] = flow_seq(list(value)) if isinstance(value, list) else value
    return flow_map(**items)


def _schedule_map(data: dict):
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    from opsbook.incidents.yamledit import flow_seq, iso_time

    doc = CommentedMap()
    for key in ("name", "timezone", "description"):
        doc[key] = data[key]
    layers = CommentedSeq()
    for layer in data["layers"]:
        item = CommentedMap()
        item["name"] = layer["name"]
        item["members"] = flow_seq(list(layer["members"]))
        item["start"] = layer["start"]
        item["length"] = layer["length"]
        for key in ("from", "end"):
            if key in layer:
                item[key] = layer[key]
        item["backup"] = None
        if "timezone" in layer:
            item["timezone"] = layer["timezone"]
        if "restrict" in layer:
            restrict = CommentedSeq()
            for rule in layer["restrict"]:
                restrict.append(_flow({"days": rule["days"], "from": DoubleQuotedScalarString(rule["from"]),
                                       "to": DoubleQuotedScalarString(rule["to"])}))
            item["restrict"] = restrict
        layers.append(item)
    doc["layers"] = layers
    overrides = CommentedSeq()
    for o in data["overrides"]:
        overrides.append(_flow({"role": o["role"], "person": o["person"], "start": iso_time(o["start"]),
                                "end": iso_time(o["end"]), "reason": o["reason"]}))
    if overrides:
        doc["overrides"] = overrides
    return doc


def schedule_text(data: dict, vendor: str, vendor_id: str) -> str:
    """The YAML of a new schedule file, validated with the loader's model (ValueError if not)."""
    from opsbook.incidents.yamledit import new_document

    text = new_document(_schedule_map(data), comment=f"Imported by `opsbook import {vendor}`. Edit freely: it is yours now.")
    _validate_text("schedule", text)
    return text


def _validate_text(kind: str, text: str) -> None:
    from pydantic import ValidationError

    from opsbook.model.escalation import EscalationFile
    from opsbook.model.people import PeopleFile
    from opsbook.model.schedule import Schedule
    from opsbook.yamlsource import parse_yaml

    data, diags = parse_yaml(Path(f"{kind}.yaml"), text)
    if diags:
        raise ValueError(diags[0].message)
    cls = {"schedule": Schedule, "people": PeopleFile, "escalation": EscalationFile}[kind]
    context = {"zone": timeutil.get_zone(data["timezone"])} if kind == "schedule" and isinstance(data, dict) \
        and isinstance(data.get("timezone"), str) else {"zone": None}
    try:
        cls.model_validate(data, context=context)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise ValueError(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None


def _people_change(plan: Plan):
    from ruamel.yaml.comments import CommentedSeq

    def change(data) -> None:
        for key, entries in (("people", plan.new_people), ("teams", plan.new_teams)):
            if not entries:
                continue
            seq = data.get(key)
            if not isinstance(seq, list):
                seq = CommentedSeq()
                data[key] = seq
            elif hasattr(seq, "fa") and not seq:
                seq.fa.set_block_style()
            for entry in entries:
                seq.append(_flow(entry))
    return change


def _policy_map(policy: dict):
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    item = CommentedMap()
    item["id"] = policy["id"]
    item["name"] = policy["name"]
    if policy.get("description"):
        item["description"] = policy["description"]
    steps = CommentedSeq()
    for step in policy["steps"]:
        s = CommentedMap()
        s["after"] = step["after"]
        notify = CommentedSeq()  # a block list of flow maps: `- {person: alice}`, never `[person: alice]`
        notify.extend(_flow(t) for t in step["notify"])
        s["notify"] = notify
        steps.append(s)
    item["steps"] = steps
    for key in ("repeat", "repeat_after"):
        if policy.get(key):
            item[key] = policy[key]
    return item


def _escalation_change(plan: Plan):
    from ruamel.yaml.comments import CommentedSeq

    def change(data) -> None:
        seq = data.get("policies")
        if not isinstance(seq, list):
            seq = CommentedSeq()
            data["policies"] = seq
        elif hasattr(seq, "fa") and not seq:
            seq.fa.set_block_style()
        for policy in plan.new_policies:
            seq.append(_policy_map(policy))
    return change


def _new_text(change, comment: str) -> str:
    from ruamel.yaml.comments import CommentedMap

    from opsbook.incidents.yamledit import new_document

    doc = CommentedMap()
    change(doc)
    return new_document(doc, comment=comment)


def _edited(path: Path, change, comment: str) -> str:
    """The file's text with ``change`` made (read now; for the dry run and the check)."""
    from opsbook.incidents.yamledit import edit_yaml_text

    if not path.exists():
        return _new_text(change, comment)
    with open(path, encoding="utf-8", newline="") as handle:
        return edit_yaml_text(handle.read(), change)


def _check_texts(plan: Plan) -> None:
    """Generate the merged people and escalation files now, so a dry run fails where a real run would."""
    from opsbook.incidents.yamledit import EditError

    try:
        if plan.new_people or plan.new_teams:
            _validate_text("people", _edited(plan.people_path, _people_change(plan), "People and teams."))
        if plan.new_policies:
            _validate_text("escalation", _edited(plan.escalation_path, _escalation_change(plan), "Escalation policies."))
    except EditError as exc:
        raise KnowledgeBaseError(exc.where()) from None
    except ValueError as exc:
        raise KnowledgeBaseError(f"the merged file would not validate: {exc}") from None


# --- writing -------------------------------------------------------------------------


def apply_plan(plan: Plan) -> list[str]:
    """Write the plan; returns the paths written. Raises KnowledgeBaseError when a
    file cannot be written (what was written before stays, and is listed)."""
    from opsbook.fileio import create_exclusive
    from opsbook.incidents.yamledit import EditError, edit_file, edit_yaml_text

    written: list[str] = []

    def merge(path: Path, change, kind: str, comment: str) -> None:
        try:
            if path.exists():
                edit_file(path, lambda old: edit_yaml_text(old, change),
                          check=lambda text: _check(kind, text))
            elif not create_exclusive(path, _new_text(change, comment)):
                edit_file(path, lambda old: edit_yaml_text(old, change), check=lambda text: _check(kind, text))
        except EditError as exc:
            raise KnowledgeBaseError(exc.where() + (f" (already written: {', '.join(written)})" if written else "")) \
                from None
        except OSError as exc:
            raise KnowledgeBaseError(f"{path}: cannot write: {exc.strerror or exc}") from None
        written.append(str(path))

    if plan.new_people or plan.new_teams:
        merge(plan.people_path, _people_change(plan), "people", "People and teams.")
    for ident, path, text in plan.new_schedules:
        try:
            made = create_exclusive(path, text)
        except OSError as exc:
            raise KnowledgeBaseError(f"{path}: cannot write: {exc.strerror or exc}") from None
        if made:
            written.append(str(path))
        else:  # someone created it since the plan was made: never replace it
            for item in plan.created:
                if item.kind == "schedule" and item.id == ident:
                    plan.created.remove(item)
                    plan.refused.append(Item("schedule", ident, item.file, item.vendor_id, item.name,
                                             "the file appeared while importing; left as it is"))
                    break
    if plan.new_policies:
        merge(plan.escalation_path, _escalation_change(plan), "escalation", "Escalation policies.")
    return written


def _check(kind: str, text: str) -> None:
    from opsbook.incidents.yamledit import EditError

    try:
        _validate_text(kind, text)
    except ValueError as exc:
        raise EditError(f"the merged file would not validate: {exc}") from None

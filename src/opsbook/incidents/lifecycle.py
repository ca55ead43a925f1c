"""The incident stage machine and the edits each lifecycle command makes.

Stages follow Statuspage's vocabulary: investigating -> identified ->
monitoring -> resolved. An open incident may move between open stages in
either direction (a fix that did not hold goes back to identified); leaving
``resolved`` is a reopening and must be asked for. Entries are appended in
time order: an update or note earlier than what the record already holds is
refused, because the timeline is evidence for the postmortem.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from opsbook.incidents import numbering
from opsbook.incidents.yamledit import (
    EditError,
    append_item,
    edit_file,
    edit_yaml_text,
    flow_map,
    iso_time,
    new_document,
    text_value,
)
from opsbook.model.incident import COMPONENT_STATUSES, MILESTONES, STAGES, Incident
from opsbook.model.kb import KnowledgeBase
from opsbook.suggest import closest

SCHEMA_LINE = "yaml-language-server: $schema=../schemas/incident.schema.json"


class LifecycleError(EditError):
    """A request the stage machine refuses (bad stage, time going backwards...)."""


def suggest(word: str, known: list[str] | tuple[str, ...]) -> str:
    close = closest(word, known, cutoff=0.5)
    return f"did you mean '{close}'?" if close else f"known: {', '.join(known)}" if known else ""


def unknown(noun: str, word: str, known: list[str] | tuple[str, ...]) -> str:
    hint = suggest(word, known)
    return f"unknown {noun} '{word}'" + (f"; {hint}" if hint else "")


def no_such(noun: str, word: str, known: list[str] | tuple[str, ...]) -> str:
    """"no incident 'X'; did you mean 'Y'?": what the CLI and the MCP server say of an unknown id."""
    hint = suggest(word, known) if known else f"there are no {noun}s yet"
    return f"no {noun} '{word}'; {hint}"


def check_text(option: str, text: str, one_line: bool = True) -> None:
    """Refuse text that cannot go into a record as it is: bytes that are not
    UTF-8 (Click hands undecodable command-line bytes over as lone surrogates)
    and control characters; ``one_line`` text (a title) takes no line breaks or
    tabs either, other text may hold both."""
    import unicodedata

    for index, char in enumerate(text):
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            what = (f"byte 0x{code - 0xDC00:02x} is not valid UTF-8" if 0xDC80 <= code <= 0xDCFF
                    else f"U+{code:04X} is not a character")
            raise LifecycleError(f"{option}: {what} (character {index + 1}); pass the text as UTF-8 "
                                 "(check the encoding of the terminal or script that runs opsbook)")
        allowed = not one_line and char in "\n\t"
        if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
            raise LifecycleError(f"{option}: direction control U+{code:04X} (character {index + 1}) makes text "
                                 "display in another order than it reads; remove it")
        if not allowed and (unicodedata.category(char) == "Cc" or char in "\u2028\u2029"):
            kind = "one line of plain text" if one_line else "text with line breaks and tabs at most"
            raise LifecycleError(f"{option}: control character U+{code:04X} (character {index + 1}); "
                                 f"it must be {kind}")


def check_stage(stage: str) -> None:
    if stage not in STAGES:
        raise LifecycleError(unknown("stage", stage, STAGES))


def parse_components(kb: KnowledgeBase, pairs: tuple[str, ...]) -> dict[str, str]:
    """``("checkout=major_outage", ...)`` -> {component: status}, checked against
    the status page's component ids and the Statuspage component statuses."""
    out: dict[str, str] = {}
    for pair in pairs:
        component, sep, status = pair.partition("=")
        component, status = component.strip(), status.strip()
        if not sep or not component or not status:
            raise LifecycleError(f"--component {pair!r}: expected COMPONENT=STATUS, e.g. checkout=partial_outage")
        if kb.status is None:
            raise LifecycleError("--component needs status/page.yaml, which does not exist or does not load")
        if component not in kb.components:
            raise LifecycleError(unknown("component", component, kb.ids("component")))
        if status not in COMPONENT_STATUSES:
            raise LifecycleError(unknown("component status", status, COMPONENT_STATUSES))
        out[component] = status
    return out


def latest_time(incident: Incident) -> datetime:
    """The latest instant the record holds: nothing new may be earlier."""
    times = [getattr(incident, name) for name in MILESTONES if getattr(incident, name) is not None]
    times += [u.at for u in incident.updates] + [t.at for t in incident.timeline]
    return max(times)


def check_time(incident: Incident, at: datetime) -> None:
    last = latest_time(incident)
    if at < last:
        raise LifecycleError(
            f"{at.isoformat()} is earlier than the latest entry of {incident.id} ({last.isoformat()}); "
            "times in an incident record never go backwards (pass --at with a later time)")


def default_public(kb: KnowledgeBase, incident: Incident) -> bool:
    """Updates go to the status page when the incident is on it already, or its
    severity requires a status page."""
    level = kb.severities.get(incident.severity)
    return incident.public or (level is not None and level.status_page == "required")


def check_transition(incident: Incident, stage: str, reopen: bool) -> None:
    check_stage(stage)
    if incident.status == "resolved" and stage != "resolved" and not reopen:
        raise LifecycleError(f"{incident.id} is resolved; moving it to {stage} reopens it: pass --reopen")
    if reopen and incident.status != "resolved":
        raise LifecycleError(f"--reopen: {incident.id} is not resolved (it is {incident.status})")


def open_components(incident: Incident) -> dict[str, str]:
    """Components whose latest reported status is not operational."""
    latest: dict[str, str] = {}
    for update in incident.updates:
        latest.update(update.components)
    return {c: s for c, s in latest.items() if s != "operational"}


# --- edits of the round-trip document ----------------------------------------------


@dataclass
class Change:
    """What a lifecycle command does to one incident record."""

    at: datetime
    stage: str | None = None
    message: str | None = None
    public: bool = False
    components: dict[str, str] = field(default_factory=dict)
    note: str | None = None
    by: str | None = None
    reopen: bool = False

    def apply(self, incident: Incident, data: Any) -> None:
        stamp = iso_time(self.at)
        if self.reopen:
            data.pop("resolved", None)
            append_item(data, "timeline", flow_map(at=stamp, text=text_value(f"Reopened ({self.stage})"), by=self.by))
        if self.stage is not None:
            data["status"] = self.stage
            if self.stage in ("monitoring", "resolved") and incident.mitigated is None and "mitigated" not in data:
                _insert_milestone(data, "mitigated", stamp)
            if self.stage == "resolved" and "resolved" not in data:
                _insert_milestone(data, "resolved", stamp)
        if self.message is not None:
            if self.public:
                data["public"] = True
                comps = flow_map(**self.components) if self.components else None
                append_item(data, "updates", flow_map(at=stamp, status=self.stage or incident.status,
                                                      message=text_value(self.message), components=comps))
            else:
                text = f"Update ({self.stage or incident.status}): {self.message}"
                if self.components:
                    text += " [" + ", ".join(f"{c}: {s}" for c, s in self.components.items()) + "]"
                append_item(data, "timeline", flow_map(at=stamp, text=text_value(text), by=self.by))
        if self.note is not None:
            append_item(data, "timeline", flow_map(at=stamp, text=text_value(self.note), by=self.by))


def _insert_milestone(data: Any, key: str, value: Any) -> None:
    """Put a milestone after the last milestone present, keeping the file's reading order."""
    order = list(MILESTONES)
    present = [k for k in data if k in order and order.index(k) < order.index(key)]
    if present:
        position = list(data).index(present[-1]) + 1
        data.insert(position, key, value)
    else:
        data[key] = value


def parse_incident(path: Path, text: str, zone) -> Incident:
    """The model of a record's text, read as the loader reads the file, so
    nothing invalid is ever written."""
    from pydantic import ValidationError

    from opsbook.yamlsource import parse_yaml

    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EditError(f"the text holds {text[exc.start:exc.end]!r}, which is not valid UTF-8", path=path) from None
    data, diags = parse_yaml(path, text.removeprefix("\ufeff"))
    if diags:
        raise EditError(diags[0].message, line=diags[0].line, path=path)
    try:
        incident = Incident.model_validate(data, context={"zone": zone})
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise EditError(f"{where}: {first['msg']}", path=path) from None
    incident._file = path
    return incident


def record(kb: KnowledgeBase, incident: Incident, change: Change) -> Incident:
    """Apply ``change`` to the incident's file: locked, re-read, validated, atomic.

    The checks run against the file as it is under the lock, so two people
    updating one incident cannot interleave.
    """
    path = incident.file
    zone = kb.zone

    def edit(old: str) -> str:
        current = parse_incident(path, old, zone)
        if change.stage is not None:
            check_transition(current, change.stage, change.reopen)
        check_time(current, change.at)
        # Change.apply sets keys and appends entries; it never reads the lists.
        return edit_yaml_text(old, lambda data: change.apply(current, data), append_only=True)

    checked: list[Incident] = []
    new = edit_file(path, edit, check=lambda text: checked.append(parse_incident(path, text, zone)))
    return checked[-1] if checked else parse_incident(path, new, zone)


# --- declaring --------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceOnCall:
    """Who is on call for one of an incident's services when it is declared."""

    service: str
    schedule: str
    answer: object | None
    """The engine's answer (primary, backup, next_handoff), or None when it failed."""
    error: str | None = None


def on_call_for_services(kb: KnowledgeBase, incident: Incident, now: datetime) -> list[ServiceOnCall]:
    """One entry per service of ``incident`` that has a schedule. A failure of the
    engine is recorded, not raised: the incident is declared already, and every
    caller (the CLI, the MCP server) says why and goes on."""
    from opsbook.model.kb import NotLoaded
    from opsbook.oncall.engine import on_call_at

    out = []
    for service_id in incident.services:
        service = kb.services.get(service_id)
        if service is None or not service.schedule:
            continue
        try:
            answer = on_call_at(kb, service.schedule, now)
        except NotLoaded:
            raise  # a caller that did not ask for schedules: a bug, not a finding
        except Exception as exc:  # noqa: BLE001 - declared already; say why, go on
            out.append(ServiceOnCall(service_id, service.schedule, None, f"{type(exc).__name__}: {exc}"))
            continue
        out.append(ServiceOnCall(service_id, service.schedule, answer))
    return out


@dataclass(frozen=True)
class Declared:
    incident: Incident
    path: Path
    channel: str


def declaration(ident: str, title: str, severity: str, services: list[str], commander: str | None,
                channel: str, now: datetime, public: bool, by: str | None) -> str:
    """The text of a new incident record."""
    from ruamel.yaml.comments import CommentedMap

    from opsbook.incidents.yamledit import flow_seq

    data = CommentedMap()
    data["id"] = ident
    data["title"] = text_value(title)
    data["severity"] = severity
    data["status"] = "investigating"
    data["services"] = flow_seq(services)
    if commander:
        data["commander"] = commander
    data["channel"] = channel
    data["declared"] = iso_time(now)
    data["public"] = public
    data["impact"] = "none"
    what = f"Declared {severity}" + (f"; {commander} is commander" if commander else "")
    append_item(data, "timeline", flow_map(at=iso_time(now), text=text_value(what), by=by))
    return new_document(data, SCHEMA_LINE)


def declare(kb: KnowledgeBase, title: str, severity: str, services: list[str], commander: str | None,
            now: datetime, by: str | None = None, folder: Path | None = None) -> Declared:
    """Write ``incidents/INC-YYYY-NNN.yaml`` with the next free number.

    The number is claimed by creating the file exclusively (O_EXCL): two
    people declaring at once on one machine get two files. Two branches that
    pick the same number collide in git or in `opsbook validate` (duplicate id).
    """
    from opsbook.fileio import create_exclusive

    check_text("title", title)
    folder = folder or kb.root / "incidents"
    zone = kb.zone
    year = now.astimezone(zone).year
    # Not public until the first public update: a public incident without one
    # has nothing for the status page to show (OB604).
    public = False
    number = numbering.next_number(folder, numbering.PREFIX, year)
    for _attempt in range(1000):
        ident = numbering.format_id(numbering.PREFIX, year, number)
        channel = numbering.channel_name(now, title, zone, ident)
        text = declaration(ident, title, severity, services, commander, channel, now, public, by)
        path = folder / f"{ident}.yaml"
        # Checked before the file exists: a record that does not load would block every publishing command.
        incident = parse_incident(path, text, zone)
        if not os.path.lexists(folder / f"{ident}.yml"):
            try:
                if create_exclusive(path, text):
                    return Declared(incident, path, channel)
            except OSError as exc:
                raise EditError(f"cannot create it: {exc.strerror or exc}; nothing was written", path=path) from None
        number = max(number + 1, numbering.next_number(folder, numbering.PREFIX, year))
    raise EditError(f"no free incident number in {folder}")  # pragma: no cover - 1000 clashes


# --- reading ----------------------------------------------------------------------


def find_incident(kb: KnowledgeBase, ident: str) -> Incident | None:
    from opsbook.model.kb import NotLoaded

    try:
        found = kb.incidents.get(ident)  # ignores case
    except NotLoaded:
        return None  # a partial load of other records: this one is not among them
    if found is None:
        wanted = ident.upper()
        try:
            for candidate in kb.incident_list:
                if candidate.id.upper() == wanted:
                    return candidate
        except NotLoaded:
            return None  # only the asked-for record was loaded, and it is not there
    return found

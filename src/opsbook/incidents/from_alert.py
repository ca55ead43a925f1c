"""An alert payload to an incident record: declare, or note on the open one.

Deduplication is by fingerprint: an open incident that already holds one of the
payload's fingerprints gets timeline notes (the alert firing again, resolving,
or PagerDuty news) and any new alerts of the same payload join it. A resolved
alert only ever adds a note: recovery of a signal is evidence, not a decision
that the incident is over. A resolved incident holds no alert any more, so an
alert that fires again after it opens a new incident.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from opsbook.incidents import numbering
from opsbook.incidents.lifecycle import SCHEMA_LINE, Change, check_text, parse_incident, record
from opsbook.incidents.yamledit import EditError, append_item, flow_map, flow_seq, iso_time, new_document, text_value
from opsbook.intake.classify import classify_payload
from opsbook.intake.model import AlertClassification
from opsbook.intake.payloads import FIRING, RESOLVED, Alert, Payload
from opsbook.intake.services import runbook_url, runbooks_for
from opsbook.model.incident import Incident

TITLE_LIMIT = 200


@dataclass
class Intake:
    """What one payload did."""

    classification: AlertClassification
    action: str
    """declared, noted, or nothing."""
    incident: Incident | None = None
    path: Path | None = None
    channel: str | None = None
    notes: list[str] = field(default_factory=list)
    """The timeline texts added (noted), or why nothing was done."""


def _one_line(text: str, limit: int = TITLE_LIMIT) -> str:
    """Alert text as a record's one-line field: whitespace runs (CR, LF, tabs) become one
    space and other control characters go; it came from a machine, not a person."""
    import unicodedata

    cleaned = "".join(" " if ch.isspace() else ch for ch in text
                      if not (unicodedata.category(ch) in ("Cc", "Cf", "Cs") and not ch.isspace()))
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= limit else cleaned[:limit - 1].rstrip() + "…"


def _alert_ref(alert: Alert, now: datetime):
    from opsbook.model.base import is_web_url

    return flow_map(fingerprint=text_value(_one_line(alert.fingerprint, 200)), name=text_value(_one_line(alert.name)),
                    source=alert.source, at=iso_time(now),
                    url=text_value(alert.url) if alert.url and is_web_url(alert.url) else None,
                    runbook_url=text_value(runbook_url(alert)) if runbook_url(alert) else None)


def _describe(alert: Alert, service: str | None) -> str:
    summary = alert.annotations.get("summary") or alert.annotations.get("description") or ""
    text = f"Alert {alert.name} {alert.status if alert.status != 'other' else alert.event}"
    if service:
        text += f" on {service}"
    if summary and summary != alert.name:
        text += f": {summary}"
    return _one_line(text, 1000) + f" (fingerprint {_one_line(alert.fingerprint, 200)})"


def open_incident_for(incidents: list[Incident], fingerprints: set[str]) -> Incident | None:
    """The open incident holding one of the fingerprints; the most recently declared if several do."""
    found = [i for i in incidents if i.is_open and any(a.fingerprint in fingerprints for a in i.alerts)]
    return max(found, key=lambda i: (i.declared, i.id)) if found else None


_PLAIN = re.compile(r"^[A-Za-z0-9_.:/@+-]+$")


def candidate_ids(folder: Path, fingerprints: set[str]) -> list[str] | None:
    """Ids of the records whose text mentions one of the fingerprints: only they can hold
    the alert, so a payload need not wait for every record to load. None when a
    fingerprint could be written escaped (quotes, backslashes...): then read them all."""
    if not all(_PLAIN.match(f) for f in fingerprints):
        return None
    out = []
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if any(f in text for f in fingerprints):
            out.append(path.stem)
    return out


def intake(kb, payload: Payload, now: datetime, by: str | None = None, folder: Path | None = None,
           candidates: list[Incident] | None = None, runbooks: dict[str, list[str]] | None = None) -> Intake:
    """Declare an incident from the payload's firing alerts, or note on the open one holding them.

    ``candidates``: the records that may hold the fingerprints (default: every record of
    ``kb``); ``runbooks``: alert name -> covering runbook ids (default: from ``kb``'s runbooks).
    """
    answer, per_alert = classify_payload(kb, payload)
    fingerprints = {a.fingerprint for a in payload.alerts}
    existing = open_incident_for(kb.incident_list if candidates is None else candidates, fingerprints)
    if existing is not None:
        return _note_on(kb, existing, answer, per_alert, now, by)
    firing = [(a, d, m) for a, d, m in per_alert if a.status == FIRING]
    if not firing:
        what = "resolved" if all(a.status == RESOLVED for a in payload.alerts) else "not firing"
        return Intake(answer, "nothing", notes=[f"the alert is {what} and no open incident holds its fingerprint; "
                                                "nothing to declare"])
    covering = (lambda alert: runbooks.get(alert.name, [])) if runbooks is not None else \
        (lambda alert: runbooks_for(kb, alert))
    return _declare(kb, answer, firing, now, by, folder, covering)


class _AlertNotes(Change):
    """Timeline notes and new alert references on an open incident."""

    def __init__(self, at: datetime, texts: list[str], refs: list, by: str | None) -> None:
        super().__init__(at=at, by=by)
        self.texts, self.refs = texts, refs

    def apply(self, incident: Incident, data) -> None:
        stamp = iso_time(self.at)
        for text in self.texts:
            append_item(data, "timeline", flow_map(at=stamp, text=text_value(text), by=self.by))
        for ref in self.refs:
            append_item(data, "alerts", ref)


def _note_on(kb, incident: Incident, answer, per_alert, now, by) -> Intake:
    held = {a.fingerprint for a in incident.alerts}
    texts, refs = [], []
    for alert, decision, match in per_alert:
        text = _describe(alert, match.service)
        if alert.status == RESOLVED:
            text += f"; recovery noted, {incident.id} stays {incident.status} until someone resolves it"
        elif alert.fingerprint not in held and alert.status == FIRING:
            text += f"; joined {incident.id} (rules say {decision.level})"
            refs.append(_alert_ref(alert, now))
            held.add(alert.fingerprint)
        texts.append(text)
    updated = record(kb, incident, _AlertNotes(now, texts, refs, by))
    return Intake(answer, "noted", updated, updated.file, updated.channel, texts)


def _declare(kb, answer: AlertClassification, firing, now: datetime, by, folder: Path | None, covering) -> Intake:
    from ruamel.yaml.comments import CommentedMap

    from opsbook.fileio import create_exclusive

    deciding = next(a for a, _, _ in firing if a.name == answer.alert)
    title = _one_line(deciding.annotations.get("summary") or deciding.name) or "Alert"
    check_text("title", title)
    services = sorted({m.service for _, _, m in firing if m.service})
    runbooks = sorted({rb for a, _, _ in firing for rb in covering(a)})
    starts = [a.starts_at for a, _, _ in firing if a.starts_at is not None and a.starts_at <= now]
    detected = min(starts) if starts else None
    level = kb.severities[answer.level]
    rule = f"rule {answer.rule}" if answer.rule else "no rule matched (default level)"
    why = _one_line(f"Declared {level.id} from alert {answer.alert}: {rule}; " + "; ".join(answer.reasons), 2000)

    def text_for(ident: str, channel: str) -> str:
        data = CommentedMap()
        data["id"] = ident
        data["title"] = text_value(title)
        data["severity"] = level.id
        data["status"] = "investigating"
        data["services"] = flow_seq(services)
        data["channel"] = channel
        if detected is not None:
            data["detected"] = iso_time(detected)
        data["declared"] = iso_time(now)
        data["public"] = False  # not public until the first public update (OB604)
        data["impact"] = "none"
        if runbooks:
            data["runbooks"] = flow_seq(runbooks)
        entries = sorted(((a.starts_at if a.starts_at and a.starts_at <= now else now), _describe(a, m.service))
                         for a, _, m in firing)
        for at, text in entries:
            append_item(data, "timeline", flow_map(at=iso_time(at), text=text_value(text), by=None))
        append_item(data, "timeline", flow_map(at=iso_time(now), text=text_value(why), by=by))
        for alert, _, _ in firing:
            append_item(data, "alerts", _alert_ref(alert, now))
        return new_document(data, SCHEMA_LINE)

    folder = folder or kb.root / "incidents"
    zone = kb.zone
    year = now.astimezone(zone).year
    number = numbering.next_number(folder, numbering.PREFIX, year)
    for _attempt in range(1000):
        ident = numbering.format_id(numbering.PREFIX, year, number)
        channel = numbering.channel_name(now, title, zone, ident)
        text = text_for(ident, channel)
        path = folder / f"{ident}.yaml"
        incident = parse_incident(path, text, zone)  # checked before the file exists
        if not os.path.lexists(folder / f"{ident}.yml"):
            try:
                if create_exclusive(path, text):
                    return Intake(answer, "declared", incident, path, channel, [why])
            except OSError as exc:
                raise EditError(f"cannot create it: {exc.strerror or exc}; nothing was written", path=path) from None
        number = max(number + 1, numbering.next_number(folder, numbering.PREFIX, year))
    raise EditError(f"no free incident number in {folder}")  # pragma: no cover - 1000 clashes

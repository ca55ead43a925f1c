"""Alert payloads in, one ``Alert`` form out.

Three shapes are read, told apart by their keys:

- Alertmanager's webhook (``version: "4"``, ``alerts[]`` grouped under one
  ``groupKey``, each with ``status``, ``labels``, ``annotations``, ``startsAt``,
  ``endsAt``, ``generatorURL``, ``fingerprint``);
- a PagerDuty V3 webhook event (``{"event": {"event_type": "incident.triggered",
  "resource_type": "incident", "occurred_at", "data": {incident}}}``);
- a plain object: ``{"labels": {...}, "annotations": {...}}`` (``status``,
  ``startsAt``, ``fingerprint`` optional), or a flat object of string labels.

The payload is hostile input: size-capped, strict JSON (no NaN), and every
shape error names the file, the JSON path and the line and column.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from opsbook.intake.fingerprint import fingerprint as label_fingerprint

MAX_BYTES = 4 * 1024 * 1024  # Alertmanager caps a group's alerts well below this
MAX_ALERTS = 1000
FIRING, RESOLVED, OTHER = "firing", "resolved", "other"

# PagerDuty V3 incident event types that (re)open the incident, and the one that closes it;
# every other incident.* event (acknowledged, annotated, escalated...) is news about it.
PD_FIRING = {"incident.triggered", "incident.reopened"}
PD_RESOLVED = {"incident.resolved"}


class PayloadError(Exception):
    """A payload that cannot be read (exit 2), located in its file."""

    def __init__(self, source: str, message: str, path: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.source, self.message, self.path, self.line, self.column = source, message, path, line, column

    def __str__(self) -> str:
        where = self.source
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        return f"{where}: {self.path + ': ' if self.path else ''}{self.message}"


@dataclass(frozen=True)
class Alert:
    source: str
    """alertmanager, pagerduty or plain."""
    status: str
    """firing, resolved, or other (a PagerDuty event that neither opens nor closes)."""
    name: str
    labels: dict[str, str]
    annotations: dict[str, str]
    fingerprint: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    url: str | None = None
    """Where the alert is seen: Alertmanager's generatorURL, PagerDuty's html_url."""
    event: str | None = None
    """PagerDuty's event_type."""
    path: str = "$"
    """Where in the payload it came from (``$.alerts[2]``)."""


@dataclass(frozen=True)
class Payload:
    source: str
    alerts: list[Alert]
    group_key: str | None = None
    truncated: int = 0
    """Alerts Alertmanager left out of the group (``truncatedAlerts``)."""
    notes: list[str] = field(default_factory=list)


# --- reading --------------------------------------------------------------------------


def read_payload(text: str, source: str = "<stdin>") -> Payload:
    """Parse and read a payload. ``source`` names it in errors (a path or ``<stdin>``)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise PayloadError(source, f"larger than {MAX_BYTES // (1024 * 1024)} MB; an alert payload is a few KB")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise PayloadError(source, "empty; expected a JSON object (an Alertmanager webhook, a PagerDuty V3 "
                                   "webhook event, or {\"labels\": {...}})")

    def no_constant(name: str):
        raise ValueError(f"{name} is not JSON")

    try:
        data = json.loads(text, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        raise PayloadError(source, f"not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno) from None
    except (ValueError, RecursionError) as exc:
        raise PayloadError(source, f"not valid JSON: {exc}") from None
    reader = _Reader(source, text)
    if not isinstance(data, dict):
        raise reader.fail((), f"expected a JSON object; got {_kind(data)}")
    if "alerts" in data and ("version" in data or "groupKey" in data or "receiver" in data):
        return reader.alertmanager(data)
    if "event" in data and isinstance(data["event"], dict) and "event_type" in data["event"]:
        return reader.pagerduty(data)
    if "messages" in data and isinstance(data["messages"], list):
        raise reader.fail(("messages",), "this is a PagerDuty V2 webhook (end of support October 2022); "
                                         "subscribe a V3 webhook instead")
    return reader.plain(data)


def _kind(value: Any) -> str:
    return {type(None): "null", bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def _json_path(parts: tuple) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (
            f".{part}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part) else f"[{json.dumps(part)}]")
    return out


_GO_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$")
_LABEL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Reader:
    def __init__(self, source: str, text: str) -> None:
        self.source, self.text = source, text

    def fail(self, parts: tuple, message: str) -> PayloadError:
        line, column = self._locate(parts)
        return PayloadError(self.source, message, _json_path(parts), line, column)

    def _locate(self, parts: tuple) -> tuple[int | None, int | None]:
        """Line and column of a JSON path: JSON is YAML, and libyaml keeps marks."""
        try:
            import yaml

            from opsbook.yamlsource import compose

            node = compose(self.text)
        except Exception:  # noqa: BLE001 - a position is a courtesy; the path is always given
            return None, None
        if node is None:
            return None, None
        for part in parts:
            child = None
            if isinstance(node, yaml.MappingNode):
                child = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                child = node.value[part]
            if child is None:
                break
            node = child
        return node.start_mark.line + 1, node.start_mark.column + 1

    # -- typed access --

    def obj(self, value: Any, parts: tuple, what: str = "an object") -> dict:
        if not isinstance(value, dict):
            raise self.fail(parts, f"expected {what}; got {_kind(value)}")
        return value

    def string(self, value: Any, parts: tuple, required: bool = True) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str):
            raise self.fail(parts, f"expected a string; got {_kind(value)}")
        return value

    def strings(self, value: Any, parts: tuple, labels: bool) -> dict[str, str]:
        if value is None:
            return {}
        mapping = self.obj(value, parts, "an object of strings")
        out = {}
        for key, item in mapping.items():
            if labels and not _LABEL_NAME.match(key):
                raise self.fail(parts + (key,), f"'{key}' is not a label name (letters, digits and _, not "
                                                "starting with a digit)")
            out[key] = self.string(item, parts + (key,))
        return out

    def time(self, value: Any, parts: tuple) -> datetime | None:
        if value is None or value == "":
            return None
        text = self.string(value, parts)
        match = _GO_TIME.match(text)
        if not match:
            raise self.fail(parts, f"'{text}' is not an RFC 3339 time like 2026-11-20T14:58:03Z")
        whole, fraction, offset = match.groups()
        if whole.startswith("0001-01-01"):
            return None  # Go's zero time: Alertmanager's "not set" for endsAt
        fraction = (fraction or "")[:7]  # Go writes nanoseconds; Python keeps microseconds
        try:
            moment = datetime.fromisoformat(whole + fraction + ("+00:00" if offset == "Z" else offset))
        except ValueError as exc:
            raise self.fail(parts, f"'{text}': {exc}") from None
        if not 1900 <= moment.year <= 2999:
            raise self.fail(parts, f"'{text}': opsbook reads times in the years 1900 to 2999")
        return moment.astimezone(timezone.utc)

    # -- shapes --

    def alertmanager(self, data: dict) -> Payload:
        version = data.get("version")
        if version != "4":
            raise self.fail(("version",), f"Alertmanager webhook version {json.dumps(version)}; opsbook reads "
                                          "version \"4\"")
        alerts = data.get("alerts")
        if not isinstance(alerts, list):
            raise self.fail(("alerts",), f"expected a list of alerts; got {_kind(alerts)}")
        if not alerts:
            raise self.fail(("alerts",), "the group holds no alerts")
        if len(alerts) > MAX_ALERTS:
            raise self.fail(("alerts",), f"{len(alerts)} alerts; opsbook reads at most {MAX_ALERTS} per payload")
        common = self.strings(data.get("commonLabels"), ("commonLabels",), labels=True)
        out = []
        for index, raw in enumerate(alerts):
            here = ("alerts", index)
            item = self.obj(raw, here)
            status = self.string(item.get("status"), here + ("status",))
            if status not in (FIRING, RESOLVED):
                raise self.fail(here + ("status",), f"'{status}': expected firing or resolved")
            labels = {**common, **self.strings(item.get("labels"), here + ("labels",), labels=True)}
            annotations = self.strings(item.get("annotations"), here + ("annotations",), labels=False)
            if "alertname" not in labels:
                raise self.fail(here + ("labels",), "no alertname label; Prometheus gives every alert one")
            given = self.string(item.get("fingerprint"), here + ("fingerprint",), required=False)
            out.append(Alert(
                source="alertmanager", status=status, name=labels["alertname"], labels=labels,
                annotations=annotations, fingerprint=given or label_fingerprint(labels),
                starts_at=self.time(item.get("startsAt"), here + ("startsAt",)),
                ends_at=self.time(item.get("endsAt"), here + ("endsAt",)),
                url=self.string(item.get("generatorURL"), here + ("generatorURL",), required=False) or None,
                path=_json_path(here)))
        truncated = data.get("truncatedAlerts") or 0
        if not isinstance(truncated, int) or isinstance(truncated, bool) or truncated < 0:
            raise self.fail(("truncatedAlerts",), f"expected a count; got {_kind(truncated)}")
        notes = [f"Alertmanager left {truncated} more alert(s) of this group out of the payload "
                 "(max_alerts in the receiver)"] if truncated else []
        return Payload("alertmanager", out, self.string(data.get("groupKey"), ("groupKey",), required=False),
                       truncated, notes)

    def pagerduty(self, data: dict) -> Payload:
        event = self.obj(data["event"], ("event",))
        kind = self.string(event.get("event_type"), ("event", "event_type"))
        resource = event.get("resource_type")
        if resource != "incident" or not kind.startswith("incident."):
            raise self.fail(("event", "event_type"), f"'{kind}' is not an incident event; opsbook takes "
                                                     "incident.* events (subscribe to incident.triggered, "
                                                     "incident.resolved...)")
        here = ("event", "data")
        incident = self.obj(event.get("data"), here)
        ident = self.string(incident.get("id"), here + ("id",))
        title = self.string(incident.get("title"), here + ("title",), required=False) or \
            self.string(incident.get("summary"), here + ("summary",), required=False) or ident
        labels = {"alertname": title, "pagerduty_incident": ident}
        service = incident.get("service")
        if service is not None:
            service = self.obj(service, here + ("service",))
            name = self.string(service.get("summary"), here + ("service", "summary"), required=False)
            if name:
                labels["pagerduty_service"] = name
        for key in ("urgency", "status"):
            value = self.string(incident.get(key), here + (key,), required=False)
            if value:
                labels[key] = value
        priority = incident.get("priority")
        if isinstance(priority, dict) and isinstance(priority.get("summary"), str):
            labels["priority"] = priority["summary"]
        if isinstance(incident.get("number"), int) and not isinstance(incident.get("number"), bool):
            labels["pagerduty_number"] = str(incident["number"])
        status = FIRING if kind in PD_FIRING else RESOLVED if kind in PD_RESOLVED else OTHER
        url = self.string(incident.get("html_url"), here + ("html_url",), required=False) or None
        started = self.time(incident.get("created_at"), here + ("created_at",)) or \
            self.time(event.get("occurred_at"), ("event", "occurred_at"))
        alert = Alert(source="pagerduty", status=status, name=title, labels=labels,
                      annotations={"summary": title, **({"url": url} if url else {})},
                      fingerprint=f"pagerduty-{ident}", starts_at=started, url=url, event=kind, path="$.event")
        return Payload("pagerduty", [alert])

    def plain(self, data: dict) -> Payload:
        if "labels" in data or "annotations" in data:
            labels = self.strings(data.get("labels"), ("labels",), labels=True)
            annotations = self.strings(data.get("annotations"), ("annotations",), labels=False)
            status = self.string(data.get("status", FIRING), ("status",))
            if status not in (FIRING, RESOLVED):
                raise self.fail(("status",), f"'{status}': expected firing or resolved")
            given = self.string(data.get("fingerprint"), ("fingerprint",), required=False)
            starts = self.time(data.get("startsAt"), ("startsAt",))
            url = self.string(data.get("generatorURL"), ("generatorURL",), required=False) or None
        else:
            labels, annotations, status, given, starts, url = (
                self.strings(data, (), labels=True), {}, FIRING, None, None, None)
        if not labels.get("alertname"):
            raise self.fail(("labels",) if "labels" in data else (),
                            "no alertname label; name the alert ({\"labels\": {\"alertname\": \"...\"}})")
        return Payload("plain", [Alert(source="plain", status=status, name=labels["alertname"], labels=labels,
                                       annotations=annotations, fingerprint=given or label_fingerprint(labels),
                                       starts_at=starts, url=url)])


def load_payload(name: str, stdin=None) -> Payload:
    """Read the payload at ``name`` (``-``: standard input) as UTF-8 JSON."""
    import sys

    if name == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(MAX_BYTES + 1)
        source = "<stdin>"
    else:
        source = name
        try:
            with open(name, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise PayloadError(source, f"cannot read it: {exc.strerror or exc}") from None
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    if len(data) > MAX_BYTES:
        raise PayloadError(source, f"larger than {MAX_BYTES // (1024 * 1024)} MB; an alert payload is a few KB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise PayloadError(source, f"byte 0x{data[exc.start]:02x} is not UTF-8 (JSON is UTF-8 text)",
                           line=line, column=column) from None
    return read_payload(text, source)

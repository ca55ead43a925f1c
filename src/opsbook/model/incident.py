"""`incidents/<id>.yaml`: one incident record."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from opsbook.model.base import (
    Code,
    Instant,
    Line,
    Slug,
    Strict,
    Text,
    TimeZone,
    WebUrl,
    ZonedDocument,
)

Stage = Literal["investigating", "identified", "monitoring", "resolved"]
STAGES: tuple[str, ...] = ("investigating", "identified", "monitoring", "resolved")
ComponentStatus = Literal["operational", "degraded_performance", "partial_outage", "major_outage",
                          "under_maintenance"]
COMPONENT_STATUSES: tuple[str, ...] = ("operational", "degraded_performance", "partial_outage",
                                       "major_outage", "under_maintenance")
Impact = Literal["none", "minor", "major", "critical"]
MILESTONES: tuple[str, ...] = ("started", "detected", "declared", "acknowledged", "mitigated", "resolved")
# Pairs (earlier, later) that must hold. A partial order, not a chain: a page is
# often acknowledged before anyone declares the incident, or the other way round.
MILESTONE_ORDER: tuple[tuple[str, str], ...] = (
    ("started", "detected"), ("detected", "declared"), ("detected", "acknowledged"),
    ("declared", "mitigated"), ("acknowledged", "mitigated"), ("mitigated", "resolved"),
    ("declared", "resolved"), ("started", "resolved"),
)


class Update(Strict):
    """A public status update, as posted to the status page."""

    at: Instant
    status: Stage
    message: Text
    components: dict[Slug, ComponentStatus] = {}
    """Status-page component id -> its status as of this update."""


class TimelineEntry(Strict):
    """An internal note for the postmortem; never published."""

    at: Instant
    text: Text
    by: Slug | None = None


class AlertRef(Strict):
    """A monitoring alert this incident holds: later payloads with the same
    fingerprint are noted on it instead of opening a second incident."""

    fingerprint: Line
    """Alertmanager's fingerprint (a hash of the labels), or pagerduty-<incident id>."""
    name: Line
    source: Literal["alertmanager", "pagerduty", "plain"]
    at: Instant
    """When opsbook received it."""
    url: WebUrl | None = None
    """Where the alert is seen (Alertmanager's generatorURL, PagerDuty's incident page)."""
    runbook_url: WebUrl | None = None
    """The alert's own runbook_url annotation."""


class SeverityChange(Strict):
    """A change of severity during the incident (`opsbook incident severity`)."""

    at: Instant
    severity: Code
    """The new level."""
    previous: Code
    reason: Text = ""
    by: Slug | None = None


class Incident(ZonedDocument):
    id: Code = Field(pattern=r"^[A-Za-z]+-\d{4}-\d{3,}$")
    """INC-YYYY-NNN; must match the file name."""
    title: Line
    severity: Code
    status: Stage
    services: list[Slug] = []
    commander: Slug | None = None
    roles: dict[Slug, Slug] = {}
    """Role name -> person id (comms, scribe, ...)."""
    channel: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]{0,79}$")
    """Chat channel where the incident is worked, e.g. inc-20260314-card-payments-failing."""
    started: Instant | None = None
    """Impact began (often known only later)."""
    detected: Instant | None = None
    declared: Instant
    acknowledged: Instant | None = None
    mitigated: Instant | None = None
    resolved: Instant | None = None
    public: bool = False
    """Whether the incident appears on the status page."""
    impact: Impact = "none"
    summary: Text = ""
    runbooks: list[Line] = []
    timezone: TimeZone | None = None
    """Zone for times written without an offset; defaults to the organisation's."""
    updates: list[Update] = []
    timeline: list[TimelineEntry] = []
    alerts: list[AlertRef] = []
    """Alerts that opened or joined this incident (`opsbook incident new --from-alert`)."""
    severity_changes: list[SeverityChange] = []
    """Severity history, oldest first; `severity` is the current level."""

    @property
    def is_open(self) -> bool:
        return self.status != "resolved"

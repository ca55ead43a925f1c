"""The --json answers of the alert commands (`severity classify --alert`, `incident new --from-alert`)."""

from __future__ import annotations

from pydantic import Field

from opsbook.outputs import Output, SkippedList


class AlertDecision(Output):
    alert: str
    """The alert's name (alertname, or PagerDuty's incident title)."""
    fingerprint: str
    status: str
    """firing, resolved, or other (a PagerDuty event that neither opens nor closes)."""
    service: str | None
    service_match: str
    """How the service was found, or why not."""
    level: str
    rule: str | None
    """The id of the rule that matched; null when the default gave the level."""
    reasons: list[str]


class AlertClassification(Output):
    """`opsbook severity classify --alert FILE --json`."""

    source: str
    """alertmanager, pagerduty or plain."""
    level: str
    level_name: str
    rule: str | None
    rule_description: str = ""
    reasons: list[str]
    alert: str
    """The alert that decided (the most severe of a group)."""
    services: list[str]
    alerts: list[AlertDecision]
    notes: list[str] = []
    skipped: SkippedList = Field(default_factory=list)

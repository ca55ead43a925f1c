"""The --json answers of the alert commands (`severity classify --alert`, `incident new --from-alert`)."""

from __future__ import annotations

from pydantic import Field, RootModel

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


class LevelExpectations(Output):
    """What a level commits the team to (`incidents.classify.expectations`)."""

    id: str
    name: str
    description: str
    page: bool
    paged: str
    escalation: str | None
    ack_within: str | None
    update_every: str | None
    roles: list[str]
    postmortem: str
    postmortem_due: str | None
    status_page: str


class TreeAnswer(Output):
    question: str
    text: str
    answer: str
    """yes or no."""


class TreeClassification(Output):
    """`opsbook severity classify --answer ... --json`: the decision tree walked."""

    level: LevelExpectations
    answers: list[TreeAnswer]
    skipped: SkippedList = Field(default_factory=list)


class SeverityClassifyAnswer(RootModel[AlertClassification | TreeClassification]):
    """`opsbook severity classify --json`: by the rules (--alert) or by the decision tree."""

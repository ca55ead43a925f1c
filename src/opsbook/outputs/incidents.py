"""`opsbook comms --json` and the incident commands' documents."""

from __future__ import annotations

from opsbook.intake.model import AlertClassification, LevelExpectations
from opsbook.oncall.escalation import EscalationTimeline
from opsbook.outputs import Output, SkippedList


class CommsMessage(Output):
    incident: str
    kind: str
    audience: str
    template: str
    text: str
    skipped: SkippedList


class NextUpdate(Output):
    due: str | None
    overdue: bool
    last: str


class OnCallForService(Output):
    service: str
    schedule: str | None
    primary: str | None = None
    backup: str | None = None
    next_handoff: str | None = None
    error: str | None = None


class Posted(Output):
    posted: bool
    error: str | None


class IncidentNew(Output):
    """`incident new --json`, with or without --from-alert: ``action`` says what happened
    (declared; noted on an open incident holding the alert; nothing), and the incident's
    fields are null when there is no incident."""

    action: str
    id: str | None
    file: str | None
    title: str | None
    severity: str | None
    status: str | None
    declared: str | None
    services: list[str]
    channel: str | None
    roles_required: list[str]
    roles: dict[str, str]
    public: bool | None
    runbooks: list[str]
    on_call: list[OnCallForService]
    next_update: NextUpdate | None
    escalation: list[EscalationTimeline]
    classification: AlertClassification | None
    notes: list[str]
    post: Posted | None
    skipped: SkippedList


class IncidentChanged(Output):
    """`incident update|note|resolve --json`."""

    id: str
    file: str
    status: str
    updates: int
    timeline: int
    resolved: str | None
    next_update: NextUpdate
    post: Posted | None
    skipped: SkippedList


class IncidentSummary(Output):
    id: str
    title: str
    severity: str
    status: str
    services: list[str]
    declared: str
    resolved: str | None
    duration_minutes: int | None
    commander: str | None
    public: bool
    file: str


class IncidentList(Output):
    incidents: list[IncidentSummary]
    skipped: SkippedList


class Ladder(Output):
    """`opsbook severity --json`: what each level commits the team to, most severe first."""

    levels: list[LevelExpectations]
    skipped: SkippedList



class IncidentShown(Output):
    """`incident show --json`: the record as its file model reads it (every key of
    incidents/<id>.yaml, times in UTC), with its file, the next update due, its
    postmortems and who was paged when."""

    incident: "Incident"
    file: str
    next_update: NextUpdate
    postmortems: list[str]
    escalation: list[EscalationTimeline]
    skipped: SkippedList


from opsbook.model.incident import Incident  # noqa: E402 - after the models that need no record

IncidentShown.model_rebuild()

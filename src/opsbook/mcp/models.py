"""The shapes of the tools' answers (their MCP output schemas).

Times are ISO 8601 instants in UTC; ids are the knowledge base's; ``file``
is a path relative to the knowledge base's root. Field names follow the
CLI's ``--json`` output where there is one.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from opsbook.intake.model import LevelExpectations
from opsbook.outputs import PersonRef
from opsbook.outputs.incidents import IncidentSummary as CliIncidentSummary


class Answer(BaseModel):
    skipped: list[str] = Field(default_factory=list, description=(
        "Files that failed to load and were left out of this answer, each with its located error "
        "(run the validate tool). Empty when everything the answer needs loaded."))



# --- on call ------------------------------------------------------------------------------


class OnCallEntry(BaseModel):
    schedule: str
    name: str
    timezone: str
    at: str
    primary: PersonRef | None
    backup: PersonRef | None
    next_handoff: str | None = Field(description="When the (primary, backup) pair next changes; null: not "
                                                 "within 400 days.")


class OnCall(Answer):
    at: str
    schedules: list[OnCallEntry]


class ShiftEntry(BaseModel):
    schedule: str
    role: Literal["primary", "backup"]
    person: PersonRef
    start: str
    end: str
    hours: float
    source: Literal["layer", "override"]
    layer: str | None = Field(None, description="The layer's name, for a turn of a layer.")
    override: int | None = Field(None, description="Index into the schedule's overrides, for an override.")


class Shifts(Answer):
    start: str
    end: str
    shifts: list[ShiftEntry] = Field(description="Whole shifts meeting [start, end), by start; a shift may "
                                                 "begin before start or end after end.")


class Target(BaseModel):
    kind: Literal["schedule", "person", "team"]
    id: str
    role: Literal["primary", "backup"] | None = Field(None, description="For a schedule: the role notified.")
    people: list[PersonRef] = Field(description="Who this target reaches when the step fires: the schedule "
                                                "role's holder then, the person, or the team's members.")


class Notification(BaseModel):
    after_minutes: float
    after: str
    round: int = Field(description="0 for the first pass; the policy repeats `repeat` times.")
    at: str = Field(description="When this step fires for a page sent at the answer's `at`.")
    targets: list[Target]
    gap: bool = Field(False, description="True when this step reaches nobody (no one holds the schedule role).")


class Escalation(Answer):
    service: str
    service_name: str
    policy: str
    policy_name: str | None
    repeat: int
    repeat_after: str | None
    at: str
    notifications: list[Notification]
    override: bool = Field(False, description="True when the severity's escalation override replaced the "
                                              "service's policy.")
    notes: list[str] = Field(default_factory=list, description="E.g. rounds that repeat without a stated time.")


class ServiceEntry(BaseModel):
    id: str
    name: str
    team: str | None
    schedule: str | None
    escalation: str | None
    tier: int | None
    description: str


class Services(Answer):
    services: list[ServiceEntry]


# --- severity -----------------------------------------------------------------------------


# What a level commits the team to: the same document `opsbook severity --json` lists.
Level = LevelExpectations


class Question(BaseModel):
    id: str
    text: str
    help: str


class Ladder(Answer):
    levels: list[Level] = Field(description="Most severe first.")
    questions: list[Question] = Field(description="The decision tree's questions, for classify_severity's "
                                                  "answers (empty without a decision tree).")


class Answered(BaseModel):
    question: str
    text: str
    answer: Literal["yes", "no"]


class Classification(Answer):
    complete: bool = Field(description="True when a level was reached; false when `next_question` needs an "
                                       "answer (ask the person, then call again with it added to answers).")
    level: Level | None
    answers: list[Answered]
    next_question: Question | None
    alert: str | None = None
    runbooks: list[str] = Field(default_factory=list, description="Runbooks covering the alert, when one "
                                                                  "was given.")
    rule: str | None = Field(None, description="With a payload: the id of the severity rule that matched "
                                               "(null: the default level).")
    reasons: list[str] = Field(default_factory=list, description="With a payload: what the rule compared.")
    services: list[str] = Field(default_factory=list, description="With a payload: the services its alerts "
                                                                  "map to.")


# --- incidents ----------------------------------------------------------------------------


# One line of the incident list: the same row `opsbook incident list --json` prints.
IncidentSummary = CliIncidentSummary


class Incidents(Answer):
    incidents: list[IncidentSummary] = Field(description="Newest first.")


class NextUpdate(BaseModel):
    due: str | None = Field(description="When the next stakeholder update is due; null when resolved or the "
                                        "level sets no cadence.")
    overdue: bool
    last: str


class UpdateEntry(BaseModel):
    at: str
    status: str
    message: str
    components: dict[str, str]


class TimelineEntry(BaseModel):
    at: str
    text: str
    by: str | None


class IncidentDetail(Answer):
    id: str
    title: str
    severity: str
    status: str
    impact: str
    public: bool
    services: list[str]
    commander: str | None
    roles: dict[str, str]
    channel: str | None
    started: str | None
    detected: str | None
    declared: str
    acknowledged: str | None
    mitigated: str | None
    resolved: str | None
    summary: str
    runbooks: list[str]
    updates: list[UpdateEntry] = Field(description="Status-page updates (public when the incident is).")
    timeline: list[TimelineEntry] = Field(description="Internal timeline; never published.")
    next_update: NextUpdate
    postmortems: list[str]
    file: str


# --- action items, runbooks, postmortems --------------------------------------------------


class ActionItemRow(BaseModel):
    id: str
    title: str
    owner: str | None
    owner_name: str | None
    team: str | None
    status: str
    type: str | None
    due: str | None
    overdue_days: int
    age_days: int | None
    ticket: str | None
    closed: str | None
    postmortem: str
    incident: str | None
    file: str


class ActionItems(Answer):
    today: str
    items: list[ActionItemRow] = Field(description="Most overdue first, then open before closed, then by due "
                                                   "date.")


class RunbookEntry(BaseModel):
    id: str
    title: str
    service: str | None
    owner: str | None
    alerts: list[str]
    severity: str | None
    last_reviewed: str | None
    file: str


class Runbooks(Answer):
    runbooks: list[RunbookEntry]


class RunbookText(Answer):
    runbook: RunbookEntry
    sections: list[str] = Field(description="Headings, in order.")
    text: str = Field(description="The Markdown body, as the team wrote it (front matter left out).")


class PostmortemEntry(BaseModel):
    id: str
    title: str
    incident: str | None
    status: str
    owner: str | None
    date: str | None
    due: str | None
    visibility: str
    severity: str | None
    action_items: int
    file: str


class Postmortems(Answer):
    postmortems: list[PostmortemEntry]


class PostmortemText(Answer):
    postmortem: PostmortemEntry
    action_items: list[ActionItemRow]
    text: str = Field(description="The Markdown body (front matter left out).")


# --- validation and status ----------------------------------------------------------------


class Finding(BaseModel):
    file: str
    line: int
    column: int
    level: Literal["error", "warning"]
    code: str
    rule: str
    message: str
    hint: str | None


class Validation(BaseModel):
    now: str
    errors: int
    warnings: int
    files: int
    findings: list[Finding] = Field(description="Located findings, by file and position, as `opsbook validate "
                                                "--json` reports them.")


class ComponentState(BaseModel):
    id: str
    name: str
    group: str | None
    status: str


class StatusIncident(BaseModel):
    id: str
    title: str
    stage: str
    impact: str
    updated: str
    last_message: str
    next_update: str | None


class StatusMaintenance(BaseModel):
    id: str
    title: str
    status: str
    start: str
    end: str
    components: list[str]


class Status(Answer):
    page: str
    now: str
    indicator: str
    description: str
    components: list[ComponentState]
    incidents: list[StatusIncident] = Field(description="Unresolved public incidents, newest first.")
    maintenance: list[StatusMaintenance] = Field(description="Active, then upcoming maintenance.")


# --- writes -------------------------------------------------------------------------------


class OnCallForService(BaseModel):
    service: str
    schedule: str
    primary: PersonRef | None = None
    backup: PersonRef | None = None
    next_handoff: str | None = None
    error: str | None = None


class Declared(BaseModel):
    id: str
    file: str = Field(description="The record written, relative to the root. Not committed: review and commit it.")
    title: str
    severity: str
    status: str
    declared: str
    channel: str
    roles_required: list[str]
    public: bool
    on_call: list[OnCallForService]
    next_update: NextUpdate


class Recorded(BaseModel):
    id: str
    file: str = Field(description="The record changed, relative to the root. Not committed: review and commit it.")
    status: str
    updates: int
    timeline: int
    resolved: str | None
    next_update: NextUpdate


class PostmortemDraft(BaseModel):
    file: str = Field(description="The draft written, relative to the root. Not committed.")
    incident: str | None
    template: str
    due: str | None


class ActionItemChange(BaseModel):
    id: str
    status: str
    changed: bool = Field(description="False when the item already had that status (nothing was written).")
    file: str

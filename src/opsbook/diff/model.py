"""What `opsbook diff --json` prints: the meaning of a change between two revisions."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

# The contract for programs: unknown keys are refused, so the output cannot drift
# from its schema (see opsbook.outputs).
from opsbook.outputs import Output as BaseModel

Status = Literal["added", "removed", "changed"]


class FieldChange(BaseModel):
    field: str
    """What changed, in words ("acknowledge within", "step 2 delay")."""
    before: str | None = None
    """As a person reads it; None when there was nothing (added)."""
    after: str | None = None


class Change(BaseModel):
    """One thing (a severity level, a policy, a service ...) added, removed or changed."""

    kind: Literal["severity", "escalation", "service", "runbook", "alert", "component", "group", "setting",
                  "schedule"]
    id: str
    name: str
    """Its name as people say it (the id when it has none)."""
    status: Status
    fields: list[FieldChange] = []
    notes: list[str] = []
    """Consequences in a sentence ("no longer pages", "lost its runbook")."""


class PersonLoad(BaseModel):
    """One person's on call over the window, before and after (primary unless named backup)."""

    person: str
    name: str
    zone: str
    """The zone nights and weekends are counted in: the person's own, else their schedule's."""
    hours_before: float
    hours_after: float
    night_hours_before: float
    night_hours_after: float
    nights_before: int
    nights_after: int
    weekend_hours_before: float
    weekend_hours_after: float
    weekends_before: int
    weekends_after: int
    backup_hours_before: float
    backup_hours_after: float

    @property
    def delta(self) -> float:
        return round(self.hours_after - self.hours_before, 2)


class Handover(BaseModel):
    """A stretch of a schedule's role held by someone else after the change (or by nobody)."""

    schedule: str
    schedule_name: str
    zone: str
    role: Literal["primary", "backup"]
    start: str
    """ISO 8601 in the schedule's zone."""
    end: str
    before: str | None
    """Person id (None: nobody, a gap)."""
    after: str | None
    before_name: str | None
    after_name: str | None
    hours: float
    kind: Literal["changed_hands", "gap_opened", "gap_closed"]


class DoublePager(BaseModel):
    """Someone holding roles on two schedules at once after the change, who was not before."""

    person: str
    name: str
    schedules: list[str]
    """Schedule names, with the role held: "Payments (primary)"."""
    start: str
    end: str
    zone: str
    hours: float


class OnCallDiff(BaseModel):
    start: str
    end: str
    weeks: int
    people: list[PersonLoad] = []
    """Only people whose numbers changed, largest change in hours first."""
    handovers: list[Handover] = []
    double_pagers: list[DoublePager] = []
    schedules: list[Change] = []
    """Schedules added or removed, or whose file does not load on one side."""
    definitions: dict[str, str] = {}


class Finding(BaseModel):
    code: str
    level: str
    file: str
    line: int
    column: int
    message: str


class ValidationDiff(BaseModel):
    introduced: list[Finding] = []
    fixed: list[Finding] = []
    unchanged: int = 0
    """Findings on both sides (already there), counted, not listed."""
    not_compared: str = ""


class DiffReport(BaseModel):
    base: str
    head: str
    now: str
    summary: list[str] = Field(default_factory=list)
    """The headline, in order of consequence; empty means no policy consequence."""
    severity: list[Change] = []
    escalation: list[Change] = []
    oncall: OnCallDiff
    services: list[Change] = []
    runbooks: list[Change] = []
    status_page: list[Change] = []
    settings: list[Change] = []
    validation: ValidationDiff
    other_files: list[str] = []
    """Files that changed without any meaning the diff reads (incidents, postmortems, docs ...)."""

    @property
    def has_consequence(self) -> bool:
        return bool(self.summary)

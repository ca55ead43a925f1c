"""The metrics report as data: what `opsbook metrics --json` prints and what the
site page and the text and CSV formats are made from.

Durations are seconds (floats: a median of an even count can end in .5);
instants are UTC ISO 8601; days are the organisation's calendar dates.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Window(_Out):
    start: datetime
    """Inclusive."""
    end: datetime
    """Exclusive."""
    now: datetime
    """The instant open incidents, overdue items and ages are judged at."""
    timezone: str
    """The organisation's zone: months and calendar days are counted in it."""


class Summary(_Out):
    n: int
    median_seconds: float | None
    p90_seconds: float | None
    mean_seconds: float | None
    missing: list[str]
    """Incidents in the window without a milestone this figure needs (not counted)."""
    open: list[str]
    """Open incidents that have not reached the end milestone yet (not counted)."""


class Measure(_Out):
    id: str
    name: str
    definition: str
    summary: Summary


class GroupTimes(_Out):
    key: str
    label: str
    incidents: int
    measures: list[Measure]


class Count(_Out):
    key: str
    label: str
    count: int


class MonthSeverity(_Out):
    month: str
    """YYYY-MM in the organisation's zone."""
    counts: dict[str, int]
    """Severity id -> incidents declared that month (every level, zeros included)."""
    total: int


class Counts(_Out):
    total: int
    by_severity: list[Count]
    by_service: list[Count]
    """Internal only (a public reader sees components); an incident on two services counts for each."""
    by_team: list[Count]
    by_component: list[Count]
    """Status-page components the incident's public updates reported as not operational."""
    by_month: list[MonthSeverity]


class ComponentImpact(_Out):
    component: str
    name: str
    incidents: list[str]
    minutes: dict[str, float]
    """Non-operational status -> minutes in it inside the window (overlaps merged, worst status wins)."""
    downtime_minutes: float
    """Minutes weighted as the status page weighs them (major outage 100 %, partial 30 %, degraded 0 %)."""


class PostmortemRow(_Out):
    incident: str
    severity: str
    state: str
    """on_time | late | overdue_draft | missing | pending | undated | not_public"""
    due: date | None
    delivered: date | None
    """The postmortem's date, when it is out of draft."""
    postmortem: str | None


class PostmortemFollowThrough(_Out):
    required: int
    on_time: int
    late: int
    overdue_draft: int
    missing: int
    pending: int
    undated: int
    not_public: int
    rows: list[PostmortemRow]


class ActionFollowThrough(_Out):
    due_in_window: int
    """Items whose due date falls in the window (wont-do excluded)."""
    closed_on_time: int
    closed_late: int
    closed_undated: int
    """Done without a closed date: when it was done is not known."""
    still_open: int
    """Due in the window and not done yet."""
    wont_do: int
    """Due in the window and dropped."""
    open_now: int
    overdue_now: int
    median_open_age_days: float | None
    """Days since the postmortem's date, over open items that have one."""
    open_age_n: int
    overdue: list[str]


class PersonLoad(_Out):
    person: str
    name: str
    timezone: str
    primary_hours: float
    share: float
    """primary_hours over the window's hours."""
    backup_hours: float
    shifts: int
    incidents: int
    business_hours: int
    evenings_weekends: int
    sleep: int
    most_in_one_shift: int
    flags: list[str]


class OnCallLoad(_Out):
    people: list[PersonLoad]
    unattended: list[str]
    """Incidents declared while no primary was on call for any of their schedules."""


class OpenIncident(_Out):
    id: str
    title: str
    severity: str
    status: str
    declared: datetime
    age_seconds: float
    """From declared to now."""


class MetricsReport(_Out):
    audience: str
    window: Window
    by: str | None
    incidents: int
    response_times: list[Measure]
    groups: list[GroupTimes]
    counts: Counts
    customer_impact: list[ComponentImpact] | None
    """None without a status page."""
    postmortems: PostmortemFollowThrough
    actions: ActionFollowThrough
    oncall: OnCallLoad
    open_incidents: list[OpenIncident]

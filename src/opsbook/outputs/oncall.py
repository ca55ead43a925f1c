"""`opsbook oncall now|at|shifts|gaps|report|ics --json`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from opsbook.outputs import Output, PersonRef, SkippedList


class OnCallRow(Output):
    schedule: str
    name: str
    timezone: str
    at: str
    primary: PersonRef | None
    backup: PersonRef | None
    next_handoff: str | None
    seconds_to_next_handoff: int | None


class OnCallAnswer(Output):
    """Who is on call at one instant, per schedule."""

    at: str
    schedules: list[OnCallRow]
    skipped: SkippedList


class Shift(Output):
    schedule: str
    role: Literal["primary", "backup"]
    person: PersonRef | None
    start: str
    end: str
    hours: float
    source: Literal["layer", "override"]
    layer: str | None
    override: int | None


class Shifts(Output):
    from_: str = Field(alias="from")
    to: str
    shifts: list[Shift]
    skipped: SkippedList


class Gap(Output):
    schedule: str
    coverage: str
    start: str
    end: str
    hours: float


class Gaps(Output):
    from_: str = Field(alias="from")
    to: str
    gaps: list[Gap]
    skipped: SkippedList


class Load(Output):
    person: str
    name: str
    timezone: str | None
    hours: float
    shifts: int
    night_hours: float
    weekend_hours: float
    backup_hours: float
    schedules: list[str]


class LoadReport(Output):
    from_: str = Field(alias="from")
    to: str
    people: list[Load]
    skipped: SkippedList


class Feed(Output):
    path: str
    file: str
    bytes: int


class Feeds(Output):
    from_: str = Field(alias="from")
    to: str
    feeds: list[Feed]
    skipped: SkippedList

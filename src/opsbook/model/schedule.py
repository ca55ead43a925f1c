"""`schedules/<id>.yaml`: one on-call schedule of rotation layers and overrides."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from opsbook.model.base import (
    ClockTime,
    Duration,
    Instant,
    Line,
    LocalDateTime,
    Slug,
    Strict,
    Text,
    TimeZone,
    ZonedDocument,
)
from opsbook.timeutil import format_duration

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Role = Literal["primary", "backup"]


class Restriction(Strict):
    days: list[Weekday] = list(WEEKDAYS)
    from_: ClockTime = Field(alias="from")
    """Local start time, "09:00"."""
    to: ClockTime
    """Local end time; earlier than `from` wraps past midnight; "24:00" is the end of the day."""


class Layer(Strict):
    name: Line
    members: list[Slug] = Field(min_length=1)
    """Person ids in rotation order."""
    start: LocalDateTime
    """The first handoff, local wall-clock time in the layer's zone (no offset)."""
    length: Duration
    """Shift length, a whole number of hours, days or weeks."""
    backup: Literal["next"] | list[Slug] | None = "next"
    """`next`: the next member in order is backup; a list: a rotation of its own; null: no backup."""
    restrict: list[Restriction] = []
    """When the layer is active; absent means always."""
    timezone: TimeZone | None = None
    """Zone for start and restrict; defaults to the schedule's."""

    @field_validator("length")
    @classmethod
    def _whole_hours(cls, value: timedelta) -> timedelta:
        # Handoffs are wall-clock times; a 90-minute turn would drift against
        # every day boundary, and no team hands off at second granularity.
        if value <= timedelta(0) or value % timedelta(hours=1):
            raise PydanticCustomError("duration", f"a layer's length must be a whole number of hours, days or "
                                      f"weeks (1h, 12h, 1d, 1w); got {format_duration(value)}")
        return value


class Override(Strict):
    role: Role = "primary"
    person: Slug
    start: Instant
    end: Instant
    reason: Text = ""

    @field_validator("end")
    @classmethod
    def _after_start(cls, value, info: ValidationInfo):
        start = info.data.get("start")
        if start is not None and value <= start:
            raise PydanticCustomError("time", f"an override must end after it starts; end {value.isoformat()} "
                                      f"is not after start {start.isoformat()}")
        return value


class Schedule(ZonedDocument):
    name: Line
    team: Slug | None = None
    timezone: TimeZone
    """Zone of the layers' handoff times and of override times without an offset."""
    coverage: Literal["24/7", "partial"] = "partial"
    """`24/7` claims someone is always on call; gaps are then errors."""
    description: Text = ""
    handoff_channel: Line | None = None
    """Slack channel for handoff messages."""
    layers: list[Layer] = Field(min_length=1)
    overrides: list[Override] = []

    @property
    def id(self) -> str:
        return self.file.stem

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


# The shortest turn. Handoffs are wall-clock minutes, and the work of every
# question is the turns inside its window: a 15-minute layer has 70,176 turns
# in the two years a command may ask about, four times an hourly one's.
MIN_TURN = timedelta(minutes=15)


class Layer(Strict):
    name: Line
    members: list[Slug] = Field(min_length=1)
    """Person ids in rotation order."""
    start: LocalDateTime
    """The first handoff, local wall-clock time in the layer's zone (no offset): turns are counted from here."""
    length: Duration
    """Turn length, a whole number of minutes, at least 15m (90m, 12h, 12h30m written 750m, 1d, 1w)."""
    from_: LocalDateTime | None = Field(default=None, alias="from")
    """Local wall-clock time at or after `start` from which the layer is on call; the turn in progress
    then is cut there. Absent: from `start`."""
    end: LocalDateTime | None = None
    """Local wall-clock time after `start` (and `from`) from which the layer covers nothing; the turn in
    progress then is cut there. Absent: the layer goes on."""
    backup: Literal["next"] | list[Slug] | None = "next"
    """`next`: the next member in order is backup; a list: a rotation of its own; null: no backup."""
    restrict: list[Restriction] = []
    """When the layer is active; absent means always."""
    timezone: TimeZone | None = None
    """Zone for start, from, end and restrict; defaults to the schedule's."""

    @field_validator("length")
    @classmethod
    def _whole_minutes(cls, value: timedelta) -> timedelta:
        # Handoffs are wall-clock times at whole minutes; no team hands off at
        # second granularity, and a turn of a few minutes is a typo (and, over
        # the two years a command may ask about, hundreds of thousands of turns).
        if value <= timedelta(0) or value % timedelta(minutes=1):
            raise PydanticCustomError("duration", f"a layer's length must be a whole number of minutes (90m, "
                                      f"12h, 1d, 1w); got {format_duration(value)}")
        if value < MIN_TURN:
            raise PydanticCustomError("duration", f"a layer's length must be at least "
                                      f"{format_duration(MIN_TURN)} (a turn every few minutes is a typo, and "
                                      f"would be {int(timedelta(days=365) / value):,} handoffs a year); got "
                                      f"{format_duration(value)}")
        return value

    @field_validator("from_")
    @classmethod
    def _from_not_before_start(cls, value, info: ValidationInfo):
        start = info.data.get("start")
        if value is not None and start is not None and value < start:
            raise PydanticCustomError("time", f"a layer's 'from' must be at or after its 'start' (the first "
                                      f"handoff, from which turns are counted); from {_local(value)} is before "
                                      f"start {_local(start)}: move 'from' later, or 'start' earlier")
        return value

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, value, info: ValidationInfo):
        if value is None:
            return value
        start, begin = info.data.get("start"), info.data.get("from_")
        if start is not None and value <= start:
            raise PydanticCustomError("time", f"a layer's 'end' must be after its 'start'; end {_local(value)} is "
                                      f"not after start {_local(start)}: a layer that ended before it began "
                                      "covers nothing, so delete it, or fix the date")
        if begin is not None and value <= begin:
            raise PydanticCustomError("time", f"a layer's 'end' must be after its 'from'; end {_local(value)} is "
                                      f"not after from {_local(begin)}: the layer would cover nothing")
        return value


def _local(value) -> str:
    return value.isoformat(timespec="seconds" if value.second else "minutes")


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

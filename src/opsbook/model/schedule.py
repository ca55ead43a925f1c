"""`schedules/<id>.yaml`: one on-call schedule of rotation layers and overrides."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from opsbook.model.base import (
    ClockTime,
    Duration,
    Instant,
    LocalDateTime,
    Slug,
    Strict,
    Text,
    TimeZone,
    ZonedDocument,
)

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
    name: str
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


class Override(Strict):
    role: Role = "primary"
    person: Slug
    start: Instant
    end: Instant
    reason: Text = ""


class Schedule(ZonedDocument):
    name: str
    team: Slug | None = None
    timezone: TimeZone
    """Zone of the layers' handoff times and of override times without an offset."""
    coverage: Literal["24/7", "partial"] = "partial"
    """`24/7` claims someone is always on call; gaps are then errors."""
    description: Text = ""
    handoff_channel: str | None = None
    """Slack channel for handoff messages."""
    layers: list[Layer] = Field(min_length=1)
    overrides: list[Override] = []

    @property
    def id(self) -> str:
        return self.file.stem

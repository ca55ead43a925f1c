"""Shared field types for the knowledge-base models.

Each type validates the way a person writes it (``"5m"``, ``"09:00"``,
``America/New_York``) and raises a ``PydanticCustomError`` whose *type* names
the rule, so the loader can map it to a diagnostic code.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from opsbook import timeutil


def _custom(kind: str, func):
    def validate(value: Any, info: ValidationInfo):
        try:
            return func(value, info)
        except ValueError as exc:
            raise PydanticCustomError(kind, str(exc)) from None

    return validate


def _duration(value, _info):
    if isinstance(value, timedelta):
        return value
    return timeutil.parse_duration(value)


def _deadline(value, _info):
    if isinstance(value, timeutil.Deadline):
        return value
    return timeutil.parse_deadline(value)


def _zone_name(value, _info):
    if not isinstance(value, str):
        raise ValueError(f"expected an IANA time zone name like Europe/London; got {value!r}")
    timeutil.get_zone(value)
    return value


def _context_zone(info: ValidationInfo | None):
    context = info.context if info is not None else None
    return (context or {}).get("zone")


def _instant(value, info):
    # Stored in UTC. An aware datetime in a ZoneInfo zone that falls in a
    # repeated (fall-back) hour compares unequal to the same instant in any
    # other zone (PEP 495); UTC has no such hour. Renderers convert for display.
    return timeutil.parse_instant(value, _context_zone(info)).astimezone(timezone.utc)


def _local(value, _info):
    return timeutil.parse_local(value)


def _date(value, _info):
    return timeutil.parse_date(value)


def _clock(value, _info):
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(f"expected a quoted time of day like \"09:00\"; got the number {value}")
    return timeutil.parse_clock(value)


Duration = Annotated[
    timedelta,
    BeforeValidator(_custom("duration", _duration)),
    PlainSerializer(timeutil.format_duration, return_type=str),
    WithJsonSchema({"type": "string", "pattern": timeutil.DURATION_PATTERN, "x-opsbook-type": "duration",
                    "description": "A duration: a whole number and a unit, s, m, h, d or w (90s, 5m, 1h, 2d, 1w)."}),
]
Deadline = Annotated[
    timeutil.Deadline,
    BeforeValidator(_custom("duration", _deadline)),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": timeutil.DEADLINE_PATTERN, "x-opsbook-type": "deadline",
                    "description": "Elapsed time (48h, 5d) or business days (5bd)."}),
]
TimeZone = Annotated[
    str,
    BeforeValidator(_custom("timezone", _zone_name)),
    WithJsonSchema({"type": "string", "x-opsbook-type": "timezone", "description": "An IANA time zone name, e.g. America/New_York or UTC."}),
]
Instant = Annotated[
    datetime,
    BeforeValidator(_custom("time", _instant)),
    PlainSerializer(lambda d: d.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "x-opsbook-type": "time", "description": "ISO 8601 date and time, e.g. 2026-03-14T14:02:00Z. "
                    "Without an offset the file's time zone applies."}),
]
LocalDateTime = Annotated[
    datetime,
    BeforeValidator(_custom("time", _local)),
    PlainSerializer(lambda d: d.isoformat(timespec="minutes"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$", "x-opsbook-type": "local time",
                    "description": "Local wall-clock date and time without an offset, e.g. 2026-01-05T09:00."}),
]
Day = Annotated[
    date,
    BeforeValidator(_custom("time", _date)),
    PlainSerializer(lambda d: d.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date", "x-opsbook-type": "date", "description": "A date, e.g. 2026-03-14."}),
]
ClockTime = Annotated[
    int,
    BeforeValidator(_custom("time", _clock)),
    PlainSerializer(timeutil.clock_text, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$", "x-opsbook-type": "time of day",
                    "description": "Time of day, 00:00 to 24:00, quoted: \"09:00\"."}),
]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(max_length=20_000)]


class Strict(BaseModel):
    """Unknown keys are errors (with a did-you-mean); values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              use_attribute_docstrings=True)


class Document(Strict):
    """A model loaded from one file; remembers where it came from."""

    _file: Path = PrivateAttr(default=Path())

    @property
    def file(self) -> Path:
        return self._file


class ZonedDocument(Document):
    """A document whose own ``timezone`` key applies to its times without an offset.

    The loader passes the organisation's zone in the validation context; a
    document that names its own zone replaces it before its times are parsed.
    """

    @model_validator(mode="before")
    @classmethod
    def _adopt_zone(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, dict) and info.context is not None and isinstance(data.get("timezone"), str):
            try:
                info.context["zone"] = timeutil.get_zone(data["timezone"])
            except ValueError:
                pass  # reported as invalid-timezone by the field itself
        return data


class MarkdownDocument(Document):
    """A Markdown file whose front matter is this model."""

    _body: str = PrivateAttr(default="")
    _body_first_line: int = PrivateAttr(default=1)

    @property
    def body(self) -> str:
        return self._body

    @property
    def body_first_line(self) -> int:
        return self._body_first_line


def describe(text: str):
    return Field(description=text)


__all__ = [
    "ClockTime", "Code", "Day", "Deadline", "Document", "Duration", "Instant", "LocalDateTime",
    "MarkdownDocument", "Slug", "ZonedDocument", "Strict", "Text", "TimeZone", "Field", "describe",
]

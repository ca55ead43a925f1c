"""Shared field types for the knowledge-base models.

Each type validates the way a person writes it (``"5m"``, ``"09:00"``,
``America/New_York``) and raises a ``PydanticCustomError`` whose *type* names
the rule, so the loader can map it to a diagnostic code.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
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


# --- free text ---------------------------------------------------------------------
#
# Text from YAML reaches HTML, XML (feeds, SVG badges), ICS, JSON and terminals.
# XML 1.0 cannot carry C0 control characters (nor U+FFFE, U+FFFF or a lone
# surrogate) at all, and a pasted terminal colour code ("\x1b[31m", written as
# an escape in a double-quoted string) is never meant: both are located errors.
# Multi-line fields keep tab and line feed; one-line fields (titles, names)
# take neither, nor a carriage return. DEL and the C1 controls (U+0080-U+009F,
# among them a terminal's CSI) and the bidirectional embedding, override and
# isolate controls (U+202A-U+202E, U+2066-U+2069: text that displays in another
# order than it reads, "Trojan source") are refused everywhere, so no value can
# drive the terminal a responder reads `incident show` in. Writers still clean
# what they emit.

_NAMES = {0: "NUL", 7: "bell", 8: "backspace", 9: "tab", 10: "line feed", 11: "vertical tab", 12: "form feed",
          13: "carriage return", 27: "escape", 127: "delete", 0x85: "next line", 0x9B: "control sequence introducer",
          0x2028: "line separator", 0x2029: "paragraph separator", 0x202A: "left-to-right embedding",
          0x202B: "right-to-left embedding", 0x202C: "pop directional formatting", 0x202D: "left-to-right override",
          0x202E: "right-to-left override", 0x2066: "left-to-right isolate", 0x2067: "right-to-left isolate",
          0x2068: "first strong isolate", 0x2069: "pop directional isolate"}
_BIDI_CONTROLS = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A))


def _forbidden(ch: str, multiline: bool) -> bool:
    code = ord(ch)
    if code in (9, 10):
        return not multiline
    # U+2028/2029 too: a raw one in a file is refused when it is read (YAML
    # counts it as a line break), so a value must not carry one either, and the
    # CLI refuses it in arguments: one rule everywhere.
    return (code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF, 0x2028, 0x2029)
            or code in _BIDI_CONTROLS)


def one_line(value: object, limit: int = 200, at_word: bool = False) -> str:
    """Someone else's text made safe as a one-line value: every character a
    ``Line`` refuses, and invisible format characters (zero-width, BOM), become
    spaces; runs of spaces become one; longer than ``limit``, it is cut (at a
    word when ``at_word``) and ends with an ellipsis. Importers and the
    postmortem history reader both use it, so what they write always loads."""
    import unicodedata

    text = "".join(" " if _forbidden(ch, False) or unicodedata.category(ch) in ("Cf", "Zl", "Zp") else ch
                   for ch in str(value))
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if at_word:
        cut = cut.rsplit(" ", 1)[0] or cut
    return cut.rstrip() + "…"


def char_name(ch: str) -> str:
    """``U+001B (escape)``: a character as a person can find it in an editor."""
    code = ord(ch)
    name = _NAMES.get(code) or ("control character" if code < 0x20 or 0x7F <= code <= 0x9F else "")
    return f"U+{code:04X}" + (f", {name}" if name else "")


# The characters _forbidden refuses, as one class: the common case (clean text)
# is a single C-level search instead of a Python loop over every character.
_SUSPECT = {
    True: re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u2028\u2029\u202a-\u202e\u2066-\u2069]"),
    False: re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u2028\u2029\u202a-\u202e\u2066-\u2069]"),
}


def text_problem(value: str, multiline: bool) -> str | None:
    """Why ``value`` cannot be free text, or None when it can."""
    if _SUSPECT[multiline].search(value) is None:
        return None
    for index, ch in enumerate(value):
        if _forbidden(ch, multiline):
            if ch in "\n\r" and not multiline:
                return f"is one line of text but contains a line break ({char_name(ch)}) at character {index + 1}"
            if ch == "\t":
                return f"is one line of text but contains a tab at character {index + 1}"
            if ord(ch) in _BIDI_CONTROLS:
                return (f"contains a direction control ({char_name(ch)}) at character {index + 1}: it makes "
                        "text display in another order than it reads")
            return f"contains a control character ({char_name(ch)}) at character {index + 1}"
    return None


def _text(multiline: bool):
    def validate(value: str) -> str:
        problem = text_problem(value, multiline)
        if problem:
            raise PydanticCustomError("text", problem)
        return value

    return validate


# JSON Schema patterns (ECMA-262) saying the same, for editors.
_LINE_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069\\ufffe\\uffff]*$"
_TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069\\ufffe\\uffff]*$"

Line = Annotated[
    str,
    AfterValidator(_text(multiline=False)),
    WithJsonSchema({"type": "string", "pattern": _LINE_PATTERN}),
]
"""A title, a name, a label: one line, no control characters."""
Text = Annotated[
    str,
    StringConstraints(max_length=20_000),
    AfterValidator(_text(multiline=True)),
    WithJsonSchema({"type": "string", "maxLength": 20_000, "pattern": _TEXT_PATTERN}),
]
"""Free text that may span lines: tab and line feed, no other control characters."""


# --- web addresses -----------------------------------------------------------------

WEB_SCHEMES = ("http", "https")
# Characters RFC 3986 allows in a URI, plus non-ASCII text (IRIs); nothing that
# could end an HTML attribute or a Markdown link target unencoded but ( ) and '
# which every writer percent-encodes.
_URL_CHAR = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%\u00a0-\U0010ffff]"
_URL_CHARS = re.compile(f"^{_URL_CHAR}+$")


def is_web_url(value: object) -> bool:
    """True for an absolute http(s) URL with a host and nothing a writer could
    mistake for markup: the only kind of address opsbook turns into a link."""
    if not isinstance(value, str) or not _URL_CHARS.match(value) or text_problem(value, False):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)


def _web_url(value, _info):
    if not isinstance(value, str):
        raise ValueError(f"expected a web address like https://status.example.com; got {value!r}")
    problem = text_problem(value, False)
    if problem:
        raise ValueError(f"a web address {problem}")
    if any(ch.isspace() for ch in value):
        raise ValueError("a web address cannot contain spaces; percent-encode them as %20")
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError as exc:
        raise ValueError(f"not a web address ({exc})") from None
    if scheme not in WEB_SCHEMES:
        said = f"the scheme '{scheme}:'" if scheme else "no scheme"
        raise ValueError(f"expected an http:// or https:// address; got {said} in {value!r}")
    bad = next((ch for ch in value if not re.match(_URL_CHAR, ch)), None)
    if bad is not None:
        raise ValueError(f"a web address cannot contain {bad!r} as it is; percent-encode it as "
                         f"%{ord(bad):02X}")
    if not is_web_url(value):
        raise ValueError(f"expected an http:// or https:// address with a host name, like "
                         f"https://status.example.com; got {value!r}")
    return value


WebUrl = Annotated[
    str,
    BeforeValidator(_custom("url", _web_url)),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^\\s]+$",
                    "x-opsbook-type": "url",
                    "description": "An absolute http:// or https:// address."}),
]
"""An address opsbook links to: http or https only (never javascript:, data: ...)."""


class Strict(BaseModel):
    """Unknown keys are errors (with a did-you-mean); values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              use_attribute_docstrings=True, defer_build=True)


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
    "ClockTime", "Code", "Day", "Deadline", "Document", "Duration", "Instant", "Line", "LocalDateTime",
    "MarkdownDocument", "Slug", "ZonedDocument", "Strict", "Text", "TimeZone", "WebUrl", "Field", "describe",
    "char_name", "is_web_url", "text_problem",
]

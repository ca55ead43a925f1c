"""Small, pure time functions: parsing durations and times, zones, business days.

Nothing here reads the clock; callers pass ``now`` explicitly.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

# [0-9], not \d: \d also matches Arabic-Indic and full-width digits, which the
# JSON Schemas (and so editors) reject.
_DURATION = re.compile(r"^\s*([0-9]+)\s*(s|m|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_BUSINESS = re.compile(r"^\s*([0-9]+)\s*bd\s*$")
DURATION_PATTERN = r"^\s*[0-9]+\s*(s|m|h|d|w)\s*$"
DEADLINE_PATTERN = r"^\s*[0-9]+\s*(s|m|h|d|w|bd)\s*$"


# Times outside these years are typos (0026 for 2026) or probes, and date
# arithmetic near year 1 or 9999 overflows. Durations past a century likewise.
MIN_YEAR, MAX_YEAR = 1900, 2999
MAX_DURATION = timedelta(days=36525)
# The business days in a century (five in seven): "3000000bd" is a typo, and
# its deadline would lie past the year 9999.
MAX_BUSINESS_DAYS = MAX_DURATION.days * 5 // 7
# More digits than this is past any limit above (and Python refuses to read
# integers of more than 4300 digits with a message about itself).
_MAX_DIGITS = 12


def _in_range(value: date, text: object) -> None:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"{text!r} is out of range: opsbook accepts years {MIN_YEAR} to {MAX_YEAR}")


def parse_duration(text: str) -> timedelta:
    """``"90s"``, ``"5m"``, ``"1h"``, ``"2d"``, ``"1w"`` -> timedelta."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"expected a duration like 90s, 5m, 1h, 2d or 1w; got {text!r}")
    digits = match.group(1)
    if len(digits.lstrip("0")) > _MAX_DIGITS or int(digits) * _UNITS[match.group(2)] > MAX_DURATION.total_seconds():
        raise ValueError(f"{text!r} is longer than a century; opsbook accepts durations up to "
                         f"{MAX_DURATION.days}d (write days or weeks, e.g. 30d or 4w)")
    seconds = int(digits) * _UNITS[match.group(2)]
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """The shortest exact spelling: 604800s -> '1w', 5400s -> '90m'."""
    seconds = int(delta.total_seconds())
    for unit in ("w", "d", "h", "m"):
        if seconds and seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds}s"


def humanize(delta: timedelta) -> str:
    """Rough human reading of a span: '3d 4h', '45m', '2h 5m'."""
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m" if minutes else f"{seconds}s"


@dataclass(frozen=True)
class Deadline:
    """A span that is either elapsed time or a count of business days."""

    elapsed: timedelta | None = None
    business_days: int | None = None

    def after(self, start: datetime, zone: tzinfo) -> datetime:
        if self.elapsed is not None:
            return start + self.elapsed
        return add_business_days(start, self.business_days or 0, zone)

    def __str__(self) -> str:
        if self.business_days is not None:
            return f"{self.business_days}bd"
        return format_duration(self.elapsed or timedelta())


def parse_deadline(text: str) -> Deadline:
    if isinstance(text, str) and (match := _BUSINESS.match(text)):
        digits = match.group(1)
        if len(digits.lstrip("0")) > _MAX_DIGITS or int(digits) > MAX_BUSINESS_DAYS:
            raise ValueError(f"{text!r} is longer than a century; opsbook accepts up to {MAX_BUSINESS_DAYS}bd "
                             "(a postmortem is usually due within 5bd to 10bd)")
        return Deadline(business_days=int(digits))
    if isinstance(text, str) and _DURATION.match(text):
        return Deadline(elapsed=parse_duration(text))  # its own error says the limit
    raise ValueError(f"expected a duration like 48h or 5d, or business days like 5bd; got {text!r}")


def add_business_days(start: datetime, days: int, zone: tzinfo) -> datetime:
    """Same local time ``days`` working days (Mon-Fri) later, in ``zone``."""
    local = start.astimezone(zone)
    day = local.date()
    if days > 0:
        # Counting from a Saturday or Sunday is counting from the Friday before;
        # from a weekday, every five working days are one calendar week.
        if day.weekday() >= 5:
            day -= timedelta(days=day.weekday() - 4)
        weeks, days = divmod(days, 5)
        day += timedelta(weeks=weeks)
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return to_aware(datetime.combine(day, local.time()), zone)


# Files tzdata ships that are not zones a team lives in. "localtime" in
# particular is whatever the machine is set to: the same file would mean
# different instants on a laptop and in CI.
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory", "posix", "right"})


@functools.lru_cache(maxsize=None)
def get_zone(name: str) -> zoneinfo.ZoneInfo:
    """An IANA zone; raises ValueError with close matches for a bad name."""
    try:
        if not name or name != name.strip() or name.startswith("/") or ".." in name or name in _NOT_ZONES:
            raise zoneinfo.ZoneInfoNotFoundError(name)
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, IsADirectoryError, OSError):
        suggestions = suggest_zones(name)
        extra = f"; did you mean {' or '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        raise ValueError(f"unknown time zone {name!r}{extra}") from None


@functools.lru_cache(maxsize=1)
def _all_zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def suggest_zones(name: str) -> list[str]:
    import difflib

    zones = tuple(z for z in _all_zones() if z not in _NOT_ZONES)
    lowered = {z.lower(): z for z in zones}
    if isinstance(name, str) and name.lower() in lowered:
        return [lowered[name.lower()]]
    tail = {z.rsplit("/", 1)[-1].lower().replace("_", " "): z for z in zones}
    key = str(name).rsplit("/", 1)[-1].lower().replace("_", " ")
    if key in tail:
        return [tail[key]]
    return difflib.get_close_matches(str(name), zones, n=2, cutoff=0.6)


def to_aware(local: datetime, zone: tzinfo) -> datetime:
    """Attach ``zone`` to a wall-clock time, resolving DST edges deliberately.

    A wall-clock time that does not exist (spring forward) moves to the first
    valid instant after the gap; an ambiguous one (fall back) takes the first
    occurrence. This is the rule the rotation engine relies on.
    """
    if local.tzinfo is not None:
        return local.astimezone(zone)
    first = local.replace(tzinfo=zone, fold=0)
    if first.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) == local:
        return first  # exists; fold=0 is the first occurrence when ambiguous
    # Inside a gap. The transition lies between the two readings of the wall
    # time (old offset / new offset); find the first instant whose local reading
    # is at or after ``local`` (zoneinfo does not expose transitions).
    a = local.replace(tzinfo=zone, fold=1).astimezone(timezone.utc)
    b = first.astimezone(timezone.utc)
    lo, hi = min(a, b), max(a, b)
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(zone).replace(tzinfo=None) >= local:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0).astimezone(zone)


def parse_instant(value: object, zone: tzinfo | None) -> datetime:
    """An ISO 8601 time; without an offset it is wall-clock time in ``zone``."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        if len(text) == 10:
            raise ValueError(f"expected a date and time like 2026-03-14T14:02:00Z; got the date {value!r} alone")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"expected an ISO 8601 time like 2026-03-14T14:02:00Z; got {value!r}") from None
    else:
        raise ValueError(f"expected an ISO 8601 time like 2026-03-14T14:02:00Z; got {value!r}")
    _in_range(parsed, value)
    if parsed.tzinfo is None:
        if zone is None:
            raise ValueError(f"{value!r} has no offset and no time zone applies; add one such as Z or +01:00")
        return to_aware(parsed, zone)
    return parsed


def parse_local(value: object) -> datetime:
    """A wall-clock date-time with no offset (rotation anchors)."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"expected a local date and time like 2026-01-05T09:00; got {value!r}") from None
    elif isinstance(value, datetime):
        parsed = value
    else:
        raise ValueError(f"expected a local date and time like 2026-01-05T09:00; got {value!r}")
    if parsed.tzinfo is not None:
        raise ValueError(
            f"{value!r} has an offset; write the local wall-clock time without one (the schedule's zone applies)")
    _in_range(parsed, value)
    return parsed


def parse_date(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        _in_range(value, value)
        return value
    if isinstance(value, str):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            _in_range(parsed, value)
            return parsed
    raise ValueError(f"expected a date like 2026-03-14; got {value!r}")


def parse_clock(value: object) -> int:
    """``"09:00"`` -> minutes after midnight; ``"24:00"`` is the end of the day."""
    if isinstance(value, str):
        match = re.fullmatch(r"\s*([0-9]{1,2}):([0-9]{2})\s*", value)
        if match:
            hours, minutes = int(match.group(1)), int(match.group(2))
            if (hours < 24 and minutes < 60) or (hours == 24 and minutes == 0):
                return hours * 60 + minutes
    raise ValueError(f"expected a time of day like \"09:00\" (00:00 to 24:00); got {value!r}")


def clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_cli_time(text: str, zone: tzinfo) -> datetime:
    """A time given on the command line; ``now`` is not accepted here on purpose."""
    return parse_instant(text if "T" in text or " " in text.strip() else text + "T00:00", zone)


def start_of_day(day: date, zone: tzinfo) -> datetime:
    return to_aware(datetime.combine(day, time()), zone)

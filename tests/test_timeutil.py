"""timeutil: durations, clock times, zones, DST edges, business days. Table-driven,
in the style of GoAlert's util/timeutil tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsbook.timeutil import (
    Deadline,
    add_business_days,
    clock_text,
    format_duration,
    get_zone,
    humanize,
    parse_clock,
    parse_date,
    parse_deadline,
    parse_duration,
    parse_instant,
    parse_local,
    start_of_day,
    suggest_zones,
    to_aware,
)

UTC = timezone.utc
NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
SANTIAGO = ZoneInfo("America/Santiago")


# --- durations ------------------------------------------------------------------------

@pytest.mark.parametrize("text,seconds", [
    ("90s", 90), ("5m", 300), ("1h", 3600), ("2d", 172800), ("1w", 604800), ("0m", 0),
    (" 5 m ", 300), ("10080m", 604800), ("48h", 172800),
])
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", [
    "", "5", "m", "1.5h", "-5m", "1H", "5M", "1y", "1mo", "5mm", "5 minutes", "1h30m", "PT5M",
    "١٢m",  # Arabic-Indic digits: what the JSON Schema pattern (ASCII \d) rejects must be rejected here too
    "５m",  # fullwidth digit
    5, None, 5.0,
])
def test_parse_duration_rejects(text) -> None:
    with pytest.raises(ValueError, match="expected a duration like 90s, 5m, 1h, 2d or 1w"):
        parse_duration(text)


@pytest.mark.parametrize("seconds,text", [
    (0, "0s"), (1, "1s"), (59, "59s"), (60, "1m"), (90, "90s"), (3600, "1h"), (5400, "90m"), (86400, "1d"),
    (90000, "25h"), (604800, "1w"), (1209600, "2w"), (15552000, "180d"), (691200, "8d"),
])
def test_format_duration(seconds: int, text: str) -> None:
    assert format_duration(timedelta(seconds=seconds)) == text


@settings(max_examples=300, derandomize=True)
@given(st.integers(min_value=0, max_value=10**8))
def test_duration_round_trip(seconds: int) -> None:
    delta = timedelta(seconds=seconds)
    assert parse_duration(format_duration(delta)) == delta


@pytest.mark.parametrize("delta,text", [
    (timedelta(days=3, hours=4, minutes=5), "3d 4h"), (timedelta(days=2), "2d"), (timedelta(hours=2, minutes=5), "2h 5m"),
    (timedelta(hours=1), "1h"), (timedelta(minutes=45), "45m"), (timedelta(seconds=30), "30s"),
    (timedelta(seconds=0), "0s"), (-timedelta(minutes=5), "5m"),
])
def test_humanize(delta: timedelta, text: str) -> None:
    assert humanize(delta) == text


@pytest.mark.parametrize("text,expected", [
    ("5bd", Deadline(business_days=5)), ("2 bd", Deadline(business_days=2)), ("48h", Deadline(elapsed=timedelta(hours=48))),
    ("5d", Deadline(elapsed=timedelta(days=5))),
])
def test_parse_deadline(text: str, expected: Deadline) -> None:
    assert parse_deadline(text) == expected


@pytest.mark.parametrize("text", ["bd", "5BD", "5 days", "", "1.5bd", "٥bd"])
def test_parse_deadline_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="business days like 5bd"):
        parse_deadline(text)


def test_deadline_str() -> None:
    assert str(Deadline(business_days=5)) == "5bd"
    assert str(Deadline(elapsed=timedelta(hours=48))) == "2d"


# --- clock times ------------------------------------------------------------------------

@pytest.mark.parametrize("text,minutes", [
    ("00:00", 0), ("09:00", 540), ("9:00", 540), ("12:30", 750), ("23:59", 1439), ("24:00", 1440), (" 17:00 ", 1020),
])
def test_parse_clock(text: str, minutes: int) -> None:
    assert parse_clock(text) == minutes


@pytest.mark.parametrize("value", [
    "24:01", "25:00", "12:60", "0900", "09:00:00", "9", "", "-1:00", "09:0", "١٢:٠٠", 540, None, "9am",
])
def test_parse_clock_rejects(value) -> None:
    with pytest.raises(ValueError, match="time of day"):
        parse_clock(value)


@pytest.mark.parametrize("minutes,text", [(0, "00:00"), (540, "09:00"), (1439, "23:59"), (1440, "24:00")])
def test_clock_text(minutes: int, text: str) -> None:
    assert clock_text(minutes) == text
    assert parse_clock(text) == minutes


# --- DST: to_aware ------------------------------------------------------------------------

@pytest.mark.parametrize("zone,local,expected_utc,expected_offset_h", [
    # New York, spring forward 2026-03-08 02:00 EST -> 03:00 EDT: the gap moves forward.
    (NY, datetime(2026, 3, 8, 2, 30), datetime(2026, 3, 8, 7, 0), -4),
    (NY, datetime(2026, 3, 8, 2, 0), datetime(2026, 3, 8, 7, 0), -4),
    (NY, datetime(2026, 3, 8, 2, 59, 59), datetime(2026, 3, 8, 7, 0), -4),
    (NY, datetime(2026, 3, 8, 1, 59), datetime(2026, 3, 8, 6, 59), -5),
    (NY, datetime(2026, 3, 8, 3, 0), datetime(2026, 3, 8, 7, 0), -4),
    # New York, fall back 2026-11-01 02:00 EDT -> 01:00 EST: ambiguous -> first occurrence (EDT).
    (NY, datetime(2026, 11, 1, 1, 30), datetime(2026, 11, 1, 5, 30), -4),
    (NY, datetime(2026, 11, 1, 1, 0), datetime(2026, 11, 1, 5, 0), -4),
    (NY, datetime(2026, 11, 1, 2, 0), datetime(2026, 11, 1, 7, 0), -5),
    (NY, datetime(2026, 11, 1, 0, 59), datetime(2026, 11, 1, 4, 59), -4),
    # London, 2026-03-29 01:00 GMT -> 02:00 BST; 2026-10-25 02:00 BST -> 01:00 GMT.
    (LONDON, datetime(2026, 3, 29, 1, 30), datetime(2026, 3, 29, 1, 0), 1),
    (LONDON, datetime(2026, 10, 25, 1, 30), datetime(2026, 10, 25, 0, 30), 1),
    (LONDON, datetime(2026, 7, 1, 9, 0), datetime(2026, 7, 1, 8, 0), 1),
    (LONDON, datetime(2026, 1, 1, 9, 0), datetime(2026, 1, 1, 9, 0), 0),
    # Lord Howe shifts by 30 minutes: 2026-10-04 02:00 +10:30 -> 02:30 +11:00,
    # and 2026-04-05 02:00 +11:00 -> 01:30 +10:30.
    (LORD_HOWE, datetime(2026, 10, 4, 2, 15), datetime(2026, 10, 3, 15, 30), 11),
    (LORD_HOWE, datetime(2026, 10, 4, 2, 0), datetime(2026, 10, 3, 15, 30), 11),
    (LORD_HOWE, datetime(2026, 10, 4, 2, 30), datetime(2026, 10, 3, 15, 30), 11),
    (LORD_HOWE, datetime(2026, 10, 4, 1, 59), datetime(2026, 10, 3, 15, 29), 10.5),
    (LORD_HOWE, datetime(2026, 4, 5, 1, 45), datetime(2026, 4, 4, 14, 45), 11),
    (LORD_HOWE, datetime(2026, 4, 5, 2, 0), datetime(2026, 4, 4, 15, 30), 10.5),
    # Santiago springs forward at midnight: 2026-09-06 00:00 -04 -> 01:00 -03.
    (SANTIAGO, datetime(2026, 9, 6, 0, 0), datetime(2026, 9, 6, 4, 0), -3),
    (SANTIAGO, datetime(2026, 9, 6, 0, 30), datetime(2026, 9, 6, 4, 0), -3),
])
def test_to_aware(zone: ZoneInfo, local: datetime, expected_utc: datetime, expected_offset_h: float) -> None:
    result = to_aware(local, zone)
    assert result.tzinfo is zone
    assert result.astimezone(UTC) == expected_utc.replace(tzinfo=UTC)
    assert result.utcoffset() == timedelta(hours=expected_offset_h)


def test_to_aware_converts_aware_datetimes() -> None:
    result = to_aware(datetime(2026, 7, 1, 12, 0, tzinfo=UTC), NY)
    assert (result.hour, result.utcoffset()) == (8, timedelta(hours=-4))


def test_start_of_day_in_a_midnight_gap() -> None:
    assert start_of_day(date(2026, 9, 6), SANTIAGO).astimezone(UTC) == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)


# --- parsing instants and dates ------------------------------------------------------------

@pytest.mark.parametrize("text,zone,expected", [
    ("2026-03-14T14:02:00Z", NY, datetime(2026, 3, 14, 14, 2, tzinfo=UTC)),
    ("2026-03-14T14:02:00+01:00", NY, datetime(2026, 3, 14, 13, 2, tzinfo=UTC)),
    ("2026-03-14T14:02:00", NY, datetime(2026, 3, 14, 18, 2, tzinfo=UTC)),
    ("2026-03-14T14:02", LONDON, datetime(2026, 3, 14, 14, 2, tzinfo=UTC)),
    ("2026-03-14 14:02", NY, datetime(2026, 3, 14, 18, 2, tzinfo=UTC)),
    ("2026-03-08T02:30:00", NY, datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
])
def test_parse_instant(text: str, zone, expected: datetime) -> None:
    assert parse_instant(text, zone).astimezone(UTC) == expected


@pytest.mark.parametrize("value,zone,match", [
    ("2026-03-14", NY, "date '2026-03-14' alone"),
    ("garbage", NY, "ISO 8601"),
    ("2026-13-01T00:00Z", NY, "ISO 8601"),
    ("2026-03-14T14:02", None, "no offset and no time zone"),
    (20260314, NY, "ISO 8601"),
])
def test_parse_instant_rejects(value, zone, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        parse_instant(value, zone)


def test_parse_local() -> None:
    assert parse_local("2026-01-05T09:00") == datetime(2026, 1, 5, 9, 0)
    with pytest.raises(ValueError, match="has an offset"):
        parse_local("2026-01-05T09:00Z")
    with pytest.raises(ValueError, match="local date and time"):
        parse_local("Monday 9am")


@pytest.mark.parametrize("value,expected", [("2026-03-14", date(2026, 3, 14)), (date(2026, 3, 14), date(2026, 3, 14))])
def test_parse_date(value, expected: date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2026-02-30", "14/03/2026", "", None, datetime(2026, 3, 14)])
def test_parse_date_rejects(value) -> None:
    with pytest.raises(ValueError, match="expected a date like 2026-03-14"):
        parse_date(value)


# --- business days -------------------------------------------------------------------------

@pytest.mark.parametrize("start,days,expected", [
    # Fri 29 May 2026 11:00 EDT + 1 working day -> Mon 1 June 11:00 EDT.
    (datetime(2026, 5, 29, 15, 0, tzinfo=UTC), 1, datetime(2026, 6, 1, 15, 0, tzinfo=UTC)),
    (datetime(2026, 5, 29, 15, 0, tzinfo=UTC), 5, datetime(2026, 6, 5, 15, 0, tzinfo=UTC)),
    # Saturday + 1 -> Monday; Sunday + 1 -> Monday.
    (datetime(2026, 5, 30, 15, 0, tzinfo=UTC), 1, datetime(2026, 6, 1, 15, 0, tzinfo=UTC)),
    (datetime(2026, 5, 31, 15, 0, tzinfo=UTC), 1, datetime(2026, 6, 1, 15, 0, tzinfo=UTC)),
    (datetime(2026, 5, 27, 15, 0, tzinfo=UTC), 0, datetime(2026, 5, 27, 15, 0, tzinfo=UTC)),
    # Across the spring-forward weekend the local time is kept: Fri 10:00 EST -> Mon 10:00 EDT.
    (datetime(2026, 3, 6, 15, 0, tzinfo=UTC), 1, datetime(2026, 3, 9, 14, 0, tzinfo=UTC)),
    # The weekday is judged in the zone: Sat 02:00Z is still Fri 22:00 in New York.
    (datetime(2026, 5, 30, 2, 0, tzinfo=UTC), 1, datetime(2026, 6, 2, 2, 0, tzinfo=UTC)),
])
def test_add_business_days(start: datetime, days: int, expected: datetime) -> None:
    result = add_business_days(start, days, NY)
    assert result.astimezone(UTC) == expected


def test_deadline_after() -> None:
    start = datetime(2026, 5, 22, 15, 10, tzinfo=UTC)  # a Friday
    assert Deadline(business_days=5).after(start, NY).astimezone(UTC) == datetime(2026, 5, 29, 15, 10, tzinfo=UTC)
    assert Deadline(elapsed=timedelta(days=5)).after(start, NY) == datetime(2026, 5, 27, 15, 10, tzinfo=UTC)


# --- zones ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata"])
def test_get_zone(name: str) -> None:
    assert get_zone(name).key == name


@pytest.mark.parametrize("name,suggestion", [
    ("America/New_Yrok", "America/New_York"),
    ("europe/london", "Europe/London"),
    ("London", "Europe/London"),
    ("New York", "America/New_York"),
    ("Lord_Howe", "Australia/Lord_Howe"),
    (" UTC", "UTC"),
    ("Europe/Lodnon", "Europe/London"),
])
def test_get_zone_suggests(name: str, suggestion: str) -> None:
    with pytest.raises(ValueError, match=f"unknown time zone {name!r}") as info:
        get_zone(name)
    assert f"'{suggestion}'" in str(info.value)
    assert suggestion in suggest_zones(name)


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", "../../etc/passwd", "/etc/localtime"])
def test_get_zone_rejects_without_crashing(name: str) -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        get_zone(name)


def test_get_zone_rejects_the_machines_local_zone() -> None:
    """`localtime` is a file in the system tz database that points at the
    machine's own zone: a knowledge base would mean different instants on a
    laptop and in CI."""
    with pytest.raises(ValueError):
        get_zone("localtime")
    assert "localtime" not in suggest_zones("/etc/localtime")


# --- bounds (issue 8) ---------------------------------------------------------------------

@pytest.mark.parametrize("text,fragment", [
    ("3000000bd", "opsbook accepts up to 26089bd"),
    ("26090bd", "opsbook accepts up to 26089bd"),
    ("9" * 5000 + "bd", "opsbook accepts up to 26089bd"),
    ("9" * 5000 + "m", "opsbook accepts durations up to 36525d"),
    ("5218w", "opsbook accepts durations up to 36525d"),
])
def test_deadlines_past_a_century_are_refused_with_the_limit(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_deadline(text)


@pytest.mark.parametrize("weekday_offset", range(7))
@pytest.mark.parametrize("days", [1, 4, 5, 6, 9, 10, 11, 23])
def test_business_days_count_like_one_by_one_up_to_a_century(weekday_offset, days):
    # The count is arithmetic now (weeks, then the rest), and stops at a century.
    assert parse_deadline(f"{days}bd").business_days == days
    with pytest.raises(ValueError, match="up to 26089bd"):
        parse_deadline(f"{days + 26089}bd")
    zone = ZoneInfo("Europe/London")
    start = datetime(2026, 3, 23, 10, tzinfo=timezone.utc) + timedelta(days=weekday_offset)  # from Monday on
    day, left = start.astimezone(zone).date(), days
    while left:
        day += timedelta(days=1)
        left -= day.weekday() < 5
    assert add_business_days(start, days, zone).astimezone(zone).date() == day

"""ICS feeds: parsed back with icalendar and with recurring-ical-events (an
independent, recurrence-aware reader), they give exactly the engine's shifts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
from conftest import invoke

from opsbook.load import load
from opsbook.oncall.engine import shifts_between
from opsbook.oncall.ics import all_feeds

REPO = Path(__file__).resolve().parents[1]
UTC = timezone.utc
NOW = datetime(2026, 11, 20, 15, tzinfo=UTC)
START, END = NOW - timedelta(weeks=4), NOW + timedelta(weeks=26)


@pytest.fixture(scope="module")
def example():
    kb, _ = load(REPO)
    return kb


@pytest.fixture(scope="module")
def feeds(example):
    return all_feeds(example, START, END, NOW)


def _events(data: bytes):
    cal = icalendar.Calendar.from_ical(data)
    return cal, recurring_ical_events.of(cal).between(START - timedelta(days=30), END + timedelta(days=30))


@pytest.mark.parametrize("schedule_id", ["payments", "platform", "data"])
def test_schedule_feed_round_trips_to_the_engine_shifts(example, feeds, schedule_id):
    schedule = example.schedules[schedule_id]
    expected = sorted((s.start, s.end, s.role, example.people[s.person].name)
                      for s in shifts_between(schedule, START, END))
    cal, events = _events(feeds[f"{schedule_id}.ics"])
    got = []
    for event in events:
        summary = str(event["SUMMARY"])  # "Maya Okafor on call: Payments (primary)"
        name, _, rest = summary.partition(" on call: ")
        role = rest.rsplit("(", 1)[1].rstrip(")")
        got.append((event.decoded("DTSTART"), event.decoded("DTEND"), role, name))
    assert sorted(got) == expected
    assert len(expected) > 10


def test_person_feed_round_trips_and_carries_every_required_property(example, feeds):
    expected = sorted((s.start, s.end, s.schedule, s.role) for schedule in example.schedule_list
                      for s in shifts_between(schedule, START, END) if s.person == "priya")
    cal, events = _events(feeds["people/priya.ics"])
    assert str(cal["X-WR-CALNAME"]) == "On call: Priya Raman"
    assert cal["VERSION"] == "2.0" and "opsbook" in str(cal["PRODID"])
    got = []
    for event in events:
        assert event["TRANSP"] == "TRANSPARENT"
        assert event.decoded("DTSTAMP") == NOW
        assert event.decoded("DTSTART").tzinfo is not None
        alarms = [c for c in event.subcomponents if c.name == "VALARM"]
        assert len(alarms) == 1 and alarms[0].decoded("TRIGGER") == -timedelta(minutes=15)
        assert str(event["SUMMARY"]).startswith("On call: Payments (")
        got.append((event.decoded("DTSTART"), event.decoded("DTEND"), "payments",
                    str(event["SUMMARY"]).rsplit("(", 1)[1].rstrip(")")))
    assert sorted(got) == expected
    # The Thanksgiving-week override shows as its own event; its reason is personal,
    # so only an internal feed carries it.
    assert not [e for e in cal.walk("VEVENT") if "Daniel moving" in str(e.get("DESCRIPTION", ""))]
    internal, _ = _events(all_feeds(example, START, END, NOW, audience="internal")["people/priya.ics"])
    override = [e for e in internal.walk("VEVENT") if "Daniel moving" in str(e.get("DESCRIPTION", ""))]
    assert len(override) == 1


def test_uids_are_unique_and_stable_across_builds_and_windows(example, feeds):
    later = all_feeds(example, START + timedelta(days=9), END + timedelta(days=9), NOW + timedelta(days=9))
    first = {e["UID"]: (e.decoded("DTSTART"), e.decoded("DTEND"))
             for e in icalendar.Calendar.from_ical(feeds["payments.ics"]).walk("VEVENT")}
    second = {e["UID"]: (e.decoded("DTSTART"), e.decoded("DTEND"))
              for e in icalendar.Calendar.from_ical(later["payments.ics"]).walk("VEVENT")}
    assert len(first) == len(list(icalendar.Calendar.from_ical(feeds["payments.ics"]).walk("VEVENT")))
    shared = set(first) & set(second)
    assert len(shared) > 20
    assert all(first[uid] == second[uid] for uid in shared)


def test_same_build_is_byte_for_byte_the_same(example, feeds):
    assert all_feeds(example, START, END, NOW) == feeds


def test_every_person_gets_a_feed_even_without_shifts(example, feeds):
    assert {f"people/{p}.ics" for p in example.people} <= set(feeds)
    _, events = _events(feeds["people/lena.ics"])
    assert events == []


def test_cli_writes_the_feeds_and_rejects_a_bad_window(tmp_path):
    out = tmp_path / "feeds"
    result = invoke("--root", str(REPO), "oncall", "ics", "--out", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    assert (out / "payments.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert (out / "people" / "maya.ics").exists()
    bad = invoke("--root", str(REPO), "oncall", "ics", "--out", str(out), "--from", "2026-12-01", "--to", "2026-11-01")
    assert bad.exit_code == 2 and "--to" in bad.stderr
    (tmp_path / "file").write_text("x")
    blocked = invoke("--root", str(REPO), "oncall", "ics", "--out", str(tmp_path / "file" / "sub"))
    assert blocked.exit_code == 2 and "cannot write" in blocked.stderr


# --- all_feeds writes each shift once: the same bytes as one icalendar Calendar per feed ---


def _one_calendar_per_feed(kb, start, end, now, audience="public"):
    """The feeds built the plain way: an icalendar Event per shift and feed, serialised
    with its Calendar (what all_feeds did before issue 12)."""
    from opsbook.oncall.ics import person_feed, reminder_for, schedule_feed

    reminder = reminder_for(kb)
    feeds, by_person = {}, {person: [] for person in kb.people}
    for schedule in kb.schedule_list:
        shifts = shifts_between(schedule, start, end)
        feeds[f"{schedule.id}.ics"] = schedule_feed(kb, schedule, shifts, now, reminder, audience)
        for shift in shifts:
            by_person.setdefault(shift.person, []).append(shift)
    for person in sorted(by_person):
        shifts = sorted(by_person[person], key=lambda s: (s.start, s.schedule, s.role))
        feeds[f"people/{person}.ics"] = person_feed(kb, person, shifts, now, reminder, audience)
    return feeds


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_all_feeds_are_the_bytes_of_one_calendar_per_feed(example, audience):
    assert all_feeds(example, START, END, NOW, audience) == _one_calendar_per_feed(example, START, END, NOW, audience)


def test_all_feeds_match_on_a_generated_knowledge_base(tmp_path):
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    from generate_kb import generate

    root = tmp_path / "kb"
    generate(root, runbooks=5, postmortems=3, incidents=10, schedules=12, people=30, seed=5)
    kb, _ = load(root, kinds={"schedule", "person"})
    for audience in ("public", "internal"):
        assert all_feeds(kb, START, END, NOW, audience) == _one_calendar_per_feed(kb, START, END, NOW, audience)


def test_all_feeds_match_with_long_and_unusual_names(tmp_path):
    """Folding at 75 octets (multi-byte characters across the fold), escaped text
    (commas, semicolons, backslashes), an override reason, no site_url, a 1h reminder."""
    from conftest import make_kb

    long_name = "Zoë Ångström-Ñúñez, Jr.; \\the \"second\" of her name, with a very long display name 🚒"
    root = make_kb(tmp_path)
    people = (root / "schedules/people.yaml").read_text()
    people = people.replace("name: Alice Nguyen", f"name: '{long_name.replace(chr(39), chr(39) * 2)}'", 1)
    (root / "schedules/people.yaml").write_text(people)
    schedule = (root / "schedules/payments.yaml").read_text()
    (root / "schedules/payments.yaml").write_text(schedule.replace(
        "reason: swap", "reason: 'swap for a wedding in Zürich; back on the 12th, call me if it burns \\o/'"))
    org = (root / "opsbook.yaml").read_text()
    (root / "opsbook.yaml").write_text(org + "policies:\n  oncall:\n    reminder: 1h\n")
    kb, diags = load(root, kinds={"schedule", "person"})
    assert not [d for d in diags if d.severity.value == "error"], diags
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for audience in ("public", "internal"):
        got = all_feeds(kb, start, start + timedelta(weeks=30), start, audience)
        assert got == _one_calendar_per_feed(kb, start, start + timedelta(weeks=30), start, audience)
    assert any("Zoë".encode() in data for data in got.values())
    assert any(b"wedding in Z" in data for data in got.values())  # the internal feed carries the reason

"""The rotation engine: DST semantics, restrictions, precedence, and properties.

Instants are written as UTC ("...Z") so each case states exactly what a person
on call would see on the wall clock (the comment) and when it really happens.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsbook.model.schedule import Schedule
from opsbook.oncall import engine
from opsbook.oncall.engine import gaps_between, handoffs_between, overlaps_between, shifts_between, state_at

UTC = timezone.utc


def T(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def sched(layers: list[dict], overrides: list[dict] | None = None, tz: str = "America/New_York",
          coverage: str = "partial", ident: str = "s") -> Schedule:
    from opsbook.timeutil import get_zone

    data = {"name": "S", "timezone": tz, "coverage": coverage, "layers": layers, "overrides": overrides or []}
    model = Schedule.model_validate(data, context={"zone": get_zone(tz)})
    model._file = Path(f"schedules/{ident}.yaml")
    return model


def weekly(members=("a", "b", "c", "d"), start="2026-01-05T09:00", length="1w", **extra) -> dict:
    return {"name": "weekly", "members": list(members), "start": start, "length": length, **extra}


# --- handoffs keep their wall-clock time across DST -------------------------------------------

@pytest.mark.parametrize("tz,layer,turn_starts", [
    # New York spring forward (2026-03-08): Monday 09:00 EST then 09:00 EDT; the week is 167 h.
    ("America/New_York", weekly(start="2026-03-02T09:00"),
     ["2026-03-02T14:00Z", "2026-03-09T13:00Z", "2026-03-16T13:00Z"]),
    # New York fall back (2026-11-01): 09:00 EDT then 09:00 EST; the week is 169 h.
    ("America/New_York", weekly(start="2026-10-26T09:00"),
     ["2026-10-26T13:00Z", "2026-11-02T14:00Z"]),
    # London (2026-03-29 spring, 2026-10-25 fall).
    ("Europe/London", weekly(start="2026-03-23T09:00"), ["2026-03-23T09:00Z", "2026-03-30T08:00Z"]),
    ("Europe/London", weekly(start="2026-10-19T09:00"), ["2026-10-19T08:00Z", "2026-10-26T09:00Z"]),
    # Lord Howe moves 30 minutes: +11 in summer, +10:30 in winter (2026-04-05 back, 2026-10-04 forward).
    ("Australia/Lord_Howe", weekly(start="2026-03-30T09:00"), ["2026-03-29T22:00Z", "2026-04-05T22:30Z"]),
    ("Australia/Lord_Howe", weekly(start="2026-09-28T09:00"), ["2026-09-27T22:30Z", "2026-10-04T22:00Z"]),
    # A 02:30 daily handoff on the spring-forward day does not exist: it happens at 03:00 EDT.
    ("America/New_York", weekly(start="2026-03-07T02:30", length="1d"),
     ["2026-03-07T07:30Z", "2026-03-08T07:00Z", "2026-03-09T06:30Z"]),
    # 01:30 on the fall-back day happens twice: the handoff takes the first (EDT).
    ("America/New_York", weekly(start="2026-10-31T01:30", length="1d"),
     ["2026-10-31T05:30Z", "2026-11-01T05:30Z", "2026-11-02T06:30Z"]),
    # A 12 h layer keeps handing off at 08:00 and 20:00 local across the change.
    ("America/New_York", weekly(start="2026-03-07T08:00", length="12h"),
     ["2026-03-07T13:00Z", "2026-03-08T01:00Z", "2026-03-08T12:00Z", "2026-03-09T00:00Z"]),
], ids=["ny-spring", "ny-fall", "london-spring", "london-fall", "lordhowe-fall-30min", "lordhowe-spring-30min",
        "0230-on-spring-forward-day", "0130-on-fall-back-day", "12h-across-spring"])
def test_handoffs_keep_local_wall_clock_time(tz, layer, turn_starts):
    s = sched([layer], tz=tz)
    starts = [T(x) for x in turn_starts]
    primaries = [x for x in shifts_between(s, starts[0], starts[-1] + timedelta(minutes=1)) if x.role == "primary"]
    assert [x.start for x in primaries[:len(starts)]] == starts
    for earlier, later in zip(primaries, primaries[1:]):
        assert earlier.end == later.start  # turns tile: no gap, no overlap at the change


def test_weekly_shift_across_dst_is_an_hour_short_or_long():
    s = sched([weekly()])
    spring = state_at(s, T("2026-03-09T12:00Z"))  # Mon 08:00 EDT: still last week's turn
    turn = [x for x in shifts_between(s, T("2026-03-05T00:00Z"), T("2026-03-05T00:01Z")) if x.role == "primary"][0]
    assert turn.end - turn.start == timedelta(hours=167)
    assert spring.next_handoff == T("2026-03-09T13:00Z")
    fall = [x for x in shifts_between(s, T("2026-10-28T00:00Z"), T("2026-10-28T00:01Z")) if x.role == "primary"][0]
    assert fall.end - fall.start == timedelta(hours=169)


def test_one_hour_layer_in_the_spring_gap_skips_the_member_whose_hour_does_not_exist():
    s = sched([weekly(members=("a", "b", "c"), start="2026-03-08T00:00", length="1h")])
    got = [(x.person, x.start) for x in shifts_between(s, T("2026-03-08T05:00Z"), T("2026-03-08T08:00Z"))
           if x.role == "primary"]
    # 00:00 EST a, 01:00 EST b, 02:00 does not exist (c's turn is empty), 03:00 EDT a again.
    assert got == [("a", T("2026-03-08T05:00Z")), ("b", T("2026-03-08T06:00Z")), ("a", T("2026-03-08T07:00Z"))]


# --- restrictions -----------------------------------------------------------------------------

@pytest.mark.parametrize("restrict,at,expected", [
    # 22:00-07:00 on Fridays wraps into Saturday morning.
    ([{"days": ["fri"], "from": "22:00", "to": "07:00"}], "2026-06-06T10:00Z", "a"),   # Sat 06:00 EDT
    ([{"days": ["fri"], "from": "22:00", "to": "07:00"}], "2026-06-06T12:00Z", None),  # Sat 08:00 EDT
    ([{"days": ["fri"], "from": "22:00", "to": "07:00"}], "2026-06-06T01:59Z", None),  # Fri 21:59 EDT
    ([{"days": ["fri"], "from": "22:00", "to": "07:00"}], "2026-06-06T02:00Z", "a"),   # Fri 22:00 EDT
    # "24:00" ends at midnight; the window before it is inclusive of 23:59.
    ([{"days": ["mon"], "from": "16:00", "to": "24:00"}], "2026-06-02T03:59Z", "a"),   # Mon 23:59 EDT
    ([{"days": ["mon"], "from": "16:00", "to": "24:00"}], "2026-06-02T04:00Z", None),  # Tue 00:00 EDT
    # Business hours in local time, across the spring change.
    ([{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "17:00"}], "2026-03-06T14:00Z", "a"),
    ([{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "17:00"}], "2026-03-09T13:00Z", "a"),
    ([{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "17:00"}], "2026-03-09T12:59Z", None),
], ids=["wrap-inside", "wrap-after", "wrap-before", "wrap-start", "2400-last-minute", "2400-end",
        "est-9am", "edt-9am", "edt-8.59am"])
def test_restrictions_in_the_layer_zone(restrict, at, expected):
    s = sched([weekly(members=("a",), start="2026-01-05T00:00", restrict=restrict)])
    assert state_at(s, T(at)).primary == expected


def test_wrapping_window_across_the_spring_change_is_an_hour_shorter():
    s = sched([weekly(members=("a",), start="2026-01-05T00:00",
                      restrict=[{"days": ["sat"], "from": "22:00", "to": "07:00"}])])
    shift = [x for x in shifts_between(s, T("2026-03-08T06:00Z"), T("2026-03-08T06:01Z")) if x.role == "primary"][0]
    assert (shift.start, shift.end) == (T("2026-03-08T03:00Z"), T("2026-03-08T11:00Z"))  # 22:00 EST -> 07:00 EDT


# --- precedence ---------------------------------------------------------------------------------

def test_override_beats_layers_and_later_layer_beats_earlier():
    s = sched([weekly(members=("a", "b")),
               {"name": "day", "members": ["x", "y"], "start": "2026-01-05T09:00", "length": "1w", "backup": None,
                "restrict": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "17:00"}]}],
              overrides=[{"role": "primary", "person": "o", "start": "2026-06-03T10:00", "end": "2026-06-03T12:00"}])
    assert state_at(s, T("2026-06-02T15:00Z")).primary == "y"       # Tue 11:00: day layer
    assert state_at(s, T("2026-06-02T15:00Z")).backup is None       # ...and its null backup, not a's
    assert state_at(s, T("2026-06-02T23:00Z")).primary == "b"       # Tue 19:00: weekly layer
    assert state_at(s, T("2026-06-03T14:30Z")).primary == "o"       # override
    assert state_at(s, T("2026-06-03T16:00Z")).primary == "y"       # after it
    assert state_at(s, T("2026-06-02T23:00Z")).backup == "a"


def test_override_across_the_fall_back_change_covers_exactly_its_instants():
    # Written in New York time: Saturday 18:00 EDT to Monday 09:00 EST spans 40 hours, not 39.
    s = sched([weekly()], overrides=[{"role": "primary", "person": "z", "start": "2026-10-31T18:00",
                                      "end": "2026-11-02T09:00"}])
    z = [x for x in shifts_between(s, T("2026-11-01T00:00Z"), T("2026-11-01T00:01Z")) if x.person == "z"][0]
    assert (z.start, z.end) == (T("2026-10-31T22:00Z"), T("2026-11-02T14:00Z"))
    assert z.end - z.start == timedelta(hours=40)
    assert state_at(s, T("2026-11-02T13:59Z")).primary == "z"


def test_backup_list_rotates_on_its_own_with_the_layer_length_and_anchor():
    s = sched([weekly(members=("a", "b", "c"), backup=["x", "y"])])
    got = [state_at(s, T("2026-01-05T15:00Z") + timedelta(weeks=k)) for k in range(4)]
    assert [(g.primary, g.backup) for g in got] == [("a", "x"), ("b", "y"), ("c", "x"), ("a", "y")]


def test_single_member_next_backup_is_empty():
    assert state_at(sched([weekly(members=("a",))]), T("2026-02-01T00:00Z")).backup is None


def test_layer_covers_nothing_before_its_first_handoff():
    s = sched([weekly(start="2026-06-01T09:00")])
    assert state_at(s, T("2026-06-01T12:59Z")).primary is None
    assert state_at(s, T("2026-06-01T13:00Z")).primary == "a"


def test_gaps_and_overlaps():
    s = sched([weekly(members=("a",), start="2026-01-05T00:00",
                      restrict=[{"days": ["mon"], "from": "09:00", "to": "17:00"}])],
              overrides=[{"role": "primary", "person": "o", "start": "2026-06-01T16:00", "end": "2026-06-01T18:00"},
                         {"role": "primary", "person": "p", "start": "2026-06-01T17:30", "end": "2026-06-01T19:00"}])
    gaps = gaps_between(s, T("2026-06-01T04:00Z"), T("2026-06-02T04:00Z"))  # Monday, New York
    assert [(g.start, g.end) for g in gaps] == [(T("2026-06-01T04:00Z"), T("2026-06-01T13:00Z")),
                                              (T("2026-06-01T23:00Z"), T("2026-06-02T04:00Z"))]
    overlaps = overlaps_between(s, T("2026-06-01T04:00Z"), T("2026-06-02T04:00Z"))
    assert [(o.start, o.end, o.claims, o.winner) for o in overlaps] == [
        (T("2026-06-01T20:00Z"), T("2026-06-01T21:00Z"), ("override #1", "layer weekly"), "override #1"),
        (T("2026-06-01T21:30Z"), T("2026-06-01T22:00Z"), ("override #1", "override #2"), "override #2"),
    ]


def test_shifts_are_whole_whatever_the_window():
    s = sched([weekly()])
    a = shifts_between(s, T("2026-06-03T00:00Z"), T("2026-06-03T00:01Z"))
    b = shifts_between(s, T("2026-06-05T00:00Z"), T("2026-06-12T00:00Z"))
    assert a[0] == b[0] and a[0].start == T("2026-06-01T13:00Z")


def test_handoffs_skip_a_return_after_a_gap_with_the_same_people():
    s = sched([weekly(members=("a", "b"), start="2026-01-05T09:00",
                      restrict=[{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "17:00"}])])
    got = handoffs_between(s, T("2026-06-01T00:00Z"), T("2026-06-15T00:00Z"))
    assert got == [T("2026-06-01T13:00Z"), T("2026-06-08T13:00Z")]


def test_on_call_at_api(tmp_path):
    from conftest import make_kb

    from opsbook.load import load

    kb, _ = load(make_kb(tmp_path))
    got = engine.on_call_at(kb, "payments", T("2026-06-02T15:00Z"))  # Tue 11:00 EDT, week 21 (21 % 3 == 0)
    assert got == engine.OnCallAt("payments", "alice", "bob", T("2026-06-02T21:00Z"))
    with pytest.raises(LookupError, match="did you mean 'payments'"):
        engine.on_call_at(kb, "paymnts", T("2026-06-02T15:00Z"))
    with pytest.raises(ValueError):
        engine.on_call_at(kb, "payments", datetime(2026, 6, 2, 15))


# --- properties ---------------------------------------------------------------------------------

ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC"]
BASE = datetime(2026, 1, 1, tzinfo=UTC)

restriction = st.builds(
    lambda days, f, t: {"days": days, "from": f"{f // 60:02d}:{f % 60:02d}", "to": f"{t // 60:02d}:{t % 60:02d}"},
    st.lists(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), min_size=1, max_size=7, unique=True),
    st.integers(0, 47).map(lambda n: n * 30), st.integers(1, 48).map(lambda n: n * 30))
def _bounded(start: datetime, after: int | None, span: int | None) -> dict:
    """``from`` ``after`` minutes after ``start`` and ``end`` ``span`` minutes after that (None: absent)."""
    out: dict = {}
    begin = start
    if after is not None:
        begin = start + timedelta(minutes=after)
        out["from"] = begin.isoformat()
    if span is not None:
        out["end"] = (begin + timedelta(minutes=span)).isoformat()
    return out


layer = st.builds(
    lambda i, members, day, minute, length, backup, restrict, after, span: {
        "name": f"l{i}", "members": members,
        "start": (datetime(2026, 1, 1) + timedelta(days=day, minutes=minute)).isoformat(),
        "length": length, "backup": backup, "restrict": restrict,
        **_bounded(datetime(2026, 1, 1) + timedelta(days=day, minutes=minute), after, span)},
    st.integers(0, 99), st.lists(st.sampled_from("abcdef"), min_size=1, max_size=4, unique=True),
    st.integers(0, 300), st.integers(0, 24 * 60 - 1).map(lambda m: m - m % 5),
    st.sampled_from(["1h", "5h", "12h", "1d", "2d", "1w", "45m", "90m", "750m"]),
    st.sampled_from(["next", None, ["x", "y"]]), st.lists(restriction, max_size=2),
    st.one_of(st.none(), st.integers(0, 40 * 1440)), st.one_of(st.none(), st.integers(1, 40 * 1440)))
override = st.builds(
    lambda role, who, day, hours, length: {"role": role, "person": who,
                                           "start": (BASE + timedelta(days=day, hours=hours)).isoformat(),
                                           "end": (BASE + timedelta(days=day, hours=hours + length)).isoformat()},
    st.sampled_from(["primary", "backup"]), st.sampled_from("opq"), st.integers(0, 300), st.integers(0, 23),
    st.integers(1, 80))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layers=st.lists(layer, min_size=1, max_size=3), overrides=st.lists(override, max_size=3),
       tz=st.sampled_from(ZONES), day=st.integers(0, 300), days=st.integers(1, 20))
def test_properties_per_role_no_overlap_exact_tiling_one_person(layers, overrides, tz, day, days):
    for i, item in enumerate(layers):
        item["name"] = f"l{i}"
    s = sched(layers, overrides, tz=tz)
    start = BASE + timedelta(days=day, hours=7)
    end = start + timedelta(days=days)
    shifts = shifts_between(s, start, end)
    gaps = gaps_between(s, start, end)
    for role in ("primary", "backup"):
        mine = sorted((x for x in shifts if x.role == role), key=lambda x: x.start)
        for a, b in zip(mine, mine[1:]):
            assert a.end <= b.start, "two shifts of one role overlap"
        assert all(x.end > x.start for x in mine)
    # Primary shifts and gaps tile the window exactly.
    pieces = sorted([(max(x.start, start), min(x.end, end)) for x in shifts if x.role == "primary"] +
                    [(g.start, g.end) for g in gaps])
    assert pieces[0][0] == start and pieces[-1][1] == end
    for (a0, a1), (b0, b1) in zip(pieces, pieces[1:]):
        assert a1 == b0
    # At sampled instants: exactly the person the definition says, and only one per role.
    from opsbook.oncall.rotation import active_windows, handoff, layer_zone, members_for, turn_at
    from opsbook.timeutil import to_aware

    probe = start
    while probe < end:
        expected = None
        for item in reversed(s.layers):
            zone = layer_zone(s, item)
            turn = turn_at(item, zone, probe)
            windows = active_windows(s, item, probe, probe + timedelta(seconds=1))
            active = windows is None or any(w0 <= probe < w1 for w0, w1 in windows)
            # The bounds: on call from `from` (else `start`) until `end`, wall-clock times.
            inside = (to_aware(item.from_ or item.start, zone) <= probe
                      and (item.end is None or probe < to_aware(item.end, zone)))
            if turn >= 0 and active and inside and handoff(item, zone, turn) <= probe:
                expected = members_for(item, turn)[0]
                break
        for o in s.overrides:
            if o.role == "primary" and o.start <= probe < o.end:
                expected = o.person
        holders = [x.person for x in shifts if x.role == "primary" and x.start <= probe < x.end]
        assert holders == ([expected] if expected else []), probe
        probe += timedelta(hours=5, minutes=17)


# --- work clipped to the window (issue 8): hand-worked shifts, and a count of the work -------------

@pytest.fixture
def handoffs_computed(monkeypatch):
    """How many turn boundaries the engine computes; more than 5,000 fails at once
    (the old engine walked every turn up to a far override's end)."""
    from opsbook.oncall import rotation

    count = {"n": 0}
    real = rotation.handoff

    def counted(*args):
        count["n"] += 1
        assert count["n"] <= 5_000, "the engine walks turns it does not need"
        return real(*args)

    monkeypatch.setattr(rotation, "handoff", counted)
    return count


def test_override_from_1900_to_2999_is_one_whole_shift_found_by_a_one_hour_window(handoffs_computed):
    # 1900-01-01 00:00 in New York is EST (UTC-5), and so is 2999-01-01 00:00.
    s = sched([weekly()], overrides=[{"role": "primary", "person": "o", "start": "1900-01-01T00:00",
                                      "end": "2999-01-01T00:00"}])
    got = shifts_between(s, T("2026-06-03T00:00Z"), T("2026-06-03T01:00Z"))
    # Week 21 of the layer (2026-06-01 09:00 EDT to 06-08 09:00 EDT): b primary (overridden), c backup.
    assert [(x.role, x.person, x.start, x.end, x.override) for x in got] == [
        ("primary", "o", T("1900-01-01T05:00Z"), T("2999-01-01T05:00Z"), 0),
        ("backup", "c", T("2026-06-01T13:00Z"), T("2026-06-08T13:00Z"), None),
    ]
    assert handoffs_computed["n"] < 100


def test_a_later_override_cuts_a_long_one_and_each_window_sees_the_same_pieces(handoffs_computed):
    s = sched([weekly()], overrides=[
        {"role": "primary", "person": "o", "start": "1900-01-01T00:00", "end": "2999-01-01T00:00"},
        {"role": "primary", "person": "p", "start": "2026-06-02T10:00", "end": "2026-06-02T12:00"}])
    before = [x for x in shifts_between(s, T("2026-06-01T00:00Z"), T("2026-06-01T00:01Z")) if x.role == "primary"]
    after = [x for x in shifts_between(s, T("2026-06-03T00:00Z"), T("2026-06-03T00:01Z")) if x.role == "primary"]
    # 10:00-12:00 EDT is 14:00-16:00 UTC.
    assert [(x.person, x.start, x.end) for x in before] == [("o", T("1900-01-01T05:00Z"), T("2026-06-02T14:00Z"))]
    assert [(x.person, x.start, x.end) for x in after] == [("o", T("2026-06-02T16:00Z"), T("2999-01-01T05:00Z"))]
    assert state_at(s, T("2026-06-02T15:00Z")) == engine.OnCallAt("s", "p", "c", T("2026-06-02T16:00Z"))
    assert handoffs_computed["n"] < 500


def test_a_century_long_restricted_turn_is_cut_by_its_window_not_walked(monkeypatch, handoffs_computed):
    from opsbook import timeutil

    conversions = {"n": 0}
    real = timeutil.to_aware

    def counted(*args):
        conversions["n"] += 1
        return real(*args)

    monkeypatch.setattr(timeutil, "to_aware", counted)
    # Turn 0 runs 1900-01-01 to 2000-01-01 (36524 days), turn 1 from 2000-01-01 (b primary, a backup).
    # "from" equal to "to" is a whole day: Saturday 10:00 to Sunday 10:00 (EDT in June: 14:00 UTC).
    s = sched([weekly(members=("a", "b"), start="1900-01-01T00:00", length="36524d",
                      restrict=[{"days": ["sat"], "from": "10:00", "to": "10:00"}])])
    got = shifts_between(s, T("2026-06-06T15:00Z"), T("2026-06-06T16:00Z"))
    assert [(x.role, x.person, x.start, x.end) for x in got] == [
        ("primary", "b", T("2026-06-06T14:00Z"), T("2026-06-07T14:00Z")),
        ("backup", "a", T("2026-06-06T14:00Z"), T("2026-06-07T14:00Z")),
    ]
    assert state_at(s, T("2026-06-07T14:30Z")) == engine.OnCallAt("s", None, None, T("2026-06-13T14:00Z"))
    assert conversions["n"] < 2_000  # a fortnight of windows around each question, not a century


def test_next_change_jumps_over_a_stretch_held_by_long_overrides(handoffs_computed):
    s = sched([weekly(length="1h")], overrides=[
        {"role": "primary", "person": "o", "start": "2026-01-01T00:00", "end": "2999-01-01T00:00"},
        {"role": "backup", "person": "p", "start": "2026-01-01T00:00", "end": "2026-09-01T00:00"}])
    # Backup p until 2026-09-01 00:00 EDT (04:00 UTC); then the hourly layer's backup takes over.
    state = state_at(s, T("2026-06-03T00:00Z"))
    assert (state.primary, state.backup, state.next_handoff) == ("o", "p", T("2026-09-01T04:00Z"))
    # Two windows of eight days of hourly turns (now, and 1 September), not the three months between.
    assert handoffs_computed["n"] < 1_000


# --- layer bounds: `from` and `end` (hand-worked, New York; DST 2026-03-08 and 2026-11-01) -----------

# weekly(): a, b, c, d from Mon 2026-01-05 09:00; the week of Mon 2 March is turn 8 (a), of
# Mon 9 March turn 9 (b), of Mon 26 October turn 42 (c).

def primaries(s, start, end):
    return [(x.person, x.start, x.end) for x in shifts_between(s, T(start), T(end)) if x.role == "primary"]


def test_end_cuts_the_turn_in_progress_and_the_layer_covers_nothing_from_it_on():
    s = sched([weekly(end="2026-03-11T12:00")])  # Wednesday noon EDT = 16:00Z, after the spring change
    assert state_at(s, T("2026-03-11T15:59Z")).primary == "b"
    assert (state_at(s, T("2026-03-11T16:00Z")).primary, state_at(s, T("2026-03-11T16:00Z")).backup) == (None, None)
    assert state_at(s, T("2026-03-11T15:00Z")) == engine.OnCallAt("s", "b", "c", T("2026-03-11T16:00Z"))
    assert state_at(s, T("2026-03-20T00:00Z")).next_handoff is None
    # Whole whatever the window: b's turn started Mon 09:00 EDT (13:00Z) and ends at the end.
    assert primaries(s, "2026-03-11T15:00Z", "2026-03-11T15:01Z") == [("b", T("2026-03-09T13:00Z"),
                                                                      T("2026-03-11T16:00Z"))]
    assert primaries(s, "2026-03-11T16:00Z", "2026-03-30T00:00Z") == []


def test_from_cuts_the_turn_in_progress_and_keeps_the_turns_counted_from_start():
    s = sched([weekly(**{"from": "2026-03-04T18:30"})])  # Wednesday 18:30 EST = 23:30Z
    assert state_at(s, T("2026-03-04T23:29Z")).primary is None
    assert state_at(s, T("2026-03-04T23:30Z")).primary == "a"  # turn 8, as if the layer had run since January
    assert state_at(s, T("2026-03-04T23:29Z")).next_handoff == T("2026-03-04T23:30Z")
    assert primaries(s, "2026-03-05T00:00Z", "2026-03-09T14:00Z") == [
        ("a", T("2026-03-04T23:30Z"), T("2026-03-09T13:00Z")),  # to Monday 09:00 EDT
        ("b", T("2026-03-09T13:00Z"), T("2026-03-16T13:00Z"))]


def test_end_in_the_repeated_fall_back_hour_is_its_first_occurrence():
    s = sched([weekly(end="2026-11-01T01:30")])  # 01:30 EDT = 05:30Z
    assert state_at(s, T("2026-11-01T05:29Z")).primary == "c"
    assert state_at(s, T("2026-11-01T05:30Z")).primary is None


def test_from_and_end_in_one_spring_forward_gap_cover_nothing():
    # 02:10 and 02:50 on 8 March do not exist: both are 03:00 EDT (07:00Z).
    s = sched([weekly(start="2026-03-01T00:00", **{"from": "2026-03-08T02:10"}, end="2026-03-08T02:50")])
    assert shifts_between(s, T("2026-03-01T00:00Z"), T("2026-03-20T00:00Z")) == []
    assert state_at(s, T("2026-03-08T07:00Z")) == engine.OnCallAt("s", None, None, None)


def test_a_lower_layer_shows_through_after_a_later_layer_ends():
    s = sched([weekly(members=("x",)), weekly(members=("a", "b", "c", "d"), end="2026-03-11T12:00")])
    assert state_at(s, T("2026-03-11T15:59Z")).primary == "b"
    assert state_at(s, T("2026-03-11T16:00Z")).primary == "x"
    # x's turn (a one-member weekly layer) began Mon 09:00 EDT, but b held the pager until the end.
    assert primaries(s, "2026-03-11T16:00Z", "2026-03-11T16:01Z") == [("x", T("2026-03-11T16:00Z"),
                                                                      T("2026-03-16T13:00Z"))]


def test_ninety_minute_turns_keep_wall_clock_handoffs_across_the_spring_change():
    # Handoffs at 00:00, 01:30, 03:00, 04:30... local. On 8 March, 00:00 is turn 16 (b), 01:30 EST turn 17
    # (c) and 03:00 EDT turn 18 (a): c's turn lasts 30 real minutes, 01:30 EST (06:30Z) to 03:00 EDT (07:00Z).
    s = sched([weekly(members=("a", "b", "c"), start="2026-03-07T00:00", length="90m")])
    assert primaries(s, "2026-03-08T05:00Z", "2026-03-08T08:00Z") == [
        ("b", T("2026-03-08T05:00Z"), T("2026-03-08T06:30Z")),
        ("c", T("2026-03-08T06:30Z"), T("2026-03-08T07:00Z")),
        ("a", T("2026-03-08T07:00Z"), T("2026-03-08T08:30Z"))]


def test_bounds_centuries_away_cost_what_near_ones_cost(handoffs_computed):
    far_end = sched([weekly(start="1900-01-01T00:00", length="1h", end="2999-01-01T00:00")])
    # 2026-06-03 00:00Z is 20:00 EDT on 2 June: turn = hours since 1900-01-01 00:00 local.
    hours = int((datetime(2026, 6, 2, 20) - datetime(1900, 1, 1)).total_seconds() // 3600)
    assert state_at(far_end, T("2026-06-03T00:00Z")).primary == "abcd"[hours % 4]
    far_from = sched([weekly(length="15m", **{"from": "2999-01-01T00:00"})])
    assert state_at(far_from, T("2026-06-03T00:00Z")) == engine.OnCallAt("s", None, None, None)
    assert shifts_between(far_from, T("2026-06-01T00:00Z"), T("2028-06-01T00:00Z")) == []
    assert handoffs_computed["n"] < 1_000

"""On-call rules OB401-OB406: each breaks with its code, file and line, and
passes once fixed. Validation runs at conftest.NOW (2026-06-01 12:00 UTC) with
the default 8-week horizon unless a case sets one."""

from __future__ import annotations

import textwrap

import pytest
from conftest import BASE_FILES, make_kb, run_validate

SCHED = "schedules/payments.yaml"
OTHER = "schedules/platform.yaml"


def d(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def schedule(coverage="partial", members="[alice, bob, carol]", restrict="", overrides="", team="payments") -> str:
    # Line numbers: 1 name, 2 team, 3 timezone, 4 coverage, 5 layers, 6 - name, 7 members,
    # 8 start, 9 length, 10 backup, then restrict (if any), then overrides.
    text = d(f"""
        name: Payments on-call
        team: {team}
        timezone: America/New_York
        coverage: "{coverage}"
        layers:
          - name: weekly
            members: {members}
            start: 2026-01-05T09:00
            length: 1w
            backup: next
        """)
    if restrict:
        text += f"    restrict:\n      - {restrict}\n"
    if overrides:
        text += "overrides:\n" + "".join(f"  - {o}\n" for o in overrides)
    return text


FULL = "[alice, bob, carol, dave]"
TEAM4 = BASE_FILES["schedules/people.yaml"].replace("members: [alice, bob, carol]",
                                                    "members: [alice, bob, carol, dave]")
# The week of NOW is week 21 from 2026-01-05: alice primary, bob backup with three members.
CASES = [
    # (id, files that break, code, file, line, files that fix)
    ("OB401-gap-in-24x7",
     {SCHED: schedule("24/7", FULL, '{days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00"}'),
      "schedules/people.yaml": TEAM4},
     "OB401", SCHED, 4,
     {SCHED: schedule("24/7", FULL), "schedules/people.yaml": TEAM4}),
    ("OB402-override-makes-backup-primary",
     {SCHED: schedule(overrides=["{role: primary, person: bob, start: 2026-06-01T10:00, end: 2026-06-01T12:00}"])},
     "OB402", SCHED, 12,
     {SCHED: schedule(overrides=["{role: primary, person: carol, start: 2026-06-01T10:00, end: 2026-06-01T12:00}"])}),
    ("OB403-overlapping-overrides",
     {SCHED: schedule(overrides=["{role: primary, person: carol, start: 2026-06-02T10:00, end: 2026-06-02T14:00}",
                                 "{role: primary, person: carol, start: 2026-06-02T13:00, end: 2026-06-02T18:00}"])},
     "OB403", SCHED, 13,
     {SCHED: schedule(overrides=["{role: primary, person: carol, start: 2026-06-02T10:00, end: 2026-06-02T14:00}",
                                 "{role: primary, person: carol, start: 2026-06-02T14:00, end: 2026-06-02T18:00}"])}),
    ("OB404-override-off-team",
     {SCHED: schedule(overrides=["{role: primary, person: dave, start: 2026-01-12T10:00, end: 2026-01-12T12:00}"])},
     "OB404", SCHED, 12,
     {SCHED: schedule(overrides=["{role: primary, person: carol, start: 2026-01-12T10:00, end: 2026-01-12T12:00}"])}),
    ("OB405-double-booked",
     {OTHER: d("""
        name: Platform on-call
        timezone: UTC
        layers:
          - name: all
            members: [dave]
            start: 2026-01-05T00:00
            length: 1w
        overrides:
          - {role: primary, person: alice, start: 2026-06-01T14:00, end: 2026-06-01T15:00}
        """)},
     "OB405", OTHER, 9,
     {OTHER: d("""
        name: Platform on-call
        timezone: UTC
        layers:
          - name: all
            members: [dave]
            start: 2026-01-05T00:00
            length: 1w
        overrides:
          - {role: primary, person: alice, start: 2026-06-01T02:00, end: 2026-06-01T03:00}
        """)}),
    ("OB406-small-24x7-weekly",
     {SCHED: schedule("24/7", "[alice, bob, carol]")},
     "OB406", SCHED, 7,
     {SCHED: schedule("24/7", FULL), "schedules/people.yaml": TEAM4}),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_rule_breaks_and_passes(tmp_path, case):
    _, broken, code, file, line, fixed = case
    _, payload = run_validate(make_kb(tmp_path / "broken", broken))
    found = [(x["code"], x["file"], x["line"]) for x in payload["diagnostics"]]
    assert found == [(code, file, line)], payload["diagnostics"]
    hit = payload["diagnostics"][0]
    assert hit["message"] and hit["hint"]
    _, payload = run_validate(make_kb(tmp_path / "fixed", fixed))
    assert payload["diagnostics"] == []


def test_follow_the_sun_layers_are_exempt_from_the_small_rotation_warning(tmp_path):
    layers = "".join(d(f"""
          - name: {name}
            members: [{a}, {b}]
            start: 2026-01-05T{start}
            length: 1w
            restrict:
              - {{from: "{start}", to: "{end}"}}
        """) for name, a, b, start, end in (("apac", "alice", "bob", "00:00", "08:00"),
                                             ("emea", "carol", "alice", "08:00", "16:00"),
                                             ("amer", "bob", "carol", "16:00", "24:00")))
    text = "name: P\nteam: payments\ntimezone: UTC\ncoverage: \"24/7\"\nlayers:\n" + \
        "".join("  " + line + "\n" for line in layers.splitlines())
    _, payload = run_validate(make_kb(tmp_path, {SCHED: text}))
    assert payload["diagnostics"] == []


def test_gap_outside_the_horizon_is_not_reported_and_the_horizon_is_configurable(tmp_path):
    # Coverage starts 2026-09-07: 14 weeks after NOW, beyond the default 8-week horizon... but the
    # weeks before it are a gap now. Move the layer start: a gap from NOW until the start.
    late = schedule("24/7", FULL).replace("2026-01-05T09:00", "2026-09-07T09:00")
    files = {SCHED: late, "schedules/people.yaml": TEAM4}
    _, payload = run_validate(make_kb(tmp_path / "a", files))
    assert [x["code"] for x in payload["diagnostics"]] == ["OB401"]
    assert "2026-06-01" in payload["diagnostics"][0]["message"]
    # A layer that starts within a 1-week horizon: clean with horizon 1d, a gap with the default.
    soon = schedule("24/7", FULL).replace("2026-01-05T09:00", "2026-06-03T09:00")
    org = BASE_FILES["opsbook.yaml"] + "policies:\n  oncall:\n    horizon: 1d\n"
    _, payload = run_validate(make_kb(tmp_path / "b", {**files, SCHED: soon, "opsbook.yaml": org}))
    assert [x["code"] for x in payload["diagnostics"]] == ["OB401"]  # NOW .. +1d is still uncovered
    _, payload = run_validate(make_kb(tmp_path / "c", {**files, SCHED: soon}), now="2026-06-04T00:00:00Z")
    assert payload["diagnostics"] == []


def bounded(key_values: str) -> str:
    """The base schedule with extra layer keys after `length` (line 10 on; backup moves down)."""
    return schedule().replace("length: 1w\n", "length: 1w\n" + "".join(
        f"    {kv}\n" for kv in key_values.split("; ")))


@pytest.mark.parametrize("text,code,line,fragment", [
    (schedule().replace("length: 1w", "length: 90s"), "OB105", 9, "whole number of minutes"),
    (schedule().replace("length: 1w", "length: 1m"), "OB105", 9, "at least 15m"),
    (schedule(overrides=["{role: primary, person: carol, start: 2026-06-02T10:00, end: 2026-06-02T09:00}"]),
     "OB106", 12, "must end after it starts"),
    (bounded("end: 2025-12-01T09:00"), "OB106", 10, "'end' must be after its 'start'"),
    (bounded("end: 1900-01-01T00:00"), "OB106", 10, "not after start 2026-01-05T09:00"),
    (bounded("end: 2026-01-05T09:00"), "OB106", 10, "'end' must be after its 'start'"),
    (bounded("from: 2026-01-01T00:00"), "OB106", 10, "'from' must be at or after its 'start'"),
    (bounded("from: 2026-03-01T00:00; end: 2026-02-01T00:00"), "OB106", 11, "'end' must be after its 'from'"),
    (bounded("end: next week"), "OB106", 10, "expected a local date and time"),
    (bounded("from: 2026-03-01T00:00+01:00"), "OB106", 10, ""),
], ids=["length-at-seconds", "length-one-minute", "override-ends-before-start", "end-before-start",
        "end-in-1900", "end-equals-start", "from-before-start", "end-before-from", "end-not-a-time",
        "from-with-an-offset"])
def test_schedule_values_the_engine_cannot_use_are_located_errors(tmp_path, text, code, line, fragment):
    _, payload = run_validate(make_kb(tmp_path, {SCHED: text}))
    assert [(x["code"], x["file"], x["line"]) for x in payload["diagnostics"]] == [(code, SCHED, line)]
    assert fragment in payload["diagnostics"][0]["message"]
    assert payload["diagnostics"][0]["hint"]


def test_a_layer_far_in_the_future_or_ending_far_away_is_an_answer_not_a_hang(tmp_path):
    # `from` in 2999: nobody from this layer until then; `end` in 2999: the layer simply goes on.
    _, payload = run_validate(make_kb(tmp_path / "a", {SCHED: bounded("from: 2999-01-01T00:00")}))
    assert payload["diagnostics"] == []
    _, payload = run_validate(make_kb(tmp_path / "b", {SCHED: bounded("end: 2999-01-01T00:00")}))
    assert payload["diagnostics"] == []


def test_a_small_24x7_layer_that_has_ended_is_not_a_burn_out_warning(tmp_path):
    ended = schedule("24/7", "[alice, bob, carol]").replace("length: 1w\n", "length: 1w\n    end: 2026-05-04T09:00\n")
    ended += ("  - name: new\n    members: [alice, bob, carol, dave]\n    start: 2026-05-04T09:00\n"
              "    length: 1w\n")
    _, payload = run_validate(make_kb(tmp_path, {SCHED: ended, "schedules/people.yaml": TEAM4}))
    assert payload["diagnostics"] == []
    going_on = ended.replace("    end: 2026-05-04T09:00\n", "    end: 2026-07-06T09:00\n")
    _, payload = run_validate(make_kb(tmp_path / "b", {SCHED: going_on, "schedules/people.yaml": TEAM4}))
    assert [x["code"] for x in payload["diagnostics"]] == ["OB406"]


def test_example_knowledge_base_is_clean():
    from pathlib import Path

    from conftest import invoke

    root = Path(__file__).resolve().parents[1]
    result = invoke("--root", str(root), "validate", "--json")
    import json

    assert [x for x in json.loads(result.stdout)["diagnostics"] if x["code"].startswith("OB4")] == []

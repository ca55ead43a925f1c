"""`opsbook import opsgenie` and `opsbook import grafana-oncall`: fixtures asked at hand-worked instants."""

from __future__ import annotations

import pytest

from test_import_helpers import FIXTURES, import_json, make_kb, on_call, run_validate, snapshot, vendor_files, write_json


@pytest.fixture
def opsgenie_kb(tmp_path):
    root = make_kb(tmp_path)
    code, report = import_json(root, "opsgenie", vendor_files("opsgenie"), "--from", "2026-03-03T00:00Z")
    assert code == 0, report
    return root, report


# Europe/Berlin, DST starts Sun 2026-03-29 02:00. "Business week" [anna, ben] weekly from Mon Mar 2
# 09:00, on call Monday 09:00 through Friday 18:00 as one span; "Weekend" [cara, alice] daily from
# Mar 2 18:00, on call Friday 18:00 through Monday 09:00; override ben Sat Mar 28 10:00Z - Mon Mar 30
# 10:00Z for the Weekend rotation only (so it stops when that rotation does, Mon 09:00 CEST).
@pytest.mark.parametrize("at, expected", [
    ("2026-03-25T03:00+01:00", "ben"),     # Wednesday night: inside the Mon-Fri span (week 4: ben)
    ("2026-03-21T12:00+01:00", "cara"),    # Saturday: turn 18 of the daily weekend rotation
    ("2026-03-27T20:00+01:00", "alice"),   # Friday evening: turn 25
    ("2026-03-28T12:00+01:00", "ben"),     # override
    ("2026-03-29T12:00+02:00", "ben"),     # override across the DST change
    ("2026-03-30T08:30+02:00", "ben"),     # still the weekend rotation's time: override
    ("2026-03-30T09:30+02:00", "anna"),    # weekly handoff at 09:00 CEST; the override no longer applies
])
def test_opsgenie_on_call_at(opsgenie_kb, at, expected):
    root, _ = opsgenie_kb
    assert on_call(root, "sre-on-call", at) == expected


def test_opsgenie_report_team_and_policy(opsgenie_kb):
    root, report = opsgenie_kb
    assert ("team", "sre") in {(i["kind"], i["id"]) for i in report["created"]}
    from opsbook.load import load

    kb, _ = load(root)
    assert kb.teams["sre"].members == ["anna", "ben"]
    policy = next(p for p in kb.escalation_file.policies if p.id == "sre-escalation")
    # Opsgenie delays count from the alert's creation, whatever the order of the rules.
    assert [(int(s.after.total_seconds() // 60), s.notify[0].model_dump(exclude_none=True)) for s in policy.steps] == [
        (0, {"schedule": "sre-on-call", "role": "primary"}), (10, {"person": "anna", "role": "primary"}),
        (60, {"team": "sre", "role": "primary"})]
    assert run_validate(root)[0] == 0


def test_opsgenie_unmappable(tmp_path):
    root = make_kb(tmp_path)
    schedule = {"data": [{"id": "s1", "name": "Odd", "timezone": "Europe/Berlin", "rotations": [
        {"id": "r1", "name": "With a gap", "startDate": "2026-03-02T08:00:00Z", "type": "weekly", "length": 1,
         "participants": [{"type": "user", "id": "u-anna"}, {"type": "none"}]},
        {"id": "r2", "name": "Team turn", "startDate": "2026-03-02T08:00:00Z", "type": "daily", "length": 1,
         "participants": [{"type": "team", "id": "t-sre"}]}]},
        {"id": "s2", "name": "Overlap", "timezone": "Europe/Berlin", "rotations": [
            {"id": "r3", "name": "A", "startDate": "2026-03-02T08:00:00Z", "type": "weekly", "length": 1,
             "participants": [{"type": "user", "id": "u-anna"}]},
            {"id": "r4", "name": "B", "startDate": "2026-03-02T08:00:00Z", "type": "daily", "length": 1,
             "participants": [{"type": "user", "id": "u-ben"}],
             "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 22, "startMin": 0,
                                                                         "endHour": 6, "endMin": 0}}}]}]}
    escalations = {"data": [{"id": "e1", "name": "Until closed", "rules": [
        {"condition": "if-not-closed", "notifyType": "default", "delay": {"timeAmount": 0, "timeUnit": "minutes"},
         "recipient": {"type": "user", "id": "u-anna"}}], "repeat": {"waitInterval": 10, "count": 2}}]}
    files = [str(FIXTURES / "opsgenie/users.json"), write_json(tmp_path / "in", "s.json", schedule),
             write_json(tmp_path / "in", "e.json", escalations)]
    code, report = import_json(root, "opsgenie", files, "--from", "2026-03-03T00:00Z")
    assert code == 1
    reasons = " | ".join(u["reason"] for u in report["unmappable"])
    assert "nobody on call (an empty turn)" in reasons
    assert "belongs to a team" in reasons
    assert "on call at the same time" in reasons  # Opsgenie pages both; opsbook has one primary
    assert "unresolved" in reasons and "repeats" not in reasons  # a repeat is mapped now (repeat_after)
    assert not list((root / "schedules").glob("odd*")) and not list((root / "schedules").glob("overlap*"))


@pytest.fixture
def grafana_kb(tmp_path):
    root = make_kb(tmp_path)
    code, report = import_json(root, "grafana-oncall", vendor_files("grafana-oncall"), "--from", "2026-03-03T00:00Z")
    assert code == 0, report
    return root, report


# America/Los_Angeles, DST starts Sun 2026-03-08 02:00. Level 0 "Weekly primary" [kim], [leo] weekly
# from Mon Mar 2 09:00; level 1 "Nights" [mia], [alice] daily from Mar 2 20:00 for 12 h (to 08:00);
# level 2 "Weekend days" kim Sat and Sun 10:00-18:00; override mia Mar 10 12:00-14:00.
@pytest.mark.parametrize("at, expected", [
    ("2026-03-04T12:00-08:00", "kim"),     # weekly, week 0
    ("2026-03-04T23:00-08:00", "mia"),     # night 2 (level 1 over level 0)
    ("2026-03-05T07:30-08:00", "mia"),     # the same night, across midnight
    ("2026-03-14T12:00-07:00", "kim"),     # weekend (level 2) over leo's week
    ("2026-03-09T08:30-07:00", "kim"),     # DST week: weekly handoff at 09:00 PDT
    ("2026-03-09T09:30-07:00", "leo"),
    ("2026-03-09T22:00-07:00", "alice"),   # night 7
    ("2026-03-10T13:00-07:00", "mia"),     # override
])
def test_grafana_on_call_at(grafana_kb, at, expected):
    root, _ = grafana_kb
    assert on_call(root, "platform", at) == expected


def test_grafana_policy_waits_and_team(grafana_kb):
    root, report = grafana_kb
    from opsbook.load import load

    kb, _ = load(root)
    policy = next(p for p in kb.escalation_file.policies if p.id == "platform-default")
    assert [int(s.after.total_seconds() // 60) for s in policy.steps] == [0, 5, 20]
    assert policy.steps[1].notify[0].team == "platform-team"
    assert kb.teams["platform-team"].members == ["alice", "kim"]
    assert run_validate(root)[0] == 0


def test_grafana_unmappable_and_reimport(grafana_kb, tmp_path):
    root, _ = grafana_kb
    before = snapshot(root)
    code, report = import_json(root, "grafana-oncall", vendor_files("grafana-oncall"), "--from", "2026-03-03T00:00Z")
    assert code == 1 and report["created"] == [] and snapshot(root) == before
    other = make_kb(tmp_path / "other")
    shifts = {"results": [{"id": "OPAIR", "name": "Pairs", "type": "rolling_users", "level": 0,
                           "start": "2026-03-02T09:00:00", "duration": 604800, "frequency": "weekly",
                           "rolling_users": [["UKIM", "ULEO"]]}]}
    schedules = {"results": [{"id": "S2", "name": "Pairs", "type": "calendar", "time_zone": "UTC", "shifts": ["OPAIR"]},
                             {"id": "S3", "name": "Cal", "type": "ical", "ical_url_primary": "https://x.example/c.ics"}]}
    policies = {"results": [
        {"id": "P1", "escalation_chain_id": "C1", "position": 0, "type": "trigger_webhook", "action_to_trigger": "W"},
        {"id": "P2", "escalation_chain_id": "C1", "position": 1, "type": "notify_persons", "persons_to_notify": ["UKIM"]},
        {"id": "P3", "escalation_chain_id": "C1", "position": 2, "type": "repeat_escalation"}]}
    files = [str(FIXTURES / "grafana-oncall/users.json"), write_json(tmp_path / "in", "sh.json", shifts),
             write_json(tmp_path / "in", "sc.json", schedules),
             write_json(tmp_path / "in", "ch.json", {"results": [{"id": "C1", "team_id": None, "name": "Hooks"}]}),
             write_json(tmp_path / "in", "ep.json", policies)]
    code, report = import_json(other, "grafana-oncall", files)
    assert code == 1
    reasons = " | ".join(u["reason"] for u in report["unmappable"])
    assert "puts 2 people on call at once" in reasons
    assert "an iCal schedule" in reasons
    assert "'trigger_webhook' step" in reasons and "repeats" not in reasons

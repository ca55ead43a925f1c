"""`opsbook import pagerduty`: the fixture imported, asked at hand-worked instants, refusals."""

from __future__ import annotations

import json

import pytest

from test_import_helpers import (
    FIXTURES,
    import_json,
    invoke,
    make_kb,
    on_call,
    run_validate,
    snapshot,
    vendor_files,
    write_json,
)

FROM = "2026-02-15T00:00-05:00"


@pytest.fixture
def imported(tmp_path):
    root = make_kb(tmp_path)
    code, report = import_json(root, "pagerduty", vendor_files("pagerduty"), "--from", FROM)
    assert code == 0, report
    return root, report


# Answers worked out by hand from the fixture (America/New_York; DST starts Sun 2026-03-08 02:00):
# Weekly [alice, frank] turns Mon 09:00 from 2026-01-19 (alice on even weeks from then, so alice the
# week of Mar 2, frank the week of Mar 9); Nights [grace, heidi] daily turns at 22:00 from Feb 2,
# on call 22:00-07:00 (grace on even days since Feb 2); Weekend [ivan] Sat 09:00 for 36 h (to Sun
# 21:00), the highest layer; override heidi Mar 10 18:00 - Mar 11 09:00 EDT.
@pytest.mark.parametrize("at, expected", [
    ("2026-03-04T12:00-05:00", "alice"),     # weekday: the weekly layer
    ("2026-03-04T23:30-05:00", "grace"),     # night of day 30
    ("2026-03-05T06:30-05:00", "grace"),     # the same night after midnight
    ("2026-03-05T07:30-05:00", "alice"),     # night restriction over at 07:00
    ("2026-03-07T12:00-05:00", "ivan"),      # Saturday: weekend layer
    ("2026-03-07T23:00-05:00", "ivan"),      # weekend layer over the night layer (precedence)
    ("2026-03-08T22:30-04:00", "grace"),     # after the DST change: night of day 34 at 22:00 EDT
    ("2026-03-09T08:30-04:00", "alice"),     # the weekly handoff is 09:00 EDT, not 10:00
    ("2026-03-09T09:30-04:00", "frank"),
    ("2026-03-10T23:00-04:00", "heidi"),     # override beats the night layer (grace)
])
def test_on_call_at_hand_worked_instants(imported, at, expected):
    root, _ = imported
    assert on_call(root, "payments-primary", at) == expected


def test_report_and_files(imported):
    root, report = imported
    created = {(i["kind"], i["id"]) for i in report["created"]}
    assert {("person", "frank"), ("person", "grace"), ("person", "heidi"), ("person", "ivan"),
            ("schedule", "payments-primary"), ("policy", "payments-critical-ep")} <= created
    assert [(i["kind"], i["id"]) for i in report["merged"]] == [("person", "alice")]
    assert report["unmappable"] == [] and report["refused"] == []
    assert any("ended at" in n["note"] for n in report["notes"])  # the ended layer, left out
    text = (root / "schedules/payments-primary.yaml").read_text()
    assert "Old daily" not in text and "backup:" in text
    people = (root / "schedules/people.yaml").read_text()
    assert "{id: grace, name: Grace Hopper, email: grace@acme.example, timezone: Europe/London}" in people
    assert "name: Alice Nguyen" in people and "Alice N." not in people  # merged, left as it was
    code, payload = run_validate(root)
    assert code == 0, payload


def test_escalation_delays_are_cumulative(imported):
    root, _ = imported
    from opsbook.load import load

    kb, _ = load(root)
    policy = next(p for p in kb.escalation_file.policies if p.id == "payments-critical-ep")
    assert [int(s.after.total_seconds() // 60) for s in policy.steps] == [0, 15, 25]
    assert policy.steps[0].notify[0].schedule == "payments-primary"
    assert [t.person for t in policy.steps[1].notify] == ["alice", "frank"]
    assert policy.repeat == 0
    assert policy.name == 'Payments "critical" <EP>'


def test_reimport_refuses_and_changes_nothing(imported):
    root, _ = imported
    before = snapshot(root)
    code, report = import_json(root, "pagerduty", vendor_files("pagerduty"), "--from", FROM)
    assert code == 1
    assert {(i["kind"], i["id"]) for i in report["refused"]} == {("schedule", "payments-primary"),
                                                                 ("policy", "payments-critical-ep")}
    assert report["created"] == []
    assert {i["id"] for i in report["merged"]} == {"alice", "frank", "grace", "heidi", "ivan"}
    assert snapshot(root) == before


def test_dry_run_writes_nothing(tmp_path):
    root = make_kb(tmp_path)
    before = snapshot(root)
    code, report = import_json(root, "pagerduty", vendor_files("pagerduty"), "--from", FROM, "--dry-run")
    assert code == 0 and report["dry_run"] is True
    assert any(i["id"] == "payments-primary" for i in report["created"])
    assert snapshot(root) == before


def test_text_report(tmp_path):
    root = make_kb(tmp_path)
    result = invoke("--root", str(root), "import", "pagerduty", *vendor_files("pagerduty"), "--from", FROM)
    assert result.exit_code == 0
    assert "Created (6):" in result.stdout and "Merged by email (1):" in result.stdout


def test_comments_in_people_and_escalation_survive(tmp_path):
    root = make_kb(tmp_path, {
        "schedules/people.yaml": "# who we are\npeople:\n  - {id: alice, name: Alice, email: alice@acme.example}  # lead\n"
                                 "  - {id: bob, name: Bob, email: bob@acme.example}\n"
                                 "  - {id: carol, name: Carol, email: carol@acme.example}\n"
                                 "  - {id: dave, name: Dave, email: dave@acme.example}\n"
                                 "teams:\n  - {id: payments, name: Payments, members: [alice, bob, carol], lead: alice}\n"
                                 "  - {id: platform, name: Platform, members: [dave]}\n",
        "schedules/escalation.yaml": "# policies\npolicies:\n  - id: payments  # main\n    steps:\n"
                                     "      - {after: 0m, notify: [{schedule: payments}]}\n",
    })
    code, report = import_json(root, "pagerduty", vendor_files("pagerduty"), "--from", FROM)
    assert code == 0, report
    people = (root / "schedules/people.yaml").read_text()
    assert people.startswith("# who we are\n") and "# lead" in people and "id: ivan" in people
    escalation = (root / "schedules/escalation.yaml").read_text()
    assert "# policies" in escalation and "# main" in escalation and "payments-critical-ep" in escalation
    assert run_validate(root)[0] == 0


def _schedule(layers, **extra):
    return {"schedule": {"id": "PX", "name": "X", "time_zone": "America/New_York", "schedule_layers": layers, **extra}}


def _layer(**kw):
    base = {"id": "L1", "name": "L", "start": "2026-01-05T09:00:00-05:00", "end": None,
            "rotation_virtual_start": "2026-01-05T09:00:00-05:00", "rotation_turn_length_seconds": 604800,
            "users": [{"user": {"id": "PUALICE"}}], "restrictions": []}
    base.update(kw)
    return base


def test_unmappable_items_are_reported_and_not_written(tmp_path):
    root = make_kb(tmp_path)
    folder = tmp_path / "in"
    files = [str(FIXTURES / "pagerduty/users.json"),
             write_json(folder, "s1.json", _schedule([_layer(rotation_turn_length_seconds=5430)])),
             write_json(folder, "s2.json", {"schedule": {**_schedule([_layer(id="L2", rotation_turn_length_seconds=600)])["schedule"],
                                                         "id": "PY", "name": "Y"}}),
             write_json(folder, "ep.json", {"escalation_policies": [
                 {"id": "PE1", "name": "Loops", "num_loops": 25, "escalation_rules": [
                     {"escalation_delay_in_minutes": 30, "targets": [{"id": "PUALICE", "type": "user_reference"}]}]},
                 {"id": "PE2", "name": "RR", "num_loops": 0, "escalation_rules": [
                     {"escalation_delay_in_minutes": 5, "escalation_rule_assignment_strategy": "round_robin",
                      "targets": [{"id": "PUALICE", "type": "user_reference"}, {"id": "PUFRANK", "type": "user_reference"}]}]},
                 {"id": "PE3", "name": "Missing schedule", "num_loops": 0, "escalation_rules": [
                     {"escalation_delay_in_minutes": 5, "targets": [{"id": "PNOPE", "type": "schedule_reference"}]}]},
             ]})]
    before = snapshot(root)
    code, report = import_json(root, "pagerduty", files, "--from", "2026-03-01T00:00Z")
    assert code == 1
    reasons = {(u["vendor_id"], u["kind"]): u for u in report["unmappable"]}
    assert "not a whole number of minutes" in reasons[("L1", "layer")]["reason"]  # 90m 30s
    assert reasons[("L1", "layer")]["extension"].startswith("Layer.length")
    short = reasons[("L2", "layer")]
    assert "at least 15m" in short["reason"] and short["path"] == "$.schedule.schedule_layers[0]"
    assert "repeats 25 times; opsbook allows at most 20" in reasons[("PE1", "policy")]["reason"]
    assert "round robin" in reasons[("PE2", "policy")]["reason"]
    assert "does not create" in reasons[("PE3", "policy")]["reason"]
    assert all(u["action"] for u in report["unmappable"])
    assert not (root / "schedules/x.yaml").exists() and not (root / "schedules/y.yaml").exists()
    assert "Loops" not in (root / "schedules/escalation.yaml").read_text()
    assert snapshot(root)["schedules/escalation.yaml"] == before["schedules/escalation.yaml"]
    assert run_validate(root)[0] == 0


def test_id_collision_with_another_email_is_refused(tmp_path):
    root = make_kb(tmp_path)
    users = write_json(tmp_path / "in", "users.json", {"users": [
        {"id": "PD1", "name": "Dave Other", "email": "dave@elsewhere.example", "time_zone": "UTC"},
        {"id": "PD2", "name": "Zed", "email": "zed@a.example"}, {"id": "PD3", "name": "Zed B", "email": "zed@b.example"}]})
    code, report = import_json(root, "pagerduty", [users])
    assert code == 1
    assert [(i["id"], i["kind"]) for i in report["refused"]] == [("dave", "person")]
    assert "add `email: dave@elsewhere.example`" in report["refused"][0]["detail"]
    assert sorted(i["id"] for i in report["created"]) == ["zed", "zed-2"]


def test_layer_starting_mid_turn(tmp_path):
    """A layer whose start falls inside a turn: the anchor moves back to the handoff (members
    rotated) and the vendor's start becomes `from`, whatever the cut-over."""
    root = make_kb(tmp_path)
    layer = _layer(start="2026-01-08T12:00:00-05:00", rotation_virtual_start="2025-12-29T09:00:00-05:00",
                   users=[{"user": {"id": "PUALICE"}}, {"user": {"id": "PUFRANK"}}])
    files = [str(FIXTURES / "pagerduty/users.json"), write_json(tmp_path / "in", "s.json", _schedule([layer]))]
    code, report = import_json(root, "pagerduty", files, "--from", "2026-01-07T00:00-05:00")
    assert code == 0, report
    text = (root / "schedules/x.yaml").read_text()
    assert "start: 2026-01-05T09:00" in text and "from: 2026-01-08T12:00" in text and "members: [frank, alice]" in text
    assert on_call(root, "x", "2026-01-08T11:59-05:00") is None   # before the layer's start
    assert on_call(root, "x", "2026-01-08T12:00-05:00") == "frank"  # Dec 29 alice, Jan 5 frank
    assert on_call(root, "x", "2026-02-03T12:00-05:00") == "frank"  # ... Feb 2 frank


def test_hostile_names_become_safe_ids_and_one_line_names(tmp_path):
    root = make_kb(tmp_path)
    hostile = 'On-call "<script>"\r\nrm -rf /\x1b[31m' + "x" * 300
    layer = _layer(users=[{"user": {"id": "PH"}}])
    files = [write_json(tmp_path / "in", "u.json", {"users": [
                 {"id": "PH", "name": "Eve\u2028\u0007<b>", "email": "Eve.O'Neil+ops@acme.example"}]}),
             write_json(tmp_path / "in", "s.json", {"schedule": {"id": "P\nQ", "name": hostile,
                                                                 "time_zone": "UTC", "schedule_layers": [layer]}})]
    code, report = import_json(root, "pagerduty", files)
    assert code == 0, report
    schedule = next(i for i in report["created"] if i["kind"] == "schedule")
    import re
    assert re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", schedule["id"])
    person = next(i for i in report["created"] if i["kind"] == "person")
    assert person["id"] == "eve-o-neil-ops"
    people = (root / "schedules/people.yaml").read_text()
    assert "\u2028" not in people and "\x07" not in people
    assert run_validate(root)[0] == 0

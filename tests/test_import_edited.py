"""Issue 10's model extensions through the importers: an edited PagerDuty schedule (a layer that
ends, its replacement starting mid-turn with 12h30m turns), a looping policy, and the same
extensions from Opsgenie and Grafana OnCall; answers worked out by hand, not by the engine."""

from __future__ import annotations

import json

import pytest

from test_import_helpers import FIXTURES, import_json, invoke, make_kb, on_call, run_validate, write_json

EDITED = FIXTURES / "pagerduty-edited"
FILES = [str(EDITED / n) for n in ("users.json", "users-page2.json", "schedule-PEDIT.json", "escalation_policies.json")]


@pytest.fixture
def edited(tmp_path):
    root = make_kb(tmp_path)
    code, report = import_json(root, "pagerduty", FILES, "--from", "2026-03-01T00:00-05:00")
    assert code == 0, report
    return root, report


# America/New_York, DST starts Sun 2026-03-08 02:00 (EST -5 -> EDT -4).
# Old layer: weekly [alice, frank] from Mon 2026-01-05 09:00, ended Wed 2026-03-11 15:00 EDT. The week of
# Mon 2 March is turn 8 (alice), of Mon 9 March turn 9 (frank), handing off at 09:00 EDT after the change.
# New layer: [grace, heidi, ivan], turns of 12h30m counted from Sat 2026-03-07 08:00 EST in wall-clock time:
# 08:00, 20:30 (Mar 7), 09:00, 21:30 (Mar 8), 10:00, 22:30, 11:00, 23:30, Wed Mar 11 12:00 (turn 8: ivan),
# Thu Mar 12 00:30 (turn 9: grace), 13:00 (turn 10: heidi), Fri 01:30 (turn 11: ivan). It starts at
# Wed 15:00 EDT, in the middle of turn 8. Counted in elapsed hours instead, turn 9 would begin at 01:30 EDT.
@pytest.mark.parametrize("at, expected", [
    ("2026-03-04T12:00-05:00", "alice"),   # before the DST change, old layer
    ("2026-03-09T08:30-04:00", "alice"),   # after it: the weekly handoff is 09:00 EDT, not 10:00
    ("2026-03-09T09:00-04:00", "frank"),
    ("2026-03-11T14:59-04:00", "frank"),   # the last minute of the old layer
    ("2026-03-11T15:00-04:00", "ivan"),    # its end, the new layer's `from`: turn 8 cut there
    ("2026-03-12T00:29-04:00", "ivan"),
    ("2026-03-12T00:45-04:00", "grace"),   # 12h30m in wall-clock time across the change (not 01:30)
    ("2026-03-12T13:00-04:00", "heidi"),
    ("2026-03-13T01:30-04:00", "ivan"),
])
def test_edited_schedule_at_hand_worked_instants(edited, at, expected):
    root, _ = edited
    assert on_call(root, "checkout", at) == expected


def test_edited_schedule_files_and_report(edited):
    root, report = edited
    assert report["unmappable"] == []
    assert any("ended at 2025-12-01" in n["note"] for n in report["notes"])  # Layer 0, before the cut-over
    text = (root / "schedules/checkout.yaml").read_text()
    # The old layer with its end; the new one anchored at the handoff in progress at its start (turn 8,
    # Wed 12:00, members rotated so that ivan comes first) and on call `from` the vendor's start.
    assert "end: 2026-03-11T15:00" in text
    assert "start: 2026-03-11T12:00" in text and "from: 2026-03-11T15:00" in text and "length: 750m" in text
    assert "members: [ivan, grace, heidi]" in text
    from opsbook.load import load

    kb, _ = load(root)
    policy = next(p for p in kb.escalation_file.policies if p.id == "checkout-loops")
    assert [int(s.after.total_seconds() // 60) for s in policy.steps] == [0, 10]
    assert policy.repeat == 2 and policy.repeat_after.total_seconds() == 30 * 60  # 10 + 20 minutes
    assert [(int(t.total_seconds() // 60), r) for t, r, _ in policy.notifications()] == [
        (0, 0), (10, 0), (30, 1), (40, 1), (60, 2), (70, 2)]
    assert run_validate(root)[0] == 0


def test_edited_schedule_verifies_against_the_hand_written_final_schedule(edited):
    root, _ = edited
    result = invoke("--root", str(root), "import", "verify", "pagerduty", FILES[0], FILES[1],
                    str(EDITED / "verify-PEDIT.json"), "--from", "2026-03-09T04:00Z", "--to", "2026-03-13T04:00Z",
                    "--json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["agreement"] == 1


def test_a_cut_over_after_the_edit_leaves_the_old_layer_out(tmp_path):
    root = make_kb(tmp_path)
    code, report = import_json(root, "pagerduty", FILES, "--from", "2026-03-11T15:00-04:00")
    assert code == 0, report
    text = (root / "schedules/checkout.yaml").read_text()
    assert "alice, frank" not in text and "from: 2026-03-11T15:00" in text
    assert on_call(root, "checkout", "2026-03-11T14:59-04:00") is None
    assert on_call(root, "checkout", "2026-03-11T15:00-04:00") == "ivan"


def _pd_layer(**kw):
    base = {"id": "L1", "name": "L", "start": "2026-01-05T09:00:00-05:00", "end": None,
            "rotation_virtual_start": "2026-01-05T09:00:00-05:00", "rotation_turn_length_seconds": 604800,
            "users": [{"user": {"id": "PUALICE"}}], "restrictions": []}
    base.update(kw)
    return base


def test_an_end_in_the_repeated_fall_back_hour_is_refused_when_it_is_the_second_one(tmp_path):
    # 2026-11-01 01:30 happens twice in New York: 05:30Z (EDT) and 06:30Z (EST). A layer's
    # wall-clock `end` names the first; an end at the second cannot be said.
    root = make_kb(tmp_path)
    for instant, code in (("2026-11-01T05:30:00Z", 0), ("2026-11-01T06:30:00Z", 1)):
        data = {"schedule": {"id": "PF", "name": "Fall " + instant[11:13], "time_zone": "America/New_York",
                             "schedule_layers": [_pd_layer(end=instant)]}}
        got, report = import_json(root, "pagerduty", [str(EDITED / "users.json"),
                                                      write_json(tmp_path / "in", f"f{code}.json", data)],
                                  "--from", "2026-10-01T00:00Z")
        assert got == code, report
        if code:
            refusal = report["unmappable"][0]
            assert "second occurrence" in refusal["reason"] and refusal["extension"].startswith("Layer.from/end")
    assert on_call(root, "fall-05", "2026-11-01T05:29Z") == "alice"
    assert on_call(root, "fall-05", "2026-11-01T05:30Z") is None


def test_opsgenie_end_date_and_repeat(tmp_path):
    # Europe/Berlin: a daily rotation [anna, ben] from Mon 2026-03-23 09:00 CET (08:00Z), ending
    # Tue 2026-03-31 12:00 CEST (10:00Z), after the change on Sun 29 March. Day k is anna for even k.
    root = make_kb(tmp_path)
    schedules = {"data": [{"id": "s-end", "name": "Ending", "timezone": "Europe/Berlin", "enabled": True,
                           "rotations": [{"id": "r1", "name": "Days", "startDate": "2026-03-23T08:00:00Z",
                                          "endDate": "2026-03-31T10:00:00Z", "type": "daily", "length": 1,
                                          "participants": [{"type": "user", "id": "u-anna"},
                                                           {"type": "user", "id": "u-ben"}]}]}]}
    escalations = {"data": [{"id": "e-rep", "name": "Repeats", "rules": [
        {"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 0, "timeUnit": "minutes"},
         "recipient": {"type": "user", "id": "u-anna"}},
        {"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 15, "timeUnit": "minutes"},
         "recipient": {"type": "user", "id": "u-ben"}}], "repeat": {"waitInterval": 5, "count": 20}}]}
    files = [str(FIXTURES / "opsgenie/users.json"), write_json(tmp_path / "in", "s.json", schedules),
             write_json(tmp_path / "in", "e.json", escalations)]
    code, report = import_json(root, "opsgenie", files, "--from", "2026-03-23T00:00Z")
    assert code == 0, report
    assert on_call(root, "ending", "2026-03-30T08:59+02:00") == "anna"   # day 6, from Sun 09:00 CEST
    assert on_call(root, "ending", "2026-03-30T09:00+02:00") == "ben"    # day 7 from Mon 09:00 CEST
    assert on_call(root, "ending", "2026-03-31T09:00+02:00") == "anna"   # day 8
    assert on_call(root, "ending", "2026-03-31T11:59+02:00") == "anna"
    assert on_call(root, "ending", "2026-03-31T12:00+02:00") is None     # the end
    from opsbook.load import load

    policy = next(p for p in load(root)[0].escalation_file.policies if p.id == "repeats")
    assert policy.repeat == 20 and policy.repeat_after.total_seconds() == 20 * 60  # last delay 15 + wait 5


def test_grafana_until_and_rotation_start(tmp_path):
    # UTC: rolling [kim], [leo] daily 09:00 for 24 h from Mon 2026-03-02 09:00 (turn k: kim for even k);
    # rotation_start Wed 03-04 15:00 (mid-turn 2: kim); until Sat 03-07 09:00, a handoff, so no occurrence
    # straddles it.
    root = make_kb(tmp_path)

    def files(until: str, folder: str):
        shifts = {"results": [{"id": "OROLL", "name": "Days", "type": "rolling_users", "level": 0,
                               "start": "2026-03-02T09:00:00", "rotation_start": "2026-03-04T15:00:00",
                               "until": until, "duration": 86400, "frequency": "daily", "interval": 1,
                               "rolling_users": [["UKIM"], ["ULEO"]]}]}
        schedules = {"results": [{"id": "SD", "name": "Days " + folder, "type": "calendar", "time_zone": "UTC",
                                  "shifts": ["OROLL"]}]}
        return [str(FIXTURES / "grafana-oncall/users.json"), write_json(tmp_path / folder, "sh.json", shifts),
                write_json(tmp_path / folder, "sc.json", schedules)]

    code, report = import_json(root, "grafana-oncall", files("2026-03-07T09:00:00", "a"), "--from", "2026-03-01T00:00Z")
    assert code == 0, report
    assert on_call(root, "days-a", "2026-03-04T14:59Z") is None
    assert on_call(root, "days-a", "2026-03-04T15:00Z") == "kim"
    assert on_call(root, "days-a", "2026-03-05T09:00Z") == "leo"
    assert on_call(root, "days-a", "2026-03-07T08:59Z") == "kim"       # turn 4 (Mar 6), the last
    assert on_call(root, "days-a", "2026-03-07T09:00Z") is None
    # An until in the middle of an occurrence: RFC 5545 would let it run to 09:00, a cut would stop it.
    code, report = import_json(root, "grafana-oncall", files("2026-03-07T12:00:00", "b"), "--from", "2026-03-01T00:00Z")
    assert code == 1 and "UNTIL bounds when occurrences start" in report["unmappable"][0]["reason"]

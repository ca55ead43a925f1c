"""`opsbook import verify` (the parallel run) and bad input to every import command."""

from __future__ import annotations

import json

import pytest

from test_import_helpers import FIXTURES, import_json, invoke, make_kb, snapshot, vendor_files, write_json

CASES = {
    "pagerduty": ("2026-02-15T00:00-05:00", [str(FIXTURES / "pagerduty/users.json"),
                                             str(FIXTURES / "pagerduty/users-page2.json")],
                  "pagerduty/verify-{}.json", []),
    "opsgenie": ("2026-03-03T00:00Z", [], "opsgenie/timeline-{}.json", []),
    "grafana-oncall": ("2026-03-03T00:00Z", [], "grafana-oncall/final_shifts-{}.json", ["--schedule", "platform"]),
}


@pytest.mark.parametrize("vendor", CASES)
def test_verify_agrees_and_disagrees_by_one_shift(tmp_path, vendor):
    cut, extra_files, pattern, options = CASES[vendor]
    root = make_kb(tmp_path)
    assert import_json(root, vendor, vendor_files(vendor), "--from", cut)[0] == 0
    agree = invoke("--root", str(root), "import", "verify", vendor, *extra_files,
                   str(FIXTURES / pattern.format("agree")), *options, "--json")
    assert agree.exit_code == 0, agree.stderr
    payload = json.loads(agree.stdout)
    assert payload["agreement"] == 1.0 and payload["disagreements"] == []
    disagree = invoke("--root", str(root), "import", "verify", vendor, *extra_files,
                      str(FIXTURES / pattern.format("disagree")), *options, "--json")
    assert disagree.exit_code == 1
    payload = json.loads(disagree.stdout)
    assert 0 < payload["agreement"] < 1
    assert len(payload["disagreements"]) == 1
    d = payload["disagreements"][0]
    assert d["vendor"] != d["opsbook"] and d["start"] < d["end"]
    text = invoke("--root", str(root), "import", "verify", vendor, *extra_files,
                  str(FIXTURES / pattern.format("disagree")), *options)
    assert text.exit_code == 1 and "% agreement" in text.stdout and " says " in text.stdout


def test_verify_pagerduty_disagreement_is_the_changed_night(tmp_path):
    root = make_kb(tmp_path)
    import_json(root, "pagerduty", vendor_files("pagerduty"), "--from", "2026-02-15T00:00-05:00")
    result = invoke("--root", str(root), "import", "verify", "pagerduty", str(FIXTURES / "pagerduty/users.json"),
                    str(FIXTURES / "pagerduty/users-page2.json"), str(FIXTURES / "pagerduty/verify-disagree.json"),
                    "--json")
    d = json.loads(result.stdout)["disagreements"][0]
    assert (d["start"], d["end"], d["vendor"], d["opsbook"]) == (
        "2026-03-12T02:00:00+00:00", "2026-03-12T11:00:00+00:00", ["grace"], ["heidi"])


def test_verify_without_emails_or_schedule_is_a_usage_error(tmp_path):
    root = make_kb(tmp_path)
    import_json(root, "pagerduty", vendor_files("pagerduty"), "--from", "2026-02-15T00:00-05:00")
    result = invoke("--root", str(root), "import", "verify", "pagerduty", str(FIXTURES / "pagerduty/verify-agree.json"))
    assert result.exit_code == 2 and "GET /users" in result.stderr
    result = invoke("--root", str(root), "import", "verify", "grafana-oncall",
                    str(FIXTURES / "grafana-oncall/final_shifts-agree.json"))
    assert result.exit_code == 2 and "--schedule" in result.stderr


BAD = [
    ("not-json.json", "{ this is not json", "not JSON", "line 1 column 3"),
    ("html.json", "<html>login</html>", "HTML page", None),
    ("empty.json", "", "is empty", None),
    ("unknown.json", {"hello": []}, "not a PagerDuty response", None),
    ("missing-key.json", {"schedule": {"id": "P1", "name": "x", "schedule_layers": []}}, "missing key 'time_zone'",
     "$.schedule"),
    ("no-email.json", {"users": [{"id": "U1", "name": "Nomail"}]}, "has no email", "$.users[0]"),
    ("bad-email.json", {"users": [{"id": "U1", "name": "x", "email": "a@b\r\nBcc: c@d"}]}, "expected an email",
     "$.users[0].email"),
    ("bad-type.json", {"schedule": {"id": "P1", "name": "x", "time_zone": "UTC", "schedule_layers": [
        {"start": "2026-01-01T00:00:00Z", "rotation_virtual_start": "2026-01-01T00:00:00Z",
         "rotation_turn_length_seconds": "a week", "users": []}]}}, "expected a whole number",
     "$.schedule.schedule_layers[0].rotation_turn_length_seconds"),
    ("list-of-schedules.json", {"schedules": [{"id": "P1"}]}, "save GET /schedules/{id}", "$.schedules"),
]


@pytest.mark.parametrize("name, content, message, path", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_a_clear_error_exit_2(tmp_path, name, content, message, path):
    root = make_kb(tmp_path)
    before = snapshot(root)
    file = write_json(tmp_path / "in", name, content)
    result = invoke("--root", str(root), "import", "pagerduty", file)
    assert result.exit_code == 2, result.stdout
    assert "Traceback" not in result.stderr and message in result.stderr and name in result.stderr
    if path:
        assert path in result.stderr
    as_json = invoke("--root", str(root), "import", "pagerduty", file, "--json")
    error = json.loads(as_json.stdout)["error"]
    assert as_json.exit_code == 2 and error["code"] == "input" and error["file"].endswith(name)
    assert error["details"][0]["file"].endswith(name) and (not path or path in error["details"][0]["path"])
    assert snapshot(root) == before


def test_unknown_time_zone_is_reported_per_item(tmp_path):
    root = make_kb(tmp_path)
    files = [write_json(tmp_path / "in", "u.json", {"users": [
        {"id": "U1", "name": "Zoe", "email": "zoe@acme.example", "time_zone": "Mars/Olympus_Mons"}]}),
        write_json(tmp_path / "in", "s.json", {"schedule": {"id": "P1", "name": "Red", "time_zone": "America/New_Yrok",
                                                            "schedule_layers": []}})]
    code, report = import_json(root, "pagerduty", files)
    assert code == 1
    by_kind = {u["kind"]: u for u in report["unmappable"]}
    assert "Mars/Olympus_Mons" in by_kind["person"]["reason"]
    assert "America/New_York" in by_kind["schedule"]["reason"]  # did you mean
    assert by_kind["schedule"]["path"] == "$.schedule.time_zone"


def test_missing_file_and_other_vendors_bad_shapes(tmp_path):
    root = make_kb(tmp_path)
    result = invoke("--root", str(root), "import", "opsgenie", str(tmp_path / "nope.json"))
    assert result.exit_code == 2 and "cannot read" in result.stderr
    file = write_json(tmp_path / "in", "odd.json", {"data": {"what": 1}})
    for vendor in ("opsgenie", "grafana-oncall"):
        result = invoke("--root", str(root), "import", vendor, file)
        assert result.exit_code == 2 and "odd.json" in result.stderr and "Traceback" not in result.stderr
    result = invoke("--root", str(root), "import", "opsgenie", str(FIXTURES / "opsgenie/timeline-agree.json"))
    assert result.exit_code == 2 and "import verify opsgenie" in result.stderr


def test_a_verify_window_longer_than_two_years_is_refused_not_a_hang(tmp_path):
    """Found in review: a rendering whose last entry ends in 2999 (or --from/--to a
    century apart) kept the engine busy for as long as the span."""
    cut, extra_files, pattern, options = CASES["pagerduty"]
    root = make_kb(tmp_path)
    assert import_json(root, "pagerduty", vendor_files("pagerduty"), "--from", cut)[0] == 0
    data = json.loads((FIXTURES / pattern.format("agree")).read_text())
    entries = data["schedule"]["final_schedule"]["rendered_schedule_entries"]
    entries[-1]["end"] = "2999-01-01T00:00:00Z"
    long = write_json(tmp_path / "in", "long.json", data)
    done = invoke("--root", str(root), "import", "verify", "pagerduty", *extra_files, long)
    assert done.exit_code == 2 and "731 days" in done.stderr, done.stderr
    done = invoke("--root", str(root), "import", "verify", "pagerduty", *extra_files,
                  str(FIXTURES / pattern.format("agree")), "--from", "2000-01-01T00:00:00Z", "--to", "2200-01-01T00:00:00Z")
    assert done.exit_code == 2 and "731 days" in done.stderr, done.stderr


@pytest.mark.parametrize("vendor,file,path,value", [
    ("pagerduty", "escalation_policies.json", ("escalation_policies", 0, "escalation_rules", 0,
                                               "escalation_delay_in_minutes"), 10**30),
    ("opsgenie", "escalations.json", ("data", 0, "rules", 0, "delay", "timeAmount"), 2**63),
    ("opsgenie", "schedules.json", ("data", 0, "rotations", 0, "length"), 1e308),
], ids=["pd-delay-1e30", "og-delay-2^63", "og-length-1e308"])
def test_a_number_too_large_for_any_clock_is_refused_at_its_path(tmp_path, vendor, file, path, value):
    """Found in review: 10**30 minutes overflowed date arithmetic (an internal error)."""
    from pathlib import Path

    files = vendor_files(vendor)
    [target] = [f for f in files if Path(f).name == file]
    data = json.loads(Path(target).read_text())
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    changed = write_json(tmp_path / "in", file, data)
    files = [changed if f == target else f for f in files]
    root = make_kb(tmp_path)
    result = invoke("--root", str(root), "import", vendor, "--dry-run", *files)
    assert result.exit_code == 2, result.output
    assert "at most 100000000" in result.stderr and "internal error" not in result.stderr


def test_an_opsgenie_turn_longer_than_a_century_is_refused_not_a_crash(tmp_path):
    from pathlib import Path

    files = vendor_files("opsgenie")
    [target] = [f for f in files if Path(f).name == "schedules.json"]
    data = json.loads(Path(target).read_text())
    for rotation in data["data"][0]["rotations"]:
        rotation["length"] = 5218  # weeks, with a time restriction on some
    changed = write_json(tmp_path / "in", "schedules.json", data)
    root = make_kb(tmp_path)
    result = invoke("--root", str(root), "import", "opsgenie", "--dry-run",
                    *[changed if f == target else f for f in files])
    assert result.exit_code == 1, result.output
    assert "longer than a century" in result.stdout + result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize("start, shown", [
    ("1900-01-01T00:00:00Z", "1899-12-31T19:00"),  # 1900 in UTC is still 1899 on New York's clock
    ("1800-06-01T09:00:00-05:00", None),  # out of range as written: an input error at its JSON path
])
def test_a_layer_starting_before_1900_is_refused_with_a_reason_not_called_a_bug(tmp_path, start, shown):
    # Review finding: the model's year range surfaced as "report this as an opsbook bug".
    root = make_kb(tmp_path)
    schedule = json.loads((FIXTURES / "pagerduty" / "schedule-PSCHED1.json").read_text(encoding="utf-8"))
    weekly = next(layer for layer in schedule["schedule"]["schedule_layers"] if layer["id"] == "PLWEEK")
    weekly["start"] = weekly["rotation_virtual_start"] = start
    files = [f for f in vendor_files("pagerduty") if not f.endswith("schedule-PSCHED1.json")]
    files.append(write_json(tmp_path / "in", "schedule-PSCHED1.json", schedule))
    code, payload = import_json(root, "pagerduty", files, "--dry-run")
    if shown is None:
        error = payload["error"]
        [detail] = [d for d in error["details"] if "rotation_virtual_start" in (d["path"] or "")]
        assert code == 2 and error["code"] == "input" and "1900 to 2999" in detail["message"]
        return
    assert code == 1
    [refusal] = [u for u in payload["unmappable"] if u["vendor_id"] == "PLWEEK"]
    assert shown in refusal["reason"] and "1900 to 2999" in refusal["reason"]
    assert "later handoff" in refusal["action"]
    assert all("bug" not in u["action"] for u in payload["unmappable"])

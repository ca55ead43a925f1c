"""`opsbook oncall ...` as a user runs it against the Larkspur example (as_of
2026-11-20 15:00 UTC): answers, exit codes, JSON and CSV, and clear errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import invoke, make_kb

REPO = Path(__file__).resolve().parents[1]


def run(*args: str):
    return invoke("--root", str(REPO), "oncall", *args)


def test_now_uses_as_of_and_names_primary_backup_and_next_change():
    result = run("now", "--schedule", "payments")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Payments on-call [payments] at Fri 2026-11-20 10:00 EST",
        "  primary  Priya Raman (priya)",
        "  backup   Daniel Reyes (daniel)",
        "  changes  Mon 2026-11-23 09:00 EST (in 2d 23h)",
    ]


def test_at_accepts_a_time_without_offset_in_the_org_zone_and_json():
    # 2026-11-01 01:30 New York happens twice; the first (EDT) is meant.
    result = run("at", "2026-11-01T01:30", "--schedule", "payments", "--json")
    document = json.loads(result.stdout)
    assert document["at"] == "2026-11-01T05:30:00+00:00" and document["skipped"] == []
    payload = document["schedules"]
    assert payload[0]["at"] == "2026-11-01T05:30:00+00:00"
    assert payload[0]["primary"]["id"] == "priya"  # the DST-weekend override in the example
    assert payload[0]["next_handoff"] == "2026-11-02T14:00:00+00:00"


def test_at_with_tz_reads_and_shows_in_that_zone():
    result = run("at", "2026-11-20T09:00", "--tz", "Europe/London", "-s", "data")
    assert "at Fri 2026-11-20 09:00 GMT" in result.stdout and "Arjun Mehta" in result.stdout


def test_shifts_for_a_person_show_the_override_as_its_own_shift():
    result = run("shifts", "--from", "2026-11-23", "--to", "2026-11-30", "--person", "priya", "--json")
    document = json.loads(result.stdout)
    assert (document["from"], document["to"]) == ("2026-11-23T05:00:00+00:00", "2026-11-30T05:00:00+00:00")
    shifts = document["shifts"]
    assert [(s["role"], s["start"], s["source"]) for s in shifts] == [
        ("primary", "2026-11-16T14:00:00+00:00", "layer"),
        ("primary", "2026-11-24T23:00:00+00:00", "override"),
    ]


def test_gaps_exit_0_for_partial_and_1_for_a_24x7_gap(tmp_path):
    result = run("gaps", "--from", "2026-11-20", "--to", "2026-11-27", "--json")
    assert result.exit_code == 0
    assert {g["schedule"] for g in json.loads(result.stdout)["gaps"]} == {"data"}
    root = make_kb(tmp_path)
    text = (root / "schedules/payments.yaml").read_text().replace("name: Payments on-call",
                                                                   "name: Payments on-call\ncoverage: \"24/7\"")
    (root / "schedules/payments.yaml").write_text(text)
    gap = invoke("--root", str(root), "oncall", "gaps", "--from", "2026-06-01", "--to", "2026-06-02")
    assert gap.exit_code == 1 and "GAP in 24/7 schedule" in gap.stdout and "payments" in gap.stderr


def test_report_counts_hours_nights_weekends_and_backup_in_each_persons_zone():
    # The week of the US fall-back change: Daniel (Los Angeles) primary Mon 26 Oct 09:00 EDT to
    # Mon 2 Nov 09:00 EST = 169 h; Priya covers Sat 31 Oct 18:00 EDT - Mon 2 Nov 09:00 EST (40 h).
    result = run("report", "--from", "2026-10-26T13:00:00Z", "--to", "2026-11-02T14:00:00Z", "--format", "json")
    rows = {r["person"]: r for r in json.loads(result.stdout)["people"]}
    assert rows["daniel"]["hours"] == 129.0 and rows["priya"]["hours"] == 40.0
    assert rows["oliver"]["backup_hours"] == 169.0
    # Priya's override, in New York: Sat 18:00-Mon 09:00 -> nights Sat 22-07 (10 h, the clock goes back)
    # and Sun 22-07 (9 h); weekend Sat 18:00-24:00 and all Sunday (25 h, Sunday is 25 h long).
    assert rows["priya"]["night_hours"] == 19.0
    assert rows["priya"]["weekend_hours"] == 31.0
    csv_out = run("report", "--from", "2026-10-26T13:00:00Z", "--to", "2026-11-02T14:00:00Z", "--format", "csv")
    parsed = list(csv.DictReader(io.StringIO(csv_out.stdout)))
    assert {r["person"] for r in parsed} >= {"daniel", "priya"} and parsed[0]["hours"]


@pytest.mark.parametrize("args,code,message", [
    (["now", "--schedule", "paymnts"], 1, "unknown schedule 'paymnts'; did you mean 'payments'?"),
    (["shifts", "--person", "prya"], 1, "unknown person 'prya'; did you mean 'priya'?"),
    (["at", "tomorrow"], 2, "TIME: expected an ISO 8601 time"),
    (["at", "2026-02-30"], 2, "expected a date"),
    (["shifts", "--from", "2026-12-01", "--to", "2026-11-01"], 2, "must be after --from"),
    (["report", "--format", "xml"], 2, "Invalid value"),
    (["now", "--tz", "Mars/Olympus"], 2, "--tz: unknown time zone"),
    (["now", "--now", "soon"], 2, "--now"),
], ids=["unknown-schedule", "unknown-person", "bad-time", "bad-date", "reversed-window", "bad-format", "bad-zone",
        "bad-now"])
def test_errors_are_clear_with_the_right_exit_code(args, code, message):
    result = run(*args)
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_knowledge_base_that_does_not_load_exits_1_with_located_errors(tmp_path):
    root = make_kb(tmp_path, {"schedules/payments.yaml": "name: x\nlayers: 3\ntimezone: UTC\n"})
    result = invoke("--root", str(root), "oncall", "now")
    assert result.exit_code == 1 and "schedules/payments.yaml:2" in result.stderr


def test_an_unrelated_broken_file_does_not_stop_the_answer(tmp_path):
    """In an outage, a typo in a runbook must not keep anyone from finding out who is on call."""
    root = make_kb(tmp_path, {"runbooks/payments/broken.md": "---\ntitle: [unclosed\n---\n# x\n"})
    result = invoke("--root", str(root), "oncall", "now", "--now", "2026-06-01T12:00:00Z")
    assert result.exit_code == 0, result.output
    # `oncall now` reads schedules and people only (issue 12): the runbook is not
    # even read. A broken file it does read but does not need is named and skipped
    # (tests/test_lazy_load.py: a broken incident for `handoff`).
    assert "broken.md" not in result.stderr
    assert "Payments on-call" in result.stdout or "payments" in result.stdout

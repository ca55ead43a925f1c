"""`opsbook metrics`: every figure pinned against answers worked out by hand.

The fixture: a daily 24/7 rotation of alice, bob, carol and dave handing off at
09:00 New York time from Monday 2 March 2026, so every shift spans midnight and
the one from Saturday 7 March is 23 hours (clocks go forward on the 8th). The
window is 2 March 00:00 EST to 12 March 00:00 EDT: 239 hours. ``now`` is
11 March 16:00Z. Times below are UTC unless marked.

  incident  sev   declared (local)         started  detected declared ack    mitigated resolved
  010       SEV2  Mon 2 Mar 23:30 EST      04:00    04:20    04:30    04:35  05:00     06:00   (3 Mar)
  011       SEV2  Tue 3 Mar 00:30 EST      05:00    05:10    05:30    05:40  06:00     06:30   (3 Mar)
  012       SEV3  Tue 3 Mar 08:00 EST      -        12:50    13:00    -      13:30     14:00   (3 Mar)
  013       SEV3  Sat 7 Mar 19:00 EST      23:00*   -        00:00    00:10  06:30     08:00   (*7 Mar; 8 Mar)
  014       SEV2  Mon 9 Mar 10:00 EDT      13:40    13:50    14:00    14:02  14:40     15:40   (9 Mar) public
  015       SEV1  Wed 11 Mar 10:00 EDT     13:30    13:45    14:00    14:05  -         -       open, public
  017       SEV2  Mon 2 Mar 10:00 EST      -        -        15:00    -      -         16:00   no services
  outside   INC-2026-009 (1 Mar) and INC-2026-016 (12 Mar 05:00Z) are outside the window.

In minutes:
  detect       (started->detected):   010 20, 011 10, 014 10, 015 15   -> n 4: median 12.5, p90 20, mean 13.75
               missing 012 (no started), 013 (no detected), 017
  acknowledge  (detected|declared->ack): 010 15, 011 30, 013 10 (from declared), 014 12, 015 20
               -> n 5: median 15, p90 30 (rank ceil(4.5)=5), mean 17.4; missing 012, 017 (no ack)
  mitigate     (started->mitigated):  010 60, 011 60, 013 450, 014 60 -> median 60, p90 450, mean 157.5
               missing 012, 017; open 015
  resolve      (started->resolved):   010 120, 011 90, 013 540 (9 h across the DST change; 10 h by the
               wall clock), 014 120 -> median 120, p90 540, mean 217.5; missing 012, 017; open 015
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import textwrap
from datetime import datetime, timezone

import jsonschema
import pytest

from conftest import invoke, make_kb
from opsbook.metrics.definitions import median, nearest_rank

NOW = "2026-03-11T16:00:00Z"
WINDOW = ("--from", "2026-03-02", "--to", "2026-03-12", "--now", NOW)


def _d(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def incident(ident, severity, declared, *, services=("payments-api",), status="resolved", public=False,
             updates="", **times) -> str:
    lines = [f"id: {ident}", f"title: Incident {ident}", f"severity: {severity}", f"status: {status}",
             f"services: [{', '.join(services)}]", "commander: alice", "roles: {comms: bob}", f"declared: {declared}"]
    lines += [f"{name}: {value}" for name, value in times.items()]
    lines.append(f"public: {'true' if public else 'false'}")
    if updates:
        lines.append("updates:")
        lines += ["  " + line for line in _d(updates).splitlines()]
    return "\n".join(lines) + "\n"


def postmortem(ident, status, day, items="", due=None, visibility="internal") -> str:
    return _d(f"""
        ---
        incident: {ident}
        title: Postmortem {ident}
        status: {status}
        owner: alice
        date: {day}
        visibility: {visibility}
        """) + (f"due: {due}\n" if due else "") + "action_items:\n" + (_d(items) if items else "  []\n").replace(
        "action_items:\n  []", "action_items: []") + "---\n# Postmortem\n\n## Summary\n\nWhat happened.\n"


FILES = {
    "schedules/payments.yaml": _d("""
        name: Payments on-call
        team: payments
        timezone: America/New_York
        layers:
          - name: daily
            members: [alice, bob, carol, dave]
            start: 2026-03-02T09:00
            length: 1d
            backup: next
        """),
    "incidents/INC-2026-001.yaml": None,
    "postmortems/2026/2026-03-14-card-payments.md": None,
    "incidents/INC-2026-009.yaml": incident("INC-2026-009", "SEV3", "2026-03-01T12:00:00Z",
                                            started="2026-03-01T11:00:00Z", resolved="2026-03-01T13:00:00Z"),
    "incidents/INC-2026-010.yaml": incident(
        "INC-2026-010", "SEV2", "2026-03-03T04:30:00Z", started="2026-03-03T04:00:00Z",
        detected="2026-03-03T04:20:00Z", acknowledged="2026-03-03T04:35:00Z", mitigated="2026-03-03T05:00:00Z",
        resolved="2026-03-03T06:00:00Z"),
    "incidents/INC-2026-011.yaml": incident(
        "INC-2026-011", "SEV2", "2026-03-03T05:30:00Z", started="2026-03-03T05:00:00Z",
        detected="2026-03-03T05:10:00Z", acknowledged="2026-03-03T05:40:00Z", mitigated="2026-03-03T06:00:00Z",
        resolved="2026-03-03T06:30:00Z"),
    "incidents/INC-2026-012.yaml": incident(
        "INC-2026-012", "SEV3", "2026-03-03T13:00:00Z", detected="2026-03-03T12:50:00Z",
        mitigated="2026-03-03T13:30:00Z", resolved="2026-03-03T14:00:00Z"),
    # Written in local time (the file's zone): 18:00 EST, across the DST change to 04:00 EDT.
    "incidents/INC-2026-013.yaml": incident(
        "INC-2026-013", "SEV3", "2026-03-07T19:00", started="2026-03-07T18:00",
        acknowledged="2026-03-07T19:10", mitigated="2026-03-08T01:30", resolved="2026-03-08T04:00"),
    "incidents/INC-2026-014.yaml": incident(
        "INC-2026-014", "SEV2", "2026-03-09T14:00:00Z", public=True, started="2026-03-09T13:40:00Z",
        detected="2026-03-09T13:50:00Z", acknowledged="2026-03-09T14:02:00Z", mitigated="2026-03-09T14:40:00Z",
        resolved="2026-03-09T15:40:00Z", updates="""
            - {at: 2026-03-09T14:05:00Z, status: investigating, message: "Checkout down.", components: {checkout: major_outage}}
            - {at: 2026-03-09T14:35:00Z, status: identified, message: "Partly back.", components: {checkout: partial_outage}}
            - {at: 2026-03-09T15:40:00Z, status: resolved, message: "Fixed.", components: {checkout: operational}}
            """),
    "incidents/INC-2026-015.yaml": incident(
        "INC-2026-015", "SEV1", "2026-03-11T14:00:00Z", status="identified", public=True,
        started="2026-03-11T13:30:00Z", detected="2026-03-11T13:45:00Z", acknowledged="2026-03-11T14:05:00Z",
        updates="""
            - {at: 2026-03-11T14:10:00Z, status: investigating, message: "API slow.", components: {api: degraded_performance}}
            """),
    "incidents/INC-2026-016.yaml": incident("INC-2026-016", "SEV2", "2026-03-12T05:00:00Z",
                                            started="2026-03-12T04:30:00Z", resolved="2026-03-12T06:00:00Z"),
    "incidents/INC-2026-017.yaml": incident("INC-2026-017", "SEV2", "2026-03-02T15:00:00Z", services=(),
                                            resolved="2026-03-02T16:00:00Z"),
    # 010: resolved Tue 3 Mar 01:00 EST + 5 business days = Tue 10 Mar: published that day, on time.
    "postmortems/2026/2026-03-10-p010.md": postmortem("INC-2026-010", "published", "2026-03-10", """
          - {id: AI-1, title: On time, owner: bob, due: 2026-03-06, status: done, closed: 2026-03-05}
          - {id: AI-2, title: Late, owner: bob, due: 2026-03-06, status: done, closed: 2026-03-09}
          - {id: AI-3, title: Closed when, owner: bob, due: 2026-03-07, status: done}
          - {id: AI-4, title: Still open, owner: bob, due: 2026-03-09, status: open}
          - {id: AI-5, title: Dropped, owner: bob, due: 2026-03-08, status: wont-do, closed: 2026-03-08}
          - {id: AI-6, title: Later, owner: carol, due: 2026-04-30, status: open}
        """, visibility="public"),
    # 011: due the same Tuesday; in review from the 11th: late.
    "postmortems/2026/2026-03-11-p011.md": postmortem("INC-2026-011", "in-review", "2026-03-11", """
          - {id: AI-7, title: Next week, owner: carol, due: 2026-03-20, status: in-progress}
        """),
    # 014: the severity gives Mon 16 Mar; the front matter's due (10 Mar) replaces it: an overdue draft.
    "postmortems/2026/2026-03-10-p014.md": postmortem("INC-2026-014", "draft", "2026-03-10", due="2026-03-10"),
}


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return make_kb(tmp_path_factory.mktemp("metrics"), FILES)


def run(root, *args):
    return invoke("--root", str(root), "metrics", *args)


@pytest.fixture(scope="module")
def report(root):
    result = run(root, *WINDOW, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- statistics -------------------------------------------------------------------------

@pytest.mark.parametrize("values,p90,med", [
    ([7], 7, 7),
    ([3, 1], 3, 2),                      # even n: the mean of the middle two
    ([5, 1, 3], 5, 3),                   # odd n: the middle one
    (list(range(1, 10)), 9, 5),          # n 9: rank ceil(8.1) = 9, the largest
    (list(range(1, 11)), 9, 5.5),        # n 10: rank 9
    (list(range(1, 21)), 18, 10.5),      # n 20: rank 18
    ([10, 10, 10, 40], 40, 10),
])
def test_nearest_rank_and_median(values, p90, med):
    assert nearest_rank(values, 90) == p90
    assert median(values) == med


def test_no_values_no_figure():
    assert nearest_rank([], 90) is None and median([]) is None


# --- response times ---------------------------------------------------------------------

MIN = 60


@pytest.mark.parametrize("measure,n,med,p90,mean,missing,still_open", [
    ("detect", 4, 12.5, 20, 13.75, ["INC-2026-012", "INC-2026-013", "INC-2026-017"], []),
    ("acknowledge", 5, 15, 30, 17.4, ["INC-2026-012", "INC-2026-017"], []),
    ("mitigate", 4, 60, 450, 157.5, ["INC-2026-012", "INC-2026-017"], ["INC-2026-015"]),
    ("resolve", 4, 120, 540, 217.5, ["INC-2026-012", "INC-2026-017"], ["INC-2026-015"]),
])
def test_response_times(report, measure, n, med, p90, mean, missing, still_open):
    found = {m["id"]: m["summary"] for m in report["response_times"]}[measure]
    assert found == {"n": n, "median_seconds": pytest.approx(med * MIN), "p90_seconds": pytest.approx(p90 * MIN),
                     "mean_seconds": pytest.approx(mean * MIN), "missing": missing, "open": still_open}


def test_window_and_incidents_counted(report):
    assert report["window"]["start"] == "2026-03-02T05:00:00Z"  # midnight EST
    assert report["window"]["end"] == "2026-03-12T04:00:00Z"    # midnight EDT
    assert report["incidents"] == 7  # 009 and 016 are outside


def test_counts(report):
    counts = report["counts"]
    assert [(c["key"], c["count"]) for c in counts["by_severity"]] == [("SEV1", 1), ("SEV2", 4), ("SEV3", 2)]
    assert [(c["key"], c["count"]) for c in counts["by_service"]] == [("payments-api", 6)]
    assert [(c["key"], c["count"]) for c in counts["by_team"]] == [("payments", 6)]
    assert [(c["key"], c["count"]) for c in counts["by_component"]] == [("checkout", 1), ("api", 1)]
    assert counts["by_month"] == [{"month": "2026-03", "counts": {"SEV1": 1, "SEV2": 4, "SEV3": 2}, "total": 7}]


def test_by_severity_groups(root):
    result = json.loads(run(root, *WINDOW, "--by", "severity", "--json").stdout)
    groups = {g["key"]: g for g in result["groups"]}
    assert [g["key"] for g in result["groups"]] == ["SEV1", "SEV2", "SEV3"]
    resolve = {g: {m["id"]: m["summary"] for m in groups[g]["measures"]}["resolve"] for g in groups}
    # SEV2: 010 120, 011 90, 014 120 (017 missing) -> median 120, p90 120, mean 110.
    assert (resolve["SEV2"]["n"], resolve["SEV2"]["median_seconds"], resolve["SEV2"]["p90_seconds"],
            resolve["SEV2"]["mean_seconds"]) == (3, 120 * MIN, 120 * MIN, 110 * MIN)
    # SEV3: only 013 (9 h across the DST change); 012 has no start.
    assert (resolve["SEV3"]["n"], resolve["SEV3"]["median_seconds"], resolve["SEV3"]["missing"]) == (
        1, 540 * MIN, ["INC-2026-012"])
    assert (resolve["SEV1"]["n"], resolve["SEV1"]["open"]) == (0, ["INC-2026-015"])


def test_by_month_puts_an_incident_in_its_local_month(tmp_path):
    # 31 Mar 23:30 EDT is 1 April in UTC: it belongs to March in New York.
    root = make_kb(tmp_path, {"incidents/INC-2026-001.yaml": incident(
        "INC-2026-001", "SEV3", "2026-04-01T03:30:00Z", started="2026-04-01T03:00:00Z",
        resolved="2026-04-01T04:00:00Z"), "postmortems/2026/2026-03-14-card-payments.md": None})
    result = json.loads(run(root, "--from", "2026-03-01", "--to", "2026-05-01", "--now", "2026-05-01",
                            "--by", "month", "--json").stdout)
    assert [(m["month"], m["total"]) for m in result["counts"]["by_month"]] == [("2026-03", 1), ("2026-04", 0)]
    assert [(g["key"], g["incidents"]) for g in result["groups"]] == [("2026-03", 1), ("2026-04", 0)]


# --- customer impact ------------------------------------------------------------------------

def test_customer_impact_as_the_status_page_counts_it(report):
    impact = {c["component"]: c for c in report["customer_impact"]}
    # 014: major 14:05-14:35 (30), partial 14:35-15:40 (65): downtime 30 + 0.3 x 65 = 49.5.
    assert impact["checkout"]["minutes"] == {"major_outage": 30.0, "partial_outage": 65.0}
    assert impact["checkout"]["downtime_minutes"] == 49.5
    assert impact["checkout"]["incidents"] == ["INC-2026-014"]
    # 015 is open: degraded from 14:10 until now (16:00), weighted 0.
    assert impact["api"]["minutes"] == {"degraded_performance": 110.0}
    assert impact["api"]["downtime_minutes"] == 0


# --- follow-through ----------------------------------------------------------------------

def test_postmortems_against_their_deadlines(report):
    rows = {r["incident"]: (r["state"], r["due"]) for r in report["postmortems"]["rows"]}
    assert rows == {
        "INC-2026-010": ("on_time", "2026-03-10"),
        "INC-2026-011": ("late", "2026-03-10"),
        "INC-2026-014": ("overdue_draft", "2026-03-10"),
        "INC-2026-015": ("pending", None),   # open: not due yet
        "INC-2026-017": ("missing", "2026-03-09"),  # Mon 2 Mar 11:00 EST + 5 business days
    }
    assert {k: report["postmortems"][k] for k in ("required", "on_time", "late", "overdue_draft", "missing",
                                                   "pending")} == {"required": 5, "on_time": 1, "late": 1,
                                                                   "overdue_draft": 1, "missing": 1, "pending": 1}


def test_action_items(report):
    a = report["actions"]
    assert (a["due_in_window"], a["closed_on_time"], a["closed_late"], a["closed_undated"], a["still_open"],
            a["wont_do"]) == (4, 1, 1, 1, 1, 1)
    assert (a["open_now"], a["overdue_now"], a["overdue"]) == (3, 1, ["AI-4"])
    # Ages from the postmortems' dates to 11 March: AI-4 1, AI-6 1, AI-7 0.
    assert (a["median_open_age_days"], a["open_age_n"]) == (1, 3)


# --- on-call load ------------------------------------------------------------------------

def test_oncall_hours_shares_and_buckets(report):
    people = {p["person"]: p for p in report["oncall"]["people"]}
    # alice: 2, 6, 10 Mar (72 h); bob: 3, 7 (23 h: clocks go forward), 11 Mar cut at midnight (15 h) = 62 h.
    expected = {
        "alice": (72.0, 0.3013, 3, 3, 1, 0, 2, 3),
        "bob": (62.0, 0.2594, 3, 2, 1, 1, 0, 1),
        "carol": (48.0, 0.2008, 2, 0, 0, 0, 0, 0),
        "dave": (48.0, 0.2008, 2, 1, 1, 0, 0, 1),
    }
    got = {k: (p["primary_hours"], p["share"], p["shifts"], p["incidents"], p["business_hours"],
               p["evenings_weekends"], p["sleep"], p["most_in_one_shift"]) for k, p in people.items()}
    assert got == expected
    assert people["bob"]["backup_hours"] == 72.0  # backup: next, behind alice
    assert [p["person"] for p in report["oncall"]["people"]] == ["alice", "bob", "carol", "dave"]


def test_oncall_flags(report):
    people = {p["person"]: p["flags"] for p in report["oncall"]["people"]}
    # alice's shift from Mon 2 Mar 09:00 spans midnight and got 010 (23:30), 011 (00:30) and 012 (08:00).
    assert people["alice"] == ["on call as primary for 30.1% of the window's hours (over 25%)",
                               "3 incidents in one payments shift from 2026-03-02 09:00 (over 2)"]
    assert people["bob"] == ["on call as primary for 25.9% of the window's hours (over 25%)"]
    assert people["carol"] == [] and people["dave"] == []


@pytest.mark.parametrize("local,zone,bucket", [
    ("2026-03-03T07:59", "America/New_York", "sleep"),
    ("2026-03-03T08:00", "America/New_York", "business_hours"),
    ("2026-03-03T17:59", "America/New_York", "business_hours"),
    ("2026-03-03T18:00", "America/New_York", "evenings_weekends"),
    ("2026-03-03T21:59", "America/New_York", "evenings_weekends"),
    ("2026-03-03T22:00", "America/New_York", "sleep"),
    ("2026-03-07T12:00", "America/New_York", "evenings_weekends"),  # Saturday
    ("2026-03-08T03:30", "America/New_York", "sleep"),              # the night clocks go forward
    ("2026-03-09T23:00", "Asia/Kolkata", "sleep"),
])
def test_buckets_by_the_local_clock(local, zone, bucket):
    from opsbook.metrics.oncall import bucket as which
    from opsbook.timeutil import get_zone, to_aware

    at = to_aware(datetime.fromisoformat(local), get_zone(zone)).astimezone(timezone.utc)
    assert which(at, get_zone(zone)) == bucket


def test_open_incidents_apart_with_age(report):
    assert report["open_incidents"] == [{
        "id": "INC-2026-015", "title": "Incident INC-2026-015", "severity": "SEV1", "status": "identified",
        "declared": "2026-03-11T14:00:00Z", "age_seconds": 7200.0}]


# --- audiences -------------------------------------------------------------------------------

def test_public_report_counts_public_incidents_only(root):
    from opsbook.load import load
    from opsbook.metrics.compute import report as compute

    kb, _ = load(root)
    start, end = datetime(2026, 3, 2, 5, tzinfo=timezone.utc), datetime(2026, 3, 12, 4, tzinfo=timezone.utc)
    now = datetime(2026, 3, 11, 16, tzinfo=timezone.utc)
    public = compute(kb, start, end, now, by="service", audience="public")
    text = public.model_dump_json()
    for hidden in ("INC-2026-010", "INC-2026-011", "INC-2026-012", "INC-2026-013", "INC-2026-017",
                   "payments-api", "Payments API"):
        assert hidden not in text
    assert public.incidents == 2 and [m.id for m in public.response_times] == ["resolve"]
    assert public.by == "component" and [g.key for g in public.groups] == ["api", "checkout"]
    assert public.counts.by_service == [] and public.counts.by_team == []
    assert public.open_incidents[0].id == "INC-2026-015"
    # 014's postmortem is an internal draft: the public reader sees "not public", not "overdue draft".
    assert [(r.incident, r.state, r.postmortem) for r in public.postmortems.rows] == [
        ("INC-2026-014", "not_public", None), ("INC-2026-015", "pending", None)]


# --- output formats ------------------------------------------------------------------------

def test_json_matches_the_schema_of_its_model(report):
    from opsbook.metrics.model import MetricsReport

    jsonschema.validate(report, MetricsReport.model_json_schema(mode="serialization"))
    assert MetricsReport.model_validate(report).incidents == 7


def test_csv_is_one_long_table(root):
    result = run(root, *WINDOW, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert set(rows[0]) == {"section", "group", "key", "metric", "value"}
    find = {(r["section"], r["group"], r["key"], r["metric"]): r["value"] for r in rows}
    assert find[("response_times", "all", "resolve", "p90_minutes")] == "540.0"
    assert find[("response_times", "all", "acknowledge", "median_minutes")] == "15.0"
    assert find[("response_times", "all", "resolve", "open")] == "INC-2026-015"
    assert find[("customer_impact", "checkout", "downtime", "minutes")] == "49.5"
    assert find[("oncall", "alice", "America/New_York", "sleep")] == "2"


def test_text_names_missing_and_open(root):
    out = run(root, *WINDOW).stdout
    assert "Time to resolve      n=4    median 2 h" in out and "p90 9 h" in out
    assert "missing 2: INC-2026-012, INC-2026-017; open 1: INC-2026-015" in out
    assert "INC-2026-015 SEV1 identified    open 2 h" in out
    assert "! 3 incidents in one payments shift from 2026-03-02 09:00 (over 2)" in out


def test_default_window_is_the_90_days_before_now(root):
    result = json.loads(run(root, "--now", NOW, "--json").stdout)
    assert result["window"]["start"] == "2025-12-11T16:00:00Z" and result["window"]["end"] == "2026-03-11T16:00:00Z"
    assert result["incidents"] == 8  # 009 on 1 March is in; 016 is after now


@pytest.mark.parametrize("args,message", [
    (("--from", "2026-03-12", "--to", "2026-03-02"), "must be after --from"),
    (("--from", "2024-01-01", "--to", "2026-03-02"), "at most 731 days"),
    (("--from", "2026-13-40"), "--from:"),
    (("--to", "yesterday"), "--to:"),
    (("--by", "colour"), "Invalid value for '--by'"),
])
def test_usage_errors_exit_2(root, args, message):
    result = run(root, *args, "--now", NOW)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_a_broken_incident_file_is_a_located_error(tmp_path):
    root = make_kb(tmp_path, {"incidents/INC-2026-002.yaml": "id: INC-2026-002\ntitle: [unclosed\n"})
    result = run(root, "--now", NOW)
    assert result.exit_code == 1 and "incidents/INC-2026-002.yaml:2:" in result.stderr


def test_empty_knowledge_base(tmp_path):
    root = make_kb(tmp_path, {"incidents/INC-2026-001.yaml": None, "postmortems/2026/2026-03-14-card-payments.md": None,
                              "status/page.yaml": None})
    result = json.loads(run(root, "--now", NOW, "--json").stdout)
    assert result["incidents"] == 0 and result["customer_impact"] is None
    assert all(m["summary"]["n"] == 0 and m["summary"]["median_seconds"] is None for m in result["response_times"])
    assert "no status page" in run(root, "--now", NOW).stdout


def test_hostile_names_stay_text(tmp_path):
    people = FILES["schedules/payments.yaml"]
    root = make_kb(tmp_path, {**FILES, "schedules/people.yaml": _d("""
        people:
          - {id: alice, name: "Al'ice \\"<b>\\" =cmd|' ! A1", email: a@acme.example, timezone: America/New_York}
          - {id: bob, name: "$x^2$ & <script>", email: b@acme.example}
          - {id: carol, name: Carol Diaz, email: carol@acme.example}
          - {id: dave, name: Dave Lee, email: dave@acme.example, timezone: Europe/London}
        teams:
          - {id: payments, name: Payments, members: [alice, bob, carol], lead: alice}
        """), "schedules/payments.yaml": people})
    rows = list(csv.DictReader(io.StringIO(run(root, *WINDOW, "--format", "csv").stdout)))
    assert rows  # parses
    result = json.loads(run(root, *WINDOW, "--json").stdout)
    assert {p["name"] for p in result["oncall"]["people"]} >= {"Al'ice \"<b>\" =cmd|' ! A1", "$x^2$ & <script>"}


def test_help_imports_nothing_heavy():
    code = ("import sys; from click.testing import CliRunner; from opsbook.cli import cli; "
            "r = CliRunner().invoke(cli, ['metrics', '--help']); assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in ('pydantic', 'matplotlib', 'yaml', 'jinja2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_restricted_postmortem_counts_for_the_team_not_on_a_page(tmp_path):
    files = {**FILES, "postmortems/2026/2026-03-10-p010.md": FILES["postmortems/2026/2026-03-10-p010.md"].replace(
        "visibility: public", "visibility: restricted")}
    root = make_kb(tmp_path, files)
    rows = {r["incident"]: r for r in json.loads(run(root, *WINDOW, "--json").stdout)["postmortems"]["rows"]}
    assert rows["INC-2026-010"]["state"] == "on_time"  # the CLI's reader is the team
    from opsbook.load import load
    from opsbook.metrics.compute import report as compute

    kb, _ = load(root)
    page = compute(kb, datetime(2026, 3, 2, 5, tzinfo=timezone.utc), datetime(2026, 3, 12, 4, tzinfo=timezone.utc),
                   datetime(2026, 3, 11, 16, tzinfo=timezone.utc), audience="internal")
    row = next(r for r in page.postmortems.rows if r.incident == "INC-2026-010")
    assert (row.state, row.postmortem, row.delivered) == ("not_public", None, None)
    # Its items are not counted on a page either: only 011's AI-7 (due 20 March) is left.
    assert (page.actions.due_in_window, page.actions.open_now, page.actions.overdue) == (0, 1, [])

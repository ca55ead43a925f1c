"""Who is paged when: escalation policies resolved to people at an instant.

Hand-worked oracle: a daily rotation in New York (alice, bob, carol from Monday
2026-01-05, handoff 01:30 local, backup the next member), so day k after the
start belongs to members[k % 3]. 2026-10-31 is day 299 (carol), 2026-11-01 day
300 (alice); the 01:30 handoff on 1 November (fall back) is the first 01:30,
01:30 EDT = 05:30 UTC. 2026-03-07 is day 61 (bob), 2026-03-08 day 62 (carol).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from conftest import BASE_FILES, _d, invoke, make_kb, run_async

OPS_SCHEDULE = _d("""
    name: Ops
    team: payments
    timezone: America/New_York
    layers:
      - name: daily
        members: [alice, bob, carol]
        start: 2026-01-05T01:30
        length: 1d
        backup: next
    """)

POLICIES = _d("""
    policies:
      - id: payments
        steps:
          - after: 0m
            notify: [{schedule: payments, role: primary}]
          - after: 5m
            notify: [{schedule: payments, role: backup}]
          - after: 10m
            notify: [{person: alice}]
        repeat: 1
      - id: ops
        steps:
          - {after: 0m, notify: [{schedule: ops, role: primary}]}
          - {after: 5m, notify: [{schedule: ops, role: backup}]}
          - {after: 15m, notify: [{schedule: ops, role: primary}, {team: platform}]}
          - {after: 70m, notify: [{schedule: ops, role: primary}]}
        repeat: 1
        repeat_after: 90m
      - id: biz
        steps:
          - {after: 0m, notify: [{schedule: payments, role: primary}]}
          - {after: 15m, notify: [{schedule: payments, role: primary}]}
    """)

CONFIG = BASE_FILES["opsbook.yaml"] + _d("""
      - id: ops-api
        name: Ops API
        team: payments
        escalation: ops
        schedule: ops
        tier: 1
    """).replace("- id", "  - id", 1).replace("\n  ", "\n    ").replace("\n    - id", "\n  - id")


@pytest.fixture
def kb(tmp_path):
    return make_kb(tmp_path, {"schedules/ops.yaml": OPS_SCHEDULE, "schedules/escalation.yaml": POLICIES,
                              "opsbook.yaml": CONFIG})


def timeline(root, *args):
    result = invoke("--root", str(root), "escalation", *args, "--json")
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def test_fall_back_night_honours_the_first_0130_handoff(kb):
    answer = timeline(kb, "ops-api", "--at", "2026-11-01T05:20:00Z")
    assert answer["policy"] == "ops" and answer["service"] == "ops-api" and answer["rounds_laid_out"] == 2
    got = [(p["minute"], utc(p["at"]).strftime("%H:%M"), p["round"], p["step"], p["people"]) for p in answer["pages"]]
    assert got == [
        (0, "05:20", 0, 1, ["carol"]),            # 01:20 EDT: Saturday's turn
        (5, "05:25", 0, 2, ["alice"]),            # Saturday's backup is the next member
        (15, "05:35", 0, 3, ["alice", "dave"]),   # after the 01:30 EDT handoff; team platform is dave
        (70, "06:30", 0, 4, ["alice"]),           # 01:30 EST, the second 01:30: no second handoff
        (90, "06:50", 1, 1, ["alice"]),           # round 2 starts at repeat_after
        (95, "06:55", 1, 2, ["bob"]),
        (105, "07:05", 1, 3, ["alice", "dave"]),
        (160, "08:00", 1, 4, ["alice"]),
    ]
    assert answer["gaps"] == 0


def test_fall_back_text_shows_both_0130s(kb):
    result = invoke("--root", str(kb), "escalation", "ops", "--at", "2026-11-01T05:20:00Z")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Escalation for policy ops")
    assert "minute   15  2026-11-01 01:35 EDT (round 1)  ops primary: Alice Nguyen; team platform: Dave Lee" in lines[3]
    assert "minute   70  2026-11-01 01:30 EST (round 1)  ops primary: Alice Nguyen" in lines[4]


def test_a_page_inside_the_spring_forward_gap_starts_at_the_first_valid_instant(kb):
    # 02:30 does not exist in New York on 8 March 2026; it is read as 03:00 EDT (07:00 UTC).
    answer = timeline(kb, "ops-api", "--at", "2026-03-08T02:30")
    assert utc(answer["at"]) == datetime(2026, 3, 8, 7, 0, tzinfo=timezone.utc)
    assert [p["people"] for p in answer["pages"][:3]] == [["carol"], ["alice"], ["carol", "dave"]]


def test_a_step_that_reaches_nobody_is_a_gap(kb):
    # Friday 2026-06-05 is in week 21 of the business-hours rotation: alice primary until 17:00 EDT.
    answer = timeline(kb, "biz", "--at", "2026-06-05T16:50")
    assert [(p["minute"], p["people"], p["gap"]) for p in answer["pages"]] == [(0, ["alice"], False),
                                                                                (15, [], True)]
    assert answer["gaps"] == 1
    assert answer["pages"][1]["targets"][0]["note"] == "nobody is primary on payments then (a gap)"
    text = invoke("--root", str(kb), "escalation", "biz", "--at", "2026-06-05T16:50").stdout
    assert "payments primary: NOBODY  <- GAP: this step pages nobody" in text
    assert "1 step(s) page nobody" in text


def test_repeats_without_repeat_after_are_said_not_invented(kb):
    answer = timeline(kb, "payments-api", "--at", "2026-06-05T16:50")
    assert answer["rounds_laid_out"] == 1 and len(answer["pages"]) == 3
    assert "repeats 1 more time(s), but it does not say when" in answer["notes"][0]


def test_the_severity_override_replaces_the_services_policy(tmp_path):
    sev = BASE_FILES["playbooks/severity.yaml"].replace("    escalation: payments\n", "    escalation: ops\n", 1)
    root = make_kb(tmp_path, {"schedules/ops.yaml": OPS_SCHEDULE, "schedules/escalation.yaml": POLICIES,
                              "opsbook.yaml": CONFIG, "playbooks/severity.yaml": sev})
    with_override = timeline(root, "payments-api", "--severity", "SEV1", "--at", "2026-11-01T05:20:00Z")
    assert (with_override["policy"], with_override["override"]) == ("ops", True)
    without = timeline(root, "payments-api", "--severity", "SEV2", "--at", "2026-11-01T05:20:00Z")
    assert (without["policy"], without["override"]) == ("payments", False)
    text = invoke("--root", str(root), "escalation", "payments-api", "--severity", "SEV1", "--at",
                  "2026-11-01T05:20:00Z").stdout
    assert "SEV1 replaces the service's own policy with ops" in text


@pytest.mark.parametrize("args,code,message", [
    (["paymnts"], 1, "did you mean 'payments'?"),
    (["payments-api", "--severity", "SEV9"], 1, "unknown severity 'SEV9'"),
    (["payments-api", "--at", "yesterday-ish"], 2, "--at: "),
    (["payments-api", "--tz", "Mars/Olympus"], 2, "--tz"),
])
def test_bad_input(kb, args, code, message):
    result = invoke("--root", str(kb), "escalation", *args)
    assert result.exit_code == code and message in result.stderr and "Traceback" not in result.stderr


def test_a_service_without_a_policy_is_a_finding(tmp_path):
    config = BASE_FILES["opsbook.yaml"].replace("    escalation: payments\n", "", 1)
    root = make_kb(tmp_path, {"opsbook.yaml": config})
    result = invoke("--root", str(root), "escalation", "payments-api")
    assert result.exit_code == 1 and "names no escalation policy" in result.stderr


def test_the_example_at_its_as_of():
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    answer = timeline(repo, "reconciliation-jobs", "--at", "2026-11-20T23:00:00Z")
    # Data is business hours only (London): at 23:00 UTC nobody holds it, and the payments primary is the net.
    assert [(p["minute"], p["gap"]) for p in answer["pages"]] == [(0, True), (15, True), (30, False)]


# --- the MCP server answers from the same core -----------------------------------------------

def test_mcp_get_escalation_and_classify_by_payload_use_the_core(kb):
    import os
    import sys

    anyio = pytest.importorskip("anyio")
    pytest.importorskip("mcp")
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    sev = BASE_FILES["playbooks/severity.yaml"].replace("    escalation: payments\n", "    escalation: ops\n", 1)
    sev += "rules:\n  - {id: many, level: SEV1, when: {field: labels.users_affected_percent, ge: 50}}\n"
    (kb / "playbooks" / "severity.yaml").write_text(sev)
    params = StdioServerParameters(command=sys.executable, args=["-m", "opsbook", "--root", str(kb), "mcp", "--now",
                                                                 "2026-06-05T20:50:00Z"],
                                   env={k: v for k, v in os.environ.items() if k != "OPSBOOK_DEBUG"}, cwd=str(kb))

    async def main():
        async with stdio_client(params, errlog=open(os.devnull, "w")) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                out = {}
                for name, args in [("plain", {"service": "ops-api"}),
                                   ("override", {"service": "payments-api", "severity": "SEV1",
                                                 "at": "2026-11-01T05:20:00Z"}),
                                   ("classify", {"payload": {"labels": {"alertname": "X",
                                                                        "users_affected_percent": "60"}}})]:
                    tool = "classify_severity" if name == "classify" else "get_escalation"
                    result = await session.call_tool(tool, args)
                    assert not result.isError, result.content[0].text
                    out[name] = result.structuredContent
                bad = await session.call_tool("classify_severity", {"payload": {"labels": {"alertname": 5}}})
                out["bad"] = (bad.isError, bad.content[0].text)
                return out

    out = run_async(main)
    override = out["override"]
    assert (override["policy"], override["override"]) == ("ops", True)
    assert [[p["id"] for t in n["targets"] for p in t["people"]] for n in override["notifications"]][:3] == \
        [["carol"], ["alice"], ["alice", "dave"]]
    classified = out["classify"]
    assert (classified["level"]["id"], classified["rule"]) == ("SEV1", "many")
    assert out["bad"][0] and "$.labels.alertname: expected a string" in out["bad"][1]
    # Friday 16:50 EDT: the ops daily rotation has someone; no step is a gap.
    assert not any(n["gap"] for n in out["plain"]["notifications"])


LORD_HOWE = _d("""
    name: Lord Howe
    team: payments
    timezone: Australia/Lord_Howe
    layers:
      - name: daily
        members: [alice, bob, carol]
        start: 2026-01-05T01:45
        length: 1d
    """)


def test_a_half_hour_dst_change(tmp_path):
    """Lord Howe Island moves its clocks by 30 minutes: on 5 April 2026, 02:00 (+11:00) becomes
    01:30 (+10:30), so 01:45 happens twice. Day 90 (alice) starts at the first 01:45, 14:45 UTC
    on 4 April; day 89 is carol's. A page at 14:40 UTC: carol, then alice from minute 5; at
    minute 30 (01:40 again, +10:30) still alice."""
    policies = POLICIES + "  - id: lh\n    steps:\n" + "".join(
        f"      - {{after: {m}m, notify: [{{schedule: lord-howe, role: primary}}]}}\n" for m in (0, 5, 30))
    root = make_kb(tmp_path, {"schedules/lord-howe.yaml": LORD_HOWE, "schedules/escalation.yaml": policies})
    answer = timeline(root, "lh", "--at", "2026-04-04T14:40:00Z", "--tz", "Australia/Lord_Howe")
    assert [(p["minute"], utc(p["at"]).strftime("%H:%M"), p["people"]) for p in answer["pages"]] == [
        (0, "14:40", ["carol"]), (5, "14:45", ["alice"]), (30, "15:10", ["alice"])]
    text = invoke("--root", str(root), "escalation", "lh", "--at", "2026-04-04T14:40:00Z",
                  "--tz", "Australia/Lord_Howe").stdout
    assert "minute    0  2026-04-05 01:40 +11  lord-howe primary: Carol Diaz" in text
    assert "minute   30  2026-04-05 01:40 +1030  lord-howe primary: Alice Nguyen" in text

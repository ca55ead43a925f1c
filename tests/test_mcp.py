"""`opsbook mcp`: the server over stdio, driven by the official SDK's own client.

Every session starts `python -m opsbook --root ROOT mcp --now NOW` as a real
subprocess, as Claude Desktop or any MCP client would, so the transport (and
that nothing but the protocol reaches stdout) is tested too. "now" is pinned to
the example's as_of. Answers on the example are worked out by hand from its
files (and, for on call, checked against `opsbook oncall at`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import run_async

pytest.importorskip("mcp")

from mcp import ClientSession, StdioServerParameters  # noqa: E402
from mcp.client.stdio import stdio_client  # noqa: E402

from opsbook.cli import cli  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[1]
NOW = "2026-11-20T15:00:00Z"  # the example's as_of, pinned anyway
CONTENT = ("opsbook.yaml", "schedules", "playbooks", "runbooks", "incidents", "postmortems", "status")

READ_TOOLS = {
    "get_oncall", "list_shifts", "get_escalation", "list_services", "get_severity_ladder", "classify_severity",
    "list_incidents", "get_incident", "list_action_items", "find_runbooks", "get_runbook", "list_postmortems",
    "get_postmortem", "validate", "get_status",
}
# name -> (destructiveHint, idempotentHint)
WRITE_TOOLS = {
    "declare_incident": (False, False), "update_incident": (True, False), "add_incident_note": (False, False),
    "resolve_incident": (True, False), "create_postmortem": (False, False), "complete_action_item": (True, True),
}


def in_session(root: Path, body, *flags: str, errlog=None):
    """Run ``await body(session)`` against a fresh server on ``root``; return its result."""
    env = {k: v for k, v in os.environ.items() if k != "OPSBOOK_DEBUG"}
    params = StdioServerParameters(command=sys.executable,
                                   args=["-m", "opsbook", "--root", str(root), "mcp", "--now", NOW, *flags],
                                   env=env, cwd=str(root))

    async def main():
        with open(os.devnull, "w") if errlog is None else errlog as log:
            async with stdio_client(params, errlog=log) as (read, write):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    return await body(session)

    return run_async(main)


async def call(session: ClientSession, name: str, **arguments) -> dict:
    """A successful call's structured content (and its text is the same JSON)."""
    result = await session.call_tool(name, arguments)
    assert not result.isError, f"{name}: {result.content[0].text}"
    assert result.structuredContent is not None, name
    assert json.loads(result.content[0].text) == result.structuredContent
    return result.structuredContent


async def error(session: ClientSession, name: str, **arguments) -> str:
    result = await session.call_tool(name, arguments)
    assert result.isError, f"{name} should have failed: {result.structuredContent}"
    return result.content[0].text


@pytest.fixture
def kb_copy(tmp_path) -> Path:
    root = tmp_path / "kb"
    root.mkdir()
    for name in CONTENT:
        source = EXAMPLE / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy2(source, root / name)
    return root


# --- the tool list --------------------------------------------------------------------------


def _tools(root: Path, *flags: str):
    async def body(session):
        return (await session.list_tools()).tools

    return {tool.name: tool for tool in in_session(root, body, *flags)}


def test_read_tools_only_without_allow_write():
    tools = _tools(EXAMPLE)
    assert set(tools) == READ_TOOLS
    for tool in tools.values():
        assert tool.annotations.readOnlyHint is True, tool.name
        assert tool.annotations.openWorldHint is False, tool.name
        assert tool.description and tool.outputSchema, tool.name  # described, with structured output
    assert "metrics" not in " ".join(tools)  # no metrics engine yet


def test_write_tools_with_allow_write(kb_copy):
    tools = _tools(kb_copy, "--allow-write")
    assert set(tools) == READ_TOOLS | set(WRITE_TOOLS)
    for name, (destructive, idempotent) in WRITE_TOOLS.items():
        hints = tools[name].annotations
        assert (hints.readOnlyHint, hints.destructiveHint, hints.idempotentHint, hints.openWorldHint) == \
            (False, destructive, idempotent, False), name
        assert "Not committed" in tools[name].description or "not committed" in tools[name].description.lower()
    schema = tools["declare_incident"].inputSchema
    assert schema["required"] == ["title", "severity"]
    assert tools["update_incident"].inputSchema["properties"]["status"]["enum"] == [
        "investigating", "identified", "monitoring", "resolved"]


# --- every read tool on the example ---------------------------------------------------------


def _cli_json(*argv: str):
    result = CliRunner().invoke(cli, ["--root", str(EXAMPLE), *argv])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_each_read_tool_on_the_example():
    called: set[str] = set()

    async def body(s: ClientSession):
        async def c(name, **arguments):
            called.add(name)
            return await call(s, name, **arguments)

        # On call: Saturday 03:00 in New York is 08:00 UTC; the weekly layer hands over on Mondays at 09:00.
        at = await c("get_oncall", schedules=["payments"], at="2026-11-21T03:00")
        (entry,) = at["schedules"]
        assert at["at"] == "2026-11-21T08:00:00+00:00"
        assert (entry["primary"], entry["backup"]) == ({"id": "priya", "name": "Priya Raman"},
                                                       {"id": "daniel", "name": "Daniel Reyes"})
        assert entry["next_handoff"] == "2026-11-23T14:00:00+00:00"
        cli_says = _cli_json("oncall", "at", "2026-11-21T03:00", "-s", "payments", "--json")["schedules"][0]
        assert (entry["primary"], entry["backup"], entry["next_handoff"]) == \
            (cli_says["primary"], cli_says["backup"], cli_says["next_handoff"])
        now = await c("get_oncall")
        assert now["at"] == "2026-11-20T15:00:00+00:00"
        assert [e["schedule"] for e in now["schedules"]] == [s["schedule"] for s in _cli_json("oncall", "now",
                                                                                              "--json")["schedules"]]
        by_service = await c("get_oncall", service="invoicing-api")
        assert [e["schedule"] for e in by_service["schedules"]] == ["payments"]
        assert by_service["schedules"][0]["primary"]["id"] == "priya"

        shifts = await c("list_shifts", start="2026-11-20", end="2026-11-25", schedules=["payments"], role="primary")
        assert [(s["person"]["id"], s["start"], s["end"]) for s in shifts["shifts"]][:2] == [
            ("priya", "2026-11-16T14:00:00+00:00", "2026-11-23T14:00:00+00:00"),
            ("daniel", "2026-11-23T14:00:00+00:00", shifts["shifts"][1]["end"])]
        assert shifts["start"] == "2026-11-20T05:00:00+00:00"  # a date is its midnight in New York

        # Escalation for payments-api: the payments policy, three rounds 45 minutes apart
        # (repeat: 2, repeat_after: 45m), each step resolved at the instant it fires.
        esc = await c("get_escalation", service="payments-api")
        assert esc["policy"] == "payments"
        steps = [(n["after_minutes"], [(t["kind"], t["id"], t["role"], [p["id"] for p in t["people"]])
                                       for t in n["targets"]]) for n in esc["notifications"]]
        platform_primary = _cli_json("oncall", "at", "2026-11-20T15:30:00Z", "-s", "platform", "--json")["schedules"][0]
        assert steps[:4] == [
            (0, [("schedule", "payments", "primary", ["priya"])]),
            (5, [("schedule", "payments", "backup", ["daniel"])]),
            (15, [("person", "maya", None, ["maya"])]),
            (30, [("schedule", "platform", "primary", [platform_primary["primary"]["id"]])]),
        ]
        assert esc["notifications"][3]["at"] == "2026-11-20T15:30:00+00:00"
        assert [minutes for minutes, _ in steps] == [0, 5, 15, 30, 45, 50, 60, 75, 90, 95, 105, 120]
        later = _cli_json("oncall", "at", "2026-11-20T16:15:00Z", "-s", "platform", "--json")["schedules"][0]
        assert steps[7] == (75, [("schedule", "platform", "primary", [later["primary"]["id"]])])

        services = await c("list_services")
        assert {"id": "payments-api", "schedule": "payments", "escalation": "payments", "team": "payments",
                "tier": 1}.items() <= next(s for s in services["services"] if s["id"] == "payments-api").items()

        # Severity: the ladder, and classification by answers and by an alert.
        ladder = await c("get_severity_ladder")
        assert [level["id"] for level in ladder["levels"]] == [lv["id"] for lv in _cli_json("severity", "--json")["levels"]]
        sev2 = next(level for level in ladder["levels"] if level["id"] == "SEV2")
        assert (sev2["update_every"], sev2["roles"], sev2["postmortem_due"]) == ("1 h", ["commander", "comms"],
                                                                                "10 days")
        first = await c("classify_severity")
        assert (first["complete"], first["next_question"]["id"]) == (False, "money-or-data")
        second = await c("classify_severity", answers={"money-or-data": False})
        assert second["next_question"]["id"] == "core-flow-down"
        assert [a["answer"] for a in second["answers"]] == ["no"]
        top = await c("classify_severity", answers={"money-or-data": True})
        assert (top["complete"], top["level"]["id"]) == (True, "SEV0")
        by_alert = await c("classify_severity", alert="CheckoutErrorRateHigh")
        assert (by_alert["complete"], by_alert["level"]["id"], by_alert["runbooks"]) == \
            (True, "SEV2", ["payments/checkout-error-rate"])

        # Incidents.
        everything = await c("list_incidents")
        listed = [i["id"] for i in everything["incidents"]]
        # Newest first: this year's six, then 23 imported from the old tracker (OPS-...).
        assert listed[:7] == [f"INC-2026-00{n}" for n in range(6, 0, -1)] + ["OPS-2026-030"]
        assert len(listed) == 29 and listed[-1] == "OPS-2025-041"
        open_ones = await c("list_incidents", open_only=True)
        assert [(i["id"], i["status"], i["file"]) for i in open_ones["incidents"]] == [
            ("INC-2026-006", "identified", "incidents/INC-2026-006.yaml")]
        inc = await c("get_incident", id="inc-2026-006")  # any case, as the CLI accepts
        assert (inc["id"], inc["severity"], inc["commander"], inc["roles"]) == (
            "INC-2026-006", "SEV2", "maya", {"comms": "oliver", "ops": "priya"})
        # SEV2 updates every hour, counted from the last update at 14:25Z; now is 15:00Z.
        assert inc["next_update"] == {"due": "2026-11-20T15:25:00+00:00", "overdue": False,
                                      "last": "2026-11-20T14:25:00+00:00"}
        assert inc["updates"][-1]["components"] == {"invoicing": "degraded_performance"}

        # Action items: AI-107 was due 2026-11-09, 11 days before as_of.
        overdue = await c("list_action_items", overdue=True)
        assert [(i["id"], i["overdue_days"], i["owner"]) for i in overdue["items"]] == [("AI-107", 11, "arjun")]
        assert overdue["today"] == "2026-11-20"
        mine = await c("list_action_items", owner="arjun", include_closed=True)
        assert {i["id"] for i in mine["items"]} == {i["id"] for i in _cli_json(
            "actions", "--owner", "arjun", "--all", "--json", "--now", NOW)["action_items"]}

        # Runbooks.
        for_alert = await c("find_runbooks", alert="InvoicingLatencyHigh")
        assert [(r["id"], r["file"], r["severity"]) for r in for_alert["runbooks"]] == [
            ("payments/invoicing-latency", "runbooks/payments/invoicing-latency.md", "SEV2")]
        for_service = await c("find_runbooks", service="invoicing-api")
        assert [r["id"] for r in for_service["runbooks"]] == ["payments/invoicing-latency"]
        text = await c("get_runbook", id="runbooks/payments/invoicing-latency.md")
        assert text["runbook"]["id"] == "payments/invoicing-latency"
        assert {"Diagnosis", "Mitigation", "Escalation"} <= set(text["sections"])
        assert text["text"].startswith("# Invoicing latency high")
        assert text["text"] == (EXAMPLE / "runbooks/payments/invoicing-latency.md").read_text().split("---\n", 2)[2]

        # Postmortems.
        pms = await c("list_postmortems")
        assert len(pms["postmortems"]) == 12
        one = await c("list_postmortems", incident="INC-2026-002")
        assert [p["id"] for p in one["postmortems"]] == ["2026/2026-08-04-checkout-failures-ledger-lock-queue"]
        pm = await c("get_postmortem", id="INC-2026-002")
        assert pm["postmortem"]["file"] == "postmortems/2026/2026-08-04-checkout-failures-ledger-lock-queue.md"
        assert "AI-107" in [i["id"] for i in pm["action_items"]]
        assert "## " in pm["text"] and not pm["text"].startswith("---")

        # Validation: the example's one warning.
        findings = await c("validate")
        assert (findings["errors"], findings["warnings"], findings["now"]) == (0, 1, "2026-11-20T15:00:00+00:00")
        (warning,) = findings["findings"]
        assert (warning["code"], warning["level"]) == ("OB501", "warning") and "AI-107" in warning["message"]

        # Status: INC-2026-006 degrades Invoicing; next update one hour after 14:25Z.
        status = await c("get_status")
        assert (status["indicator"], status["description"]) == ("minor", "Minor Service Outage")
        assert {c_["id"]: c_["status"] for c_ in status["components"]}["invoicing"] == "degraded_performance"
        assert [(i["id"], i["stage"], i["next_update"]) for i in status["incidents"]] == [
            ("INC-2026-006", "identified", "2026-11-20T15:25:00+00:00")]

    in_session(EXAMPLE, body)
    assert called == READ_TOOLS


# --- writes ---------------------------------------------------------------------------------


def test_write_round_trip_keeps_comments(kb_copy):
    before = sorted(p.relative_to(kb_copy).as_posix() for p in kb_copy.rglob("*") if p.is_file())
    record = kb_copy / "incidents" / "INC-2026-007.yaml"

    async def body(s: ClientSession):
        declared = await call(s, "declare_incident", title="Card payments failing in the EU", severity="SEV2",
                              services=["payments-api"], commander="maya", by="priya")
        assert (declared["id"], declared["file"], declared["status"]) == (
            "INC-2026-007", "incidents/INC-2026-007.yaml", "investigating")
        assert declared["channel"].startswith("inc-20261120-card-payments")
        assert declared["roles_required"] == ["commander", "comms"]
        assert [(o["schedule"], o["primary"]["id"], o["backup"]["id"]) for o in declared["on_call"]] == [
            ("payments", "priya", "daniel")]
        assert declared["next_update"]["due"] == "2026-11-20T16:00:00+00:00"

        # A person annotates the record between two calls: the server reads it again and keeps it.
        text = record.read_text()
        text = text.replace("severity: SEV2\n", "severity: SEV2\n# EU acquirer only; US traffic is fine\n")
        text = text.replace("commander: maya\n", "commander: maya  # until 18:00 UTC, then lena\n")
        record.write_text(text)

        updated = await call(s, "update_incident", id="INC-2026-007", status="identified",
                             message="We found the cause: the EU acquirer rejects 3-D Secure retries.",
                             components={"card-payments": "partial_outage"}, public=True,
                             at="2026-11-20T15:10:00Z")
        assert (updated["file"], updated["status"], updated["updates"]) == (
            "incidents/INC-2026-007.yaml", "identified", 1)
        noted = await call(s, "add_incident_note", id="INC-2026-007", text="Rolled back acquirer config v42",
                           by="priya", at="2026-11-20T15:20:00Z")
        assert noted["timeline"] == 2
        resolved = await call(s, "resolve_incident", id="INC-2026-007", at="2026-11-20T15:40:00Z")
        assert (resolved["status"], resolved["resolved"], resolved["next_update"]["due"]) == (
            "resolved", "2026-11-20T15:40:00+00:00", None)

        draft = await call(s, "create_postmortem", incident="INC-2026-007")
        assert draft["file"].startswith("postmortems/2026/2026-11-20-card-payments-failing")
        assert draft["incident"] == "INC-2026-007"
        done = await call(s, "complete_action_item", id="ai-107")
        assert done == {"id": "AI-107", "status": "done", "changed": True,
                        "file": "postmortems/2026/2026-08-04-checkout-failures-ledger-lock-queue.md"}
        again = await call(s, "complete_action_item", id="AI-107")
        assert again["changed"] is False

        # The records written are what the read tools and `opsbook validate` see.
        shown = await call(s, "get_incident", id="INC-2026-007")
        assert [u["status"] for u in shown["updates"]] == ["identified", "resolved"]
        assert shown["updates"][0]["components"] == {"card-payments": "partial_outage"}
        assert shown["updates"][1]["components"] == {"card-payments": "operational"}
        assert shown["timeline"][-1] == {"at": "2026-11-20T15:20:00+00:00", "text": "Rolled back acquirer config v42",
                                         "by": "priya"}
        assert shown["postmortems"] == [draft["file"]]
        assert (await call(s, "validate"))["errors"] == 0
        return draft["file"]

    draft_file = in_session(kb_copy, body, "--allow-write")
    text = record.read_text()
    assert text.startswith("# yaml-language-server: $schema=../schemas/incident.schema.json\n")
    assert "severity: SEV2\n# EU acquirer only; US traffic is fine\n" in text
    assert "commander: maya  # until 18:00 UTC, then lena\n" in text
    assert "status: resolved\n" in text and "resolved: 2026-11-20T15:40:00Z" in text
    assert (kb_copy / draft_file).is_file()
    pm = (kb_copy / "postmortems/2026/2026-08-04-checkout-failures-ledger-lock-queue.md").read_text()
    assert "closed: 2026-11-20" in pm
    after = sorted(p.relative_to(kb_copy).as_posix() for p in kb_copy.rglob("*") if p.is_file())
    assert sorted(set(after) - set(before)) == sorted(["incidents/INC-2026-007.yaml", draft_file])
    assert not (kb_copy / ".git").exists()  # nothing is committed: there is not even a repository


def test_updating_an_example_record_keeps_every_line(kb_copy):
    path = kb_copy / "incidents" / "INC-2026-006.yaml"
    original = path.read_text().splitlines(keepends=True)

    async def body(s: ClientSession):
        return await call(s, "add_incident_note", id="INC-2026-006", text='PDF queue drained; "all" <clear>',
                          at="2026-11-20T15:05:00Z")

    assert in_session(kb_copy, body, "--allow-write")["file"] == "incidents/INC-2026-006.yaml"
    now = path.read_text().splitlines(keepends=True)
    assert now[:len(original)] == original  # comments, flow maps and quoting untouched; one entry appended
    assert len(now) == len(original) + 1 and 'PDF queue drained; \\"all\\" <clear>' in now[-1]


# --- errors ---------------------------------------------------------------------------------


def test_bad_input_is_a_tool_error_and_the_server_goes_on():
    async def body(s: ClientSession):
        out = {
            "schedule": await error(s, "get_oncall", schedules=["paymnts"]),
            "service": await error(s, "get_oncall", service="paymnts-api"),
            "incident": await error(s, "get_incident", id="INC-2026-060"),
            "time": await error(s, "get_oncall", at="tomorrow at noon"),
            "window": await error(s, "list_shifts", start="2026-01-01", end="2030-01-01"),
            "backwards": await error(s, "list_shifts", start="2026-12-01", end="2026-11-01"),
            "person": await error(s, "list_shifts", person="priay"),
            "alert": await error(s, "find_runbooks", alert="CheckoutErrorRate"),
            "runbook": await error(s, "get_runbook", id="payments/invoicing-latncy"),
            "question": await error(s, "classify_severity", answers={"money-or-dta": True}),
            "owner": await error(s, "list_action_items", owner="arjn"),
            "escalation": await error(s, "get_escalation", service="ledger"),
            "hostile": await error(s, "get_incident", id='x"<script>\r\nINC-1\x1b[31m'),
            "hostile_schedule": await error(s, "get_oncall", schedules=["a\x00b\u2028c"]),
            "type": await error(s, "get_oncall", schedules=5),
            "write": await error(s, "declare_incident", title="x", severity="SEV1"),
        }
        # Still serving after all of that.
        out["alive"] = (await call(s, "list_incidents", open_only=True))["incidents"][0]["id"]
        return out

    said = in_session(EXAMPLE, body)
    assert "unknown schedule 'paymnts'; did you mean 'payments'?" in said["schedule"]
    assert "service: unknown service 'paymnts-api'; did you mean 'payments-api'?" in said["service"]
    assert "no incident 'INC-2026-060'; did you mean 'INC-2026-006'?" in said["incident"]
    assert "at: expected an ISO 8601 time" in said["time"]
    assert "at most 731 days (2 years)" in said["window"]
    assert "must be after start" in said["backwards"]
    assert "person: unknown person 'priay'; did you mean 'priya'?" in said["person"]
    assert "no runbook covers 'CheckoutErrorRate'; did you mean 'CheckoutErrorRateHigh'?" in said["alert"]
    assert "no runbook 'payments/invoicing-latncy'; did you mean 'payments/invoicing-latency'?" in said["runbook"]
    assert "unknown question 'money-or-dta'; did you mean 'money-or-data'?" in said["question"]
    assert "owner: unknown person 'arjn'; did you mean 'arjun'?" in said["owner"]
    assert "did you mean 'ledger-service'?" in said["escalation"]
    # Hostile strings come back escaped: no raw CR, LF, NUL, ESC or line separator in a message.
    for key in ("hostile", "hostile_schedule"):
        assert not any(ch in said[key] for ch in "\r\x00\x1b\u2028"), said[key]
        assert "\n" not in said[key].split(": ", 1)[1]
    assert "\\r\\n" in said["hostile"] and "\\x1b" in said["hostile"]
    assert "schedules" in said["type"]  # the SDK's own argument validation, as a tool error
    assert "Unknown tool" in said["write"]  # write tools do not exist without --allow-write
    assert said["alive"] == "INC-2026-006"


def test_write_errors_change_nothing(kb_copy):
    incidents = kb_copy / "incidents"
    before = {p.name: p.read_bytes() for p in incidents.iterdir()}

    async def body(s: ClientSession):
        return {
            "crlf": await error(s, "declare_incident", title="Checkout down\r\nSEV0", severity="SEV1"),
            "bell": await error(s, "declare_incident", title="Checkout \x07down", severity="SEV1"),
            "empty": await error(s, "declare_incident", title="   ", severity="SEV1"),
            "severity": await error(s, "declare_incident", title="Checkout down", severity="SEV9"),
            "commander": await error(s, "declare_incident", title="Checkout down", severity="SEV1",
                                     commander="mya"),
            "component": await error(s, "update_incident", id="INC-2026-006", status="monitoring", message="m",
                                     components={"invoicng": "operational"}),
            "backwards": await error(s, "update_incident", id="INC-2026-006", status="monitoring",
                                     message="Fixed", at="2026-11-20T14:00:00Z"),
            "stage": await error(s, "update_incident", id="INC-2026-006", status="fixed", message="m"),
            "reopen": await error(s, "update_incident", id="INC-2026-001", status="identified", message="again"),
            "resolved": await error(s, "resolve_incident", id="INC-2026-001"),
            "note": await error(s, "add_incident_note", id="INC-2026-006", text="nul \x00 here"),
            "unknown": await error(s, "add_incident_note", id="INC-2026-600", text="hello"),
            "postmortem": await error(s, "create_postmortem", incident="INC-2026-002"),
            "item": await error(s, "complete_action_item", id="AI-1077"),
        }

    said = in_session(kb_copy, body, "--allow-write")
    assert "title: control character U+000D (character 14); it must be one line of plain text" in said["crlf"]
    assert "title: control character U+0007" in said["bell"]
    assert "title: give the incident a title" in said["empty"]
    assert "severity: unknown severity 'SEV9'" in said["severity"]
    assert "commander: unknown person 'mya'; did you mean 'maya'?" in said["commander"]
    assert "unknown component 'invoicng'; did you mean 'invoicing'?" in said["component"]
    assert "earlier than the latest entry of INC-2026-006" in said["backwards"]
    assert "fixed" in said["stage"]  # the schema's enum refuses it before opsbook sees it
    assert "INC-2026-001 is resolved; moving it to identified reopens it: pass --reopen" in said["reopen"]
    assert "INC-2026-001 is already resolved" in said["resolved"]
    assert "text: control character U+0000" in said["note"]
    assert "no incident 'INC-2026-600'; did you mean" in said["unknown"]
    assert "INC-2026-002 already has a postmortem" in said["postmortem"]
    assert "no action item 'AI-1077'; did you mean 'AI-107'?" in said["item"]
    assert {p.name: p.read_bytes() for p in incidents.iterdir()} == before


def test_a_file_that_does_not_load_is_named_with_its_line(kb_copy):
    (kb_copy / "schedules" / "people.yaml").write_text("people:\n  - {id: x, name: X\n")
    (kb_copy / "runbooks" / "payments" / "broken.md").write_text("---\ntitle: [\n---\n# Broken\n")

    async def body(s: ClientSession):
        return (await error(s, "get_oncall"), await call(s, "find_runbooks", service="invoicing-api"),
                await call(s, "get_severity_ladder"))

    oncall, runbooks, ladder = in_session(kb_copy, body)
    assert ladder["skipped"] == []  # each call reads only the files its answer needs
    assert "the knowledge base did not load" in oncall and "schedules/people.yaml:" in oncall
    # A runbook that does not load is left out of a runbook answer, and said so with its place.
    assert [r["id"] for r in runbooks["runbooks"]] == ["payments/invoicing-latency"]
    assert any(line.startswith("skipped, runbooks/payments/broken.md:") for line in runbooks["skipped"])


# --- the command ----------------------------------------------------------------------------


def test_bad_now_or_root_fails_before_serving(tmp_path):
    done = subprocess.run([sys.executable, "-m", "opsbook", "--root", str(EXAMPLE), "mcp", "--now", "soon"],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 2 and "--now" in done.stderr and done.stdout == ""
    done = subprocess.run([sys.executable, "-m", "opsbook", "--root", str(tmp_path), "mcp"],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 2 and "no opsbook.yaml" in done.stderr and done.stdout == ""


def test_help_lists_mcp_without_importing_the_sdk():
    code = ("import sys, runpy; sys.argv = ['opsbook', '--help']\n"
            "try:\n    runpy.run_module('opsbook', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print('LOADED', sorted(m for m in ('mcp', 'opsbook.mcp', 'pydantic') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "LOADED []" in done.stdout
    assert "mcp" in done.stdout and "AI agents over MCP" in done.stdout


# --- AGENTS.md ------------------------------------------------------------------------------


def _agents_files(tmp_path: Path) -> dict[str, str]:
    target = tmp_path / "fresh"
    result = CliRunner().invoke(cli, ["init", str(target), "--name", "Acme Ops", "--now", NOW])
    assert result.exit_code == 0, result.output
    return {"example": (EXAMPLE / "AGENTS.md").read_text(), "init": (target / "AGENTS.md").read_text()}


def test_agents_md_names_only_commands_and_files_that_exist(tmp_path):
    import re

    texts = _agents_files(tmp_path)
    assert "knowledge base of Acme Ops," in texts["init"] and "%%" not in texts["init"]
    for name, text in texts.items():
        flat = " ".join(text.split())
        assert "Run `opsbook validate` before proposing any change" in flat and "by hand" in flat, name
        commands = set(re.findall(r"`opsbook ((?:[a-z]+)(?: [a-z]+)?)", text))
        assert {"incident new", "incident update", "validate", "mcp"} <= commands, name
        for command in sorted(commands):
            words = command.split()
            result = CliRunner().invoke(cli, [*words, "--help"])
            if result.exit_code != 0 and len(words) == 2:  # `opsbook validate before`: one word is the command
                result = CliRunner().invoke(cli, [words[0], "--help"])
            assert result.exit_code == 0, f"{name}: opsbook {command}: {result.output}"
    root = tmp_path / "fresh"
    for folder in ("schedules", "playbooks/templates", "runbooks", "incidents", "postmortems", "status", "docs",
                   ".github/workflows"):
        assert (root / folder).is_dir(), folder

"""From alert to incident: `opsbook incident new --from-alert` on a copy of the example.

Payloads are shaped like the vendors' documented ones (Alertmanager webhook
version 4, PagerDuty V3 webhook events), in tests/fixtures/intake/.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from opsbook.cli import cli

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "intake"
AM = json.loads((FIXTURES / "alertmanager-three.json").read_text())
PD = json.loads((FIXTURES / "pagerduty-triggered.json").read_text())


@pytest.fixture
def example(tmp_path) -> Path:
    """The example knowledge base's content files (not the code), copied."""
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    root = tmp_path / "kb"
    for rel in files:
        if rel.split("/")[0] in ("src", "tests", "benchmarks", ".github"):
            continue
        source = REPO / rel
        if source.is_file():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / rel)
    return root


def run(root: Path, payload, *args: str, at: str = "2026-11-20T15:00:00Z"):
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return CliRunner().invoke(cli, ["--root", str(root), "incident", "new", "--from-alert", "-", "--at", at, *args],
                              input=text, catch_exceptions=False)


def answer(root: Path, payload, at: str = "2026-11-20T15:00:00Z") -> dict:
    result = run(root, payload, "--json", at=at)
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout)


def record(root: Path, ident: str) -> dict:
    """The record as opsbook's loader reads it (YAML 1.2 core: times stay text)."""
    from opsbook.yamlsource import parse_yaml

    path = root / "incidents" / f"{ident}.yaml"
    data, diags = parse_yaml(path, path.read_text())
    assert not diags
    return data


def validate_errors(root: Path) -> list:
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", "--json"], catch_exceptions=False)
    return [d for d in json.loads(result.stdout)["diagnostics"] if d["level"] == "error"]


def test_alertmanager_group_of_three_declares_one_incident(example):
    out = answer(example, AM)
    assert (out["action"], out["id"], out["severity"]) == ("declared", "INC-2026-007", "SEV1")
    assert out["services"] == ["checkout-web", "payments-api", "payouts-worker"]
    assert out["classification"]["rule"] == "many-services"
    data = record(example, "INC-2026-007")
    assert data["title"] == "Checkout error rate above threshold"  # the summary annotation
    assert data["status"] == "investigating" and data["public"] is False
    assert data["detected"] == "2026-11-20T14:52:03Z"  # the earliest startsAt, seconds kept
    assert data["declared"] == "2026-11-20T15:00:00Z"
    assert data["runbooks"] == ["payments/checkout-error-rate"]  # its alerts: name CheckoutErrorRateHigh
    assert [a["fingerprint"] for a in data["alerts"]] == ["1f4e2a7b9c0d3e65", "8a0b6c2d4e1f3a59", "c3d2e1f0a9b8c7d6"]
    assert data["alerts"][0]["runbook_url"] == "https://runbooks.larkspur.example/payments/checkout-error-rate"
    assert data["alerts"][1].get("runbook_url") is None
    assert [e["at"] for e in data["timeline"]] == ["2026-11-20T14:52:03Z", "2026-11-20T14:53:33Z",
                                                   "2026-11-20T14:54:03Z", "2026-11-20T15:00:00Z"]
    assert data["timeline"][3]["text"].startswith("Declared SEV1 from alert CheckoutErrorRateHigh: rule many-services")
    # The payments policy at 10:00 EST: minute 0 is the payments primary.
    assert out["escalation"][0]["policy"] == "payments"
    assert validate_errors(example) == []


def test_the_same_alert_again_is_a_note_not_a_second_incident(example):
    answer(example, AM)
    path = example / "incidents" / "INC-2026-007.yaml"
    # A person edits the record: a comment, which the note must keep.
    text = path.read_text().replace("impact: none\n", "impact: none  # unknown yet, check with support\n")
    path.write_text(text)
    out = answer(example, AM, at="2026-11-20T15:05:00Z")
    assert (out["action"], out["id"]) == ("noted", "INC-2026-007")
    assert not (example / "incidents" / "INC-2026-008.yaml").exists()
    after = path.read_text()
    assert "impact: none  # unknown yet, check with support\n" in after
    # Appended only: every original line is still there, in order, byte for byte.
    remaining = iter(after.splitlines(keepends=True))
    assert all(any(line == candidate for candidate in remaining) for line in text.splitlines(keepends=True))
    data = record(example, "INC-2026-007")
    assert len(data["alerts"]) == 3 and len(data["timeline"]) == 7


def test_a_resolved_alert_notes_recovery_and_never_resolves(example):
    answer(example, AM)
    resolved = copy.deepcopy(AM)
    resolved["status"] = "resolved"
    resolved["alerts"] = [resolved["alerts"][1]]
    resolved["alerts"][0]["status"] = "resolved"
    resolved["alerts"][0]["endsAt"] = "2026-11-20T15:09:33Z"
    out = answer(example, resolved, at="2026-11-20T15:10:00Z")
    assert out["action"] == "noted"
    data = record(example, "INC-2026-007")
    assert data["status"] == "investigating" and "resolved" not in data and "mitigated" not in data
    last = data["timeline"][-1]
    assert last["at"] == "2026-11-20T15:10:00Z"
    assert "Alert CheckoutErrorRateHigh resolved on payments-api" in last["text"]
    assert "recovery noted, INC-2026-007 stays investigating until someone resolves it" in last["text"]


def test_a_resolved_alert_without_an_open_incident_writes_nothing(example):
    resolved = copy.deepcopy(AM)
    for alert in resolved["alerts"]:
        alert["status"] = "resolved"
    out = answer(example, resolved)
    assert out["action"] == "nothing" and out["id"] is None
    assert not (example / "incidents" / "INC-2026-007.yaml").exists()


def test_a_new_alert_in_the_group_joins_the_open_incident(example):
    first = copy.deepcopy(AM)
    first["alerts"] = first["alerts"][:1]
    answer(example, first)
    out = answer(example, AM, at="2026-11-20T15:02:00Z")
    assert (out["action"], out["id"]) == ("noted", "INC-2026-007")
    data = record(example, "INC-2026-007")
    assert [a["fingerprint"] for a in data["alerts"]] == ["1f4e2a7b9c0d3e65", "8a0b6c2d4e1f3a59", "c3d2e1f0a9b8c7d6"]
    assert "joined INC-2026-007" in data["timeline"][-1]["text"]


def test_after_the_incident_is_resolved_the_alert_opens_a_new_one(example):
    answer(example, AM)
    result = CliRunner().invoke(cli, ["--root", str(example), "incident", "resolve", "INC-2026-007", "--at",
                                      "2026-11-20T16:00:00Z"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    out = answer(example, AM, at="2026-11-20T17:00:00Z")
    assert (out["action"], out["id"]) == ("declared", "INC-2026-008")


def test_pagerduty_v3_events_declare_then_note(example):
    out = answer(example, PD)
    assert (out["action"], out["severity"], out["services"]) == ("declared", "SEV1", ["invoicing-api"])
    data = record(example, out["id"])
    assert data["title"] == "Invoice API returning 503"
    assert data["alerts"][0] == {"fingerprint": "pagerduty-PT4KHLK", "name": "Invoice API returning 503",
                                 "source": "pagerduty", "at": "2026-11-20T15:00:00Z",
                                 "url": "https://larkspur.pagerduty.com/incidents/PT4KHLK"}
    for event_type in ("incident.acknowledged", "incident.resolved"):
        event = copy.deepcopy(PD)
        event["event"]["event_type"] = event_type
        event["event"]["data"]["status"] = event_type.split(".")[1]
        noted = answer(example, event, at="2026-11-20T15:20:00Z")
        assert (noted["action"], noted["id"]) == ("noted", out["id"])
    data = record(example, out["id"])
    assert data["status"] == "investigating"
    assert "Alert Invoice API returning 503 incident.acknowledged on invoicing-api" in data["timeline"][-2]["text"]
    assert "recovery noted" in data["timeline"][-1]["text"]


def test_plain_labels_dedupe_with_the_alertmanager_fingerprint(example):
    # Alertmanager's fingerprint is a hash of the labels; a plain alert without one gets the same hash.
    from opsbook.intake.fingerprint import fingerprint

    labels = {"alertname": "LedgerDBConnectionsSaturated", "service": "ledger-service"}
    out = answer(example, {"labels": labels, "annotations": {"summary": "ledger-db pool at 100%"}})
    data = record(example, out["id"])
    assert data["alerts"][0]["fingerprint"] == fingerprint(labels)
    assert data["runbooks"] == ["ledger/ledger-db-connection-saturation"]
    am = copy.deepcopy(AM)
    am["alerts"] = [{"status": "firing", "labels": labels, "annotations": {}, "startsAt": "2026-11-20T14:59:00Z",
                     "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "", "fingerprint": fingerprint(labels)}]
    again = answer(example, am, at="2026-11-20T15:01:00Z")
    assert (again["action"], again["id"]) == ("noted", out["id"])


def test_hostile_alert_text_makes_a_one_line_title_that_loads(example):
    payload = {"labels": {"alertname": "Weird", "service": "payments-api"},
               "annotations": {"summary": "a\r\nb \"quoted\" <script>alert(1)</script>\x1b[31m\u2028end",
                               "runbook_url": "javascript:alert(1)"}}
    out = answer(example, payload)
    data = record(example, out["id"])
    assert data["title"] == 'a b "quoted" <script>alert(1)</script>[31m end'
    assert "runbook_url" not in data["alerts"][0]  # not a web address: not linked
    assert validate_errors(example) == []
    text = run(example, payload, at="2026-11-20T15:01:00Z").stdout
    assert "\x1b" not in text and "\r" not in text


def test_text_output_of_a_declaration(example):
    result = run(example, AM)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Declared INC-2026-007: Checkout error rate above threshold"
    assert "  severity:    SEV1 (Critical) by rule many-services" in lines
    assert "               because services.count is 3, >= 3" in lines
    # The example's policy says when it repeats (repeat_after), so rounds are numbered.
    assert any(line.startswith("    minute    0  2026-11-20 10:00 EST (round 1)  payments primary: ")
               for line in lines)


def test_from_alert_refuses_title_and_severity(example):
    result = run(example, AM, "--severity", "SEV2")
    assert result.exit_code == 2 and "--from-alert takes the title, severity and services" in result.stderr


def test_a_bad_payload_writes_nothing(example):
    result = run(example, '{"version": "4", "groupKey": "x", "alerts": [{"status": "firing"}]}')
    assert result.exit_code == 2 and "$.alerts[0].labels: no alertname label" in result.stderr
    assert not (example / "incidents" / "INC-2026-007.yaml").exists()


# --- the intake workflow, run as GitHub would run its shell steps --------------------------

def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


def _run_workflow(root: Path, payload: dict, tmp: Path) -> int:
    """The shell steps of .github/workflows/incident-intake.yml with GitHub's expressions
    expanded: the payload from the dispatch, no Slack secret, the runner's files."""
    import os
    import re

    flow = yaml_load((root / ".github" / "workflows" / "incident-intake.yml").read_text())
    output = tmp / "github_output"
    output.write_text("")
    runner_temp = tmp / "runner"
    runner_temp.mkdir(exist_ok=True)
    outputs: dict[str, str] = {}
    code = 0
    for step in flow["jobs"]["intake"]["steps"]:
        command = step.get("run")
        if not command or command.startswith("pip install"):
            continue
        env = {**os.environ, "RUNNER_TEMP": str(runner_temp), "GITHUB_OUTPUT": str(output),
               "GITHUB_REF_NAME": "main"}
        for key, value in (step.get("env") or {}).items():
            expr = re.fullmatch(r"\$\{\{\s*(.+?)\s*\}\}", str(value)).group(1)
            env[key] = {"toJSON(github.event.client_payload.alert)": json.dumps(payload, indent=2),
                        "secrets.SLACK_INCIDENT_WEBHOOK_URL": "",
                        "steps.intake.outputs.code": outputs.get("code", "")}[expr]
        done = subprocess.run(["bash", "-eo", "pipefail", "-c", command], cwd=root, env=env,
                              capture_output=True, text=True, timeout=300)
        for line in output.read_text().splitlines():
            key, _, value = line.partition("=")
            outputs[key] = value
        code = done.returncode
        assert code == 0 or step is flow["jobs"]["intake"]["steps"][-1], (command, done.stdout, done.stderr)
    return code


def yaml_load(text: str):
    import yaml

    return yaml.safe_load(text)


@pytest.mark.parametrize("where", ["init", "example"])
def test_the_intake_workflow_commits_the_record_and_then_a_note(tmp_path, where):
    if where == "init":
        root = tmp_path / "kb"
        result = CliRunner().invoke(cli, ["init", str(root), "--now", "2026-06-01T12:00:00Z"], catch_exceptions=False)
        assert result.exit_code == 0
        payload = {"labels": {"alertname": "WebDown", "service": "web"}, "annotations": {"summary": "web is down"}}
    else:
        root = tmp_path / "example"
        shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(".git", "src", "tests", "benchmarks", "site",
                                                                   "__pycache__", "*.egg-info"))
        payload = AM
    remote = tmp_path / "remote.git"
    _git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    _git(root, "init", "-q", "-b", "main")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "start")
    _git(root, "remote", "add", "origin", str(remote))
    _git(root, "push", "-q", "origin", "main")
    assert _run_workflow(root, payload, tmp_path) == 0
    log = _git(remote, "log", "--format=%s", "main").splitlines()
    assert log[0].startswith("incident intake: declared INC-2026-")
    ident = log[0].split()[-1]
    files = _git(remote, "show", "--name-only", "--format=", "main").split()
    assert files == [f"incidents/{ident}.yaml"]
    assert _run_workflow(root, payload, tmp_path) == 0
    assert _git(remote, "log", "-1", "--format=%s", "main").strip() == f"incident intake: noted {ident}"


def test_the_example_and_init_ship_the_same_intake_workflow():
    example = (REPO / ".github" / "workflows" / "incident-intake.yml").read_text()
    scaffold = (REPO / "src" / "opsbook" / "scaffold" / "files" / ".github" / "workflows" /
                "incident-intake.yml").read_text()
    assert example == scaffold.replace('pip install "%%OPSBOOK_SOURCE%%"', "pip install .")


# --- docs/alert-intake.md: the relay it ships, run against a loopback "GitHub" ------------

def _doc_blocks(language: str) -> list[str]:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt().parse((REPO / "docs" / "alert-intake.md").read_text())
    return [t.content for t in tokens if t.type == "fence" and t.info.strip() == language]


def test_the_documented_alertmanager_receiver_is_yaml_with_the_webhook_keys():
    import yaml

    config = next(yaml.safe_load(b) for b in _doc_blocks("yaml") if "receivers" in b)
    hook = config["receivers"][0]["webhook_configs"][0]
    assert hook["send_resolved"] is True and hook["http_config"]["authorization"]["type"] == "Bearer"


def test_the_documented_relay_wraps_the_payload_for_repository_dispatch(tmp_path):
    import http.server
    import os
    import socket
    import threading
    import time
    import urllib.error
    import urllib.request

    received = []

    class GitHub(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            received.append((self.path, self.headers["Authorization"],
                             json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    github = http.server.ThreadingHTTPServer(("127.0.0.1", 0), GitHub)
    threading.Thread(target=github.serve_forever, daemon=True).start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = tmp_path / "relay.py"
    script.write_text(next(b for b in _doc_blocks("python") if "Relay" in b))
    env = {**os.environ, "GITHUB_API_URL": f"http://127.0.0.1:{github.server_address[1]}",
           "GITHUB_REPOSITORY": "larkspur/incidents", "GITHUB_TOKEN": "ghs_test", "RELAY_TOKEN": "s3cret",
           "PORT": str(port)}
    relay = subprocess.Popen(["python", str(script)], env=env)
    try:
        def post(token: str) -> int:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/alert", data=json.dumps(AM).encode(),
                                             method="POST", headers={"Authorization": f"Bearer {token}",
                                                                     "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code

        for _ in range(100):
            try:
                status = post("wrong")
                break
            except OSError:
                time.sleep(0.05)
        assert status == 401 and received == []
        assert post("s3cret") == 204
        assert received == [("/repos/larkspur/incidents/dispatches", "Bearer ghs_test",
                             {"event_type": "opsbook-alert", "client_payload": {"alert": AM}})]
    finally:
        relay.terminate()
        relay.wait(timeout=10)
        github.shutdown()
        github.server_close()


def test_runbooks_found_by_reading_mentions_match_the_full_load():
    """The intake reads only runbook files that mention an alert; the answer must be the
    full load's, for every alert the example's runbooks cover, in any letter case."""
    from opsbook.intake.payloads import Alert
    from opsbook.intake.services import runbooks_covering, runbooks_for
    from opsbook.load import load

    kb, _ = load(REPO)
    names = {a for rb in kb.runbook_list for a in rb.alert_names}
    names |= {n.lower() for n in names} | {"NoSuchAlert"}
    fast = runbooks_covering(REPO, names, kb.zone)
    for name in names:
        alert = Alert(source="plain", status="firing", name=name, labels={}, annotations={}, fingerprint="f")
        assert fast[name] == runbooks_for(kb, alert), name
    assert fast["NoSuchAlert"] == [] and fast["CheckoutErrorRateHigh"] == ["payments/checkout-error-rate"]


def test_candidate_records_are_those_that_mention_the_fingerprint(example):
    from opsbook.incidents.from_alert import candidate_ids

    answer(example, AM)
    folder = example / "incidents"
    assert candidate_ids(folder, {"8a0b6c2d4e1f3a59"}) == ["INC-2026-007"]
    assert candidate_ids(folder, {"0000000000000000"}) == []
    assert candidate_ids(folder, {'we"ird'}) is None  # could be written escaped: read every record

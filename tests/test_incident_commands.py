"""Mid-incident commands: severity (with history), assign, oncall override, and --post.

Each keeps the file's comments, appends a timeline entry with who and when, and
refuses bad input with a clear message (unknown names exit 1, malformed input 2).
"""

from __future__ import annotations

import http.server
import json

import pytest

from conftest import BASE_FILES, _d, invoke, make_kb

OPEN = _d("""
    # Hand-written record: the comments must survive every command.
    id: INC-2026-002
    title: Checkout slow   # as customers said it
    severity: SEV2
    status: investigating
    services: [payments-api]
    declared: 2026-06-01T12:00:00Z
    impact: minor
    timeline:
      - {at: 2026-06-01T12:00:00Z, text: "Declared SEV2"}   # first entry
    """)


@pytest.fixture
def kb(tmp_path):
    return make_kb(tmp_path, {"incidents/INC-2026-002.yaml": OPEN})


def cli(root, *args, env=None):
    return invoke("--root", str(root), *args, env=env)


def loaded(root, ident="INC-2026-002") -> dict:
    result = cli(root, "incident", "show", ident, "--json", "--at", "2026-06-01T13:00:00Z")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["incident"]


# --- severity ------------------------------------------------------------------------

def test_severity_change_keeps_history_comments_and_follows_the_new_cadence(kb):
    result = cli(kb, "incident", "severity", "INC-2026-002", "SEV1", "--reason", "most merchants failing",
                 "--by", "bob", "--at", "2026-06-01T12:10:00Z", "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["severity"], out["previous"]) == ("SEV1", "SEV2")
    # SEV1 updates every 30 minutes, counted from the declaration (no update yet): 12:30 UTC.
    assert out["next_update_due"] == "2026-06-01T12:30:00+00:00"
    assert out["roles_missing"] == ["commander", "comms"]
    text = (kb / "incidents" / "INC-2026-002.yaml").read_text()
    for comment in ("# Hand-written record", "# as customers said it", "# first entry"):
        assert comment in text
    assert "severity: SEV1\n" in text
    record = loaded(kb)
    assert record["severity_changes"] == [{"at": "2026-06-01T12:10:00+00:00", "severity": "SEV1", "previous": "SEV2",
                                           "reason": "most merchants failing", "by": "bob"}]
    assert record["timeline"][-1] == {"at": "2026-06-01T12:10:00+00:00", "text": "Severity SEV2 -> SEV1: most merchants "
                                      "failing", "by": "bob"}
    # Back down: the history keeps both, oldest first, and survives the round trip through show.
    assert cli(kb, "incident", "severity", "INC-2026-002", "SEV2", "--reason", "workaround live",
               "--at", "2026-06-01T12:40:00Z").exit_code == 0
    record = loaded(kb)
    assert [(c["previous"], c["severity"]) for c in record["severity_changes"]] == [("SEV2", "SEV1"), ("SEV1", "SEV2")]
    shown = cli(kb, "incident", "show", "INC-2026-002", "--at", "2026-06-01T13:00:00Z").stdout
    assert "Severity history:" in shown
    assert "2026-06-01 08:10 EDT  SEV2 -> SEV1 by Bob Okafor: most merchants failing" in shown
    assert "2026-06-01 08:40 EDT  SEV1 -> SEV2: workaround live" in shown


@pytest.mark.parametrize("args,code,message", [
    (["SEV9", "--reason", "x"], 1, "unknown severity 'SEV9'"),
    (["SEV2", "--reason", "x"], 2, "INC-2026-002 is SEV2 already"),
    (["SEV1", "--reason", "  "], 2, "--reason: say why"),
    (["SEV1", "--reason", "a\x1bb"], 2, "control character U+001B"),
    (["SEV1", "--reason", "x", "--at", "2026-06-01T11:00:00Z"], 2, "times in an incident record never go backwards"),
    (["SEV1", "--reason", "x", "--by", "bobb"], 1, "did you mean 'bob'?"),
])
def test_severity_bad_input(kb, args, code, message):
    before = (kb / "incidents" / "INC-2026-002.yaml").read_bytes()
    result = cli(kb, "incident", "severity", "INC-2026-002", *args)
    assert result.exit_code == code and message in result.stderr, result.stderr
    assert (kb / "incidents" / "INC-2026-002.yaml").read_bytes() == before


def test_severity_of_a_resolved_incident_is_refused(kb):
    result = cli(kb, "incident", "severity", "INC-2026-001", "SEV2", "--reason", "x")
    assert result.exit_code == 2 and "reopen it" in result.stderr


def test_unknown_incident_is_a_finding(kb):
    result = cli(kb, "incident", "severity", "INC-2026-099", "SEV1", "--reason", "x")
    assert result.exit_code == 1


def test_a_level_with_an_escalation_override_prints_who_is_paged(kb):
    # SEV1 of the base ladder has escalation: payments. 2026-06-01 is a Monday, 08:10 EDT: before 09:00.
    result = cli(kb, "incident", "severity", "INC-2026-002", "SEV1", "--reason", "worse",
                 "--at", "2026-06-01T12:10:00Z")
    assert "paging:      policy payments (SEV1's override)" in result.stdout
    assert "payments primary: NOBODY  <- GAP" in result.stdout  # business hours only: nobody at 08:10


# --- assign --------------------------------------------------------------------------

def test_assign_commander_and_roles_on_a_record_without_them(kb):
    result = cli(kb, "incident", "assign", "INC-2026-002", "commander=alice", "comms=bob", "--by", "carol",
                 "--at", "2026-06-01T12:05:00Z", "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["commander"], out["roles"], out["roles_missing"]) == ("alice", {"comms": "bob"}, [])
    assert out["previous"] == {"commander": None, "comms": None}
    text = (kb / "incidents" / "INC-2026-002.yaml").read_text()
    assert "services: [payments-api]\ncommander: alice\nroles: {comms: bob}\n" in text
    assert "# as customers said it" in text and "# first entry" in text
    record = loaded(kb)
    assert record["timeline"][-1] == {"at": "2026-06-01T12:05:00+00:00", "by": "carol",
                                      "text": "Assigned commander: Alice Nguyen; comms: Bob Okafor"}
    # A handover: the previous holder is named.
    cli(kb, "incident", "assign", "INC-2026-002", "commander=carol", "--at", "2026-06-01T12:20:00Z")
    record = loaded(kb)
    assert record["commander"] == "carol"
    assert record["timeline"][-1]["text"] == "Assigned commander: Carol Diaz (was Alice Nguyen)"


@pytest.mark.parametrize("pairs,code,message", [
    (["comms=bobb"], 1, "unknown person 'bobb'; did you mean 'bob'?"),
    (["coms=bob"], 1, "unknown role 'coms'; did you mean 'comms'?"),
    (["comms"], 2, "expected ROLE=PERSON"),
    (["comms=bob", "comms=carol"], 2, "comms is given twice"),
])
def test_assign_bad_input(kb, pairs, code, message):
    before = (kb / "incidents" / "INC-2026-002.yaml").read_bytes()
    result = cli(kb, "incident", "assign", "INC-2026-002", *pairs)
    assert result.exit_code == code and message in result.stderr, result.stderr
    assert (kb / "incidents" / "INC-2026-002.yaml").read_bytes() == before


def test_assigning_what_is_already_so_changes_nothing(kb):
    cli(kb, "incident", "assign", "INC-2026-002", "comms=bob", "--at", "2026-06-01T12:05:00Z")
    before = (kb / "incidents" / "INC-2026-002.yaml").read_bytes()
    result = cli(kb, "incident", "assign", "INC-2026-002", "comms=bob", "--at", "2026-06-01T12:06:00Z")
    assert result.exit_code == 2 and "nothing to change" in result.stderr
    assert (kb / "incidents" / "INC-2026-002.yaml").read_bytes() == before


# --- oncall override -------------------------------------------------------------------
# The base payments schedule: weekly from Monday 2026-01-05 09:00 New York, alice, bob, carol,
# business hours Mon-Fri 09:00-17:00. Week of 2026-06-01 is week 21: alice primary, bob backup.

def test_override_is_appended_and_takes_effect(kb):
    path = kb / "schedules" / "payments.yaml"
    path.write_text(path.read_text().replace("overrides:\n", "overrides:  # swaps agreed in #payments\n"))
    result = cli(kb, "oncall", "override", "payments", "--person", "carol", "--from", "2026-06-02T09:00",
                 "--to", "2026-06-02T17:00", "--replacing", "alice", "--reason", "Alice at the dentist", "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["start"] == "2026-06-02T13:00:00+00:00" and out["forced"] == []
    text = path.read_text()
    assert "overrides:  # swaps agreed in #payments\n" in text
    assert text.endswith('  - {role: primary, person: carol, start: 2026-06-02T13:00:00Z, end: 2026-06-02T21:00:00Z, '
                         'reason: "replacing alice: Alice at the dentist"}\n')
    now = json.loads(cli(kb, "oncall", "at", "2026-06-02T10:00", "-s", "payments", "--json").stdout)
    assert json.dumps(now).count('"carol"') >= 1


@pytest.mark.parametrize("args,code,message", [
    # the base file's override of carol, 2026-03-10 18:00 to 03-12 09:00 local
    (["--person", "bob", "--from", "2026-03-11T10:00", "--to", "2026-03-11T12:00"], 1, "it overlaps override 1"),
    (["--person", "dave", "--from", "2026-06-02T10:00", "--to", "2026-06-02T12:00"], 1,
     "dave is not in team payments or any layer of payments"),
    (["--person", "carol", "--from", "2026-06-02T10:00", "--to", "2026-06-02T12:00", "--replacing", "bob"], 1,
     "bob is not primary on payments in that window (on call then: alice)"),
    (["--person", "carl", "--from", "2026-06-02T10:00", "--to", "2026-06-02T12:00"], 1, "did you mean 'carol'?"),
    (["--person", "carol", "--from", "2026-06-02T12:00", "--to", "2026-06-02T10:00"], 2, "must be after --from"),
    (["--person", "carol", "--from", "2026-06-02T10:00", "--to", "2029-06-02T10:00"], 2, "at most 731 days"),
    (["--person", "carol", "--from", "2026-06-02T10:00", "--to", "2026-06-02T12:00", "--role", "lead"], 2,
     "unknown role 'lead'"),
    (["--person", "carol", "--from", "soon", "--to", "2026-06-02T12:00"], 2, "--from"),
    (["--person", "carol", "--from", "2026-06-02T10:00", "--to", "2026-06-02T12:00", "--reason", "a\nb"], 2,
     "control character"),
])
def test_override_refusals_and_bad_input(kb, args, code, message):
    before = (kb / "schedules" / "payments.yaml").read_bytes()
    result = cli(kb, "oncall", "override", "payments", *args)
    assert result.exit_code == code and message in result.stderr, result.stderr
    assert (kb / "schedules" / "payments.yaml").read_bytes() == before


def test_force_writes_an_override_outside_the_team_and_says_so(kb):
    result = cli(kb, "oncall", "override", "payments", "--person", "dave", "--from", "2026-06-02T10:00",
                 "--to", "2026-06-02T12:00", "--force", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["forced"] == ["outside-team"]


def test_unknown_schedule_is_a_finding(kb):
    result = cli(kb, "oncall", "override", "paymnts", "--person", "carol", "--from", "2026-06-02T10:00",
                 "--to", "2026-06-02T12:00")
    assert result.exit_code == 1 and "did you mean 'payments'?" in result.stderr


# --- --post: a loopback Slack ------------------------------------------------------------

class _Slack(http.server.BaseHTTPRequestHandler):
    status = 200
    posts: list = []

    def do_POST(self):  # noqa: N802
        self.posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        body = b"ok" if self.status == 200 else b"invalid_payload"
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def slack(loopback):
    def start(status: int):
        base, handler = loopback(_Slack, status=status, posts=[])
        return base + "/services/T000/B000/XXXXSECRET", handler.posts

    return start


def test_post_sends_block_kit_after_writing(kb, slack):
    url, posts = slack(200)
    result = cli(kb, "incident", "severity", "INC-2026-002", "SEV1", "--reason", "<!channel> worse & worse",
                 "--at", "2026-06-01T12:10:00Z", "--post", env={"OPSBOOK_SLACK_WEBHOOK_URL": url})
    assert result.exit_code == 0, result.stderr
    assert "slack:       posted" in result.stdout
    [message] = posts
    assert message["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "emoji": False,
                                                               "text": "Severity changed: INC-2026-002"}}
    fields = [f["text"] for f in message["blocks"][2]["fields"]]
    assert fields[0] == "*Severity*\nSEV1 (Critical)" and fields[2] == "*Services*\npayments-api"
    assert fields[4] == "*Next update due*\n2026-06-01 08:30 EDT (12:30 UTC)"
    detail = message["blocks"][3]["text"]["text"]
    assert detail == "SEV2 -&gt; SEV1: &lt;!channel&gt; worse &amp; worse"  # no channel ping
    assert "runbook" in message["blocks"][-1]["elements"][0]["text"].lower()


def test_a_failed_post_keeps_the_record_and_says_so(kb, slack):
    url, posts = slack(500)
    result = cli(kb, "incident", "update", "INC-2026-002", "--status", "identified", "-m", "Acquirer B slow",
                 "--at", "2026-06-01T12:15:00Z", "--post", "--json", env={"OPSBOOK_SLACK_WEBHOOK_URL": url})
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["status"] == "identified" and out["post"]["posted"] is False
    assert "HTTP 500" in out["post"]["error"] and "XXXXSECRET" not in result.stdout + result.stderr
    assert len(posts) == 1
    assert "status: identified" in (kb / "incidents" / "INC-2026-002.yaml").read_text()


def test_post_without_a_webhook_keeps_the_record(kb):
    result = cli(kb, "incident", "resolve", "INC-2026-002", "--at", "2026-06-01T13:00:00Z", "--post",
                 env={"OPSBOOK_SLACK_WEBHOOK_URL": ""})
    assert result.exit_code == 1
    assert "the record is written, but the Slack post failed: OPSBOOK_SLACK_WEBHOOK_URL is not set" in result.stderr
    assert "status: resolved" in (kb / "incidents" / "INC-2026-002.yaml").read_text()


def test_declaration_from_an_alert_posted(kb, slack):
    url, posts = slack(200)
    sev = BASE_FILES["playbooks/severity.yaml"] + "rules:\n  - {id: tier-1, level: SEV1, when: {field: service.tier, eq: 1}}\n"
    (kb / "playbooks" / "severity.yaml").write_text(sev)
    payload = {"labels": {"alertname": "CheckoutErrorRate", "service": "payments-api"},
               "annotations": {"summary": "Checkout errors"}}
    from click.testing import CliRunner

    from opsbook.cli import cli as group

    result = CliRunner().invoke(group, ["--root", str(kb), "incident", "new", "--from-alert", "-", "--at",
                                        "2026-06-02T14:00:00Z", "--post"], input=json.dumps(payload),
                                env={"OPSBOOK_SLACK_WEBHOOK_URL": url}, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    [message] = posts
    assert message["blocks"][0]["text"]["text"] == "Incident declared: INC-2026-003"
    assert message["blocks"][-1]["elements"][0]["text"] == "Runbooks: payments/checkout-errors"  # by alerts:


def test_validate_checks_the_severity_history(kb):
    from conftest import run_validate

    assert cli(kb, "incident", "severity", "INC-2026-002", "SEV1", "--reason", "worse",
               "--at", "2026-06-01T12:10:00Z").exit_code == 0
    path = kb / "incidents" / "INC-2026-002.yaml"
    text = path.read_text()
    path.write_text(text.replace("severity: SEV1\n", "severity: SEV3\n", 1).replace("previous: SEV2", "previous: SEV7"))
    code, report = run_validate(kb)
    found = {(d["code"], d["line"]) for d in report["diagnostics"] if d["file"].endswith("INC-2026-002.yaml")}
    lines = path.read_text().splitlines()
    history_line = next(i for i, line in enumerate(lines, 1) if "previous: SEV7" in line)
    assert ("OB204", history_line) in found  # unknown level in the history
    assert ("OB805", 4) in found  # severity (line 4) disagrees with the last change


def test_odd_but_valid_hand_edits_survive(tmp_path):
    """CRLF line endings, a BOM, a block-style roles mapping with a comment, quoted keys."""
    text = ("\ufeffid: INC-2026-002\r\ntitle: 'Checkout slow'\r\n\"severity\": SEV2\r\nstatus: investigating\r\n"
            "services:\r\n  - payments-api\r\nroles:\r\n  comms: bob   # until 14:00\r\n"
            "declared: 2026-06-01T12:00:00Z\r\n")
    ladder = BASE_FILES["playbooks/severity.yaml"].replace("roles: [commander, comms]", "roles: [commander, comms, scribe]")
    root = make_kb(tmp_path, {"incidents/INC-2026-002.yaml": text, "playbooks/severity.yaml": ladder})
    assert cli(root, "incident", "assign", "INC-2026-002", "scribe=carol", "commander=alice",
               "--at", "2026-06-01T12:05:00Z").exit_code == 0
    assert cli(root, "incident", "severity", "INC-2026-002", "SEV1", "--reason", "it's \"worse\" <now>",
               "--at", "2026-06-01T12:06:00Z").exit_code == 0
    after = (root / "incidents" / "INC-2026-002.yaml").read_bytes().decode("utf-8")
    assert after.startswith("\ufeffid: INC-2026-002\r\n")
    assert "\n" not in after.replace("\r\n", "")  # every line still ends in CRLF
    assert "  comms: bob   # until 14:00\r\n" in after and "  scribe: carol\r\n" in after
    record = loaded(root)
    assert (record["severity"], record["commander"], record["roles"]) == ("SEV1", "alice",
                                                                           {"comms": "bob", "scribe": "carol"})
    assert record["severity_changes"][0]["reason"] == 'it\'s "worse" <now>'


def test_incident_new_and_show_print_who_is_paged_by_the_levels_override(kb):
    # SEV1's override is the payments policy; Tuesday 2026-06-02 10:00 EDT, week 21: alice, then bob.
    result = cli(kb, "incident", "new", "--title", "Checkout down", "--severity", "SEV1", "--service",
                 "checkout-web", "--at", "2026-06-02T14:00:00Z")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "  paging:      policy payments (SEV1's override)" in lines
    assert "    minute    0  2026-06-02 10:00 EDT  payments primary: Alice Nguyen" in lines
    assert "    minute    5  2026-06-02 10:05 EDT  payments backup: Bob Okafor" in lines
    assert "    minute   10  2026-06-02 10:10 EDT  person alice: Alice Nguyen" in lines
    shown = cli(kb, "incident", "show", "INC-2026-003", "--json", "--at", "2026-06-02T14:30:00Z")
    escalation = json.loads(shown.stdout)["escalation"]
    assert [(e["policy"], e["override"]) for e in escalation] == [("payments", True)]
    assert [p["people"] for p in escalation[0]["pages"]] == [["alice"], ["bob"], ["alice"]]

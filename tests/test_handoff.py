"""`opsbook handoff`: the rendered handoff, and posting it through slack_sdk to a
local HTTP server that records the request. The webhook URL never appears in
any output, on success or failure."""

from __future__ import annotations

import http.server
import json
from pathlib import Path

import pytest
from conftest import invoke

REPO = Path(__file__).resolve().parents[1]
SECRET_PATH = "/services/T0SECRET/B0SECRET/xyzzySECRETtoken"


class _Recorder(http.server.BaseHTTPRequestHandler):
    status = 200
    answer = b"ok"
    requests: list

    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length", 0))
        self.requests.append({"path": self.path, "headers": dict(self.headers),
                              "body": json.loads(self.rfile.read(length))})
        self.send_response(self.status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def slack(loopback):
    """start(status, answer) -> (webhook URL, recorded requests)."""

    def start(status=200, answer=b"ok"):
        base, handler = loopback(_Recorder, status=status, answer=answer, requests=[])
        return base + SECRET_PATH, handler.requests

    return start


def _no_secret(result, url):
    for text in (result.stdout, result.stderr):
        assert url not in text and "SECRET" not in text


def test_handoff_text_names_both_pairs_and_the_coming_override():
    # Monday 23 Nov 09:00 New York: Priya hands to Daniel; Priya covers him Tue-Thu (override).
    result = invoke("--root", str(REPO), "handoff", "payments", "--at", "2026-11-23T15:00:00Z")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Handoff: Payments on-call at Mon 23 Nov 09:00 EST" in out
    assert "outgoing  primary Priya Raman, backup Daniel Reyes" in out
    assert "incoming  primary Daniel Reyes, backup Oliver Hughes" in out
    assert "Daniel moving apartments" in out


def test_handoff_json_lists_incidents_and_overdue_action_items():
    result = invoke("--root", str(REPO), "handoff", "data", "--at", "2026-11-20T15:00:00Z", "--json")
    payload = json.loads(result.stdout)
    handoff = payload["handoff"]
    assert handoff["incoming"]["primary"]["id"] == "arjun" and handoff["outgoing"]["primary"]["id"] == "ines"
    overdue = [item["id"] for item in handoff["action_items"] if item["overdue"]]
    assert "AI-107" in overdue
    assert payload["posted"] is False and payload["message"] is None and payload["skipped"] == []
    assert payload["schedule"] == "data" and payload["at"] == "2026-11-20T15:00:00+00:00"


def test_handoff_json_has_one_shape_with_and_without_a_handoff_in_range():
    # Issue 15: a script reads the same keys either way; only `handoff` is null.
    found = json.loads(invoke("--root", str(REPO), "handoff", "data", "--at", "2026-11-20T15:00:00Z",
                              "--json").stdout)
    none = invoke("--root", str(REPO), "handoff", "data", "--at", "2026-11-20T15:00:00Z", "--within", "1m", "--json")
    assert none.exit_code == 0
    empty = json.loads(none.stdout)
    assert set(empty) == set(found)
    assert empty["handoff"] is None and empty["posted"] is False and "no handoff on data" in empty["message"]


def test_post_sends_block_kit_and_never_prints_the_url(slack):
    url, requests = slack()
    result = invoke("--root", str(REPO), "handoff", "payments", "--at", "2026-11-23T15:00:00Z", "--post",
                    env={"OPSBOOK_SLACK_WEBHOOK_URL": url})
    assert result.exit_code == 0, result.stderr
    _no_secret(result, url)
    assert len(requests) == 1 and requests[0]["path"] == SECRET_PATH
    body = requests[0]["body"]
    assert "Priya Raman → Daniel Reyes (primary)" in body["text"]
    blocks = body["blocks"]
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "On-call handoff: Payments on-call",
                                                    "emoji": False}}
    fields = [f["text"] for f in blocks[2]["fields"]]
    # Slack ids from people.yaml become mentions.
    assert fields == ["*Outgoing primary*\n<@U05B3XN8TD>", "*Incoming primary*\n<@U03ZP1H6WQ>",
                      "*Outgoing backup*\n<@U03ZP1H6WQ>", "*Incoming backup*\n<@U06D9RV4K>"]
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    assert any(s.startswith("*Overrides in the coming shift (1)*") and "Daniel moving apartments" in s
               for s in sections)
    assert "posted to Slack (#payments-oncall)" in result.stdout


@pytest.mark.parametrize("status,answer,expected", [
    (404, b"no_service", "HTTP 404 no_service"),
    (500, b"oops " + SECRET_PATH.encode(), "HTTP 500"),
], ids=["slack-404", "server-error-echoing-the-path"])
def test_failed_post_is_a_clear_error_exit_1_without_the_url(slack, status, answer, expected):
    url, requests = slack(status, answer)
    result = invoke("--root", str(REPO), "handoff", "payments", "--at", "2026-11-23T15:00:00Z", "--post",
                    env={"OPSBOOK_SLACK_WEBHOOK_URL": url})
    assert result.exit_code == 1
    assert "handoff not posted" in result.stderr and expected in result.stderr
    assert len(requests) == 1
    _no_secret(result, url)


def test_unreachable_server_and_missing_or_cleartext_url(slack):
    url, _ = slack()
    closed = url.replace(url.split("/")[2], "127.0.0.1:9")  # nothing listens on the discard port
    result = invoke("--root", str(REPO), "handoff", "payments", "--post", env={"OPSBOOK_SLACK_WEBHOOK_URL": closed})
    assert result.exit_code == 1 and "could not reach Slack" in result.stderr
    _no_secret(result, closed)
    result = invoke("--root", str(REPO), "handoff", "payments", "--post", env={"OPSBOOK_SLACK_WEBHOOK_URL": ""})
    assert result.exit_code == 1 and "OPSBOOK_SLACK_WEBHOOK_URL is not set" in result.stderr
    remote = "http://hooks.example.com" + SECRET_PATH
    result = invoke("--root", str(REPO), "handoff", "payments", "--post", env={"OPSBOOK_SLACK_WEBHOOK_URL": remote})
    assert result.exit_code == 1 and "https://" in result.stderr
    _no_secret(result, remote)


def test_slack_debug_logging_is_scrubbed(slack, caplog):
    import logging

    from opsbook.slack import post_webhook

    url, _ = slack()
    with caplog.at_level(logging.DEBUG):
        post_webhook(url, {"text": "hi"})
    assert caplog.records and all("SECRET" not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("args,code,message", [
    (["handoff", "paymnts"], 1, "did you mean 'payments'"),
    (["handoff", "payments", "--at", "yesterday"], 2, "--at"),
    (["handoff", "payments", "--within", "soon"], 2, "--within"),
], ids=["unknown-schedule", "bad-time", "bad-duration"])
def test_handoff_errors(args, code, message):
    result = invoke("--root", str(REPO), *args)
    assert result.exit_code == code and message in result.stderr


def test_within_skips_when_no_handoff_is_due(slack):
    url, requests = slack()
    result = invoke("--root", str(REPO), "handoff", "payments", "--at", "2026-11-23T16:30:00Z", "--within", "1h",
                    "--post", env={"OPSBOOK_SLACK_WEBHOOK_URL": url})
    assert result.exit_code == 0 and "no handoff" in result.stdout and requests == []
    result = invoke("--root", str(REPO), "handoff", "payments", "--at", "2026-11-23T14:05:00Z", "--within", "1h",
                    "--post", env={"OPSBOOK_SLACK_WEBHOOK_URL": url})
    assert result.exit_code == 0 and len(requests) == 1

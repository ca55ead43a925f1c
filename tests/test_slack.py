"""Posting to a hostile webhook server: whatever it answers (the token echoed
raw, percent-encoded, base64-encoded, split into its segments, behind a
redirect, or as a connection failure), no fragment of the webhook URL's path
reaches stdout, stderr or --json output."""

from __future__ import annotations

import base64
import http.server
import json
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import invoke

REPO = Path(__file__).resolve().parents[1]
TEAM, HOOK, TOKEN = "T0A1B2C3D4", "B0Z9Y8X7W6", "q8Rk2mVn7LtP4xWz9HsJ3fDa"
SECRET_PATH = f"/services/{TEAM}/{HOOK}/{TOKEN}"


def _answers(path: str) -> dict[str, tuple[int, dict, bytes]]:
    """Hostile answers, by name: (status, headers, body)."""
    segs = path.strip("/").split("/")
    return {
        "token-after-code": (403, {}, f"invalid_token: {TOKEN}".encode()),
        "path-echoed": (500, {}, f"no route for {path}".encode()),
        "percent-encoded": (400, {}, f"bad url {quote(path, safe='')}".encode()),
        "double-encoded": (400, {}, quote(quote(path, safe=""), safe="").encode()),
        "base64-path": (403, {}, base64.b64encode(f"hook={path}".encode())),
        "base64-token-alone": (403, {}, base64.b64encode(TOKEN.encode())),
        "urlsafe-base64-offset": (403, {}, base64.urlsafe_b64encode(f"xy{TOKEN}".encode())),
        "hex-token": (403, {}, f"id {TOKEN.encode().hex()}".encode()),
        "segments-split": (403, {}, (f"team={segs[1]}; hook={segs[2]}; secret={segs[3]}").encode()),
        "json-error": (400, {"Content-Type": "application/json"},
                       json.dumps({"error": "invalid_payload", "url": path}).encode()),
        "redirect": (302, {"Location": f"/elsewhere{path}?token={TOKEN}"}, b""),
        "known-code-only": (404, {}, b"no_service"),
    }


class _Hostile(http.server.BaseHTTPRequestHandler):
    answer: str
    seen: list

    def do_POST(self):  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._reply()

    def do_GET(self):  # noqa: N802 - a redirected request may arrive as GET
        self._reply()

    def _reply(self):
        self.seen.append(self.path)
        if self.path.startswith("/elsewhere"):
            status, headers, body = 500, {}, f"you came from {self.path}".encode()
        else:
            status, headers, body = _answers(SECRET_PATH)[self.answer]
        self.send_response(status)
        for key, value in {"Content-Type": "text/plain", **headers}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def hostile(loopback):
    def start(answer: str):
        base, handler = loopback(_Hostile, answer=answer, seen=[])
        return base + SECRET_PATH, handler.seen

    return start


def _fragments() -> list[str]:
    """Every piece of the secret a reader could use, in the encodings above:
    each segment and any 8-character run of the token, raw and encoded."""
    pieces = [TEAM, HOOK, TOKEN] + [TOKEN[i:i + 8] for i in range(len(TOKEN) - 7)]
    out = set()
    for piece in pieces:
        out |= {piece, piece.lower(), quote(piece, safe=""), piece.encode().hex()}
    for text in (TOKEN, SECRET_PATH):
        for pad in ("", "x", "xy"):
            for encode in (base64.b64encode, base64.urlsafe_b64encode):
                encoded = encode((pad + text).encode()).decode()
                # any 8 consecutive characters of the encoding that lie wholly
                # inside the secret's part of it
                start = (len(pad) * 8 + 5) // 6 + 1
                out |= {encoded[i:i + 8] for i in range(start, len(encoded) - 10)}
    return sorted(out)


@pytest.mark.parametrize("answer", sorted(_answers(SECRET_PATH)))
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_no_fragment_of_the_webhook_url_is_ever_printed(hostile, answer, as_json):
    url, seen = hostile(answer)
    args = ["--root", str(REPO), "handoff", "payments", "--at", "2026-11-23T15:00:00Z", "--post"]
    result = invoke(*args, *(["--json"] if as_json else []), env={"OPSBOOK_SLACK_WEBHOOK_URL": url})
    assert seen, "the post reached the server"
    assert result.exit_code == 1, result.output
    if as_json:  # the one JSON document carries the error; stderr stays quiet
        error = json.loads(result.stdout)["error"]
        assert error["code"] == "post_failed" and "handoff not posted" in error["message"]
    else:
        assert "handoff not posted" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    printed = result.stdout + result.stderr
    leaked = [f for f in _fragments() if f in printed]
    assert not leaked, (leaked, printed)


def test_a_documented_slack_error_code_is_still_shown(hostile):
    url, _ = hostile("token-after-code")
    result = invoke("--root", str(REPO), "handoff", "payments", "--at", "2026-11-23T15:00:00Z", "--post",
                    env={"OPSBOOK_SLACK_WEBHOOK_URL": url})
    assert "HTTP 403 invalid_token" in result.stderr
    url, _ = hostile("path-echoed")
    result = invoke("--root", str(REPO), "handoff", "payments", "--at", "2026-11-23T15:00:00Z", "--post",
                    env={"OPSBOOK_SLACK_WEBHOOK_URL": url})
    assert "HTTP 500" in result.stderr and "withheld" in result.stderr


@pytest.mark.parametrize("text", [
    f"seg {TEAM}", f"{TOKEN[:12]}", quote(SECRET_PATH, safe=""), base64.b64encode(f"ab{SECRET_PATH}".encode()).decode(),
    TOKEN.encode().hex().upper(),
], ids=["segment", "token-prefix", "percent", "base64", "hex-upper"])
def test_scrub_removes_each_spelling(text):
    from opsbook.slack import scrub

    url = "https://hooks.slack.com" + SECRET_PATH
    cleaned = scrub(text, url)
    assert TEAM not in cleaned and TOKEN[:12] not in cleaned
    assert not any(f in cleaned for f in _fragments() if len(f) >= 12), cleaned


def test_a_server_that_drips_its_answer_is_cut_off_at_the_deadline():
    """Found in review: slack_sdk's timeout bounds each read, so a server sending one
    byte a second held `handoff --post` for half an hour. One deadline now covers
    the whole exchange."""
    import socket
    import time

    from opsbook.slack import SlackError, post_webhook

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def drip():
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        while not stop.is_set():
            try:
                conn.sendall(b"o")
            except OSError:
                break
            time.sleep(0.5)
        conn.close()

    threading.Thread(target=drip, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}{SECRET_PATH}"
    started = time.monotonic()
    try:
        with pytest.raises(SlackError, match="no complete answer within 2 s") as caught:
            post_webhook(url, {"text": "hi"}, timeout=2)
    finally:
        stop.set()
        listener.close()
    assert time.monotonic() - started < 30  # a safety net against a hang, not a timing assertion
    assert TOKEN not in str(caught.value)

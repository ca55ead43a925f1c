"""Shared fixtures: a minimal valid knowledge base and an in-process `validate`.

``make_kb(tmp_path, files)`` writes the base below and then applies ``files``
(relative path -> text, bytes, or None to delete). Tests that assert a line
number either override a whole file (so the numbers are in the test) or rely on
the base files' layout, which is why these texts must not be reflowed casually:
``tests/test_rules.py`` points at lines in them.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Mapping

import pytest
from click.testing import CliRunner

from opsbook.cli import cli

NOW = "2026-06-01T12:00:00Z"


def _d(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# Line numbers in these files are referenced by tests (see the comments).
BASE_FILES: dict[str, str] = {
    "opsbook.yaml": _d("""
        name: Acme
        timezone: America/New_York
        services:
          - id: payments-api
            name: Payments API
            team: payments
            escalation: payments
            schedule: payments
            tier: 1
          - id: checkout-web
            name: Hosted Checkout
            team: payments
            escalation: payments
            schedule: payments
            tier: 2
        """),
    "schedules/people.yaml": _d("""
        people:
          - {id: alice, name: Alice Nguyen, email: alice@acme.example, timezone: America/New_York}
          - {id: bob, name: Bob Okafor, email: bob@acme.example}
          - {id: carol, name: Carol Diaz, email: carol@acme.example}
          - {id: dave, name: Dave Lee, email: dave@acme.example, timezone: Europe/London}
        teams:
          - {id: payments, name: Payments, members: [alice, bob, carol], lead: alice}
          - {id: platform, name: Platform, members: [dave]}
        """),
    "schedules/payments.yaml": _d("""
        name: Payments on-call
        team: payments
        timezone: America/New_York
        layers:
          - name: weekly
            members: [alice, bob, carol]
            start: 2026-01-05T09:00
            length: 1w
            backup: next
            restrict:
              - {days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00"}
        overrides:
          - {role: primary, person: carol, start: 2026-03-10T18:00, end: 2026-03-12T09:00, reason: swap}
        """),
    "schedules/escalation.yaml": _d("""
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
        """),
    "playbooks/severity.yaml": _d("""
        levels:
          - id: SEV1
            name: Critical
            description: Most customers cannot pay.
            examples: [Checkout down]
            page: true
            ack_within: 5m
            update_every: 30m
            roles: [commander, comms]
            postmortem: required
            postmortem_due: 5d
            status_page: required
            escalation: payments
          - id: SEV2
            name: Major
            page: true
            ack_within: 15m
            roles: [commander]
            postmortem: required
            postmortem_due: 5bd
          - id: SEV3
            name: Minor
            postmortem: none
        decision_tree:
          start: customers
          questions:
            - id: customers
              text: Are customers affected?
              yes: widespread
              no: SEV3
            - id: widespread
              text: Are most customers affected?
              yes: SEV1
              no: SEV2
        """),
    "runbooks/payments/checkout-errors.md": _d("""
        ---
        title: Checkout error rate high
        service: payments-api
        owner: payments
        alerts: [CheckoutErrorRate]
        severity: SEV2
        last_reviewed: 2026-05-22
        tags: [payments, checkout]
        ---
        # Checkout error rate high

        ## Trigger

        CheckoutErrorRate fires above 2% for 5 minutes.

        ## Diagnosis

        Check the acquirer dashboard.

        ## Mitigation

        Fail over to the second acquirer.

        ## Verification

        The error rate drops below 0.5%.

        ## Rollback

        Fail back once the acquirer is healthy.

        ## Escalation

        Page the payments backup.
        """),
    "incidents/INC-2026-001.yaml": _d("""
        id: INC-2026-001
        title: Card payments failing at checkout
        severity: SEV1
        status: resolved
        services: [payments-api]
        commander: alice
        roles: {comms: bob}
        started: 2026-03-14T14:02:00Z
        detected: 2026-03-14T14:05:00Z
        declared: 2026-03-14T14:06:00Z
        acknowledged: 2026-03-14T14:07:00Z
        mitigated: 2026-03-14T14:40:00Z
        resolved: 2026-03-14T15:10:00Z
        public: true
        impact: major
        runbooks: [payments/checkout-errors]
        updates:
          - {at: 2026-03-14T14:10:00Z, status: investigating, message: "Card payments are failing.", components: {checkout: major_outage}}
          - {at: 2026-03-14T15:10:00Z, status: resolved, message: "Fixed.", components: {checkout: operational}}
        timeline:
          - {at: 2026-03-14T14:05:00Z, text: "Alert CheckoutErrorRate fired", by: alice}
          - {at: 2026-03-14T14:40:00Z, text: "Failed over to the second acquirer", by: bob}
        """),
    "postmortems/2026/2026-03-14-card-payments.md": _d("""
        ---
        incident: INC-2026-001
        title: Card payments failing at checkout
        status: published
        owner: alice
        date: 2026-03-18
        visibility: internal
        authors: [alice, bob]
        action_items:
          - {id: AI-1, title: Alert on acquirer latency, owner: bob, due: 2026-04-15, status: done, type: detect}
          - {id: AI-2, title: Automate acquirer failover, owner: carol, due: 2026-07-01, status: open, type: mitigate}
        ---
        # Card payments failing at checkout

        ## Summary

        One acquirer timed out.

        ## Action items

        See the front matter.
        """),
    "status/page.yaml": _d("""
        name: Acme Status
        url: https://status.acme.example
        timezone: UTC
        groups:
          - {id: core, name: Core}
        components:
          - {id: checkout, name: Checkout, group: core, services: [checkout-web]}
          - {id: api, name: API, group: core, services: [payments-api]}
        """),
}


def write_files(root: Path, files: Mapping[str, str | bytes | None]) -> None:
    for rel, content in files.items():
        target = root / rel
        if content is None:
            if target.exists():
                target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            # newline="" keeps CRLF texts exactly as given
            with open(target, "w", encoding="utf-8", newline="") as handle:
                handle.write(content)


def make_kb(tmp_path: Path, files: Mapping[str, str | bytes | None] | None = None) -> Path:
    """A valid knowledge base under ``tmp_path/kb`` with ``files`` applied on top."""
    root = tmp_path / "kb"
    root.mkdir(parents=True, exist_ok=True)
    write_files(root, BASE_FILES)
    write_files(root, files or {})
    return root


def invoke(*args: str, env: Mapping[str, str] | None = None):
    """Run the CLI in-process; returns click's Result (stdout/stderr separate)."""
    return CliRunner().invoke(cli, list(args), env=dict(env or {}), catch_exceptions=False)


def run_validate(root: Path, *extra: str, now: str = NOW) -> tuple[int, dict]:
    """`opsbook --root ROOT validate --json --now NOW` -> (exit code, parsed JSON)."""
    result = invoke("--root", str(root), "validate", "--json", "--now", now, *extra)
    return result.exit_code, json.loads(result.stdout)


def run_validate_text(root: Path, *extra: str, now: str = NOW):
    """Text format; returns click's Result."""
    return invoke("--root", str(root), "validate", "--now", now, *extra)


def codes(payload: dict) -> list[str]:
    return [d["code"] for d in payload["diagnostics"]]


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return make_kb(tmp_path)


# --- a real browser -------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Skips where Chromium is absent,
    except under OPSBOOK_REQUIRE_BROWSER=1 (CI), where that is a failure."""
    import os

    if not Path(CHROMIUM).exists():
        if os.environ.get("OPSBOOK_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def serve():
    """serve(folder) -> base URL of a loopback HTTP server for that folder."""
    import functools
    import http.server
    import threading

    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


class _QuietHandler(__import__("http.server").server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output readable
        pass


def open_page(browser, url: str, width: int = 1280, height: int = 900):
    """A page at ``url`` and the console errors it produced while loading."""
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url, wait_until="networkidle")
    return page, errors


def run_async(main):
    """``anyio.run(main)`` on a thread of its own.

    The session-wide ``browser`` fixture keeps Playwright's event loop running
    on the main thread for the rest of the session, so a test that runs after a
    browser test and starts its own loop there fails ("Cannot run the event loop
    while another loop is running"). A fresh thread has no running loop.
    """
    import threading

    import anyio

    result: dict = {}

    def target():
        try:
            result["value"] = anyio.run(main)
        except BaseException as exc:  # noqa: BLE001 - re-raised on the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=target, name="test-event-loop")
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


@pytest.fixture
def loopback():
    """start(handler class, **class attributes) -> (base URL, the handler class).

    A throwaway HTTP server on 127.0.0.1 for tests that talk to a webhook (Slack,
    GitHub): each start gets its own subclass, so recorded requests never mix,
    and every server is shut down after the test.
    """
    import http.server as _http
    import threading

    servers = []

    def start(handler: type, **attributes):
        cls = type(handler.__name__, (handler,), attributes)
        server = _http.ThreadingHTTPServer(("127.0.0.1", 0), cls)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}", cls

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()

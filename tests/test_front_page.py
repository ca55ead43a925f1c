"""The front page at 3 AM: what is burning, who is on call now and next, what
is overdue, how ready we are; right at the build, and right later by the
reader's clock (Chromium with a pinned clock and time zone).

The knowledge base is the small one from conftest with a 24/7 weekly rotation
and an open incident, so every expected value below is worked out by hand:

- rotation alice -> bob -> carol, weekly from Mon 2026-01-05 09:00 New York,
  backup "next"; Mon 2026-06-01 is 21 weeks later, 21 % 3 = 0: alice's week,
  bob backup; Mon 06-08 09:00 EDT (13:00 UTC) bob takes over, carol backup.
- INC-2026-002, SEV1 (update every 30 min), last update 13:40 UTC: the next is
  due 14:10 UTC = 10:10 EDT; overdue from then on.
- action items: AI-2 due 2026-05-20 (overdue at the build), AI-3 due 2026-06-03
  (overdue from Thu 06-04 00:00 EDT = 04:00 UTC), AI-1 done.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import make_kb

from opsbook.load import load
from opsbook.render.front import MARKER, front_block
from opsbook.render.page import Site

BUILD = datetime(2026, 6, 1, 14, 0, tzinfo=timezone.utc)  # Mon 10:00 EDT

FILES = {
    "schedules/payments.yaml": textwrap.dedent("""\
        name: Payments on-call
        team: payments
        timezone: America/New_York
        layers:
          - name: weekly
            members: [alice, bob, carol]
            start: 2026-01-05T09:00
            length: 1w
            backup: next
        """),
    "incidents/INC-2026-002.yaml": textwrap.dedent("""\
        id: INC-2026-002
        title: Card payments <failing> again
        severity: SEV1
        status: investigating
        services: [payments-api]
        commander: alice
        declared: 2026-06-01T13:30:00Z
        public: true
        impact: major
        updates:
          - {at: 2026-06-01T13:40:00Z, status: investigating, message: "Payments fail.", components: {api: major_outage}}
        """),
    "postmortems/2026/2026-03-14-card-payments.md": textwrap.dedent("""\
        ---
        incident: INC-2026-001
        title: Card payments failing at checkout
        status: published
        owner: alice
        date: 2026-03-18
        visibility: public
        authors: [alice, bob]
        action_items:
          - {id: AI-1, title: Alert on acquirer latency, owner: bob, due: 2026-04-15, status: done, type: detect}
          - {id: AI-2, title: Automate acquirer failover, owner: carol, due: 2026-05-20, status: open, type: mitigate}
          - {id: AI-3, title: Second acquirer contract, owner: bob, due: 2026-06-03, status: open, type: prevent}
        ---
        # Card payments failing at checkout

        ## Summary

        One acquirer timed out.

        ## Action items

        See the front matter.
        """),
    "mkdocs.yml": textwrap.dedent("""\
        site_name: Acme handbook
        docs_dir: docs
        theme:
          name: material
          font: false
          features: [content.code.copy]
        plugins:
          - search
          - opsbook:
              audience: !ENV [OPSBOOK_AUDIENCE, public]
              now: "2026-06-01T14:00:00Z"
        markdown_extensions: [admonition, attr_list, tables, pymdownx.details, pymdownx.superfences]
        validation:
          nav:
            omitted_files: info
        """),
    "docs/index.md": f"# Acme handbook\n\nIntro.\n\n{MARKER}\n\n## Below\n\nMore.\n",
}


@pytest.fixture(scope="module")
def kb_root(tmp_path_factory) -> Path:
    return make_kb(tmp_path_factory.mktemp("front"), FILES)


def block(root: Path, audience: str) -> str:
    kb, diags = load(root)
    assert kb is not None, diags
    return front_block(Site(kb=kb, audience=audience, now=BUILD))


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_build_time_answers(kb_root, audience):
    md = block(kb_root, audience)
    # The open incident, escaped, with its level, next update and the runbook of its service.
    assert "[INC-2026-002: Card payments &lt;failing&gt; again](incidents/INC-2026-002.md)" in md
    assert "[SEV1](severity.md#level-sev1){: .opsbook-sev .opsbook-sev-0 }" in md
    assert "2026-06-01 10:10 EDT (14:10 UTC)" in md
    assert '<span class="opsbook-when opsbook-out" data-from="1780323000000">overdue</span>' in md  # 14:10Z
    assert "[Checkout error rate high](runbooks/payments/checkout-errors.md)" in md
    # The resolved incident is not active.
    assert "INC-2026-001" not in md.split("### On call now")[0]
    # On call now and next.
    assert '<span class="opsbook-oncall-primary">Alice Nguyen</span>' in md
    assert '<span class="opsbook-oncall-backup">Bob Okafor</span>' in md
    assert '<span class="opsbook-oncall-next">Mon 08 Jun 2026 09:00 EDT</span>' in md
    assert '<span class="opsbook-oncall-following">Bob Okafor (backup Carol Diaz)</span>' in md
    # Overdue items: AI-2 shown, AI-3 (not yet overdue) hidden until 2026-06-04 04:00 UTC, AI-1 done.
    assert '<span class="opsbook-row-when" data-from="1779336000000" data-group="overdue"></span>' \
           'Automate acquirer failover' in md  # from 2026-05-21 04:00Z
    assert '<span class="opsbook-row-when opsbook-out" data-from="1780545600000" data-group="overdue"></span>' \
           'Second acquirer contract' in md
    assert "Alert on acquirer latency" not in md
    assert '<p class="opsbook-empty opsbook-out" data-empty-for="overdue">Nothing is overdue.</p>' in md
    # Commanders are incident roles: internal builds only.
    assert ("Alice Nguyen |" in md) == (audience == "internal")


def test_public_block_lists_only_what_the_status_page_showed(kb_root, tmp_path):
    hidden = make_kb(tmp_path, {**FILES, "incidents/INC-2026-002.yaml":
                                FILES["incidents/INC-2026-002.yaml"].replace("public: true", "public: false")})
    assert "INC-2026-002" not in block(hidden, "public")
    assert "INC-2026-002" in block(hidden, "internal")


def test_internal_postmortem_items_stay_out_of_public(kb_root, tmp_path):
    internal = make_kb(tmp_path, {**FILES, "postmortems/2026/2026-03-14-card-payments.md":
                                  FILES["postmortems/2026/2026-03-14-card-payments.md"]
                                  .replace("visibility: public", "visibility: internal")})
    assert "Automate acquirer failover" not in block(internal, "public")
    assert "Automate acquirer failover" in block(internal, "internal")


def test_readiness_score_from_the_doctor(kb_root):
    doctor = pytest.importorskip("opsbook.doctor")
    kb, _ = load(kb_root)
    card = doctor.scorecard(kb, BUILD)
    md = block(kb_root, "public")
    assert f"**{card.passed} of {card.total}** readiness checks pass" in md


@pytest.mark.parametrize("home", [
    "# Home\n\nNo block here.\n",
    f"# Home\n\nNo block here: write `{MARKER}` on a line of its own.\n",
    f"# Home\n\nNo block here.\n\n```html\nfenced, indented:\n    {MARKER}\n```\n",
], ids=["absent", "quoted-inline", "indented-in-a-fence"])
def test_a_page_without_the_marker_on_its_own_line_is_left_alone(kb_root, tmp_path, home):
    root = make_kb(tmp_path, {**FILES, "docs/index.md": home})
    site = build(root, tmp_path / "site", "public")
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "No block here" in html and 'id="right-now"' not in html


def build(root: Path, out: Path, audience: str) -> Path:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "OPSBOOK_AUDIENCE": audience}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=root,
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def site(kb_root, tmp_path_factory) -> Path:
    return build(kb_root, tmp_path_factory.mktemp("front-site"), "internal")


def _at(text: str) -> datetime:
    """An aware instant for Playwright's clock (a bare number there means seconds)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _visible_texts(page, selector: str) -> list[str]:
    return [el.inner_text().strip() for el in page.locator(selector).all() if el.is_visible()]


def test_front_page_follows_the_browser_clock(browser, serve, site):
    context = browser.new_context(timezone_id="America/New_York", viewport={"width": 390, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.clock.install(time=_at("2026-06-01T14:00:00Z"))
        page.goto(serve(site), wait_until="networkidle")
        box = page.locator('[data-oncall-schedule="payments"]')
        assert box.get_attribute("data-oncall-live") == "true"
        assert box.locator(".opsbook-oncall-primary").inner_text() == "Alice Nguyen"
        assert box.locator(".opsbook-oncall-following").inner_text() == "Bob Okafor (backup Carol Diaz)"
        # Internal build: how to reach them (conftest's people have e-mail addresses only).
        primary_contact = box.locator(".opsbook-oncall-primary-contact a")
        assert primary_contact.get_attribute("href") == "mailto:alice@acme.example"
        rows = _visible_texts(page, "#overdue-action-items ~ * tr:has(.opsbook-row-when)")
        assert len(rows) == 1 and "Automate acquirer failover" in rows[0]
        assert not page.locator(".opsbook-when").first.is_visible()  # the update is not overdue yet

        # Eight days on (Tue 06-09 10:00 EDT): bob's week, AI-3 overdue, the update long overdue.
        page.clock.set_system_time(_at("2026-06-09T14:00:00Z"))
        page.clock.run_for(61_000)  # the scripts refresh each minute
        assert box.locator(".opsbook-oncall-primary").inner_text() == "Bob Okafor"
        assert box.locator(".opsbook-oncall-backup").inner_text() == "Carol Diaz"
        assert [a.get_attribute("href") for a in box.locator(".opsbook-oncall-primary-contact a").all()] \
            == ["mailto:bob@acme.example"]
        assert box.locator(".opsbook-oncall-backup-contact a").get_attribute("href") == "mailto:carol@acme.example"
        rows = _visible_texts(page, "#overdue-action-items ~ * tr:has(.opsbook-row-when)")
        assert len(rows) == 2 and "Second acquirer contract" in " ".join(rows)
        assert page.locator(".opsbook-when").first.is_visible()
        assert errors == []
    finally:
        context.close()


def test_schedule_page_upcoming_and_today_follow_the_browser_clock(browser, serve, site):
    context = browser.new_context(timezone_id="Europe/Berlin", viewport={"width": 390, "height": 900})
    page = context.new_page()
    try:
        page.clock.install(time=_at("2026-06-09T14:00:00Z"))
        page.goto(serve(site) + "oncall/payments/", wait_until="networkidle")
        # Today is Tue 06-09 in the schedule's zone, whatever the reader's zone.
        marked = page.locator(".opsbook-day.opsbook-today-mark")
        assert marked.count() == 1 and marked.get_attribute("data-day") == "2026-06-09"
        starts = {text.split("\n")[-1] if "\n" in text else text
                  for text in _visible_texts(page, "tr:has(.opsbook-row-when) td:first-child")}
        # Shifts current or starting within seven days of Tue 06-09 10:00 EDT:
        # bob/carol from 06-08, carol/alice from 06-15; alice's week is over.
        assert any("08 Jun" in s for s in starts) and any("15 Jun" in s for s in starts)
        assert not any("01 Jun" in s for s in starts)
    finally:
        context.close()


def test_without_scripts_the_build_answer_stands(browser, serve, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(serve(site))
        rows = _visible_texts(page, "tr:has(.opsbook-row-when)")
        assert len(rows) == 1 and "Automate acquirer failover" in rows[0]
        assert page.locator(".opsbook-oncall-primary").first.inner_text() == "Alice Nguyen"
    finally:
        context.close()


def test_action_tracker_recounts_overdue_days_by_the_browser_clock(browser, serve, site):
    # Tue 06-09 10:00 EDT: AI-2 (due 05-20) is 11 + 9 = 20 days late, AI-3 (due 06-03) 6 days.
    context = browser.new_context(timezone_id="Asia/Tokyo")  # the reader's zone does not matter
    page = context.new_page()
    try:
        page.clock.install(time=_at("2026-06-09T14:00:00Z"))
        page.goto(serve(site) + "actions/", wait_until="networkidle")
        rows = [r for r in page.locator("tr:has(.opsbook-row-when)").all() if r.is_visible()]
        counts = {r.locator("td").nth(0).inner_text().strip(): r.locator(".opsbook-days-late").inner_text()
                  for r in rows}
        assert counts == {"AI-2": "20", "AI-3": "6"}
        assert not page.locator(".opsbook-empty").is_visible()
    finally:
        context.close()
    # Without scripts: the build's answer (Mon 06-01: AI-2 is 12 days late, AI-3 not yet).
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(serve(site) + "actions/")
        rows = [r for r in page.locator("tr:has(.opsbook-row-when)").all() if r.is_visible()]
        assert [r.locator(".opsbook-days-late").inner_text() for r in rows] == ["12"]
    finally:
        context.close()

"""The on-call section of the site: pages, feeds and the script, built by MkDocs
from the example, and checked in Chromium (the "now" answer follows the
reader's clock, not the build's)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import make_kb, open_page

from opsbook.load import load
from opsbook.render import render_pages

REPO = Path(__file__).resolve().parents[1]
AS_OF = datetime(2026, 11, 20, 15, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def pages():
    kb, _ = load(REPO)
    return render_pages(kb, "public", AS_OF)


def test_every_schedule_and_person_has_a_page_and_feeds(pages):
    for path in ("oncall/index.md", "oncall/payments.md", "oncall/platform.md", "oncall/data.md",
                 "oncall/people/maya.md", "oncall/payments.ics", "oncall/people/maya.ics",
                 "assets/opsbook/oncall.js"):
        assert path in pages, path


def test_index_has_the_build_time_answer_and_safe_embedded_data(pages):
    md = pages["oncall/index.md"].markdown
    block = re.search(r'<div class="opsbook-oncall-now" data-oncall-schedule="payments">.*?</div>', md, re.S).group(0)
    assert '<span class="opsbook-oncall-primary">Priya Raman</span>' in block
    assert "as of the build, Fri 20 Nov 2026 10:00 EST" in block
    raw = re.search(r'<script type="application/json" id="opsbook-oncall-data">(.*?)</script>', md).group(1)
    data = json.loads(raw)
    assert data["built"] == int(AS_OF.timestamp() * 1000)
    assert {s["id"] for s in data["schedules"]} == {"payments", "platform", "data"}
    # The script comes with every page (extra_javascript), not from a tag whose path
    # would depend on the engine's URL style.
    assert "<script src=" not in md


def test_names_cannot_break_out_of_the_page(tmp_path):
    evil = "</script><script>alert(1)</script> *x* | y"
    root = make_kb(tmp_path)
    text = (root / "schedules/people.yaml").read_text().replace("name: Alice Nguyen", f"name: '{evil}'")
    (root / "schedules/people.yaml").write_text(text)
    kb, diags = load(root)
    built = render_pages(kb, "public", datetime(2026, 6, 1, 14, tzinfo=timezone.utc))
    index = built["oncall/index.md"].markdown
    assert "<script>alert" not in index
    assert index.count("<script") == 1  # the JSON data, nothing else
    schedule_page = built["oncall/payments.md"].markdown
    assert "<script>" not in schedule_page and "\\| y" in schedule_page


def test_calendar_grid_uses_initials_with_a_legend_and_links_feeds(pages):
    md = pages["oncall/payments.md"].markdown
    assert "| Mon | Tue | Wed | Thu | Fri | Sat | Sun |" in md
    # Monday: Maya hands to Priya at 09:00; each label in its person's colour
    # (by their place in people.yaml: maya first, priya second).
    assert ('<span class="opsbook-day" data-day="2026-11-16" data-zone="America/New_York"></span>**16 Nov**<br>'
            '<span class="opsbook-who opsbook-c0">MO</span> → <span class="opsbook-who opsbook-c1">PR</span>') in md
    # The build's today (Fri 20 Nov in New York) is marked; no other day is.
    assert md.count("opsbook-today-mark") == 1
    assert 'opsbook-today-mark" data-day="2026-11-20"' in md
    assert '<span class="opsbook-who opsbook-c1">PR</span> [Priya Raman](people/priya.md)' in md
    assert "[payments.ics](payments.ics)" in md and "webcal://larkspur.github.io/incidents/oncall/payments.ics" in md
    # The escalation timeline names who each target reaches at the build (Priya is primary).
    assert ('1. **at once**: [Payments on-call (primary)](payments.md), now <span data-oncall-resolve="payments" '
            'data-oncall-role="primary">Priya Raman</span>') in md


def test_no_contact_details_on_public_pages(pages):
    text = "".join(p.markdown for path, p in pages.items() if path.startswith("oncall/") and path.endswith(".md"))
    assert "@larkspur.example" not in text and "+1 212" not in text and "U04KQ7M2R" not in text


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("oncall-site")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=REPO,
                          capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.parametrize("clock,primary,backup", [
    ("2026-12-01T12:00:00Z", "Oliver Hughes", "Maya Okafor"),   # a later week than the build
    ("2026-11-25T12:00:00Z", "Priya Raman", "Oliver Hughes"),   # the Thanksgiving override
], ids=["next-week", "override"])
def test_browser_recomputes_now_from_the_readers_clock(browser, serve, site, clock, primary, backup):
    ms = int(datetime.fromisoformat(clock.replace("Z", "+00:00")).timestamp() * 1000)
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(f"Date.now = () => {ms};")
    try:
        page.goto(serve(site) + "oncall/", wait_until="networkidle")
        box = page.locator('[data-oncall-schedule="payments"]')
        assert box.get_attribute("data-oncall-live") == "true"
        assert box.locator(".opsbook-oncall-primary").inner_text() == primary
        assert box.locator(".opsbook-oncall-backup").inner_text() == backup
        assert "by your clock" in box.locator(".opsbook-oncall-asof").inner_text()
        assert errors == []
    finally:
        page.close()


def test_browser_keeps_the_build_answer_when_the_data_is_stale(browser, serve, site):
    page = browser.new_page()
    page.add_init_script("Date.now = () => Date.UTC(2030, 0, 1);")
    try:
        page.goto(serve(site) + "oncall/", wait_until="networkidle")
        box = page.locator('[data-oncall-schedule="payments"]')
        assert box.locator(".opsbook-oncall-primary").inner_text() == "Priya Raman"
        assert "rebuild the site" in box.locator(".opsbook-oncall-asof").inner_text()
    finally:
        page.close()


@pytest.mark.parametrize("path", ["oncall/", "oncall/payments/", "oncall/people/maya/"])
def test_pages_load_cleanly_at_phone_width(browser, serve, site, path):
    page, errors = open_page(browser, serve(site) + path, width=390)
    try:
        assert errors == []
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
    finally:
        page.close()


def test_noscript_fallback_shows_the_build_answer(browser, serve, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(serve(site) + "oncall/")
        box = page.locator('[data-oncall-schedule="payments"]')
        assert box.locator(".opsbook-oncall-primary").inner_text() == "Priya Raman"
        assert "as of the build" in box.inner_text()
    finally:
        context.close()

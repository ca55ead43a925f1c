"""The standalone status site in Debian's Chromium: readable at phone and
desktop widths, from a web server and from file://, with no console errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import invoke, open_page

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def status_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("status-browser") / "site"
    result = invoke("--root", str(REPO), "status", "build", "--out", str(out), "--now", "2026-11-20T15:00:00Z")
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
@pytest.mark.parametrize("via", ["http", "file"])
def test_status_page_reads_cleanly(browser, serve, status_site, width, via):
    url = serve(status_site) if via == "http" else (status_site / "index.html").as_uri()
    page, errors = open_page(browser, url, width=width)
    try:
        overall = page.locator(".overall-text")
        assert overall.is_visible()
        assert overall.inner_text().endswith("Minor Service Outage")  # words, after a symbol
        invoicing = page.locator(".component", has_text="Invoicing").first
        assert "Degraded performance" in invoicing.locator(".status").inner_text()
        assert page.locator("#active + .incident h3").inner_text() == \
            "Invoice creation slow and invoice emails delayed"
        assert errors == []
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        # The browser runs in another zone than the page (New York), so local times are added.
        assert page.locator("time[data-local] + .local").count() > 0
        assert page.locator(".local-note").is_visible()
    finally:
        page.close()


def test_page_is_complete_without_script(browser, status_site):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    try:
        page = context.new_page()
        page.goto((status_site / "index.html").as_uri())
        assert "Minor Service Outage" in page.locator("main").inner_text()
        assert page.locator(".local").count() == 0
        assert "10:25 EST" in page.locator(".next-update").inner_text()
    finally:
        context.close()


@pytest.mark.parametrize("path,heading", [
    ("incidents/inc-2026-006.html", "Invoice creation slow and invoice emails delayed"),
    ("incidents/inc-2026-004.html", "Dashboard sign-in failing"),
    ("maintenance/ledger-db-upgrade-2026-12.html", "Ledger database upgrade"),
    ("history/2026-09.html", "Incident history: September 2026"),
    ("history/index.html", "Incident history"),
])
def test_other_pages(browser, serve, status_site, path, heading):
    page, errors = open_page(browser, serve(status_site) + path, width=390)
    try:
        assert page.locator("h1").inner_text() == heading
        assert errors == []
    finally:
        page.close()


def test_dark_mode(browser, status_site):
    context = browser.new_context(color_scheme="dark")
    try:
        page = context.new_page()
        page.goto((status_site / "index.html").as_uri())
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(13, 17, 23)"
    finally:
        context.close()

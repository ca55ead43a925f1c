"""The published site in a real browser: it loads without console errors at
phone and desktop widths, and people find what they came for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import open_page

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=REPO,
                          capture_output=True, text=True, env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
@pytest.mark.parametrize("path,heading", [
    ("", "Larkspur"),
    ("severity/", "Severity"),
    ("runbooks/", "Runbooks"),
    ("runbooks/payments/checkout-error-rate/", "Checkout error rate high"),
    ("postmortems/", "Postmortems"),
])
def test_pages_load_cleanly(browser, serve, site, path, heading, width):
    page, errors = open_page(browser, serve(site) + path, width=width)
    try:
        assert heading in page.locator("h1").first.inner_text()
        assert errors == []
        # Nothing wider than the screen: a table may scroll inside its own box, the page may not.
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
    finally:
        page.close()


def test_search_finds_a_runbook_by_alert_name(browser, serve, site):
    page, errors = open_page(browser, serve(site))
    try:
        page.locator("input.md-search__input").click()
        page.keyboard.type("CheckoutErrorRateHigh")  # Material searches on key events
        page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
        assert "Checkout error rate high" in page.locator(".md-search-result").inner_text()
        assert errors == []
    finally:
        page.close()


def test_code_blocks_have_a_copy_button(browser, serve, site):
    """content.code.copy: a runbook's commands go to a terminal without retyping."""
    page, errors = open_page(browser, serve(site) + "runbooks/payments/checkout-error-rate/", width=390)
    try:
        blocks = page.locator("article pre > code").count()
        buttons = page.locator('article .md-clipboard, article button[data-md-type="copy"]').count()
        assert blocks > 0 and buttons == blocks
        assert errors == []
    finally:
        page.close()

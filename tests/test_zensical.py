"""The Zensical recipe (docs/zensical.md) on the example: `opsbook render --out
docs-generated`, the hand-written pages beside them, and a stock `zensical
build --strict`. Skipped when Zensical is not installed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from opsbook.cli import cli

REPO = Path(__file__).resolve().parents[1]
zensical = pytest.importorskip("zensical", reason="Zensical is not installed (pip install zensical)")
CONTENT = ("opsbook.yaml", "mkdocs.yml", "docs", "schedules", "playbooks", "runbooks", "postmortems",
           "incidents", "status")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("zensical") / "kb"
    root.mkdir()
    for name in CONTENT:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        elif source.exists():
            shutil.copy2(source, root / name)
    result = CliRunner().invoke(cli, ["--root", str(root), "render", "--out", str(root / "docs-generated"),
                                      "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    rows = answer["written"] if isinstance(answer, dict) else answer
    generated = [row["path"] for row in rows if row["path"].endswith(".md")]
    shutil.copytree(root / "docs", root / "docs-generated", dirs_exist_ok=True)
    (root / "zensical.yml").write_text("INHERIT: mkdocs.yml\ndocs_dir: docs-generated\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "zensical", "build", "--strict", "-f", "zensical.yml"],
                          cwd=root, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    return root / "site", generated


def _html_path(page: str) -> str:
    """Where a page lands with directory URLs: a/b.md -> a/b/index.html, a/index.md -> a/index.html."""
    stem = page[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem + ".html"
    return stem + "/index.html"


def test_every_generated_and_hand_written_page_is_built(built):
    site, generated = built
    pages = generated + [p.relative_to(REPO / "docs").as_posix() for p in (REPO / "docs").rglob("*.md")]
    assert len(generated) > 30
    missing = [page for page in pages if not (site / _html_path(page)).is_file()]
    assert missing == []


class _Content(HTMLParser):
    """hrefs and srcs inside the page's article (Material's .md-content)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            self.depth += tag not in ("img", "br", "hr", "input", "meta", "link")
        elif tag == "article":
            self.depth = 1
        if self.depth and tag in ("a", "img") and (attrs.get("href") or attrs.get("src")):
            self.links.append(attrs.get("href") or attrs.get("src"))

    def handle_endtag(self, tag):
        if self.depth and tag not in ("img", "br", "hr", "input", "meta", "link"):
            self.depth -= 1


def test_every_link_inside_the_content_resolves(built):
    site, _ = built
    broken, checked = [], 0
    for page in site.rglob("*.html"):
        if page.name == "404.html":
            continue
        parser = _Content()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path:
                continue  # external, tel:, mailto:, or an anchor on the same page
            target = (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            if not target.is_file():
                broken.append(f"{page.relative_to(site)} -> {link}")
    assert checked > 200
    assert broken == []


def test_search_finds_a_runbook_by_its_alert_name(built):
    site, _ = built
    index = json.loads((site / "search.json").read_text(encoding="utf-8"))
    hits = [item for item in index["items"] if "CheckoutErrorRateHigh" in json.dumps(item)]
    assert any("runbooks/payments/checkout-error-rate" in item.get("location", "") for item in hits), hits[:3]


def test_opsbook_styles_scripts_and_table_labels_are_in(built):
    site, _ = built
    html = (site / "incidents/index.html").read_text(encoding="utf-8")
    assert "assets/opsbook/site.css" in html and "assets/opsbook/site.js" in html
    assert 'data-label="Date"' in html  # opsbook.render.mdext ran
    assert (site / "assets/opsbook/site.css").is_file() and (site / "assets/opsbook/oncall.js").is_file()


@pytest.mark.parametrize("width", [390, 1280])
def test_live_pages_work_in_a_browser(browser, serve, built, width):
    site, _ = built
    context = browser.new_context(viewport={"width": width, "height": 900}, timezone_id="America/New_York")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        # A week after the example's as_of: Maya's week of primary in Payments (hand-worked in
        # tests/test_oncall_site.py: 2026-11-25 12:00 UTC is the Thanksgiving override, Priya;
        # 2026-12-01 12:00 UTC is Oliver primary, Maya backup).
        page.clock.install(time=datetime(2026, 12, 1, 12, tzinfo=timezone.utc))
        for path in ("now/", "oncall/"):
            page.goto(serve(site) + path, wait_until="networkidle")
            box = page.locator('[data-oncall-schedule="payments"]')
            assert box.get_attribute("data-oncall-live") == "true"
            assert box.locator(".opsbook-oncall-primary").inner_text() == "Oliver Hughes"
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        assert errors == []
    finally:
        context.close()

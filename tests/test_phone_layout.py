"""Every page of the site on a phone (390 px) and a desktop (1280 px), in
Chromium: the public and internal builds of the example and a fresh `init`.

Per page: no sideways scrolling (the document is no wider than the window), no
clipped table (neither the table nor the box around it scrolls, and its right
edge is inside the window), no console error, and Material's copy button on
every code block. Across pages: one colour per severity level, a different one
per level; on phones wide tables are cards whose cells carry their column's
label.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from opsbook.cli import cli

REPO = Path(__file__).resolve().parents[1]

# What one page looks like, measured in the browser.
MEASURE = """() => {
  const out = {overflow: document.documentElement.scrollWidth - window.innerWidth, clipped: [],
               code: document.querySelectorAll('article pre > code').length,
               // Material 9.5 names the button .md-clipboard; 9.6+ a copy-type .md-code__button.
               copy: document.querySelectorAll('article .md-clipboard, article button[data-md-type="copy"]').length,
               badges: []};
  for (const table of document.querySelectorAll('article table')) {
    const box = table.getBoundingClientRect();
    if (box.width === 0) continue;  // hidden (a time-relative list with nothing to show)
    const label = (table.querySelector('th') || {}).textContent || '?';
    for (const el of [table, table.closest('.md-typeset__scrollwrap'), table.closest('.md-typeset__table')]) {
      if (el && el.scrollWidth > el.clientWidth + 1) out.clipped.push(label + ': ' + el.scrollWidth + ' > ' + el.clientWidth);
    }
    if (box.right > window.innerWidth + 1) out.clipped.push(label + ': right edge at ' + box.right);
  }
  for (const a of document.querySelectorAll('article a.opsbook-sev')) {
    out.badges.push([a.textContent.trim().split(' ')[0], getComputedStyle(a).backgroundColor]);
  }
  return out;
}"""


def _build(root: Path, out: Path, audience: str) -> Path:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "OPSBOOK_AUDIENCE": audience}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=root,
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("layout")
    fresh = base / "fresh"
    result = CliRunner().invoke(cli, ["init", str(fresh), "--name", "Acme"])
    assert result.exit_code == 0, result.output
    return {"public": _build(REPO, base / "public", "public"),
            "internal": _build(REPO, base / "internal", "internal"),
            "init": _build(fresh, base / "init-site", "public")}


def _pages(site: Path) -> list[str]:
    # 404.html links its assets from site_url's path (/incidents/...), which this
    # local server does not have; every other page uses relative links.
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.name != "404.html")


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
@pytest.mark.parametrize("build", ["public", "internal", "init"])
def test_every_page_fits_and_loads_cleanly(browser, serve, sites, build, width):
    site = sites[build]
    base = serve(site)
    pages = _pages(site)
    assert len(pages) >= (10 if build == "init" else 40)
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
    problems: list[str] = []
    colours: dict[str, set[str]] = {}
    copy_buttons = 0
    try:
        for path in pages:
            errors.clear()
            page.goto(base + path, wait_until="load")
            found = page.evaluate(MEASURE)
            if found["overflow"] > 0:
                problems.append(f"{path}: scrolls sideways by {found['overflow']} px")
            problems.extend(f"{path}: clipped table {c}" for c in found["clipped"])
            problems.extend(f"{path}: {e}" for e in errors)
            if found["code"] and found["copy"] < found["code"]:
                problems.append(f"{path}: {found['code']} code blocks, {found['copy']} copy buttons")
            copy_buttons += found["copy"]
            for level, colour in found["badges"]:
                colours.setdefault(level, set()).add(colour)
    finally:
        page.close()
    assert problems == []
    if build != "init":
        assert copy_buttons > 0  # the example's runbooks have commands to copy
        # One colour per level, and no two levels alike.
        assert {"SEV1", "SEV2"} <= set(colours)
        assert all(len(c) == 1 for c in colours.values()), colours
        assert len({next(iter(c)) for c in colours.values()}) == len(colours), colours


@pytest.mark.parametrize("path,first_label", [
    ("incidents/", "Date"),
    ("actions/", "ID"),
    ("runbooks/", "Alert"),
])
def test_wide_tables_are_labelled_cards_on_a_phone(browser, serve, sites, path, first_label):
    page = browser.new_page(viewport={"width": 390, "height": 900})
    try:
        page.goto(serve(sites["internal"]) + path, wait_until="load")
        cell = page.locator("article table[data-cols] tbody td").first
        assert page.evaluate("el => getComputedStyle(el).display", cell.element_handle()) == "block"
        label = page.evaluate("el => getComputedStyle(el, '::before').content", cell.element_handle())
        assert label == f'"{first_label}"'
    finally:
        page.close()

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(serve(sites["internal"]) + path, wait_until="load")
        cell = page.locator("article table[data-cols] tbody td").first
        assert page.evaluate("el => getComputedStyle(el).display", cell.element_handle()) == "table-cell"
    finally:
        page.close()


def test_month_grid_fits_a_phone_and_colours_each_person(browser, serve, sites):
    page = browser.new_page(viewport={"width": 390, "height": 900})
    try:
        page.goto(serve(sites["public"]) + "oncall/platform/", wait_until="load")
        grid = page.locator("article table:has(.opsbook-day)")
        box = grid.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        # Every label of one person has that person's colour; different people differ.
        by_person = page.evaluate("""() => {
          const out = {};
          for (const s of document.querySelectorAll('article .opsbook-who')) {
            (out[s.textContent] = out[s.textContent] || new Set()).add(getComputedStyle(s).backgroundColor);
          }
          return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v]]));
        }""")
        assert len(by_person) >= 3
        assert all(len(c) == 1 for c in by_person.values()), by_person
        assert len({c[0] for c in by_person.values()}) == len(by_person), by_person
    finally:
        page.close()


@pytest.mark.parametrize("header,label", [
    ("Who", "Who"),
    ('Say "hi" <b>now</b>', 'Say "hi" now'),        # inline HTML is no label text
    ("**Due** `date`", "Due date"),
    ("a &amp; b", "a & b"),
    ("&amp;lt; not a tag", "&lt; not a tag"),       # decoded once, not twice
    ("x &lt;script&gt;", "x <script>"),            # opsbook's escaped data: the text the reader sees
])
def test_table_labels_extension_labels_cells_safely(header, label):
    """The phone layout's labels come from the header's text, set as an attribute
    through ElementTree (escaped), so a header cannot inject markup."""
    from html.parser import HTMLParser

    import markdown

    html = markdown.markdown(f"| {header} | B | C |\n|---|---|---|\n| 1 | 2 | 3 |\n",
                             extensions=["tables", "opsbook.render.mdext"])

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tables, self.cells = [], []

        def handle_starttag(self, tag, attrs):
            if tag == "table":
                self.tables.append(dict(attrs))
            if tag == "td":
                self.cells.append(dict(attrs).get("data-label"))

    parsed = Cells()
    parsed.feed(html)
    assert parsed.tables == [{"data-cols": "3"}]
    assert parsed.cells == [label, "B", "C"]

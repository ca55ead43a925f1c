"""The metrics page: deterministic, parseable SVG charts with text alternatives and
data tables, what each audience may see, and the page in Chromium at phone and
desktop widths in light and dark mode."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import make_kb, open_page
from opsbook.load import load
from opsbook.render import render_pages
from test_metrics import FILES, _d

REPO = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"
AS_OF = datetime(2026, 11, 20, 15, tzinfo=timezone.utc)
FIXTURE_NOW = datetime(2026, 3, 11, 16, tzinfo=timezone.utc)


def metrics_page(root: Path, audience: str, now: datetime) -> str:
    kb, diags = load(root)
    assert kb is not None
    return render_pages(kb, audience, now)["metrics/index.md"].markdown


def svgs(markdown: str) -> list[ET.Element]:
    return [ET.fromstring(match) for match in re.findall(r"<svg .*?</svg>", markdown)]


@pytest.fixture(scope="module")
def example_pages():
    return {audience: metrics_page(REPO, audience, AS_OF) for audience in ("public", "internal")}


def test_five_charts_that_parse_with_title_description_and_a_table(example_pages):
    page = example_pages["internal"]
    charts = svgs(page)
    assert len(charts) == 5
    for svg in charts:
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title is not None and title.text and desc is not None and len(desc.text) > 40
        assert svg.get("role") == "img" and svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert svg.get("viewBox") and svg.get("width") is None and svg.get("height") is None
        assert not list(svg.iter(f"{SVG}script")) and not list(svg.iter(f"{SVG}metadata"))
        assert svg.find(f"{SVG}foreignObject") is None
    # Each figure is followed by its data as a Markdown table.
    for figure in re.finditer(r"</figure>\n\n(.*)\n", page):
        assert figure.group(1).startswith("|")
    assert page.count("<figcaption>") == 5
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids repeat across charts"


def test_no_script_no_external_reference_no_date(example_pages):
    for page in example_pages.values():
        assert "<script" not in page
        for svg in svgs(page):
            for element in svg.iter():
                for key, value in element.attrib.items():
                    assert not value.startswith(("http:", "https:", "//")) or key == "xmlns", (key, value)
        assert "Matplotlib" not in page and "dc:date" not in page and "#010203" not in page


def test_rebuilds_are_byte_identical(example_pages):
    assert metrics_page(REPO, "internal", AS_OF) == example_pages["internal"]


def test_example_page_figures(example_pages):
    internal = example_pages["internal"]
    assert "| 2026-06 | 0 | 1 | 1 | 2 | 0 | 4 |" in internal  # OPS-2026-026/-027/-028/-030
    # 28 declared since 1 Dec 2025; OPS-2025-047 and OPS-2026-019 have no start, INC-2026-006 is open.
    assert "| Time to resolve | 25 |" in internal
    assert "[INC-2026-006](../incidents/INC-2026-006.md) Invoice creation slow" in internal


def test_public_page_shows_no_internal_incident(example_pages):
    from opsbook.metrics.compute import report
    from opsbook.render.metrics import window

    kb, _ = load(REPO)
    public = example_pages["public"]
    hidden = [i for i in kb.incident_list if not i.public]
    assert hidden, "the example should have internal incidents"
    for incident in hidden:
        assert incident.id not in public
    components = {c.name for c in kb.components.values()}
    for service in kb.config.services:
        if service.name not in components:  # "Payouts" names both
            assert f"| {service.name} |" not in public
    assert "Time to detect" not in public and "Time to acknowledge" not in public
    start, end = window(kb, AS_OF)
    shown = report(kb, start, end, AS_OF, audience="public").incidents
    assert shown == sum(1 for i in kb.incident_list if i.public and start <= i.declared < end)
    assert f": {shown} incidents declared and shown on the public incident list" in public


def test_public_fixture_page_keeps_internal_ids_out(tmp_path):
    root = make_kb(tmp_path, FILES)
    page = metrics_page(root, "public", FIXTURE_NOW)
    for hidden in ("INC-2026-010", "INC-2026-011", "INC-2026-012", "INC-2026-013", "INC-2026-017", "Payments API"):
        assert hidden not in page
    assert "INC-2026-014" in page and "INC-2026-015" in page


def test_hostile_names_in_charts_stay_text(tmp_path):
    root = make_kb(tmp_path, {**FILES, "schedules/people.yaml": _d("""
        people:
          - {id: alice, name: "Al'ice \\"<b>\\" </svg><script>x</script>", email: a@acme.example, timezone: America/New_York}
          - {id: bob, name: "$x^2$ & $", email: b@acme.example}
          - {id: carol, name: "Carol | Diaz", email: carol@acme.example}
          - {id: dave, name: "Dave \\\\ Lee", email: dave@acme.example, timezone: Europe/London}
        teams:
          - {id: payments, name: Payments, members: [alice, bob, carol], lead: alice}
        """)})
    page = metrics_page(root, "internal", FIXTURE_NOW)
    oncall = next(svg for svg in svgs(page) if svg.find(f"{SVG}title").text.startswith("Primary on-call"))
    texts = " ".join(t for t in oncall.itertext())
    assert "$x^2$ & $" in texts and "</svg><script>x</script>" in texts  # text, not math, not markup
    assert "<script>" not in page.replace("&lt;script&gt;", "")


def test_series_colours_read_on_light_and_dark(example_pages):
    from opsbook.metrics.charts import DARK_BACKGROUND, LIGHT_BACKGROUND, SERIES

    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    def contrast(a: str, b: str) -> float:
        high, low = sorted((luminance(a), luminance(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    for colour in SERIES:
        assert contrast(colour, LIGHT_BACKGROUND) >= 3 and contrast(colour, DARK_BACKGROUND) >= 3, colour


# --- the built site in Chromium -------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("metrics-site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("OPSBOOK_AUDIENCE", None)
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=REPO,
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_metrics_page_in_chromium(browser, serve, site, width, scheme):
    page, errors = open_page(browser, serve(site) + "metrics/", width=width)
    try:
        assert "Metrics" in page.locator("h1").first.inner_text()
        assert errors == []
        page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        charts = page.locator("svg.opsbook-chart")
        assert charts.count() == 5
        for index in range(charts.count()):
            box = charts.nth(index).bounding_box()
            assert box is not None and 0 < box["width"] <= width and box["height"] > 50
        # Text in the charts takes the page's text colour, whichever the scheme.
        colours = page.evaluate("""() => {
            const svg = document.querySelector('svg.opsbook-chart');
            const text = svg.querySelector('text');
            return [getComputedStyle(text).fill, getComputedStyle(svg.closest('article') || document.body).color];
        }""")
        assert colours[0] == colours[1]
    finally:
        page.close()


def test_dark_and_light_text_differ(browser, serve, site):
    page, _ = open_page(browser, serve(site) + "metrics/")
    try:
        found = []
        for scheme in ("default", "slate"):
            page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
            found.append(page.evaluate("getComputedStyle(document.querySelector('svg.opsbook-chart text')).fill"))
        assert found[0] != found[1]
    finally:
        page.close()


def test_hostile_incident_title_is_escaped_on_the_page(tmp_path):
    files = {**FILES, "incidents/INC-2026-015.yaml": FILES["incidents/INC-2026-015.yaml"].replace(
        "title: Incident INC-2026-015", "title: \"<script>alert(1)</script> | *x* [a](javascript:b)\"")}
    page = metrics_page(make_kb(tmp_path, files), "public", FIXTURE_NOW)
    row = next(line for line in page.splitlines() if "INC-2026-015.md" in line and "identified" in line)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\*x\\* \\[a\\](javascript:b)" in row
    assert "<script>" not in page

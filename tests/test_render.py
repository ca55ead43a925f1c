"""The page renderer: escaping of data, visibility of postmortems, page shapes,
and `opsbook render --out DIR`.

Pages are also turned into HTML with Python-Markdown and the extensions the
site uses, because "escaped" only means something in terms of what a reader's
browser ends up with.
"""

from __future__ import annotations

import json
import re
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import markdown as python_markdown
import pytest
from click.testing import CliRunner

from opsbook.cli import cli
from opsbook.load import load
from opsbook.render import render_pages
from opsbook.render.markdown import external_link, md_cell, md_code, md_escape

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)

HOSTILE = "<script>alert(1)</script> | x"
PUBLIC_CANARY = "Canary public postmortem"
INTERNAL_CANARY = "Canary internal postmortem"
RESTRICTED_CANARY = "Canary restricted postmortem"


def _d(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _postmortem(title: str, visibility: str, action_title: str = "Add an alert") -> str:
    return _d(f"""
        ---
        incident: INC-2026-001
        title: "{title}"
        status: published
        owner: ana
        date: 2026-03-20
        visibility: {visibility}
        action_items:
          - id: AI-{visibility}
            title: "{action_title}"
            owner: ana
            due: 2026-04-01
            status: open
            type: detect
            ticket: "https://tracker.example/T-1"
        ---
        # {title}

        ## Summary

        It broke.

        ## Action items

        Tracked below.

        ## Appendix

        Graphs.
        """)


FILES: dict[str, str] = {
    "opsbook.yaml": _d("""
        name: Tiny
        services:
          - {id: api, name: API, team: core}
        """),
    "schedules/people.yaml": _d("""
        people:
          - {id: ana, name: Ana Silva}
        teams:
          - {id: core, name: Core, members: [ana], slack_channel: "#core"}
        """),
    "playbooks/severity.yaml": _d(f"""
        levels:
          - id: SEV1
            name: Critical
            description: "{HOSTILE}"
            examples: ["# not a heading", "[click](javascript:alert(1))"]
            page: true
            ack_within: 5m
            update_every: 30m
            roles: [commander, comms]
            postmortem: required
            postmortem_due: 5bd
            status_page: required
          - id: SEV2
            name: Major
            postmortem: none
        decision_tree:
          start: most
          questions:
            - id: most
              text: Are most customers affected?
              "yes": SEV1
              "no": some
            - id: some
              text: Are some customers affected?
              "yes": SEV2
              "no": SEV2
        """),
    "playbooks/response.md": _d("""
        ---
        title: Response
        owner: core
        severities: [SEV1]
        ---
        Body without its own heading; see [the runbook](../runbooks/api/errors.md).
        """),
    "runbooks/api/errors.md": _d("""
        ---
        title: API errors
        service: api
        owner: core
        alerts: [ApiErrors]
        severity: SEV1
        last_reviewed: 2026-01-10
        review_every: 30d
        tags: [api]
        ---
        # API errors

        ## Trigger

        <kbd>Team-written HTML stays</kbd>, as in docs/.
        """),
    "incidents/INC-2026-001.yaml": _d("""
        id: INC-2026-001
        title: API down
        severity: SEV1
        status: resolved
        declared: 2026-03-14T14:06:00Z
        resolved: 2026-03-14T15:10:00Z
        """),
    "postmortems/2026/public.md": _postmortem(PUBLIC_CANARY, "public", action_title=HOSTILE),
    "postmortems/2026/internal.md": _postmortem(INTERNAL_CANARY, "internal"),
    "postmortems/2026/restricted.md": _postmortem(RESTRICTED_CANARY, "restricted"),
}


def write_kb(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write_kb(tmp_path / "kb", FILES)


def pages_for(root: Path, audience: str) -> dict:
    kb, diags = load(root)
    assert kb is not None and not diags, diags
    return render_pages(kb, audience, NOW)


def html(markdown_text: str) -> str:
    return python_markdown.markdown(markdown_text, extensions=["tables", "attr_list", "admonition", "toc"])


def table_rows(page_html: str) -> list[list[str]]:
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", page_html, flags=re.DOTALL):
        rows.append(re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.DOTALL))
    return rows


# --- escaping --------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    (HOSTILE, "&lt;script&gt;alert(1)&lt;/script&gt; \\| x"),
    ("# heading", "\\# heading"),
    ("- item", "\\- item"),
    ("---", "\\---"),
    ("1. first", "1\\. first"),
    ("~~~", "&#126;~~"),
    ("line one\n\n# line two", "line one # line two"),  # no new block, so no heading
    ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
    ("*b* _i_ `c` {: #id}", "\\*b\\* \\_i\\_ \\`c\\` \\{: #id\\}"),
    ("R&D", "R&amp;D"),
    ("plain text, 5% off", "plain text, 5% off"),
])
def test_md_escape(value, expected):
    assert md_escape(value) == expected


@pytest.mark.parametrize("value", [
    HOSTILE,
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "![img](http://evil.example/x.png)",
    "<https://evil.example>",
    "&lt;script&gt;",
    "x {: onclick=alert(1) }",
    "**bold** and `code`",
])
def test_escaped_data_reads_as_its_own_text(value):
    rendered = html(f"Value: {md_escape(value)}")
    assert re.fullmatch(r"<p>Value: [^<]*</p>", rendered), rendered
    assert "<a" not in rendered and "<img" not in rendered and "<script" not in rendered


def test_md_cell_keeps_a_table_row_whole():
    cells = [md_cell(HOSTILE), md_cell("two\nlines"), md_cell(None), md_cell(["a", "b"])]
    rendered = html("| A | B | C | D |\n|---|---|---|---|\n| " + " | ".join(cells) + " |\n")
    assert table_rows(rendered)[1] == ["&lt;script&gt;alert(1)&lt;/script&gt; | x", "two lines", "—", "a, b"]


def test_md_code_fence_outlasts_backticks_in_the_value():
    assert md_code("a`b") == "``a`b``"
    assert html(md_code("<b>`x")) == "<p><code>&lt;b&gt;`x</code></p>"


def test_external_links_only_for_http():
    assert external_link("T-1", "javascript:alert(1)") == "T-1"
    assert external_link("T-1", "https://t.example/a b)") == "[T-1](https://t.example/a%20b%29)"


# --- pages -------------------------------------------------------------------------


def test_severity_description_is_escaped_on_the_ladder(tiny):
    page = pages_for(tiny, "public")["severity.md"]
    rendered = html(page.markdown)
    assert "<script" not in rendered
    ladder = table_rows(rendered)[:3]
    assert ladder[0] == ["Level", "Name", "Description", "Pages on-call"]
    assert ladder[1][1:] == ["Critical", "&lt;script&gt;alert(1)&lt;/script&gt; | x", "yes"]
    # Examples are data too: they show as written, not as a heading or a link.
    assert "<li># not a heading</li>" in rendered
    assert "<li>[click](javascript:alert(1))</li>" in rendered


def test_severity_page_shows_duties_and_a_linked_decision_tree(tiny):
    page = pages_for(tiny, "public")["severity.md"]
    rendered = html(page.markdown)
    duties = table_rows(rendered)[4]
    assert duties == ["<a href=\"#level-sev1\">SEV1</a>", "5 min", "30 min", "commander, comms",
                      "postmortem required within 5 business days; status page required"]
    ids = set(re.findall(r'id="([^"]+)"', rendered))
    targets = set(re.findall(r'href="#([^"]+)"', rendered))
    assert {"q-most", "q-some", "level-sev1", "level-sev2"} <= ids
    assert targets <= ids, targets - ids
    assert "<strong>Yes</strong> → <strong><a href=\"#level-sev1\">SEV1 · Critical</a></strong>" in rendered
    assert page.source == tiny / "playbooks/severity.yaml"


def test_runbook_page_mirrors_its_source_path_and_keeps_the_body(tiny):
    pages = pages_for(tiny, "public")
    page = pages["runbooks/api/errors.md"]
    assert page.source == tiny / "runbooks/api/errors.md"
    text = page.markdown
    assert text.startswith("# API errors\n\n!!! info")
    assert "title: API errors" not in text  # front matter removed
    assert "<kbd>Team-written HTML stays</kbd>" in text  # bodies are trusted Markdown
    assert "(../../severity.md#level-sev1)" in text
    assert "2026-01-10 (next review due 2026-02-09)" in text


def test_runbook_index_by_service_and_alert(tiny):
    page = pages_for(tiny, "public")["runbooks/index.md"]
    assert page.source is None
    assert "### API {: #service-api }" in page.markdown
    assert "Owned by Core (\\#core)" in page.markdown
    rows = table_rows(html(page.markdown))
    assert ["ApiErrors", '<a href="api/errors.md">API errors</a>', "API"] in rows


def test_playbook_without_heading_gets_one_from_its_title(tiny):
    page = pages_for(tiny, "public")["playbooks/response.md"]
    assert page.markdown.startswith("# Response\n")
    assert "[the runbook](../runbooks/api/errors.md)" in page.markdown


def test_postmortem_action_items_escaped_and_placed_in_their_section(tiny):
    page = pages_for(tiny, "public")["postmortems/2026/public.md"]
    text = page.markdown
    assert text.index("Tracked below.") < text.index("| ID | Action |") < text.index("## Appendix")
    rendered = html(text)
    assert "<script" not in rendered
    item = next(row for row in table_rows(rendered) if row[0] == "AI-public")
    assert item == ["AI-public", "&lt;script&gt;alert(1)&lt;/script&gt; | x", "Ana Silva", "2026-04-01", "open",
                    "detect", '<a href="https://tracker.example/T-1">https://tracker.example/T-1</a>']
    assert "[SEV1 · Critical](../../severity.md#level-sev1)" in text  # severity from the incident


# --- visibility --------------------------------------------------------------------


def _all_text(pages: dict) -> str:
    """Everything a build would publish: pages and text assets (scripts, feeds, JSON)."""
    parts = []
    for page in pages.values():
        content = getattr(page, "markdown", None)
        if content is None:
            content = page.content if isinstance(page.content, str) else page.content.decode("utf-8", "replace")
        parts.append(content)
    return "\n".join(parts)


def test_public_build_shows_only_public_postmortems(tiny):
    pages = pages_for(tiny, "public")
    assert "postmortems/2026/public.md" in pages
    assert "postmortems/2026/internal.md" not in pages
    assert "postmortems/2026/restricted.md" not in pages
    everything = _all_text(pages)
    assert PUBLIC_CANARY in everything
    assert INTERNAL_CANARY not in everything and "internal.md" not in everything
    assert RESTRICTED_CANARY not in everything and "restricted.md" not in everything


def test_internal_build_adds_internal_but_never_restricted(tiny):
    pages = pages_for(tiny, "internal")
    assert {"postmortems/2026/public.md", "postmortems/2026/internal.md"} <= set(pages)
    assert "postmortems/2026/restricted.md" not in pages
    everything = _all_text(pages)
    assert INTERNAL_CANARY in pages["postmortems/index.md"].markdown
    assert '!!! warning "Internal postmortem' in pages["postmortems/2026/internal.md"].markdown
    assert RESTRICTED_CANARY not in everything and "restricted.md" not in everything


def test_unknown_audience_is_refused(tiny):
    kb, _ = load(tiny)
    with pytest.raises(ValueError, match="audience"):
        render_pages(kb, "everyone", NOW)  # type: ignore[arg-type]


def test_empty_knowledge_base_still_has_every_index(tmp_path):
    root = write_kb(tmp_path / "kb", {"opsbook.yaml": "name: Empty\n"})
    pages = pages_for(root, "public")
    indexes = {"severity.md", "playbooks/index.md", "runbooks/index.md", "postmortems/index.md",
               "incidents/index.md", "actions.md"}
    assert indexes <= set(pages)
    assert "No severity ladder" in pages["severity.md"].markdown
    assert pages["severity.md"].source is None


# --- opsbook render --out ------------------------------------------------------------


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_render_writes_pages_under_out(tiny, tmp_path):
    out = tmp_path / "out"
    result = invoke("--root", str(tiny), "render", "--out", str(out), "--audience", "internal")
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stdout
    assert (out / "runbooks/api/errors.md").read_text(encoding="utf-8").startswith("# API errors")
    assert (out / "postmortems/2026/internal.md").is_file()
    assert not (out / "postmortems/2026/restricted.md").exists()
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_render_json_lists_pages_and_sources(tiny, tmp_path):
    result = invoke("--root", str(tiny), "render", "--out", str(tmp_path / "out"), "--json")
    assert result.exit_code == 0
    listed = {item["path"]: item for item in json.loads(result.stdout)["written"]}
    assert listed["severity.md"]["source"] == "playbooks/severity.yaml"
    assert listed["runbooks/index.md"]["source"] is None
    assert "postmortems/2026/internal.md" not in listed


def test_render_exit_1_with_located_errors_when_loading_fails(tiny, tmp_path):
    (tiny / "runbooks/api/errors.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("--root", str(tiny), "render", "--out", str(out))
    assert result.exit_code == 1
    assert re.search(r"runbooks/api/errors\.md:\d+:\d+: error OB001", result.stderr)
    assert not out.exists()


def test_render_refuses_to_write_over_the_knowledge_base(tiny):
    before = (tiny / "runbooks/api/errors.md").read_text(encoding="utf-8")
    for target in (tiny, tiny / "runbooks"):
        result = invoke("--root", str(tiny), "render", "--out", str(target))
        assert result.exit_code == 2
        assert "knowledge base's own files" in result.stderr
    assert (tiny / "runbooks/api/errors.md").read_text(encoding="utf-8") == before


def test_render_exit_2_when_out_cannot_be_created(tiny, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = invoke("--root", str(tiny), "render", "--out", str(blocker / "out"))
    assert result.exit_code == 2
    assert "cannot write" in result.stderr

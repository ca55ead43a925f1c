"""Regressions from the privacy, security and robustness reviews: hostile data
stays inert, private records stay private, odd input is an error, not a crash."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import BASE_FILES, invoke, make_kb
from opsbook.load import load
from opsbook.render import render_pages

NOW = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
INC = "incidents/INC-2026-001.yaml"
PM = "postmortems/2026/2026-03-14-card-payments.md"


def _public_text(root: Path) -> str:
    kb, _ = load(root)
    pages = render_pages(kb, "public", NOW)
    return "\n".join(getattr(p, "markdown", None) or (p.content if isinstance(p.content, str)
                                                      else p.content.decode()) for p in pages.values())


def test_page_titles_from_data_cannot_open_tags(tmp_path):
    """Material prints titles through striptags, which unescapes entities."""
    hostile = 'x </title><script>alert(1)</script>'
    root = make_kb(tmp_path, {INC: BASE_FILES[INC].replace("title: Card payments failing at checkout",
                                                           f'title: "{hostile}"')})
    (root / "mkdocs.yml").write_text("site_name: T\ndocs_dir: docs\ntheme: {name: material, font: false}\n"
                                     "plugins: [opsbook]\n")
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "index.md").write_text("# Home\n")
    out = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(out)], cwd=root,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    html = (out / "incidents" / "INC-2026-001" / "index.html").read_text()
    head = html[html.index("<title>"):html.index("</title>") + 8]
    assert "<script" not in head and "alert(1)" in head
    assert "<script>alert(1)" not in html


def test_public_postmortem_of_a_private_incident_names_no_internal_record(tmp_path):
    root = make_kb(tmp_path, {
        INC: BASE_FILES[INC].replace("title: Card payments failing at checkout", "title: SECRET-CANARY-TITLE")
        .replace("public: true", "public: false"),
        PM: BASE_FILES[PM].replace("visibility: internal", "visibility: public")})
    text = _public_text(root)
    assert "SECRET-CANARY-TITLE" not in text
    assert "internal incident" in text


def test_component_not_on_the_status_page_is_not_published(tmp_path):
    root = make_kb(tmp_path, {INC: BASE_FILES[INC].replace(
        "components: {checkout: major_outage}", "components: {checkout: major_outage, canary-internal-db: major_outage}")})
    assert "canary-internal-db" not in _public_text(root)


@pytest.mark.parametrize("command", [["actions", "--all", "--format", "csv"]])
def test_csv_cells_cannot_be_formulas(tmp_path, command):
    root = make_kb(tmp_path)
    pm = (root / PM).read_text()
    (root / PM).write_text(pm.replace("title: Automate acquirer failover", 'title: "=HYPERLINK(1)"'))
    result = invoke("--root", str(root), *command, "--now", "2026-06-01T12:00:00Z")
    assert "'=HYPERLINK(1)" in result.stdout
    assert ",=HYPERLINK" not in result.stdout


def test_line_breaks_in_names_cannot_break_or_inject_into_ics(tmp_path):
    """Names are one line: a CR/LF is a located error, and no feed is written
    from it (the writer's own defence is in test_escaping.py)."""
    root = make_kb(tmp_path, {"schedules/payments.yaml": BASE_FILES["schedules/payments.yaml"].replace(
        "name: Payments on-call", 'name: "Payments\\r\\nBEGIN:VEVENT"')})
    out = tmp_path / "ics"
    result = invoke("--root", str(root), "oncall", "ics", "--out", str(out), "--now", "2026-06-01T12:00:00Z")
    assert result.exit_code == 1, result.output
    assert "schedules/payments.yaml:1:7: error OB103 name: is one line of text but contains a line break" \
        in result.stderr
    assert not list(out.glob("*.ics"))


@pytest.mark.parametrize("args", [
    ["validate", "--now", "0001-01-01T00:00Z"],
    ["oncall", "now", "--now", "9999-12-31T23:59Z"],
    ["oncall", "shifts", "--from", "0001-01-01", "--to", "0001-01-03"],
    ["handoff", "payments", "--within", "99999999999w"],
], ids=lambda a: " ".join(a[:2]))
def test_out_of_range_times_are_usage_errors(tmp_path, args):
    result = invoke("--root", str(make_kb(tmp_path)), *args)
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output + result.stderr


def test_a_year_typo_in_a_file_is_a_located_finding(tmp_path):
    root = make_kb(tmp_path, {INC: BASE_FILES[INC].replace("started: 2026-03-14", "started: 0026-03-14")})
    result = invoke("--root", str(root), "validate", "--now", "2026-06-01T12:00:00Z")
    assert result.exit_code == 1
    assert "incidents/INC-2026-001.yaml:8:" in result.stdout and "OB106" in result.stdout


def test_malformed_webhook_url_is_a_clear_error_without_the_url(tmp_path):
    root = make_kb(tmp_path)
    result = invoke("--root", str(root), "handoff", "payments", "--post", "--at", "2026-06-01T12:00:00Z",
                    env={"OPSBOOK_SLACK_WEBHOOK_URL": "https://[::1/SECRETTOKEN"})
    assert result.exit_code == 1
    assert "not a valid URL" in result.stderr
    assert "SECRETTOKEN" not in result.output + result.stderr


def test_an_edit_keeps_a_comment_ruamel_alone_would_lose(tmp_path):
    """A full-line comment above a list item with its own end-of-line comment:
    ruamel.yaml drops it; edits splice their output back into the original
    lines (db54249), so both comments survive the edit."""
    text = BASE_FILES[INC].replace(
        '  - {at: 2026-03-14T15:10:00Z, status: resolved',
        '  # comms: wording approved by legal\n  - {at: 2026-03-14T15:10:00Z, status: resolved').replace(
        'components: {checkout: operational}}', 'components: {checkout: operational}}  # posted late')
    root = make_kb(tmp_path, {INC: text})
    result = invoke("--root", str(root), "incident", "note", "INC-2026-001", "looked again",
                    "--at", "2026-03-15T10:00:00Z")
    assert result.exit_code == 0, result.stderr
    edited = (root / INC).read_text()
    assert "  # comms: wording approved by legal\n" in edited and "# posted late" in edited
    assert "looked again" in edited


def test_unclosed_bracket_at_end_of_file_names_the_bracket(tmp_path):
    root = make_kb(tmp_path, {"opsbook.yaml": BASE_FILES["opsbook.yaml"] + "extra: [\n"})
    result = invoke("--root", str(root), "validate", "--now", "2026-06-01T12:00:00Z")
    assert "the '' opened" not in result.stdout
    assert result.exit_code == 1


def test_a_template_that_asks_for_too_much_is_a_finding(tmp_path):
    from conftest import run_validate

    root = make_kb(tmp_path)
    templates = root / "playbooks" / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    (templates / "social.md").write_text("{{ range(100000000) | list | length }} Next update {{ next_update }}\n")
    code, payload = run_validate(root)
    assert code == 1
    assert any(d["code"] == "OB507" and d["file"] == "playbooks/templates/social.md" for d in payload["diagnostics"])

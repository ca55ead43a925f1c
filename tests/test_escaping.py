"""Every string that reaches HTML, XML, ICS or a URL is escaped for that context.

Oracles are independent of the code under test: HTML is parsed with
``html.parser`` and searched for what an attacker would have injected (an
element, an ``on*`` attribute, a ``javascript:`` link); XML outputs must parse
with ``xml.etree``; calendars are read back with ``icalendar``. File-name cases
build the real site with ``mkdocs build --strict`` in a subprocess.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import markdown as python_markdown
import pytest
from icalendar import Calendar

from conftest import BASE_FILES, NOW, _d, invoke, make_kb, run_validate

INC = "incidents/INC-2026-001.yaml"
SCHED = "schedules/payments.yaml"
RB = "runbooks/payments/checkout-errors.md"
PM = "postmortems/2026/2026-03-14-card-payments.md"
PAGE = "status/page.yaml"
ORG = "opsbook.yaml"
AT = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)

# What an attacker writes into a name: each must come out as text.
PAYLOADS = [
    "x)<img src=x onerror=alert(1)>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "javascript:alert(1)",
    "</script><script>alert(1)</script>",
    "[a](javascript:alert(1))",
    "a & b &lt;img src=x onerror=alert(1)&gt; &#60;img src=x onerror=alert(1)&#62;",
    "x) <b>bold</b> ](y) `code` *em* |pipe|",
]


# --- oracles ---------------------------------------------------------------------------------


class Injected(HTMLParser):
    """Collects what no page of ours contains on purpose: event-handler
    attributes, script-scheme links, the payloads' <img>/<b> elements, and
    inline scripts other than JSON data."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and value is not None:
                if value.strip().lower().replace("\t", "").startswith(("javascript:", "data:", "vbscript:")):
                    self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.found.append("<img src=x>")
        if tag == "b":
            self.found.append("<b>")
        if tag == "script":
            attributes = dict(attrs)
            self._script = None if attributes.get("src") else attributes.get("type") or "js"

    def handle_data(self, data):
        if self._script is None:
            return
        if self._script == "application/json":
            json.loads(data)  # a data island must stay data
        elif "alert(" in data:
            self.found.append(f"<script>{data[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def injected(markup: str) -> list[str]:
    parser = Injected()
    parser.feed(markup)
    parser.close()
    return parser.found


def to_html(text: str) -> str:
    """Markdown as MkDocs renders it (same extensions as the example site)."""
    return python_markdown.markdown(text, extensions=["attr_list", "tables", "admonition", "toc"])


def hrefs(markup: str) -> list[str]:
    out: list[str] = []

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "a":
                out.append(dict(attrs).get("href") or "")

    Links().feed(markup)
    return out


# --- Markdown helpers: the targets and texts they build ---------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_link_target_built_from_an_id_cannot_be_broken_out_of(payload):
    from opsbook.render.markdown import link, page_link

    for markdown_text in (link(payload, f"{payload}.ics"), page_link(payload, "oncall/index.md", f"oncall/{payload}.md"),
                          page_link("x", "a/b.md", "a/c.md", anchor=payload)):
        out = to_html(f"{markdown_text}\n")
        assert injected(out) == [], (markdown_text, out)
        [target] = hrefs(out)
        assert not target.lower().startswith(("javascript:", "data:")), target


@pytest.mark.parametrize("url,linked", [
    ("javascript:alert(1)", False), ("JavaScript:alert(1)", False), ("  javascript:alert(1)", False),
    ("data:text/html,<script>alert(1)</script>", False), ("vbscript:x", False), ("//evil.example/x", False),
    ("https://t.example/a\x1bb", False),
    ('https://t.example/x"onmouseover="alert(1)', True), ("https://t.example/x)<img src=x onerror=alert(1)>", True),
    ("https://t.example/a b'c", True), ("http://t.example/?a=1&b=2", True),
])
def test_external_links_are_http_only_and_encoded(url, linked):
    from opsbook.render.markdown import external_link

    out = to_html(f"{external_link('ticket', url)}\n")
    assert injected(out) == [], out
    targets = hrefs(out)
    assert bool(targets) == linked, out
    for target in targets:
        assert target.startswith(("http://", "https://")) and not any(c in target for c in ' "\'<>()'), target


@pytest.mark.parametrize("payload", PAYLOADS + ["a\x1b[31mred\x07\x00"])
def test_markdown_text_shows_data_literally(payload):
    from opsbook.render.markdown import md_cell, md_code, md_escape

    for text in (md_escape(payload), f"| a |\n|---|\n| {md_cell(payload)} |", md_code(payload)):
        out = to_html(f"{text}\n")
        assert injected(out) == [], (text, out)
        assert not any(ord(ch) < 0x20 and ch not in "\n\t" for ch in out), repr(out)


# --- the model: control characters, one-line names, web addresses -----------------------------

CONTROL = [("escape", "\\e[31m"), ("bell", "\\a"), ("nul", "\\0"), ("backspace", "\\b"), ("form-feed", "\\f"),
           ("vertical-tab", "\\v"), ("unit-separator", "\\x1f"), ("noncharacter", "\\uFFFE")]
FIELDS = [  # (file, text to replace, replacement with {v}, line the value is on, multi-line field)
    (INC, "title: Card payments failing at checkout", 'title: "Card{v}"', 2, False),
    (INC, 'message: "Card payments are failing."', 'message: "Card{v}"', 18, True),
    (INC, 'text: "Alert CheckoutErrorRate fired"', 'text: "Alert{v}"', 21, True),
    (SCHED, "name: Payments on-call", 'name: "Payments{v}"', 1, False),
    (SCHED, "reason: swap", 'reason: "swap{v}"', 13, True),
    (PAGE, "name: Acme Status", 'name: "Acme{v}"', 1, False),
    (PAGE, "{id: checkout, name: Checkout,", '{id: checkout, name: "Checkout{v}",', 7, False),
    (ORG, "name: Acme", 'name: "Acme{v}"', 1, False),
    (ORG, "name: Payments API", 'name: "Payments{v}"', 5, False),
    ("schedules/people.yaml", "name: Alice Nguyen", 'name: "Alice{v}"', 2, False),
    (RB, "title: Checkout error rate high", 'title: "Checkout{v}"', 2, False),
    (PM, "title: Alert on acquirer latency", 'title: "Alert{v}"', 10, False),
    ("playbooks/severity.yaml", "name: Critical", 'name: "Critical{v}"', 3, False),
]


@pytest.mark.parametrize("char_id,char", CONTROL, ids=[c[0] for c in CONTROL])
@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f"{f[0].split('/')[-1]}:{f[1].split(':')[0].strip('{ ')}")
def test_control_characters_in_free_text_are_located_errors(tmp_path, field, char_id, char):
    rel, old, new, line, _multi = field
    text = BASE_FILES[rel]
    assert text.count(old) == 1
    root = make_kb(tmp_path, {rel: text.replace(old, new.replace("{v}", char))})
    status, payload = run_validate(root)
    found = [d for d in payload["diagnostics"] if d["file"] == rel and d["code"] == "OB103"]
    assert status == 1 and found, payload
    assert found[0]["line"] == line
    assert "character" in found[0]["message"] and "U+" in found[0]["message"]
    assert found[0]["hint"]


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f"{f[0].split('/')[-1]}:{f[1].split(':')[0].strip('{ ')}")
@pytest.mark.parametrize("brk", ["\\n", "\\r", "\\r\\n", "\\t"], ids=["lf", "cr", "crlf", "tab"])
def test_names_are_one_line_and_texts_may_span_lines(tmp_path, field, brk):
    rel, old, new, line, multi = field
    root = make_kb(tmp_path, {rel: BASE_FILES[rel].replace(old, new.replace("{v}", brk))})
    status, payload = run_validate(root)
    found = [d for d in payload["diagnostics"] if d["file"] == rel and d["code"] == "OB103"]
    if multi and brk in ("\\n", "\\t"):
        assert not found, found
    else:
        assert found and found[0]["line"] == line, payload
        assert status == 1
    # and in every one of them an escape character is an error
    root = make_kb(tmp_path / "esc", {rel: BASE_FILES[rel].replace(old, new.replace("{v}", brk + "\\e[1m"))})
    status, payload = run_validate(root)
    assert status == 1 and [d for d in payload["diagnostics"] if d["code"] == "OB103" and d["line"] == line]


URL_CASES = [
    ("javascript:alert(1)//", "scheme 'javascript:'"),
    ("JAVASCRIPT:alert(1)", "scheme 'javascript:'"),
    ("data:text/html;base64,PHNjcmlwdD4=", "scheme 'data:'"),
    ("file:///etc/passwd", "scheme 'file:'"),
    ("status.example.com", "no scheme"),
    (" https://status.example.com", "spaces"),
    ('https://status.example.com/"onmouseover="alert(1)', "'\"'"),
    ("https://status.example.com/<script>", "'<'"),
    ("https://", "host name"),
]


@pytest.mark.parametrize("url,said", URL_CASES, ids=[c[0] for c in URL_CASES])
@pytest.mark.parametrize("where", [
    (ORG, "name: Acme\n", "name: Acme\nsite_url: {v}\n", 2, "site_url"),
    (ORG, "name: Acme\n", "name: Acme\nrepo_url: {v}\n", 2, "repo_url"),
    (PAGE, "url: https://status.acme.example", "url: {v}", 2, "url"),
], ids=["site_url", "repo_url", "status-url"])
def test_only_http_addresses_are_accepted(tmp_path, where, url, said):
    rel, old, new, line, key = where
    root = make_kb(tmp_path, {rel: BASE_FILES[rel].replace(old, new.format(v=json.dumps(url)))})
    status, payload = run_validate(root)
    [diag] = [d for d in payload["diagnostics"] if d["file"] == rel]
    assert status == 1 and diag["code"] == "OB103" and diag["line"] == line, payload
    assert diag["message"].startswith(f"{key}: ") and said in diag["message"], diag
    assert "http://" in diag["hint"]


@pytest.mark.parametrize("url", ["https://status.acme.example", "http://status.acme.example:8080/a/b?x=1#y",
                                 "https://status.acme.example/p%C3%A4ge/(x)"])
def test_http_addresses_still_load(tmp_path, url):
    root = make_kb(tmp_path, {PAGE: BASE_FILES[PAGE].replace("url: https://status.acme.example", f"url: {url}"),
                              ORG: BASE_FILES[ORG].replace("name: Acme\n", f"name: Acme\nsite_url: {url}\n")})
    status, payload = run_validate(root)
    assert status == 0, payload
    # ... and the same address under another scheme does not
    other = url.replace("https:", "javascript:").replace("http:", "data:")
    root = make_kb(tmp_path / "other", {ORG: BASE_FILES[ORG].replace("name: Acme\n", f"name: Acme\nsite_url: {other}\n")})
    status, payload = run_validate(root)
    assert status == 1 and [d["code"] for d in payload["diagnostics"]] == ["OB103"], payload


# --- file names ------------------------------------------------------------------------------

SCHEDULE = BASE_FILES[SCHED].replace("name: Payments on-call", "name: Second")
RUNBOOK = BASE_FILES[RB]
NAMES = [  # (id, path, content, suggested safe path)
    ("schedule-img", "schedules/x)<img src=x onerror=alert(1)>.yaml", SCHEDULE, "schedules/x-img-src-x-onerror-alert-1.yaml"),
    ("schedule-cr", "schedules/x\ry.yaml", SCHEDULE, "schedules/x-y.yaml"),
    ("schedule-lf", "schedules/x\ny.yaml", SCHEDULE, "schedules/x-y.yaml"),
    ("schedule-escape", "schedules/x\x1b[31m.yaml", SCHEDULE, "schedules/x-31m.yaml"),
    ("schedule-space", "schedules/on call.yaml", SCHEDULE, "schedules/on-call.yaml"),
    ("schedule-javascript", "schedules/javascript:alert(1).yaml", SCHEDULE, "schedules/javascript-alert-1.yaml"),
    ("runbook-quote", 'runbooks/payments/a"onmouseover="alert(1).md', RUNBOOK, "runbooks/payments/a-onmouseover-alert-1.md"),
    ("runbook-apostrophe", "runbooks/payments/it's.md", RUNBOOK, "runbooks/payments/it-s.md"),
    ("runbook-folder", "runbooks/pay ments/x.md", RUNBOOK, "runbooks/pay-ments/x.md"),
    ("runbook-accent", "runbooks/payments/café.md", RUNBOOK, "runbooks/payments/cafe.md"),
    ("runbook-ampersand", "runbooks/payments/a&b.md", RUNBOOK, "runbooks/payments/a-b.md"),
    ("playbook-brackets", "playbooks/[x].md", "---\ntitle: X\n---\n# X\n", "playbooks/x.md"),
    ("postmortem-angle", "postmortems/2026/<x>.md", "---\ntitle: X\n---\n# X\n", "postmortems/2026/x.md"),
    ("incident-comma", "incidents/INC-2026-002,x.yaml",
     "id: INC-2026-002\ntitle: T\nseverity: SEV3\nstatus: identified\ndeclared: 2026-05-30T10:00:00Z\n",
     "incidents/INC-2026-002-x.yaml"),
]


@pytest.mark.parametrize("case", NAMES, ids=[c[0] for c in NAMES])
def test_unsafe_file_names_are_located_errors_and_left_out(tmp_path, case):
    from opsbook.load import load
    from opsbook.render import render_pages

    _, rel, content, suggestion = case
    root = make_kb(tmp_path, {rel: content})
    status, payload = run_validate(root)
    [diag] = [d for d in payload["diagnostics"] if d["code"] == "OB108"]
    assert status == 1
    assert (diag["file"], diag["line"], diag["column"]) == (rel, 1, 1)
    assert "A-Z" in diag["hint"] and suggestion in diag["hint"], diag
    assert not any(ord(ch) < 0x20 for ch in diag["message"] + diag["hint"])  # the name is shown escaped
    kb, _ = load(root)
    assert not any(doc.file.name == Path(rel).name for kind in ("schedule_list", "runbook_list", "playbook_list",
                                                              "postmortem_list", "incident_list")
                   for doc in getattr(kb, kind))
    pages = render_pages(kb, "internal", AT)
    assert not any(ch in path for path in pages for ch in "<>\"' \r\n\x1b&,[]()é")


def test_a_cr_in_a_schedule_file_name_is_a_finding_not_a_crash(tmp_path):
    root = make_kb(tmp_path, {"schedules/x\ry.yaml": SCHEDULE})
    # status build reads no schedules (it loads only what its answer needs), so the
    # bad name is none of its business; every command that reads schedules stops.
    for args, code in ((["validate", "--now", NOW], 1),
                       (["render", "--out", str(tmp_path / "out"), "--now", NOW], 1),
                       (["oncall", "ics", "--out", str(tmp_path / "ics"), "--now", NOW], 1),
                       (["status", "build", "--out", str(tmp_path / "status"), "--now", NOW], 0)):
        done = subprocess.run([sys.executable, "-m", "opsbook", "--root", str(root), *args], capture_output=True,
                              text=True, errors="replace", timeout=120)
        out = done.stdout + done.stderr
        assert done.returncode == code, (args, out)
        assert "Traceback" not in out and "internal error" not in out and "\r" not in out, out
        assert ("OB108" in out) == (code == 1), out


def test_names_differing_only_in_case_or_extension_are_one_id(tmp_path):
    root = make_kb(tmp_path, {"schedules/Payments.yaml": SCHEDULE, "schedules/payments.yml": SCHEDULE})
    status, payload = run_validate(root)
    dups = [(d["file"], d["line"]) for d in payload["diagnostics"] if d["code"] == "OB210"]
    assert status == 1 and sorted(dups) == [("schedules/payments.yaml", 1), ("schedules/payments.yml", 1)], payload


def test_the_example_and_scaffold_names_are_safe(tmp_path):
    from opsbook.load import SAFE_NAME, discover

    repo = Path(__file__).resolve().parents[1]
    invoke("init", str(tmp_path / "new"))
    for root in (repo, tmp_path / "new"):
        for kind, paths in discover(root).items():
            for path in paths:
                assert all(SAFE_NAME.fullmatch(part) for part in path.relative_to(root).parts), path


# --- a copied incident (same id in two files) stops publishing cleanly --------------------------

COPY = {"incidents/INC-2026-002.yaml": BASE_FILES[INC]}


@pytest.mark.parametrize("args", [["render", "--out", "{tmp}/out"], ["status", "build", "--out", "{tmp}/status"]],
                         ids=["render", "status-build"])
def test_duplicate_incident_id_stops_publishing_with_the_located_message(tmp_path, args):
    root = make_kb(tmp_path, COPY)
    done = subprocess.run([sys.executable, "-m", "opsbook", "--root", str(root),
                           *[a.format(tmp=tmp_path) for a in args], "--now", NOW],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert "incidents/INC-2026-002.yaml:1:5: error OB107 incident id 'INC-2026-001' does not match" in done.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "status").exists()


def test_duplicate_ids_in_a_hand_built_model_do_not_crash_the_writers(tmp_path):
    from opsbook.load import load
    from opsbook.render import render_pages
    from opsbook.statuspage.public import public_page
    from opsbook.statuspage.site import build_site

    kb, _ = load(make_kb(tmp_path))
    twin = replace(kb, incident_list=kb.incident_list * 2)
    pages = render_pages(twin, "internal", AT)
    assert sum(1 for p in pages if p.startswith("incidents/INC-")) == 1
    page = public_page(twin, AT)
    assert len(page.incidents) == 1
    assert build_site(page)["api/v2/incidents.json"]


# --- the MkDocs site: file names, edit links, hostile names everywhere -------------------------

MKDOCS = ("site_name: T\nsite_url: https://handbook.example/\nedit_uri: https://git.example/o/r/edit/main/\n"
          "docs_dir: docs\ntheme: {name: material, font: false, features: [content.action.edit]}\n"
          "plugins: [search, opsbook]\nmarkdown_extensions: [admonition, attr_list, tables, toc]\n")


def mkdocs_build(root: Path, site: Path, docs: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    (root / "mkdocs.yml").write_text(MKDOCS)
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "index.md").write_text("# Home\n")
    for name, text in (docs or {}).items():
        (root / "docs" / name).write_text(text)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)], cwd=root,
                          env=env, capture_output=True, text=True, errors="replace", timeout=300)


@pytest.mark.parametrize("rel,content", [
    ("schedules/x)<img src=x onerror=alert(1)>.yaml", SCHEDULE),
    ('runbooks/payments/a"onmouseover="alert(1).md', RUNBOOK),
    ("schedules/x\ry.yaml", SCHEDULE),
], ids=["schedule-img", "runbook-quote", "schedule-cr"])
def test_site_build_stops_on_an_unsafe_file_name(tmp_path, rel, content):
    root = make_kb(tmp_path, {rel: content})
    done = mkdocs_build(root, tmp_path / "site")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and "OB108" in done.stderr, done.stderr[-2000:]
    assert not (tmp_path / "site" / "oncall" / "index.html").exists()


def test_site_build_stops_on_a_copied_incident(tmp_path):
    done = mkdocs_build(make_kb(tmp_path, COPY), tmp_path / "site")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "incidents/INC-2026-002.yaml:1:5: incident id 'INC-2026-001' does not match" in done.stderr


def test_edit_links_of_hand_written_pages_are_encoded(tmp_path):
    site = tmp_path / "site"
    done = mkdocs_build(make_kb(tmp_path), site, {'a"onmouseover="alert(1).md': "# A\n", "b'c d.md": "# B\n"})
    assert done.returncode == 0, done.stderr[-2000:]
    edits = []
    for page in site.rglob("*.html"):
        markup = page.read_text(encoding="utf-8")
        assert injected(markup) == [], page
        edits += [h for h in hrefs(markup) if h.startswith("https://git.example/")]
    assert "https://git.example/o/r/edit/main/docs/a%22onmouseover%3D%22alert%281%29.md" in edits
    assert "https://git.example/o/r/edit/main/docs/b%27c%20d.md" in edits


def _hostile_kb(tmp_path: Path, value: str) -> Path:
    v = json.dumps(value)
    replacements = {
        INC: [("title: Card payments failing at checkout", f"title: {v}"),
              ('message: "Card payments are failing."', f"message: {v}")],
        SCHED: [("name: Payments on-call", f"name: {v}"), ("name: weekly", f"name: {v}")],
        "schedules/people.yaml": [("name: Alice Nguyen", f"name: {v}"), ("name: Payments, members", f"name: {v}, members")],
        PAGE: [("name: Acme Status", f"name: {v}"), ("{id: checkout, name: Checkout,", f"{{id: checkout, name: {v},"),
               ("{id: core, name: Core}", f"{{id: core, name: {v}}}")],
        RB: [("title: Checkout error rate high", f"title: {v}")],
        PM: [("title: Alert on acquirer latency", f"title: {v}"), ("visibility: internal", "visibility: public")],
        "playbooks/severity.yaml": [("name: Critical", f"name: {v}"), ("text: Are customers affected?", f"text: {v}")],
        ORG: [("name: Acme\n", f"name: {v}\nsite_url: https://handbook.example/\n"), ("name: Payments API", f"name: {v}")],
    }
    files = {}
    for rel, pairs in replacements.items():
        text = BASE_FILES[rel]
        for old, new in pairs:
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        files[rel] = text
    return make_kb(tmp_path, files)


# C1 controls (\x85, \x9b: a terminal's CSI) and direction overrides are refused by
# the model (test below); writers still drop them (test_every_xml_output_parses...).
HOSTILE = ("x)<img src=x onerror=alert(1)> \"q\" 'a' </script><script>alert(2)</script> [l](javascript:alert(3)) "
           "&amp; <b>b</b> ~end")


def test_hostile_names_stay_text_on_every_page_of_the_built_site(tmp_path):
    root = _hostile_kb(tmp_path, HOSTILE)
    status, payload = run_validate(root)
    assert not [d for d in payload["diagnostics"] if d["code"] in ("OB103", "OB108")], payload
    site = tmp_path / "site"
    done = mkdocs_build(root, site)
    assert done.returncode == 0, done.stderr[-2000:]
    pages = list(site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        markup = page.read_text(encoding="utf-8")
        assert injected(markup) == [], page
        assert not [c for c in markup if ord(c) < 0x20 and c not in "\t\n\r" or 0x7F <= ord(c) <= 0x9F], page
    oncall = (site / "oncall" / "index.html").read_text(encoding="utf-8")
    assert "x)&lt;img src=x onerror=alert(1)&gt;" in oncall  # shown, as text


def test_hostile_names_stay_text_on_the_status_site(tmp_path):
    root = _hostile_kb(tmp_path, HOSTILE)
    out = tmp_path / "status"
    result = invoke("--root", str(root), "status", "build", "--out", str(out), "--now", NOW)
    assert result.exit_code == 0, result.output
    for page in out.rglob("*.html"):
        markup = page.read_text(encoding="utf-8")
        assert injected(markup) == [], page
        assert not [c for c in markup if ord(c) < 0x20 and c not in "\t\n\r" or 0x7F <= ord(c) <= 0x9F], page
    for xml in [*out.rglob("*.svg"), out / "history.atom", out / "history.rss"]:
        ET.parse(xml)
    channel = ET.parse(out / "history.rss").getroot().find("channel")
    description = channel.findtext("description")
    # RSS descriptions are HTML: the name must arrive as text once a reader renders it.
    assert injected(description) == [] and HOSTILE in html.unescape(description)


@pytest.mark.parametrize("dirt,name", [("\\x9b31m", "U+009B"), ("\\x85", "U+0085"), ("\\x7f", "U+007F"),
                                       ("\\u202egnp.exe", "U+202E"), ("\\u2066x\\u2069", "U+2066")],
                         ids=["csi", "nel", "delete", "rtl-override", "isolate"])
def test_terminal_and_direction_controls_in_a_title_are_located_errors(tmp_path, dirt, name):
    """Found in review: these reached `incident list/show`, `status` and `handoff`
    output raw. A title is data a responder reads in a terminal at 3 AM."""
    root = make_kb(tmp_path, {INC: BASE_FILES[INC].replace(
        "title: Card payments failing at checkout", f'title: "Card payments {dirt} failing"')})
    status, payload = run_validate(root)
    [diag] = [d for d in payload["diagnostics"] if d["code"] == "OB103"]
    assert status == 1 and diag["file"] == INC and name in diag["message"], diag


# --- status page writers: addresses, XML, the RSS channel -------------------------------------


def _public(tmp_path: Path, **changes):
    from opsbook.load import load
    from opsbook.statuspage.public import public_page

    kb, diags = load(make_kb(tmp_path, {ORG: BASE_FILES[ORG].replace(
        "name: Acme\n", "name: Acme\nsite_url: https://handbook.example/\n"),
        PM: BASE_FILES[PM].replace("visibility: internal", "visibility: public")}))
    assert not diags
    return replace(public_page(kb, AT), **changes)


@pytest.mark.parametrize("url", ["javascript:alert(1)//", "data:text/html,x", " javascript:alert(1)"])
def test_a_non_http_page_address_never_becomes_a_link(tmp_path, url):
    from opsbook.statuspage.site import build_site

    files = build_site(_public(tmp_path, url=url))
    for path, content in files.items():
        text = content.decode() if isinstance(content, bytes) else content
        if path.endswith(".html"):
            assert injected(text) == [], path
        if path.endswith((".atom", ".rss")):
            root = ET.fromstring(text)
            links = [e.get("href") or e.text or "" for e in root.iter() if e.tag.endswith("link")]
            assert links and not any("javascript" in link or "data:" in link for link in links), links


@pytest.mark.parametrize("dirt", ["\x1b[31mred\x1b[0m", "bell\x07", "nul\x00", "\x0b\x0c\x1f", "\ufffe\uffff",
                                  "\ud800", "\x9b31m"])
def test_every_xml_output_parses_whatever_the_text_holds(tmp_path, dirt):
    from opsbook.statuspage.public import PublicUpdate
    from opsbook.statuspage.site import build_site

    page = _public(tmp_path)
    incident = page.incidents[0]
    updates = tuple(replace(u, message=f"m {dirt} m") for u in incident.updates)
    page = replace(page, name=f"Acme {dirt}", incidents=(replace(incident, title=f"t {dirt}", updates=updates),),
                   components=tuple(replace(c, name=f"c {dirt}") for c in page.components))
    assert isinstance(updates[0], PublicUpdate)
    files = build_site(page)
    xml_files = [p for p in files if p.endswith((".svg", ".atom", ".rss"))]
    assert "history.atom" in xml_files and "badges/page.svg" in xml_files and len(xml_files) >= 5
    for path in xml_files:
        content = files[path]
        root = ET.fromstring(content if isinstance(content, bytes) else content.encode("utf-8"))
        text = "".join(root.itertext())
        assert "[31m" not in text and not any(ord(c) < 0x20 and c not in "\t\n\r" for c in text), path


def test_rss_channel_description_escapes_the_page_name(tmp_path):
    from opsbook.statuspage.feeds import rss_feed

    page = _public(tmp_path, name="Acme <b>bold</b> & co")
    channel = ET.fromstring(rss_feed(page, AT)).find("channel")
    description = channel.findtext("description")
    assert injected(description) == []
    assert html.unescape(description) == "Incidents and maintenance on Acme <b>bold</b> & co"


def test_postmortem_links_on_the_status_page_are_encoded_http(tmp_path):
    from opsbook.load import load
    from opsbook.statuspage.public import public_page

    kb, _ = load(make_kb(tmp_path, {ORG: BASE_FILES[ORG].replace("name: Acme\n", "name: Acme\nsite_url: https://h.example/\n"),
                                    PM: BASE_FILES[PM].replace("visibility: internal", "visibility: public")}))
    [incident] = public_page(kb, AT).incidents
    assert incident.postmortem_url == "https://h.example/postmortems/2026/2026-03-14-card-payments/"
    bad = replace(kb, config=kb.config.model_copy(update={"site_url": "javascript:alert(1)//"}))
    [incident] = public_page(bad, AT).incidents
    assert incident.postmortem_url is None


# --- updates after the build instant -----------------------------------------------------------


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_updates_after_now_are_not_on_the_handbook_incident_page(tmp_path, audience):
    from opsbook.load import load
    from opsbook.render import render_pages

    future = "  - {at: 2026-06-02T09:00:00Z, status: resolved, message: \"FUTURE-UPDATE-CANARY\"}\n"
    text = BASE_FILES[INC].replace("timeline:\n", "") + ""
    text = BASE_FILES[INC].replace("timeline:\n", future + "timeline:\n")
    kb, _ = load(make_kb(tmp_path, {INC: text}))
    pages = render_pages(kb, audience, AT)
    assert "FUTURE-UPDATE-CANARY" not in pages["incidents/INC-2026-001.md"].markdown
    assert "Fixed." in pages["incidents/INC-2026-001.md"].markdown
    later = render_pages(kb, audience, datetime(2026, 6, 3, tzinfo=timezone.utc))
    assert "FUTURE-UPDATE-CANARY" in later["incidents/INC-2026-001.md"].markdown


def test_a_public_incident_not_yet_posted_is_not_listed(tmp_path):
    from opsbook.load import load
    from opsbook.render import render_pages

    text = (BASE_FILES[INC].replace("2026-03-14T14:10:00Z", "2026-06-05T14:10:00Z")
            .replace("2026-03-14T15:10:00Z, status: resolved", "2026-06-05T15:10:00Z, status: resolved"))
    kb, _ = load(make_kb(tmp_path, {INC: text}))
    pages = render_pages(kb, "public", AT)
    assert "incidents/INC-2026-001.md" not in pages
    assert "Card payments failing" not in pages["incidents/index.md"].markdown


# --- calendars -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Pay\r\nBEGIN:VEVENT", "Pay\rments;x=1,2", "Pay\nDTSTART:19700101T000000Z",
                                  "Pay\x1b[31m\x07ments", "Pay\\;,:ments"])
def test_ics_names_stay_one_property_whatever_they_hold(tmp_path, name):
    from opsbook.load import load
    from opsbook.oncall.engine import shifts_between
    from opsbook.oncall.ics import person_feed, schedule_feed

    kb, _ = load(make_kb(tmp_path))
    schedule = kb.schedules["payments"].model_copy(update={"name": name, "handoff_channel": name})
    people = {pid: p.model_copy(update={"name": name}) for pid, p in kb.people.items()}
    kb = replace(kb, schedule_list=(schedule,), config=kb.config.model_copy(update={"site_url": "javascript:x//"}))
    object.__setattr__(kb, "people", people)
    shifts = shifts_between(schedule, AT, datetime(2026, 6, 20, tzinfo=timezone.utc))
    for data in (schedule_feed(kb, schedule, shifts, AT), person_feed(kb, "alice", shifts, AT)):
        lines = data.split(b"\r\n")
        assert not any(b"\r" in line or b"\n" in line or b"\x1b" in line or b"\x07" in line for line in lines)
        assert lines.count(b"BEGIN:VEVENT") == lines.count(b"END:VEVENT") == len(
            [s for s in shifts if data is not None]) or lines.count(b"BEGIN:VEVENT") > 0
        calendar = Calendar.from_ical(data)
        events = calendar.walk("VEVENT")
        assert len(events) == lines.count(b"BEGIN:VEVENT") == lines.count(b"END:VEVENT")
        assert all(e.get("dtstart").dt.year == 2026 for e in events)  # no injected DTSTART won
        assert all(e.get("url") is None for e in events)  # no javascript: address
        assert len(calendar.walk("VCALENDAR")) == 1

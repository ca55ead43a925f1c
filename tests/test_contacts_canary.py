"""Contacts reach responders and nobody else.

A canary phone number, Slack id and e-mail address are given to a person on
the Payments rotation of a copy of the example. The internal build must show
them on the on-call pages (a tel: link, a Slack link, a mailto: link); no
public output may contain them in any spelling: every file of a public
`mkdocs build` (search index and sitemaps included), the status site, the ICS
feeds and `opsbook render --out`.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from opsbook.cli import cli
from opsbook.model.people import Person
from opsbook.render.contacts import contact_items, mailto_uri, slack_uri, tel_uri

REPO = Path(__file__).resolve().parents[1]
NOW = "2026-11-20T15:00:00Z"  # the example's as_of: Priya is Payments primary, Daniel backup

CANARY_PHONE = "+1 555 0100 7731"
CANARY_DIGITS = "15550100773"  # a prefix of the digits, so "+155501007731" and spaced forms match too
CANARY_SLACK = "UCANARY77Q"
CANARY_EMAIL = "canary-77q@larkspur.example"
# Every spelling a writer could produce: as written, digits only (tel:), the
# Slack id, the e-mail (also percent-encoded or with an entity for "@").
NEEDLES = [CANARY_PHONE, CANARY_DIGITS, "555 0100 7731", CANARY_SLACK, "canary-77q", "CANARY77Q"]


@pytest.fixture(scope="module")
def kb_copy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("canary") / "kb"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(".git", "src", "tests", "benchmarks", "site",
                                                              "__pycache__", "*.egg-info", ".venv"))
    people = root / "schedules/people.yaml"
    text = people.read_text(encoding="utf-8")
    maya = re.search(r"^  - \{id: maya,.*\}$", text, re.M)
    assert maya, "the example's people.yaml changed shape; update this fixture"
    canary = (f'  - {{id: maya, name: Maya Okafor, email: {CANARY_EMAIL}, timezone: America/New_York, '
              f'slack: {CANARY_SLACK}, phone: "{CANARY_PHONE}"}}')
    people.write_text(text[:maya.start()] + canary + text[maya.end():], encoding="utf-8")
    return root


def _mkdocs(root: Path, out: Path, audience: str) -> Path:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "OPSBOOK_AUDIENCE": audience}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=root,
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return out


def _texts(folder: Path):
    """(path, text) of every file under ``folder``; gzip files decompressed."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert files, f"nothing was written to {folder}"
    for path in files:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        yield path, data.decode("utf-8", errors="replace")


def _assert_no_canary(folder: Path) -> int:
    count = 0
    for path, text in _texts(folder):
        count += 1
        # Entities and escapes a writer might use for the same characters.
        plain = text.replace("&#64;", "@").replace("%40", "@").replace("\\u0040", "@")
        for needle in NEEDLES:
            assert needle not in plain, f"{needle!r} is in the public output {path}"
    return count


@pytest.fixture(scope="module")
def internal_site(kb_copy, tmp_path_factory) -> Path:
    return _mkdocs(kb_copy, tmp_path_factory.mktemp("internal"), "internal")


def test_public_mkdocs_build_has_no_contact_anywhere(kb_copy, tmp_path):
    site = _mkdocs(kb_copy, tmp_path / "public", "public")
    scanned = _assert_no_canary(site)
    assert scanned > 50  # every page, the search index, sitemaps, feeds, assets
    # The person is still on the site, by name only.
    assert "Maya Okafor" in (site / "oncall/people/maya/index.html").read_text(encoding="utf-8")


def test_status_site_has_no_contact(kb_copy, tmp_path):
    result = CliRunner().invoke(cli, ["--root", str(kb_copy), "status", "build", "--out", str(tmp_path / "status"),
                                      "--now", NOW])
    assert result.exit_code == 0, result.output
    _assert_no_canary(tmp_path / "status")


def test_ics_feeds_have_no_contact(kb_copy, tmp_path):
    result = CliRunner().invoke(cli, ["--root", str(kb_copy), "oncall", "ics", "--out", str(tmp_path / "ics"),
                                      "--now", NOW])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ics/people/maya.ics").is_file()
    _assert_no_canary(tmp_path / "ics")


def test_render_out_public_has_no_contact(kb_copy, tmp_path):
    result = CliRunner().invoke(cli, ["--root", str(kb_copy), "render", "--out", str(tmp_path / "pages"),
                                      "--now", NOW])
    assert result.exit_code == 0, result.output
    _assert_no_canary(tmp_path / "pages")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.extend(v for k, v in attrs if k == "href" and v)


def _hrefs(path: Path) -> list[str]:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.hrefs


@pytest.mark.parametrize("page", ["oncall/people/maya/index.html", "oncall/payments/index.html",
                                  "oncall/index.html"])
def test_internal_on_call_pages_link_every_contact(internal_site, page):
    hrefs = _hrefs(internal_site / page)
    assert "tel:+155501007731" in hrefs
    assert f"https://slack.com/app_redirect?channel={CANARY_SLACK}" in hrefs
    assert f"mailto:{CANARY_EMAIL}" in hrefs
    assert CANARY_PHONE in (internal_site / page).read_text(encoding="utf-8")


@pytest.mark.parametrize("page", ["index.html", "now/index.html", "oncall/index.html"])
def test_internal_front_page_carries_contacts_for_the_script(internal_site, page):
    """Whoever is on call by the reader's clock: the script links them from this data."""
    import json

    html = (internal_site / page).read_text(encoding="utf-8")
    raw = re.search(r'<script type="application/json" id="opsbook-oncall-data">(.*?)</script>', html).group(1)
    contacts = json.loads(raw)["contacts"]
    assert contacts["maya"] == [["tel:+155501007731", CANARY_PHONE],
                                [f"https://slack.com/app_redirect?channel={CANARY_SLACK}", "Slack"],
                                [f"mailto:{CANARY_EMAIL}", CANARY_EMAIL]]
    # At the build Priya is Payments primary: her links are in the page as HTML already.
    assert 'href="tel:+16465550177"' in html


def test_internal_escalation_names_who_it_reaches_now(internal_site):
    html = (internal_site / "oncall/payments/index.html").read_text(encoding="utf-8")
    # At the build (Fri 20 Nov 10:00 New York) Priya is primary and Daniel backup.
    assert re.search(r'data-oncall-resolve="payments" data-oncall-role="primary">Priya Raman</span>', html)
    assert re.search(r'data-oncall-resolve="payments" data-oncall-role="backup">Daniel Reyes</span>', html)


@pytest.mark.parametrize("phone,uri", [
    ("+1 212 555 0142", "tel:+12125550142"),
    ("+44 20 7946 0381", "tel:+442079460381"),
    ("(212) 555-0142", "tel:2125550142"),
    ("212.555.0142", "tel:2125550142"),
    ("+1 212 555 0142 ext 7", None),      # letters: shown as text, no link
    ("javascript:alert(1)", None),
    ('"><script>', None),
    ("12", None),                          # too short to dial
    ("", None),
])
def test_tel_uri(phone, uri):
    assert tel_uri(phone) == uri


@pytest.mark.parametrize("email,uri", [
    ("maya.okafor@larkspur.example", "mailto:maya.okafor@larkspur.example"),
    ("a+b@x.example", "mailto:a+b@x.example"),
    ("not an address", None),
    ("a@b", None),
    ('x"@y.example', None),
    ("x@y.example?cc=z@evil.example", None),
    ("<x@y.example>", None),
])
def test_mailto_uri(email, uri):
    assert mailto_uri(email) == uri


@pytest.mark.parametrize("member,uri", [
    ("U04KQ7M2R", "https://slack.com/app_redirect?channel=U04KQ7M2R"),
    ("W012ABCDEF", "https://slack.com/app_redirect?channel=W012ABCDEF"),
    ("C04KQ7M2R", None),  # a channel, not a person
    ("U04&x=1", None),
])
def test_slack_uri(member, uri):
    assert slack_uri(member) == uri


def test_contact_text_is_escaped_and_unlinkable_text_stays_text():
    person = Person.model_construct(id="x", name="X", phone="+1 <b>555</b> 0100 ext 9", slack=None,
                                    email="x@y.example?cc=z", timezone=None, github=None)
    items = dict(contact_items(person))
    assert items["phone"] == "\\+1 &lt;b&gt;555&lt;/b&gt; 0100 ext 9"  # no tel: link, no tag
    assert "mailto:" not in items["e-mail"] and "](" not in items["e-mail"]

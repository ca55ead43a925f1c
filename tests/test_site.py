"""The published site: `mkdocs build --strict` with the opsbook plugin.

Builds run as subprocesses, the way CI and people run them, on the example
knowledge base at the repository root and on small ones made here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from opsbook.load import load

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_PARTS = ["opsbook.yaml", "mkdocs.yml", "docs", "playbooks", "runbooks", "postmortems", "schedules",
                 "incidents", "status"]
RESTRICTED_CANARY = "Canary restricted postmortem 7f3a"

pytestmark = pytest.mark.skipif(not (REPO / "mkdocs.yml").is_file(), reason="no example site at the repo root")


def build(config: Path, site: Path, audience: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("OPSBOOK_AUDIENCE", None)
    if audience is not None:
        env["OPSBOOK_AUDIENCE"] = audience
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        cwd=config.parent, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def site_text(site: Path) -> dict[Path, str]:
    """Every text file of a built site (pages, search index, sitemap...)."""
    out = {}
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml", ".txt", ".js", ".md"):
            out[path] = path.read_text(encoding="utf-8", errors="replace")
    return out


def page_html(site: Path, site_path: str) -> str:
    """The HTML of the page generated from ``site_path`` (use_directory_urls)."""
    stem = site_path.removesuffix(".md")
    folder = stem.removesuffix("index").rstrip("/") if stem.endswith("index") else stem
    return (site / folder / "index.html").read_text(encoding="utf-8")


def edit_link(page: str) -> str | None:
    match = re.search(r'<a href="([^"]+)"[^>]*rel="edit"', page)
    return match.group(1) if match else None


def unescape(text: str) -> str:
    import html

    return html.unescape(text)


@pytest.fixture(scope="module")
def example_kb():
    kb, diags = load(REPO)
    assert kb is not None and not diags, diags
    return kb


@pytest.fixture(scope="module")
def public_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("public") / "site"
    result = build(REPO / "mkdocs.yml", site)
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="module")
def internal_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("internal") / "site"
    result = build(REPO / "mkdocs.yml", site, audience="internal")
    assert result.returncode == 0, result.stderr
    return site


# --- the example ---------------------------------------------------------------------


def test_generated_pages_are_in_the_site(public_site, example_kb):
    for folder in ("severity", "runbooks", "playbooks", "postmortems"):
        assert (public_site / folder / "index.html").is_file(), folder
    for runbook in example_kb.runbook_list:
        assert (public_site / "runbooks" / runbook.id / "index.html").is_file(), runbook.id
    for playbook in example_kb.playbook_list:
        assert (public_site / "playbooks" / playbook.id / "index.html").is_file(), playbook.id
    severity = page_html(public_site, "severity.md")
    for level in example_kb.levels:
        assert f'id="level-{level.id.lower()}"' in severity


def test_public_site_leaves_out_internal_and_restricted_postmortems(public_site, example_kb):
    hidden = [pm for pm in example_kb.postmortem_list if pm.visibility != "public"]
    assert any(pm.visibility == "internal" for pm in hidden), "the example should have an internal postmortem"
    files = site_text(public_site)
    # A postmortem may share its title with its incident; when that incident was on
    # the status page, the title is public through the incident, not the postmortem.
    public_titles = {inc.title for inc in example_kb.incident_list if inc.public}
    for pm in hidden:
        if pm.title not in public_titles:
            leaks = [path for path, text in files.items() if pm.title in unescape(text)]
            assert not leaks, f"{pm.title!r} appears in {leaks}"
        linked = [path for path, text in files.items() if f"postmortems/{pm.id}" in unescape(text)]
        assert not linked, f"{pm.id} is linked from {linked}"
        assert not (public_site / "postmortems" / pm.id).exists()
    shown = [pm for pm in example_kb.postmortem_list if pm.visibility == "public"]
    index = unescape(page_html(public_site, "postmortems/index.md"))
    assert all(pm.title in index for pm in shown)


def test_internal_site_adds_internal_postmortems_only(internal_site, example_kb):
    files = site_text(internal_site)
    for pm in example_kb.postmortem_list:
        present = any(pm.title in unescape(text) for text in files.values())
        assert present == (pm.visibility in ("public", "internal")), (pm.id, pm.visibility)


def test_runbook_edit_link_points_at_its_source(public_site, example_kb):
    for runbook in example_kb.runbook_list:
        source = runbook.file.relative_to(REPO).as_posix()
        link = edit_link(page_html(public_site, f"runbooks/{runbook.id}.md"))
        assert link is not None and link.endswith(f"/edit/main/{source}"), (runbook.id, link)


def test_severity_edits_the_ladder_and_indexes_have_no_edit_link(public_site):
    assert edit_link(page_html(public_site, "severity.md")).endswith("/edit/main/playbooks/severity.yaml")
    for index in ("runbooks/index.md", "playbooks/index.md", "postmortems/index.md"):
        assert edit_link(page_html(public_site, index)) is None, index
    assert edit_link(page_html(public_site, "index.md")).endswith("/edit/main/docs/index.md")


# --- knowledge bases made here -----------------------------------------------------------


def copy_example(dest: Path) -> Path:
    for part in EXAMPLE_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, dest / part)
        elif source.is_file():
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / part)
    return dest


def test_restricted_postmortem_is_never_published(tmp_path):
    root = copy_example(tmp_path / "kb")
    (root / "postmortems/2026/restricted-canary.md").write_text(textwrap.dedent(f"""\
        ---
        title: {RESTRICTED_CANARY}
        status: published
        date: 2026-11-01
        visibility: restricted
        severity: SEV1
        action_items:
          - {{id: AI-RESTRICTED-1, title: "Restricted action canary", due: 2026-12-01}}
        ---
        # {RESTRICTED_CANARY}

        Security detail that must never be published.
        """), encoding="utf-8")
    for audience in ("public", "internal"):
        site = tmp_path / f"site-{audience}"
        result = build(root / "mkdocs.yml", site, audience=audience)
        assert result.returncode == 0, result.stderr
        for path, text in site_text(site).items():
            assert RESTRICTED_CANARY not in text and "AI-RESTRICTED-1" not in text, (audience, path)
            assert "restricted-canary" not in text, (audience, path)


MINIMAL_SITE = {
    "mkdocs.yml": "site_name: Tiny\nrepo_url: https://example.com/tiny\nedit_uri: edit/main/\n"
                  "plugins: [opsbook]\nmarkdown_extensions: [admonition, attr_list, tables]\n",
    "docs/index.md": "# Tiny\n",
    "opsbook.yaml": "name: Tiny\n",
}


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_load_errors_fail_the_build_with_positions(tmp_path):
    root = write(tmp_path / "kb", {
        **MINIMAL_SITE,
        "runbooks/api/broken.md": "---\ntitle: Broken\nowner: Not A Slug\n---\n# Broken\n",
    })
    result = build(root / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert "runbooks/api/broken.md:3:8:" in result.stderr
    assert "did not load" in result.stderr


def test_time_relative_findings_do_not_fail_the_build(tmp_path):
    # Reviewed long ago, with no as_of: `opsbook validate` warns, the site still builds.
    root = write(tmp_path / "kb", {
        **MINIMAL_SITE,
        "runbooks/api/old.md": "---\ntitle: Old\nlast_reviewed: 2019-01-01\n---\n# Old\n\nStale but published.\n",
    })
    result = build(root / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert "Stale but published." in (tmp_path / "site/runbooks/api/old/index.html").read_text(encoding="utf-8")


def test_bad_audience_names_the_option(tmp_path):
    site = dict(MINIMAL_SITE)
    site["mkdocs.yml"] = site["mkdocs.yml"].replace("plugins: [opsbook]",
                                                    "plugins:\n  - opsbook:\n      audience: everyone")
    root = write(tmp_path / "kb", site)
    result = build(root / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert "audience" in result.stderr and "everyone" in result.stderr


def test_docs_dir_holding_the_sources_is_refused(tmp_path):
    # MkDocs would publish postmortems/*.md itself, restricted ones included.
    root = write(tmp_path / "proj", {
        "mkdocs.yml": "site_name: Tiny\ndocs_dir: kb\nplugins:\n  - opsbook:\n      root: kb\n",
        "kb/index.md": "# Tiny\n",
        "kb/opsbook.yaml": "name: Tiny\n",
        "kb/postmortems/secret.md": "---\ntitle: Secret\nvisibility: restricted\n---\n# Secret\n",
    })
    result = build(root / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert "contains the knowledge base's postmortems/ folder" in result.stderr
    assert not (tmp_path / "site/postmortems/secret").exists()

"""`opsbook init` makes a knowledge base that validates and builds, and never overwrites."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from opsbook.cli import cli

NOW = "2026-06-01T12:00:00Z"


def _snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_init_creates_a_valid_knowledge_base(tmp_path):
    target = tmp_path / "acme-incidents"
    result = CliRunner().invoke(cli, ["init", str(target), "--timezone", "Europe/Berlin", "--now", NOW])
    assert result.exit_code == 0, result.output
    for rel in ("opsbook.yaml", "mkdocs.yml", "schedules/people.yaml", "schedules/escalation.yaml",
                "playbooks/severity.yaml", "runbooks/web/high-error-rate.md", "incidents/INC-2026-001.yaml",
                "postmortems/example-postmortem.md", "status/page.yaml", "docs/index.md",
                ".github/workflows/validate.yml", "schemas/incident.schema.json"):
        assert (target / rel).is_file(), rel
    assert "name: \"Acme Incidents\"" in (target / "opsbook.yaml").read_text()
    result = CliRunner().invoke(cli, ["--root", str(target), "validate", "--strict", "--now", NOW])
    assert result.exit_code == 0, result.output
    assert "no findings" in result.output


def test_init_twice_refuses_and_changes_nothing(tmp_path):
    target = tmp_path / "kb"
    assert CliRunner().invoke(cli, ["init", str(target), "--now", NOW]).exit_code == 0
    (target / "opsbook.yaml").write_text("name: Mine\n# my own comment\n")
    before = _snapshot(target)
    result = CliRunner().invoke(cli, ["init", str(target), "--now", NOW])
    assert result.exit_code == 2
    assert "refusing to overwrite" in result.output and "opsbook.yaml" in result.output
    assert _snapshot(target) == before


def test_init_refuses_when_a_single_file_exists(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Our page\n")
    result = CliRunner().invoke(cli, ["init", str(tmp_path), "--now", NOW])
    assert result.exit_code == 2
    assert (tmp_path / "docs" / "index.md").read_text() == "# Our page\n"
    assert not (tmp_path / "opsbook.yaml").exists()


def test_init_rejects_unknown_timezone(tmp_path):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "x"), "--timezone", "Europe/Berln"])
    assert result.exit_code == 2
    assert "Europe/Berlin" in result.output
    assert not (tmp_path / "x").exists()


def test_fresh_init_builds_with_mkdocs_strict(tmp_path):
    target = tmp_path / "kb"
    assert CliRunner().invoke(cli, ["init", str(target), "--now", NOW]).exit_code == 0
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
                          cwd=target, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "severity" / "index.html").is_file()
    assert (tmp_path / "site" / "runbooks" / "web" / "high-error-rate" / "index.html").is_file()

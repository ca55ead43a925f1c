"""The JSON Schemas are generated, committed, current, and agree with the loader."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from opsbook.cli import cli
from opsbook.schema import schema_folder_files, schemas
from opsbook.yamlsource import parse_yaml, read_text, split_front_matter

REPO = Path(__file__).resolve().parents[1]

YAML_KINDS = [
    ("opsbook.yaml", "opsbook"),
    ("schedules/people.yaml", "people"),
    ("schedules/escalation.yaml", "escalation"),
    ("playbooks/severity.yaml", "severity"),
    ("status/page.yaml", "statuspage"),
]


def _example_documents():
    for rel, kind in YAML_KINDS:
        yield rel, kind
    for path in sorted((REPO / "schedules").glob("*.yaml")):
        if path.name not in ("people.yaml", "escalation.yaml"):
            yield path.relative_to(REPO).as_posix(), "schedule"
    for path in sorted((REPO / "incidents").glob("*.yaml")):
        yield path.relative_to(REPO).as_posix(), "incident"
    for path in sorted((REPO / "runbooks").rglob("*.md")):
        yield path.relative_to(REPO).as_posix(), "runbook"
    for path in sorted((REPO / "postmortems").rglob("*.md")):
        yield path.relative_to(REPO).as_posix(), "postmortem"


def test_committed_schemas_are_current():
    stale = [name for name, text in schema_folder_files().items()
             if not (REPO / "schemas" / name).exists() or (REPO / "schemas" / name).read_text() != text]
    assert not stale, f"run `opsbook schema`: stale {stale}"


def test_schema_check_flag_reports_stale_files(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["--root", str(REPO), "schema", "--out", str(tmp_path), "--check"])
    assert result.exit_code == 1
    assert "out of date" in result.output
    result = runner.invoke(cli, ["--root", str(REPO), "schema", "--out", str(tmp_path)])
    assert result.exit_code == 0 and len(list(tmp_path.glob("*.schema.json"))) == 10
    assert "## schedules/<id>.yaml: an on-call schedule" in (tmp_path / "README.md").read_text()
    result = runner.invoke(cli, ["--root", str(REPO), "schema", "--out", str(tmp_path), "--check"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("rel,kind", list(_example_documents()), ids=lambda v: str(v))
def test_example_files_satisfy_generated_schema(rel, kind):
    """An independent validator (jsonschema) accepts what opsbook accepts."""
    path = REPO / rel
    text, _ = read_text(path)
    first = 1
    if path.suffix == ".md":
        split, _ = split_front_matter(path, text)
        text, first = split.yaml_text, split.yaml_first_line
    data, diags = parse_yaml(path, text, first)
    assert not diags
    schema = json.loads((REPO / "schemas" / f"{kind}.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(data)


@pytest.mark.parametrize("rel,kind", [(r, k) for r, k in _example_documents() if r.endswith(".yaml")],
                         ids=lambda v: str(v))
def test_example_yaml_files_carry_the_modeline(rel, kind):
    first_line = (REPO / rel).read_text().splitlines()[0]
    depth = rel.count("/")
    assert first_line == f"# yaml-language-server: $schema={'../' * depth}schemas/{kind}.schema.json"


def test_schema_rejects_what_the_loader_rejects():
    schema = json.loads(schemas()["schedule.schema.json"])
    bad = {"name": "x", "timezone": "UTC", "layers": [{"name": "w", "members": ["a"], "start": "2026-01-05T09:00",
                                                        "length": "1w", "colour": "red"}]}
    with pytest.raises(jsonschema.ValidationError, match="colour"):
        jsonschema.Draft202012Validator(schema).validate(bad)

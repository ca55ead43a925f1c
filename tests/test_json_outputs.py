"""Issue 15, part 2: with --json every command prints exactly one JSON document,
success or failure, and it validates against the command's published schema.

The schemas are the ones `opsbook schema` writes (schemas/output/); the
documents are what the commands really print, run through Click like a shell
would, on a copy of the example knowledge base.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import jsonschema
import pytest

from conftest import invoke
from opsbook.cli import cli
from opsbook.outputs.registry import OUTPUTS, output_schemas, schema_name
from test_import_helpers import FIXTURES, make_kb, vendor_files

REPO = Path(__file__).resolve().parents[1]
NOW = "2026-11-20T15:00:00Z"
SCHEMAS = {name: json.loads(text) for name, text in output_schemas().items()}
ERROR_SCHEMA = SCHEMAS["output/error.schema.json"]


def walk(command: click.Command, path: tuple[str, ...] = ()):
    ctx = click.Context(cli)
    if isinstance(command, click.Group):
        if path:  # a group may answer itself (`opsbook status`)
            yield " ".join(path), command
        for name in command.list_commands(ctx):
            yield from walk(command.get_command(ctx, name), path + (name,))
    else:
        yield " ".join(path), command


def speaks_json(command: click.Command) -> bool:
    for param in command.params:
        if "--json" in getattr(param, "opts", ()):
            return True
        if "--format" in getattr(param, "opts", ()) and isinstance(param.type, click.Choice) \
                and "json" in param.type.choices:
            return True
    return False


JSON_COMMANDS = sorted(path for path, command in walk(cli) if speaks_json(command))


def test_every_command_that_prints_json_has_a_schema():
    assert len(JSON_COMMANDS) >= 20
    missing = [path for path in JSON_COMMANDS if path not in OUTPUTS]
    assert missing == [], f"add these to opsbook/outputs/registry.py: {missing}"
    stale = [path for path in OUTPUTS if path not in JSON_COMMANDS]
    assert stale == [], f"registered but no such command with --json: {stale}"


def test_the_example_ships_the_schemas_opsbook_schema_writes():
    for name, text in output_schemas().items():
        assert (REPO / "schemas" / name).read_text(encoding="utf-8") == text, f"run `opsbook schema`: {name}"


def one_document(result) -> dict:
    """stdout holds exactly one JSON document (json.loads refuses trailing data)."""
    text = result.stdout
    assert text.strip(), f"nothing on stdout; stderr: {result.stderr}"
    document = json.loads(text)
    assert isinstance(document, dict), "every --json document is an object"
    return document


def assert_valid(command: str, document: dict) -> None:
    schema = ERROR_SCHEMA if "error" in document else SCHEMAS[schema_name(command)]
    jsonschema.Draft202012Validator(schema).validate(document)


@pytest.fixture()
def kb(tmp_path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(".git", "site", "__pycache__", "src", "tests",
                                                               "benchmarks", ".venv", "venv"))
    return root


def run(root: Path, *args: str, env=None):
    return invoke("--root", str(root), *args, env=env)


# (command path, arguments after `opsbook --root KB`, expected exit code)
SUCCESSES = [
    ("validate", ["validate", "--now", NOW, "--format", "json"], 0),
    ("doctor", ["doctor", "--now", NOW, "--json"], 0),
    ("escalation", ["escalation", "invoicing-api", "--at", NOW, "--json"], 0),
    ("escalation", ["escalation", "payments", "--severity", "SEV1", "--at", NOW, "--json"], 0),
    ("incident new", ["incident", "new", "--title", "Reports slow <b>", "--severity", "SEV3", "--service",
                      "reporting-pipeline", "--at", NOW, "--json"], 0),
    ("incident new", ["incident", "new", "--from-alert", str(Path(__file__).parent / "fixtures" / "intake" /
                                                           "alertmanager-three.json"), "--at", NOW, "--json"], 0),
    ("incident update", ["incident", "update", "INC-2026-006", "--status", "monitoring", "-m", "Queue drained",
                         "--at", NOW, "--json"], 0),
    ("incident note", ["incident", "note", "INC-2026-006", "Replica lag back under 1 s", "--at", NOW, "--json"], 0),
    ("incident resolve", ["incident", "resolve", "INC-2026-006", "--at", NOW, "--json"], 0),
    ("incident list", ["incident", "list", "--json"], 0),
    ("incident show", ["incident", "show", "INC-2026-006", "--at", NOW, "--json"], 0),
    ("incident show", ["incident", "show", "INC-2026-002", "--at", NOW, "--json"], 0),
    ("incident severity", ["incident", "severity", "INC-2026-006", "SEV1", "--reason", "all invoices late",
                           "--at", NOW, "--json"], 0),
    ("incident assign", ["incident", "assign", "INC-2026-006", "scribe=oliver", "--at", NOW, "--json"], 0),
    ("oncall now", ["oncall", "now", "--now", NOW, "--json"], 0),
    ("oncall at", ["oncall", "at", "2026-11-21T03:00", "-s", "payments", "--json"], 0),
    ("oncall shifts", ["oncall", "shifts", "--now", NOW, "--json"], 0),
    ("oncall gaps", ["oncall", "gaps", "--now", NOW, "--json"], None),
    ("oncall report", ["oncall", "report", "--now", NOW, "--json"], 0),
    ("oncall ics", ["oncall", "ics", "--out", "{tmp}/ics", "--now", NOW, "--json"], 0),
    ("oncall override", ["oncall", "override", "payments", "--person", "daniel", "--from", "2026-12-01T09:00",
                         "--to", "2026-12-01T17:00", "--reason", "swap", "--force", "--json"], 0),
    ("severity", ["severity", "--json"], 0),
    ("severity classify", ["severity", "classify", "--answer", "money-or-data=no", "--answer",
                           "core-flow-down=yes", "--json"], 0),
    ("severity classify", ["severity", "classify", "--alert", str(Path(__file__).parent / "fixtures" / "intake" /
                                                                  "pagerduty-triggered.json"), "--json"], 0),
    ("metrics", ["metrics", "--now", NOW, "--json"], 0),
    ("metrics", ["metrics", "--from", "2025-11-01", "--to", "2026-11-01", "--by", "month", "--now", NOW, "--json"], 0),
    ("actions list", ["actions", "list", "--now", NOW, "--json"], 0),
    ("actions list", ["actions", "list", "--overdue", "--now", NOW, "--format", "json"], 1),
    ("actions done", ["actions", "done", "AI-107", "--now", NOW, "--json"], 0),
    ("actions reopen", ["actions", "reopen", "AI-101", "--json"], 0),
    ("comms", ["comms", "INC-2026-006", "--kind", "status-update", "--now", NOW, "--json"], 0),
    ("handoff", ["handoff", "data", "--at", NOW, "--json"], 0),
    ("handoff", ["handoff", "data", "--at", NOW, "--within", "1m", "--json"], 0),
    ("postmortem new", ["postmortem", "new", "--title", "A near miss", "--now", NOW, "--json"], 0),
    ("render", ["render", "--out", "{tmp}/pages", "--now", NOW, "--json"], 0),
    ("runbooks urls", ["runbooks", "urls", "--json"], 0),
    ("schema", ["schema", "--out", "{tmp}/schemas", "--json"], 0),
    ("schema", ["schema", "--check", "--json"], 0),
    ("status", ["status", "--now", NOW, "--json"], 0),
    ("status build", ["status", "build", "--out", "{tmp}/status", "--now", NOW, "--json"], 0),
    ("postmortem import", ["postmortem", "import", *map(str, sorted((FIXTURES.parent / "postmortems" / "plain")
                                                                   .glob("*.md"))), "--dry-run", "--json"], 0),
]


@pytest.mark.parametrize("command, args, code", SUCCESSES, ids=[" ".join(c[1][:3]) for c in SUCCESSES])
def test_success_documents_validate(kb, tmp_path, command, args, code):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = run(kb, *args)
    if code is not None:
        assert result.exit_code == code, result.stderr
    document = one_document(result)
    assert "error" not in document, document
    assert_valid(command, document)


def test_init_document_validates(tmp_path):
    result = invoke("init", str(tmp_path / "new"), "--name", "Acme", "--json")
    assert result.exit_code == 0, result.stderr
    assert_valid("init", one_document(result))


def test_import_and_verify_documents_validate(tmp_path):
    root = make_kb(tmp_path)
    imported = invoke("--root", str(root), "import", "pagerduty", *vendor_files("pagerduty"), "--from",
                      "2026-02-15T00:00-05:00", "--json")
    assert imported.exit_code in (0, 1), imported.stderr
    assert_valid("import pagerduty", one_document(imported))
    verify = invoke("--root", str(root), "import", "verify", "pagerduty", str(FIXTURES / "pagerduty/users.json"),
                    str(FIXTURES / "pagerduty/users-page2.json"), str(FIXTURES / "pagerduty/verify-disagree.json"),
                    "--json")
    assert verify.exit_code == 1
    document = one_document(verify)
    assert_valid("import verify", document)
    assert document["from"] < document["to"] and 0 < document["agreement"] < 1


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_a_usage_error_is_one_json_error_document(kb, command):
    # An option no command has: Click refuses it before the command runs.
    result = run(kb, *command.split(), "--json", "--no-such-option")
    assert result.exit_code == 2
    document = one_document(result)
    assert_valid(command, document)
    assert document["error"]["code"] == "usage" and "--no-such-option" in document["error"]["message"]
    assert document["error"]["exit_code"] == 2


def test_an_unknown_id_is_a_json_finding(kb):
    result = run(kb, "handoff", "nosuch", "--at", NOW, "--json")
    assert result.exit_code == 1
    document = one_document(result)
    assert_valid("handoff", document)
    assert document["error"]["code"] == "not_found" and "nosuch" in document["error"]["message"]
    assert result.stderr == ""  # one channel: the document says it all


def test_a_broken_essential_file_is_a_located_json_error(kb):
    people = kb / "schedules" / "people.yaml"
    people.write_text(people.read_text(encoding="utf-8") + "\n  - [unclosed\n", encoding="utf-8")
    result = run(kb, "handoff", "data", "--at", NOW, "--json")
    assert result.exit_code == 1
    document = one_document(result)
    assert_valid("handoff", document)
    error = document["error"]
    assert error["code"] == "load" and error["file"] == "schedules/people.yaml" and error["line"] > 1
    assert error["details"][0]["code"].startswith("OB")


def test_a_partial_answer_says_what_it_left_out(kb):
    # A broken incident is not essential to a handoff: the answer comes, and says so.
    broken = kb / "incidents" / "INC-2026-001.yaml"
    broken.write_text("id: INC-2026-001\ntitle: [unclosed\n", encoding="utf-8")
    result = run(kb, "handoff", "data", "--at", NOW, "--json")
    assert result.exit_code == 0, result.stderr
    document = one_document(result)
    assert_valid("handoff", document)
    assert [s["file"] for s in document["skipped"]] == ["incidents/INC-2026-001.yaml"]
    assert document["skipped"][0]["line"] == 2
    clean = one_document(run(REPO, "handoff", "data", "--at", NOW, "--json"))
    assert clean["skipped"] == []


def test_an_io_error_is_a_json_error(kb, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run(kb, "status", "build", "--out", str(blocker / "site"), "--now", NOW, "--json")
    assert result.exit_code == 2
    document = one_document(result)
    assert_valid("status build", document)
    assert document["error"]["code"] in ("io", "usage")


def test_without_json_errors_stay_text_on_stderr(kb):
    result = run(kb, "handoff", "nosuch", "--at", NOW)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("opsbook: ") and "nosuch" in result.stderr


def test_an_internal_error_is_a_json_document_too(kb, monkeypatch):
    import opsbook.oncall.handoff as handoff

    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(handoff, "build_handoff", boom)
    monkeypatch.delenv("OPSBOOK_DEBUG", raising=False)
    result = run(kb, "handoff", "data", "--at", NOW, "--json")
    assert result.exit_code == 2
    document = one_document(result)
    assert_valid("handoff", document)
    assert document["error"]["code"] == "internal" and "simulated bug" in document["error"]["message"]


def test_a_load_error_under_format_github_is_an_annotation(kb, tmp_path):
    # Review finding: `runbooks coverage --format github` printed plain text for a
    # runbook that did not load, so the pull request showed no annotation.
    (kb / "runbooks" / "zz-broken.md").write_text("---\ntitle: [broken\n---\n# x\n", encoding="utf-8")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "a.yml").write_text("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n", encoding="utf-8")
    result = run(kb, "runbooks", "coverage", "--rules", str(rules), "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=runbooks/zz-broken.md,line=2,col=8,title=OB001::the '[' opened on line 2, column 8 is never closed"]
    assert "did not load" in result.stderr

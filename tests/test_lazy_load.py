"""Loading only the kinds a command reads (issue 12).

The answer must be the one a full load gives: every command that loads lazily is
run twice, once as it is and once with the loader forced to read everything,
on the example and on a generated knowledge base, and the outputs compared. An
unloaded kind is not empty: using it raises NotLoaded. Broken files of the kinds
read are handled as before: essential ones stop, the others are named and skipped.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import invoke, make_kb

import opsbook.load as loader
from opsbook.load import load
from opsbook.model.kb import KINDS, NotLoaded

REPO = Path(__file__).resolve().parents[1]
NOW = "2026-11-20T15:00:00Z"
sys.path.insert(0, str(REPO / "benchmarks"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    from generate_kb import generate

    root = tmp_path_factory.mktemp("gen") / "kb"
    generate(root, runbooks=40, postmortems=30, incidents=120, schedules=9, people=40, seed=3)
    return root


def _full_load(monkeypatch):
    """Make every load a full one, whatever the command asks for."""
    real = loader.load

    def everything(root, layout=loader.LAYOUT, files=None, kinds=None, incidents=None):
        return real(root, layout, files)

    monkeypatch.setattr(loader, "load", everything)


def _commands(root: Path) -> list[list[str]]:
    schedules = sorted(p.stem for p in (root / "schedules").glob("*.yaml") if p.stem not in ("people", "escalation"))
    out = [
        ["oncall", "now", "--now", NOW],
        ["oncall", "now", "--now", NOW, "--json"],
        ["oncall", "at", "2026-12-24T03:00", "--tz", "Asia/Tokyo"],
        ["oncall", "shifts", "--now", NOW, "--json"],
        ["oncall", "gaps", "--now", NOW, "--json"],
        ["oncall", "report", "--now", NOW, "--format", "json"],
        ["oncall", "shifts", "--now", NOW, "--person", "nobody-at-all"],
        ["status", "--now", NOW],
        ["status", "--now", NOW, "--json"],
    ]
    for ident in schedules[:3]:
        out += [["handoff", ident, "--at", NOW, "--json"], ["handoff", ident, "--at", NOW]]
    return out


@pytest.mark.parametrize("which", ["example", "generated"])
def test_lazy_commands_answer_what_a_full_load_answers(which, generated, monkeypatch, tmp_path):
    root = REPO if which == "example" else generated
    for args in _commands(root):
        lazy = invoke("--root", str(root), *args)
        with monkeypatch.context() as m:
            _full_load(m)
            full = invoke("--root", str(root), *args)
        assert (lazy.exit_code, lazy.stdout, lazy.stderr) == (full.exit_code, full.stdout, full.stderr), args
        assert "internal error" not in lazy.stderr, (args, lazy.stderr)


@pytest.mark.parametrize("which", ["example", "generated"])
def test_lazy_files_are_the_full_files(which, generated, monkeypatch, tmp_path):
    """ICS feeds and the status site: byte for byte."""
    root = REPO if which == "example" else generated
    outs = {}
    for mode in ("lazy", "full"):
        with monkeypatch.context() as m:
            if mode == "full":
                _full_load(m)
            for audience in ("public", "internal"):
                result = invoke("--root", str(root), "oncall", "ics", "--out", str(tmp_path / mode / audience),
                                "--now", NOW, "--audience", audience)
                assert result.exit_code == 0, result.output
            result = invoke("--root", str(root), "status", "build", "--out", str(tmp_path / mode / "status"),
                            "--now", NOW)
            assert result.exit_code == 0, result.output
        outs[mode] = {p.relative_to(tmp_path / mode).as_posix(): p.read_bytes()
                      for p in sorted((tmp_path / mode).rglob("*")) if p.is_file()}
    assert outs["lazy"].keys() == outs["full"].keys()
    assert outs["lazy"] == outs["full"]


@pytest.mark.parametrize("kinds", [{"schedule", "person"}, {"incident", "severity", "component"},
                                   {"postmortem"}, {"runbook", "playbook"}, {"escalation", "team"}])
def test_the_kinds_loaded_are_the_kinds_of_a_full_load(generated, kinds):
    full, full_diags = load(generated)
    lazy, lazy_diags = load(generated, kinds=kinds)
    assert lazy_diags == [d for d in full_diags if any(d.file in paths for paths in
                                                       loader.discover(generated, kinds=kinds).values())]
    for kind in lazy.loaded:
        index = {"person": "people", "team": "teams", "service": "services", "escalation": "escalation",
                 "severity": "severities", "schedule": "schedules", "runbook": "runbooks", "playbook": "playbooks",
                 "incident": "incidents", "postmortem": "postmortems", "component": "components",
                 "group": "groups"}[kind]
        assert list(getattr(lazy, index)) == list(getattr(full, index)), kind
        assert [x.model_dump() for x in getattr(lazy, index).values()] == \
               [x.model_dump() for x in getattr(full, index).values()], kind
        assert lazy.ids(kind) == full.ids(kind)


def test_files_are_the_unit_and_the_config_is_always_read(generated):
    kb, _ = load(generated, kinds={"person"})
    assert kb.loaded == {"person", "team", "service"}
    assert kb.teams and kb.services
    kb, _ = load(generated, kinds={"group"})
    assert kb.loaded == {"component", "group", "service"}
    with pytest.raises(ValueError, match="unknown kind"):
        load(generated, kinds={"schedules"})
    with pytest.raises(ValueError, match="needs 'incident'"):
        load(generated, kinds={"person"}, incidents=["INC-2026-001"])


@pytest.mark.parametrize("use", [
    lambda kb: kb.incident_list[0],
    lambda kb: list(kb.incident_list),
    lambda kb: len(kb.postmortem_list),
    lambda kb: kb.incidents.get("INC-2026-001"),
    lambda kb: "x" in kb.runbooks,
    lambda kb: kb.knows("incident", "INC-2026-001"),
    lambda kb: kb.ids("severity"),
    lambda kb: kb.levels,
    lambda kb: kb.postmortems_for("INC-2026-001"),
    lambda kb: kb.status.components,
    lambda kb: kb.status_zone,
    lambda kb: kb.severity_file.levels,
    lambda kb: bool(kb.escalation),
    lambda kb: kb.require("incident"),
], ids=["list-index", "list-iter", "len", "index-get", "contains", "knows", "ids", "levels", "postmortems_for",
        "status", "status_zone", "severity-file", "bool", "require"])
def test_an_unloaded_kind_raises_instead_of_looking_empty(use):
    kb, _ = load(REPO, kinds={"schedule", "person"})
    with pytest.raises(NotLoaded, match="not loaded"):
        use(kb)


def test_a_full_load_marks_nothing_unloaded():
    kb, _ = load(REPO)
    assert kb.loaded is None and kb.partial == ()
    kb.require(*KINDS)


def test_one_incident(generated):
    full, _ = load(generated)
    first, second = full.incident_list[0].id, full.incident_list[1].id
    kb, diags = load(generated, kinds={"incident", "person", "severity", "component"}, incidents=[first.lower()])
    assert diags == []
    found = kb.incidents.get(first.lower())  # letter case ignored, as find_incident does
    assert found is not None and found.model_dump() == full.incidents[first].model_dump()
    assert kb.incidents.get(first) is found and first in kb.incidents and kb.knows("incident", first)
    for use in (lambda: kb.incidents.get(second), lambda: second in kb.incidents, lambda: list(kb.incidents),
                lambda: kb.incident_list[0], lambda: kb.ids("incident"), lambda: kb.require("incident")):
        with pytest.raises(NotLoaded):
            use()
    # An id with no file: covered, and absent.
    kb, _ = load(generated, kinds={"incident"}, incidents=["INC-1999-001"])
    assert kb.incidents.get("INC-1999-001") is None and kb.knows("incident", "INC-1999-001") is False


def test_one_broken_incident_is_reported_as_a_full_load_reports_it(tmp_path):
    root = make_kb(tmp_path, {"incidents/INC-2026-001.yaml": "id: INC-2026-001\ntitle: [unclosed\n"})
    full, full_diags = load(root)
    kb, diags = load(root, kinds={"incident"}, incidents=["inc-2026-001"])
    assert diags == [d for d in full_diags if d.file.name == "INC-2026-001.yaml"] and diags
    assert ("incident", "INC-2026-001") in kb.broken_ids


# --- broken files: what is read and essential stops, what is read and not needed is named ----------


def test_oncall_now_stops_on_a_broken_people_file(tmp_path):
    root = make_kb(tmp_path, {"schedules/people.yaml": "people: [unclosed\n"})
    result = invoke("--root", str(root), "oncall", "now", "--now", NOW)
    assert result.exit_code == 1 and "schedules/people.yaml:1" in result.stderr
    assert "did not load" in result.stderr


def test_oncall_now_stops_on_a_broken_schedule(tmp_path):
    root = make_kb(tmp_path, {"schedules/search.yaml": "name: Search\ntimezone: UTC\nlayers: 3\n"})
    result = invoke("--root", str(root), "oncall", "now", "--now", NOW)
    assert result.exit_code == 1 and "schedules/search.yaml:3" in result.stderr


def test_oncall_now_does_not_read_what_it_does_not_need(tmp_path):
    root = make_kb(tmp_path, {"incidents/INC-2026-001.yaml": "title: [unclosed\n",
                              "runbooks/payments/broken.md": "---\ntitle: [unclosed\n---\n# x\n"})
    result = invoke("--root", str(root), "oncall", "now", "--now", NOW)
    assert result.exit_code == 0 and result.stderr == ""


def test_handoff_names_and_skips_a_broken_incident(tmp_path):
    root = make_kb(tmp_path, {"incidents/INC-2026-001.yaml": "title: [unclosed\n"})
    result = invoke("--root", str(root), "handoff", "payments", "--at", "2026-06-01T12:00:00Z")
    assert result.exit_code == 0, result.output
    assert "incidents/INC-2026-001.yaml:1" in result.stderr and "skipped" in result.stderr


def test_status_build_stops_on_a_broken_incident_but_not_on_a_runbook(tmp_path):
    root = make_kb(tmp_path, {"runbooks/payments/broken.md": "---\ntitle: [unclosed\n---\n# x\n"})
    result = invoke("--root", str(root), "status", "build", "--out", str(tmp_path / "site"), "--now", NOW)
    assert result.exit_code == 0, result.output
    (root / "incidents" / "INC-2026-001.yaml").write_text("title: [unclosed\n")
    result = invoke("--root", str(root), "status", "build", "--out", str(tmp_path / "site2"), "--now", NOW)
    assert result.exit_code == 1 and "incidents/INC-2026-001.yaml:1" in result.stderr


def test_oncall_commands_read_only_schedules_and_people(tmp_path, monkeypatch):
    """What the loader is asked for, per command."""
    asked = []
    real = loader.load

    def spy(root, layout=loader.LAYOUT, files=None, kinds=None, incidents=None):
        asked.append((None if kinds is None else sorted(kinds), incidents))
        return real(root, layout, files, kinds, incidents)

    monkeypatch.setattr(loader, "load", spy)
    root = make_kb(tmp_path)
    invoke("--root", str(root), "oncall", "now", "--now", NOW)
    invoke("--root", str(root), "oncall", "ics", "--out", str(tmp_path / "ics"), "--now", NOW)
    invoke("--root", str(root), "status", "--now", NOW, "--json")
    assert asked == [(["person", "schedule", "team"], None)] * 2 + [
        (["component", "group", "incident", "postmortem", "severity"], None)]


def test_generated_knowledge_base_is_clean(generated):
    result = invoke("--root", str(generated), "validate", "--now", NOW, "--format", "json")
    assert json.loads(result.stdout)["summary"]["errors"] == 0

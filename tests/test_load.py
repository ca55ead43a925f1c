"""load: finding the root, discovering files, the typed model, and times
without an offset taking the right zone."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import BASE_FILES, make_kb
from opsbook.load import NotAKnowledgeBase, discover, find_root, load

NY = ZoneInfo("America/New_York")
UTC = timezone.utc


def incident(ident: str = "INC-2026-002", **keys: str) -> str:
    fields = {"id": ident, "title": "Slow dashboard", "severity": "SEV3", "status": "identified",
              "declared": "2026-05-30T10:00:00Z", **keys}
    return "".join(f"{k}: {v}\n" for k, v in fields.items())


def loaded(tmp_path: Path, files: dict):
    kb, diags = load(make_kb(tmp_path, files))
    assert diags == [], diags
    return kb


# --- root and discovery -----------------------------------------------------------------

def test_find_root_from_a_subfolder(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    deep = root / "runbooks" / "payments"
    assert find_root(deep) == root.resolve()
    assert find_root(root) == root.resolve()


def test_find_root_needs_opsbook_yaml(tmp_path: Path) -> None:
    with pytest.raises(NotAKnowledgeBase, match="opsbook init"):
        find_root(tmp_path)


def test_find_root_ignores_a_directory_named_opsbook_yaml(tmp_path: Path) -> None:
    (tmp_path / "opsbook.yaml").mkdir()
    with pytest.raises(NotAKnowledgeBase):
        find_root(tmp_path)


def test_discover(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {
        "runbooks/README.md": "# About runbooks\n",
        "runbooks/index.md": "# Index\n",
        "runbooks/.hidden/x.md": "x",
        "runbooks/_drafts/y.md": "y",
        "runbooks/platform/dns/resolver.md": "---\ntitle: DNS\n---\n",
        "incidents/nested/INC-2026-009.yaml": incident("INC-2026-009"),
        "incidents/notes.txt": "not yaml",
        "schedules/nested/other.yaml": "ignored",
    })
    found = {kind: [p.relative_to(root).as_posix() for p in paths] for kind, paths in discover(root).items()}
    assert found["config"] == ["opsbook.yaml"]
    assert found["people"] == ["schedules/people.yaml"]
    assert found["escalation"] == ["schedules/escalation.yaml"]
    assert found["schedule"] == ["schedules/payments.yaml"]
    assert found["severity"] == ["playbooks/severity.yaml"]
    assert found["playbook"] == []
    assert found["runbook"] == ["runbooks/payments/checkout-errors.md", "runbooks/platform/dns/resolver.md"]
    assert found["incident"] == ["incidents/INC-2026-001.yaml"]
    assert found["postmortem"] == ["postmortems/2026/2026-03-14-card-payments.md"]
    assert found["status"] == ["status/page.yaml"]


def test_missing_optional_files_load(tmp_path: Path) -> None:
    kb, diags = load(make_kb(tmp_path, {"status/page.yaml": None, "incidents/INC-2026-001.yaml": None}))
    assert diags == []
    assert kb.status is None and kb.incidents == {}


# --- the model -------------------------------------------------------------------------

def test_model_indexes_and_ids(tmp_path: Path) -> None:
    kb = loaded(tmp_path, {})
    assert sorted(kb.people) == ["alice", "bob", "carol", "dave"]
    assert sorted(kb.teams) == ["payments", "platform"]
    assert sorted(kb.services) == ["checkout-web", "payments-api"]
    assert [lv.id for lv in kb.levels] == ["SEV1", "SEV2", "SEV3"]
    assert list(kb.runbooks) == ["payments/checkout-errors"]
    assert list(kb.postmortems) == ["2026/2026-03-14-card-payments"]
    assert list(kb.schedules) == ["payments"]
    assert kb.postmortems_for("INC-2026-001")[0].title == "Card payments failing at checkout"
    assert kb.zone == NY


def test_decision_tree_keys_are_yes_and_no(tmp_path: Path) -> None:
    kb = loaded(tmp_path, {})
    q = kb.severity_file.decision_tree.questions[0]
    assert (q.yes, q.no) == ("widespread", "SEV3")


def test_runbook_body_and_headings_keep_file_lines(tmp_path: Path) -> None:
    kb = loaded(tmp_path, {})
    rb = kb.runbooks["payments/checkout-errors"]
    assert rb.body_first_line == 10
    assert [(h.level, h.text, h.line) for h in rb.headings()][:3] == [
        (1, "Checkout error rate high", 10), (2, "Trigger", 12), (2, "Diagnosis", 16)]


def test_runbook_crlf_headings(tmp_path: Path) -> None:
    text = BASE_FILES["runbooks/payments/checkout-errors.md"].replace("\n", "\r\n")
    kb = loaded(tmp_path, {"runbooks/payments/checkout-errors.md": text})
    rb = kb.runbooks["payments/checkout-errors"]
    assert [h.text for h in rb.headings() if h.level == 2] == [
        "Trigger", "Diagnosis", "Mitigation", "Verification", "Rollback", "Escalation"]
    assert rb.title == "Checkout error rate high"


def test_one_bad_file_leaves_the_rest_loaded(tmp_path: Path) -> None:
    kb, diags = load(make_kb(tmp_path, {"incidents/INC-2026-002.yaml": "id: [\n"}))
    assert [d.code for d in diags] == ["OB001"]
    assert "INC-2026-001" in kb.incidents
    assert ("incident", "INC-2026-002") in kb.broken_ids
    assert kb.knows("incident", "INC-2026-002") is None


def test_bad_people_file_marks_people_and_teams_unknowable(tmp_path: Path) -> None:
    kb, diags = load(make_kb(tmp_path, {"schedules/people.yaml": "people: 3\n"}))
    assert [d.code for d in diags] == ["OB103"]
    assert kb.knows("person", "alice") is None and kb.knows("team", "payments") is None


def test_deeply_nested_value_is_a_diagnostic(tmp_path: Path) -> None:
    depth = 3000
    kb, diags = load(make_kb(tmp_path, {
        "incidents/INC-2026-002.yaml": "id: INC-2026-002\ntitle: " + "[" * depth + "]" * depth + "\n"}))
    assert [d.code for d in diags] and diags[0].file.name == "INC-2026-002.yaml"


# --- pydantic errors -> diagnostics -------------------------------------------------------

def test_missing_key_hint_uses_the_field_description(tmp_path: Path) -> None:
    _, diags = load(make_kb(tmp_path, {"schedules/payments.yaml": BASE_FILES["schedules/payments.yaml"].replace(
        'from: "09:00", ', "")}))
    [d] = diags
    assert d.code == "OB102" and d.path == ("layers", 0, "restrict", 0)
    assert d.message == "missing required key 'from' in layers[0].restrict[0]"
    assert d.hint.startswith("add 'from:' with a value (Local start time")


def test_unknown_key_points_at_the_key(tmp_path: Path) -> None:
    _, [d] = load(make_kb(tmp_path, {"incidents/INC-2026-002.yaml": incident(sevrity="SEV3")}))
    assert (d.code, d.path, d.at_key) == ("OB101", ("sevrity",), True)
    assert d.hint == "did you mean 'severity'?"


def test_several_errors_in_one_file_are_all_reported(tmp_path: Path) -> None:
    text = incident(status="open", impact="huge", public="maybe")
    _, diags = load(make_kb(tmp_path, {"incidents/INC-2026-002.yaml": text}))
    assert sorted(d.path for d in diags) == [("impact",), ("public",), ("status",)]


# --- times without an offset take the file's zone ----------------------------------------

def test_incident_without_offset_takes_the_org_zone(tmp_path: Path) -> None:
    kb = loaded(tmp_path, {"incidents/INC-2026-002.yaml": incident(declared="2026-03-14T14:06:00")})
    declared = kb.incidents["INC-2026-002"].declared
    assert declared == datetime(2026, 3, 14, 18, 6, tzinfo=UTC)  # EDT since 8 March
    assert declared.tzinfo is UTC  # instants are stored in UTC; display converts


def test_incident_with_its_own_zone(tmp_path: Path) -> None:
    kb = loaded(tmp_path, {"incidents/INC-2026-002.yaml": incident(declared="2026-03-14T14:06:00",
                                                                   timezone="Asia/Tokyo")})
    assert kb.incidents["INC-2026-002"].declared == datetime(2026, 3, 14, 5, 6, tzinfo=UTC)


def test_incident_zone_applies_even_when_written_after_the_times(tmp_path: Path) -> None:
    text = incident(declared="2026-03-14T14:06:00") + "timezone: Europe/London\n"
    kb = loaded(tmp_path, {"incidents/INC-2026-002.yaml": text})
    assert kb.incidents["INC-2026-002"].declared == datetime(2026, 3, 14, 14, 6, tzinfo=UTC)


def test_explicit_offset_wins_over_the_zone(tmp_path: Path) -> None:
    kb = loaded(tmp_path, {"incidents/INC-2026-002.yaml": incident(declared="2026-03-14T14:06:00+01:00")})
    assert kb.incidents["INC-2026-002"].declared == datetime(2026, 3, 14, 13, 6, tzinfo=UTC)


def test_one_files_zone_does_not_leak_into_the_next(tmp_path: Path) -> None:
    kb = loaded(tmp_path, {
        "incidents/INC-2026-002.yaml": incident(declared="2026-03-14T14:06:00", timezone="Asia/Tokyo"),
        "incidents/INC-2026-003.yaml": incident("INC-2026-003", declared="2026-03-14T14:06:00"),
    })
    assert kb.incidents["INC-2026-003"].declared == datetime(2026, 3, 14, 18, 6, tzinfo=UTC)


def test_schedule_override_takes_the_schedule_zone(tmp_path: Path) -> None:
    text = BASE_FILES["schedules/payments.yaml"].replace("timezone: America/New_York", "timezone: Europe/London")
    kb = loaded(tmp_path, {"schedules/payments.yaml": text})
    override = kb.schedules["payments"].overrides[0]
    assert override.start == datetime(2026, 3, 10, 18, 0, tzinfo=UTC)  # GMT in March before the 29th
    assert override.end == datetime(2026, 3, 12, 9, 0, tzinfo=UTC)


def test_schedule_override_in_new_york(tmp_path: Path) -> None:
    kb = loaded(tmp_path, {})
    override = kb.schedules["payments"].overrides[0]
    assert override.start == datetime(2026, 3, 10, 22, 0, tzinfo=UTC)  # 18:00 EDT


def test_rotation_start_stays_wall_clock(tmp_path: Path) -> None:
    kb = loaded(tmp_path, {})
    assert kb.schedules["payments"].layers[0].start == datetime(2026, 1, 5, 9, 0)


def test_nonexistent_local_time_moves_forward(tmp_path: Path) -> None:
    # 2026-03-08 02:30 does not exist in New York; the first valid instant after it is 03:00 EDT.
    kb = loaded(tmp_path, {"incidents/INC-2026-002.yaml": incident(declared="2026-03-08T02:30:00")})
    declared = kb.incidents["INC-2026-002"].declared
    assert declared == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    assert declared.astimezone(NY).hour == 3


def test_ambiguous_local_time_takes_the_first_occurrence(tmp_path: Path) -> None:
    kb = loaded(tmp_path, {"incidents/INC-2026-002.yaml": incident(declared="2026-11-01T01:30:00")})
    # Compare in UTC: PEP 495 makes == across zones False for fold-dependent times.
    declared = kb.incidents["INC-2026-002"].declared
    assert declared == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, not EST


def test_status_page_maintenance_times_use_the_page_zone(tmp_path: Path) -> None:
    """StatusPage.timezone documents that it applies to maintenance times without
    an offset; that must hold when the key takes its default (the org's) too."""
    text = BASE_FILES["status/page.yaml"].replace("timezone: UTC\n", "") + (
        "maintenance:\n  - {id: db, title: DB upgrade, start: 2026-07-01T02:00, end: 2026-07-01T03:00}\n")
    kb = loaded(tmp_path, {"status/page.yaml": text})
    assert kb.status.timezone is None
    page_zone = kb.status_zone
    assert page_zone == ZoneInfo(kb.config.timezone)
    assert kb.status.maintenance[0].start.astimezone(UTC) == datetime(2026, 7, 1, 2, 0, tzinfo=page_zone).astimezone(UTC)


def test_status_page_explicit_zone(tmp_path: Path) -> None:
    text = BASE_FILES["status/page.yaml"].replace("timezone: UTC", "timezone: Europe/Berlin") + (
        "maintenance:\n  - {id: db, title: DB upgrade, start: 2026-07-01T02:00, end: 2026-07-01T03:00}\n")
    kb = loaded(tmp_path, {"status/page.yaml": text})
    assert kb.status.maintenance[0].start == datetime(2026, 7, 1, 0, 0, tzinfo=UTC)


def test_org_zone_is_utc_by_default(tmp_path: Path) -> None:
    text = BASE_FILES["opsbook.yaml"].replace("timezone: America/New_York\n", "")
    kb = loaded(tmp_path, {"opsbook.yaml": text,
                           "incidents/INC-2026-002.yaml": incident(declared="2026-03-14T14:06:00")})
    assert kb.incidents["INC-2026-002"].declared == datetime(2026, 3, 14, 14, 6, tzinfo=UTC)

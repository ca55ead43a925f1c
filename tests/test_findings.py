"""Findings whose wording or grouping a user relies on: one report for a missing
file, duplicates that say where the first one is, hints that list every fix."""

from __future__ import annotations

from pathlib import Path

from conftest import BASE_FILES, NOW, codes, invoke, make_kb, run_validate


def test_missing_people_file_is_one_finding_not_one_per_reference(tmp_path: Path) -> None:
    status, payload = run_validate(make_kb(tmp_path, {"schedules/people.yaml": None}))
    assert status == 1
    assert codes(payload) == ["OB213"]
    [diag] = payload["diagnostics"]
    assert "schedules/people.yaml does not exist" in diag["message"]
    assert diag["hint"].startswith("create schedules/people.yaml")


def test_yml_spelling_is_read(tmp_path: Path) -> None:
    people = BASE_FILES["schedules/people.yaml"].replace("Alice Nguyen", "Alice N.")
    root = make_kb(tmp_path, {"schedules/people.yaml": None, "schedules/people.yml": people})
    status, payload = run_validate(root)
    assert (status, codes(payload)) == (0, [])
    incident = (root / "incidents" / "INC-2026-001.yaml").read_text().replace("severity: SEV1", "severity: SEV9")
    (root / "incidents" / "INC-2026-001.yaml").unlink()
    (root / "incidents" / "INC-2026-001.yml").write_text(incident)
    status, payload = run_validate(root)
    assert status == 1 and codes(payload) == ["OB204"]
    assert payload["diagnostics"][0]["file"] == "incidents/INC-2026-001.yml"


def test_duplicate_id_names_the_line_of_the_first(tmp_path: Path) -> None:
    people = BASE_FILES["schedules/people.yaml"].replace(
        "  - {id: dave,", "  - {id: bob, name: Bob Again}\n  - {id: dave,")
    status, payload = run_validate(make_kb(tmp_path, {"schedules/people.yaml": people}))
    [diag] = [d for d in payload["diagnostics"] if d["code"] == "OB210"]
    first_line = next(i for i, line in enumerate(people.splitlines(), 1) if "id: bob," in line)
    assert diag["message"] == f"duplicate person id 'bob' (first defined on line {first_line})"
    assert diag["line"] == first_line + 2  # carol sits between them


def test_duplicate_incident_across_files_names_the_other_file(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    text = (root / "incidents" / "INC-2026-001.yaml").read_text()
    (root / "incidents" / "INC-2026-099.yaml").write_text(text)
    _, payload = run_validate(root)
    messages = {d["code"]: d["message"] for d in payload["diagnostics"]}
    assert messages["OB210"].startswith("duplicate incident id 'INC-2026-001' (first defined on line ")
    assert messages["OB210"].endswith(" of INC-2026-001.yaml)")
    assert "OB107" in messages  # and the id disagrees with the second file's name


def test_missing_roles_hint_lists_every_role(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    path = root / "incidents" / "INC-2026-001.yaml"
    text = path.read_text()
    lines = [line for line in text.splitlines() if not line.startswith(("roles:", "commander:"))]
    path.write_text("\n".join(lines) + "\n")
    _, payload = run_validate(root)
    [diag] = [d for d in payload["diagnostics"] if d["code"] == "OB308"]
    assert diag["hint"].startswith("add commander: <person id>")
    severity_roles = [r for r in ("comms", "scribe") if r in BASE_FILES["playbooks/severity.yaml"]]
    for role in severity_roles:
        assert f"{role}: <person id>" in diag["hint"]


def test_github_paths_are_relative_to_the_repository(tmp_path: Path) -> None:
    repo = tmp_path
    root = make_kb(tmp_path, {"incidents/INC-2026-001.yaml": None})  # the KB lives in repo/kb
    (root / "postmortems").exists()
    result = invoke("--root", str(root), "validate", "--format", "github", "--now", NOW,
                    env={"GITHUB_WORKSPACE": str(repo)})
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert annotations and all("file=kb/" in line for line in annotations), annotations

"""`opsbook validate`: output formats, --strict, --root, --now and exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import BASE_FILES, NOW, invoke, make_kb, run_validate, run_validate_text

RB = "runbooks/payments/checkout-errors.md"
INC = "incidents/INC-2026-001.yaml"
UNKNOWN_PERSON = {INC: BASE_FILES[INC].replace("commander: alice", "commander: alicee")}
OVERDUE = {RB: BASE_FILES[RB].replace("last_reviewed: 2026-05-22", "last_reviewed: 2025-04-27")}


# --- text -------------------------------------------------------------------------------

def test_text_clean(tmp_path: Path) -> None:
    result = run_validate_text(make_kb(tmp_path))
    assert result.exit_code == 0
    assert result.stdout == "no findings in 9 files\n"
    assert result.stderr == ""


def test_text_error(tmp_path: Path) -> None:
    result = run_validate_text(make_kb(tmp_path, UNKNOWN_PERSON))
    assert result.exit_code == 1
    assert result.stdout == (
        "incidents/INC-2026-001.yaml:6:12: error OB201 unknown person 'alicee'\n"
        "    hint: did you mean 'alice'?\n"
        "1 error, 0 warnings in 9 files\n"
    )


def test_text_warning_only(tmp_path: Path) -> None:
    result = run_validate_text(make_kb(tmp_path, OVERDUE))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("runbooks/payments/checkout-errors.md:7:16: warning OB302 runbook review is overdue")
    assert lines[1].startswith("    hint: ")
    assert lines[-1] == "0 errors, 1 warning in 9 files"


def test_text_is_sorted_by_file_then_position(tmp_path: Path) -> None:
    files = {**UNKNOWN_PERSON, **OVERDUE,
             "schedules/people.yaml": BASE_FILES["schedules/people.yaml"].replace("[dave]", "[dave, erin]")}
    result = run_validate_text(make_kb(tmp_path, files))
    places = re.findall(r"^(\S+?):(\d+):(\d+): ", result.stdout, re.MULTILINE)
    keys = [(f, int(line), int(col)) for f, line, col in places]
    assert keys == sorted(keys)
    assert result.stdout.splitlines()[-1] == "2 errors, 1 warning in 9 files"


def test_text_paths_are_relative_to_the_current_folder_inside_the_root(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_kb(tmp_path, {RB: BASE_FILES[RB].replace("owner: payments", "owner: paymnts")})
    monkeypatch.chdir(root / "runbooks")
    result = invoke("validate", "--now", NOW)
    assert result.exit_code == 1
    assert result.stdout.startswith("payments/checkout-errors.md:4:8: error OB202 ")


# --- json -------------------------------------------------------------------------------

def test_json_shape(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {**UNKNOWN_PERSON, **OVERDUE})
    code, payload = run_validate(root)
    assert code == 1
    assert payload["root"] == str(root.resolve())
    assert payload["now"] == "2026-06-01T12:00:00+00:00"
    assert payload["summary"] == {"errors": 1, "warnings": 1, "files": 9}
    first = payload["diagnostics"][0]
    assert first == {
        "file": "incidents/INC-2026-001.yaml", "line": 6, "column": 12, "level": "error", "code": "OB201",
        "rule": "unknown-person", "message": "unknown person 'alicee'", "hint": "did you mean 'alice'?",
    }
    assert payload["diagnostics"][1]["level"] == "warning"
    assert payload["diagnostics"][1]["rule"] == "runbook-review-overdue"


def test_json_flag_equals_format_json(tmp_path: Path) -> None:
    root = make_kb(tmp_path, UNKNOWN_PERSON)
    a = invoke("--root", str(root), "validate", "--json", "--now", NOW)
    b = invoke("--root", str(root), "validate", "--format", "json", "--now", NOW)
    c = invoke("--root", str(root), "validate", "--format", "github", "--json", "--now", NOW)
    assert a.stdout == b.stdout == c.stdout
    assert a.exit_code == b.exit_code == c.exit_code == 1
    json.loads(a.stdout)


def test_json_clean(tmp_path: Path) -> None:
    code, payload = run_validate(make_kb(tmp_path))
    assert (code, payload["diagnostics"], payload["summary"]["errors"]) == (0, [], 0)


# --- github -----------------------------------------------------------------------------

def github(root: Path, summary: Path | None = None, *extra: str):
    env = {"GITHUB_STEP_SUMMARY": str(summary)} if summary else {}
    return invoke("--root", str(root), "validate", "--format", "github", "--now", NOW, *extra, env=env)


def test_github_annotations(tmp_path: Path) -> None:
    result = github(make_kb(tmp_path, {**UNKNOWN_PERSON, **OVERDUE}))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == ("::error file=incidents/INC-2026-001.yaml,line=6,col=12,title=OB201 unknown-person::"
                        "unknown person 'alicee'%0Adid you mean 'alice'?")
    assert re.fullmatch(r"::warning file=runbooks/payments/checkout-errors\.md,line=7,col=16,"
                        r"title=OB302 runbook-review-overdue::runbook review is overdue: .*%0A.*", lines[1])
    assert "\n" not in lines[1]


def test_github_escapes_percent_in_messages(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"opsbook.yaml": BASE_FILES["opsbook.yaml"].replace("tier: 1", 'tier: "50%"')})
    result = github(root)
    [line] = [x for x in result.stdout.splitlines() if x.startswith("::error")]
    assert "got '50%25'" in line
    assert "50%'" not in line


def test_github_escapes_properties(tmp_path: Path) -> None:
    text = BASE_FILES[INC].replace("id: INC-2026-001", "id: INC-2026-002")
    root = make_kb(tmp_path, {INC: None, "incidents/INC-2026-002,x.yaml": text,
                              "postmortems/2026/2026-03-14-card-payments.md": None})
    result = github(root)
    assert "file=incidents/INC-2026-002%2Cx.yaml,line=1,col=5,title=OB107 id-mismatch::" in result.stdout


def test_github_step_summary_is_appended(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("## earlier step\n", encoding="utf-8")
    files = {**UNKNOWN_PERSON, INC: UNKNOWN_PERSON[INC].replace("title: Card", "a|<b>: x\ntitle: Card")}
    result = github(make_kb(tmp_path, files), summary)
    assert result.exit_code == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## earlier step\n### opsbook validate\n")
    assert "| | Where | Code | Message |" in text
    assert "| ❌ | `incidents/INC-2026-001.yaml:2:1` | OB101 | unknown key 'a\\|&lt;b&gt;' |" in text
    assert "1 error, 0 warnings in 9 files" in text


def test_github_step_summary_clean(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    result = github(make_kb(tmp_path), summary)
    assert result.exit_code == 0
    assert summary.read_text(encoding="utf-8") == "### opsbook validate\n\nNo findings in 9 files.\n"


def test_github_summary_only_with_github_format(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    root = make_kb(tmp_path, UNKNOWN_PERSON)
    invoke("--root", str(root), "validate", "--now", NOW, env={"GITHUB_STEP_SUMMARY": str(summary)})
    invoke("--root", str(root), "validate", "--json", "--now", NOW, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert not summary.exists()


def test_github_without_summary_env_writes_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    result = github(make_kb(tmp_path, UNKNOWN_PERSON))
    assert result.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kb"]


# --- --strict, exit codes ------------------------------------------------------------------

@pytest.mark.parametrize("files,strict,expected", [
    ({}, False, 0),
    ({}, True, 0),
    (OVERDUE, False, 0),
    (OVERDUE, True, 1),
    (UNKNOWN_PERSON, False, 1),
    (UNKNOWN_PERSON, True, 1),
], ids=["clean", "clean-strict", "warning", "warning-strict", "error", "error-strict"])
def test_exit_codes(tmp_path: Path, files: dict, strict: bool, expected: int) -> None:
    root = make_kb(tmp_path, files)
    for fmt in (["--json"], ["--format", "text"], ["--format", "github"]):
        result = invoke("--root", str(root), "validate", *fmt, "--now", NOW, *(["--strict"] if strict else []))
        assert result.exit_code == expected, (fmt, result.stdout)


@pytest.mark.parametrize("args,needle", [
    (["validate", "--now", "garbage"], "--now"),
    (["validate", "--format", "xml"], "xml"),
    (["validate", "--bogus"], "--bogus"),
], ids=["now-garbage", "format-xml", "unknown-option"])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], needle: str) -> None:
    result = invoke("--root", str(make_kb(tmp_path)), *args)
    assert result.exit_code == 2
    assert needle in result.stderr
    assert result.stdout == ""


def test_root_without_opsbook_yaml_exits_2(tmp_path: Path) -> None:
    result = invoke("--root", str(tmp_path), "validate")
    assert result.exit_code == 2
    assert "no opsbook.yaml" in result.stderr


def test_root_is_a_file_exits_2(tmp_path: Path) -> None:
    f = tmp_path / "file.txt"
    f.write_text("x")
    assert invoke("--root", str(f), "validate").exit_code == 2


# --- finding the root ------------------------------------------------------------------------

def test_root_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_kb(tmp_path, UNKNOWN_PERSON)
    monkeypatch.chdir(tmp_path)
    code, payload = run_validate(root)
    assert code == 1 and payload["root"] == str(root.resolve())


def test_running_from_a_subfolder_finds_the_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_kb(tmp_path, UNKNOWN_PERSON)
    monkeypatch.chdir(root / "runbooks" / "payments")
    result = invoke("validate", "--json", "--now", NOW)
    payload = json.loads(result.stdout)
    assert result.exit_code == 1
    assert payload["root"] == str(root.resolve())
    assert [(d["file"], d["line"]) for d in payload["diagnostics"]] == [("incidents/INC-2026-001.yaml", 6)]


def test_outside_any_knowledge_base_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("validate")
    assert result.exit_code == 2
    assert "no opsbook.yaml" in result.stderr and "--root" in result.stderr


# --- --now ----------------------------------------------------------------------------------

def test_now_without_offset_is_in_the_org_zone(tmp_path: Path) -> None:
    # Review due 2026-05-31 (New York). 00:30 on 1 June in New York is overdue;
    # 00:30Z on 1 June is still 31 May in New York.
    root = make_kb(tmp_path, {RB: BASE_FILES[RB].replace("last_reviewed: 2026-05-22", "last_reviewed: 2025-12-02")})
    _, local = run_validate(root, now="2026-06-01T00:30")
    _, utc = run_validate(root, now="2026-06-01T00:30Z")
    assert local["now"] == "2026-06-01T00:30:00-04:00"
    assert [d["code"] for d in local["diagnostics"]] == ["OB302"]
    assert utc["diagnostics"] == []


def test_help_lists_validate() -> None:
    result = invoke("--help")
    assert result.exit_code == 0 and "validate" in result.stdout
    result = invoke("validate", "--help")
    assert result.exit_code == 0 and "--strict" in result.stdout and "--now" in result.stdout


def test_minimal_knowledge_base_has_zero_findings(kb: Path) -> None:
    code, payload = run_validate(kb)
    assert (code, payload["diagnostics"]) == (0, [])
    assert payload["summary"] == {"errors": 0, "warnings": 0, "files": 9}
    assert invoke("--root", str(kb), "validate", "--strict", "--now", NOW).exit_code == 0


def test_now_may_be_a_date_meaning_its_midnight_in_the_org_zone(tmp_path: Path) -> None:
    result = invoke("--root", str(make_kb(tmp_path)), "validate", "--json", "--now", "2026-06-01")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["now"] == "2026-06-01T00:00:00-04:00"  # America/New_York, EDT


@pytest.mark.parametrize("name", ["on\rcall.yaml", "on\x1b[31mcall.yaml", "on\ncall.yaml"], ids=["cr", "ansi", "lf"])
def test_a_hostile_file_name_cannot_split_or_colour_a_finding(tmp_path, name):
    root = make_kb(tmp_path, {f"schedules/{name}": BASE_FILES["schedules/payments.yaml"]})
    result = invoke("--root", str(root), "validate", "--now", NOW)
    assert result.exit_code == 1
    finding = [line for line in result.stdout.splitlines() if "OB108" in line]
    assert len(finding) == 1, result.stdout
    assert "\x1b" not in result.stdout and "\r" not in result.stdout
    assert finding[0].startswith("schedules/on\\")  # the character shown as an escape, on one line

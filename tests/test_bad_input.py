"""The bad-input corpus: broken files in an otherwise valid knowledge base.

These run the real entry point (`python -m opsbook`) in a subprocess, so a crash
of any kind (a traceback, an "internal error" exit, even a segfault in libyaml)
shows up as a failed expectation instead of taking pytest down with it. Every
case expects exit 1 and a text-format line `path:LINE:COL: error OBxxx ...`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import BASE_FILES, NOW, invoke, make_kb

INC2 = "incidents/INC-2026-002.yaml"


def run_opsbook(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("OPSBOOK_DEBUG", "GITHUB_STEP_SUMMARY", "GITHUB_ACTIONS")}
    return subprocess.run([sys.executable, "-m", "opsbook", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", errors="replace", timeout=timeout)


def validate_text(root: Path, *extra: str) -> subprocess.CompletedProcess:
    # cwd = root, so reported paths are relative to it
    return run_opsbook(root, "--root", str(root), "validate", "--now", NOW, *extra)


@dataclass
class Bad:
    id: str
    files: dict
    file: str
    line: int | None  # None: any line
    column: int | None  # None: any column
    code: str | None  # None: any OBxxx
    message: str | None = None  # substring of the message line
    hint: str | None = None  # substring of the hint line


BILLION_LAUGHS = "".join(
    [f'a: &a [{",".join(["lol"] * 10)}]\n']
    + [f"{c}: &{c} [{','.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi")]
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00"
INCIDENT_OK = "id: INC-2026-002\ntitle: Slow dashboard\nseverity: SEV3\nstatus: identified\ndeclared: 2026-05-30T10:00:00Z\n"

CORPUS = [
    Bad("unclosed-bracket", {INC2: "id: INC-2026-002\ntitle: [unclosed\nseverity: SEV3\n"}, INC2, 2, 8, "OB001",
        message="the '[' opened on line 2, column 8 is never closed"),
    Bad("unclosed-quote", {INC2: 'id: INC-2026-002\ntitle: "unclosed\nseverity: SEV3\n'}, INC2, 4, 1, "OB001",
        hint="close the quoted string"),
    Bad("colon-in-plain-value", {INC2: "id: INC-2026-002\ntitle: Error: timeout\n"}, INC2, 2, 13, "OB001",
        hint="quote a value that contains ': '"),
    Bad("tab-indentation", {INC2: "id: INC-2026-002\ntitle: x\nroles:\n\tcomms: bob\n"}, INC2, 4, 1, "OB001",
        hint="indent with spaces"),
    Bad("tab-indentation-in-front-matter", {"runbooks/x.md": "---\ntitle: x\n\towner: payments\n---\n"},
        "runbooks/x.md", 3, 1, "OB001", hint="indent with spaces"),
    Bad("two-documents", {INC2: "id: INC-2026-002\n---\nid: INC-2026-003\n"}, INC2, 2, 1, "OB001"),
    Bad("empty-file", {INC2: ""}, INC2, 1, 1, "OB004"),
    Bad("whitespace-only", {INC2: "  \n\n   \n"}, INC2, 1, 1, "OB004"),
    Bad("only-comments", {INC2: "# an incident\n# to be written\n"}, INC2, 1, 1, "OB004"),
    Bad("binary-png-as-yaml", {"incidents/x.yaml": PNG}, "incidents/x.yaml", 3, 1, "OB002",
        hint="binary file"),
    Bad("utf16-file", {INC2: INCIDENT_OK.encode("utf-16")}, INC2, 1, None, "OB002", hint="UTF-16"),
    Bad("utf16le-without-bom", {INC2: INCIDENT_OK.encode("utf-16-le")}, INC2, 1, None, "OB002", hint="UTF-16"),
    # 'title: naïve ' is 13 characters, so the bad byte is the 14th (columns count characters, not bytes).
    Bad("invalid-utf8-byte", {INC2: b"id: INC-2026-002\nseverity: SEV3\ntitle: na\xc3\xafve \xfe here\n"}, INC2, 3, 14,
        "OB002", message="byte 0xfe"),
    Bad("latin1-file", {INC2: "id: INC-2026-002\ntitle: Café down\n".encode("latin-1")}, INC2, 2, 11, "OB002"),
    Bad("bom-then-error-on-line-3", {INC2: "\ufeffid: INC-2026-002\ntitle: x\nseverity: SEV1: bad\n".encode()},
        INC2, 3, 15, "OB001"),
    Bad("bom-then-schema-error-on-line-1", {INC2: ("\ufeff" + INCIDENT_OK.replace("id: INC-2026-002", "id: INC-2026-009"))
                                            .encode()}, INC2, 1, 5, "OB107"),
    Bad("bom-then-invalid-byte", {INC2: b"\xef\xbb\xbfid: INC-2026-002\xff\n"}, INC2, 1, 17, "OB002"),
    Bad("front-matter-unterminated", {"runbooks/x.md": "---\ntitle: x\nlast_reviewed: 2026-05-30\n\n## Trigger\n"},
        "runbooks/x.md", 1, 1, "OB005", message="never closed"),
    # Runbooks may come without front matter (their title is their first heading); postmortems may not.
    Bad("postmortem-without-front-matter", {"postmortems/x.md": "# Checkout\n\n## Summary\n"}, "postmortems/x.md",
        1, 1, "OB005", hint="start the file with '---'"),
    Bad("front-matter-syntax-error-offset", {"runbooks/x.md": "---\ntitle: x\nowner: payments: team\n---\n"},
        "runbooks/x.md", 3, 16, "OB001"),
    Bad("wrong-type-members-string", {"schedules/people.yaml": BASE_FILES["schedules/people.yaml"].replace(
        "members: [dave]", 'members: "alice"')}, "schedules/people.yaml", 8, 45, "OB103", message="expected a list"),
    Bad("list-at-top-level", {"schedules/escalation.yaml": "- id: payments\n  steps: []\n"},
        "schedules/escalation.yaml", 1, 1, "OB007", message="found list"),
    Bad("scalar-at-top-level", {INC2: "just some text\n"}, INC2, 1, 1, "OB007"),
    Bad("ten-megabytes", {INC2: "title: " + "x" * (10 * 1024 * 1024) + "\n"}, INC2, 1, 1, "OB003",
        message="10.0 MiB"),
    Bad("duplicate-key", {INC2: INCIDENT_OK + "severity: SEV2\n"}, INC2, 6, 1, "OB006",
        message="duplicate key 'severity' (first defined on line 3)"),
    Bad("billion-laughs", {INC2: BILLION_LAUGHS}, INC2, 1, 1, "OB009"),
    Bad("unknown-local-tag", {INC2: "id: !secret INC-2026-002\n"}, INC2, 1, 5, "OB001"),
    Bad("control-character", {INC2: "id: INC-2026-002\ntitle: bell\x07here\n"}, INC2, 2, 12, "OB001",
        message="control characters are not allowed", hint="remove the control character"),
    Bad("explicit-int-tag-on-text", {INC2: "id: INC-2026-002\ntitle: !!int abc\n"}, INC2, 2, 8, "OB001"),
    Bad("explicit-bool-tag-on-text", {INC2: "id: INC-2026-002\npublic: !!bool maybe\n"}, INC2, 2, 9, "OB001"),
    Bad("explicit-float-tag-empty", {INC2: "id: INC-2026-002\ntitle: !!float\n"}, INC2, 2, 8, "OB001"),
    Bad("deep-nesting-5000", {INC2: "id: INC-2026-002\ntitle: " + "[" * 5000 + "]" * 5000 + "\n"},
        INC2, 2, None, None),
    Bad("deep-nesting-100000", {INC2: "id: INC-2026-002\ntitle: " + "[" * 100_000 + "]" * 100_000 + "\n"},
        INC2, None, None, None),
    Bad("broken-opsbook-yaml", {"opsbook.yaml": "name: Acme\ntimezone: [UTC\n"}, "opsbook.yaml", 2, 11, "OB001"),
    # Names reach HTML, XML, ICS and URLs (issue 8): unsafe ones are located errors, not markup.
    Bad("schedule-file-name-with-markup", {"schedules/x)<img src=x onerror=alert(1)>.yaml":
                                           BASE_FILES["schedules/payments.yaml"]},
        "schedules/x)<img src=x onerror=alert(1)>.yaml", 1, 1, "OB108", message="is not a safe id",
        hint="rename it to schedules/x-img-src-x-onerror-alert-1.yaml"),
    Bad("runbook-file-name-with-quote", {'runbooks/payments/a"b.md': BASE_FILES["runbooks/payments/checkout-errors.md"]},
        'runbooks/payments/a"b.md', 1, 1, "OB108", message="it contains '\"'", hint="runbooks/payments/a-b.md"),
    Bad("terminal-colour-code-in-title", {INC2: INCIDENT_OK.replace("title: Slow dashboard",
                                                                    'title: "\\e[31mSlow\\e[0m"')},
        INC2, 2, 8, "OB103", message="control character (U+001B, escape) at character 1",
        hint="terminal colour code"),
    Bad("line-break-in-title", {INC2: INCIDENT_OK.replace("title: Slow dashboard", 'title: "Slow\\r\\ndashboard"')},
        INC2, 2, 8, "OB103", message="one line of text"),
    Bad("javascript-site-url", {"opsbook.yaml": BASE_FILES["opsbook.yaml"].replace(
        "name: Acme\n", 'name: Acme\nsite_url: "javascript:alert(1)//"\n')}, "opsbook.yaml", 2, 11, "OB103",
        message="site_url: expected an http:// or https:// address", hint="https://"),
    Bad("javascript-status-url", {"status/page.yaml": BASE_FILES["status/page.yaml"].replace(
        "url: https://status.acme.example", "url: javascript:alert(1)//")}, "status/page.yaml", 2, 6, "OB103",
        message="scheme 'javascript:'"),
]


def _diag_line(out: str, case: Bad) -> re.Match:
    line = r"\d+" if case.line is None else str(case.line)
    col = r"\d+" if case.column is None else str(case.column)
    code = r"OB\d{3}" if case.code is None else case.code
    pattern = rf"^{re.escape(case.file)}:{line}:{col}: error {code} (?P<message>.*)$(?:\n    hint: (?P<hint>.*)$)?"
    match = re.search(pattern, out, re.MULTILINE)
    assert match, f"no `{case.file}:{line}:{col}: error {code}` line in:\n{out[:3000]}"
    return match


@pytest.mark.parametrize("case", CORPUS, ids=[c.id for c in CORPUS])
def test_bad_input(tmp_path: Path, case: Bad) -> None:
    root = make_kb(tmp_path, case.files)
    proc = validate_text(root)
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out
    assert "internal error" not in out
    assert proc.returncode == 1, f"exit {proc.returncode}:\n{out[-3000:]}"
    match = _diag_line(proc.stdout, case)
    if case.message is not None:
        assert case.message in match["message"], match.group(0)
    if case.hint is not None:
        assert match["hint"] and case.hint in match["hint"], match.group(0)
    # A finding is one line of message and at most one hint line.
    assert "<unicode string>" not in out


def test_bad_file_does_not_hide_other_findings(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {
        INC2: "id: [broken\n",
        "runbooks/payments/checkout-errors.md": BASE_FILES["runbooks/payments/checkout-errors.md"].replace(
            "owner: payments", "owner: paymnts"),
    })
    proc = validate_text(root)
    assert proc.returncode == 1
    assert f"{INC2}:" in proc.stdout
    assert "runbooks/payments/checkout-errors.md:4:8: error OB202" in proc.stdout


def test_broken_incident_file_does_not_cascade_into_unknown_references(tmp_path: Path) -> None:
    # The postmortem names INC-2026-001; when that file fails to parse, say so once.
    root = make_kb(tmp_path, {"incidents/INC-2026-001.yaml": "id: [broken\n"})
    proc = validate_text(root, "--json")
    assert proc.returncode == 1
    assert '"OB207"' not in proc.stdout
    assert '"OB001"' in proc.stdout


def test_python_tag_is_reported_and_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    root = make_kb(tmp_path, {
        INC2: f'id: !!python/object/apply:os.system ["touch {marker}"]\ntitle: x\n',
        "incidents/INC-2026-003.yaml": 'id: !!python/object/apply:os.system ["echo pwned"]\n',
        "incidents/INC-2026-004.yaml": "id: !!python/object/new:subprocess.check_output [[touch, " + str(marker) + "]]\n",
    })
    proc = validate_text(root)
    assert proc.returncode == 1
    assert not marker.exists()
    assert not proc.stdout.startswith("pwned")
    assert "\npwned" not in proc.stdout
    for name in ("INC-2026-002", "INC-2026-003", "INC-2026-004"):
        match = re.search(rf"^incidents/{name}\.yaml:1:5: error OB001 .*$\n    hint: (.*)$", proc.stdout, re.MULTILINE)
        assert match, proc.stdout
        assert "safely" in match.group(1)


def test_alias_bomb_in_front_matter_finishes(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"runbooks/bomb.md": "---\ntitle: x\n" + BILLION_LAUGHS.replace("a: &a", "tags: &a") + "---\n"})
    proc = validate_text(root)  # the subprocess timeout is the only clock here
    assert proc.returncode == 1
    assert re.search(r"^runbooks/bomb\.md:\d+:\d+: error OB009 ", proc.stdout, re.MULTILINE), proc.stdout


def test_unquoted_clock_times_are_not_sexagesimal(tmp_path: Path) -> None:
    """The Norway problem's cousin: YAML 1.1 reads 09:00 as 540 and 17:30 as 1050."""
    from opsbook.load import load
    from opsbook.yamlsource import parse_yaml

    text = BASE_FILES["schedules/payments.yaml"].replace('from: "09:00", to: "17:00"', "from: 09:00, to: 17:30")
    data, diags = parse_yaml(Path("s.yaml"), text)
    assert diags == []
    restriction = data["layers"][0]["restrict"][0]
    assert restriction["from"] == "09:00" and restriction["to"] == "17:30"
    assert data["layers"][0]["restrict"][0]["days"] == ["mon", "tue", "wed", "thu", "fri"]
    root = make_kb(tmp_path, {"schedules/payments.yaml": text})
    kb, found = load(root)
    assert found == []
    assert (kb.schedules["payments"].layers[0].restrict[0].from_, kb.schedules["payments"].layers[0].restrict[0].to) \
        == (9 * 60, 17 * 60 + 30)
    assert validate_text(root).returncode == 0


def test_norway_in_days_is_a_string_not_false(tmp_path: Path) -> None:
    from opsbook.yamlsource import parse_yaml

    data, _ = parse_yaml(Path("x.yaml"), "days: [no, NO, off, y]\ncountry: NO\n")
    assert data == {"days": ["no", "NO", "off", "y"], "country": "NO"}
    root = make_kb(tmp_path, {"schedules/payments.yaml": BASE_FILES["schedules/payments.yaml"].replace(
        "days: [mon, tue", "days: [no, tue")})
    proc = validate_text(root)
    assert proc.returncode == 1
    assert "schedules/payments.yaml:11:17: error OB103 " in proc.stdout
    assert "got 'no'" in proc.stdout


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """OB008. Simulated, because tests may run as root, who can read anything."""
    import json

    root = make_kb(tmp_path, {INC2: INCIDENT_OK})
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "INC-2026-002.yaml":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = invoke("--root", str(root), "validate", "--json", "--now", NOW)
    payload = json.loads(result.stdout)
    assert result.exit_code == 1
    [diag] = payload["diagnostics"]
    assert (diag["code"], diag["file"], diag["line"], diag["column"]) == ("OB008", INC2, 1, 1)
    assert "Permission denied" in diag["message"]


# --- usage errors: exit 2 -------------------------------------------------------------

def test_missing_opsbook_yaml_with_root(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"opsbook.yaml": None})
    proc = run_opsbook(tmp_path, "--root", str(root), "validate")
    assert proc.returncode == 2
    assert "opsbook.yaml" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_missing_opsbook_yaml_without_root(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    proc = run_opsbook(tmp_path / "empty", "validate")
    assert proc.returncode == 2
    assert "no opsbook.yaml" in proc.stderr and "--root" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_root_that_does_not_exist(tmp_path: Path) -> None:
    proc = run_opsbook(tmp_path, "--root", str(tmp_path / "nope"), "validate")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_now_garbage(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    proc = run_opsbook(root, "validate", "--now", "garbage")
    assert proc.returncode == 2
    assert "--now" in proc.stderr and "garbage" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_format_xml(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    proc = run_opsbook(root, "validate", "--format", "xml")
    assert proc.returncode == 2
    assert "xml" in proc.stderr and "Traceback" not in proc.stderr

"""`opsbook postmortem new`: pre-filled from the incident, never overwriting."""

from __future__ import annotations

import json

import pytest

from conftest import invoke, make_kb, run_validate
from test_incident import example_copy

NOW = "2026-11-20T15:00:00Z"


def new(root, *args):
    return invoke("--root", str(root), "postmortem", "new", *args, "--now", NOW)


def test_scaffold_from_an_example_incident(tmp_path):
    root = example_copy(tmp_path)
    (root / "postmortems/2026/2026-08-04-checkout-failures-ledger-lock-queue.md").unlink()
    result = new(root, "INC-2026-002", "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["file"] == "postmortems/2026/2026-08-04-card-payments-failing-at-checkout.md"
    assert out["template"] == "standard"  # SEV1: required, not the top level
    text = (root / out["file"]).read_text()
    assert text.startswith("---\nincident: INC-2026-002\ntitle: \"Card payments failing at checkout\"\nstatus: draft\n")
    assert "owner: maya\n" in text and "visibility: internal" in text
    assert "due: 2026-08-09  # SEV1: 5 days after resolution" in text  # resolved 4 Aug
    for section in ("## Summary", "## Impact", "## Roles", "## Timeline", "## Root cause", "## What went well",
                    "## What went poorly", "## Action items"):
        assert f"\n{section}\n" in text
    # The timeline merges milestones, public updates and internal notes in time order.
    lines = [line for line in text.splitlines() if line.startswith("| 2026-")]
    times = [line[2:18] for line in lines]
    assert times == sorted(times) and len(lines) > 20
    assert any("Status page (investigating)" in line for line in lines)
    assert "- Duration: 78 min" in text
    # The new file loads; as of as_of it is overdue, which is exactly what OB306 is for.
    code, payload = run_validate(root, now=NOW)
    assert {(d["code"], d["file"]) for d in payload["diagnostics"] if d["file"] == out["file"]} == {
        ("OB306", out["file"])}


@pytest.mark.parametrize("severity,template", [("SEV1", "comprehensive"), ("SEV2", "standard"), ("SEV3", "short")])
def test_default_template_by_severity(tmp_path, severity, template):
    incident = (make_kb.__globals__["BASE_FILES"]["incidents/INC-2026-001.yaml"]
                .replace("severity: SEV1", f"severity: {severity}"))
    root = make_kb(tmp_path, {"incidents/INC-2026-001.yaml": incident,
                              "postmortems/2026/2026-03-14-card-payments.md": None})
    result = new(root, "INC-2026-001", "--json")
    assert json.loads(result.stdout)["template"] == template


def test_running_again_keeps_the_persons_text(tmp_path):
    root = make_kb(tmp_path, {"postmortems/2026/2026-03-14-card-payments.md": None})
    first = new(root, "INC-2026-001", "--json")
    path = root / json.loads(first.stdout)["file"]
    written = path.read_text().replace("## Root cause\n", "## Root cause\n\nThe acquirer's timeout was 30 s.\n")
    path.write_text(written)
    again = new(root, "INC-2026-001")
    assert again.exit_code == 1
    assert f"already has a postmortem: {path.relative_to(root).as_posix()}" in again.stderr
    assert path.read_text() == written
    # Even when the loader cannot see it (say, its front matter is broken), the file is never replaced.
    path.write_text("---\nbroken: [\n---\nMy notes\n")
    third = new(root, "INC-2026-001")
    assert third.exit_code == 1 and "exists already" in third.stderr
    assert path.read_text() == "---\nbroken: [\n---\nMy notes\n"


def test_near_miss(tmp_path):
    root = make_kb(tmp_path)
    result = new(root, "--title", "Certificate nearly expired", "--severity", "SEV2", "--owner", "bob", "--json")
    out = json.loads(result.stdout)
    assert out["file"] == "postmortems/2026/2026-11-20-certificate-nearly-expired.md"
    assert out["incident"] is None and out["template"] == "standard"
    text = (root / out["file"]).read_text()
    assert "incident:" not in text and "severity: SEV2" in text and "owner: bob" in text
    assert out["due"] == "2026-11-27"  # 5 business days after Fri 20 Nov
    code, payload = run_validate(root, now=NOW)
    assert [d for d in payload["diagnostics"] if d["file"] == out["file"]] == []


@pytest.mark.parametrize("args,code,message", [
    ([], 2, "give an incident ID, or --title"),
    (["INC-2026-009"], 1, "did you mean 'INC-2026-001'?"),
    (["INC-2026-001", "--owner", "bobb"], 1, "did you mean 'bob'?"),
    (["--title", "x", "--severity", "SEV7"], 1, "unknown severity 'SEV7'"),
])
def test_bad_requests(tmp_path, args, code, message):
    root = make_kb(tmp_path, {"postmortems/2026/2026-03-14-card-payments.md": None})
    result = new(root, *args)
    assert result.exit_code == code and message in result.stderr
    assert not list((root / "postmortems").rglob("*.md"))


def files_under(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.mark.parametrize("title,message", [
    ("Caf\udcff", "--title: byte 0xff is not valid UTF-8 (character 4)"),  # how Click hands over b"\xff"
    ("Bell\x07", "--title: control character U+0007 (character 5)"),
])
def test_titles_that_cannot_be_written_leave_no_file(tmp_path, title, message):
    root = make_kb(tmp_path)
    before = files_under(root / "postmortems")
    result = new(root, "--title", title, "--severity", "SEV2")
    assert result.exit_code == 2 and message in result.stderr and "internal error" not in result.stderr
    assert files_under(root / "postmortems") == before


def test_a_full_disk_leaves_no_file_and_no_folder(tmp_path, monkeypatch):
    import errno
    import os

    root = make_kb(tmp_path)
    before = files_under(root / "postmortems")
    monkeypatch.setattr(os, "write", lambda fd, data: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device")))
    result = invoke("--root", str(root), "postmortem", "new", "--title", "Certificate nearly expired",
                    "--severity", "SEV2", "--now", "2027-01-05T12:00:00Z")
    assert result.exit_code == 2
    assert result.stderr == ("opsbook: postmortems/2027/2027-01-05-certificate-nearly-expired.md: cannot create it: "
                             "No space left on device; nothing was written\n")
    assert files_under(root / "postmortems") == before  # no 2027 folder either
    assert run_validate(root)[0] == 0


def test_a_due_date_past_the_last_readable_year_is_left_out_not_a_broken_draft(tmp_path):
    """Found in review: a record in 2999 with the longest postmortem_due gave a due
    date in 3100, and `postmortem new` failed naming a file it never wrote."""
    from conftest import BASE_FILES

    inc = BASE_FILES["incidents/INC-2026-001.yaml"]
    far = inc.replace("INC-2026-001", "INC-2999-001").replace("2026-03-14", "2999-12-31")
    root = make_kb(tmp_path, {
        "incidents/INC-2999-001.yaml": far,
        "playbooks/severity.yaml": BASE_FILES["playbooks/severity.yaml"].replace("postmortem_due: 5d",
                                                                                  "postmortem_due: 26089bd"),
    })
    result = invoke("--root", str(root), "postmortem", "new", "INC-2999-001", "--now", "2999-12-31T18:00:00Z")
    assert result.exit_code == 0, result.stderr
    [draft] = list((root / "postmortems" / "2999").glob("*.md"))
    assert "\ndue:" not in draft.read_text()
    done = invoke("--root", str(root), "validate", "--now", "2999-12-31T18:00:00Z")
    assert "internal error" not in done.stderr and done.exit_code != 2  # the draft loads

"""`opsbook incident`: declare, update, note, resolve, list, show.

Edits are checked against the file on disk (comments and layout kept) and
against the loader (the result validates).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import invoke, make_kb, run_validate
from opsbook.incidents import numbering
from opsbook.incidents.cadence import format_instant
from opsbook.timeutil import get_zone

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_PARTS = ["opsbook.yaml", "schedules", "playbooks", "runbooks", "incidents", "postmortems", "status"]


def example_copy(tmp_path: Path) -> Path:
    root = tmp_path / "example"
    root.mkdir()
    for part in EXAMPLE_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        else:
            shutil.copy(source, root / part)
    return root


def run(root: Path, *args: str):
    return invoke("--root", str(root), *args)


def declare(root: Path, *extra: str, at: str = "2026-06-01T12:00:00Z"):
    return run(root, "incident", "new", "--title", "Checkout failing", "--severity", "SEV1",
               "--service", "payments-api", "--commander", "alice", "--at", at, "--json", *extra)


# --- declare ------------------------------------------------------------------------


def test_new_writes_the_next_free_number_and_validates(tmp_path):
    root = make_kb(tmp_path)
    result = declare(root)
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["id"] == "INC-2026-002"  # INC-2026-001 exists
    assert out["file"] == "incidents/INC-2026-002.yaml"
    assert out["status"] == "investigating"
    assert out["roles_required"] == ["commander", "comms"]
    assert out["channel"] == "inc-20260601-checkout-failing"  # 08:00 in New York, same date
    assert out["next_update"]["due"] == "2026-06-01T12:30:00+00:00"  # SEV1 updates every 30 minutes
    text = (root / out["file"]).read_text()
    assert text.startswith("# yaml-language-server: $schema=../schemas/incident.schema.json\n")
    assert "declared: 2026-06-01T12:00:00Z\n" in text
    code, payload = run_validate(root)
    assert [d["code"] for d in payload["diagnostics"]] == ["OB308"]  # comms is not filled yet: a warning


def test_new_text_output_names_what_the_responder_needs(tmp_path):
    root = make_kb(tmp_path)
    result = run(root, "incident", "new", "--title", "Checkout failing", "--severity", "SEV1",
                 "--service", "payments-api", "--commander", "alice", "--at", "2026-06-01T12:00:00Z")
    assert result.exit_code == 0
    assert "Declared INC-2026-002: Checkout failing" in result.stdout
    assert "#inc-20260601-checkout-failing" in result.stdout
    assert "commander (Alice Nguyen), comms (unassigned)" in result.stdout
    assert "due 2026-06-01 08:30 EDT (12:30 UTC) (every 30 min)" in result.stdout


def test_new_prints_who_is_on_call_when_the_engine_exists(tmp_path):
    engine = pytest.importorskip("opsbook.oncall.engine")
    root = make_kb(tmp_path)
    result = declare(root)
    assert result.exit_code == 0, result.stderr
    on_call = json.loads(result.stdout)["on_call"]
    assert on_call[0]["service"] == "payments-api" and on_call[0]["schedule"] == "payments"
    kb = __import__("opsbook.load", fromlist=["load"]).load(root)[0]
    expected = engine.on_call_at(kb, "payments", datetime(2026, 6, 1, 12, tzinfo=timezone.utc))
    assert on_call[0]["primary"] == getattr(expected.primary, "id", expected.primary)


def test_channel_name_is_at_most_80_characters_and_cut_at_a_word():
    title = "Card payments failing at checkout for merchants in the European Union because of " * 3
    name = numbering.channel_name(datetime(2026, 3, 14, 14, tzinfo=timezone.utc), title, get_zone("UTC"), "x")
    assert len(name) <= 80
    assert name.startswith("inc-20260314-card-payments-failing")
    assert not name.endswith("-")
    assert numbering.channel_name(datetime(2026, 3, 14, tzinfo=timezone.utc), "¿¡!!", get_zone("UTC"),
                                  "INC-2026-004") == "inc-20260314-inc-2026-004"
    assert numbering.channel_name(datetime(2026, 3, 14, tzinfo=timezone.utc), "Zürich façade",
                                  get_zone("UTC"), "x") == "inc-20260314-zurich-facade"


# The channel's date and the next-update time are local: DST edges in three zones,
# including Lord Howe's 30-minute shift.
@pytest.mark.parametrize("zone,utc,date_part,shown", [
    ("America/New_York", "2026-03-08T06:59:00+00:00", "20260308", "2026-03-08 01:59 EST (06:59 UTC)"),
    ("America/New_York", "2026-03-08T07:00:00+00:00", "20260308", "2026-03-08 03:00 EDT (07:00 UTC)"),
    ("America/New_York", "2026-11-01T04:00:00+00:00", "20261101", "2026-11-01 00:00 EDT (04:00 UTC)"),
    ("Europe/London", "2026-10-25T00:30:00+00:00", "20261025", "2026-10-25 01:30 BST (00:30 UTC)"),
    ("Europe/London", "2026-10-25T01:30:00+00:00", "20261025", "2026-10-25 01:30 GMT"),
    ("Australia/Lord_Howe", "2026-10-03T15:29:00+00:00", "20261004", "2026-10-04 01:59 +1030 (15:29 UTC)"),
    ("Australia/Lord_Howe", "2026-10-03T15:30:00+00:00", "20261004", "2026-10-04 02:30 +11 (15:30 UTC)"),
])
def test_local_dates_and_times_across_dst(zone, utc, date_part, shown):
    moment = datetime.fromisoformat(utc)
    assert numbering.channel_name(moment, "x", get_zone(zone), "x") == f"inc-{date_part}-x"
    assert format_instant(moment, get_zone(zone)) == shown


def test_four_parallel_declarations_make_four_files(tmp_path):
    root = make_kb(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    cmd = [sys.executable, "-m", "opsbook", "--root", str(root), "incident", "new", "--title", "Parallel",
           "--severity", "SEV3", "--at", "2026-06-01T12:00:00Z", "--json"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outs]
    ids = sorted(json.loads(out)["id"] for out, _ in outs)
    assert ids == ["INC-2026-002", "INC-2026-003", "INC-2026-004", "INC-2026-005"]
    assert sorted(p.name for p in (root / "incidents").glob("*.yaml"))[1:] == [f"{i}.yaml" for i in ids]
    code, payload = run_validate(root)
    assert code == 0, payload


def test_a_clash_between_branches_is_caught_by_validate(tmp_path):
    root = make_kb(tmp_path)
    text = (root / "incidents/INC-2026-001.yaml").read_text()
    (root / "incidents/INC-2026-002.yaml").write_text(text)  # a merge that kept both copies
    code, payload = run_validate(root)
    found = {(d["code"], d["file"]) for d in payload["diagnostics"]}
    assert code == 1
    assert ("OB210", "incidents/INC-2026-002.yaml") in found and ("OB107", "incidents/INC-2026-002.yaml") in found


@pytest.mark.parametrize("args,code,message", [
    (["--severity", "SEV9"], 1, "unknown severity 'SEV9'"),  # unknown ids are findings: exit 1
    (["--service", "payments-ap"], 1, "did you mean 'payments-api'?"),
    (["--commander", "alise"], 1, "did you mean 'alice'?"),
    (["--title", "  "], 2, "--title"),  # malformed input is a usage error: exit 2
    (["--at", "yesterday"], 2, "--now"),
])
def test_new_rejects_bad_input(tmp_path, args, code, message):
    root = make_kb(tmp_path)
    base = {"--title": "T", "--severity": "SEV1"}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    flat = [x for pair in base.items() for x in pair]
    result = run(root, "incident", "new", *flat)
    assert result.exit_code == code
    assert message in result.stderr
    assert sorted(p.name for p in (root / "incidents").iterdir()) == ["INC-2026-001.yaml"]


# --- update, note, resolve ----------------------------------------------------------

COMMENTED = """\
# yaml-language-server: $schema=../schemas/incident.schema.json
# Written by hand during the incident; keep these comments.
id: INC-2026-002
title: Slow dashboard   # customers' words
severity: SEV1
status: investigating
services: [payments-api]
commander: alice
roles:
  comms: bob      # took over at 10:05
declared: 2026-05-30T10:00:00Z
public: true
updates:
  - {at: 2026-05-30T10:05:00Z, status: investigating, message: "We are looking into it.", components: {api: degraded_performance}}
timeline:
  - {at: 2026-05-30T10:01:00Z, text: "Alert fired"}  # from PagerDuty
"""


@pytest.fixture
def open_kb(tmp_path):
    return make_kb(tmp_path, {"incidents/INC-2026-002.yaml": COMMENTED})


def test_update_appends_and_keeps_comments_and_layout(open_kb):
    path = open_kb / "incidents/INC-2026-002.yaml"
    result = run(open_kb, "incident", "update", "INC-2026-002", "--status", "identified", "-m",
                 "Found it: a bad index.", "--component", "api=partial_outage", "--at", "2026-05-30T10:30:00Z")
    assert result.exit_code == 0, result.stderr
    text = path.read_text()
    before = COMMENTED.splitlines()
    after = text.splitlines()
    # Every original line is still there, unchanged, except the status.
    assert [line for line in before if not line.startswith("status:")] == \
        [line for line in after if line in before and not line.startswith("status:")]
    assert "status: identified" in after
    assert '  - {at: 2026-05-30T10:30:00Z, status: identified, message: "Found it: a bad index.", ' \
           'components: {api: partial_outage}}' in after
    assert after.index("timeline:") > after.index('  - {at: 2026-05-30T10:30:00Z, status: identified, '
                                                  'message: "Found it: a bad index.", components: {api: partial_outage}}')
    code, payload = run_validate(open_kb)
    assert code == 0, payload


def test_note_is_internal_and_resolve_closes_components(open_kb):
    assert run(open_kb, "incident", "note", "INC-2026-002", "Rolled back v2", "--by", "bob",
               "--at", "2026-05-30T10:40:00Z").exit_code == 0
    result = run(open_kb, "incident", "resolve", "INC-2026-002", "--at", "2026-05-30T11:00:00Z", "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["status"] == "resolved" and out["resolved"] == "2026-05-30T11:00:00+00:00"
    assert out["next_update"]["due"] is None
    text = (open_kb / "incidents/INC-2026-002.yaml").read_text()
    assert '  - {at: 2026-05-30T10:40:00Z, text: "Rolled back v2", by: bob}' in text
    assert "components: {api: operational}" in text  # back to operational unless told otherwise
    assert "mitigated: 2026-05-30T11:00:00Z\nresolved: 2026-05-30T11:00:00Z\n" in text
    code, payload = run_validate(open_kb)
    assert code == 0, payload
    shown = json.loads(run(open_kb, "incident", "show", "INC-2026-002", "--json").stdout)["incident"]
    assert shown["status"] == "resolved" and len(shown["timeline"]) == 2


def test_internal_update_goes_to_the_timeline_only(open_kb):
    result = run(open_kb, "incident", "update", "INC-2026-002", "--status", "identified", "-m", "Suspect the db",
                 "--internal", "--at", "2026-05-30T10:30:00Z", "--json")
    out = json.loads(result.stdout)
    assert out["updates"] == 1 and out["timeline"] == 2


@pytest.mark.parametrize("args,code,message", [
    (["update", "INC-2026-009", "--status", "identified", "-m", "x"], 1, "no incident 'INC-2026-009'; did you mean 'INC-2026-002'?"),
    (["update", "INC-2026-002", "--status", "identifed", "-m", "x"], 2, "unknown stage 'identifed'; did you mean 'identified'?"),
    (["update", "INC-2026-002", "--status", "identified", "-m", "x", "--component", "ap=major_outage"], 2,
     "unknown component 'ap'; did you mean 'api'?"),
    (["update", "INC-2026-002", "--status", "identified", "-m", "x", "--component", "api=down"], 2,
     "unknown component status 'down'"),
    (["update", "INC-2026-002", "--status", "identified", "-m", "x", "--component", "api"], 2, "COMPONENT=STATUS"),
    (["update", "INC-2026-002", "--status", "identified", "-m", "x", "--at", "2026-05-30T10:04:00Z"], 2,
     "never go backwards"),
    (["note", "INC-2026-002", "late note", "--at", "2026-05-30T09:00:00Z"], 2, "never go backwards"),
    (["update", "INC-2026-002", "--status", "investigating", "-m", "x", "--reopen"], 2, "is not resolved"),
    (["note", "INC-2026-002", "x", "--by", "bobb"], 1, "did you mean 'bob'?"),
    (["show", "INC-2026-02"], 1, "did you mean 'INC-2026-002'?"),
])
def test_bad_requests_change_nothing(open_kb, args, code, message):
    before = (open_kb / "incidents/INC-2026-002.yaml").read_bytes()
    result = run(open_kb, "incident", *args, *(["--at", "2026-05-30T10:30:00Z"] if "--at" not in args
                                               and args[0] != "show" else []))
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "internal error" not in result.stderr
    assert (open_kb / "incidents/INC-2026-002.yaml").read_bytes() == before


def test_reopening_needs_reopen(open_kb):
    assert run(open_kb, "incident", "resolve", "INC-2026-002", "--at", "2026-05-30T11:00:00Z").exit_code == 0
    refused = run(open_kb, "incident", "update", "INC-2026-002", "--status", "investigating", "-m", "Back",
                  "--at", "2026-05-30T12:00:00Z")
    assert refused.exit_code == 2 and "pass --reopen" in refused.stderr
    again = run(open_kb, "incident", "resolve", "INC-2026-002", "--at", "2026-05-30T12:00:00Z")
    assert again.exit_code == 2 and "already resolved" in again.stderr
    reopened = run(open_kb, "incident", "update", "INC-2026-002", "--status", "investigating", "-m", "Back",
                   "--reopen", "--at", "2026-05-30T12:00:00Z", "--json")
    assert reopened.exit_code == 0, reopened.stderr
    assert json.loads(reopened.stdout)["resolved"] is None
    text = (open_kb / "incidents/INC-2026-002.yaml").read_text()
    assert "\nresolved:" not in text and "Reopened (investigating)" in text
    code, payload = run_validate(open_kb)
    assert code == 0, payload


def test_crlf_files_keep_their_line_endings(tmp_path):
    root = make_kb(tmp_path, {"incidents/INC-2026-002.yaml": COMMENTED.replace("\n", "\r\n")})
    assert run(root, "incident", "note", "INC-2026-002", "x", "--at", "2026-05-30T10:30:00Z").exit_code == 0
    data = (root / "incidents/INC-2026-002.yaml").read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n")


def test_list_and_show(open_kb):
    listed = json.loads(run(open_kb, "incident", "list", "--open", "--json").stdout)["incidents"]
    assert [i["id"] for i in listed] == ["INC-2026-002"]
    everything = json.loads(run(open_kb, "incident", "list", "--json").stdout)["incidents"]
    assert [i["id"] for i in everything] == ["INC-2026-002", "INC-2026-001"]
    assert everything[1]["duration_minutes"] == 68
    shown = run(open_kb, "incident", "show", "INC-2026-002", "--at", "2026-05-30T11:00:00Z")
    assert shown.exit_code == 0
    assert "OVERDUE since 2026-05-30 06:35 EDT (10:35 UTC)" in shown.stdout
    assert "Alert fired" in shown.stdout


def test_example_incidents_round_trip_byte_for_byte():
    from opsbook.incidents.yamledit import edit_yaml_text

    for path in sorted((REPO / "incidents").glob("*.yaml")):
        text = path.read_text()
        assert edit_yaml_text(text, lambda data: None) == text, path.name


# --- nothing a person wrote is lost or rewritten ---------------------------------------


def files_under(folder: Path) -> list[str]:
    """Every name under ``folder``, hidden temporary files included."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.fixture
def full_disk(monkeypatch):
    """os.write takes a few bytes, then fails as a full disk does (ENOSPC)."""
    import errno

    real = os.write
    room = [16]

    def write(fd, data):
        if room[0] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        taken = real(fd, bytes(data[:room[0]]))
        room[0] -= taken
        return taken

    monkeypatch.setattr(os, "write", write)


@pytest.mark.parametrize("title,message", [
    ("Caf\udcff down", "--title: byte 0xff is not valid UTF-8 (character 4)"),  # how Click hands over b"\xff"
    ("Checkout \x1b[31mred", "--title: control character U+001B (character 10)"),
    ("two\nlines", "--title: control character U+000A"),
    ("a\u2028b", "--title: control character U+2028"),
])
def test_new_refuses_titles_that_cannot_be_written(tmp_path, title, message):
    root = make_kb(tmp_path)
    result = run(root, "incident", "new", "--title", title, "--severity", "SEV1")
    assert result.exit_code == 2
    assert message in result.stderr and "internal error" not in result.stderr
    assert files_under(root / "incidents") == ["INC-2026-001.yaml"]


def test_undecodable_bytes_in_a_real_command_line_leave_no_file(tmp_path):
    root = make_kb(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run([sys.executable, "-m", "opsbook", "--root", str(root), "incident", "new",
                           "--title", b"Caf\xff down", "--severity", "SEV1"], capture_output=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert b"--title: byte 0xff is not valid UTF-8" in proc.stderr and b"Traceback" not in proc.stderr
    assert files_under(root / "incidents") == ["INC-2026-001.yaml"]
    assert run_validate(root)[0] == 0


def test_a_full_disk_while_declaring_leaves_nothing_that_blocks_publishing(tmp_path, full_disk):
    root = make_kb(tmp_path)
    result = run(root, "incident", "new", "--title", "Disk full", "--severity", "SEV1", "--at", "2026-06-01T12:00:00Z")
    assert result.exit_code == 2
    assert result.stderr == ("opsbook: incidents/INC-2026-002.yaml: cannot create it: No space left on device; "
                             "nothing was written\n")
    assert files_under(root / "incidents") == ["INC-2026-001.yaml"]
    # The disk is still full: validate only reads.
    assert run_validate(root)[0] == 0


def test_a_full_disk_while_noting_keeps_the_record(open_kb, full_disk):
    path = open_kb / "incidents/INC-2026-002.yaml"
    before = path.read_bytes()
    result = run(open_kb, "incident", "note", "INC-2026-002", "x", "--at", "2026-05-30T10:30:00Z")
    assert result.exit_code == 2
    assert result.stderr == ("opsbook: incidents/INC-2026-002.yaml: cannot write: No space left on device; "
                             "the file is unchanged\n")
    assert path.read_bytes() == before
    assert files_under(open_kb / "incidents") == ["INC-2026-001.yaml", "INC-2026-002.yaml"]


@pytest.mark.parametrize("args,message", [
    (["note", "INC-2026-002", "bad \udcff"], "TEXT: byte 0xff is not valid UTF-8"),
    (["update", "INC-2026-002", "--status", "identified", "-m", "x\x00y"], "--message: control character U+0000"),
    (["resolve", "INC-2026-002", "-m", "done\x7f"], "--message: control character U+007F"),
])
def test_texts_that_cannot_be_written_change_nothing(open_kb, args, message):
    path = open_kb / "incidents/INC-2026-002.yaml"
    before = path.read_bytes()
    result = run(open_kb, "incident", *args, "--at", "2026-05-30T10:30:00Z")
    assert result.exit_code == 2 and message in result.stderr
    assert path.read_bytes() == before


def test_a_symlinked_record_is_edited_through_the_link(tmp_path):
    root = make_kb(tmp_path)
    shared = tmp_path / "shared" / "INC-2026-002.yaml"
    shared.parent.mkdir()
    shared.write_text(COMMENTED)
    link = root / "incidents/INC-2026-002.yaml"
    link.symlink_to(os.path.relpath(shared, link.parent))
    assert run(root, "incident", "note", "INC-2026-002", "Rolled back", "--at", "2026-05-30T10:30:00Z").exit_code == 0
    result = run(root, "incident", "update", "INC-2026-002", "--status", "identified", "-m", "Found it",
                 "--at", "2026-05-30T10:31:00Z", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["file"] == "incidents/INC-2026-002.yaml"
    assert link.is_symlink() and link.resolve() == shared.resolve()
    text = shared.read_text()
    assert '  - {at: 2026-05-30T10:30:00Z, text: "Rolled back"}\n' in text and "status: identified\n" in text
    assert files_under(shared.parent) == ["INC-2026-002.yaml"]
    assert run_validate(root)[0] == 0


NOTE = '  - {at: 2026-05-30T10:30:00Z, text: "Noted"}'
# Odd but valid records: `opsbook validate` accepts each, so every edit command must
# too, and a note must add its line and change nothing else.
ODD_RECORDS = [
    ("byte-order mark", "\ufeff" + COMMENTED, "\ufeff" + COMMENTED + NOTE + "\n"),
    ("CRLF", COMMENTED.replace("\n", "\r\n"), COMMENTED.replace("\n", "\r\n") + NOTE + "\r\n"),
    ("mixed line endings", COMMENTED.replace("severity: SEV1\n", "severity: SEV1\r\n"),
     COMMENTED.replace("severity: SEV1\n", "severity: SEV1\r\n") + NOTE + "\n"),
    ("document end marker", COMMENTED + "...\n", COMMENTED + NOTE + "\n...\n"),
    ("trailing tab after a flow list", COMMENTED.replace("services: [payments-api]", "services: [payments-api]\t"),
     COMMENTED.replace("services: [payments-api]", "services: [payments-api]\t") + NOTE + "\n"),
    ("tab after a colon", COMMENTED.replace("severity: SEV1", "severity:\tSEV1"),
     COMMENTED.replace("severity: SEV1", "severity:\tSEV1") + NOTE + "\n"),
    ("no final newline", COMMENTED.rstrip("\n"), COMMENTED + NOTE),
    ("escapes", COMMENTED.replace('"Alert fired"', '"Alert fir\\u00e9d"'),
     COMMENTED.replace('"Alert fired"', '"Alert fir\\u00e9d"') + NOTE + "\n"),
    ("~ and trailing blanks", COMMENTED.replace("commander: alice", "commander: alice  \nacknowledged: ~"),
     COMMENTED.replace("commander: alice", "commander: alice  \nacknowledged: ~") + NOTE + "\n"),
    ("anchor and alias", COMMENTED.replace("title: Slow", "title: &t Slow").replace('text: "Alert fired"', "text: *t"),
     COMMENTED.replace("title: Slow", "title: &t Slow").replace('text: "Alert fired"', "text: *t") + NOTE + "\n"),
    ("--- with a comment", "--- # by hand\n" + COMMENTED, "--- # by hand\n" + COMMENTED + NOTE + "\n"),
    ("CR line endings", COMMENTED.replace("\n", "\r"), COMMENTED.replace("\n", "\r") + NOTE + "\r"),
]


@pytest.mark.parametrize("name,text,noted", ODD_RECORDS, ids=[c[0] for c in ODD_RECORDS])
def test_whatever_validate_accepts_the_edit_commands_accept(tmp_path, name, text, noted):
    root = make_kb(tmp_path, {"incidents/INC-2026-002.yaml": text})
    path = root / "incidents/INC-2026-002.yaml"
    assert run_validate(root)[0] == 0
    result = run(root, "incident", "note", "INC-2026-002", "Noted", "--at", "2026-05-30T10:30:00Z")
    assert result.exit_code == 0, result.stderr
    assert path.read_bytes() == noted.encode("utf-8")
    before = path.read_bytes().decode("utf-8")
    assert run(root, "incident", "update", "INC-2026-002", "--status", "identified", "-m", "Found",
               "--at", "2026-05-30T10:31:00Z").exit_code == 0
    assert run(root, "incident", "resolve", "INC-2026-002", "--at", "2026-05-30T10:32:00Z").exit_code == 0
    after = path.read_bytes().decode("utf-8")
    # Every line of the record is still there, ending and all, apart from the status.
    kept = after.splitlines(keepends=True)
    for line in before.splitlines(keepends=True):
        if not line.lstrip("\ufeff").startswith("status:"):
            assert line in kept or (line == before.splitlines(keepends=True)[-1] and line + "\n" in kept), line
    assert after.startswith("\ufeff") == text.startswith("\ufeff")
    assert run_validate(root)[0] == 0


def test_an_edit_ruamel_would_misread_is_refused_with_its_line(tmp_path):
    text = "%YAML 1.1\n---\n" + COMMENTED.replace("title: Slow dashboard", "title: on")
    root = make_kb(tmp_path, {"incidents/INC-2026-002.yaml": text})
    assert run_validate(root)[0] == 0  # opsbook reads YAML 1.2: the title is the text "on"
    result = run(root, "incident", "note", "INC-2026-002", "x", "--at", "2026-05-30T10:30:00Z")
    assert result.exit_code == 2
    assert result.stderr.startswith("opsbook: incidents/INC-2026-002.yaml:6: cannot edit: ruamel.yaml")
    assert "'title'" in result.stderr and "remove the '%YAML 1.1' line" in result.stderr
    assert (root / "incidents/INC-2026-002.yaml").read_text() == text

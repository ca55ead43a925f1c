"""`opsbook actions`: list with filters and formats; done and reopen edit in place."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from conftest import BASE_FILES, invoke, make_kb, run_validate

REPO = Path(__file__).resolve().parents[1]
PM = "postmortems/2026/2026-03-14-card-payments.md"


def actions(root, *args):
    return invoke("--root", str(root), "actions", *args)


def test_example_list_is_most_overdue_first():
    document = json.loads(actions(REPO, "--json").stdout)
    assert document["skipped"] == [] and document["now"].startswith("2026-11-20")
    out = document["action_items"]
    assert [row["id"] for row in out] == ["AI-107", "AI-114", "AI-103", "AI-113", "AI-111", "AI-133", "AI-127",
                                          "AI-116"]
    first = out[0]
    assert first["overdue_days"] == 11 and first["team"] == "data" and first["age_days"] == 105
    assert first["postmortem"] == "2026/2026-08-04-checkout-failures-ledger-lock-queue"
    assert first["incident"] == "INC-2026-002"


@pytest.mark.parametrize("args,ids,code", [
    (["--overdue"], ["AI-107"], 1),
    (["--overdue", "--now", "2026-11-01T12:00:00Z"], [], 0),
    (["--owner", "ines"], ["AI-114", "AI-116"], 0),
    (["--team", "identity"], ["AI-111"], 0),
    (["--team", "platform", "--all"], ["AI-103", "AI-127", "AI-119", "AI-120", "AI-126", "AI-130", "AI-131", "AI-102",
                                       "AI-101", "AI-104", "AI-110"], 0),
])
def test_filters(args, ids, code):
    result = actions(REPO, *args, "--format", "json")
    assert result.exit_code == code
    assert [row["id"] for row in json.loads(result.stdout)["action_items"]] == ids


def test_csv_parses_with_a_real_reader():
    result = actions(REPO, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["id"] == "AI-107" and rows[0]["overdue_days"] == "11"
    assert rows[1]["title"] == "Add clock-change fixtures (Europe and US, spring and autumn) to the reconciliation tests"


def test_text_output():
    result = actions(REPO)
    assert result.stdout.startswith("AI-107   OVERDUE 11d   due 2026-11-09  Arjun Mehta")


@pytest.mark.parametrize("args,message", [
    (["--owner", "arjn"], "did you mean 'arjun'?"),
    (["--team", "dta"], "did you mean 'data'?"),
])
def test_unknown_filters(args, message):
    result = actions(REPO, *args)
    assert result.exit_code == 1 and message in result.stderr  # not found: exit 1


COMMENTED_PM = BASE_FILES[PM].replace(
    "action_items:\n", "# Items agreed in the review on 18 March.\naction_items:\n").replace(
    "status: open, type: mitigate}", "status: open, type: mitigate}  # blocked on the acquirer")


def test_done_and_reopen_keep_comments_and_body(tmp_path):
    root = make_kb(tmp_path, {PM: COMMENTED_PM})
    path = root / PM
    result = actions(root, "done", "AI-2", "--now", "2026-06-01T12:00:00Z", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"id": "AI-2", "status": "done", "changed": True, "file": PM, "skipped": []}
    text = path.read_text()
    assert "# Items agreed in the review on 18 March.\n" in text
    line = next(line for line in text.splitlines() if "AI-2" in line)
    assert line.startswith("  - {id: AI-2, title: Automate acquirer failover, owner: carol, due: 2026-07-01, "
                           "status: done, type: mitigate, closed: 2026-06-01}")
    assert line.endswith("# blocked on the acquirer")  # the comment stays on its line
    assert text.split("---\n", 2)[2] == COMMENTED_PM.split("---\n", 2)[2]  # body byte for byte
    assert run_validate(root)[0] == 0
    again = actions(root, "done", "AI-2")
    assert again.exit_code == 0 and "already done" in again.stdout
    assert actions(root, "reopen", "AI-2").exit_code == 0
    reopened = path.read_text()
    line = next(line for line in reopened.splitlines() if "AI-2" in line)
    assert "status: open" in line and "closed" not in line and line.endswith("# blocked on the acquirer")
    # The comment keeps its padding: the file is as it was, byte for byte.
    assert reopened == COMMENTED_PM


def test_unknown_item(kb):
    result = actions(kb, "done", "AI-3")
    assert result.exit_code == 1 and "no action item 'AI-3'" in result.stderr


def test_wont_do(kb):
    assert actions(kb, "done", "AI-2", "--wont-do").exit_code == 0
    assert "status: wont-do" in (kb / PM).read_text()


# --- odd but valid postmortems: whatever validate accepts, done and reopen accept --------

ODD_POSTMORTEMS = [
    ("byte-order mark", "\ufeff" + BASE_FILES[PM]),
    ("CRLF", BASE_FILES[PM].replace("\n", "\r\n")),
    ("mixed line endings in front matter and body",
     BASE_FILES[PM].replace("owner: alice\n", "owner: alice\r\n").replace("## Summary\n", "## Summary\r\n")),
    ("... closes the front matter", BASE_FILES[PM].replace("type: mitigate}\n---\n", "type: mitigate}\n...\n")),
    ("trailing tab after a flow list", BASE_FILES[PM].replace("authors: [alice, bob]", "authors: [alice, bob]\t")),
    ("escapes, ~ and trailing blanks", BASE_FILES[PM].replace(
        "title: Card payments failing at checkout", 'title: "Card payments failing at checkout \\u2013 EU"  ')
     .replace("owner: alice", "owner: alice\nseverity: ~")),
    ("no final newline, a rule in the body", BASE_FILES[PM] + "\n---\n\nAfter the rule.\r\nEnd"),
]


@pytest.mark.parametrize("name,text", ODD_POSTMORTEMS, ids=[c[0] for c in ODD_POSTMORTEMS])
def test_done_then_reopen_gives_back_the_same_bytes(tmp_path, name, text):
    root = make_kb(tmp_path, {PM: text})
    path = root / PM
    assert run_validate(root)[0] == 0
    result = actions(root, "done", "AI-2", "--now", "2026-06-01T12:00:00Z")
    assert result.exit_code == 0, result.stderr
    done = path.read_bytes().decode("utf-8")
    # One line changed: the item's; the body is byte for byte.
    assert [a for a, b in zip(text.splitlines(True), done.splitlines(True)) if a != b] == [
        next(line for line in text.splitlines(True) if "AI-2" in line)]
    assert "status: done, type: mitigate, closed: 2026-06-01}" in done
    assert done.split("\n# Card payments", 1)[1] == text.split("\n# Card payments", 1)[1]
    assert run_validate(root)[0] == 0
    assert actions(root, "reopen", "AI-2").exit_code == 0
    assert path.read_bytes() == text.encode("utf-8")


def test_a_symlinked_postmortem_is_edited_through_the_link(tmp_path):
    import os

    root = make_kb(tmp_path)
    shared = tmp_path / "shared.md"
    shared.write_text(BASE_FILES[PM])
    link = root / PM
    link.unlink()
    link.symlink_to(shared)
    assert actions(root, "done", "AI-2", "--now", "2026-06-01T12:00:00Z").exit_code == 0
    assert link.is_symlink() and os.readlink(link) == str(shared)
    assert "status: done, type: mitigate, closed: 2026-06-01}" in shared.read_text()


def test_a_full_disk_changes_nothing(kb, monkeypatch):
    import errno
    import os

    before = (kb / PM).read_bytes()
    monkeypatch.setattr(os, "write", lambda fd, data: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device")))
    result = actions(kb, "done", "AI-2")
    assert result.exit_code == 2
    assert result.stderr == f"opsbook: {PM}: cannot write: No space left on device; the file is unchanged\n"
    assert (kb / PM).read_bytes() == before
    assert sorted(p.name for p in (kb / PM).parent.iterdir()) == [Path(PM).name]

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
    out = json.loads(actions(REPO, "--json").stdout)
    assert [row["id"] for row in out] == ["AI-107", "AI-114", "AI-103", "AI-113", "AI-111", "AI-116"]
    first = out[0]
    assert first["overdue_days"] == 11 and first["team"] == "data" and first["age_days"] == 105
    assert first["postmortem"] == "2026/2026-08-04-checkout-failures-ledger-lock-queue"
    assert first["incident"] == "INC-2026-002"


@pytest.mark.parametrize("args,ids,code", [
    (["--overdue"], ["AI-107"], 1),
    (["--overdue", "--now", "2026-11-01T12:00:00Z"], [], 0),
    (["--owner", "ines"], ["AI-114", "AI-116"], 0),
    (["--team", "identity"], ["AI-111"], 0),
    (["--team", "platform", "--all"], ["AI-103", "AI-102", "AI-101", "AI-104", "AI-110"], 0),
])
def test_filters(args, ids, code):
    result = actions(REPO, *args, "--format", "json")
    assert result.exit_code == code
    assert [row["id"] for row in json.loads(result.stdout)] == ids


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
    assert json.loads(result.stdout) == {"id": "AI-2", "status": "done", "changed": True, "file": PM}
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
    # Apart from the comment's padding, the file is as it was.
    assert " ".join(reopened.split()) == " ".join(COMMENTED_PM.split())


def test_unknown_item(kb):
    result = actions(kb, "done", "AI-3")
    assert result.exit_code == 1 and "no action item 'AI-3'" in result.stderr


def test_wont_do(kb):
    assert actions(kb, "done", "AI-2", "--wont-do").exit_code == 0
    assert "status: wont-do" in (kb / PM).read_text()

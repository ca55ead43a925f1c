"""Last-changed dates come from one pass over git history."""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path

from opsbook.gitinfo import last_changes, parse_log
from opsbook.load import load
from opsbook.render import render_pages

from conftest import make_kb

NOW = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)


def _git(root: Path, *args: str, date: str | None = None) -> None:
    env = {"GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.com", "GIT_COMMITTER_NAME": "Ada",
           "GIT_COMMITTER_EMAIL": "ada@example.com", "PATH": "/usr/bin:/bin"}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def test_parse_log_takes_the_newest_change_per_file():
    text = ("\x1eaaa\x1f2026-05-02T10:00:00+00:00\x1fAda\x1fsecond\n\nrunbooks/a.md\n"
            "\x1ebbb\x1f2026-05-01T10:00:00+00:00\x1fBo\x1ffirst\n\nrunbooks/a.md\nrunbooks/b.md\n")
    found = parse_log(text)
    assert found["runbooks/a.md"].commit == "aaa"
    assert found["runbooks/b.md"].commit == "bbb"


def test_last_changes_and_runbook_page(tmp_path):
    root = make_kb(tmp_path)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "first", date="2026-05-01T10:00:00+00:00")
    runbook = next((root / "runbooks").rglob("*.md"))
    runbook.write_text(runbook.read_text() + "\nOne more line.\n")
    _git(root, "commit", "-qam", "edit runbook", date="2026-05-20T09:30:00+00:00")

    changes = last_changes(root, [root / "runbooks", root / "playbooks"])
    assert changes[runbook.resolve()].when == datetime(2026, 5, 20, 9, 30, tzinfo=timezone.utc)
    assert all(path.is_relative_to(root.resolve()) for path in changes)

    kb, _ = load(root)
    pages = render_pages(kb, "public", NOW, changes)
    page = pages[f"runbooks/{runbook.relative_to(root / 'runbooks').as_posix()}"]
    assert "**Last changed:** 2026-05-20" in page.markdown


def test_outside_git_there_are_no_dates(tmp_path):
    root = make_kb(tmp_path)
    assert last_changes(root) == {}

"""What git knows about the knowledge base's files: when each last changed.

One ``git log`` for the whole repository, read as a stream, newest commit
first; the first time a path appears is its last change. Revision-date
plugins that run ``git log -1 -- FILE`` per page are O(files) processes and
turn a 5,000-runbook site into minutes of forking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable

_COMMIT = "\x1e"  # record separator before each commit header
_FIELD = "\x1f"


@dataclass(frozen=True)
class Change:
    commit: str
    when: datetime
    author: str
    subject: str


def parse_log(text: str, wanted: set[str] | None = None) -> dict[str, Change]:
    """Parse ``git log --name-only --format=<ours>`` output (newest first)."""
    latest: dict[str, Change] = {}
    for block in text.split(_COMMIT):
        if not block.strip():
            continue
        header, _, names = block.partition("\n")
        try:
            commit, when, author, subject = header.split(_FIELD, 3)
            change = Change(commit, datetime.fromisoformat(when), author, subject)
        except ValueError:
            continue  # not one of our headers; git printed something else
        for name in names.splitlines():
            name = name.strip()
            if name and name not in latest and (wanted is None or name in wanted):
                latest[name] = change
    return latest


def last_changes(root: Path, within: Iterable[Path] = ()) -> dict[Path, Change]:
    """Last change of every file in the folders ``within`` (default: all of
    ``root``), as absolute path -> Change.

    Empty when ``root`` is not in a git work tree or git is unavailable: the
    dates are a nicety, never a reason to fail a build.
    """
    try:
        import git  # GitPython; imported here so that nothing else pays for it
    except ImportError:  # pragma: no cover - a declared dependency
        return {}
    try:
        repo = git.Repo(root, search_parent_directories=True)
        top = Path(repo.working_tree_dir).resolve()
        specs = [p.resolve().relative_to(top).as_posix() or "." for p in (list(within) or [root])]
        output = repo.git.log("--name-only", "--no-renames", f"--format={_COMMIT}%H{_FIELD}%aI{_FIELD}%an{_FIELD}%s",
                              "--", *specs)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandError, ValueError, OSError):
        return {}
    found = parse_log(output)
    return {top / name: change for name, change in found.items()}

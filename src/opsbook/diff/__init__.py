"""`opsbook diff`: what a change to the knowledge base means, not its text.

Both revisions are loaded straight from git objects (``gitsource``) through the
loader's file-source seam, checked, and compared kind by kind (``policy``), on
call as consequences through the rotation engine (``oncall``), and validation
findings introduced and fixed (``findings``). ``summary`` words the headline;
``format`` writes text and Markdown.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from opsbook.diff import findings, oncall, policy
from opsbook.diff.gitsource import GitTreeSource, RevisionError, open_repository, revision
from opsbook.diff.model import DiffReport
from opsbook.diff.revision import RevisionNotLoaded, Side, load_side
from opsbook.diff.summary import headline

__all__ = ["Revisions", "RevisionError", "RevisionNotLoaded", "open_revisions", "compute"]

DEFAULT_WEEKS = 8
MAX_WEEKS = 104  # the engine's longest window (two years)


class Revisions:
    """BASE and HEAD of one knowledge base: git trees, or the working tree for HEAD."""

    def __init__(self, root: Path, base: str, head: str | None):
        self.root = root.resolve()
        self.repo, self.worktree = open_repository(self.root)
        try:
            self.root.relative_to(self.worktree)
        except ValueError:
            raise RevisionError(f"{self.root} is not inside the work tree {self.worktree}") from None
        self.base_label, self.head_label = base, head or "working tree"
        blobs: dict[str, bytes] = {}  # by blob id: a file the change left alone is read once
        self.base: GitTreeSource = revision(self.repo, self.worktree, base, self.root, blobs)
        self.head: GitTreeSource | None = (revision(self.repo, self.worktree, head, self.root, blobs)
                                           if head else None)

    def changed_files(self) -> list[str]:
        """Files under the knowledge base's root that differ, relative to it (tracked
        changes, and untracked files when HEAD is the working tree)."""
        args = ["--name-only", "-z", "--no-renames", self.base.commit.hexsha]
        if self.head is not None:
            args.append(self.head.commit.hexsha)
        raw = self.repo.git.diff(*args, "--", str(self.root), stdout_as_string=False)
        names = [os.fsdecode(n) for n in raw.split(b"\0") if n]
        if self.head is None:
            names += self.repo.git.ls_files("--others", "--exclude-standard", "-z", "--", str(self.root),
                                            stdout_as_string=False).split(b"\0")
            names = [os.fsdecode(n) if isinstance(n, bytes) else n for n in names if n]
        prefix = self.root.relative_to(self.worktree).as_posix()
        out = set()
        for name in names:
            rel = name if prefix == "." else name[len(prefix) + 1:] if name.startswith(prefix + "/") else None
            if rel:
                out.add(rel)
        return sorted(out)


def open_revisions(root: Path, base: str, head: str | None) -> Revisions:
    return Revisions(root, base, head)


def compute(revisions: Revisions, now: datetime, weeks: int = DEFAULT_WEEKS) -> DiffReport:
    root = revisions.root
    base = load_side(root, revisions.base_label, revisions.base, now)
    head = load_side(root, revisions.head_label, revisions.head, now)
    return compare(base, head, root, now, weeks, revisions.changed_files())


def compare(base: Side, head: Side, root: Path, now: datetime, weeks: int, changed: list[str]) -> DiffReport:
    a, b = base.kb, head.kb
    report = DiffReport(
        base=base.label, head=head.label, now=now.isoformat(),
        severity=policy.severity(a, b), escalation=policy.escalation(a, b),
        oncall=oncall.compare(a, b, now, weeks), services=policy.services(a, b), runbooks=policy.runbooks(a, b),
        status_page=policy.status_page(a, b), settings=policy.settings(a, b),
        validation=findings.compare(base, head, root), other_files=changed)
    report.summary = headline(report)
    return report

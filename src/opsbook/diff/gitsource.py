"""A git revision's tree as a file source for the loader (``yamlsource.FileSource``).

``opsbook diff`` loads BASE (and HEAD, when it is a revision) straight from git
objects with GitPython: no checkout, no temporary clone. One ``git ls-tree``
lists the knowledge base's files with their sizes; a file's bytes are read from
the object database only when the loader asks for it (GitPython keeps one
``git cat-file --batch`` process for all of them). Paths are the absolute paths
the same files have in the working tree, so findings of both revisions name the
same files.
"""

from __future__ import annotations

import bisect
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path

_SYMLINK = 0o120000
_MAX_LINKS = 8  # a symlink to a symlink ...: as far as a shell would follow, near enough


class RevisionError(Exception):
    """A revision that cannot be read (unknown name, not a git repository): a usage error."""


@dataclass(frozen=True)
class _Entry:
    mode: int
    sha: str
    size: int


class GitTreeSource:
    """The files of one commit under ``root`` (a folder of the repository's work tree)."""

    def __init__(self, repo, commit, worktree: Path) -> None:
        self._repo = repo
        self.commit = commit
        self._worktree = worktree
        entries: dict[str, _Entry] = {}
        raw = repo.git.ls_tree("-r", "-l", "-z", "--full-tree", commit.hexsha, stdout_as_string=False)
        for record in raw.split(b"\0"):
            if not record:
                continue
            meta, _, name = record.partition(b"\t")
            mode, kind, sha, size = meta.split()
            if kind != b"blob":  # submodules ("commit") are not the knowledge base's files
                continue
            # Names as the disk would give them: undecodable bytes as surrogates, so a
            # bad file name is the same finding (OB108) in every revision.
            entries[os.fsdecode(name)] = _Entry(int(mode, 8), sha.decode(), int(size) if size != b"-" else 0)
        self._entries = entries
        self._names = sorted(entries)

    def _rel(self, path: Path) -> str | None:
        try:
            rel = Path(os.path.normpath(path)).relative_to(self._worktree)
        except ValueError:
            return None
        text = rel.as_posix()
        return None if text in (".", "") else text

    def _entry(self, path: Path) -> _Entry | None:
        rel = self._rel(path)
        for _ in range(_MAX_LINKS):
            entry = self._entries.get(rel) if rel is not None else None
            if entry is None or entry.mode != _SYMLINK:
                return entry
            # A symlink's blob is its target; follow it inside the tree as the disk would.
            target = self._blob(entry.sha).decode("utf-8", "surrogateescape")
            if posixpath.isabs(target):
                return None
            rel = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
            if rel.startswith("../"):
                return None
        return None

    def _blob(self, sha: str) -> bytes:
        return self._repo.odb.stream(bytes.fromhex(sha)).read()

    # --- FileSource -------------------------------------------------------------

    def size(self, path: Path) -> int:
        entry = self._entry(path)
        if entry is None:
            raise FileNotFoundError(2, "No such file in the revision", str(path))
        return entry.size

    def read_bytes(self, path: Path) -> bytes:
        entry = self._entry(path)
        if entry is None:
            raise FileNotFoundError(2, "No such file in the revision", str(path))
        return self._blob(entry.sha)

    def is_file(self, path: Path) -> bool:
        return self._entry(path) is not None

    def files(self, folder: Path, recursive: bool) -> list[Path]:
        rel = self._rel(folder)
        prefix = "" if rel is None and Path(folder) == self._worktree else (rel + "/" if rel else None)
        if prefix is None:
            return []
        out = []
        i = bisect.bisect_left(self._names, prefix)
        while i < len(self._names) and self._names[i].startswith(prefix):
            name = self._names[i]
            i += 1
            if not recursive and "/" in name[len(prefix):]:
                continue
            if self._entries[name].mode == _SYMLINK and self._entry(self._worktree / name) is None:
                continue  # a dangling link is no file, as on disk
            out.append(self._worktree / name)
        return out


def open_repository(root: Path):
    """The git repository holding ``root`` and its work tree's folder."""
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise RevisionError(f"{root} is not inside a git repository; `opsbook diff` compares revisions "
                            "of a knowledge base kept in git") from None
    if repo.working_tree_dir is None:
        raise RevisionError(f"{root} is in a bare repository; run opsbook diff in a clone with a work tree")
    return repo, Path(repo.working_tree_dir).resolve()


def revision(repo, worktree: Path, name: str) -> GitTreeSource:
    """The tree of revision ``name`` (a branch, tag, sha, ``HEAD~2``, ``origin/main``...)."""
    import git
    from gitdb.exc import BadName, BadObject

    if not name or name.startswith("-") or any(ch in name for ch in "\0\n\r"):
        raise RevisionError(f"'{name}' is not a revision name")
    try:
        commit = repo.commit(name)
    except (BadName, BadObject, ValueError, git.GitCommandError):
        raise RevisionError(f"unknown revision '{name}': name a branch, tag or commit of this repository "
                            "(in CI, fetch the base branch: actions/checkout with fetch-depth: 0)") from None
    return GitTreeSource(repo, commit, worktree)

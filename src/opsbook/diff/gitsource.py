"""A git revision's tree as a file source for the loader (``yamlsource.FileSource``).

``opsbook diff`` loads BASE (and HEAD, when it is a revision) straight from git
objects with GitPython: no checkout, no temporary clone. One ``git ls-tree``
lists the knowledge base's files with their sizes; a file's bytes are read from
the object database only when the loader asks for it (GitPython keeps one
``git cat-file --batch`` process for all of them). Paths are the absolute paths
the same files have in the working tree, so findings of both revisions name the
same files.

Bytes are read in bulk: the first read starts one ``git cat-file --batch`` for
every blob in the knowledge base's folders that is not yet in the shared cache
(one round trip per file cost a quarter of the diff's time on the benchmark
knowledge base), and the cache, keyed by blob id, is shared by both sides, so a
file the change did not touch is read from git once.
"""

from __future__ import annotations

import bisect
import os
import posixpath
import subprocess
import threading
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

    def __init__(self, repo, commit, worktree: Path, root: Path | None = None,
                 cache: dict[str, bytes] | None = None) -> None:
        self._repo = repo
        self.commit = commit
        self._worktree = worktree
        self._prefix = str(worktree).rstrip("/") + "/"
        self._root = root or worktree
        self._cache: dict[str, bytes] = {} if cache is None else cache
        self._prefetched = False
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
        """``path`` relative to the work tree, in git's spelling; None outside it.
        String work: the loader asks for every file twice (size, then bytes)."""
        text = os.path.normpath(path) if ("/." in str(path) or "//" in str(path)) else str(path)
        if not text.startswith(self._prefix):
            return None
        return text[len(self._prefix):] or None

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
        if not self._prefetched:
            self._prefetched = True
            self._prefetch()
        data = self._cache.get(sha)
        if data is None:  # a symlink's target outside the folders read in bulk, say
            data = self._cache[sha] = self._repo.odb.stream(bytes.fromhex(sha)).read()
        return data

    def _wanted(self) -> list[str]:
        """Blob ids of the files the loader may read: opsbook.yaml and the YAML and
        Markdown in the content folders, within the size the loader accepts (not
        the rest of a repository that also holds code and docs)."""
        from dataclasses import astuple

        from opsbook.load import LAYOUT, ROOT_MARKER
        from opsbook.yamlsource import MAX_FILE_BYTES

        rel = self._rel(self._root)
        prefix = rel + "/" if rel else ""
        folders = sorted({f"{prefix}{path.split('/')[0]}/" for path in astuple(LAYOUT)})
        out = []
        marker = self._entries.get(prefix + ROOT_MARKER)
        if marker is not None and marker.sha not in self._cache and marker.size <= MAX_FILE_BYTES:
            out.append(marker.sha)
        for folder in folders:
            i = bisect.bisect_left(self._names, folder)
            while i < len(self._names) and self._names[i].startswith(folder):
                entry = self._entries[self._names[i]]
                if (self._names[i].endswith((".yaml", ".yml", ".md")) and entry.size <= MAX_FILE_BYTES
                        and entry.sha not in self._cache and entry.mode != _SYMLINK):
                    out.append(entry.sha)
                i += 1
        return sorted(set(out))

    def _prefetch(self) -> None:
        wanted = self._wanted()
        if not wanted:
            return
        proc = self._repo.git.cat_file("--batch", as_process=True, istream=subprocess.PIPE)
        # Write on a thread: with every id written first, git's output would fill
        # the pipe and both processes would wait for each other.
        def feed():
            try:
                proc.stdin.write("".join(f"{sha}\n" for sha in wanted).encode())
            finally:
                proc.stdin.close()
        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        out = proc.stdout
        try:
            for _ in wanted:
                header = out.readline().split()
                if len(header) != 3:  # "<id> missing": left to the one-by-one read
                    continue
                sha, _kind, size = header
                self._cache[sha.decode()] = out.read(int(size))
                out.read(1)  # the newline after each object
        finally:
            writer.join()
            proc.wait()

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


def revision(repo, worktree: Path, name: str, root: Path | None = None,
             cache: dict[str, bytes] | None = None) -> GitTreeSource:
    """The tree of revision ``name`` (a branch, tag, sha, ``HEAD~2``, ``origin/main``...);
    ``root``: the knowledge base's folder in it; ``cache``: blobs shared with another revision."""
    import git
    from gitdb.exc import BadName, BadObject

    if not name or name.startswith("-") or any(ch in name for ch in "\0\n\r"):
        raise RevisionError(f"'{name}' is not a revision name")
    try:
        commit = repo.commit(name)
    except (BadName, BadObject, ValueError, git.GitCommandError):
        raise RevisionError(f"unknown revision '{name}': name a branch, tag or commit of this repository "
                            "(in CI, fetch the base branch: actions/checkout with fetch-depth: 0)") from None
    return GitTreeSource(repo, commit, worktree, root, cache)

"""The loader's file-source seam: a knowledge base read from a git commit's tree
loads exactly as the same files read from disk (the oracle), broken files,
odd names and positions included, and the disk path is untouched outside it."""

from __future__ import annotations

from pathlib import Path

import git

from opsbook.diff.gitsource import open_repository, revision
from opsbook.load import load
from opsbook.yamlsource import SourceMap, file_source, reading_from

from test_diff import ACTOR, FILES, _write

ODD = {
    # A syntax error on line 3, a schema error, a hidden file and a README (not content),
    # a nested runbook, a .yml spelling, a BOM, CRLF line ends and a name that is no safe id.
    "schedules/broken.yaml": "name: Broken\ntimezone: UTC\nlayers: [\n",
    "schedules/typo.yaml": "name: Typo\ntimezone: Mars/Olympus\nlayers:\n  - {name: a, members: [alice], start: 2026-01-01T00:00, length: 1w}\n",
    "runbooks/.hidden.md": "# not read\n",
    "runbooks/README.md": "# about the folder\n",
    "runbooks/deep/er/nested.md": "---\ntitle: Nested\nalerts: [Deep]\n---\n# Nested\n",
    "status/page.yml": "\ufeffname: Status\r\ncomponents:\r\n  - {id: web, name: Web}\r\n",
    "runbooks/bad name.md": "# spaces\n",
}


def _load_all(root: Path):
    kb, diags = load(root)
    positions = SourceMap()
    located = sorted((d.code, d.file.relative_to(root).as_posix(), d.line, d.column, d.message)
                     for d in (positions.resolve(x) for x in diags))
    return kb, located


def test_a_commit_loads_exactly_as_its_files_on_disk(tmp_path):
    root = tmp_path / "kb"
    files = {**FILES, **ODD}
    del files["status/page.yaml"]
    _write(root, files)
    repo = git.Repo.init(root, initial_branch="main")
    repo.git.add("-A")
    repo.index.commit("all", author=ACTOR, committer=ACTOR)
    disk_kb, disk = _load_all(root)
    repo_, worktree = open_repository(root)
    source = revision(repo_, worktree, "main", root, {})
    with reading_from(source):
        assert file_source() is source
        git_kb, from_git = _load_all(root)
    assert file_source() is None  # the disk again outside the block
    assert from_git == disk
    assert {d[0] for d in disk} == {"OB001", "OB104", "OB108"}  # syntax, zone, file name: located alike
    assert sorted(git_kb.schedules) == sorted(disk_kb.schedules)
    assert sorted(git_kb.runbooks) == sorted(disk_kb.runbooks) == ["api-errors", "db-down", "deep/er/nested"]
    assert git_kb.status.name == disk_kb.status.name == "Status"
    assert git_kb.broken_ids == disk_kb.broken_ids


def test_the_tree_is_the_commits_not_the_working_trees(tmp_path):
    root = tmp_path / "kb"
    _write(root, FILES)
    repo = git.Repo.init(root, initial_branch="main")
    repo.git.add("-A")
    repo.index.commit("all", author=ACTOR, committer=ACTOR)
    (root / "schedules/core.yaml").unlink()
    _write(root, {"schedules/new.yaml": FILES["schedules/db.yaml"]})
    repo_, worktree = open_repository(root)
    with reading_from(revision(repo_, worktree, "main", root, {})):
        kb, _ = load(root)
    assert sorted(kb.schedules) == ["core", "db"]
    kb, _ = load(root)
    assert sorted(kb.schedules) == ["db", "new"]

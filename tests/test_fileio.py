"""fileio: a failed write leaves nothing behind; a new file appears whole or not
at all and never replaces one that exists; symlinks are written through.

A full disk is simulated (tests run as root, with no room for a tiny tmpfs):
``os.write`` writes a little and then fails with ENOSPC, as a real full disk does.
"""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest

from opsbook import fileio
from opsbook.fileio import create_exclusive, write_atomic
from opsbook.incidents.yamledit import EditError, edit_file


def everything(folder: Path) -> list[str]:
    """Every name under ``folder``, hidden temporary files included."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.fixture
def full_disk(monkeypatch):
    """os.write takes 5 bytes, then the disk is full."""
    real = os.write
    state = {"room": 5}

    def write(fd, data):
        if state["room"] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        taken = real(fd, bytes(data[:state["room"]]))
        state["room"] -= taken
        return taken

    monkeypatch.setattr(os, "write", write)


def test_create_exclusive_writes_the_whole_file_with_the_umask_mode(tmp_path):
    target = tmp_path / "incidents" / "INC-2026-002.yaml"
    old = os.umask(0o027)
    try:
        assert create_exclusive(target, "id: INC-2026-002\n") is True
    finally:
        os.umask(old)
    assert target.read_text() == "id: INC-2026-002\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert everything(tmp_path) == ["incidents", "incidents/INC-2026-002.yaml"]


def test_create_exclusive_never_replaces_what_exists(tmp_path):
    target = tmp_path / "a.yaml"
    target.write_text("a person's notes\n")
    assert create_exclusive(target, "new\n") is False
    assert target.read_text() == "a person's notes\n"
    assert everything(tmp_path) == ["a.yaml"]


def test_create_exclusive_leaves_a_dangling_symlink_alone(tmp_path):
    link = tmp_path / "INC-2026-002.yaml"
    link.symlink_to(tmp_path / "elsewhere.yaml")
    assert create_exclusive(link, "new\n") is False
    assert link.is_symlink() and not (tmp_path / "elsewhere.yaml").exists()


def test_a_full_disk_leaves_no_file_and_no_folder(tmp_path, full_disk):
    target = tmp_path / "postmortems" / "2027" / "2027-01-02-x.md"
    with pytest.raises(OSError) as caught:
        create_exclusive(target, "---\ntitle: x\n---\n" + "body\n" * 1000)
    assert caught.value.errno == errno.ENOSPC
    assert everything(tmp_path) == []  # not even the folders made for it


def test_a_failing_fsync_leaves_no_file(tmp_path, monkeypatch):
    def fsync(fd):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(OSError):
        create_exclusive(tmp_path / "a.yaml", "x: 1\n")
    assert everything(tmp_path) == []


def test_text_that_cannot_be_utf8_fails_before_anything_exists(tmp_path):
    with pytest.raises(UnicodeEncodeError):
        create_exclusive(tmp_path / "new" / "a.yaml", "title: \udcff\n")
    assert everything(tmp_path) == []


def test_without_hard_links_the_file_is_created_exclusively_all_the_same(tmp_path, monkeypatch):
    def no_link(src, dst, **kwargs):
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", no_link)
    target = tmp_path / "a.yaml"
    assert create_exclusive(target, "x: 1\n") is True
    assert target.read_text() == "x: 1\n"
    assert create_exclusive(target, "x: 2\n") is False
    assert everything(tmp_path) == ["a.yaml"]


def test_without_hard_links_a_full_disk_still_leaves_nothing(tmp_path, monkeypatch, full_disk):
    monkeypatch.setattr(os, "link", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.EPERM, "no links")))
    with pytest.raises(OSError):
        create_exclusive(tmp_path / "a.yaml", "x: 1\n" * 100)
    assert everything(tmp_path) == []


def test_two_threads_creating_one_name_make_one_file(tmp_path):
    target = tmp_path / "INC-2026-002.yaml"
    results = []
    barrier = threading.Barrier(8)

    def create(n: int) -> None:
        barrier.wait()
        results.append((create_exclusive(target, f"writer: {n}\n" * 1000), n))

    threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [n for created, n in results if created]
    assert len(winners) == 1
    assert target.read_text() == f"writer: {winners[0]}\n" * 1000
    assert everything(tmp_path) == ["INC-2026-002.yaml"]


def test_write_atomic_on_a_full_disk_keeps_the_old_file(tmp_path, full_disk):
    target = tmp_path / "a.yaml"
    target.write_text("old\n")
    with pytest.raises(OSError):
        write_atomic(target, "new\n" * 100)
    assert target.read_text() == "old\n"
    assert everything(tmp_path) == ["a.yaml"]


def test_write_atomic_keeps_the_file_mode(tmp_path):
    target = tmp_path / "a.yaml"
    target.write_text("old\n")
    target.chmod(0o600)
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n" and target.stat().st_mode & 0o777 == 0o600


def test_write_atomic_writes_through_a_symlink(tmp_path):
    real = tmp_path / "shared" / "INC-2026-001.yaml"
    real.parent.mkdir()
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "incidents" / "INC-2026-001.yaml"
    link.parent.mkdir()
    link.symlink_to(Path("..") / "shared" / "INC-2026-001.yaml")
    write_atomic(link, "new\n")
    assert link.is_symlink() and os.readlink(link) == "../shared/INC-2026-001.yaml"
    assert real.read_text() == "new\n" and real.stat().st_mode & 0o777 == 0o640
    assert everything(tmp_path) == ["incidents", "incidents/INC-2026-001.yaml", "shared",
                                    "shared/INC-2026-001.yaml"]


def test_edit_file_edits_through_a_chain_of_symlinks_and_locks_the_target(tmp_path, monkeypatch):
    real = tmp_path / "real.yaml"
    real.write_text("status: investigating\n")
    middle = tmp_path / "middle.yaml"
    middle.symlink_to(real)
    link = tmp_path / "link.yaml"
    link.symlink_to(middle)
    from opsbook.incidents import yamledit

    locked = []
    original = yamledit.locked

    def spy(path):
        locked.append(path)
        return original(path)

    monkeypatch.setattr(yamledit, "locked", spy)
    assert edit_file(link, lambda old: old.replace("investigating", "identified")) == "status: identified\n"
    assert locked == [real]
    assert link.is_symlink() and middle.is_symlink()
    assert real.read_text() == "status: identified\n"


def test_edit_file_on_a_full_disk_says_so_and_changes_nothing(tmp_path, full_disk):
    target = tmp_path / "a.yaml"
    target.write_text("status: investigating\n")
    with pytest.raises(EditError) as caught:
        edit_file(target, lambda old: old.replace("investigating", "identified"))
    assert "No space left on device" in str(caught.value) and "unchanged" in str(caught.value)
    assert caught.value.path == target
    assert target.read_text() == "status: investigating\n"
    assert everything(tmp_path) == ["a.yaml"]


def test_resolve_leaves_a_plain_path_alone(tmp_path):
    assert fileio.resolve(tmp_path / "missing.yaml") == tmp_path / "missing.yaml"

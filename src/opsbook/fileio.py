"""Writing files without ever losing what a person wrote.

Both writers put the whole content into a temporary file in the target's own
folder first (written, flushed and fsynced), so a failure part-way (a full
disk, a lost mount, an encoding error) leaves the target as it was and no
half-written file behind:

* ``write_atomic`` then renames the temporary file over the target: readers see
  the old file or the new one, never a mixture.
* ``create_exclusive`` then hard-links it to the target name, which fails if
  the name exists (so a file someone else created meanwhile is never replaced),
  and removes the temporary name.

A symlinked target is written through the link: the file it points to is
replaced, and the link stays a link.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path


def _new_file_mode() -> int:
    # mkstemp creates 0600 files; ordinary files honour the umask.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def resolve(path: Path) -> Path:
    """Where writing ``path`` must go: the file at the end of any symlinks
    (the link itself stays). A path that is no link comes back unchanged."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _encode(data: str | bytes) -> bytes:
    # Before anything touches the disk: text that cannot be UTF-8 (a lone
    # surrogate from undecodable command-line bytes) must not leave a file.
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _sync_folder(folder: Path) -> None:
    """Make a rename or link durable; best effort (not every platform can)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _temporary(target: Path, data: bytes, mode: int) -> Path:
    """A fully written, fsynced temporary file beside ``target``; removed again on any failure."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, mode)
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def write_atomic(path: Path, data: str | bytes) -> None:
    """Replace ``path`` with ``data`` in one step: readers see old or new, never half.

    An existing file keeps its permissions; a new one gets the umask's. A
    symlink is followed: its target is replaced and the link stays.
    """
    payload = _encode(data)
    target = resolve(Path(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = _new_file_mode()
    tmp = _temporary(target, payload, mode)
    try:
        os.replace(tmp, target)
    except BaseException:
        _remove(tmp)
        raise


# Errors that mean "this file system has no hard links", not "the name is taken".
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EXDEV, errno.EMLINK}


def create_exclusive(path: Path, data: str | bytes) -> bool:
    """Create ``path`` with ``data`` only if nothing has that name yet. False if
    something did (a file, a folder, a symlink even if dangling): it is left alone.

    The name appears complete or not at all: the content is written to a
    temporary file first and linked into place. On a file system without hard
    links the file is created with O_EXCL and removed again if writing fails.
    Raises OSError (a full disk, no permission) with nothing left behind.
    """
    payload = _encode(data)
    path = Path(path)
    made = _make_folders(path.parent)
    try:
        if os.path.lexists(path):
            return False
        tmp = _temporary(path, payload, _new_file_mode())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
            return _create_without_links(path, payload)
        finally:
            _remove(tmp)
    except BaseException:
        for folder in reversed(made):  # folders made for this file only, and still empty
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    _sync_folder(path.parent)
    return True


def _make_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and missing parents; the ones this call created, outermost first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    made: list[Path] = []
    try:
        for one in reversed(missing):
            try:
                one.mkdir()
            except FileExistsError:
                continue
            made.append(one)
    except BaseException:
        for one in reversed(made):
            one.rmdir()
        raise
    return made


def _create_without_links(path: Path, payload: bytes) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _new_file_mode())
    except FileExistsError:
        return False
    try:
        try:
            _write_all(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        _remove(path)  # ours: created by the O_EXCL open above
        raise
    return True

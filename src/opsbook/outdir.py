"""Folders opsbook writes generated output into, without touching anything else.

`opsbook render --out`, `opsbook oncall ics --out` and `opsbook status build
--out` write into folders that people also use: a `CNAME`, a `.nojekyll` or a
`robots.txt` added for the host, a hand-written page. Each such folder keeps a
manifest (``.opsbook-manifest.json``) of the files opsbook wrote there, with a
hash of each. From it:

* a file that is not in the manifest is a person's: it is never overwritten
  (the write is refused, naming it) and never deleted;
* a file opsbook wrote that a person has since changed is not overwritten or
  deleted either;
* a file opsbook wrote earlier and no longer produces (a renamed runbook's old
  page) is removed, so a folder does not fill with stale pages.

Two ways to write: ``write_in_place`` replaces files one by one, atomically
each; ``replace_folder`` builds the whole folder beside the old one and swaps it
in (a served status page is old or new, never half), carrying every file of a
person's into the new folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from opsbook.fileio import write_atomic

MANIFEST = ".opsbook-manifest.json"
_FORMAT = 1


class OutputError(Exception):
    """The folder cannot be written as asked; the message says why and what to do."""


@dataclass
class Written:
    files: list[str] = field(default_factory=list)
    """Site paths written, in order."""
    removed: list[str] = field(default_factory=list)
    """Stale files of an earlier run that were removed."""
    kept: list[str] = field(default_factory=list)
    """Files of a person's (or edited since opsbook wrote them) left as they were."""


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _bytes(content: str | bytes) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def _listing(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def read_manifest(out: Path) -> dict[str, str]:
    """{site path: sha256} of what opsbook wrote into ``out``; empty when none."""
    path = out / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise OutputError(f"{path} is not a manifest opsbook can read ({exc}); "
                          "delete it only if nothing in the folder is yours") from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        raise OutputError(f"{path} is not a manifest opsbook can read; delete it only if nothing in the folder is yours")
    return {k: v for k, v in files.items() if _safe_relative(k)}


def _manifest_text(files: dict[str, str]) -> str:
    return json.dumps({"format": _FORMAT, "generator": "opsbook", "files": dict(sorted(files.items()))},
                      indent=1, ensure_ascii=True) + "\n"


def _safe_relative(site_path: str) -> bool:
    parts = PurePosixPath(site_path).parts
    return bool(parts) and not site_path.startswith("/") and ".." not in parts and "\\" not in site_path


def _target(out: Path, site_path: str) -> Path:
    if not _safe_relative(site_path) or site_path == MANIFEST:
        raise OutputError(f"{site_path!r} is not a path opsbook may write inside {out}")
    target = out / site_path
    # A symlinked folder inside ``out`` must not send a file elsewhere.
    if not target.parent.resolve().is_relative_to(out.resolve()):
        raise OutputError(f"{site_path}: its folder resolves outside {out}; remove the symlink")
    return target


def _current_digest(path: Path) -> str | None:
    try:
        if path.is_symlink() or not path.is_file():
            return "not a regular file"
        return _digest(path.read_bytes())
    except OSError:
        return None


def _check_folder(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file; give a folder")


def _conflicts(out: Path, files: dict[str, bytes], manifest: dict[str, str]) -> tuple[list[str], list[str]]:
    """(files of a person's that a write would replace, files opsbook wrote that a person changed)."""
    foreign, edited = [], []
    for site_path, data in files.items():
        target = _target(out, site_path)
        if not (target.exists() or target.is_symlink()):
            continue
        current = _current_digest(target)
        if site_path not in manifest:
            if current != _digest(data):  # the same bytes are no loss
                foreign.append(site_path)
        elif current != manifest[site_path] and current != _digest(data):
            edited.append(site_path)
    return foreign, edited


def _refuse(out: Path, foreign: list[str], edited: list[str]) -> None:
    if foreign:
        raise OutputError(
            f"refusing to overwrite {len(foreign)} file{'s' * (len(foreign) != 1)} in {out} that opsbook did not "
            f"write: {_listing(foreign)}; move them away or pick another folder "
            f"(opsbook lists what it wrote in {MANIFEST})")
    if edited:
        raise OutputError(
            f"refusing to overwrite {len(edited)} file{'s' * (len(edited) != 1)} in {out} changed since opsbook "
            f"wrote {'them' if len(edited) != 1 else 'it'}: {_listing(edited)}; keep your copy elsewhere and "
            "delete it, then run again")


def write_in_place(out: Path, files: dict[str, str | bytes]) -> Written:
    """Write ``files`` ({site path: content}) into ``out``, each atomically.

    Refuses, before writing anything, when a file would replace one a person
    wrote or changed. Removes files of an earlier run that this one no longer
    produces, unless a person changed them.
    """
    _check_folder(out)
    data = {path: _bytes(content) for path, content in files.items()}
    manifest = read_manifest(out) if out.is_dir() else {}
    _refuse(out, *_conflicts(out, data, manifest))
    out.mkdir(parents=True, exist_ok=True)
    result = Written()
    recorded = dict(manifest)
    try:
        for site_path, content in data.items():
            write_atomic(_target(out, site_path), content)
            recorded[site_path] = _digest(content)
            result.files.append(site_path)
        for site_path in sorted(set(manifest) - set(data)):
            target = out / site_path
            if _current_digest(target) == manifest[site_path]:
                target.unlink()
                _prune_empty(out, target.parent)
                result.removed.append(site_path)
            elif target.exists():
                result.kept.append(site_path)
            recorded.pop(site_path, None)
    finally:
        # Written even when a write fails half-way: what did land is recorded.
        write_atomic(out / MANIFEST, _manifest_text(recorded))
    return result


def _prune_empty(out: Path, folder: Path) -> None:
    while folder != out and folder.is_relative_to(out):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _foreign_entries(out: Path, manifest: dict[str, str]) -> list[str]:
    """Everything in ``out`` that is not opsbook's: files, symlinks, empty folders."""
    found = []
    for dirpath, dirnames, filenames in os.walk(out):
        base = Path(dirpath)
        rel_dir = base.relative_to(out).as_posix()
        for name in filenames + [d for d in dirnames if (base / d).is_symlink()]:
            rel = f"{rel_dir}/{name}" if rel_dir != "." else name
            if rel == MANIFEST:
                continue
            if rel not in manifest or _current_digest(base / name) != manifest[rel]:
                found.append(rel)
        if not dirnames and not filenames and rel_dir != ".":
            found.append(rel_dir + "/")
    return sorted(found)


def replace_folder(out: Path, files: dict[str, str | bytes]) -> Written:
    """Build ``out`` anew beside it and swap it in, keeping every file of a person's.

    Readers of a served folder see the old site or the new one, never half.
    Files in ``out`` that opsbook did not write (a ``CNAME``, ``.nojekyll``,
    ``robots.txt``) are carried into the new folder unchanged; one that a new
    file would replace makes the build refuse before anything changes.
    """
    _check_folder(out)
    data = {path: _bytes(content) for path, content in files.items()}
    manifest = read_manifest(out) if out.is_dir() else {}
    _refuse(out, *_conflicts(out, data, manifest))
    keep = _foreign_entries(out, manifest) if out.is_dir() else []
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    result = Written(kept=[k for k in keep if k.rstrip("/") not in data])
    try:
        for site_path, content in data.items():
            target = _target(staging, site_path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            result.files.append(site_path)
        for rel in result.kept:
            _carry(out / rel.rstrip("/"), staging / rel.rstrip("/"))
        (staging / MANIFEST).write_text(_manifest_text({p: _digest(c) for p, c in data.items()}), encoding="utf-8")
        os.chmod(staging, 0o755)  # mkdtemp makes it 0700; static hosts need to read it
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, old / "site")
            os.replace(staging, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result.removed = sorted(set(manifest) - set(data))
    return result


def _carry(source: Path, target: Path) -> None:
    """Copy a person's file, symlink or empty folder into the new build as it is."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
    elif source.is_dir():
        target.mkdir(exist_ok=True)
    else:
        shutil.copy2(source, target)

"""Files beside the content: what the site publishes as it is next to the pages opsbook renders."""

from __future__ import annotations

from pathlib import Path

# --- files beside the content ----------------------------------------------------------
#
# A collection's `![](img/x.png)` must work on the site: every file beside the
# runbooks, playbooks and postmortems that is not content opsbook reads is
# published at the same relative path. So are pages opsbook does not load but
# MkDocs can show as they are: a folder's `_index.md` (Hugo), `README.md` or
# `index.md` below the folder's top (at the top, opsbook's own index page is
# there). Data files (.yaml), hidden files, communication templates and names
# that are not safe URL segments (OB108) are left out.

_CONTENT_FOLDERS = ("runbooks", "playbooks", "postmortems")
_INDEX_PAGES = {"_index.md", "README.md", "index.md"}
_NOT_PUBLISHED_SUFFIXES = {".yaml", ".yml"}


def files_beside_content(root) -> list[tuple[str, Path]]:
    """(site path, file) for every file to publish as it is beside the content, sorted."""
    from opsbook.load import SAFE_NAME

    root = Path(root)
    out = []
    for folder in _CONTENT_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            rel = path.relative_to(base)
            if not path.is_file() or any(part.startswith(".") for part in rel.parts):
                continue
            if not all(SAFE_NAME.fullmatch(part) for part in rel.parts):
                continue
            if folder == "playbooks" and rel.parts[0] == "templates":
                continue
            if path.suffix in _NOT_PUBLISHED_SUFFIXES:
                continue
            if path.suffix == ".md":
                # Content the loader reads is rendered by opsbook; only index pages it skips go as they are.
                if path.name not in _INDEX_PAGES or len(rel.parts) == 1:
                    continue
            out.append((f"{folder}/{rel.as_posix()}", path))
    return sorted(out)

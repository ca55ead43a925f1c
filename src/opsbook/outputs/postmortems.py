"""`opsbook postmortem new|import --json`."""

from __future__ import annotations

from typing import Any

from opsbook.outputs import Output, SkippedList


class PostmortemNew(Output):
    file: str
    incident: str | None
    template: str
    due: str | None
    skipped: SkippedList


class ImportedFile(Output):
    source: str
    file: str
    written: bool
    refused: str | None
    front_matter: dict[str, Any]
    inferred: list[str]
    not_inferred: list[str]


class PostmortemImport(Output):
    dry_run: bool
    written: int
    refused: int
    files: list[ImportedFile]
    skipped: SkippedList

"""`opsbook import VENDOR --json` and `opsbook import verify --json`."""

from __future__ import annotations

from pydantic import Field

from opsbook.outputs import Output, SkippedList


class Item(Output):
    kind: str
    id: str
    file: str
    vendor_id: str
    name: str
    detail: str | None = None


class Unmappable(Output):
    kind: str
    vendor_id: str
    name: str
    file: str
    path: str | None
    reason: str
    action: str
    extension: str | None


class Note(Output):
    kind: str
    vendor_id: str
    file: str
    path: str | None
    note: str


class ImportAnswer(Output):
    vendor: str
    dry_run: bool
    exact_from: str
    created: list[Item]
    merged: list[Item]
    refused: list[Item]
    unmappable: list[Unmappable]
    notes: list[Note]
    ok: bool


class Disagreement(Output):
    start: str
    end: str
    vendor: list[str]
    opsbook: list[str]


class VerifyAnswer(Output):
    vendor: str
    schedule: str
    from_: str = Field(alias="from")
    to: str
    agreement: float
    disagreements: list[Disagreement]
    skipped: SkippedList

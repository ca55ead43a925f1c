"""`opsbook render`, `init` and `schema` with --json: what was written where."""

from __future__ import annotations

from typing import Literal

from opsbook.outputs import Output


class RenderedFile(Output):
    path: str
    file: str
    source: str | None


class RenderAnswer(Output):
    out: str
    audience: Literal["public", "internal"]
    written: list[RenderedFile]


class InitAnswer(Output):
    directory: str
    written: list[str]


class SchemaAnswer(Output):
    folder: str
    check: bool
    written: list[str]
    stale: list[str]
    schemas: list[str]

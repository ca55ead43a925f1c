"""The JSON documents commands print, as pydantic models: the contract for programs.

Each CLI module names its outputs in ``JSON_OUTPUTS`` ("command path" ->
"module:Class"); ``opsbook schema`` writes a JSON Schema per command from these
models into ``schemas/output/``, and tests run every command and validate what
it printed. Models forbid unknown keys, so a command that starts printing a
key the contract does not name fails its test instead of drifting.

Times are ISO 8601 strings with an offset; ids are the knowledge base's ids;
``file`` paths are relative to the knowledge base's root.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Output(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Open(BaseModel):
    """A nested object whose full shape is owned by another standard (Statuspage v2)."""

    model_config = ConfigDict(extra="allow")


class PersonRef(Output):
    """A person as every answer names one: the id and the display name."""

    id: str
    name: str


class Skipped(Output):
    """A file left out of a tolerant command's answer, with its first load error."""

    code: str
    message: str
    file: str
    line: int
    column: int


SkippedList = list[Skipped]


class ErrorDetail(Output):
    """One located problem behind an error: a load diagnostic or a vendor file's JSON path."""

    model_config = ConfigDict(extra="allow")
    message: str
    file: str | None = None


class ErrorBody(Output):
    code: str = Field(description="usage, io, not_found, exists, input, load, post_failed, internal, ...")
    message: str
    exit_code: Literal[1, 2]
    file: str | None
    line: int | None
    column: int | None
    details: list[ErrorDetail]


class ErrorDocument(Output):
    """What every command prints under --json when it fails, with its usual exit code."""

    error: ErrorBody


Json = Any

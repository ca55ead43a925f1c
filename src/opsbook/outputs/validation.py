"""`opsbook validate --format json`."""

from __future__ import annotations

from typing import Literal

from opsbook.outputs import Output


class Summary(Output):
    errors: int
    warnings: int
    files: int


class Diagnostic(Output):
    file: str
    line: int
    column: int
    level: Literal["error", "warning", "info"]
    code: str
    rule: str
    message: str
    hint: str | None


class ValidationReport(Output):
    root: str
    now: str
    summary: Summary
    diagnostics: list[Diagnostic]

"""`opsbook runbooks coverage|urls --json`."""

from __future__ import annotations

from opsbook.outputs import Output


class CoveredAlert(Output):
    alert: str
    severity: str | None
    group: str | None
    file: str
    line: int
    runbook_url: str | None
    runbook: str | None
    by: str | None


class MissingAlert(Output):
    alert: str
    severity: str | None
    group: str | None
    file: str
    line: int


class Orphan(Output):
    runbook: str
    alert: str
    by: str | None


class Nowhere(Output):
    alert: str
    runbook_url: str | None
    file: str
    line: int | None


class RunbookUrl(Output):
    runbook: str
    alerts: list[str]
    runbook_url: str


class Problem(Output):
    file: str
    line: int
    column: int
    message: str
    hint: str | None


class Coverage(Output):
    rule_files: list[str]
    alerts: list[CoveredAlert]
    missing: list[MissingAlert]
    orphans: list[Orphan]
    nowhere: list[Nowhere]
    runbooks: list[RunbookUrl]
    problems: list[Problem]


class RunbookUrls(Output):
    runbooks: list[RunbookUrl]

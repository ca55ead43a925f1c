"""`opsbook status --json` (Statuspage API v2 summary.json) and `status build --json`."""

from __future__ import annotations

from opsbook.outputs import Open, Output


class Page(Open):
    id: str
    name: str
    url: str | None
    updated_at: str


class Indicator(Open):
    indicator: str
    description: str


class Component(Open):
    id: str
    name: str
    status: str


class StatusSummary(Output):
    """Statuspage v2's summary.json, as its clients read it (tests feed it to one)."""

    page: Page
    status: Indicator
    components: list[Component]
    incidents: list[Open]
    scheduled_maintenances: list[Open]


class StatusBuild(Output):
    out: str
    files: list[str]
    bytes: int
    now: str
    kept: list[str]

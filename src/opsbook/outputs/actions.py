"""`opsbook actions list|done|reopen --json`."""

from __future__ import annotations

from opsbook.outputs import Output, SkippedList


class ActionItemRow(Output):
    id: str
    title: str
    owner: str | None
    owner_name: str | None
    team: str | None
    status: str
    type: str | None
    due: str | None
    overdue_days: int | None
    age_days: int | None
    ticket: str | None
    closed: str | None
    postmortem: str
    incident: str | None
    incidents: list[str]
    file: str


class ActionItemList(Output):
    now: str
    action_items: list[ActionItemRow]
    skipped: SkippedList


class ActionItemChange(Output):
    id: str
    status: str
    changed: bool
    file: str
    skipped: SkippedList

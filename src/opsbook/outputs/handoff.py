"""`opsbook handoff --json`: one shape with and without a handoff in range."""

from __future__ import annotations

from opsbook.outputs import Output, PersonRef, SkippedList


class Pair(Output):
    primary: PersonRef | None
    backup: PersonRef | None


class HandoffIncident(Output):
    id: str
    title: str
    severity: str
    status: str
    services: list[str]


class HandoffActionItem(Output):
    id: str
    title: str
    owner: str | None
    status: str
    due: str | None
    overdue: bool
    postmortem: str


class HandoffOverride(Output):
    index: int
    role: str
    person: PersonRef | None
    start: str
    end: str
    reason: str | None


class Handoff(Output):
    schedule: str
    name: str
    at: str
    previous_handoff: str | None
    next_handoff: str | None
    outgoing: Pair
    incoming: Pair
    incidents: list[HandoffIncident]
    action_items: list[HandoffActionItem]
    overrides: list[HandoffOverride]


class HandoffAnswer(Output):
    schedule: str
    name: str
    at: str
    handoff: Handoff | None
    posted: bool
    message: str | None
    skipped: SkippedList

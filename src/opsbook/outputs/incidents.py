"""`opsbook comms --json` and the incident commands' documents."""

from __future__ import annotations

from opsbook.outputs import Output, SkippedList


class CommsMessage(Output):
    incident: str
    kind: str
    audience: str
    template: str
    text: str
    skipped: SkippedList

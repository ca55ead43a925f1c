"""Postmortems (`postmortems/**/*.md`): front matter with action items."""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Literal

from pydantic import StringConstraints

from opsbook.model.base import Code, Day, Line, MarkdownDocument, Slug, Strict, Text

ActionStatus = Literal["open", "in-progress", "done", "wont-do"]
ActionType = Literal["prevent", "mitigate", "detect", "process", "investigate"]
Visibility = Literal["public", "internal", "restricted"]
PostmortemId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$", max_length=200)]
"""A postmortem's id: its path under postmortems/ without .md, e.g. 2026/2026-03-18-card-payments."""


class ActionItem(Strict):
    id: Code
    """Unique across all postmortems, e.g. AI-101."""
    title: Line
    owner: Line | None = None
    """A person id (one accountable person); a team id is accepted, and reported for an open item.
    Done and wont-do items need no owner."""
    due: Day | None = None
    """Required while the item is open; done and wont-do items need none."""
    status: ActionStatus = "open"
    type: ActionType | None = None
    ticket: Line | None = None
    """Tracker reference, e.g. PAY-1234 or a URL."""
    closed: Day | None = None
    """When it was done or dropped."""

    @property
    def is_open(self) -> bool:
        return self.status in ("open", "in-progress")


class Postmortem(MarkdownDocument):
    incident: Code | None = None
    """The incident id; absent for a near miss. Short for `incidents: [ID]`."""
    incidents: list[Code] = []
    """Every incident this postmortem covers (several, or none: `incidents: []`). With `incident`
    too, `incident` should be one of them (the one it is mainly about; OB510 otherwise)."""
    title: Line
    status: Literal["draft", "in-review", "published"] = "draft"
    owner: Slug | None = None
    date: Day | None = None
    due: Day | None = None
    """When the postmortem must be out of draft; without it the severity's postmortem_due applies."""
    visibility: Visibility = "internal"
    """public: on every site; internal: only on internal builds; restricted: never published."""
    severity: Code | None = None
    """For a postmortem without an incident."""
    authors: list[Slug] = []
    action_items: list[ActionItem] = []
    summary: Text = ""
    related: list[PostmortemId] = []
    """Ids of related postmortems (their paths under postmortems/ without .md)."""
    tags: list[Slug] = []
    imported_from: Line | None = None
    """The file this postmortem was imported from (`opsbook postmortem import`)."""

    _id: str = ""

    @cached_property
    def markdown(self):
        """The body as CommonMark reads it, parsed once for every rule that asks
        (sections for the root cause, contributing factors, the title check)."""
        from opsbook.markdown import read

        return read(self.body, self.body_first_line)

    @property
    def incident_ids(self) -> tuple[str, ...]:
        """Every incident covered: `incident` first, then the rest of `incidents`."""
        first = (self.incident,) if self.incident else ()
        return first + tuple(i for i in self.incidents if i != self.incident)

    @property
    def main_incident(self) -> str | None:
        """The incident it is mainly about: `incident`, else the first of `incidents`."""
        return self.incident or (self.incidents[0] if self.incidents else None)

    @property
    def id(self) -> str:
        """Path under postmortems/ without .md, e.g. 2026/2026-03-18-card-payments."""
        return self._id


def by_incident(postmortems) -> dict[str, list[Postmortem]]:
    """Incident id -> the postmortems that cover it (`incident` or `incidents`), in the given order."""
    out: dict[str, list[Postmortem]] = {}
    for pm in postmortems:
        for incident_id in pm.incident_ids:
            out.setdefault(incident_id, []).append(pm)
    return out

"""Postmortems (`postmortems/**/*.md`): front matter with action items."""

from __future__ import annotations

from typing import Literal

from opsbook.model.base import Code, Day, Line, MarkdownDocument, Slug, Strict, Text

ActionStatus = Literal["open", "in-progress", "done", "wont-do"]
ActionType = Literal["prevent", "mitigate", "detect", "process", "investigate"]
Visibility = Literal["public", "internal", "restricted"]


class ActionItem(Strict):
    id: Code
    """Unique across all postmortems, e.g. AI-101."""
    title: Line
    owner: Line | None = None
    """A person id: one accountable person, not a team."""
    due: Day | None = None
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
    """The incident id; absent for a near miss."""
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

    _id: str = ""

    @property
    def id(self) -> str:
        """Path under postmortems/ without .md, e.g. 2026/2026-03-18-card-payments."""
        return self._id

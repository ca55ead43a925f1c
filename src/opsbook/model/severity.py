"""`playbooks/severity.yaml`: the severity ladder and its decision tree."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from opsbook.model.base import Code, Deadline, Document, Duration, Line, Slug, Strict, Text

Duty = Literal["required", "optional", "none"]


class SeverityLevel(Strict):
    id: Code
    """SEV1, P1, ... as the team says it."""
    name: Line
    description: Text = ""
    examples: list[Line] = []
    page: bool = False
    """Whether declaring it pages the on-call responder at any hour."""
    ack_within: Duration | None = None
    """Target time to acknowledge a page."""
    update_every: Duration | None = None
    """Cadence of stakeholder and status-page updates while open."""
    roles: list[Slug] = []
    """Incident roles that must be filled (commander, comms, scribe, ...)."""
    postmortem: Duty = "optional"
    postmortem_due: Deadline | None = None
    """How long after resolution the postmortem is due: 48h, 5d, or 5bd (business days)."""
    status_page: Duty = "optional"
    escalation: Slug | None = None
    """Escalation policy that replaces the service's own at this level."""


class Question(Strict):
    id: Slug
    text: Line
    help: Text = ""
    yes: Line
    """Next question id, or a level id."""
    no: Line


class DecisionTree(Strict):
    start: Slug
    questions: list[Question] = Field(min_length=1)


class SeverityFile(Document):
    levels: list[SeverityLevel] = Field(min_length=1)
    """Most severe first."""
    decision_tree: DecisionTree | None = None

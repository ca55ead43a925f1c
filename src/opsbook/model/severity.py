"""`playbooks/severity.yaml`: the severity ladder and its decision tree."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

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


# --- rules: severity from an alert --------------------------------------------------------

Scalar = str | int | float | bool

COMPARISONS: tuple[str, ...] = ("eq", "ne", "gt", "ge", "lt", "le", "in", "exists")
LOGIC: tuple[str, ...] = ("and", "or", "not")


class Condition(Strict):
    """One test of an alert, or several combined.

    Either ``field`` with exactly one comparison (``eq``, ``ne``, ``gt``, ``ge``,
    ``lt``, ``le``, ``in``, ``exists``), or exactly one of ``and``/``or`` (a list
    of conditions) or ``not`` (one condition). Fields: ``labels.NAME``,
    ``annotations.NAME``, ``status`` (firing, resolved), ``service`` (the mapped
    service id), ``service.tier``, ``service.team``, ``services.count`` (how many
    services the payload's alerts map to), ``source`` (alertmanager, pagerduty,
    plain). A label value compared with a number is read as one (``"85%"`` is 85).
    """

    field: str | None = None
    eq: Scalar | None = None
    ne: Scalar | None = None
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    exists: bool | None = None
    and_: list[Condition] | None = Field(default=None, alias="and", min_length=1)
    or_: list[Condition] | None = Field(default=None, alias="or", min_length=1)
    not_: Condition | None = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _one_test(self):
        tests = [name for name in COMPARISONS if getattr(self, _attr(name)) is not None]
        logic = [name for name in LOGIC if getattr(self, _attr(name)) is not None]
        if self.field is not None:
            if logic:
                raise ValueError(f"a condition with `field` compares it; `{logic[0]}` belongs in a condition of "
                                 "its own (put both under `and:`)")
            if len(tests) != 1:
                raise ValueError(f"`field: {self.field}` needs exactly one comparison "
                                 f"({', '.join(COMPARISONS)})" + (f"; got {', '.join(tests)}" if tests else ""))
        else:
            if tests:
                raise ValueError(f"`{tests[0]}` compares a field: add `field: labels.NAME` (or another field)")
            if len(logic) != 1:
                raise ValueError("a condition is `field` with a comparison, or exactly one of and, or, not"
                                 + (f"; got {', '.join(logic)}" if logic else ""))
        return self

    @property
    def comparison(self) -> tuple[str, object] | None:
        """(operator, operand) of a field test; None for and/or/not."""
        for name in COMPARISONS:
            value = getattr(self, _attr(name))
            if value is not None:
                return name, value
        return None


def _attr(name: str) -> str:
    return name + "_" if name in ("in", "and", "or", "not") else name


class SeverityRule(Strict):
    id: Slug
    """Named in the answer, so a responder sees why a level was picked."""
    level: Code
    when: Condition | None = None
    """Absent: the rule matches every alert (a catch-all; rules after it never apply)."""
    description: Line = ""


class SeverityFile(Document):
    levels: list[SeverityLevel] = Field(min_length=1)
    """Most severe first."""
    decision_tree: DecisionTree | None = None
    rules: list[SeverityRule] = []
    """Ordered rules that pick a level from an alert (`opsbook severity classify --alert`,
    `opsbook incident new --from-alert`): the first that matches gives the level."""
    default_level: Code | None = None
    """The level when no rule matches (absent: the least severe level)."""

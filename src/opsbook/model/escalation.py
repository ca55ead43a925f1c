"""`schedules/escalation.yaml`: who gets notified, and after how long."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from opsbook.model.base import Document, Duration, Line, Slug, Strict, Text


class Target(Strict):
    schedule: Slug | None = None
    role: Literal["primary", "backup"] = "primary"
    """With `schedule`: which role of it to notify."""
    person: Slug | None = None
    team: Slug | None = None

    @model_validator(mode="after")
    def _exactly_one(self):
        given = [k for k in ("schedule", "person", "team") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a notify target names exactly one of schedule, person or team"
                             + (f"; got {', '.join(given)}" if given else ""))
        return self


class Step(Strict):
    after: Duration
    """Delay from the page until this step notifies."""
    notify: list[Target] = Field(min_length=1)


class EscalationPolicy(Strict):
    id: Slug
    name: Line | None = None
    description: Text = ""
    steps: list[Step] = Field(min_length=1)
    repeat: int = Field(default=0, ge=0, le=10)
    """How many times the whole policy repeats when nobody acknowledges."""


class EscalationFile(Document):
    policies: list[EscalationPolicy] = []

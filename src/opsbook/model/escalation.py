"""`schedules/escalation.yaml`: who gets notified, and after how long."""

from __future__ import annotations

from typing import Literal

from datetime import timedelta

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from opsbook.model.base import Document, Duration, Line, Slug, Strict, Text
from opsbook.timeutil import format_duration

# PagerDuty loops a policy at most 9 times, Opsgenie repeats one at most 20,
# Grafana OnCall at most 5: the highest of them.
MAX_REPEAT = 20


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
    repeat: int = Field(default=0, ge=0, le=MAX_REPEAT)
    """How many times the whole policy repeats when nobody acknowledges."""
    repeat_after: Duration | None = None
    """With `repeat`: from the start of one round to the start of the next (at least the last step's
    `after`). Absent: the policy says how often it repeats, not when."""

    @field_validator("repeat_after")
    @classmethod
    def _round_length(cls, value: timedelta | None, info: ValidationInfo):
        if value is None:
            return value
        if value <= timedelta(0):
            raise PydanticCustomError("duration", f"repeat_after must be longer than 0 (a round that starts again "
                                      f"at once would page without end); got {format_duration(value)}")
        repeat = info.data.get("repeat")
        if repeat == 0:
            raise ValueError(f"repeat_after ({format_duration(value)}) says when the policy starts again, but "
                             "`repeat` is 0 (no repeat): add `repeat: N` (how many more rounds), or delete "
                             "repeat_after")
        steps = info.data.get("steps") or []
        last = max((step.after for step in steps), default=timedelta(0))
        if value < last:
            raise ValueError(f"repeat_after ({format_duration(value)}) is shorter than the last step's delay "
                             f"({format_duration(last)}): the next round would start before this one has notified "
                             f"everyone; make repeat_after at least {format_duration(last)}")
        return value

    def notifications(self) -> list[tuple[timedelta, int, Step]]:
        """(delay from the page, round from 0, step) for every round, by delay; one round when
        the policy does not repeat or does not say when (no `repeat_after`)."""
        rounds = self.repeat + 1 if self.repeat and self.repeat_after else 1
        out = [(r * (self.repeat_after or timedelta(0)) + step.after, r, step)
               for r in range(rounds) for step in self.steps]
        out.sort(key=lambda item: (item[0], item[1]))
        return out


class EscalationFile(Document):
    policies: list[EscalationPolicy] = []

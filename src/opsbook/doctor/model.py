"""The readiness scorecard as data: what `opsbook doctor --json` prints and what
the site's readiness page is made from.

An item is one step of the incident programme, judged from the repository:
``pass`` (the step is in place), ``warn`` (in place with holes) or ``fail``
(missing, or broken where it matters). ``why`` gives the numbers, ``file`` the
one file to change first (relative to the knowledge base's root, POSIX; a
folder ends in ``/`` when the fix is a new file in it), ``fix`` what to do
(empty on a pass).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, computed_field

Status = Literal["pass", "warn", "fail"]
STATUSES: tuple[str, ...] = ("pass", "warn", "fail")
"""Best first: `--fail-on warn` gates on every status from warn on."""


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_Out):
    step: int
    """1 to 9, in the order a programme is built (ladder first, follow-through last)."""
    key: str
    """A stable name for programs: severity-ladder, roles, oncall-coverage, escalation, runbooks,
    comms-templates, status-page, postmortems-on-time, action-items-on-time."""
    title: str
    status: Status
    why: str
    """What was measured, with the numbers."""
    file: str
    """The file to change, relative to the knowledge base's root."""
    fix: str = ""
    """What to change (empty when the step passes)."""


class Scorecard(_Out):
    organisation: str
    now: datetime
    """The instant time-relative steps (on-call gaps, deadlines) are judged at."""
    audience: Literal["public", "internal"]
    """internal: names every incident and postmortem file; public: only those a public reader may see."""
    items: list[Item]

    @computed_field
    @property
    def passed(self) -> int:
        return sum(1 for item in self.items if item.status == "pass")

    @computed_field
    @property
    def warned(self) -> int:
        return sum(1 for item in self.items if item.status == "warn")

    @computed_field
    @property
    def failed(self) -> int:
        return sum(1 for item in self.items if item.status == "fail")

    @computed_field
    @property
    def total(self) -> int:
        return len(self.items)

    def at_least(self, status: str) -> list[Item]:
        """The items whose status is ``status`` or worse."""
        floor = STATUSES.index(status)
        return [item for item in self.items if STATUSES.index(item.status) >= floor]

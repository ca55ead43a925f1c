"""The scorecard: the nine steps in order, judged at one instant for one audience."""

from __future__ import annotations

from datetime import datetime, timezone

from opsbook.doctor.channels import comms_templates, status_page
from opsbook.doctor.common import Judge
from opsbook.doctor.followthrough import action_items_on_time, postmortems_on_time
from opsbook.doctor.ladder import roles, severity_ladder
from opsbook.doctor.model import Scorecard
from opsbook.doctor.response import escalation, oncall_coverage, runbooks
from opsbook.visibility import check_audience

# The kinds the scorecard reads (``load(root, kinds=KINDS)``): everything but
# people and teams, which no step needs.
KINDS = frozenset({"severity", "playbook", "schedule", "escalation", "runbook", "component", "incident",
                   "postmortem"})

STEPS = (severity_ladder, roles, oncall_coverage, escalation, runbooks, comms_templates, status_page,
         postmortems_on_time, action_items_on_time)


def scorecard(kb, now: datetime, audience: str = "public") -> Scorecard:
    """The readiness scorecard of ``kb`` at ``now``.

    ``audience`` defaults to public, the safe reading: it names no internal or
    restricted postmortem and no non-public incident (they are counted). The CLI
    passes internal; a site page passes its build's audience.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    # In UTC: `now + 8 weeks` in a ZoneInfo zone is wall-clock arithmetic (an hour
    # short or long across a clock change), and so is subtracting two of its times.
    now = now.astimezone(timezone.utc)
    judge = Judge(kb, now, check_audience(audience))
    return Scorecard(organisation=kb.config.name, now=now, audience=judge.audience,
                     items=[step(judge) for step in STEPS])

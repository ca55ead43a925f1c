"""`opsbook.yaml`: the organisation, its service catalog and its policies."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from opsbook.model.base import Document, Duration, Instant, Slug, Strict, Text, TimeZone

# Section names each runbook profile requires, in order.
RUNBOOK_PROFILES: dict[str, tuple[str, ...]] = {
    "standard": ("Trigger", "Diagnosis", "Mitigation", "Verification", "Rollback", "Escalation"),
    # The Prometheus community's runbook layout (prometheus-operator/runbooks).
    "prometheus": ("Meaning", "Impact", "Diagnosis", "Mitigation"),
}


class Service(Strict):
    id: Slug
    """Service id, referenced by runbooks, incidents and status components."""
    name: str
    team: Slug | None = None
    """Owning team id (schedules/people.yaml)."""
    escalation: Slug | None = None
    """Escalation policy id (schedules/escalation.yaml)."""
    schedule: Slug | None = None
    """On-call schedule id (a file under schedules/)."""
    tier: int | None = Field(default=None, ge=1, le=4)
    """Criticality, 1 (most critical) to 4."""
    description: Text = ""
    repository: str | None = None
    """Where the service's code lives (a URL)."""


class RunbookPolicy(Strict):
    profile: Literal["standard", "prometheus"] = "standard"
    """Which set of required sections applies: standard (Trigger, Diagnosis, Mitigation,
    Verification, Rollback, Escalation) or prometheus (Meaning, Impact, Diagnosis, Mitigation)."""
    required_sections: list[str] | None = None
    """Overrides the profile's section list when given."""
    review_every: Duration = Field(default="180d", validate_default=True)
    """How often a runbook must be reviewed (its last_reviewed date moved)."""

    @property
    def sections(self) -> tuple[str, ...]:
        if self.required_sections is not None:
            return tuple(self.required_sections)
        return RUNBOOK_PROFILES[self.profile]


class ActionItemPolicy(Strict):
    due_default: Duration = Field(default="30d", validate_default=True)
    """Due date given to new action items, counted from the postmortem."""


class Policies(Strict):
    runbooks: RunbookPolicy = RunbookPolicy()
    action_items: ActionItemPolicy = ActionItemPolicy()


class OrgConfig(Document):
    """The root file of a knowledge base."""

    name: str
    """The organisation's name, shown on the site."""
    timezone: TimeZone = "UTC"
    """Default zone for times written without an offset, and for the site."""
    site_url: str | None = None
    repo_url: str | None = None
    """The repository's web address; the site's edit links point into it."""
    edit_branch: str = "main"
    as_of: Instant | None = None
    """Evaluate time-relative rules at this instant instead of the clock. For
    examples, fixtures and demos that must not age; real knowledge bases omit it."""
    services: list[Service] = []
    policies: Policies = Policies()

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
    overdue_error_after: Duration = Field(default="30d", validate_default=True)
    """An open item overdue by longer than this is an error, not a warning."""
    max_per_postmortem: int = Field(default=7, ge=1)
    """More items than this is a warning: one to three is the norm; long lists rot."""


# Blameful wording: it teaches people to hide mistakes instead of reporting them.
DEFAULT_BLAMEFUL_PHRASES: tuple[str, ...] = (
    "human error", "should have", "should've", "careless", "carelessly", "fault of", "negligence", "negligent",
)


class PostmortemPolicy(Strict):
    blameful_phrases: list[str] = list(DEFAULT_BLAMEFUL_PHRASES)
    """Phrases reported wherever they appear in a postmortem's body (case-insensitive, whole words)."""
    names_in_root_cause: bool = True
    """Report a person's id or name in the Root cause section: causes are systems and decisions, not people."""


class OncallPolicy(Strict):
    horizon: Duration = Field(default="8w", validate_default=True)
    """How far ahead of now `opsbook validate` checks schedules (gaps, double bookings)."""
    reminder: Duration = Field(default="15m", validate_default=True)
    """How long before each shift the calendar feeds' alarm goes off."""


class Policies(Strict):
    runbooks: RunbookPolicy = RunbookPolicy()
    action_items: ActionItemPolicy = ActionItemPolicy()
    oncall: OncallPolicy = OncallPolicy()
    postmortems: PostmortemPolicy = PostmortemPolicy()


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

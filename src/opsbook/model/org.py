"""`opsbook.yaml`: the organisation, its service catalog and its policies."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator

from opsbook.model.base import Document, Duration, Instant, Line, Slug, Strict, Text, TimeZone, WebUrl

# Section names each runbook profile requires, in order.
RUNBOOK_PROFILES: dict[str, tuple[str, ...]] = {
    "standard": ("Trigger", "Diagnosis", "Mitigation", "Verification", "Rollback", "Escalation"),
    # The Prometheus community's runbook layout (prometheus-operator/runbooks).
    "prometheus": ("Meaning", "Impact", "Diagnosis", "Mitigation"),
}


def _repository(value: str) -> str:
    # A clone address may be scp-like (git@host:org/repo.git); only a scheme
    # that could run (javascript:, data:) or fetch something odd is refused.
    scheme = urlsplit(value).scheme.lower()
    if scheme and scheme not in ("http", "https", "ssh", "git", "git+ssh"):
        raise ValueError(f"expected an https://, ssh:// or git@host:path address; got the scheme '{scheme}:'")
    if any(ch.isspace() for ch in value):
        raise ValueError("a repository address cannot contain spaces")
    return value


Repository = Annotated[Line, AfterValidator(_repository)]


class Service(Strict):
    id: Slug
    """Service id, referenced by runbooks, incidents and status components."""
    name: Line
    team: Slug | None = None
    """Owning team id (schedules/people.yaml)."""
    escalation: Slug | None = None
    """Escalation policy id (schedules/escalation.yaml)."""
    schedule: Slug | None = None
    """On-call schedule id (a file under schedules/)."""
    tier: int | None = Field(default=None, ge=1, le=4)
    """Criticality, 1 (most critical) to 4."""
    description: Text = ""
    repository: Repository | None = None
    """Where the service's code lives (a URL)."""


class RunbookPolicy(Strict):
    profile: Literal["standard", "prometheus"] = "standard"
    """Which set of required sections applies: standard (Trigger, Diagnosis, Mitigation,
    Verification, Rollback, Escalation) or prometheus (Meaning, Impact, Diagnosis, Mitigation)."""
    required_sections: list[Line] | None = None
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
    blameful_phrases: list[Line] = list(DEFAULT_BLAMEFUL_PHRASES)
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

    name: Line
    """The organisation's name, shown on the site."""
    timezone: TimeZone = "UTC"
    """Default zone for times written without an offset, and for the site."""
    site_url: WebUrl | None = None
    """Where the handbook site is published (http or https); calendar and postmortem links use it."""
    repo_url: WebUrl | None = None
    """The repository's web address; the site's edit links point into it."""
    edit_branch: Line = "main"
    as_of: Instant | None = None
    """Evaluate time-relative rules at this instant instead of the clock. For
    examples, fixtures and demos that must not age; real knowledge bases omit it."""
    services: list[Service] = []
    policies: Policies = Policies()

"""`opsbook.yaml`: the organisation, its service catalog and its policies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
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
    # Nothing required: a folder of notes, or a collection taken as it is.
    "none": (),
}

Profile = Literal["standard", "prometheus", "none"]


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


def _glob(pattern: str) -> re.Pattern:
    """A path glob: `*` and `?` within one name, `**/` any number of folders."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def _folder_key(value: str) -> str:
    cleaned = value.strip().strip("/")
    if not cleaned or cleaned.startswith(("/", "..")) or "/../" in f"/{cleaned}/" or "\\" in cleaned:
        raise ValueError("expected a folder under runbooks/, such as 'kubernetes' or 'community/etcd'")
    return cleaned


FolderKey = Annotated[str, AfterValidator(_folder_key)]


class RunbookFolder(Strict):
    """What a folder under runbooks/ holds and the rules for it; its sub-folders inherit them."""

    pages: bool = False
    """Every file in the folder is a page (helpers, an index, notes), published but not held to the runbook policy."""
    profile: Profile | None = None
    """The section profile for the folder's runbooks (standard, prometheus or none); default: the policy's."""
    required_sections: list[Line] | None = None
    """Overrides the profile's section list for the folder."""
    review_every: Duration | None = None
    """The review interval for the folder's runbooks; default: the policy's."""
    reviews: bool | None = None
    """false: no review reminders (OB302) for this folder, e.g. a community collection reviewed upstream."""


@dataclass(frozen=True)
class RunbookRules:
    """The rules that hold for one file under runbooks/, after folders are applied."""

    is_page: bool
    sections: tuple[str, ...]
    profile: str
    """Where the section list comes from, for messages: 'standard', 'required_sections', 'folder kubernetes'."""
    reviews: bool
    review_every: timedelta


class RunbookPolicy(Strict):
    profile: Profile = "standard"
    """Which set of required sections applies: standard (Trigger, Diagnosis, Mitigation,
    Verification, Rollback, Escalation), prometheus (Meaning, Impact, Diagnosis, Mitigation) or none."""
    required_sections: list[Line] | None = None
    """Overrides the profile's section list when given."""
    review_every: Duration = Field(default="180d", validate_default=True)
    """How often a runbook must be reviewed (its last_reviewed date moved)."""
    pages: list[Line] = []
    """Globs under runbooks/ of files that are pages, not runbooks (published, not held to the policy),
    e.g. '**/overview.md', 'general/*'. A file's own `kind: page` does the same."""
    folders: dict[FolderKey, RunbookFolder] = {}
    """Rules per folder under runbooks/ (the deepest folder that contains a file wins), e.g.
    `kubernetes: {profile: prometheus, reviews: false}` or `helpers: {pages: true}`."""

    @property
    def sections(self) -> tuple[str, ...]:
        if self.required_sections is not None:
            return tuple(self.required_sections)
        return RUNBOOK_PROFILES[self.profile]

    def rules_for(self, runbook_id: str, kind: str | None = None) -> RunbookRules:
        """The rules for the file ``runbooks/<runbook_id>.md`` (``kind``: its front matter's)."""
        folder_names = [name for name in self.folders
                        if runbook_id.startswith(name + "/") or runbook_id == name]
        chain = [self.folders[name] for name in sorted(folder_names, key=len)]
        sections, source = self.sections, (self.profile if self.required_sections is None else "required_sections")
        review_every, reviews, pages = self.review_every, True, False
        for name, folder in zip(sorted(folder_names, key=len), chain):
            if folder.required_sections is not None:
                sections, source = tuple(folder.required_sections), f"folders.{name}.required_sections"
            elif folder.profile is not None:
                sections, source = RUNBOOK_PROFILES[folder.profile], f"{folder.profile}, from folders.{name}"
            review_every = folder.review_every or review_every
            reviews = reviews if folder.reviews is None else folder.reviews
            pages = pages or folder.pages
        path = f"{runbook_id}.md"
        if not pages:
            pages = any(_glob(pattern).fullmatch(path) or _glob(pattern).fullmatch(runbook_id)
                        for pattern in self.pages)
        if kind is not None:
            pages = kind == "page"
        return RunbookRules(pages, sections, source, reviews, review_every)


def _rule_path(value: str) -> str:
    if not value.strip():
        raise ValueError("expected a path or glob of Prometheus rule files, relative to opsbook.yaml")
    return value


class Upstream(Strict):
    url: WebUrl
    """Where the collection is published, e.g. https://runbooks.prometheus-operator.dev/runbooks/."""
    folder: Line = ""
    """Where its pages live under runbooks/ ('' for runbooks/ itself)."""


class AlertPolicy(Strict):
    rules: list[Annotated[Line, AfterValidator(_rule_path)]] = []
    """Prometheus rule files or PrometheusRule manifests (paths or globs, relative to opsbook.yaml).
    When set, `opsbook validate` reports every alert without a runbook (OB701)."""
    upstream: list[Upstream] = []
    """Published runbook collections whose pages you copied: a rule's runbook_url under one of
    these URLs counts for the runbook at the same path (compared case-insensitively)."""


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
    # default_factory, not an instance: an instance would build these models when
    # this module is imported, which every command pays for (issue 12, start-up).
    runbooks: RunbookPolicy = Field(default_factory=RunbookPolicy)
    action_items: ActionItemPolicy = Field(default_factory=ActionItemPolicy)
    oncall: OncallPolicy = Field(default_factory=OncallPolicy)
    postmortems: PostmortemPolicy = Field(default_factory=PostmortemPolicy)
    alerts: AlertPolicy = Field(default_factory=AlertPolicy)


class IntakeSettings(Strict):
    """How `opsbook incident new --from-alert` reads an alert."""

    service_label: str = Field(default="service", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=128)
    """The alert label whose value is a service id of the catalog (Alertmanager label names:
    letters, digits and underscores)."""


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
    policies: Policies = Field(default_factory=Policies)
    intake: IntakeSettings = Field(default_factory=IntakeSettings)
    """Alert intake: which label names the service."""

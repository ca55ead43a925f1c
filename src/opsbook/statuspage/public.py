"""The public projection: the only view of the knowledge base the status page gets.

Built once per build, at ``now``. It copies, field by field, what a customer
may read and nothing else: incidents marked ``public`` (title, impact, their
public updates up to ``now``), the components listed on the page, maintenance
windows, and links to postmortems published with ``visibility: public``.
Internal service ids, the timeline, summaries, roles and people have no field
here, so no writer downstream can emit them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from urllib.parse import quote

from opsbook.model.base import is_web_url
from opsbook.model.kb import KnowledgeBase
from opsbook.statuspage.vocabulary import IMPACT_OF_COMPONENT, INDICATOR_RANK, worst


@dataclass(frozen=True)
class PublicGroup:
    id: str
    name: str
    description: str
    position: int


@dataclass(frozen=True)
class PublicComponent:
    id: str
    name: str
    group: str | None
    description: str
    since: date | None
    position: int


@dataclass(frozen=True)
class PublicUpdate:
    at: datetime
    status: str
    message: str
    components: tuple[tuple[str, str], ...] = ()
    """(component id, status) for listed components only, in page order."""


@dataclass(frozen=True)
class PublicIncident:
    id: str
    title: str
    declared_impact: str
    updates: tuple[PublicUpdate, ...]
    """Oldest first; never empty; none after ``now``."""
    next_update: datetime | None = None
    postmortem_url: str | None = None

    @property
    def created(self) -> datetime:
        return self.updates[0].at

    @property
    def updated(self) -> datetime:
        return self.updates[-1].at

    @property
    def stage(self) -> str:
        return self.updates[-1].status

    @property
    def is_open(self) -> bool:
        return self.stage != "resolved"

    @property
    def resolved_at(self) -> datetime | None:
        """When the incident was resolved: its first update that says so."""
        return next((u.at for u in self.updates if u.status == "resolved"), None) if not self.is_open else None

    @property
    def monitoring_at(self) -> datetime | None:
        return next((u.at for u in self.updates if u.status == "monitoring"), None)

    @property
    def api_status(self) -> str:
        """Statuspage's incident status: 'postmortem' once a postmortem is published."""
        return "postmortem" if self.stage == "resolved" and self.postmortem_url else self.stage

    @property
    def impact(self) -> str:
        """The declared impact, else the one the component statuses imply (Statuspage's rule)."""
        if self.declared_impact != "none":
            return self.declared_impact
        implied = [IMPACT_OF_COMPONENT[status] for update in self.updates for _, status in update.components]
        return max(implied, key=INDICATOR_RANK.__getitem__, default="none")

    @property
    def component_ids(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for update in self.updates:
            for component, _ in update.components:
                seen.setdefault(component, None)
        return tuple(seen)

    def statuses_at_end(self) -> dict[str, str]:
        """Each affected component's status as of the latest update."""
        current: dict[str, str] = {}
        for update in self.updates:
            current.update(update.components)
        return current

    @property
    def worst_status(self) -> str:
        return worst(status for update in self.updates for _, status in update.components)


@dataclass(frozen=True)
class PublicMaintenanceUpdate:
    at: datetime
    status: str
    message: str


@dataclass(frozen=True)
class PublicMaintenance:
    id: str
    title: str
    description: str
    start: datetime
    end: datetime
    components: tuple[str, ...]
    updates: tuple[PublicMaintenanceUpdate, ...]
    """Oldest first; none after ``now``."""


@dataclass(frozen=True)
class PublicPage:
    id: str
    name: str
    url: str | None
    zone: ZoneInfo
    now: datetime
    groups: tuple[PublicGroup, ...]
    components: tuple[PublicComponent, ...]
    incidents: tuple[PublicIncident, ...]
    """Oldest first."""
    maintenance: tuple[PublicMaintenance, ...]

    @property
    def zone_name(self) -> str:
        return self.zone.key

    def component(self, ident: str) -> PublicComponent:
        return self._components_by_id[ident]

    @cached_property
    def _components_by_id(self) -> dict[str, PublicComponent]:
        return {c.id: c for c in self.components}

    def incident(self, ident: str) -> PublicIncident | None:
        return next((i for i in self.incidents if i.id == ident), None)


def page_id(name: str, url: str | None) -> str:
    """A stable opaque page id, like Statuspage's (12 lowercase characters)."""
    return hashlib.sha256(f"{url or ''}|{name}".encode()).hexdigest()[:12]


def _postmortem_url(kb: KnowledgeBase, incident_id: str) -> str | None:
    # Same rule as the knowledge-base site's public build: published and public.
    from opsbook.visibility import may_read

    base = kb.config.site_url
    if not is_web_url(base):  # only http(s) becomes a link (the model refuses the rest)
        return None
    for pm in kb.postmortems_for(incident_id):
        if pm.status == "published" and may_read("public", pm):
            return base.rstrip("/") + "/postmortems/" + "/".join(quote(part, safe="") for part in pm.id.split("/")) + "/"
    return None


def _next_update(kb: KnowledgeBase, severity: str, last: datetime) -> datetime | None:
    level = kb.severities.get(severity)
    every: timedelta | None = getattr(level, "update_every", None) if level else None
    return last + every if every else None


def public_page(kb: KnowledgeBase, now: datetime) -> PublicPage:
    """What the status page may show at ``now``. Raises ValueError without status/page.yaml."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    page = kb.status
    if page is None:
        raise ValueError("this knowledge base has no status/page.yaml")
    listed = {c.id for c in page.components}
    order = {c.id: i for i, c in enumerate(page.components)}

    incidents = []
    seen: set[str] = set()
    for inc in kb.incident_list:
        if not inc.public or kb.incidents.get(inc.id) is not inc or inc.id in seen:
            continue  # private, or a second record with the id (validate reports it; builds stop on it)
        seen.add(inc.id)
        updates = tuple(
            PublicUpdate(u.at, u.status, u.message,
                         tuple(sorted(((c, s) for c, s in u.components.items() if c in listed),
                                      key=lambda pair: order[pair[0]])))
            for u in sorted(inc.updates, key=lambda u: u.at) if u.at <= now)
        if not updates:
            continue  # nothing was posted yet at `now`: the page does not know of it
        is_open = updates[-1].status != "resolved"
        incidents.append(PublicIncident(
            id=inc.id, title=inc.title, declared_impact=inc.impact, updates=updates,
            next_update=_next_update(kb, inc.severity, updates[-1].at) if is_open else None,
            postmortem_url=_postmortem_url(kb, inc.id)))
    incidents.sort(key=lambda i: (i.created, i.id))

    maintenance = tuple(
        PublicMaintenance(
            id=m.id, title=m.title, description=m.description, start=m.start, end=m.end,
            components=tuple(c for c in m.components if c in listed),
            updates=tuple(PublicMaintenanceUpdate(u.at, u.status, u.message)
                          for u in sorted(m.updates, key=lambda u: u.at) if u.at <= now))
        for m in sorted(page.maintenance, key=lambda m: (m.start, m.id)))

    group_ids = [g.id for g in page.groups]
    return PublicPage(
        id=page_id(page.name, page.url),
        name=page.name,
        url=page.url if is_web_url(page.url) else None,
        zone=kb.status_zone,
        now=now,
        groups=tuple(PublicGroup(g.id, g.name, g.description, i) for i, g in enumerate(page.groups)),
        components=tuple(PublicComponent(c.id, c.name, c.group if c.group in group_ids else None,
                                         c.description, c.since, i) for i, c in enumerate(page.components)),
        incidents=tuple(incidents),
        maintenance=maintenance,
    )

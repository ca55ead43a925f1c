"""The current status engine: what the page says at its ``now``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from opsbook.statuspage.public import PublicIncident, PublicMaintenance, PublicPage
from opsbook.statuspage.vocabulary import (
    INDICATOR_DESCRIPTION,
    INDICATOR_RANK,
    MAINTENANCE_DESCRIPTION,
    MAINTENANCE_RANK,
    worst,
)


def maintenance_window(window: PublicMaintenance) -> tuple[datetime, datetime]:
    """When the work actually ran: from the first 'in_progress' update (else the
    planned start) to the first 'completed' update (else the planned end)."""
    start = next((u.at for u in window.updates if u.status == "in_progress"), window.start)
    end = next((u.at for u in window.updates if u.status == "completed"), window.end)
    return start, max(start, end)


def maintenance_status(window: PublicMaintenance, now: datetime) -> str:
    """The posted status, moved on by the clock when nobody posted: a window
    starts and completes on its own at its times (Statuspage's auto-transition)."""
    start, end = maintenance_window(window)
    automatic = "scheduled" if now < start else "in_progress" if now < end else "completed"
    posted = window.updates[-1].status if window.updates else "scheduled"
    return max(posted, automatic, key=MAINTENANCE_RANK.__getitem__)


@dataclass(frozen=True)
class CurrentStatus:
    indicator: str
    description: str
    components: dict[str, str]
    """Component id -> status, for every listed component, in page order."""
    incidents: tuple[PublicIncident, ...]
    """Unresolved incidents, newest first."""
    maintenance_active: tuple[PublicMaintenance, ...]
    maintenance_upcoming: tuple[PublicMaintenance, ...]
    updated_at: datetime
    component_updated: dict[str, datetime]
    """Component id -> when its status last changed (None-free: falls back to the page's)."""


def current_status(page: PublicPage) -> CurrentStatus:
    now = page.now
    open_incidents = [i for i in page.incidents if i.is_open]
    affected: dict[str, list[str]] = {c.id: [] for c in page.components}
    changed: dict[str, datetime] = {}
    for incident in open_incidents:
        for component, status in incident.statuses_at_end().items():
            affected[component].append(status)
    for incident in page.incidents:
        for update in incident.updates:
            for component, _ in update.components:
                changed[component] = max(changed.get(component, update.at), update.at)

    active, upcoming = [], []
    for window in page.maintenance:
        status = maintenance_status(window, now)
        if status in ("in_progress", "verifying"):
            active.append(window)
            for component in window.components:
                affected[component].append("under_maintenance")
            changed.update({c: max(changed.get(c, window.start), maintenance_window(window)[0])
                            for c in window.components})
        elif status == "scheduled":
            upcoming.append(window)

    components = {c.id: worst(affected[c.id]) for c in page.components}
    indicator = max((i.impact for i in open_incidents), key=INDICATOR_RANK.__getitem__, default="none")
    if indicator == "none" and "under_maintenance" in components.values():
        description = MAINTENANCE_DESCRIPTION
    else:
        description = INDICATOR_DESCRIPTION[indicator]
    times = [i.updated for i in page.incidents] + [u.at for m in page.maintenance for u in m.updates]
    updated_at = max(times, default=now)
    return CurrentStatus(
        indicator=indicator,
        description=description,
        components=components,
        incidents=tuple(sorted(open_incidents, key=lambda i: i.created, reverse=True)),
        maintenance_active=tuple(active),
        maintenance_upcoming=tuple(upcoming),
        updated_at=updated_at,
        component_updated={c.id: changed.get(c.id, updated_at) for c in page.components},
    )

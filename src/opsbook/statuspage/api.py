"""Statuspage v2 JSON (``api/v2/*.json``) from the public projection.

Field names, enums and nesting follow Atlassian's public Status API v2, so
tools written for hosted Statuspage pages (monitors, exporters, chat bots)
read ours unchanged. Timestamps are in the page's zone with milliseconds and
an offset, as Statuspage writes them. Fields we have no data for (tweets,
``only_show_if_degraded``) carry Statuspage's defaults.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from urllib.parse import quote

from opsbook.model.base import is_web_url

from opsbook.statuspage.current import (
    CurrentStatus,
    maintenance_status,
    maintenance_window,
)
from opsbook.statuspage.public import PublicIncident, PublicMaintenance, PublicPage
from opsbook.statuspage.vocabulary import worst
from opsbook.timeutil import start_of_day

API = "api/v2"


def timestamp(moment: datetime | None, page: PublicPage) -> str | None:
    """``2026-11-20T09:40:00.000-05:00``: page zone, milliseconds, offset."""
    if moment is None:
        return None
    return moment.astimezone(page.zone).isoformat(timespec="milliseconds")


def site_url(page: PublicPage, path: str) -> str:
    """An absolute URL when the page has an http(s) one (feeds and shortlinks
    need it), else relative. ``path`` is one we built, already encoded."""
    return f"{page.url.rstrip('/')}/{path}" if is_web_url(page.url) else path


def incident_path(incident: PublicIncident) -> str:
    # Ids are file names checked at load (OB108); encoding the segment anyway
    # means no id can ever reach an href or a feed link as markup.
    return f"incidents/{quote(incident.id.lower(), safe='')}.html"


def maintenance_path(window: PublicMaintenance) -> str:
    return f"maintenance/{quote(window.id, safe='')}.html"


def page_object(page: PublicPage, current: CurrentStatus) -> dict:
    return {
        "id": page.id,
        "name": page.name,
        "url": page.url or "",
        "time_zone": page.zone_name,
        "updated_at": timestamp(current.updated_at, page),
    }


def status_object(current: CurrentStatus) -> dict:
    return {"indicator": current.indicator, "description": current.description}


def _since_day(since: date | None, page: PublicPage) -> str | None:
    return since.isoformat() if since else None


def components_list(page: PublicPage, current: CurrentStatus) -> list[dict]:
    """Components and their groups in one list, as Statuspage does: a group is a
    component with ``group: true`` and the ids of its members."""
    out: list[dict] = []
    position = 0
    members: dict[str, list[str]] = {g.id: [] for g in page.groups}
    for component in page.components:
        if component.group:
            members[component.group].append(component.id)
    created_default = timestamp(min((i.created for i in page.incidents), default=page.now), page)
    for group in page.groups:
        position += 1
        statuses = [current.components[m] for m in members[group.id]]
        out.append({
            "id": group.id,
            "name": group.name,
            "status": worst(statuses),
            "created_at": created_default,
            "updated_at": timestamp(max((current.component_updated[m] for m in members[group.id]),
                                        default=current.updated_at), page),
            "position": position,
            "description": group.description or None,
            "showcase": False,
            "start_date": None,
            "group_id": None,
            "page_id": page.id,
            "group": True,
            "only_show_if_degraded": False,
            "components": members[group.id],
        })
    for component in page.components:
        position += 1
        created = timestamp(start_of_day(component.since, page.zone), page) if component.since else created_default
        out.append({
            "id": component.id,
            "name": component.name,
            "status": current.components[component.id],
            "created_at": created,
            "updated_at": timestamp(current.component_updated[component.id], page),
            "position": position,
            "description": component.description or None,
            "showcase": True,
            "start_date": _since_day(component.since, page),
            "group_id": component.group,
            "page_id": page.id,
            "group": False,
            "only_show_if_degraded": False,
        })
    return out


def _component_ref(objects: dict[str, dict], component_id: str, status: str) -> dict:
    """A component as nested in an incident: the full object, with the status it has there."""
    return {**objects[component_id], "status": status}


def incident_object(page: PublicPage, incident: PublicIncident, current: CurrentStatus,
                    objects: dict[str, dict]) -> dict:
    """``objects``: component id -> its object from ``components_list`` (built once per page)."""
    updates = []
    previous: dict[str, str] = {}
    for n, update in enumerate(incident.updates):
        affected = []
        for component, status in update.components:
            affected.append({"code": component, "name": page.component(component).name,
                             "old_status": previous.get(component, "operational"), "new_status": status})
            previous[component] = status
        updates.append({
            "id": f"{incident.id.lower()}-{n + 1}",
            "status": update.status,
            "body": update.message,
            "incident_id": incident.id,
            "created_at": timestamp(update.at, page),
            "updated_at": timestamp(update.at, page),
            "display_at": timestamp(update.at, page),
            "affected_components": affected,
            "deliver_notifications": True,
            "custom_tweet": None,
            "tweet_id": None,
        })
    updates.reverse()  # Statuspage lists updates newest first
    statuses = incident.statuses_at_end()
    return {
        "id": incident.id,
        "name": incident.title,
        "status": incident.api_status,
        "created_at": timestamp(incident.created, page),
        "updated_at": timestamp(incident.updated, page),
        "monitoring_at": timestamp(incident.monitoring_at, page),
        "resolved_at": timestamp(incident.resolved_at, page),
        "impact": incident.impact,
        "shortlink": site_url(page, incident_path(incident)),
        "started_at": timestamp(incident.created, page),
        "page_id": page.id,
        "incident_updates": updates,
        "components": [_component_ref(objects, c, current.components[c] if incident.is_open else statuses[c])
                       for c in incident.component_ids],
        "reminder_intervals": None,
    }


def maintenance_object(page: PublicPage, window: PublicMaintenance, current: CurrentStatus,
                       objects: dict[str, dict]) -> dict:
    status = maintenance_status(window, page.now)
    start, end = maintenance_window(window)
    updates = [{
        "id": f"{window.id}-{n + 1}",
        "status": update.status,
        "body": update.message,
        "incident_id": window.id,
        "created_at": timestamp(update.at, page),
        "updated_at": timestamp(update.at, page),
        "display_at": timestamp(update.at, page),
        "affected_components": [],
        "deliver_notifications": True,
        "custom_tweet": None,
        "tweet_id": None,
    } for n, update in enumerate(window.updates)]
    updates.reverse()
    created = window.updates[0].at if window.updates else window.start
    return {
        "id": window.id,
        "name": window.title,
        "status": status,
        "created_at": timestamp(min(created, window.start), page),
        "updated_at": timestamp(window.updates[-1].at if window.updates else created, page),
        "monitoring_at": None,
        "resolved_at": timestamp(end, page) if status == "completed" else None,
        "impact": "maintenance",
        "shortlink": site_url(page, maintenance_path(window)),
        "started_at": timestamp(start, page),
        "page_id": page.id,
        "incident_updates": updates,
        "components": [_component_ref(objects, c, current.components[c]) for c in window.components],
        "scheduled_for": timestamp(window.start, page),
        "scheduled_until": timestamp(window.end, page),
    }


def api_documents(page: PublicPage, current: CurrentStatus) -> dict[str, dict]:
    """Site path -> JSON document, for every endpoint under api/v2/."""
    head = page_object(page, current)
    status = status_object(current)
    components = components_list(page, current)
    objects = {c["id"]: c for c in components if not c["group"]}
    # Statuspage's incidents.json holds the 50 most recent incidents.
    recent = sorted(page.incidents, key=lambda i: i.created, reverse=True)[:50]
    incidents = [incident_object(page, i, current, objects) for i in recent]
    unresolved = [incident_object(page, i, current, objects) for i in current.incidents]
    windows = sorted(page.maintenance, key=lambda m: m.start, reverse=True)
    maintenance = [maintenance_object(page, m, current, objects) for m in windows]
    upcoming = [m for m in maintenance if m["status"] == "scheduled"]
    active = [m for m in maintenance if m["status"] in ("in_progress", "verifying")]
    return {
        f"{API}/summary.json": {"page": head, "components": components, "incidents": unresolved,
                                "scheduled_maintenances": active + upcoming, "status": status},
        f"{API}/status.json": {"page": head, "status": status},
        f"{API}/components.json": {"page": head, "components": components},
        f"{API}/incidents.json": {"page": head, "incidents": incidents},
        f"{API}/incidents/unresolved.json": {"page": head, "incidents": unresolved},
        f"{API}/scheduled-maintenances.json": {"page": head, "scheduled_maintenances": maintenance},
        f"{API}/scheduled-maintenances/upcoming.json": {"page": head, "scheduled_maintenances": upcoming},
        f"{API}/scheduled-maintenances/active.json": {"page": head, "scheduled_maintenances": active},
    }


def dump(document: dict) -> str:
    # ensure_ascii keeps every byte ASCII: no encoding surprises on any host,
    # and U+2028/2029 cannot break a consumer that embeds the JSON in a script.
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"

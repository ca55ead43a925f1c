"""`status/page.yaml`: the public status page's components and maintenance."""

from __future__ import annotations

from typing import Literal

from opsbook.model.base import (
    Day,
    Instant,
    Line,
    Slug,
    Strict,
    Text,
    TimeZone,
    WebUrl,
    ZonedDocument,
)

MaintenanceStatus = Literal["scheduled", "in_progress", "verifying", "completed"]


class Group(Strict):
    id: Slug
    name: Line
    description: Text = ""


class Component(Strict):
    id: Slug
    name: Line
    group: Slug | None = None
    description: Text = ""
    services: list[Slug] = []
    """Internal service ids behind it (never published)."""
    since: Day | None = None
    """When the component went live; uptime before it shows as no data."""


class MaintenanceUpdate(Strict):
    at: Instant
    status: MaintenanceStatus
    message: Text


class Maintenance(Strict):
    id: Slug
    title: Line
    start: Instant
    end: Instant
    components: list[Slug] = []
    description: Text = ""
    updates: list[MaintenanceUpdate] = []


class StatusPage(ZonedDocument):
    name: Line
    url: WebUrl | None = None
    """The status page's public address (http or https); feeds and API links are absolute under it."""
    timezone: TimeZone | None = None
    """Zone the page shows times in, and of maintenance times without an offset;
    defaults to the organisation's."""
    groups: list[Group] = []
    components: list[Component] = []
    maintenance: list[Maintenance] = []

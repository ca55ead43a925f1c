"""When the next stakeholder update is due, by the severity ladder's cadence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo

from opsbook.model.incident import Incident
from opsbook.model.kb import KnowledgeBase


@dataclass(frozen=True)
class NextUpdate:
    due: datetime | None
    """None when the incident is resolved or its level sets no cadence."""
    last: datetime
    """The last update (or the declaration) the cadence counts from."""
    overdue: bool


def next_update(kb: KnowledgeBase, incident: Incident, now: datetime) -> NextUpdate:
    """Due one ``update_every`` after the latest update of any kind (public or
    internal), or after the declaration when there has been none."""
    updates = [u.at for u in incident.updates if u.at <= now]  # not one timed after now
    last = max([incident.declared, *updates])
    level = kb.severities.get(incident.severity)
    if not incident.is_open or level is None or level.update_every is None:
        return NextUpdate(None, last, False)
    due = last + level.update_every
    return NextUpdate(due, last, due < now)


def format_instant(moment: datetime, zone: tzinfo, with_utc: bool = True) -> str:
    """``2026-11-20 10:40 EST (15:40 UTC)``: the reader's zone and UTC beside it."""
    local = moment.astimezone(zone)
    text = f"{local:%Y-%m-%d %H:%M} {local.tzname()}"
    if with_utc and local.utcoffset():
        text += f" ({moment.astimezone(timezone.utc):%H:%M} UTC)"
    return text


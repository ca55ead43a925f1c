"""Wording shared by pages: durations, deadlines and names as people read them."""

from __future__ import annotations

from datetime import timedelta

from opsbook.model.kb import KnowledgeBase
from opsbook.timeutil import Deadline

_UNITS = (("week", 604800), ("day", 86400), ("h", 3600), ("min", 60), ("s", 1))


def _count(count: int, unit: str) -> str:
    plural = "s" if count != 1 and unit in ("week", "day") else ""
    return f"{count} {unit}{plural}"


def duration_text(delta: timedelta | None) -> str:
    """5m -> "5 min", 1h -> "1 h", 10d -> "10 days", 14d -> "2 weeks", 90m -> "1 h 30 min"."""
    if delta is None:
        return ""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "immediately"
    for unit, size in _UNITS:
        if seconds % size == 0 and seconds // size < 100:
            return _count(seconds // size, unit)
    # No short exact spelling: the two largest parts, weeks spelled as days.
    parts = []
    for unit, size in _UNITS[1:]:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(_count(count, unit))
        if len(parts) == 2:
            break
    return " ".join(parts)


def deadline_text(deadline: Deadline | None) -> str:
    if deadline is None:
        return ""
    if deadline.business_days is not None:
        days = deadline.business_days
        return f"{days} business day{'s' * (days != 1)}"
    return duration_text(deadline.elapsed)


def person_name(kb: KnowledgeBase, person_id: str | None) -> str:
    if not person_id:
        return ""
    person = kb.people.get(person_id)
    return person.name if person else person_id


def team_name(kb: KnowledgeBase, team_id: str | None) -> str:
    if not team_id:
        return ""
    team = kb.teams.get(team_id)
    return team.name if team else team_id


def service_name(kb: KnowledgeBase, service_id: str | None) -> str:
    if not service_id:
        return ""
    service = kb.services.get(service_id)
    return service.name if service else service_id

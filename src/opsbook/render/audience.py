"""Which documents a build for a given audience may show.

This is the one place that decides it, so that no page (index, postmortem,
a future action-item list) can disagree about what is hidden.
"""

from __future__ import annotations

from opsbook.model.incident import Incident
from opsbook.model.kb import KnowledgeBase
from opsbook.model.postmortem import Postmortem
from opsbook.render.page import AUDIENCES, Audience

# Postmortem visibility -> the audiences that may read it. Restricted ones
# (security incidents, personal data) are published nowhere, by design.
_READERS: dict[str, frozenset[str]] = {
    "public": frozenset({"public", "internal"}),
    "internal": frozenset({"internal"}),
    "restricted": frozenset(),
}


def check_audience(audience: str) -> Audience:
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {', '.join(AUDIENCES)}; got {audience!r}")
    return audience  # type: ignore[return-value]


def may_read(audience: Audience, postmortem: Postmortem) -> bool:
    return audience in _READERS.get(postmortem.visibility, frozenset())


def visible_postmortems(kb: KnowledgeBase, audience: Audience) -> list[Postmortem]:
    return [pm for pm in kb.postmortem_list if may_read(audience, pm)]


def may_read_incident(audience: Audience, incident: Incident) -> bool:
    """Public readers see what the status page showed; internal readers see all."""
    return audience == "internal" or incident.public


def visible_incidents(kb: KnowledgeBase, audience: Audience) -> list[Incident]:
    return [inc for inc in kb.incident_list if may_read_incident(audience, inc)]


def incident_label(kb: KnowledgeBase, audience: Audience, incident_id: str | None) -> str:
    """An incident's id as a reader may see it: public write-ups of internal
    incidents name no internal record."""
    incident = kb.incidents.get(incident_id) if incident_id else None
    if incident is not None and not may_read_incident(audience, incident):
        return "internal incident"
    return incident_id or ""

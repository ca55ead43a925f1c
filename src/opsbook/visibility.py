"""Who may see what: the audiences of published output and what each may read.

This is the one place that decides it, so that no writer (site page, status
page, calendar feed, handoff) can disagree about what is hidden. It is a rule of
the domain, not of rendering: engines and writers in any layer ask it.
"""

from __future__ import annotations

from typing import Literal

from opsbook.model.incident import Incident
from opsbook.model.kb import KnowledgeBase
from opsbook.model.postmortem import Postmortem

# public: what anyone may read (the published site, status page, shared feeds);
# internal: the company's own build, which adds internal postmortems, override
# reasons and incident details. Restricted postmortems are in neither.
Audience = Literal["public", "internal"]
AUDIENCES: tuple[str, ...] = ("public", "internal")

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


def shows_override_reasons(audience: Audience) -> bool:
    """Override reasons are often personal ("at a wedding", "medical"): only the
    company's own readers see them, never a published page or feed."""
    return audience == "internal"


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


def shows_contacts(audience: Audience) -> bool:
    """Phone numbers, Slack ids and e-mail addresses are for responders: the
    company's own build shows them so the person on call can be reached at 3 AM;
    a published page, feed or status site never does."""
    return audience == "internal"

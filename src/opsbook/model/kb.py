"""The whole knowledge base as one immutable object with indexes by id."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from opsbook import timeutil
from opsbook.model.escalation import EscalationFile, EscalationPolicy
from opsbook.model.incident import Incident
from opsbook.model.org import OrgConfig, Service
from opsbook.model.people import PeopleFile, Person, Team
from opsbook.model.postmortem import Postmortem
from opsbook.model.runbook import Playbook, Runbook
from opsbook.model.schedule import Schedule
from opsbook.model.severity import SeverityFile, SeverityLevel
from opsbook.model.statuspage import Component, Group, StatusPage


def _index(items, key=lambda item: item.id) -> dict:
    out: dict = {}
    for item in items:
        out.setdefault(key(item), item)  # first wins; duplicates are reported by checks
    return out


@dataclass(frozen=True)
class KnowledgeBase:
    root: Path
    config: OrgConfig
    people_file: PeopleFile | None = None
    escalation_file: EscalationFile | None = None
    severity_file: SeverityFile | None = None
    status: StatusPage | None = None
    schedule_list: tuple[Schedule, ...] = ()
    runbook_list: tuple[Runbook, ...] = ()
    playbook_list: tuple[Playbook, ...] = ()
    incident_list: tuple[Incident, ...] = ()
    postmortem_list: tuple[Postmortem, ...] = ()
    # Kinds of thing whose file failed to load: references to them cannot be
    # checked, and reporting each one would bury the real error.
    broken: frozenset[str] = frozenset()
    # Ids of items whose own file failed to load (e.g. one bad incident).
    broken_ids: frozenset[tuple[str, str]] = frozenset()
    # Kind -> the defining file that does not exist (schedules/people.yaml ...).
    missing: tuple[tuple[str, str], ...] = ()

    people: dict[str, Person] = field(init=False)
    teams: dict[str, Team] = field(init=False)
    services: dict[str, Service] = field(init=False)
    escalation: dict[str, EscalationPolicy] = field(init=False)
    severities: dict[str, SeverityLevel] = field(init=False)
    schedules: dict[str, Schedule] = field(init=False)
    runbooks: dict[str, Runbook] = field(init=False)
    playbooks: dict[str, Playbook] = field(init=False)
    incidents: dict[str, Incident] = field(init=False)
    postmortems: dict[str, Postmortem] = field(init=False)
    components: dict[str, Component] = field(init=False)
    groups: dict[str, Group] = field(init=False)
    _postmortems_by_incident: dict[str, list[Postmortem]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        people = self.people_file or PeopleFile()
        put = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 - frozen dataclass
        put("people", _index(people.people))
        put("teams", _index(people.teams))
        put("services", _index(self.config.services))
        put("escalation", _index(self.escalation_file.policies if self.escalation_file else ()))
        put("severities", _index(self.severity_file.levels if self.severity_file else ()))
        put("schedules", _index(self.schedule_list))
        put("runbooks", _index(self.runbook_list))
        put("playbooks", _index(self.playbook_list))
        put("incidents", _index(self.incident_list))
        put("postmortems", _index(self.postmortem_list))
        put("components", _index(self.status.components if self.status else ()))
        put("groups", _index(self.status.groups if self.status else ()))
        by_incident: dict[str, list[Postmortem]] = {}
        for pm in self.postmortem_list:
            if pm.incident:
                by_incident.setdefault(pm.incident, []).append(pm)
        put("_postmortems_by_incident", by_incident)

    @property
    def zone(self) -> ZoneInfo:
        return timeutil.get_zone(self.config.timezone)

    @property
    def status_zone(self) -> ZoneInfo:
        """The status page's zone: its own, else the organisation's."""
        name = self.status.timezone if self.status and self.status.timezone else self.config.timezone
        return timeutil.get_zone(name)

    @property
    def levels(self) -> tuple[SeverityLevel, ...]:
        """Severity levels, most severe first."""
        return tuple(self.severity_file.levels) if self.severity_file else ()

    def knows(self, kind: str, ident: str) -> bool | None:
        """True/False if ``ident`` exists; None when that kind failed to load."""
        if kind in self.broken or (kind, ident) in self.broken_ids:
            return None
        return ident in getattr(self, _KIND_INDEX[kind])

    def missing_file_for(self, kind: str) -> str | None:
        return dict(self.missing).get(kind)

    def ids(self, kind: str) -> list[str]:
        return sorted(getattr(self, _KIND_INDEX[kind]))

    def postmortems_for(self, incident_id: str) -> list[Postmortem]:
        # An index, not a scan: checks call this once per incident.
        return list(self._postmortems_by_incident.get(incident_id, ()))


_KIND_INDEX = {
    "person": "people", "team": "teams", "service": "services", "escalation": "escalation",
    "severity": "severities", "schedule": "schedules", "runbook": "runbooks", "playbook": "playbooks",
    "incident": "incidents", "postmortem": "postmortems", "component": "components", "group": "groups",
}

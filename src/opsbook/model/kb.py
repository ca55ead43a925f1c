"""The whole knowledge base as one immutable object with indexes by id.

A command may load only the kinds it needs (``load(root, kinds=...)``); the
others are *not loaded*, which is not the same as empty: any use of an unloaded
kind's list, index or file raises ``NotLoaded``, so a command that forgot to ask
for a kind fails loudly in its tests instead of answering from nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from opsbook import timeutil

if TYPE_CHECKING:  # the models are imported by the loader, kind by kind, when loaded
    from opsbook.model.escalation import EscalationFile, EscalationPolicy
    from opsbook.model.incident import Incident
    from opsbook.model.org import OrgConfig, Service
    from opsbook.model.people import PeopleFile, Person, Team
    from opsbook.model.postmortem import Postmortem
    from opsbook.model.runbook import Playbook, Runbook
    from opsbook.model.schedule import Schedule
    from opsbook.model.severity import SeverityFile, SeverityLevel
    from opsbook.model.statuspage import Component, Group, StatusPage


# Every kind the model knows, and the file kind that defines it: the loader reads
# files, so asking for "person" loads schedules/people.yaml and with it "team".
KINDS = ("person", "team", "service", "escalation", "severity", "schedule", "runbook", "playbook", "incident",
         "postmortem", "component", "group")
SOURCE_OF = {"person": "people", "team": "people", "service": "config", "escalation": "escalation",
             "severity": "severity", "schedule": "schedule", "runbook": "runbook", "playbook": "playbook",
             "incident": "incident", "postmortem": "postmortem", "component": "status", "group": "status"}


def kinds_with(kinds) -> frozenset[str]:
    """``kinds`` and the kinds that come from the same files ("person" brings
    "team"); "service" always, since opsbook.yaml is always read."""
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kind(s) {sorted(unknown)}; known: {', '.join(KINDS)}")
    sources = {SOURCE_OF[kind] for kind in kinds} | {"config"}
    return frozenset(kind for kind in KINDS if SOURCE_OF[kind] in sources)


class NotLoaded(RuntimeError):
    """A kind (or an incident) the command did not ask the loader for was used: a
    programming error, never a user's."""


class _Unloaded:
    """Stands in for the list, index or file of a kind that was not loaded."""

    __slots__ = ("_what",)

    def __init__(self, what: str) -> None:
        self._what = what

    def _fail(self, *_args, **_kwargs):
        raise NotLoaded(f"{self._what} was not loaded: add it to the kinds the command loads "
                        f"(load(root, kinds=...) / load_or_exit(..., kinds=...))")

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        self._fail()

    __iter__ = __len__ = __contains__ = __getitem__ = __bool__ = _fail

    def __repr__(self) -> str:
        return f"<not loaded: {self._what}>"


class _Partial(dict):
    """The index of a kind loaded for some ids only (one incident for `incident
    update`). It answers for those ids, letter case ignored as ``find_incident``
    ignores it, and raises ``NotLoaded`` for any other id and for iteration."""

    def __init__(self, items: dict, kind: str, covered: frozenset[str]) -> None:
        super().__init__(items)
        self._kind, self._covered = kind, covered

    def _check(self, key) -> None:
        if not isinstance(key, str) or key.upper() not in self._covered:
            raise NotLoaded(f"{self._kind} '{key}' was not loaded (only {', '.join(sorted(self._covered))})")

    def get(self, key, default=None):
        self._check(key)
        found = dict.get(self, key)
        if found is None:
            found = next((v for k, v in dict.items(self) if k.upper() == key.upper()), None)
        return default if found is None else found

    def __contains__(self, key) -> bool:
        self._check(key)
        return dict.__contains__(self, key)

    def __getitem__(self, key):
        self._check(key)
        return dict.__getitem__(self, key)

    def _fail(self, *_args, **_kwargs):
        raise NotLoaded(f"only some {self._kind}s were loaded ({', '.join(sorted(self._covered))}); "
                        f"load the kind whole to list them")

    __iter__ = __len__ = keys = values = items = _fail

    def __bool__(self) -> bool:
        return True


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
    # The kinds loaded (see KINDS); None: all of them. The others raise NotLoaded.
    loaded: frozenset[str] | None = None
    # Kinds loaded for some ids only: (kind, ids upper-cased), e.g. one incident.
    partial: tuple[tuple[str, frozenset[str]], ...] = ()

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
        people = self.people_file
        put = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 - frozen dataclass
        put("people", _index(people.people if people else ()))
        put("teams", _index(people.teams if people else ()))
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
            for incident_id in pm.incident_ids:  # `incident` and every one of `incidents`
                by_incident.setdefault(incident_id, []).append(pm)
        put("_postmortems_by_incident", by_incident)
        if self.loaded is not None:
            self._mark_unloaded(put)

    def _mark_unloaded(self, put) -> None:
        loaded = kinds_with(self.loaded)
        put("loaded", loaded)
        for kind in KINDS:
            if kind not in loaded:
                put(_KIND_INDEX[kind], _Unloaded(f"the kind '{kind}'"))
                for name in _KIND_SOURCE_FIELDS.get(kind, ()):
                    put(name, _Unloaded(f"the kind '{kind}'"))
        if "postmortem" not in loaded:
            put("_postmortems_by_incident", _Unloaded("the kind 'postmortem'"))
        for kind, covered in self.partial:
            name = _KIND_INDEX[kind]
            put(name, _Partial(getattr(self, name), kind, covered))
            for field_name in _KIND_SOURCE_FIELDS.get(kind, ()):
                put(field_name, _Unloaded(f"the whole kind '{kind}' (only {', '.join(sorted(covered))})"))

    def require(self, *kinds: str) -> None:
        """Raise NotLoaded unless every one of ``kinds`` was loaded whole."""
        for kind in kinds:
            if self.loaded is not None and (kind not in self.loaded or any(k == kind for k, _ in self.partial)):
                raise NotLoaded(f"the kind '{kind}' was not loaded whole")

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
        """True/False if ``ident`` exists; None when that kind failed to load.
        NotLoaded when the command did not load that kind (or that id)."""
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


# The fields a kind's model comes from, besides its index.
_KIND_SOURCE_FIELDS = {
    "person": ("people_file",), "team": ("people_file",), "escalation": ("escalation_file",),
    "severity": ("severity_file",), "schedule": ("schedule_list",), "runbook": ("runbook_list",),
    "playbook": ("playbook_list",), "incident": ("incident_list",), "postmortem": ("postmortem_list",),
    "component": ("status",), "group": ("status",),
}

_KIND_INDEX = {
    "person": "people", "team": "teams", "service": "services", "escalation": "escalation",
    "severity": "severities", "schedule": "schedules", "runbook": "runbooks", "playbook": "playbooks",
    "incident": "incidents", "postmortem": "postmortems", "component": "components", "group": "groups",
}

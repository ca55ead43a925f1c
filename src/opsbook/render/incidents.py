"""`incidents/index.md` and one page per incident the audience may read.

A public build lists only incidents marked ``public: true`` (those that were on
the status page) and shows what the status page showed: public updates and
status-page components. Internal service ids, the summary, roles and the
internal timeline appear only in an internal build. Postmortems are linked
only where ``opsbook.visibility`` lets the reader open them.
"""

from __future__ import annotations

from datetime import datetime

from opsbook.model.incident import Incident, Update
from opsbook.model.kb import KnowledgeBase
from opsbook.visibility import may_read, visible_incidents
from opsbook.render.environment import render_template
from opsbook.render.markdown import Markdown, page_link
from opsbook.render.page import Audience, Page, Site
from opsbook.render.postmortems import postmortem_path
from opsbook.render.severity import level_link
from opsbook.humanize import duration_text, person_name, service_name

INDEX = "incidents/index.md"


def incident_runbooks(kb: KnowledgeBase, incident: Incident) -> list:
    """The runbooks a responder wants: those the incident names (the alerts'
    runbooks, ``runbooks:``) first, then every runbook of its services, each once.
    Helper pages under runbooks/ are not runbooks."""
    from opsbook.render.runbooks import is_page

    found, seen = [], set()
    named = [kb.runbooks.get(ident.removesuffix(".md")) for ident in incident.runbooks]
    for runbook in [*named, *sorted((rb for rb in kb.runbook_list if rb.service in incident.services),
                                    key=lambda rb: (incident.services.index(rb.service), rb.title.lower()))]:
        if runbook is not None and runbook.id not in seen and not is_page(kb, runbook):
            seen.add(runbook.id)
            found.append(runbook)
    return found


def runbook_links(kb: KnowledgeBase, incident: Incident, from_page: str) -> Markdown:
    from opsbook.render.runbooks import runbook_path

    return Markdown(", ".join(page_link(rb.title, from_page, runbook_path(rb))
                              for rb in incident_runbooks(kb, incident)))


def incident_path(incident: Incident) -> str:
    return f"incidents/{incident.id}.md"


def duration(incident: Incident) -> str:
    if incident.resolved is None:
        return f"ongoing ({incident.status})"
    return duration_text(incident.resolved - (incident.started or incident.declared)) or "under a minute"


def posted(incident: Incident, now: datetime | None) -> list[Update]:
    """The updates posted by ``now``: a site built at an earlier instant (or an
    update scheduled ahead) shows what the status page showed then, no more."""
    return [u for u in incident.updates if now is None or u.at <= now]


def components(kb: KnowledgeBase, incident: Incident, now: datetime | None = None) -> list[str]:
    """Status-page components the updates reported as anything but operational."""
    names = {c.id: c.name for c in kb.components.values()}
    seen: dict[str, str] = {}
    for update in posted(incident, now):
        for component, status in update.components.items():
            # Only components on the status page: an id that is not there is an
            # internal name (validate reports it as OB208), never shown.
            if status != "operational" and component in names:
                seen.setdefault(component, names[component])
    return list(seen.values())


def affected(kb: KnowledgeBase, incident: Incident, audience: Audience, now: datetime | None = None) -> list[str]:
    """What was hit, in words the reader may see: services inside, components outside."""
    if audience == "internal":
        return [service_name(kb, s) for s in incident.services]
    return components(kb, incident, now)


def _when(kb: KnowledgeBase, moment) -> str:
    local = moment.astimezone(kb.zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def incident_index(kb: KnowledgeBase, incidents: list[Incident], audience: Audience,
                   now: datetime | None = None) -> Page:
    newest = sorted(incidents, key=lambda inc: (inc.declared, inc.id), reverse=True)
    markdown = render_template(
        "incidents_index.md.j2", incidents=newest, audience=audience,
        link=lambda inc: page_link(inc.title, INDEX, incident_path(inc)),
        severity=lambda inc: level_link(kb, inc.severity, INDEX, short=True),
        date=lambda inc: f"{inc.declared.astimezone(kb.zone):%Y-%m-%d}",
        duration=duration, affected=lambda inc: affected(kb, inc, audience, now),
        runbooks=lambda inc: runbook_links(kb, inc, INDEX),
    )
    return Page(INDEX, markdown, None)


def incident_page(kb: KnowledgeBase, incident: Incident, audience: Audience, now: datetime | None = None) -> Page:
    path = incident_path(incident)
    readable = [pm for pm in kb.postmortems_for(incident.id) if may_read(audience, pm)]
    names = {c.id: c.name for c in kb.components.values()}
    milestones = [(name.capitalize(), _when(kb, getattr(incident, name)))
                  for name in ("started", "detected", "declared", "acknowledged", "mitigated", "resolved")
                  if getattr(incident, name) is not None]
    markdown = render_template(
        "incident.md.j2", incident=incident, internal=audience == "internal",
        severity=level_link(kb, incident.severity, path), duration=duration(incident),
        affected=affected(kb, incident, audience, now), milestones=milestones, updates=posted(incident, now),
        when=lambda moment: _when(kb, moment), zone=kb.zone.key,
        component_text=lambda comps: ", ".join(f"{names[c]}: {s.replace('_', ' ')}" for c, s in comps.items()
                                               if c in names),
        person=lambda pid: person_name(kb, pid),
        postmortems=Markdown(", ".join(page_link(pm.title, path, postmortem_path(pm)) for pm in readable)),
        index=page_link("All incidents", path, INDEX),
        runbooks=runbook_links(kb, incident, path),
    )
    return Page(path, markdown, incident.file)


def shown_incidents(kb: KnowledgeBase, audience: Audience, now: datetime) -> list[Incident]:
    """The incidents a reader may see at ``now``, one per id.

    A public build lists what the status page showed: a public incident whose
    every update is still to come was not on it yet. Should two records share an
    id (validate reports it; publishing stops on it), the model's index decides
    which one is shown, so no page is built twice.
    """
    out, seen = [], set()
    for inc in visible_incidents(kb, audience):
        if kb.incidents.get(inc.id) is not inc or inc.id in seen:
            continue
        seen.add(inc.id)
        if audience == "public" and inc.updates and not posted(inc, now):
            continue
        out.append(inc)
    return out


def site_pages(site: Site) -> list[Page]:
    shown = shown_incidents(site.kb, site.audience, site.now)
    return [incident_index(site.kb, shown, site.audience, site.now),
            *(incident_page(site.kb, inc, site.audience, site.now) for inc in shown)]


__all__ = ["INDEX", "incident_path", "site_pages", "visible_incidents"]

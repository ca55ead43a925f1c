"""`postmortems/index.md` and one page per postmortem the audience may read.

Hidden postmortems are dropped before anything is rendered, so neither the
index nor any other page can mention them.
"""

from __future__ import annotations

from datetime import date

from opsbook.model.kb import KnowledgeBase
from opsbook.model.postmortem import ActionItem, Postmortem
from opsbook.visibility import (
    incident_label,
    may_read_incident,
    visible_postmortems,
)
from opsbook.render.body import append_to_section, split_title
from opsbook.render.environment import render_template
from opsbook.render.markdown import Markdown, external_link, md_escape, page_link
from opsbook.render.page import Audience, Page, Site
from opsbook.render.severity import level_link
from opsbook.humanize import person_name

INDEX = "postmortems/index.md"


def postmortem_path(postmortem: Postmortem) -> str:
    return f"postmortems/{postmortem.id}.md"


def severity_of(kb: KnowledgeBase, postmortem: Postmortem) -> str | None:
    """The incident's severity; the postmortem's own for a near miss."""
    incident = kb.incidents.get(postmortem.incident) if postmortem.incident else None
    return incident.severity if incident is not None else postmortem.severity


def _incident_text(kb: KnowledgeBase, postmortem: Postmortem, audience: Audience = "public") -> Markdown:
    if not postmortem.incident:
        return Markdown("")
    incident = kb.incidents.get(postmortem.incident)
    if incident is not None and not may_read_incident(audience, incident):
        # A public write-up of an incident that was never public must not
        # reveal the internal record's title (or that record's id).
        return md_escape("an internal incident")
    if incident is None or incident.title == postmortem.title:
        return md_escape(postmortem.incident)
    return md_escape(f"{incident.id} · {incident.title}")


def _ticket(item: ActionItem) -> Markdown:
    """A ticket URL becomes a link; a tracker key (PAY-1234) stays text."""
    return external_link(item.ticket, item.ticket)


def _action_items_table(kb: KnowledgeBase, items: list[ActionItem]) -> str:
    return render_template("action_items.md.j2", items=items,
                           owner=lambda item: person_name(kb, item.owner), ticket=_ticket)


def _newest_first(postmortems: list[Postmortem]) -> list[Postmortem]:
    return sorted(postmortems, key=lambda pm: (pm.date or date.min, pm.id), reverse=True)


def postmortem_index(kb: KnowledgeBase, postmortems: list[Postmortem], audience: Audience = "public") -> Page:
    markdown = render_template(
        "postmortems_index.md.j2",
        postmortems=_newest_first(postmortems),
        link=lambda pm: page_link(pm.title, INDEX, postmortem_path(pm)),
        incident=lambda pm: incident_label(kb, audience, pm.incident),
        severity=lambda pm: level_link(kb, severity_of(kb, pm), INDEX, short=True),
        open_items=lambda pm: sum(1 for item in pm.action_items if item.is_open),
    )
    return Page(INDEX, markdown, None)


def postmortem_page(kb: KnowledgeBase, postmortem: Postmortem, audience: Audience = "public") -> Page:
    path = postmortem_path(postmortem)
    titled = split_title(postmortem.body, postmortem.title)
    body = titled.rest
    if postmortem.action_items:
        body = Markdown(append_to_section(body, "Action items",
                                          _action_items_table(kb, postmortem.action_items)))
    markdown = render_template(
        "postmortem.md.j2",
        postmortem=postmortem,
        heading=titled.heading,
        body=body,
        incident=_incident_text(kb, postmortem, audience),
        severity=level_link(kb, severity_of(kb, postmortem), path),
        owner=person_name(kb, postmortem.owner),
        authors=[person_name(kb, author) for author in postmortem.authors],
    )
    return Page(path, markdown, postmortem.file)


def postmortem_pages(kb: KnowledgeBase, audience: Audience) -> list[Page]:
    shown = visible_postmortems(kb, audience)
    return [postmortem_index(kb, shown, audience), *(postmortem_page(kb, pm, audience) for pm in shown)]


def site_pages(site: Site) -> list[Page]:
    return postmortem_pages(site.kb, site.audience)

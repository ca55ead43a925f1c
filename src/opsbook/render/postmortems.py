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
    may_read,
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
    """The (main) incident's severity; the postmortem's own for a near miss."""
    main = postmortem.main_incident
    incident = kb.incidents.get(main) if main else None
    return incident.severity if incident is not None else postmortem.severity


def _one_incident(kb: KnowledgeBase, postmortem: Postmortem, incident_id: str, audience: Audience) -> str:
    incident = kb.incidents.get(incident_id)
    if incident is not None and not may_read_incident(audience, incident):
        # A public write-up of an incident that was never public must not
        # reveal the internal record's title (or that record's id).
        return "an internal incident"
    if incident is None or incident.title == postmortem.title:
        return incident_id
    return f"{incident.id} · {incident.title}"


def _incident_text(kb: KnowledgeBase, postmortem: Postmortem, audience: Audience = "public") -> Markdown:
    """Every incident it covers (`incident` and `incidents`), each as the audience may see it."""
    parts = [_one_incident(kb, postmortem, i, audience) for i in postmortem.incident_ids]
    return md_escape("; ".join(dict.fromkeys(parts))) if parts else Markdown("")


def incidents_label(kb: KnowledgeBase, audience: Audience, postmortem: Postmortem) -> str:
    """The incident ids of a postmortem as a reader may see them, for index rows."""
    return ", ".join(dict.fromkeys(incident_label(kb, audience, i) for i in postmortem.incident_ids))


def _related(kb: KnowledgeBase, postmortem: Postmortem, audience: Audience) -> list[Markdown]:
    """Links to the related postmortems this audience may read; the others are left out
    (a public page must not link to an internal one)."""
    out = []
    for ref in postmortem.related:
        other = kb.postmortems.get(ref.removesuffix(".md"))
        if other is not None and other.id != postmortem.id and may_read(audience, other):
            out.append(page_link(other.title, postmortem_path(postmortem), postmortem_path(other)))
    return out


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
        incident=lambda pm: incidents_label(kb, audience, pm),
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
        near_miss=not postmortem.incident_ids and not postmortem.imported_from,
        related=_related(kb, postmortem, audience),
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

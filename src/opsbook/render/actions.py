"""`actions.md`: the action-item tracker, overdue items first, then by team and owner.

Items come only from postmortems the audience may read (``opsbook.visibility``),
so a public build never shows an internal postmortem's items. Overdue is
judged at the build instant (``site.now``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from opsbook.incidents.actions import Row, rows, select
from opsbook.model.kb import KnowledgeBase
from opsbook.visibility import incident_label, visible_postmortems
from opsbook.render import live
from opsbook.render.environment import render_template
from opsbook.render.markdown import Markdown, page_link
from opsbook.render.page import Page, Site
from opsbook.render.postmortems import postmortem_path
from opsbook.humanize import person_name, team_name
from opsbook.timeutil import start_of_day

PATH = "actions.md"


@dataclass(frozen=True)
class OwnerGroup:
    name: str
    rows: list[Row]


@dataclass(frozen=True)
class TeamGroup:
    name: str
    owners: list[OwnerGroup]
    overdue: int


def groups(kb: KnowledgeBase, open_rows: list[Row]) -> list[TeamGroup]:
    """Teams with overdue items first (most first), then by name; owners likewise."""
    by_team: dict[str | None, dict[str | None, list[Row]]] = {}
    for row in open_rows:
        by_team.setdefault(row.team, {}).setdefault(row.item.owner, []).append(row)
    out = []
    for team, owners in by_team.items():
        owner_groups = [OwnerGroup(person_name(kb, owner) or "No owner", items) for owner, items in owners.items()]
        owner_groups.sort(key=lambda g: (-sum(r.overdue for r in g.rows), g.name.lower()))
        overdue = sum(r.overdue for g in owner_groups for r in g.rows)
        out.append(TeamGroup(team_name(kb, team) or "No team", owner_groups, overdue))
    return sorted(out, key=lambda g: (-g.overdue, g.name.lower()))


def source_link(kb, audience, row: Row) -> Markdown:
    main = row.postmortem.main_incident
    label = incident_label(kb, audience, main) if main else row.postmortem.title
    return page_link(label, PATH, postmortem_path(row.postmortem))


def _first_late_day(kb: KnowledgeBase, row: Row):
    """The instant an open item becomes overdue: the start of the day after its due
    date in the organisation's zone (``incidents.actions`` counts days there)."""
    return start_of_day(row.item.due + timedelta(days=1), kb.zone)


def site_pages(site: Site) -> list[Page]:
    """Overdue is decided at the build and again by the reader's clock: the
    overdue table carries every open item with a due date, each shown from its
    first late day, and the day counts are recounted in the browser."""
    kb = site.kb
    zone = kb.config.timezone
    all_rows = rows(kb, site.now, visible_postmortems(kb, site.audience))
    open_rows = select(all_rows)
    dated = sorted((r for r in open_rows if r.item.due is not None),
                   key=lambda r: (r.item.due, r.item.id))
    late = {r.item.id: (live.row_marker(site.now, _first_late_day(kb, r), None, "overdue"),
                        live.days_late(r.item.due, zone, r.overdue_days),
                        live.late_flag(site.now, _first_late_day(kb, r), r.item.due, zone, r.overdue_days))
            for r in dated}
    markdown = render_template(
        "actions.md.j2", overdue=dated, late=late, teams=groups(kb, open_rows),
        nothing_overdue=live.empty_note("Nothing is overdue.", "overdue", not any(r.overdue for r in open_rows)),
        closed=sum(1 for r in all_rows if not r.item.is_open), total=len(all_rows),
        as_of=f"{site.now.astimezone(kb.zone):%Y-%m-%d}", owner=lambda r: person_name(kb, r.item.owner),
        source=lambda row: source_link(kb, site.audience, row),
    )
    return [Page(PATH, markdown, None)]

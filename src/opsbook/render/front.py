"""The live part of the front page: what is burning, who is on call, what is
overdue, and how ready the practice is.

The home page is the team's own ``docs/index.md``; the MkDocs plugin puts this
block where that page has the marker ``<!-- opsbook:front-page -->`` (a page
without it is left alone). Everything time-relative is answered at the build
instant and again in the browser: who is on call through ``oncall.js`` and the
embedded shifts, "overdue" through ``render.live`` markers and ``site.js``.

What a reader may see follows ``opsbook.visibility`` as everywhere else: a public
build lists the incidents the status page shows and the action items of public
postmortems; commanders (incident roles) are named in internal builds only.
"""

from __future__ import annotations

from datetime import timedelta

from opsbook.humanize import person_name
from opsbook.incidents.actions import rows
from opsbook.incidents.cadence import format_instant, next_update
from opsbook.render import live
from opsbook.render.environment import render_template
from opsbook.render.markdown import Markdown, md_cell, page_link
from opsbook.render.page import Page, Site
from opsbook.timeutil import start_of_day
from opsbook.visibility import incident_label, visible_postmortems

MARKER = "<!-- opsbook:front-page -->"
HOME = "index.md"
READINESS = "readiness/index.md"
NOW_PAGE = "now.md"
"""The same block as a page of its own, for engines that run no MkDocs plugin
(Zensical): `opsbook render` writes it, and the home page can link to it."""


def _incidents(site: Site, from_page: str) -> list[dict]:
    from opsbook.render.incidents import incident_path, runbook_links, shown_incidents
    from opsbook.render.severity import level_link

    kb, now = site.kb, site.now
    out = []
    for inc in sorted((i for i in shown_incidents(kb, site.audience, now) if i.is_open),
                      key=lambda i: ([lv.id for lv in kb.levels].index(i.severity)
                                     if i.severity in kb.severities else len(kb.levels), i.declared)):
        due = next_update(kb, inc, now).due
        out.append({
            "link": page_link(f"{inc.id}: {inc.title}", from_page, incident_path(inc)),
            "severity": level_link(kb, inc.severity, from_page, short=True),
            "status": inc.status,
            "commander": person_name(kb, inc.commander) or "not named",
            "due": Markdown(f"{md_cell(format_instant(due, kb.zone))} {live.flag('overdue', now, due)}")
            if due else Markdown("no cadence"),
            "runbooks": runbook_links(kb, inc, from_page),
        })
    return out


def _schedules(site: Site, from_page: str) -> list[dict]:
    from opsbook.render.oncall import _now_block, schedule_path

    return [{"link": page_link(schedule.name, from_page, schedule_path(schedule.id)),
             "now": _now_block(site.kb, schedule, site.now, site.audience)} for schedule in site.kb.schedule_list]


def _overdue(site: Site, from_page: str) -> tuple[list[dict], bool]:
    """Every open item with a due date, each shown from the first day it is
    overdue (in the organisation's zone), and whether any is overdue at the build."""
    from opsbook.render.postmortems import postmortem_path

    kb, now = site.kb, site.now
    found, any_now = [], False
    for row in sorted(rows(kb, now, visible_postmortems(kb, site.audience)),
                      key=lambda r: (r.item.due or now.date(), r.item.id)):
        if not row.item.is_open or row.item.due is None:
            continue
        start = start_of_day(row.item.due + timedelta(days=1), kb.zone)
        any_now = any_now or live.shown_at(now, start, None)
        main = row.postmortem.main_incident
        found.append({
            "mark": live.row_marker(now, start, None, "overdue"),
            "title": row.item.title, "owner": person_name(kb, row.item.owner), "due": row.item.due,
            "source": page_link(incident_label(kb, site.audience, main) if main else row.postmortem.title,
                                from_page, postmortem_path(row.postmortem)),
        })
    return found, any_now


def _readiness(site: Site, pages: set[str] | None, from_page: str) -> dict | None:
    """The readiness score from ``opsbook.doctor`` when that package exists."""
    try:
        from opsbook.doctor import scorecard
    except ImportError:
        return None
    card = scorecard(site.kb, site.now, site.audience)
    link = page_link("the readiness scorecard", from_page, READINESS) if pages is None or READINESS in pages \
        else None
    return {"passed": int(card.passed), "total": int(card.total), "link": link,
            "failing": [item.title for item in card.items if item.status == "fail"]}


def front_block(site: Site, pages: set[str] | None = None, from_page: str = HOME, heading: bool = True) -> str:
    """The block as Markdown for the page at ``from_page``. ``pages``: the site's
    page paths, so a link is made only to a page that exists (None: assume all)."""
    kb = site.kb
    overdue, any_overdue = _overdue(site, from_page)
    from opsbook.render.oncall import INDEX as ONCALL, embedded

    return render_template(
        "front.md.j2",
        heading=heading,
        incidents=_incidents(site, from_page),
        internal=site.audience == "internal",
        built=format_instant(site.now, kb.zone),
        schedules=_schedules(site, from_page),
        oncall=page_link("On call", from_page, ONCALL),
        incidents_page=page_link("Incidents", from_page, "incidents/index.md"),
        actions_page=page_link("Action items", from_page, "actions.md"),
        overdue=overdue,
        nothing_overdue=live.empty_note("Nothing is overdue.", "overdue", not any_overdue),
        readiness=_readiness(site, pages, from_page),
        data=embedded(kb, site.now, from_page, audience=site.audience) if kb.schedule_list else Markdown(""),
    )


def site_pages(site: Site) -> list[Page]:
    """``now.md``: the block under its own title. The readiness page is rendered
    by ``render.doctor`` whenever ``opsbook.doctor`` exists, so the link is safe."""
    body = front_block(site, None, NOW_PAGE, heading=False)
    return [Page(NOW_PAGE, "# Right now\n\n" + body, None)]

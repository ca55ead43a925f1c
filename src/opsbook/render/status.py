"""`status/index.md`: the knowledge-base site's status section.

Built by the status page's own engine from the same public projection as the
standalone status site, so the two never disagree and this page can show no
more than the public site does, whatever the build's audience.
"""

from __future__ import annotations

from datetime import timedelta

from opsbook.render.environment import render_template
from opsbook.render.markdown import Markdown, external_link
from opsbook.render.page import Page, Site

PATH = "status/index.md"


def site_pages(site: Site) -> list[Page]:
    if site.kb.status is None:
        return []
    from opsbook.statuspage.current import current_status, maintenance_status
    from opsbook.statuspage.public import public_page
    from opsbook.statuspage.site import percent_text
    from opsbook.statuspage.uptime import WINDOW_DAYS, uptime_report
    from opsbook.statuspage.vocabulary import (
        COMPONENT_LABEL,
        COMPONENT_SYMBOL,
        DOWNTIME_WEIGHT,
        IMPACT_LABEL,
        MAINTENANCE_LABEL,
        STAGE_LABEL,
    )

    page = public_page(site.kb, site.now)
    current = current_status(page)
    uptime = uptime_report(page)
    zone = page.zone
    groups = {g.id: g.name for g in page.groups}
    cutoff = page.now - timedelta(days=WINDOW_DAYS)
    markdown = render_template(
        "status.md.j2",
        page=page,
        current=current,
        site_link=external_link(page.url, page.url) if page.url else Markdown(""),
        when=lambda t: t.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z"),
        components=[(groups.get(c.group or "", ""), c, current.components[c.id], percent_text(uptime[c.id].uptime))
                    for c in page.components],
        recent=[i for i in reversed(page.incidents) if not i.is_open and i.updated >= cutoff],
        label=COMPONENT_LABEL, symbol=COMPONENT_SYMBOL, stage=STAGE_LABEL, impact=IMPACT_LABEL,
        maintenance_label=MAINTENANCE_LABEL, maintenance_status=lambda m: maintenance_status(m, page.now),
        postmortem=lambda i: external_link("postmortem", i.postmortem_url) if i.postmortem_url else Markdown(""),
        window_days=WINDOW_DAYS, partial_weight=round(DOWNTIME_WEIGHT["partial_outage"] * 100),
    )
    return [Page(PATH, markdown, site.kb.status.file)]

"""`metrics/index.md`: the operational review over the last twelve months, with charts.

The window is the twelve calendar months (in the organisation's zone) ending
with the month of the build, up to the build instant, so each month is a whole
bar except the current one. Figures come from ``metrics.compute.report`` for
the page's audience: a public build counts only public incidents and shows
components instead of services and only the time to resolve (see that
module), so an internal incident is neither counted nor named.

Each chart is inline SVG (``metrics.charts``) in a <figure> with a caption;
its data follows as a Markdown table, the text alternative a screen reader or
a phone user can read exactly.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from opsbook.humanize import duration_text
from opsbook.metrics.definitions import BUCKET_LABEL, BUCKET_MEANING, MEASURES, PER_SHIFT_LIMIT, SHARE_LIMIT
from opsbook.metrics.model import MetricsReport
from opsbook.model.kb import KnowledgeBase
from opsbook.render.environment import render_template
from opsbook.render.incidents import incident_path
from opsbook.render.markdown import Markdown, html_text, page_link
from opsbook.render.page import Page, Site
from opsbook.timeutil import start_of_day

PATH = "metrics/index.md"
MONTHS = 12
STATES = (("on_time", "On time"), ("late", "Late"), ("overdue_draft", "Overdue draft"), ("missing", "Missing"),
          ("pending", "Not due yet"), ("undated", "Out of draft, undated"), ("not_public", "Not public"))


def window(kb: KnowledgeBase, now: datetime) -> tuple[datetime, datetime]:
    local = now.astimezone(kb.zone).date().replace(day=1)
    first = local
    for _ in range(MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return start_of_day(first, kb.zone), now


def span(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    whole = int(round(seconds / 60)) * 60
    return duration_text(timedelta(seconds=whole)) if whole else "under a minute"


def figure(chart) -> Markdown:
    """A chart as one raw HTML block: <figure>, the SVG, a caption."""
    return Markdown(f'<figure class="opsbook-figure" id="{chart.id}">{chart.svg}'
                    f"<figcaption>{html_text(chart.description)}</figcaption></figure>")


def charts(kb: KnowledgeBase, r: MetricsReport) -> dict[str, Markdown]:
    from opsbook.metrics import charts as draw

    months = [m.month for m in r.counts.by_month]
    levels = [lvl.id for lvl in kb.levels]
    out: dict[str, Markdown] = {}
    total = sum(m.total for m in r.counts.by_month)
    out["by_month"] = figure(draw.stacked_months(
        "chart-by-month", "Incidents per month by severity",
        f"{total} incidents over {len(months)} months, from {months[0]} to {months[-1]}; the table below gives "
        "each month's count per severity.",
        months, [(lvl, [m.counts.get(lvl, 0) for m in r.counts.by_month]) for lvl in levels]))
    resolve = {g.key: next(m for m in g.measures if m.id == "resolve").summary for g in r.groups}
    hours = lambda v: None if v is None else round(v / 3600, 2)  # noqa: E731
    out["resolve"] = figure(draw.lines_by_month(
        "chart-resolve", "Time to resolve per month, median and p90",
        "Hours from impact to resolution for incidents declared each month; months without a resolved incident "
        "are gaps. The table below gives n, the median and the p90 of each month.",
        months, [("median", [hours(resolve[m].median_seconds) if m in resolve else None for m in months]),
                 ("p90", [hours(resolve[m].p90_seconds) if m in resolve else None for m in months])], "hours"))
    where = r.counts.by_service or r.counts.by_component
    noun = "service" if r.counts.by_service else "status-page component"
    if where:
        out["where"] = figure(draw.horizontal_bars(
            "chart-where", f"Incidents per {noun}",
            f"Incidents per {noun}, most first; the table below lists the counts. An incident that hit several "
            f"counts for each.", [c.label for c in where], [c.count for c in where], "incidents"))
    a = r.actions
    buckets = [("Closed on time", a.closed_on_time), ("Closed late", a.closed_late),
               ("Closed, date not recorded", a.closed_undated), ("Still open", a.still_open),
               ("Dropped (won't do)", a.wont_do)]
    out["actions"] = figure(draw.horizontal_bars(
        "chart-actions", "Action items due in the window",
        f"{a.due_in_window + a.wont_do} action items were due in the window: " +
        ", ".join(f"{n} {label.lower()}" for label, n in buckets) + ".",
        [label for label, _ in buckets], [n for _, n in buckets], "action items"))
    people = r.oncall.people
    if people:
        window_hours = (r.window.end - r.window.start).total_seconds() / 3600
        out["oncall"] = figure(draw.horizontal_bars(
            "chart-oncall", "Primary on-call hours per person",
            f"Hours each person was primary on call in the window; the dashed line is {SHARE_LIMIT:.0%} of the "
            "window's hours. The table below adds incidents by time of day.",
            [p.name for p in people], [round(p.primary_hours) for p in people], "hours",
            limit=round(window_hours * SHARE_LIMIT), limit_label=f"{SHARE_LIMIT:.0%} of the window"))
    return out


def site_pages(site: Site) -> list[Page]:
    from opsbook.metrics.compute import report

    kb = site.kb
    start, end = window(kb, site.now)
    r = report(kb, start, end, site.now, by="month", audience=site.audience)
    resolve_by_month = {g.key: next(m for m in g.measures if m.id == "resolve").summary for g in r.groups}
    markdown = render_template(
        "metrics.md.j2", r=r, public=site.audience == "public", levels=[lvl.id for lvl in kb.levels],
        first=f"{start.astimezone(kb.zone):%Y-%m-%d}", last=f"{site.now.astimezone(kb.zone):%Y-%m-%d %H:%M %Z}",
        charts=charts(kb, r), span=span, resolve_by_month=resolve_by_month, measures=MEASURES,
        buckets=BUCKET_MEANING, bucket_label=BUCKET_LABEL, share_limit=f"{SHARE_LIMIT:.0%}", per_shift=PER_SHIFT_LIMIT, states=STATES,
        incident=lambda ident: _incident_link(kb, ident), percent=lambda v: f"{v:.1%}",
        when=lambda t: f"{t.astimezone(kb.zone):%Y-%m-%d %H:%M %Z}",
    )
    return [Page(PATH, markdown, None)]


def _incident_link(kb: KnowledgeBase, ident: str) -> Markdown:
    incident = kb.incidents.get(ident)
    return page_link(ident, PATH, incident_path(incident)) if incident is not None else Markdown(ident)

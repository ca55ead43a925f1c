"""The standalone status site: HTML pages, assets, API JSON, feeds and badges.

``build_site(page)`` is pure: it returns every file as site path -> content
and writes nothing. HTML comes from this package's own Jinja2 templates with
autoescape on, so every value from a YAML file is text, never markup. The
pages need no script and no network: one stylesheet, relative links, so the
site works from ``file://`` and any static host; a small script only adds
the reader's local time beside the page zone's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources

import jinja2
from markupsafe import Markup

from opsbook.statuspage import api, badges, feeds
from opsbook.statuspage.current import (
    CurrentStatus,
    current_status,
    maintenance_status,
    maintenance_window,
)
from opsbook.statuspage.public import PublicIncident, PublicMaintenance, PublicPage
from opsbook.statuspage.uptime import (
    WINDOW_DAYS,
    ComponentUptime,
    DayUptime,
    uptime_report,
)
from opsbook.statuspage.vocabulary import (
    COMPONENT_LABEL,
    COMPONENT_SYMBOL,
    DOWNTIME_WEIGHT,
    IMPACT_LABEL,
    INDICATOR_DESCRIPTION,
    MAINTENANCE_LABEL,
    STAGE_LABEL,
)
from opsbook.timeutil import humanize

MARKER = ".opsbook-status-site"
"""Written into every build, so a rebuild may replace a folder only if it made it."""

INDICATOR_SYMBOL = {"none": "✓", "minor": "◐", "major": "▲", "critical": "✕"}


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _finalize(value: object) -> object:
    """Control characters are not HTML text (a parse error; the model refuses
    C0 ones in free text): drop them before autoescape does the rest."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _CONTROL.sub("", value)
    return value


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("opsbook.statuspage", "templates"),
        autoescape=True,  # every value from a file is text, never markup
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        component_label=COMPONENT_LABEL, component_symbol=COMPONENT_SYMBOL, stage_label=STAGE_LABEL,
        impact_label=IMPACT_LABEL, maintenance_label=MAINTENANCE_LABEL, indicator_symbol=INDICATOR_SYMBOL,
        weights=DOWNTIME_WEIGHT, window_days=WINDOW_DAYS,
    )
    return env


def _static(name: str) -> str:
    return resources.files("opsbook.statuspage").joinpath("static", name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Clock:
    """Times on the page: the page zone's wall clock, in a <time> the script can localise."""

    page: PublicPage

    def __call__(self, moment: datetime | None, with_date: bool = True) -> Markup:
        if moment is None:
            return Markup("")
        local = moment.astimezone(self.page.zone)
        shown = local.strftime("%-d %b %Y, %H:%M %Z" if with_date else "%H:%M %Z")
        return Markup('<time datetime="{}" data-local>{}</time>').format(
            local.isoformat(timespec="seconds"), shown)

    def day(self, day: date) -> str:
        return day.strftime("%-d %b %Y")


def percent_text(value: float | None) -> str:
    if value is None:
        return "no data"
    # Floor, not round: 99.996 % must not read as 100 %.
    floored = int(value * 100_000) / 1000
    return f"{floored:.3f}".rstrip("0").rstrip(".") + " %"


def _day_text(day: DayUptime, clock: Clock) -> str:
    when = clock.day(day.day)
    if day.status == "no_data":
        return f"{when}: no data"
    if not day.seconds:
        return f"{when}: operational, no incidents"
    parts = [f"{COMPONENT_LABEL[s].lower()} for {humanize(timedelta(seconds=round(secs)))}"
             for s, secs in sorted(day.seconds.items(), key=lambda kv: -kv[1])]
    return f"{when}: " + ", ".join(parts) + f"; uptime {percent_text(day.uptime)}"


def _month_key(moment: datetime, page: PublicPage) -> str:
    return moment.astimezone(page.zone).strftime("%Y-%m")


def _month_title(key: str) -> str:
    return datetime.strptime(key, "%Y-%m").strftime("%B %Y")


def _render(template: str, root: str, page: PublicPage, current: CurrentStatus, **context) -> str:
    clock = Clock(page)
    return _environment().get_template(template).render(
        page=page, current=current, root=root, clock=clock, percent=percent_text,
        day_text=lambda d: _day_text(d, clock), incident_path=api.incident_path,
        maintenance_path=api.maintenance_path, maintenance_status=lambda m: maintenance_status(m, page.now),
        maintenance_window=maintenance_window, indicator_description=INDICATOR_DESCRIPTION, **context)


def build_site(page: PublicPage) -> dict[str, str | bytes]:
    """Every file of the status site, by site path."""
    current = current_status(page)
    uptime = uptime_report(page)
    files: dict[str, str | bytes] = {}

    cutoff = page.now - timedelta(days=WINDOW_DAYS)
    recent = [i for i in reversed(page.incidents) if not i.is_open and i.updated >= cutoff]
    months: dict[str, list[PublicIncident]] = {}
    for incident in reversed(page.incidents):
        months.setdefault(_month_key(incident.created, page), []).append(incident)
    maint_months: dict[str, list[PublicMaintenance]] = {}
    for window in page.maintenance:
        if window.start <= page.now:
            maint_months.setdefault(_month_key(window.start, page), []).append(window)
    month_keys = sorted(set(months) | set(maint_months), reverse=True)

    files["index.html"] = _render(
        "index.html.j2", "", page, current, uptime=uptime, recent=recent,
        months=[(k, _month_title(k)) for k in month_keys[:6]], groups=_grouped(page, uptime))
    files["history/index.html"] = _render(
        "history_index.html.j2", "../", page, current,
        months=[(k, _month_title(k), len(months.get(k, ())), len(maint_months.get(k, ()))) for k in month_keys])
    for key in month_keys:
        files[f"history/{key}.html"] = _render(
            "month.html.j2", "../", page, current, title=_month_title(key), incidents=months.get(key, []),
            windows=maint_months.get(key, []))
    for incident in page.incidents:
        files[api.incident_path(incident)] = _render("incident.html.j2", "../", page, current, incident=incident)
    for window in page.maintenance:
        files[api.maintenance_path(window)] = _render("maintenance.html.j2", "../", page, current, window=window)

    files["assets/status.css"] = _static("status.css")
    files["assets/local-time.js"] = _static("local-time.js")
    files["assets/favicon.svg"] = _static("favicon.svg")
    for path, document in api.api_documents(page, current).items():
        files[path] = api.dump(document)
    files["history.atom"] = feeds.atom_feed(page, current.updated_at)
    files["history.rss"] = feeds.rss_feed(page, current.updated_at)
    files.update(badges.badge_files(
        page.name, current.indicator, current.description,
        {c.id: (c.name, current.components[c.id]) for c in page.components}))
    files[MARKER] = "Built by `opsbook status build`; the next build replaces this folder.\n"
    return files


def _grouped(page: PublicPage, uptime: dict[str, ComponentUptime]) -> list[tuple[object, list]]:
    """[(group or None, [(component, uptime)])] in page order; ungrouped first."""
    rows: list[tuple[object, list]] = []
    ungrouped = [(c, uptime[c.id]) for c in page.components if c.group is None]
    if ungrouped:
        rows.append((None, ungrouped))
    for group in page.groups:
        members = [(c, uptime[c.id]) for c in page.components if c.group == group.id]
        if members:
            rows.append((group, members))
    return rows

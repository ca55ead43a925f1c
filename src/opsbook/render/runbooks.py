"""`runbooks/index.md` (by service, by alert, all) and one page per runbook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from opsbook.model.kb import KnowledgeBase
from opsbook.model.org import Service
from opsbook.model.runbook import Runbook
from opsbook.render.body import split_title
from opsbook.render.environment import render_template
from opsbook.render.markdown import Markdown, anchor_id, md_escape, page_link
from opsbook.render.page import Page, Site
from opsbook.render.severity import level_link
from opsbook.humanize import service_name, team_name

INDEX = "runbooks/index.md"


def runbook_path(runbook: Runbook) -> str:
    # Mirrors the source path, so the authors' relative links keep working.
    return f"runbooks/{runbook.id}.md"


def next_review(kb: KnowledgeBase, runbook: Runbook) -> date | None:
    """When the runbook is due for review again: a date, not a verdict, so the
    page never depends on the day it was built."""
    if runbook.last_reviewed is None:
        return None
    interval = runbook.review_every or kb.config.policies.runbooks.review_every
    return runbook.last_reviewed + interval


def team_text(kb: KnowledgeBase, team_id: str | None) -> Markdown:
    """The team's name, with its Slack channel when it has one."""
    if not team_id:
        return Markdown("")
    team = kb.teams.get(team_id)
    name = md_escape(team_name(kb, team_id))
    if team is not None and team.slack_channel:
        return Markdown(f"{name} ({md_escape(team.slack_channel)})")
    return name


def service_anchor(service_id: str) -> Markdown:
    return anchor_id("service", service_id)


@dataclass(frozen=True)
class ServiceSection:
    anchor: str
    name: str
    service: Service | None
    team: Markdown
    runbooks: list[Runbook]


@dataclass(frozen=True)
class AlertRow:
    alert: str
    runbook: Runbook


def _by_service(kb: KnowledgeBase, runbooks: list[Runbook]) -> tuple[list[ServiceSection], list[Service]]:
    """Sections in catalog order; runbooks whose service is unknown or unset
    come last, together; also the services that have no runbook at all."""
    sections = []
    for service in kb.config.services:
        own = [rb for rb in runbooks if rb.service == service.id]
        if own:
            sections.append(ServiceSection(service_anchor(service.id), service.name, service,
                                           team_text(kb, service.team), own))
    homeless = [rb for rb in runbooks if rb.service not in kb.services]
    if homeless:
        sections.append(ServiceSection(anchor_id("service", "other"), "Other runbooks", None,
                                       Markdown(""), homeless))
    covered = {rb.service for rb in runbooks}
    uncovered = [s for s in kb.config.services if s.id not in covered]
    return sections, uncovered


def _by_alert(runbooks: list[Runbook]) -> list[AlertRow]:
    rows = [AlertRow(alert, rb) for rb in runbooks for alert in rb.alert_names]
    return sorted(rows, key=lambda row: (row.alert.lower(), row.runbook.id))


def is_page(kb: KnowledgeBase, runbook: Runbook) -> bool:
    """A helper, index or redirect page under runbooks/: published, but not listed as a runbook."""
    return runbook.rules(kb.config.policies.runbooks).is_page


def runbook_index(kb: KnowledgeBase) -> Page:
    everything = sorted(kb.runbook_list, key=lambda rb: (rb.title.lower(), rb.id))
    runbooks = [rb for rb in everything if not is_page(kb, rb)]
    pages = [rb for rb in everything if is_page(kb, rb)]
    sections, uncovered = _by_service(kb, runbooks)
    markdown = render_template(
        "runbooks_index.md.j2",
        runbooks=runbooks,
        pages=pages,
        sections=sections,
        uncovered=uncovered,
        alerts=_by_alert(runbooks),
        link=lambda rb: page_link(rb.title, INDEX, runbook_path(rb)),
        service=lambda rb: service_name(kb, rb.service),
        team=lambda team_id: team_name(kb, team_id),
        severity=lambda rb: level_link(kb, rb.severity, INDEX, short=True),
        next_review=lambda rb: next_review(kb, rb),
    )
    return Page(INDEX, markdown, None)


def front_matter(meta: dict) -> str:
    """Page metadata for MkDocs (Material's ``hide``, ``search``, ``tags``...), as YAML front matter.

    Keys opsbook does not read come from the team's own file and are passed
    through as they are, with the same trust as its body."""
    if not meta:
        return ""
    import yaml

    try:
        text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False)
    except yaml.YAMLError:
        return ""
    return f"---\n{text}---\n\n"


def _meta(runbook: Runbook) -> dict:
    return dict(runbook.extra)


RECENT_INCIDENTS = 5


def recent_incidents(kb: KnowledgeBase, runbook: Runbook, incidents: list, from_page: str) -> list[dict]:
    """The newest incidents (of those the reader may see) that hit the runbook's
    service or named the runbook, for "what happened last time"."""
    from opsbook.render.incidents import duration, incident_path

    hits = [inc for inc in incidents if (runbook.service and runbook.service in inc.services)
            or runbook.id in {ident.removesuffix(".md") for ident in inc.runbooks}]
    hits.sort(key=lambda inc: (inc.declared, inc.id), reverse=True)
    return [{"link": page_link(f"{inc.id}: {inc.title}", from_page, incident_path(inc)),
             "severity": level_link(kb, inc.severity, from_page, short=True),
             "date": f"{inc.declared.astimezone(kb.zone):%Y-%m-%d}", "duration": duration(inc)}
            for inc in hits[:RECENT_INCIDENTS]]


def runbook_page(kb: KnowledgeBase, runbook: Runbook, change=None, incidents: list | None = None) -> Page:
    path = runbook_path(runbook)
    if is_page(kb, runbook):
        body = split_title(runbook.body, runbook.title)
        rest = f"\n\n{body.rest}\n" if body.rest else "\n"
        return Page(path, front_matter(_meta(runbook)) + body.heading + rest, runbook.file)
    service = kb.services.get(runbook.service) if runbook.service else None
    markdown = render_template(
        "runbook.md.j2",
        runbook=runbook,
        body=split_title(runbook.body, runbook.title),
        service=(page_link(service.name, path, INDEX, service_anchor(service.id)) if service
                 else md_escape(runbook.service or "")),
        owner=team_text(kb, runbook.owner),
        severity=level_link(kb, runbook.severity, path),
        next_review=next_review(kb, runbook),
        change=change,
        incidents=recent_incidents(kb, runbook, incidents or [], path),
    )
    return Page(path, front_matter(_meta(runbook)) + markdown, runbook.file)


def runbook_pages(kb: KnowledgeBase, changes: dict | None = None, incidents: list | None = None) -> list[Page]:
    """``incidents``: those the reader may see (``render.incidents.shown_incidents``)."""
    changes = changes or {}
    return [runbook_index(kb), *(runbook_page(kb, rb, changes.get(rb.file.resolve()), incidents)
                                 for rb in kb.runbook_list)]


def site_pages(site: Site) -> list[Page]:
    from opsbook.render.incidents import shown_incidents

    return runbook_pages(site.kb, site.changes, shown_incidents(site.kb, site.audience, site.now))


from opsbook.markdown.assets import files_beside_content  # noqa: E402  (re-exported for the plugin)


def published_beside_content(kb: KnowledgeBase, audience: str) -> list[tuple[str, "Path"]]:
    """``files_beside_content`` for one audience: a file beside the postmortems is
    published only when a postmortem that audience may read links to it (an image
    in a restricted postmortem must not reach a public site)."""
    from opsbook.markdown import read
    from opsbook.visibility import visible_postmortems

    wanted = set()
    for pm in visible_postmortems(kb, audience):
        for link in read(pm.body, pm.body_first_line).links:
            target = link.target.split("#", 1)[0].split("?", 1)[0]
            if target and "://" not in target and not target.startswith("/"):
                wanted.add((pm.file.parent / target).resolve())
    out = []
    for site_path, path in files_beside_content(kb.root):
        if site_path.startswith("postmortems/") and path.resolve() not in wanted:
            continue
        out.append((site_path, path))
    return out

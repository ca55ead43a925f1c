"""`playbooks/index.md` and one page per playbook."""

from __future__ import annotations

from opsbook.model.kb import KnowledgeBase
from opsbook.model.runbook import Playbook
from opsbook.render.body import split_title
from opsbook.render.environment import render_template
from opsbook.render.markdown import Markdown, page_link
from opsbook.render.page import Page, Site
from opsbook.render.runbooks import team_text
from opsbook.render.severity import level_link

INDEX = "playbooks/index.md"


def playbook_path(playbook: Playbook) -> str:
    return f"playbooks/{playbook.id}.md"


def _levels(kb: KnowledgeBase, playbook: Playbook, from_page: str, short: bool = False) -> Markdown:
    return Markdown(", ".join(level_link(kb, level, from_page, short) for level in playbook.severities))


def playbook_index(kb: KnowledgeBase) -> Page:
    playbooks = sorted(kb.playbook_list, key=lambda pb: (pb.title.lower(), pb.id))
    markdown = render_template(
        "playbooks_index.md.j2",
        playbooks=playbooks,
        link=lambda pb: page_link(pb.title, INDEX, playbook_path(pb)),
        team=lambda team_id: team_text(kb, team_id),
        levels=lambda pb: _levels(kb, pb, INDEX, short=True),
        org=kb.config.name,
        has_ladder=kb.severity_file is not None,
    )
    return Page(INDEX, markdown, None)


def playbook_page(kb: KnowledgeBase, playbook: Playbook) -> Page:
    path = playbook_path(playbook)
    markdown = render_template(
        "playbook.md.j2",
        playbook=playbook,
        body=split_title(playbook.body, playbook.title),
        owner=team_text(kb, playbook.owner),
        levels=_levels(kb, playbook, path),
    )
    return Page(path, markdown, playbook.file)


def playbook_pages(kb: KnowledgeBase) -> list[Page]:
    return [playbook_index(kb), *(playbook_page(kb, pb) for pb in kb.playbook_list)]


def site_pages(site: Site) -> list[Page]:
    return playbook_pages(site.kb)

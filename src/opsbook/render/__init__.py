"""Pure functions from the knowledge base to site pages as Markdown.

One renderer serves the MkDocs plugin and `opsbook render --out DIR`. The
pages are engine-neutral Markdown (tables, lists, links, admonitions, heading
ids in attribute lists), so the site can move to another MkDocs-compatible
engine without touching this package.
"""

from __future__ import annotations

from opsbook.model.kb import KnowledgeBase
from opsbook.render.audience import check_audience
from opsbook.render.page import AUDIENCES, Audience, Page
from opsbook.render.playbooks import playbook_pages
from opsbook.render.postmortems import postmortem_pages
from opsbook.render.runbooks import runbook_pages
from opsbook.render.severity import severity_page


def render_pages(kb: KnowledgeBase, audience: Audience) -> dict[str, Page]:
    """Every generated page, keyed by its site path (``runbooks/index.md``...)."""
    audience = check_audience(audience)
    pages = [
        severity_page(kb),
        *playbook_pages(kb),
        *runbook_pages(kb),
        *postmortem_pages(kb, audience),
    ]
    return {page.path: page for page in pages}


__all__ = ["AUDIENCES", "Audience", "Page", "render_pages"]

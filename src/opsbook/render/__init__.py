"""Pure functions from the knowledge base to site pages as Markdown.

One renderer serves the MkDocs plugin and `opsbook render --out DIR`. The
pages are engine-neutral Markdown (tables, lists, links, admonitions, heading
ids in attribute lists), so the site can move to another MkDocs-compatible
engine without touching this package.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import datetime
from functools import cache
from typing import Callable

from opsbook.model.kb import KnowledgeBase
from opsbook.visibility import check_audience
from opsbook.render.page import AUDIENCES, Asset, Audience, Page, Site

Provider = Callable[[Site], list[Page | Asset]]


@cache
def providers() -> tuple[Provider, ...]:
    """Every module of this package that defines ``site_pages(site)``, by name.

    A new section of the site is a new module; nothing else needs to know.
    """
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if callable(getattr(module, "site_pages", None)):
            found.append(module.site_pages)
    return tuple(found)


def render_pages(kb: KnowledgeBase, audience: Audience, now: datetime,
                 changes: dict | None = None) -> dict[str, Page | Asset]:
    """Every generated page and asset, keyed by its site path (``runbooks/index.md``...).

    ``changes``: the last git change per source file (``gitinfo.last_changes``).
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    site = Site(kb=kb, audience=check_audience(audience), now=now, changes=dict(changes or {}))
    pages: dict[str, Page | Asset] = {}
    for provider in providers():
        for page in provider(site):
            if page.path in pages:
                raise ValueError(f"two providers render {page.path}")
            pages[page.path] = page
    return pages


__all__ = ["AUDIENCES", "Asset", "Audience", "Page", "Site", "render_pages"]

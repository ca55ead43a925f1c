"""Runbooks (`runbooks/**/*.md`) and playbooks (`playbooks/*.md`): front matter models.

Runbooks come as they are: from a wiki, from a community collection with
another tool's front matter, or with none at all. So front matter is optional
(the title is then the first heading), keys opsbook does not define are kept
and passed through to the page (the loader warns only about a key that looks
like a typo of one of opsbook's), and a runbook without ``alerts:`` covers the
alert its file is named after (``KubePodCrashLooping.md``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cached_property
from typing import Any, ClassVar, Literal

from pydantic import ConfigDict, PrivateAttr

from opsbook.markdown import Heading, MarkdownDoc, read
from opsbook.model.base import Code, Day, Duration, Line, MarkdownDocument, Slug, Text
from opsbook.model.org import RunbookPolicy, RunbookRules

__all__ = ["Heading", "headings", "Runbook", "Playbook", "alert_name_from_file", "FOREIGN_KEYS"]


def headings(body: str, first_line: int) -> list[Heading]:
    """Headings as CommonMark reads them (setext and ATX, none inside code), with their line in the file."""
    return list(read(body, first_line).headings)


# A Prometheus alert name (``[a-zA-Z_][a-zA-Z0-9_]*``) written in CamelCase, as
# both community layouts name their files: an upper-case start and at least
# one lower-case letter (README, FAQ and OWNERS are not alert names).
_ALERT_FILE = re.compile(r"[A-Z][A-Za-z0-9_]*")


def alert_name_from_file(stem: str) -> str | None:
    if _ALERT_FILE.fullmatch(stem) and any(ch.islower() for ch in stem):
        return stem
    return None


# Front-matter keys of the tools runbook collections come from (Hugo, MkDocs
# Material, Jekyll, Docusaurus, Docsy, hugo-book). They are passed through
# without a word, even when they look like one of opsbook's keys (Hugo's
# `aliases` is not a typo of `alerts`, Material's `search` not one of `service`).
FOREIGN_KEYS = frozenset({
    # Hugo
    "aliases", "weight", "draft", "date", "lastmod", "publishDate", "expiryDate", "slug", "url", "type", "layout",
    "linkTitle", "summary", "keywords", "categories", "series", "menu", "headless", "cascade", "outputs",
    "markup", "translationKey", "isCJKLanguage", "resources", "sitemap", "build", "params", "images", "videos",
    "audio", "toc", "authors", "author",
    # hugo-book, Docsy
    "bookCollapseSection", "bookFlatSection", "bookHidden", "bookToc", "bookComments", "bookSearchExclude",
    "bookHref", "no_list", "simple_list", "hide_summary", "hide_feedback",
    # MkDocs, Material
    "hide", "search", "template", "icon", "status", "subtitle", "comments", "social", "robots",
    # Jekyll, Docusaurus
    "permalink", "id", "sidebar_label", "sidebar_position", "sidebar_class_name", "pagination_label",
    "custom_edit_url", "image", "hide_title", "hide_table_of_contents", "nav_order", "parent", "grand_parent",
    "has_children", "nav_exclude", "redirect_from", "redirect_to", "excerpt", "published", "last_modified_at",
})


class _Content(MarkdownDocument):
    """What runbooks and playbooks share: tolerant front matter, a parsed body."""

    # Unknown keys are kept (the loader warns about look-alikes), so editors must not flag them.
    model_config = ConfigDict(json_schema_extra={"additionalProperties": True})

    # The loader keeps unknown keys (see FOREIGN_KEYS) instead of refusing them.
    passthrough: ClassVar[bool] = True
    # Front matter may be absent: the title is then the first heading.
    front_matter_optional: ClassVar[bool] = True

    _extra: dict[str, Any] = PrivateAttr(default_factory=dict)
    _id: str = ""

    @property
    def id(self) -> str:
        """Path under the content folder without .md, e.g. payments/checkout-error-rate."""
        return self._id

    @property
    def extra(self) -> dict[str, Any]:
        """Front-matter keys opsbook does not define, as written, for the page's metadata."""
        return self._extra

    @cached_property
    def markdown(self) -> MarkdownDoc:
        return read(self.body, self.body_first_line)

    def headings(self) -> list[Heading]:
        return list(self.markdown.headings)


class Runbook(_Content):
    title: Line = ""
    """The page title; without it, the body's first heading (or the file name)."""
    kind: Literal["runbook", "page"] | None = None
    """`page`: a helper, index or redirect page, published but not held to the runbook policy.
    Default: what `policies.runbooks.pages` and `folders` say for its path (else runbook)."""
    service: Slug | None = None
    owner: Slug | None = None
    """Owning team id."""
    alerts: list[Line] = []
    """Alert names this runbook covers. Default: the file name, when it is an alert name (KubePodCrashLooping.md)."""
    severity: Code | None = None
    """Typical severity when this fires."""
    last_reviewed: Day | None = None
    review_every: Duration | None = None
    """Overrides the policy's review interval."""
    tags: list[Line] = []
    description: Text = ""

    @property
    def alert_names(self) -> list[str]:
        """The alerts this runbook covers: ``alerts:``, else the file name when it is an alert name."""
        if self.alerts:
            return list(self.alerts)
        inferred = alert_name_from_file(self.id.rsplit("/", 1)[-1]) if self.id else None
        return [inferred] if inferred else []

    @property
    def alerts_from_file_name(self) -> bool:
        return not self.alerts and bool(self.alert_names)

    @property
    def is_stub(self) -> bool:
        """A redirect stub: no sections, a sentence or two, and a link (\"moved to [X](X.md)\")."""
        doc = self.markdown
        return (not any(h.level >= 2 for h in doc.headings) and doc.blocks <= 2
                and any(not link.image for link in doc.links))

    def rules(self, policy: "RunbookPolicy") -> "RunbookRules":
        """The policy for this file: its folder's, its front matter's ``kind``; a stub is a page."""
        found = policy.rules_for(self.id, self.kind)
        if not found.is_page and self.kind is None and self.is_stub:
            found = replace(found, is_page=True)
        return found


class Playbook(_Content):
    title: Line = ""
    """The page title; without it, the body's first heading (or the file name)."""
    owner: Slug | None = None
    severities: list[Code] = []
    """Levels this playbook applies to."""
    tags: list[Line] = []
    description: Text = ""

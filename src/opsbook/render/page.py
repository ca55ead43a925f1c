"""What the renderer produces: site pages as Markdown, each with its source."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from opsbook.visibility import AUDIENCES, Audience  # noqa: F401 - re-exported for page modules

if TYPE_CHECKING:
    from opsbook.gitinfo import Change
    from opsbook.model.kb import KnowledgeBase



@dataclass(frozen=True)
class Page:
    path: str
    """Site path, POSIX, relative to the docs root: "runbooks/payments/x.md"."""
    markdown: str
    source: Path | None
    """The file the page is made from (for edit links); None for indexes."""


@dataclass(frozen=True)
class Asset:
    """A file of the site that is not a Markdown page: a script, a stylesheet,
    an ICS feed, JSON. Copied as it is by the plugin and by `opsbook render`."""

    path: str
    """Site path, POSIX: "oncall/payments.ics", "assets/opsbook/oncall.js"."""
    content: str | bytes


@dataclass(frozen=True)
class Site:
    """What every page provider gets: the model, who reads, and the build instant.

    ``now`` is when the site is built (the plugin and the CLI pass it; nothing
    here reads the clock). Pages that show "now" also embed their data so a
    script can recompute it in the browser when the page is read later.
    """

    kb: "KnowledgeBase"
    audience: Audience
    now: datetime
    changes: "dict[Path, Change]" = field(default_factory=dict)
    """Last git change per source file (absolute path); empty outside git."""

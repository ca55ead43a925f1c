"""What the renderer produces: site pages as Markdown, each with its source."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# public: the site anyone may read; internal: the company's own build, which
# adds internal postmortems. Restricted postmortems are in neither.
Audience = Literal["public", "internal"]
AUDIENCES: tuple[str, ...] = ("public", "internal")


@dataclass(frozen=True)
class Page:
    path: str
    """Site path, POSIX, relative to the docs root: "runbooks/payments/x.md"."""
    markdown: str
    source: Path | None
    """The file the page is made from (for edit links); None for indexes."""

"""Placing generated Markdown around and inside a body the team wrote."""

from __future__ import annotations

import re
from dataclasses import dataclass

from opsbook.model.runbook import headings
from opsbook.render.markdown import Markdown, md_escape

_ATX_H1 = re.compile(r"^#[ \t]+\S")


@dataclass(frozen=True)
class TitledBody:
    heading: Markdown
    """The page's H1 line."""
    rest: Markdown
    """The body after that heading."""


def split_title(body: str, title: str) -> TitledBody:
    """The body's own leading H1 (kept, as the author wrote it) and the rest.

    Generated facts go between the two, so they sit under the title rather
    than above it. A body without a leading H1 gets one from the front
    matter's title, escaped like any data.
    """
    lines = body.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and _ATX_H1.match(lines[first]):
        rest = "\n".join(lines[first + 1:]).strip("\n")
        return TitledBody(Markdown(lines[first].rstrip()), Markdown(rest))
    return TitledBody(Markdown(f"# {md_escape(title)}"), Markdown(body.strip("\n")))


def append_to_section(body: str, section: str, addition: str) -> str:
    """``addition`` at the end of the body's ``section`` (matched case-insensitively),
    or as a new level-2 section at the end when the body has none.

    Postmortems describe their action items in prose under "Action items"; the
    tracked list belongs right there, not in a second place on the page.
    """
    lines = body.split("\n")
    found = headings(body, 0)
    target = next((h for h in found if h.text.strip().lower() == section.lower() and h.level >= 2), None)
    if target is None:
        return f"{body.rstrip()}\n\n## {section}\n\n{addition.strip()}\n"
    end = next((h.line for h in found if h.line > target.line and h.level <= target.level), len(lines))
    before = "\n".join(lines[:end]).rstrip()
    after = "\n".join(lines[end:]).strip("\n")
    joined = f"{before}\n\n{addition.strip()}\n"
    return f"{joined}\n{after}\n" if after else joined

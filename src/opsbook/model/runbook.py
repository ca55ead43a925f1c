"""Runbooks (`runbooks/**/*.md`) and playbooks (`playbooks/*.md`): front matter models."""

from __future__ import annotations

import re
from dataclasses import dataclass

from opsbook.model.base import Code, Day, Duration, Line, MarkdownDocument, Slug, Text


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int


_ATX = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_FENCE = re.compile(r"^(```|~~~)")


def headings(body: str, first_line: int) -> list[Heading]:
    """ATX headings outside fenced code blocks, with their line in the file."""
    found, fence = [], None
    for offset, line in enumerate(body.split("\n")):
        stripped = line.lstrip()
        match = _FENCE.match(stripped)
        if match:
            fence = None if fence == match.group(1) else (fence or match.group(1))
            continue
        if fence is None and (m := _ATX.match(line)):
            found.append(Heading(len(m.group(1)), m.group(2).strip(), first_line + offset))
    return found


class Runbook(MarkdownDocument):
    title: Line
    service: Slug | None = None
    owner: Slug | None = None
    """Owning team id."""
    alerts: list[Line] = []
    """Alert names that link to this runbook."""
    severity: Code | None = None
    """Typical severity when this fires."""
    last_reviewed: Day | None = None
    review_every: Duration | None = None
    """Overrides the policy's review interval."""
    tags: list[Line] = []
    description: Text = ""

    @property
    def id(self) -> str:
        """Path under runbooks/ without .md, e.g. payments/checkout-error-rate."""
        return self._id

    _id: str = ""

    def headings(self) -> list[Heading]:
        return headings(self.body, self.body_first_line)


class Playbook(MarkdownDocument):
    title: Line
    owner: Slug | None = None
    severities: list[Code] = []
    """Levels this playbook applies to."""
    tags: list[Line] = []
    description: Text = ""

    _id: str = ""

    @property
    def id(self) -> str:
        return self._id

"""What every step of the scorecard shares: who reads it, and how it names things."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from opsbook.doctor.model import Item, Status
from opsbook.model.kb import KnowledgeBase


@dataclass(frozen=True)
class Judge:
    kb: KnowledgeBase
    now: datetime
    audience: str
    """public: no internal postmortem or non-public incident is named (counted only)."""

    def rel(self, path: Path | str) -> str:
        """``path`` relative to the root, POSIX; a path outside it (a rule file by an absolute glob) as given."""
        path = Path(path)
        try:
            return path.relative_to(self.kb.root).as_posix()
        except ValueError:
            return path.as_posix()


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def listed(names, limit: int = 5) -> str:
    """``a, b and c``; past ``limit`` names, ``a, b, c, d, e and 3 more``."""
    names = [str(name) for name in names]
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" and {len(names) - limit} more"
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def sentence(text: str) -> str:
    """``text`` with a capital first letter, unless its first word is a path or a
    key (``policies.alerts.rules``), which keeps its spelling."""
    first = text.split(" ", 1)[0]
    if text[:1].islower() and not any(ch in first for ch in "./:_"):
        return text[:1].upper() + text[1:]
    return text


def make(step: int, key: str, title: str, status: Status, why: str, file: str, fix: str = "") -> Item:
    why, fix = sentence(why), sentence(fix)
    return Item(step=step, key=key, title=title, status=status, why=why, file=file,
                fix="" if status == "pass" else fix)

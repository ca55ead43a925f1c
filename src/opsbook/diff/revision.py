"""One side of a diff: a knowledge base and its validation findings, read from a
git revision's tree or from the working tree.

Loading goes through ``yamlsource.reading_from``: the loader and ``SourceMap``
read every file through the one seam, so a revision is loaded exactly as
``opsbook validate`` would load it had it been checked out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from opsbook.diagnostics import Diagnostic
from opsbook.model.kb import KnowledgeBase
from opsbook.yamlsource import FileSource, SourceMap, reading_from

# These checks read the disk outside the loader's seam (link targets, Prometheus
# rule files), so for a git revision they would judge the working tree's files:
# their findings are left out of the comparison on both sides, and the report says so.
DISK_CHECKS = ("opsbook.check.links", "opsbook.check.alerts")
NOT_COMPARED = "link targets and alert-rule coverage (those checks read the working tree's files)"


class RevisionNotLoaded(Exception):
    """opsbook.yaml itself does not load in a revision: nothing else can be read."""

    def __init__(self, label: str, diagnostics: list[Diagnostic]):
        super().__init__(label)
        self.label = label
        self.diagnostics = diagnostics


@dataclass
class Side:
    label: str
    """What the reader calls it: the revision name, or "working tree"."""
    kb: KnowledgeBase
    findings: list[Diagnostic]
    """Unlocated: compared by rule, file and message, so a line moved is not a new finding."""
    source: FileSource | None

    def locate(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        """Lines and columns for ``diagnostics`` (of this side), read from this side's files."""
        with reading_from(self.source):
            positions = SourceMap()
            return [positions.resolve(d) for d in diagnostics]


def _run_checks(kb: KnowledgeBase, now: datetime) -> list[Diagnostic]:
    """``check.registry.run_checks`` without the checks that read the disk themselves."""
    from opsbook.check.registry import CHECKS, Context, load_check_modules

    load_check_modules()
    ctx = Context(kb, now)
    found: list[Diagnostic] = []
    for func in CHECKS:
        if func.__module__ not in DISK_CHECKS:
            found.extend(func(ctx))
    return found


def load_side(root: Path, label: str, source: FileSource | None, now: datetime) -> Side:
    """Load the knowledge base at ``root`` from ``source`` (None: the disk), and check it."""
    from opsbook.load import load

    with reading_from(source):
        kb, found = load(root)
        if kb is None:
            with reading_from(source):
                positions = SourceMap()
                raise RevisionNotLoaded(label, [positions.resolve(d) for d in found])
        found += _run_checks(kb, now)
    return Side(label, kb, found, source)

"""Load + check: the whole of `opsbook validate` apart from reporting."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from opsbook.check.registry import run_checks
from opsbook.diagnostics import Report
from opsbook.load import discover, load
from opsbook.model.kb import KnowledgeBase
from opsbook.yamlsource import SourceMap


def validate(root: Path, now: datetime) -> tuple[KnowledgeBase | None, Report]:
    """Every finding for the knowledge base at ``root``, located and sorted."""
    root = root.resolve()
    files = discover(root)
    kb, found = load(root, files=files)
    if kb is not None:
        found += run_checks(kb, now)
    source = SourceMap()
    located = sorted((source.resolve(d) for d in found), key=lambda d: (str(d.file), d.line, d.column, d.code))
    report = Report(root=root, diagnostics=located, files=sum(len(paths) for paths in files.values()))
    return kb, report

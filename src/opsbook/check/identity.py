"""Ids are unique within their kind.

That an incident's id agrees with its file name (OB107), and that content file
names are safe ids (OB108), is checked while loading (``load.py``): a file that
fails either is left out of the model, and publishing commands stop on it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from opsbook.check.registry import Context, check
from opsbook.diagnostics import DUPLICATE_ID, Diagnostic, DocPath


def duplicates(entries: Iterable[tuple[str, Path, DocPath]], noun: str) -> Iterable[Diagnostic]:
    """``entries``: (id, file, path of the id). Reports every repeat after the first."""
    first: dict[str, tuple[Path, DocPath]] = {}
    for ident, file, path in entries:
        if ident in first:
            yield Diagnostic(DUPLICATE_ID, file, f"duplicate {noun} id '{ident}'",
                             f"give this {noun} another id, or merge the two", path=path, related=first[ident])
        else:
            first[ident] = (file, path)


@check
def unique_ids(ctx: Context) -> Iterable[Diagnostic]:
    kb = ctx.kb
    if kb.people_file:
        f = kb.people_file.file
        yield from duplicates(((p.id, f, ("people", i, "id")) for i, p in enumerate(kb.people_file.people)), "person")
        yield from duplicates(((t.id, f, ("teams", i, "id")) for i, t in enumerate(kb.people_file.teams)), "team")
    yield from duplicates(((s.id, kb.config.file, ("services", i, "id")) for i, s in enumerate(kb.config.services)),
                          "service")
    if kb.escalation_file:
        f = kb.escalation_file.file
        yield from duplicates(((p.id, f, ("policies", i, "id")) for i, p in enumerate(kb.escalation_file.policies)),
                              "escalation policy")
    if kb.severity_file:
        f = kb.severity_file.file
        yield from duplicates(((lv.id, f, ("levels", i, "id")) for i, lv in enumerate(kb.severity_file.levels)),
                              "severity level")
        if kb.severity_file.decision_tree:
            qs = kb.severity_file.decision_tree.questions
            yield from duplicates(((q.id, f, ("decision_tree", "questions", i, "id")) for i, q in enumerate(qs)),
                                  "question")
    if kb.status:
        f = kb.status.file
        yield from duplicates(((g.id, f, ("groups", i, "id")) for i, g in enumerate(kb.status.groups)), "group")
        yield from duplicates(((c.id, f, ("components", i, "id")) for i, c in enumerate(kb.status.components)),
                              "component")
        yield from duplicates(((m.id, f, ("maintenance", i, "id")) for i, m in enumerate(kb.status.maintenance)),
                              "maintenance")
    yield from duplicates(((inc.id, inc.file, ("id",)) for inc in kb.incident_list), "incident")
    yield from duplicates(((ai.id, pm.file, ("action_items", i, "id"))
                           for pm in kb.postmortem_list for i, ai in enumerate(pm.action_items)), "action item")

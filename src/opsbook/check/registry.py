"""The check registry: small named rules over a loaded knowledge base.

A check is a function ``(ctx) -> Iterable[Diagnostic]``. Checks never read
files or the clock; ``ctx.now`` is the instant time-relative rules use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from opsbook.diagnostics import MISSING_FILE, Diagnostic, DocPath, Rule
from opsbook.model.kb import KnowledgeBase
from opsbook.suggest import closest

Check = Callable[["Context"], Iterable[Diagnostic]]
CHECKS: list[Check] = []


def check(func: Check) -> Check:
    CHECKS.append(func)
    return func


@dataclass(frozen=True)
class Context:
    kb: KnowledgeBase
    now: datetime
    # Defining files that are absent and already reported once (OB213).
    _reported_missing: set[str] = field(default_factory=set)

    def reference(self, kind: str, ident: str | None, rule: Rule, file: Path, path: DocPath,
                  what: str | None = None, at_key: bool = False) -> Iterable[Diagnostic]:
        """A diagnostic when ``ident`` names no known thing of ``kind``."""
        if ident is None or self.kb.knows(kind, ident) is not False:
            return ()
        missing = self.kb.missing_file_for(kind)
        if missing is not None:
            # One finding for the absent file, not one per reference to it.
            if missing in self._reported_missing:  # people.yaml defines people *and* teams
                return ()
            self._reported_missing.add(missing)
            return (Diagnostic(MISSING_FILE, file, f"'{ident}' refers to a {what or kind}, but {missing} does not "
                               "exist", f"create {missing} (`opsbook init` shows its format)", path=path,
                               at_key=at_key),)
        known = self.kb.ids(kind)
        close = closest(ident, known)
        noun = what or kind
        if close:
            hint = f"did you mean '{close}'?"
        elif known:
            shown = ", ".join(known[:8]) + (", ..." if len(known) > 8 else "")
            hint = f"known {noun} ids: {shown}"
        else:
            hint = f"no {noun} is defined yet; {_WHERE[kind]}"
        return (Diagnostic(rule, file, f"unknown {noun} '{ident}'", hint, path=path, at_key=at_key),)


_WHERE = {
    "person": "add people to schedules/people.yaml",
    "team": "add teams to schedules/people.yaml",
    "service": "add services to opsbook.yaml",
    "escalation": "add policies to schedules/escalation.yaml",
    "severity": "add levels to playbooks/severity.yaml",
    "schedule": "add a schedule file under schedules/",
    "runbook": "add a runbook under runbooks/",
    "incident": "add an incident record under incidents/",
    "component": "add components to status/page.yaml",
    "group": "add groups to status/page.yaml",
}


def load_check_modules() -> None:
    """Import every module of the `opsbook.check` package: each registers its
    rules with ``@check`` (and its codes in ``diagnostics.RULES``). A new rule
    family is a new module; nothing else needs to know."""
    import importlib
    import pkgutil

    import opsbook.check as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        importlib.import_module(f"{package.__name__}.{info.name}")


def run_checks(kb: KnowledgeBase, now: datetime) -> list[Diagnostic]:
    load_check_modules()

    ctx = Context(kb, now)
    found: list[Diagnostic] = []
    for func in CHECKS:
        found.extend(func(ctx))
    return found

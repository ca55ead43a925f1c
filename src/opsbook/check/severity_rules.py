"""Severity rules (`rules:` of playbooks/severity.yaml): levels that exist, fields
the intake can read, and no rule hidden behind a catch-all."""

from __future__ import annotations

from typing import Iterable

from opsbook.check.registry import Context, check
from opsbook.diagnostics import Diagnostic
from opsbook.diagnostics import RULE_DUPLICATE_ID as RULE_DUPLICATE
from opsbook.diagnostics import RULE_UNKNOWN_FIELD as RULE_FIELD
from opsbook.diagnostics import RULE_UNKNOWN_LEVEL as RULE_LEVEL
from opsbook.diagnostics import RULE_UNREACHABLE
from opsbook.diagnostics import SEVERITY_HISTORY as RULE_HISTORY
from opsbook.suggest import closest


def _walk(condition, path: tuple) -> Iterable[tuple[str, tuple]]:
    """(field, document path of the field) for every test in a condition."""
    if condition is None:
        return
    if condition.field is not None:
        yield condition.field, path + ("field",)
    for key, parts in (("and", condition.and_), ("or", condition.or_)):
        for i, part in enumerate(parts or []):
            yield from _walk(part, path + (key, i))
    if condition.not_ is not None:
        yield from _walk(condition.not_, path + ("not",))


@check
def severity_rules(ctx: Context) -> Iterable[Diagnostic]:
    from opsbook.intake.rules import EXACT_FIELDS, PREFIXES, field_problem

    sev = ctx.kb.severity_file
    if not sev or (not sev.rules and sev.default_level is None):
        return
    f = sev.file
    levels = [level.id for level in sev.levels]

    def level_hint(word: str) -> str:
        close = closest(word, levels)
        return f"did you mean '{close}'?" if close else f"levels: {', '.join(levels)}"

    if sev.default_level is not None and sev.default_level not in levels:
        yield Diagnostic(RULE_LEVEL, f, f"default_level '{sev.default_level}' is not a level of the ladder",
                         level_hint(sev.default_level), path=("default_level",))
    seen: dict[str, int] = {}
    catch_all: int | None = None
    for i, rule in enumerate(sev.rules):
        if rule.id in seen:
            yield Diagnostic(RULE_DUPLICATE, f, f"rule id '{rule.id}' is used by rule {seen[rule.id] + 1} already",
                             "give each rule its own id", path=("rules", i, "id"))
        seen.setdefault(rule.id, i)
        if rule.level not in levels:
            yield Diagnostic(RULE_LEVEL, f, f"rule '{rule.id}' gives level '{rule.level}', which the ladder "
                             "does not define", level_hint(rule.level), path=("rules", i, "level"))
        for name, path in _walk(rule.when, ("rules", i, "when")):
            why = field_problem(name)
            if why:
                close = closest(name, [*EXACT_FIELDS, *(p + name.partition(".")[2] for p in PREFIXES)])
                hint = (f"did you mean '{close}'? " if close else "") + \
                    "fields: " + ", ".join([*EXACT_FIELDS, "labels.NAME", "annotations.NAME"])
                yield Diagnostic(RULE_FIELD, f, f"rule '{rule.id}': {why}", hint, path=path)
        if catch_all is not None:
            first = sev.rules[catch_all]
            yield Diagnostic(RULE_UNREACHABLE, f, f"rule '{rule.id}' can never match: rule '{first.id}' "
                             f"(rule {catch_all + 1}) has no `when` and matches every alert first",
                             "move the catch-all last, give it a `when`, or use default_level for the fallback",
                             path=("rules", i))
        elif rule.when is None:
            catch_all = i


@check
def severity_history(ctx: Context) -> Iterable[Diagnostic]:
    """Levels named by an incident's severity history exist, and its last change is the current level."""
    from opsbook.diagnostics import UNKNOWN_SEVERITY
    from opsbook.model.kb import NotLoaded

    try:
        incidents = ctx.kb.incident_list
    except NotLoaded:
        return
    for inc in incidents:
        for i, change in enumerate(inc.severity_changes):
            for key in ("severity", "previous"):
                yield from ctx.reference("severity", getattr(change, key), UNKNOWN_SEVERITY, inc.file,
                                         ("severity_changes", i, key))
        if inc.severity_changes and inc.severity_changes[-1].severity != inc.severity:
            last = inc.severity_changes[-1]
            yield Diagnostic(RULE_HISTORY, inc.file, f"severity is {inc.severity}, but the last severity change "
                             f"made it {last.severity}", "change severity with `opsbook incident severity`, which "
                             "records the change, or fix the history", path=("severity",))

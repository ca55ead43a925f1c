"""Alert coverage in `opsbook validate`: with ``policies.alerts.rules`` set, every
alerting rule needs a runbook (OB701), a ``runbook_url`` that points at the site
or a copied collection must reach one (OB702), rule files must read (OB703),
and a runbook's ``alerts:`` should name alerts that exist (OB704).

This check reads the rule files the policy names (the only check that reads
files outside the knowledge base's own), so a pull request that adds an alert
without a runbook fails where the alert is written.
"""

from __future__ import annotations

from typing import Iterable

from opsbook.check.registry import Context, check
from opsbook.diagnostics import ALERT_WITHOUT_RUNBOOK, ORPHAN_ALERT, RUNBOOK_URL_NOWHERE, Diagnostic, shown


def coverage_diagnostics(kb, rules, result, explicit_orphans_only: bool = True) -> list[Diagnostic]:
    from opsbook.alerts.coverage import runbook_url

    out = []
    for rule in result.missing:
        severity = f"severity {shown(rule.severity)}, " if rule.severity else ""
        out.append(Diagnostic(
            ALERT_WITHOUT_RUNBOOK, rule.file,
            f"alert '{shown(rule.name)}' ({severity}group {shown(rule.group) or '?'}) has no runbook",
            f"write runbooks/<folder>/{shown(rule.name)}.md (its file name names the alert), or add "
            f"'{shown(rule.name)}' to an existing runbook's alerts:", line=rule.line, column=1))
    for rule in result.nowhere:
        out.append(Diagnostic(
            RUNBOOK_URL_NOWHERE, rule.file,
            f"runbook_url of '{shown(rule.name)}' ({shown(rule.runbook_url or '')}) reaches no runbook",
            "point it at a runbook's page (`opsbook runbooks coverage` prints each runbook's runbook_url), "
            "or add the runbook it names", line=rule.runbook_url_line or rule.line, column=1))
    for orphan in result.orphans:
        if explicit_orphans_only and orphan.how != "alerts":
            continue
        index = orphan.runbook.alerts.index(orphan.alert) if orphan.alert in orphan.runbook.alerts else None
        out.append(Diagnostic(
            ORPHAN_ALERT, orphan.runbook.file,
            f"alert '{shown(orphan.alert)}' is defined by no rule in policies.alerts.rules",
            "fix the name, or remove it if the alert is gone",
            path=("alerts", index) if index is not None else ()))
    return out


@check
def alert_coverage(ctx: Context) -> Iterable[Diagnostic]:
    patterns = ctx.kb.config.policies.alerts.rules
    if not patterns:
        return
    from opsbook.alerts.coverage import coverage
    from opsbook.alerts.rules import expand_rule_paths, read_rules, unmatched_diagnostic

    paths, unmatched = expand_rule_paths(ctx.kb.root, list(patterns))
    for pattern in unmatched:
        yield unmatched_diagnostic(ctx.kb.config.file, pattern)
    rules, problems = read_rules(paths)
    yield from problems
    yield from coverage_diagnostics(ctx.kb, rules, coverage(ctx.kb, rules))

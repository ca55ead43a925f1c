"""`opsbook runbooks coverage`: which alert has which runbook; `runbooks urls`: what to paste into rules."""

from __future__ import annotations

import click

from opsbook.cli.common import emit_json, root_from, usage_error


@click.group()
def runbooks() -> None:
    """Runbooks: alert coverage from Prometheus rule files."""


def _rule_paths(kb, root, given: tuple[str, ...]):
    from opsbook.alerts.rules import expand_rule_paths

    if given:
        from pathlib import Path

        missing = [p for p in given if not any(ch in p for ch in "*?[") and not Path(p).exists()]
        if missing:
            raise usage_error(f"--rules {missing[0]}: no such file or folder")
        paths, unmatched = expand_rule_paths(Path.cwd(), list(given))
        if unmatched:
            raise usage_error(f"--rules {unmatched[0]}: the pattern names no file")
        return paths
    patterns = list(kb.config.policies.alerts.rules)
    if not patterns:
        raise usage_error("no rule files: pass --rules PATH (files, folders or globs), or set policies.alerts.rules "
                          "in opsbook.yaml")
    paths, unmatched = expand_rule_paths(root, patterns)
    if unmatched:
        raise usage_error(f"policies.alerts.rules: '{unmatched[0]}' names no file (paths are relative to opsbook.yaml)")
    return paths


@runbooks.command()
@click.option("--rules", "rule_paths", multiple=True, metavar="PATH",
              help="Prometheus rule file, PrometheusRule manifest, folder or glob (repeatable); "
                   "default: policies.alerts.rules.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (keys alerts, missing, orphans, nowhere, runbooks).")
@click.option("--format", "fmt", type=click.Choice(["text", "github"]), default="text", show_default=True,
              help="github: annotations on the rule files of a pull request.")
@click.pass_context
def coverage(ctx, rule_paths, as_json, fmt) -> None:
    """Every alert with the runbook that covers it; alerts without one (exit 1), runbooks
    naming alerts no rule defines, and runbook_url annotations that point nowhere."""
    from opsbook.alerts.coverage import coverage as compute, runbook_url
    from opsbook.alerts.rules import read_rules
    from opsbook.check.alerts import coverage_diagnostics
    from opsbook.cli.common import load_or_exit
    from opsbook.diagnostics import Report, shown
    from opsbook.report import as_github, display_path, as_text
    from opsbook.yamlsource import SourceMap

    root = root_from(ctx)
    kb = load_or_exit(ctx, root)
    paths = _rule_paths(kb, root, rule_paths)
    rules, problems = read_rules(paths)
    result = compute(kb, rules)
    findings = coverage_diagnostics(kb, rules, result, explicit_orphans_only=True)
    exit_code = 1 if (result.missing or problems) else 0

    def where(path, line):
        return f"{display_path(path, root)}:{line}"

    if as_json:
        emit_json({
            "rule_files": [display_path(p, root) for p in paths],
            "alerts": [{"alert": c.rule.name, "severity": c.rule.severity, "group": c.rule.group,
                        "file": display_path(c.rule.file, root), "line": c.rule.line,
                        "runbook_url": c.rule.runbook_url,
                        "runbook": c.runbook.id if c.runbook else None, "by": c.how or None}
                       for c in result.alerts],
            "missing": [{"alert": r.name, "severity": r.severity, "group": r.group,
                         "file": display_path(r.file, root), "line": r.line} for r in result.missing],
            "orphans": [{"runbook": o.runbook.id, "alert": o.alert, "by": o.how} for o in result.orphans],
            "nowhere": [{"alert": r.name, "runbook_url": r.runbook_url, "file": display_path(r.file, root),
                         "line": r.runbook_url_line} for r in result.nowhere],
            "runbooks": [{"runbook": rb.id, "alerts": rb.alert_names, "runbook_url": runbook_url(kb, rb)}
                         for rb in sorted(kb.runbook_list, key=lambda r: r.id)
                         if not rb.rules(kb.config.policies.runbooks).is_page],
            "problems": [{"file": display_path(d.file, root), "line": d.line, "column": d.column,
                          "message": d.message, "hint": d.hint} for d in problems],
        })
        raise click.exceptions.Exit(exit_code)
    if fmt == "github":
        source = SourceMap()
        report = Report(root=root, diagnostics=[source.resolve(d) for d in problems + findings], files=len(paths))
        click.echo(as_github(report), nl=False)
        raise click.exceptions.Exit(exit_code)
    for d in problems:
        click.echo(f"{shown(where(d.file, d.line))}:{d.column}: error {d.code} {d.message}")
        if d.hint:
            click.echo(f"    hint: {d.hint}")
    covered = [c for c in result.alerts if c.runbook is not None]
    click.echo(f"{len(result.alerts)} alerts in {len(paths)} rule files: {len(covered)} with a runbook, "
               f"{len(result.missing)} missing; {len(result.orphans)} runbook alerts no rule defines; "
               f"{len(result.nowhere)} runbook_url pointing nowhere")
    if covered:
        click.echo("\ncovered:")
        for c in sorted(covered, key=lambda c: c.rule.name):
            click.echo(f"  {shown(c.rule.name)}  ->  runbooks/{shown(c.runbook.id)}.md  (by {c.how})")
    if result.missing:
        click.echo("\nmissing:")
        for r in sorted(result.missing, key=lambda r: (r.severity or "~", r.name)):
            click.echo(f"  {shown(r.name)}  severity={shown(r.severity or '-')}  {shown(where(r.file, r.line))}")
    if result.orphans:
        click.echo("\norphans (runbooks naming alerts no rule defines):")
        for o in result.orphans:
            click.echo(f"  runbooks/{shown(o.runbook.id)}.md: {shown(o.alert)} (by {o.how})")
    if result.nowhere:
        click.echo("\nrunbook_url pointing nowhere:")
        for r in result.nowhere:
            click.echo(f"  {shown(r.name)}: {shown(r.runbook_url or '')}  {shown(where(r.file, r.runbook_url_line))}")
    _print_urls(kb, covered_only=False)
    raise click.exceptions.Exit(exit_code)


def _print_urls(kb, covered_only: bool) -> None:
    from opsbook.alerts.coverage import runbook_url
    from opsbook.diagnostics import shown

    runbooks = [rb for rb in sorted(kb.runbook_list, key=lambda r: r.id)
                if not rb.rules(kb.config.policies.runbooks).is_page]
    if not runbooks:
        return
    click.echo("\nrunbook_url to paste into each rule's annotations"
               + ("" if kb.config.site_url else " (set site_url in opsbook.yaml for absolute addresses)") + ":")
    for rb in runbooks:
        names = ", ".join(rb.alert_names) or "(no alert)"
        click.echo(f"  {shown(names)}: runbook_url: {shown(runbook_url(kb, rb))}")


@runbooks.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def urls(ctx, as_json) -> None:
    """The runbook_url of every runbook, to paste into its alerting rules."""
    from opsbook.alerts.coverage import runbook_url
    from opsbook.cli.common import load_or_exit

    root = root_from(ctx)
    kb = load_or_exit(ctx, root)
    if as_json:
        emit_json({"runbooks": [{"runbook": rb.id, "alerts": rb.alert_names, "runbook_url": runbook_url(kb, rb)}
                                 for rb in sorted(kb.runbook_list, key=lambda r: r.id)
                                 if not rb.rules(kb.config.policies.runbooks).is_page]})
        return
    _print_urls(kb, covered_only=False)

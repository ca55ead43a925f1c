"""`opsbook diff BASE [HEAD]`: what a change to the policies means."""

from __future__ import annotations

import click

from opsbook.cli.common import CommandError, emit_json, root_from, usage_error


@click.command()
@click.argument("base")
@click.argument("head", required=False)
@click.option("--weeks", type=int, default=8, show_default=True, metavar="N",
              help="On-call consequences over the next N weeks from --now (1 to 104).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON.")
@click.option("--now", "now_text", metavar="TIME",
              help="Where the on-call window starts (default: HEAD's as_of, else the clock).")
@click.pass_context
def diff(ctx, base, head, weeks, fmt, as_json, now_text) -> None:
    """Compare the knowledge base at BASE (a branch, tag or commit) with HEAD (a
    revision; default: the working tree), reading both straight from git.

    Reports the meaning of the change: severity levels, escalation policies, on
    call over the next --weeks (hours, nights and weekends per person, shifts
    that changed hands, gaps, two pagers at once), services, runbooks and
    alerts, status-page components, opsbook.yaml's settings, and validation
    findings introduced and fixed. --format markdown is for pull-request
    comments. Exit 0 whatever the change means (`opsbook validate` gates).
    """
    from opsbook.cli.common import now_for
    from opsbook.diff import MAX_WEEKS, RevisionError, RevisionNotLoaded, compute, open_revisions
    from opsbook.diff.format import markdown, text
    from opsbook.yamlsource import reading_from

    if not 1 <= weeks <= MAX_WEEKS:
        raise usage_error(f"--weeks {weeks}: give a whole number of weeks from 1 to {MAX_WEEKS}")
    root = root_from(ctx)
    try:
        revisions = open_revisions(root, base, head)
    except RevisionError as exc:
        raise usage_error(str(exc)) from None
    with reading_from(revisions.head):  # as_of and the zone of --now: HEAD's opsbook.yaml
        now = now_for(root, now_text)
    try:
        report = compute(revisions, now, weeks)
    except RevisionNotLoaded as exc:
        _not_loaded(exc, revisions.root)
    if as_json:
        emit_json(report.model_dump(mode="json"))
    else:
        click.echo(markdown(report) if fmt == "markdown" else text(report), nl=False)


def _not_loaded(exc, root) -> None:
    from opsbook.diagnostics import shown
    from opsbook.report import display_path

    first = exc.diagnostics[0] if exc.diagnostics else None
    lines = tuple(f"{shown(display_path(d.file, root))}:{d.line}:{d.column}: {d.severity.value} {d.code} "
                  f"{shown(d.message)}" for d in exc.diagnostics)
    details = tuple({"code": d.code, "message": d.message, "file": display_path(d.file, root), "line": d.line,
                     "column": d.column} for d in exc.diagnostics)
    raise CommandError(f"opsbook.yaml does not load in {exc.label}, so nothing of it can be compared "
                       f"(fix it there, or compare another revision)", 2, "load",
                       display_path(first.file, root) if first else None, first.line if first else None,
                       first.column if first else None, lines, details)

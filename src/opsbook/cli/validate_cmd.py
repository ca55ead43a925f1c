from __future__ import annotations

import click

from opsbook.cli.common import now_for, root_from


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              help="text for people, json for programs, github for workflow annotations.")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--now", "now_text", metavar="TIME",
              help="Evaluate time-relative rules at this ISO 8601 instant (default: opsbook.yaml as_of, else now).")
@click.pass_context
def validate(ctx: click.Context, fmt: str, as_json: bool, strict: bool, now_text: str | None) -> None:
    """Check every file: schema, references and policies.

    Exit 0 when clean (warnings allowed unless --strict), 1 on findings,
    2 on usage or I/O errors.
    """
    from opsbook import report as reporter
    from opsbook.validate import validate as run

    root = root_from(ctx)
    now = now_for(root, now_text)
    _kb, report = run(root, now)
    fmt = "json" if as_json else fmt
    if fmt == "json":
        click.echo(reporter.as_json(report, now), nl=False)
    elif fmt == "github":
        click.echo(reporter.as_github(report), nl=False)
        reporter.write_step_summary(report)
    else:
        click.echo(reporter.as_text(report), nl=False)
    failed = bool(report.errors) or (strict and bool(report.warnings))
    ctx.exit(1 if failed else 0)

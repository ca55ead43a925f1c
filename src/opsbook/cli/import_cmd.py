"""`opsbook import`: schedules, people and escalation policies from PagerDuty,
Opsgenie or Grafana OnCall API responses, and `import verify`, the parallel run.

Argument parsing and output only; the work is in ``opsbook.importers``.
Exit codes: 0 everything imported (verify: 100 % agreement), 1 something was
refused or cannot be mapped (verify: a disagreement), 2 unreadable input.
"""

from __future__ import annotations

from pathlib import Path

import click

from opsbook.cli.common import CommandError, emit_json, root_from, usage_error


_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.group("import")
def import_() -> None:
    """Import schedules, people, teams and escalation policies from another tool.

    FILEs are the vendor's REST API responses saved as JSON (docs/migrating.md
    lists the endpoints and curl lines), in any order; each is recognised by its
    shape. Nothing is approximated: what opsbook cannot say exactly is reported
    with its reason and not written. Exit 0 all imported, 1 something refused or
    unmappable, 2 unreadable input.
    """


def _read(files: tuple[str, ...]):
    from opsbook.importers.source import read_json

    return [read_json(Path(f), f) for f in files]


def _fail_input(errors) -> CommandError:
    """Unreadable vendor files (exit 2): every error, each naming its file and JSON path."""
    from opsbook.diagnostics import shown

    errors = list(errors)
    last = errors[-1]
    return CommandError(str(last), 2, "input", last.file, lines=tuple(f"opsbook: {shown(str(e))}" for e in errors[:-1]),
                        details=tuple(e.as_dict() for e in errors))


def _parse_time(option: str, text: str | None, zone):
    from opsbook.timeutil import parse_cli_time

    if text is None:
        return None
    try:
        return parse_cli_time(text, zone)
    except ValueError as exc:
        raise usage_error(f"{option}: {exc}") from None


def _run_import(ctx: click.Context, vendor: str, files: tuple[str, ...], dry_run: bool, as_json: bool,
                from_text: str | None) -> None:
    from opsbook.cli.common import now_for
    from opsbook.importers import report, vendor_module
    from opsbook.importers.common import InputErrors
    from opsbook.importers.plan import KnowledgeBaseError, apply_plan, build_plan
    from opsbook.importers.source import InputError
    from opsbook.load import load_yaml_document
    from opsbook.model.org import OrgConfig
    from opsbook.timeutil import get_zone

    root = root_from(ctx)
    config, _ = load_yaml_document(OrgConfig, root / "opsbook.yaml", None)
    zone = get_zone(config.timezone) if config else get_zone("UTC")
    exact_from = _parse_time("--from", from_text, zone) or now_for(root, None)
    try:
        parsed = vendor_module(vendor).parse(_read(files))
    except InputError as exc:
        raise _fail_input([exc]) from None
    except InputErrors as exc:
        raise _fail_input(exc.errors) from None
    try:
        plan = build_plan(root, parsed, exact_from)
        if not dry_run:
            apply_plan(plan)
    except KnowledgeBaseError as exc:
        raise usage_error(str(exc), code="knowledge_base") from None
    if as_json:
        emit_json(report.as_dict(plan, dry_run))
    else:
        click.echo(report.as_text(plan, dry_run), nl=False)
    ctx.exit(0 if plan.ok else 1)


def _vendor_command(vendor: str, label: str, endpoints: str) -> click.Command:
    @click.command(vendor, help=f"Import from {label} API responses: {endpoints}.\n\n"
                   "Writes schedules/<slug of the name>.yaml per schedule, merges people (by email) and teams "
                   "into schedules/people.yaml and policies into schedules/escalation.yaml. Never overwrites: "
                   "an id that exists is refused and left alone.")
    @click.argument("files", nargs=-1, required=True, metavar="FILE...")
    @click.option("--dry-run", is_flag=True, help="Report what would be written; write nothing.")
    @click.option("--from", "from_text", metavar="TIME",
                  help="The cut-over: the import must be exact from this instant on (default: now). Layers that "
                       "ended before it are left out.")
    @_JSON
    @click.pass_context
    def command(ctx: click.Context, files, dry_run, from_text, as_json) -> None:
        _run_import(ctx, vendor, files, dry_run, as_json, from_text)

    return command


import_.add_command(_vendor_command(
    "pagerduty", "PagerDuty (REST v2)",
    "GET /users, GET /schedules/{id} (one file per schedule), GET /schedules/{id}/overrides, "
    "GET /escalation_policies"))
import_.add_command(_vendor_command(
    "opsgenie", "Opsgenie (API v2)",
    "GET /v2/users, GET /v2/teams (or /v2/teams/{id}), GET /v2/schedules?expand=rotation, "
    "GET /v2/schedules/{id}/overrides, GET /v2/escalations"))
import_.add_command(_vendor_command(
    "grafana-oncall", "Grafana OnCall (API v1)",
    "GET /api/v1/users/, /api/v1/schedules/, /api/v1/on_call_shifts/, /api/v1/escalation_chains/, "
    "/api/v1/escalation_policies/ (and /api/v1/teams/)"))


@import_.command("verify")
@click.argument("vendor", type=click.Choice(["pagerduty", "opsgenie", "grafana-oncall"]))
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--schedule", "-s", "schedule_id", metavar="S",
              help="The opsbook schedule to compare (default: the one imported from the files' schedule).")
@click.option("--from", "from_text", metavar="TIME", help="Window start (default: the files' window or first entry).")
@click.option("--to", "to_text", metavar="TIME", help="Window end (default: the files' window or last entry).")
@_JSON
@click.pass_context
def verify(ctx: click.Context, vendor, files, schedule_id, from_text, to_text, as_json) -> None:
    """Compare opsbook with the vendor's own answer to who is on call.

    FILE is what the vendor rendered for a window: PagerDuty GET /schedules/{id}?since&until
    (final_schedule) or GET /oncalls, with GET /users for emails; Opsgenie's schedule
    timeline; Grafana OnCall's final_shifts. Prints the agreement (share of the window
    where both name the same people) and every disagreement. Exit 0 at 100 %, 1 otherwise.
    """
    from opsbook.cli.common import load_or_exit
    from opsbook.importers import vendor_module
    from opsbook.importers.common import InputErrors
    from opsbook.importers.source import InputError
    from opsbook.importers.verify import VerifyError
    from opsbook.importers.verify import verify as run

    root = root_from(ctx)
    kb = load_or_exit(ctx, root, tolerate=True, essential=frozenset({"schedule", "person"}))
    start = _parse_time("--from", from_text, kb.zone)
    end = _parse_time("--to", to_text, kb.zone)
    try:
        rendering = vendor_module(vendor).rendering(_read(files))
    except InputError as exc:
        raise _fail_input([exc]) from None
    except InputErrors as exc:
        raise _fail_input(exc.errors) from None
    try:
        verdict = run(kb, vendor, rendering, schedule_id, start, end)
    except VerifyError as exc:
        raise usage_error(str(exc)) from None
    if as_json:
        emit_json(verdict.as_dict())
    else:
        from opsbook.timeutil import get_zone

        zone = get_zone(kb.schedules[verdict.schedule].timezone)

        def show(t):
            return t.astimezone(zone).strftime("%a %Y-%m-%d %H:%M %Z")

        click.echo(f"{verdict.schedule}: {verdict.agreement * 100:.4f}% agreement with {vendor} from "
                   f"{show(verdict.start)} to {show(verdict.end)}")
        for d in verdict.disagreements:
            click.echo(f"  {show(d.start)} -> {show(d.end)}: {vendor} says {', '.join(d.vendor) or 'nobody'}; "
                       f"opsbook says {', '.join(d.ours) or 'nobody'}")
    ctx.exit(0 if not verdict.disagreements else 1)

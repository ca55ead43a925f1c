"""The `opsbook` command. Subcommands are imported only when invoked, so that
`opsbook --help` does not pay for pydantic, jinja2 or mkdocs."""

from __future__ import annotations

import functools
import importlib
import os
import sys

import click

from opsbook import __version__

# name -> (module, attribute, one-line help shown by `opsbook --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": ("opsbook.cli.validate_cmd", "validate", "Check every file: schema, references and policies."),
    "schema": ("opsbook.cli.schema_cmd", "schema", "Write JSON Schemas for editors and CI."),
    "init": ("opsbook.cli.init_cmd", "init", "Create a new knowledge base in DIR."),
    "render": ("opsbook.cli.render_cmd", "render", "Write the site's generated pages as plain Markdown."),
    # On call
    "oncall": ("opsbook.cli.oncall_cmd", "oncall", "Who is on call: now, at a time, shifts, gaps, report, ICS."),
    "handoff": ("opsbook.cli.handoff_cmd", "handoff", "Render or post the on-call handoff for a schedule."),
    # Incidents and postmortems
    "incident": ("opsbook.cli.incident_cmd", "incident", "Declare, update, note, resolve, list and show incidents."),
    "severity": ("opsbook.cli.severity_cmd", "severity", "Print the severity ladder or classify an incident."),
    "escalation": ("opsbook.cli.escalation_cmd", "escalation", "Who is paged when: a service's escalation "
                   "policy resolved to people, minute by minute."),
    "comms": ("opsbook.cli.comms_cmd", "comms", "Render an incident communication from its template."),
    "postmortem": ("opsbook.cli.postmortem_cmd", "postmortem", "Scaffold a postmortem from an incident, or import old ones."),
    "actions": ("opsbook.cli.actions_cmd", "actions", "List action items; mark them done or reopen them."),
    # Status page
    "status": ("opsbook.cli.status_cmd", "status", "Current status, and the standalone status site."),
    "runbooks": ("opsbook.cli.runbooks_cmd", "runbooks", "Runbooks: alert coverage from Prometheus rule files."),
    # Review
    "metrics": ("opsbook.cli.metrics_cmd", "metrics", "Response times, reliability per service, follow-through "
                "and on-call load."),
    "diff": ("opsbook.cli.diff_cmd", "diff", "What a change to the policies means: on call, paging, "
             "severity, services."),
    "doctor": ("opsbook.cli.doctor_cmd", "doctor", "Score the incident practice's readiness, step by step."),
    # Adoption
    "import": ("opsbook.cli.import_cmd", "import_", "Import schedules, people and escalation from PagerDuty, "
               "Opsgenie or Grafana OnCall; verify against the vendor's own answer."),
    "mcp": ("opsbook.cli.mcp_cmd", "mcp", "Serve the knowledge base to AI agents over MCP (stdio)."),
}


@functools.cache
def _available() -> list[str]:
    """Commands whose module is installed. find_spec locates without importing;
    cached because Click asks for the list up to three times per invocation."""
    import importlib.util

    return sorted(name for name, (module, _, _) in COMMANDS.items() if importlib.util.find_spec(module))


class LazyGroup(click.Group):
    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Click's main, with every failure shown in one place.

        Under ``--json`` (or ``--format json``) a failure is the one JSON
        document on stdout (``{"error": {...}}``, see ``common.error_document``);
        otherwise it is text on stderr. The exit codes are the same either way:
        1 for findings, 2 for usage, I/O and internal errors. Tests calling
        ``cli`` through Click's runner get exactly what a shell gets.
        """
        from opsbook.cli.common import CommandError, error_document, format_requested, json_requested

        args = list(sys.argv[1:] if args is None else args)
        as_json = json_requested(args)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = result if isinstance(result, int) and not isinstance(result, bool) else 0
        except click.ClickException as exc:
            if as_json:
                _print_json(error_document(exc))
            else:
                if isinstance(exc, CommandError) and exc.annotations and format_requested(args, "github"):
                    click.echo("\n".join(exc.annotations))  # annotations on the files, as validate makes them
                exc.show()
            code = exc.exit_code
        except click.Abort:
            click.echo("Aborted!", err=True)
            code = 1
        except Exception as exc:  # never show a traceback to a person; OPSBOOK_DEBUG=1 shows it
            if os.environ.get("OPSBOOK_DEBUG"):
                raise
            if as_json:
                _print_json(error_document(exc))
            click.echo(f"opsbook: internal error: {type(exc).__name__}: {exc}\n"
                       "This is a bug in opsbook; rerun with OPSBOOK_DEBUG=1 for details and please report it.",
                       err=True)
            code = 2
        if standalone_mode:
            sys.exit(code)
        return code

    def list_commands(self, ctx: click.Context) -> list[str]:
        return _available()

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _available():
            return None
        module, attr, _ = COMMANDS[cmd_name]
        return getattr(importlib.import_module(module), attr)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in _available():
            from opsbook.suggest import closest

            close = closest(name, _available())
            hint = f" Did you mean '{close}'?" if close else f" Commands: {', '.join(_available())}."
            ctx.fail(f"No such command '{name}'.{hint}")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Help text comes from the table above so listing commands imports nothing.
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][2]) for name in _available()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="opsbook")
@click.option("--root", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Knowledge base root (default: the nearest folder upwards with opsbook.yaml).")
@click.pass_context
def cli(ctx: click.Context, root: str | None) -> None:
    """opsbook: incident management that lives in git.

    Exit codes: 0 ok, 1 findings, 2 usage or I/O error.
    """
    ctx.obj = {"root": root}


def _print_json(document: dict) -> None:
    import json

    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")


def main() -> None:
    try:
        cli.main(prog_name="opsbook")
    except KeyboardInterrupt:  # pragma: no cover - interactive
        sys.exit(130)

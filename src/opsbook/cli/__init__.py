"""The `opsbook` command. Subcommands are imported only when invoked, so that
`opsbook --help` does not pay for pydantic, jinja2 or mkdocs."""

from __future__ import annotations

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
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[cmd_name]
        return getattr(importlib.import_module(module), attr)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            import difflib

            close = difflib.get_close_matches(name, list(COMMANDS), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else f" Commands: {', '.join(sorted(COMMANDS))}."
            ctx.fail(f"No such command '{name}'.{hint}")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Help text comes from the table above so listing commands imports nothing.
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][2]) for name in sorted(COMMANDS)])


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


def main() -> None:
    try:
        cli.main(prog_name="opsbook")
    except KeyboardInterrupt:  # pragma: no cover - interactive
        sys.exit(130)
    except Exception as exc:  # never show a traceback to a person; OPSBOOK_DEBUG=1 shows it
        if os.environ.get("OPSBOOK_DEBUG"):
            raise
        click.echo(f"opsbook: internal error: {type(exc).__name__}: {exc}\n"
                   "This is a bug in opsbook; rerun with OPSBOOK_DEBUG=1 for details and please report it.",
                   err=True)
        sys.exit(2)

"""Helpers shared by subcommands: finding the root, parsing --now, failing, printing JSON.

Errors are raised, never printed where they happen: a ``CommandError`` carries
the message (and, for load failures, every located diagnostic), and the group
(``cli.LazyGroup.main``) shows it as text on stderr or, when the command was
asked for JSON, as the one JSON document on stdout. So a script reading
``--json`` always gets exactly one document, success or failure.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import click


class CommandError(click.ClickException):
    """A failure a command reports: exit 2 for usage or I/O, 1 for a finding.

    ``code`` is stable for programs: "usage", "io", "not_found", "conflict",
    "load" (the knowledge base did not load), or a rule code such as "OB101".
    ``lines`` are printed to stderr before the message in text mode (located
    load errors); ``details`` carries the same in the JSON document.
    """

    def __init__(self, message: str, exit_code: int = 2, code: str = "usage", file: str | None = None,
                 line: int | None = None, column: int | None = None, lines: tuple[str, ...] = (),
                 details: tuple[dict, ...] = (), annotations: tuple[str, ...] = ()):
        super().__init__(message)
        self.exit_code = exit_code
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.lines = tuple(lines)
        self.details = tuple(details)
        self.annotations = tuple(annotations)  # GitHub workflow commands, for --format github

    def show(self, file=None) -> None:
        from opsbook.diagnostics import shown

        for line in self.lines:
            click.echo(line, err=True)
        # A message may list things on lines of its own (init's existing files);
        # each line is still shown safely (no escape sequences, no bare CR).
        click.echo("opsbook: " + "\n".join(shown(line) for line in self.message.split("\n")), err=True)

    def as_json(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "exit_code": self.exit_code,
                          "file": self.file, "line": self.line, "column": self.column,
                          "details": list(self.details)}}


def usage_error(message: str, code: str = "usage", file: str | None = None, line: int | None = None,
                column: int | None = None) -> CommandError:
    """Exit 2: the command line or an I/O operation is wrong. ``raise usage_error(...)``."""
    return CommandError(message, 2, code, file, line, column)


def finding(message: str, code: str = "not_found", file: str | None = None, line: int | None = None) -> CommandError:
    """Exit 1: the question was well formed and the answer is no (an unknown id, a
    file that exists already, a post that failed). ``raise finding(...)``."""
    return CommandError(message, 1, code, file, line)


def format_requested(args: list[str], name: str) -> bool:
    """Whether this command line asks for output format ``name`` (``--format NAME``)."""
    for i, arg in enumerate(args):
        if arg == "--":
            return False
        if arg == f"--format={name}" or (arg == "--format" and i + 1 < len(args) and args[i + 1] == name):
            return True
    return False


def json_requested(args: list[str]) -> bool:
    """Whether this command line asks for JSON: ``--json``, ``--format json`` or
    ``--format=json`` before a ``--``. Read from the raw arguments, because a
    usage error can happen before Click has parsed any option."""
    for i, arg in enumerate(args):
        if arg == "--":
            return False
        if arg == "--json" or arg == "--format=json":
            return True
        if arg == "--format" and i + 1 < len(args) and args[i + 1] == "json":
            return True
    return False


def error_document(exc: BaseException) -> dict:
    """The JSON document for any failure: a CommandError's own, Click's usage
    errors as code "usage", anything else as an internal error."""
    if isinstance(exc, CommandError):
        return exc.as_json()
    if isinstance(exc, click.ClickException):
        return {"error": {"code": "usage", "message": exc.format_message(), "exit_code": exc.exit_code,
                          "file": None, "line": None, "column": None, "details": []}}
    return {"error": {"code": "internal", "message": f"internal error: {type(exc).__name__}: {exc}", "exit_code": 2,
                      "file": None, "line": None, "column": None, "details": []}}


def root_from(ctx: click.Context) -> Path:
    from opsbook.load import (  # here, not at import: keeps --help fast
        NotAKnowledgeBase,
        find_root,
    )

    given = (ctx.find_root().obj or {}).get("root")
    try:
        if given is not None:
            path = Path(given)
            if not (path / "opsbook.yaml").is_file():
                raise NotAKnowledgeBase(f"--root {given}: no opsbook.yaml there")
            return path.resolve()
        return find_root(Path.cwd())
    except NotAKnowledgeBase as exc:
        raise usage_error(str(exc)) from None


def parse_now(text: str | None, zone, as_of: datetime | None = None) -> datetime:
    """--now beats the knowledge base's as_of, which beats the clock."""
    from opsbook.timeutil import parse_cli_time

    if text is None:
        return as_of if as_of is not None else datetime.now(timezone.utc)
    try:
        return parse_cli_time(text, zone)  # a date alone means its midnight in the zone
    except ValueError as exc:
        raise usage_error(f"--now: {exc}") from None


SKIPPED = "opsbook.skipped"


def emit_json(payload) -> None:
    """Print the command's one JSON document.

    A command that tolerated broken files (``load_or_exit(tolerate=True)``)
    says so inside the answer: its document always has ``skipped``, the files
    left out with their first error (empty when none were).
    """
    ctx = click.get_current_context(silent=True)
    skipped = ctx.meta.get(SKIPPED) if ctx is not None else None
    if skipped is not None and isinstance(payload, dict):
        payload = {**payload, "skipped": skipped}
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")


def now_for(root: Path, text: str | None) -> datetime:
    """The instant a command evaluates at, for the knowledge base at ``root``.

    A --now without an offset is in the organisation's zone, so opsbook.yaml is
    read first (cheaply: the one file).
    """
    from opsbook.load import ROOT_MARKER, load_yaml_document
    from opsbook.model.org import OrgConfig
    from opsbook.timeutil import get_zone

    config, _ = load_yaml_document(OrgConfig, root / ROOT_MARKER, None)
    zone = get_zone(config.timezone) if config else get_zone("UTC")
    return parse_now(text, zone, config.as_of if config else None)


def load_or_exit(ctx: click.Context, root: Path, doing: str = "run `opsbook validate` for details",
                 tolerate: bool = False, essential: frozenset[str] = frozenset(), kinds=None, incidents=None):
    """The knowledge base, or exit 1 after printing every load error with its position.

    ``kinds`` (and ``incidents``): load only what the command reads, as
    ``load.load`` takes them; None loads everything. Only the files read can be
    named or stop the command: a broken runbook is not read by `oncall now`.

    A file that failed to load is missing from the model. Commands that publish
    (render, status build) must not act on the rest and silently leave it out.
    Commands a responder needs in an outage (who is on call?) ``tolerate``: they
    say which files were skipped and carry on, unless a file of an ``essential``
    kind (say "schedule", "person") is among them: then the answer itself would
    be incomplete.
    """
    from opsbook.diagnostics import Level, shown
    from opsbook.load import load
    from opsbook.report import display_path, github_annotation
    from opsbook.yamlsource import SourceMap

    kb, diags = load(root, kinds=kinds, incidents=incidents)
    errors = [d for d in diags if d.severity is Level.ERROR]
    if tolerate:
        ctx.meta[SKIPPED] = []
    if kb is not None and not errors:
        return kb
    if kb is not None and (essential & kb.broken or any(kind in essential for kind, _ in kb.broken_ids)):
        tolerate = False
    source = SourceMap()
    label = "skipped, " if tolerate and kb is not None else ""
    located = sorted((source.resolve(d) for d in errors), key=lambda d: (str(d.file), d.line, d.column))
    details = tuple({"code": d.code, "message": d.message, "file": display_path(d.file, root), "line": d.line,
                     "column": d.column} for d in located)
    lines = tuple(f"{shown(display_path(d.file, root))}:{d.line}:{d.column}: {label}{d.severity.value} "
                  f"{d.code} {shown(d.message)}" for d in located)
    plural = "s" * (len(errors) != 1)
    if tolerate and kb is not None:
        for line in lines:
            click.echo(line, err=True)
        click.echo(f"opsbook: warning: {len(errors)} error{plural} while loading; the files "
                   "above are left out of this answer (run `opsbook validate`)", err=True)
        # One entry per file left out, with its first error, for the JSON answer.
        firsts: dict[str, dict] = {}
        for detail in details:
            firsts.setdefault(detail["file"], detail)
        ctx.meta[SKIPPED] = list(firsts.values())
        return kb
    first = details[0] if details else {}
    annotations = tuple(github_annotation(d.file, root, d.line, d.column, d.code, d.message) for d in located)
    raise CommandError(f"the knowledge base did not load ({len(errors)} error{plural}); {doing}", 1, "load",
                       first.get("file"), first.get("line"), first.get("column"), lines, details, annotations)

"""Helpers shared by subcommands: finding the root, parsing --now, exiting."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import click


def usage_error(message: str) -> "click.exceptions.Exit":
    click.echo(f"opsbook: {message}", err=True)
    return click.exceptions.Exit(2)


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


def emit_json(payload) -> None:
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
    from opsbook.report import display_path
    from opsbook.yamlsource import SourceMap

    kb, diags = load(root, kinds=kinds, incidents=incidents)
    errors = [d for d in diags if d.severity is Level.ERROR]
    if kb is not None and not errors:
        return kb
    if kb is not None and (essential & kb.broken or any(kind in essential for kind, _ in kb.broken_ids)):
        tolerate = False
    source = SourceMap()
    label = "skipped, " if tolerate and kb is not None else ""
    for diag in sorted((source.resolve(d) for d in errors), key=lambda d: (str(d.file), d.line, d.column)):
        click.echo(f"{shown(display_path(diag.file, root))}:{diag.line}:{diag.column}: {label}{diag.severity.value} "
                   f"{diag.code} {shown(diag.message)}", err=True)
    if tolerate and kb is not None:
        click.echo(f"opsbook: warning: {len(errors)} error{'s' * (len(errors) != 1)} while loading; the files "
                   "above are left out of this answer (run `opsbook validate`)", err=True)
        return kb
    click.echo(f"opsbook: the knowledge base did not load ({len(errors)} error{'s' * (len(errors) != 1)}); "
               f"{doing}", err=True)
    ctx.exit(1)

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
    from opsbook.load import NotAKnowledgeBase, find_root  # here, not at import: keeps --help fast

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
    from opsbook.timeutil import parse_instant

    if text is None:
        return as_of if as_of is not None else datetime.now(timezone.utc)
    try:
        return parse_instant(text, zone)
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

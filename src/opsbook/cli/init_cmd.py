from __future__ import annotations

from pathlib import Path

import click

from opsbook.cli.common import emit_json, usage_error


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default=None, help="Organisation name (default: the folder's name).")
@click.option("--timezone", "zone_name", default="UTC", show_default=True, help="IANA time zone of the team.")
@click.option("--now", "now_text", metavar="TIME", default=None,
              help="Date the example content relative to this ISO 8601 instant (default: now).")
@click.option("--opsbook-source", "source", metavar="REQUIREMENT", default=None,
              help="What the workflows `pip install` (default: this version's release tag in the opsbook "
                   "repository, git+https://github.com/opsbook/opsbook@vX.Y.Z). Pin a commit or a version.")
@click.option("--json", "as_json", is_flag=True, help="Print the files written as JSON.")
def init(directory: Path, name: str | None, zone_name: str, now_text: str | None, source: str | None,
         as_json: bool) -> None:
    """Create a new knowledge base in DIRECTORY.

    Writes opsbook.yaml, mkdocs.yml, one file of each kind and the GitHub
    workflows (validate, site, status, handoff). Never overwrites: if any of
    those files exists, nothing is written.
    """
    from opsbook.cli.common import parse_now
    from opsbook.fileio import create_exclusive
    from opsbook.scaffold import DEFAULT_SOURCE, check_source, scaffold_files
    from opsbook.timeutil import get_zone

    try:
        get_zone(zone_name)
    except ValueError as exc:
        raise usage_error(f"--timezone: {exc}") from None
    now = parse_now(now_text, get_zone(zone_name))
    name = name or directory.resolve().name.replace("-", " ").replace("_", " ").title() or "Example"
    from opsbook.model.base import text_problem

    problem = text_problem(name, multiline=False)
    if problem or not name.strip():
        raise usage_error(f"--name {problem or 'is empty'}; give the organisation's name as one line of text")
    try:
        source = check_source(source) if source is not None else DEFAULT_SOURCE
    except ValueError as exc:
        raise usage_error(f"--opsbook-source: {exc}") from None
    files = scaffold_files(name, zone_name, now, source)
    # The files a person recognises first (opsbook.yaml, content), workflows and schemas last.
    existing = sorted((rel for rel in files if (directory / rel).exists()),
                      key=lambda rel: (rel.startswith((".github/", "schemas/")), rel.count("/"), rel))
    if existing:
        shown = "\n  ".join(existing[:10]) + ("\n  ..." if len(existing) > 10 else "")
        raise usage_error(f"refusing to overwrite existing files in {directory}; nothing was written:\n  {shown}")
    written = []
    try:
        for rel, text in files.items():
            if not create_exclusive(directory / rel, text):  # appeared since the check
                raise usage_error(f"{directory / rel} appeared while writing; stopped without overwriting it")
            written.append(rel)
    except OSError as exc:
        raise usage_error(f"cannot write in {directory}: {exc.strerror or exc}") from None
    if as_json:
        emit_json({"directory": str(directory), "written": written})
        return
    click.echo(f"Created a knowledge base for {name} in {directory} ({len(written)} files).\n"
               f"Next:\n  cd {directory}\n  opsbook validate\n  mkdocs serve")

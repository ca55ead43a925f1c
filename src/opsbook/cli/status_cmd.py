"""`opsbook status`: the current status, and `status build` for the static status site."""

from __future__ import annotations

from pathlib import Path

import click

from opsbook.cli.common import emit_json, load_or_exit, now_for, root_from, usage_error


STATUS_KINDS = frozenset({"component", "group", "incident", "severity", "postmortem"})


def _load_page(ctx: click.Context, now_text: str | None):
    """The public projection at --now, or exit 1 (does not load) / 2 (no status page)."""
    from opsbook.statuspage.public import public_page

    root = root_from(ctx)
    now = now_for(root, now_text)
    # Strict: a status page built without a broken incident file would quietly
    # drop a live incident from what customers see.
    # The page, the incidents, severities (next update) and postmortems (links
    # to public ones); runbooks, schedules and people are not read.
    kb = load_or_exit(ctx, root, kinds=STATUS_KINDS)
    if kb.status is None:
        raise usage_error("there is no status/page.yaml; create one (`opsbook init` shows the format)",
                          code="missing_file", file="status/page.yaml")
    return root, public_page(kb, now)


@click.group(invoke_without_command=True)
@click.option("--now", "now_text", metavar="TIME",
              help="Instant to report (default: opsbook.yaml as_of, else the clock).")
@click.option("--json", "as_json", is_flag=True, help="Print Statuspage v2 summary JSON.")
@click.pass_context
def status(ctx: click.Context, now_text: str | None, as_json: bool) -> None:
    """Current status of the public status page, or build the status site.

    Without a subcommand: the page's overall status, every component's
    status, unresolved incidents and maintenance, at --now. Exit 0 when it is
    printed, 1 when the knowledge base does not load, 2 on usage errors.
    """
    ctx.ensure_object(dict)
    if ctx.invoked_subcommand is not None:
        return
    from opsbook.statuspage.api import api_documents
    from opsbook.statuspage.current import current_status, maintenance_status
    from opsbook.statuspage.vocabulary import (
        COMPONENT_LABEL,
        COMPONENT_SYMBOL,
        STAGE_LABEL,
    )

    _, page = _load_page(ctx, now_text)
    current = current_status(page)
    if as_json:
        emit_json(api_documents(page, current)["api/v2/summary.json"])
        return
    zone = page.zone
    stamp = lambda t: t.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    click.echo(f"{page.name}: {current.description} (as of {stamp(page.now)})")
    width = max((len(c.name) for c in page.components), default=0)
    for component in page.components:
        state = current.components[component.id]
        click.echo(f"  {component.name:<{width}}  {COMPONENT_SYMBOL[state]} {COMPONENT_LABEL[state]}")
    for incident in current.incidents:
        click.echo(f"incident {incident.id}: {incident.title} [{STAGE_LABEL[incident.stage]}, {incident.impact}]")
        click.echo(f"  last update {stamp(incident.updated)}: {incident.updates[-1].message}")
        if incident.next_update:
            click.echo(f"  next update expected by {stamp(incident.next_update)}")
    for window in current.maintenance_active + current.maintenance_upcoming:
        click.echo(f"maintenance {window.id}: {window.title} [{maintenance_status(window, page.now)}] "
                   f"{stamp(window.start)} to {stamp(window.end)}")


@status.command()
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), metavar="DIR",
              help="Folder for the site (created; an earlier build there is replaced).")
@click.option("--now", "now_text", metavar="TIME",
              help="Instant the site is built for (default: opsbook.yaml as_of, else the clock).")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@click.pass_context
def build(ctx: click.Context, out_dir: Path, now_text: str | None, as_json: bool) -> None:
    """Build the standalone status site into DIR.

    HTML pages, api/v2/*.json (Statuspage v2), history.atom and history.rss,
    and badges. Only public incidents and listed components appear. Exit 0
    when written, 1 when the knowledge base does not load, 2 on usage or I/O
    errors.
    """
    from opsbook.outdir import MANIFEST, OutputError, replace_folder
    from opsbook.report import display_path
    from opsbook.statuspage.site import MARKER, build_site

    now_text = now_text or (ctx.parent.params.get("now_text") if ctx.parent else None)
    root, page = _load_page(ctx, now_text)
    files = build_site(page)
    out = out_dir.resolve()
    if out == root or root.is_relative_to(out):
        raise usage_error(f"--out {out_dir} would replace the knowledge base itself; pick another folder")
    if (out / MARKER).is_file() and not (out / MANIFEST).is_file():
        raise usage_error(f"{out_dir} was built by an earlier opsbook that kept no list of its files, so "
                          "opsbook cannot tell its files from yours; move anything you added there (a CNAME, "
                          "robots.txt) aside, delete the folder and build again", code="io")
    if out.is_dir() and not (out / MANIFEST).is_file() and any(entry.is_dir() for entry in out.iterdir()):
        # Loose files (a CNAME, robots.txt) are carried into the build; a folder
        # tree is someone's project, not a place for the status site.
        raise usage_error(f"--out {out_dir} holds folders and was not made by `opsbook status build`; "
                          "pick an empty or new folder")
    try:
        result = replace_folder(out, files)
    except OutputError as exc:
        raise usage_error(str(exc), code="io") from None
    except OSError as exc:
        raise usage_error(f"cannot write {exc.filename or out}: {exc.strerror or exc}", code="io",
                          file=str(exc.filename or out)) from None
    size = sum(len(c.encode("utf-8") if isinstance(c, str) else c) for c in files.values())
    if as_json:
        emit_json({"out": str(out), "files": sorted(p for p in files if p != MARKER), "bytes": size,
                   "now": page.now.isoformat(), "kept": result.kept})
    else:
        click.echo(f"wrote the status site to {display_path(out, root)}: {len(files) - 1} files, "
                   f"{size / 1024:.0f} KiB" + (f"; kept {len(result.kept)} of your own files there"
                                               if result.kept else ""))

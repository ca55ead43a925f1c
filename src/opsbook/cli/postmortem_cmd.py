"""`opsbook postmortem new` (a draft from an incident) and `import` (existing Markdown
postmortems); neither ever overwrites."""

from __future__ import annotations

from pathlib import Path

import click

from opsbook.cli.common import emit_json, finding, now_for, usage_error


@click.group()
def postmortem() -> None:
    """Scaffold and import postmortems. Exit codes: 0 written, 1 unknown incident or
    the postmortem exists already (or was imported before), 2 usage or I/O error."""


@postmortem.command("new")
@click.argument("ident", metavar="[ID]", required=False)
@click.option("--title", help="Title; required for a postmortem without an incident (a near miss).")
@click.option("--template", type=click.Choice(["short", "standard", "comprehensive"]),
              help="Default by severity: comprehensive for the top level, standard where required, else short.")
@click.option("--owner", help="Person id who owns it (default: the incident's commander).")
@click.option("--severity", help="For a near miss: the level it would have been.")
@click.option("--now", "now_text", metavar="TIME", help="Date it as of this instant (default: as_of, else now).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def new(ctx, ident, title, template, owner, severity, now_text, as_json) -> None:
    """Write postmortems/YYYY/YYYY-MM-DD-slug.md pre-filled from incident ID."""
    from opsbook.cli.incident_cmd import checked_text, edit_failed, get_incident, load_kb, reference, rel
    from opsbook.fileio import create_exclusive
    from opsbook.incidents.scaffold import draft
    from opsbook.incidents.yamledit import EditError

    if ident is None and not (title and title.strip()):
        raise usage_error("give an incident ID, or --title for a postmortem without an incident (near miss)")
    if title is not None:
        checked_text("--title", title)
    kb = load_kb(ctx)
    now = now_for(kb.root, now_text)
    reference(kb, "person", owner, "--owner")
    reference(kb, "severity", severity, "--severity")
    incident = get_incident(kb, ident) if ident else None
    if incident is not None:
        from opsbook.model.postmortem import by_incident

        existing = by_incident(kb.postmortem_list).get(incident.id, [])  # `incident:` or `incidents:`
        if existing:
            raise finding(f"{incident.id} already has a postmortem: {rel(kb, existing[0].file)}; nothing was written",
                          code="exists", file=rel(kb, existing[0].file))
    try:
        result = draft(kb, now, incident=incident, title=title.strip() if title else None, template=template,
                       owner=owner, severity=severity)
        created = create_exclusive(result.path, result.text)
    except EditError as exc:
        raise edit_failed(kb, exc) from None
    except OSError as exc:
        raise usage_error(f"{rel(kb, result.path)}: cannot create it: {exc.strerror or exc}; "
                          "nothing was written") from None
    if not created:
        raise finding(f"{rel(kb, result.path)} exists already; nothing was written (edit it, or pass another --title)",
                      code="exists", file=rel(kb, result.path))
    if as_json:
        emit_json({"file": rel(kb, result.path), "incident": incident.id if incident else None,
                   "template": result.template, "due": result.due.isoformat() if result.due else None})
        return
    click.echo(f"Wrote {rel(kb, result.path)} ({result.template} template)")
    if result.due:
        click.echo(f"  due: {result.due.isoformat()}: move it out of draft by then")
    if incident is not None and incident.is_open:
        click.echo(f"  note: {incident.id} is still {incident.status}; the timeline will need the rest")


@postmortem.command("import")
@click.argument("paths", metavar="PATH...", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.option("--into", "into", metavar="DIR", default="postmortems", show_default=True,
              help="Folder under the root for the imported files (inside postmortems/); each goes to "
                   "DIR/<year>/<date>-<slug>.md, or DIR/<slug>.md when it has no date.")
@click.option("--visibility", type=click.Choice(["public", "internal", "restricted"]), default=None,
              help="Who may read them (default: internal).")
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def import_(ctx, paths, into, visibility, dry_run, as_json) -> None:
    """Turn existing Markdown postmortems into opsbook postmortems.

    The front matter is inferred from each document (title from the first
    heading, date from the file name or the text, status published, visibility
    internal, imported_from) and the body is kept byte for byte. Never
    overwrites: a file imported before, or a name that exists, is refused (exit 1)
    and the others are written. A file that cannot be read is exit 2 and nothing
    is written.
    """
    import os

    from opsbook.cli.incident_cmd import load_kb, rel
    from opsbook.diagnostics import shown
    from opsbook.fileio import create_exclusive
    from opsbook.incidents.history import HistoryError, plan
    from opsbook.incidents.yamledit import EditError

    kb = load_kb(ctx, essential=frozenset({"person", "postmortem"}))
    base = (kb.root / "postmortems").resolve()
    folder = (kb.root / into).resolve() if not os.path.isabs(into) else Path(into).resolve()
    if folder != base and base not in folder.parents:
        raise usage_error(f"--into {shown(into)}: must be postmortems/ or a folder inside it (the loader reads "
                          "postmortems only there)")
    folder = kb.root / folder.relative_to(kb.root.resolve())
    try:
        results = plan(kb, list(paths), folder, visibility or "internal", visibility is not None)
    except HistoryError as exc:
        raise usage_error(f"{exc}; nothing was written") from None
    except EditError as exc:
        raise usage_error(f"{exc.where(rel(kb, exc.path)) if exc.path is not None else exc}; "
                          "nothing was written") from None
    written = 0
    for result in results:
        if result.refused or dry_run:
            continue
        try:
            created = create_exclusive(result.target, result.text)
        except OSError as exc:
            raise usage_error(f"{rel(kb, result.target)}: cannot create it: {exc.strerror or exc}; "
                              f"{written} file{'s' * (written != 1)} written before it") from None
        if created:
            written += 1
            result.written = True
        else:
            result.refused = f"{rel(kb, result.target)} exists already"
    refused = [r for r in results if r.refused]
    if as_json:
        emit_json({"dry_run": dry_run, "written": written, "refused": len(refused), "files": [
            {"source": r.label, "file": rel(kb, r.target), "written": r.written,
             "refused": r.refused, "front_matter": r.front, "inferred": r.inferred, "not_inferred": r.missing}
            for r in results]})
    else:
        for r in results:
            if r.refused:
                click.echo(f"Refused {r.label}: {r.refused}; nothing was written for it", err=True)
                continue
            verb = "Would write" if dry_run else "Wrote"
            click.echo(f"{verb} {rel(kb, r.target)} (from {r.label})")
            for line in r.inferred:
                click.echo(f"  inferred: {line}")
            for line in r.missing:
                click.echo(f"  not inferred: {line}")
        if dry_run:
            click.echo(f"Dry run: {len(results) - len(refused)} file(s) would be written; nothing was written")
    if refused:
        ctx.exit(1)

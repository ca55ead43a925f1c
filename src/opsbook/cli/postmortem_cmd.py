"""`opsbook postmortem new`: scaffold a postmortem from an incident (never overwrites)."""

from __future__ import annotations

import click

from opsbook.cli.common import emit_json, now_for, usage_error


@click.group()
def postmortem() -> None:
    """Scaffold postmortems. Exit codes: 0 written, 1 unknown incident or the
    postmortem exists already, 2 usage or I/O error."""


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
        existing = kb.postmortems_for(incident.id)
        if existing:
            click.echo(f"opsbook: {incident.id} already has a postmortem: {rel(kb, existing[0].file)}; "
                       "nothing was written", err=True)
            ctx.exit(1)
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
        click.echo(f"opsbook: {rel(kb, result.path)} exists already; nothing was written "
                   "(edit it, or pass another --title)", err=True)
        ctx.exit(1)
    if as_json:
        emit_json({"file": rel(kb, result.path), "incident": incident.id if incident else None,
                   "template": result.template, "due": result.due.isoformat() if result.due else None})
        return
    click.echo(f"Wrote {rel(kb, result.path)} ({result.template} template)")
    if result.due:
        click.echo(f"  due: {result.due.isoformat()}: move it out of draft by then")
    if incident is not None and incident.is_open:
        click.echo(f"  note: {incident.id} is still {incident.status}; the timeline will need the rest")

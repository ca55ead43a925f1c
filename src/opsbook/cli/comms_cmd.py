"""`opsbook comms ID --kind KIND`: an incident message from the team's template."""

from __future__ import annotations

import click

from opsbook.cli.common import emit_json, now_for, usage_error

KIND_NAMES = ("status-initial", "status-update", "status-resolved", "executive-update", "support-kit",
              "internal-update", "customer-email", "social", "customer-summary")


@click.command()
@click.argument("ident", metavar="ID")
@click.option("--kind", required=True, metavar="KIND", help="Message kind: " + ", ".join(KIND_NAMES) + ".")
@click.option("--message", "-m", help="Text for {{ message }} (default: the latest public update).")
@click.option("--now", "now_text", metavar="TIME", help="Render as of this instant (default: as_of, else now).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def comms(ctx, ident, kind, message, now_text, as_json) -> None:
    """Render an incident communication from playbooks/templates/KIND.md.

    Every message of an open incident says when the next update is due (the
    severity's cadence); the ETA is always "unknown at this time".
    """
    from opsbook.cli.incident_cmd import get_incident, load_kb
    from opsbook.incidents.comms import KINDS, CommsError, render, template_path
    from opsbook.incidents.lifecycle import unknown

    if kind not in KINDS:
        raise usage_error(f"--kind: {unknown('message kind', kind, tuple(KINDS))}")
    kb = load_kb(ctx)
    inc = get_incident(kb, ident)
    now = now_for(kb.root, now_text)
    try:
        text = render(kb, inc, kind, now, message)
    except CommsError as exc:
        raise usage_error(str(exc)) from None
    if as_json:
        emit_json({"incident": inc.id, "kind": kind, "audience": KINDS[kind].audience,
                   "template": template_path(kb.root, kind).relative_to(kb.root).as_posix(), "text": text})
        return
    click.echo(text, nl=False)

"""`opsbook actions`: action items across postmortems; `done` and `reopen` edit them in place."""

from __future__ import annotations

import click

from opsbook.cli.common import emit_json, now_for

CSV_FIELDS = ("id", "title", "owner", "team", "status", "type", "due", "overdue_days", "age_days", "ticket",
              "postmortem", "incident", "file")


class DefaultList(click.Group):
    """`opsbook actions --owner x` means `opsbook actions list --owner x`."""

    def parse_args(self, ctx, args):
        if not args or args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["list", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultList)
def actions() -> None:
    """List action items (the default); mark one done or reopen it.

    `opsbook actions --overdue` exits 1 when any item is overdue, for CI.
    """


@actions.command("list")
@click.option("--owner", help="Only items owned by this person.")
@click.option("--team", help="Only items whose owner is on this team.")
@click.option("--overdue", is_flag=True, help="Only open items past their due date (exit 1 if any).")
@click.option("--all", "include_closed", is_flag=True, help="Include done and wont-do items.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--now", "now_text", metavar="TIME", help="Judge due dates at this instant.")
@click.pass_context
def list_(ctx, owner, team, overdue, include_closed, fmt, as_json, now_text) -> None:
    """Open action items, most overdue first, with age, due date, status and source."""
    from opsbook.cli.incident_cmd import load_kb, reference
    from opsbook.incidents.actions import rows, select

    kb = load_kb(ctx, essential=frozenset({"postmortem", "person", "team"}))
    now = now_for(kb.root, now_text)
    reference(kb, "person", owner, "--owner")
    reference(kb, "team", team, "--team")
    found = select(rows(kb, now), owner=owner, team=team, overdue=overdue, include_closed=include_closed)
    fmt = "json" if as_json else fmt
    if fmt == "json":
        emit_json({"now": now.isoformat(), "action_items": [row.as_json(kb) for row in found]})
    elif fmt == "csv":
        import sys

        from opsbook.csvout import write_csv

        write_csv(sys.stdout, CSV_FIELDS,
                  ({k: ("" if v is None else v) for k, v in row.as_json(kb).items()} for row in found))
    elif not found:
        click.echo("no overdue action items" if overdue else "no open action items" if not include_closed
                   else "no action items")
    else:
        from opsbook.humanize import person_name

        for row in found:
            item = row.item
            due = item.due.isoformat() if item.due else "no due date"
            state = f"OVERDUE {row.overdue_days}d" if row.overdue else item.status
            age = f"{row.age_days}d old" if row.age_days is not None else ""
            click.echo(f"{item.id:<8} {state:<13} due {due:<11} {person_name(kb, item.owner) or 'no owner':<16} "
                       f"{item.title}")
            click.echo(f"{'':<9}{row.postmortem.incident or 'near miss'} · {row.postmortem.id}"
                       + (f" · {age}" if age else "") + (f" · {item.ticket}" if item.ticket else ""))
    if overdue and found:
        ctx.exit(1)


def _set(ctx, item_id: str, status: str, as_json: bool, now_text: str | None, closing: bool) -> None:
    from opsbook.cli.incident_cmd import edit_failed, load_kb, not_found, rel
    from opsbook.incidents.actions import find, set_status, today
    from opsbook.incidents.yamledit import EditError

    kb = load_kb(ctx, essential=frozenset({"postmortem", "person", "team"}))
    found = find(kb, item_id)
    if found is None:
        known = sorted(item.id for pm in kb.postmortem_list for item in pm.action_items)
        raise not_found("action item", item_id, known)
    pm, index = found
    item = pm.action_items[index]
    now = now_for(kb.root, now_text)
    unchanged = item.status == status or (not closing and item.is_open)
    if not unchanged:
        try:
            set_status(pm.file, item.id, status, today(kb, now) if closing else None)
        except EditError as exc:
            raise edit_failed(kb, exc) from None
    if as_json:
        emit_json({"id": item.id, "status": status if not unchanged else item.status, "changed": not unchanged,
                   "file": rel(kb, pm.file)})
        return
    if unchanged:
        click.echo(f"{item.id} is already {item.status}; nothing changed")
    else:
        click.echo(f"{item.id}: {item.status} -> {status} ({rel(kb, pm.file)})")


@actions.command()
@click.argument("item_id", metavar="AI-ID")
@click.option("--wont-do", is_flag=True, help="Close it as wont-do instead of done.")
@click.option("--now", "now_text", metavar="TIME", help="Closing date (default: as_of, else today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def done(ctx, item_id, wont_do, now_text, as_json) -> None:
    """Mark an action item done (sets status and closed date in the front matter)."""
    _set(ctx, item_id, "wont-do" if wont_do else "done", as_json, now_text, closing=True)


@actions.command()
@click.argument("item_id", metavar="AI-ID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def reopen(ctx, item_id, as_json) -> None:
    """Reopen a done or wont-do action item (status open, closed date removed)."""
    _set(ctx, item_id, "open", as_json, None, closing=False)

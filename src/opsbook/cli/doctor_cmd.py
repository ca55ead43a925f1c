"""`opsbook doctor`: the readiness scorecard, nine steps judged from the repository.

The scorecard is information, not a finding: it exits 0 whatever it says, so a
team can run it anywhere without a red build. `--fail-on fail` (or `warn`)
makes it a gate for CI. A knowledge base that does not load exits 1, and a bad
option 2, as everywhere.
"""

from __future__ import annotations

import click

from opsbook.cli.common import emit_json, load_or_exit, now_for, root_from

_MARK = {"pass": "pass", "warn": "WARN", "fail": "FAIL"}


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the scorecard as JSON.")
@click.option("--now", "now_text", metavar="TIME", help="Judge deadlines and on-call gaps at this instant "
              "(default: as_of in opsbook.yaml, else the clock).")
@click.option("--fail-on", type=click.Choice(["fail", "warn"]), default=None,
              help="Exit 1 when any step is at this status or worse (for CI); default: always exit 0.")
@click.option("--audience", type=click.Choice(["internal", "public"]), default="internal", show_default=True,
              help="public: as the public site shows it (no internal postmortem or incident named).")
@click.pass_context
def doctor(ctx, as_json, now_text, fail_on, audience) -> None:
    """Score the practice against the nine steps of an incident programme: severity
    ladder, roles, on-call coverage, escalation, runbooks, communication templates,
    status page, postmortems on time, action items on time.

    Each step says pass, warn or fail, why (with the numbers) and the file to change.
    """
    from opsbook.diagnostics import shown
    from opsbook.doctor import KINDS, scorecard

    root = root_from(ctx)
    now = now_for(root, now_text)
    kb = load_or_exit(ctx, root, kinds=KINDS)
    card = scorecard(kb, now, audience)
    if as_json:
        emit_json(card.model_dump(mode="json"))
    else:
        local = now.astimezone(kb.zone)
        click.echo(shown(f"{card.organisation}: readiness at {local:%Y-%m-%d %H:%M %Z}: {card.passed} of "
                         f"{card.total} steps pass, {card.warned} warn, {card.failed} fail"))
        for item in card.items:
            click.echo("")
            click.echo(shown(f"{item.step}. {_MARK[item.status]}  {item.title}"))
            click.echo(shown(f"   {item.why}"))
            if item.fix:
                click.echo(shown(f"   fix: {item.fix}"))
            click.echo(shown(f"   file: {item.file}"))
    if fail_on and card.at_least(fail_on):
        ctx.exit(1)

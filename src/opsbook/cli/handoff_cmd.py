"""`opsbook handoff SCHEDULE`: render the on-call handoff, or post it to Slack."""

from __future__ import annotations

import click

from opsbook.cli.common import emit_json, finding, root_from, usage_error


@click.command()
@click.argument("schedule_id", metavar="SCHEDULE")
@click.option("--at", "--now", "at_text", metavar="TIME",
              help="Render the latest handoff at or before TIME (default: opsbook.yaml as_of, else now).")
@click.option("--within", "within_text", metavar="DURATION",
              help="Only if that handoff is at most DURATION before TIME; otherwise say so and exit 0 "
                   "(for cron jobs that run near each handoff, e.g. --within 1h).")
@click.option("--post", is_flag=True, help="Post it to Slack through the webhook in $OPSBOOK_SLACK_WEBHOOK_URL.")
@click.option("--json", "as_json", is_flag=True, help="Print the handoff as JSON.")
@click.pass_context
def handoff(ctx: click.Context, schedule_id: str, at_text: str | None, within_text: str | None, post: bool,
            as_json: bool) -> None:
    """Render the on-call handoff for SCHEDULE: outgoing and incoming primary
    and backup, incidents during the outgoing shift on the team's services,
    open and overdue action items owned by the team, and overrides in the
    coming shift.

    Exit 0 when rendered or posted (or nothing is due under --within), 1 when
    the schedule is unknown or the post fails, 2 on usage errors.
    """
    from opsbook.cli.common import load_or_exit, now_for
    from opsbook.oncall.engine import UnknownSchedule, find_schedule
    from opsbook.oncall.handoff import as_json as handoff_json
    from opsbook.oncall.handoff import as_text, build_handoff, slack_payload
    from opsbook.timeutil import parse_duration

    root = root_from(ctx)
    within = None
    if within_text is not None:
        try:
            within = parse_duration(within_text)
        except ValueError as exc:
            raise usage_error(f"--within: {exc}") from None
    # The rotation and its people; incidents during the outgoing shift and the
    # team's action items (postmortems) are read but not essential.
    kb = load_or_exit(ctx, root, tolerate=True, essential=frozenset({"schedule", "person", "team"}),
                      kinds={"schedule", "person", "team", "incident", "postmortem"})
    at = now_for(root, None)
    if at_text is not None:
        from opsbook.timeutil import parse_instant

        try:
            at = parse_instant(at_text, kb.zone)
        except ValueError as exc:
            raise usage_error(f"--at: {exc}") from None
    try:
        schedule = find_schedule(kb, schedule_id)
    except UnknownSchedule as exc:
        raise finding(str(exc)) from None

    found = build_handoff(kb, schedule, at)
    if found is None or (within is not None and at - found.at > within):
        message = (f"no handoff on {schedule.id} in the {within_text} before {at.isoformat()}" if within is not None
                   else f"no handoff on {schedule.id} in the year before {at.isoformat()}")
        if as_json:
            emit_json({"schedule": schedule.id, "name": schedule.name, "at": at.isoformat(), "handoff": None,
                       "posted": False, "message": message})
        else:
            click.echo(message)
        return

    if post:
        from opsbook.slack import SlackError, post_webhook, webhook_url_from_env

        try:
            post_webhook(webhook_url_from_env(), slack_payload(kb, found))
        except SlackError as exc:
            raise finding(f"handoff not posted: {exc}", code="post_failed") from None
    if as_json:
        emit_json({"schedule": schedule.id, "name": schedule.name, "at": at.isoformat(),
                   "handoff": handoff_json(kb, found), "posted": post, "message": None})
    else:
        click.echo(as_text(kb, found))
        if post:
            click.echo(f"posted to Slack{' (' + schedule.handoff_channel + ')' if schedule.handoff_channel else ''}")

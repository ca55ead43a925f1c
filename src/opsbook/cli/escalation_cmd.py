"""`opsbook escalation SERVICE|POLICY`: who is paged when, minute by minute."""

from __future__ import annotations

import click

from opsbook.cli.common import emit_json, finding, root_from, usage_error


# The policies, the ladder (overrides), the schedules and people they resolve to.
ESCALATION_KINDS = frozenset({"escalation", "severity", "schedule", "person", "team"})


@click.command()
@click.argument("name", metavar="SERVICE|POLICY")
@click.option("--at", "--now", "at_text", metavar="TIME",
              help="When the first page goes out (default: opsbook.yaml as_of, else now); without an offset, "
                   "in --tz, else the organisation's zone.")
@click.option("--severity", metavar="LEVEL", help="Use this level's escalation override when it has one.")
@click.option("--tz", "tz_name", metavar="ZONE", help="Zone for times without an offset and for display.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def escalation(ctx, name, at_text, severity, tz_name, as_json) -> None:
    """Resolve an escalation policy to people: who is paged at minute 0, 5, 10...

    SERVICE takes the service's policy (or the --severity level's override);
    POLICY is a policy id of schedules/escalation.yaml. Schedule steps are
    resolved to whoever is on call when the step fires; a step that reaches
    nobody is flagged as a gap. Exit 0 ok, 1 unknown name, 2 usage error.
    """
    from opsbook.cli.common import load_or_exit, now_for
    from opsbook.oncall.escalation import EscalationError, choose_policy, escalation_timeline, timeline_lines

    root = root_from(ctx)
    kb = load_or_exit(ctx, root, tolerate=True, essential=ESCALATION_KINDS, kinds=ESCALATION_KINDS)
    zone = kb.zone
    if tz_name:
        from opsbook import timeutil

        try:
            zone = timeutil.get_zone(tz_name)
        except ValueError as exc:
            raise usage_error(f"--tz: {exc}") from None
    if at_text is None:
        at = now_for(root, None)
    else:
        from opsbook.timeutil import parse_cli_time

        try:
            at = parse_cli_time(at_text, zone)  # without an offset: --tz, else the organisation's zone
        except ValueError as exc:
            raise usage_error(f"--at: {exc}") from None
    try:
        policy, service, override = choose_policy(kb, name, severity)
    except EscalationError as exc:
        raise finding(str(exc)) from None
    answer = escalation_timeline(kb, policy, at, service, severity, override)
    if as_json:
        emit_json(answer.model_dump(mode="json"))
        return
    from opsbook.diagnostics import shown
    from opsbook.incidents.cadence import format_instant

    subject = f"service {service}" if service else f"policy {policy.id}"
    title = f"{policy.id}" + (f" ({policy.name})" if policy.name else "")
    click.echo(shown(f"Escalation for {subject}: {title}, first page {format_instant(at, zone)}"))
    if override:
        click.echo(shown(f"  {severity} replaces the service's own policy with {policy.id}"))
    elif severity and service:
        click.echo(shown(f"  {severity} has no escalation override: the service's policy applies"))
    for line in timeline_lines(kb, answer, zone):
        click.echo(shown(line))
    if answer.gaps:
        click.echo(f"  {answer.gaps} step(s) page nobody: fix the schedule or add a target that is always reachable")

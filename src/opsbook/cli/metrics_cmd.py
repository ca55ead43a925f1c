"""`opsbook metrics`: the operational review over a window, as text, CSV or JSON."""

from __future__ import annotations

import click

from opsbook.cli.common import emit_json, load_or_exit, now_for, root_from, usage_error


# What the review reads: incidents and their severities, postmortems and their
# items, schedules and people for on-call load, the status page for impact.
KINDS = frozenset({"incident", "postmortem", "severity", "schedule", "person", "component"})


def _instant(option: str, text: str, zone):
    from datetime import timezone

    from opsbook.timeutil import parse_date, parse_instant, start_of_day

    try:
        if len(text.strip()) == 10:  # a date alone: its midnight in the organisation's zone
            return start_of_day(parse_date(text.strip()), zone).astimezone(timezone.utc)
        return parse_instant(text, zone).astimezone(timezone.utc)
    except ValueError as exc:
        raise usage_error(f"{option}: {exc}") from None


@click.command()
@click.option("--from", "from_text", metavar="DATE", help="Window start (date or time; default: 90 days before --to).")
@click.option("--to", "to_text", metavar="DATE",
              help="Window end, exclusive (a date means its midnight; default: now).")
@click.option("--by", type=click.Choice(["severity", "service", "team", "month"]),
              help="Response times per group as well as overall.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--now", "now_text", metavar="TIME", help="Judge open incidents and due dates at this instant.")
@click.pass_context
def metrics(ctx, from_text, to_text, by, fmt, as_json, now_text) -> None:
    """Response times (n, median, p90, mean), incidents per service, severity and
    month, customer-impact minutes, postmortem and action-item follow-through,
    on-call load per person, and open incidents with their age.

    Incidents count in the window they were declared in. Medians of an even
    count average the two middle values; p90 is by nearest rank.
    """
    import sys
    from datetime import timedelta

    from opsbook.metrics.compute import report
    from opsbook.metrics.definitions import DEFAULT_WINDOW_DAYS
    from opsbook.oncall.engine import MAX_WINDOW

    root = root_from(ctx)
    now = now_for(root, now_text)
    kb = load_or_exit(ctx, root, kinds=KINDS)
    zone = kb.zone
    end = _instant("--to", to_text, zone) if to_text else None
    start = _instant("--from", from_text, zone) if from_text else None
    if end is None:
        end = now if start is None or start < now else start + timedelta(days=DEFAULT_WINDOW_DAYS)
    if start is None:
        start = end - timedelta(days=DEFAULT_WINDOW_DAYS)
    if end <= start:
        raise usage_error(f"--to ({end.isoformat()}) must be after --from ({start.isoformat()})")
    if end - start > MAX_WINDOW:
        # On-call load walks every shift of the window; the engine's bound applies.
        raise usage_error(f"the window {start.date().isoformat()} to {end.date().isoformat()} spans "
                          f"{(end - start).days} days; it may span at most {MAX_WINDOW.days} days (2 years): "
                          "narrow --from/--to, or run one review per year")
    # The command's reader is the team: every incident, and restricted postmortems too.
    result = report(kb, start, end, now, by=by, audience="internal", restricted=True)
    if as_json:
        emit_json(result.model_dump(mode="json"))
    elif fmt == "csv":
        from opsbook.metrics.formats import write_csv

        write_csv(sys.stdout, result)
    else:
        from opsbook.diagnostics import shown
        from opsbook.metrics.formats import text_lines

        for line in text_lines(result):
            click.echo(shown(line))

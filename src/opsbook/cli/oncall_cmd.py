"""`opsbook oncall`: who is on call now or at a time, shifts, gaps, load report, ICS.

Argument parsing and output only; the answers come from ``opsbook.oncall``.
Times given without an offset are in --tz, else the organisation's zone.
Times shown are in --tz, else each schedule's own zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import click

from opsbook.cli.common import emit_json, load_or_exit, root_from, usage_error

_TZ = click.option("--tz", "tz_name", metavar="ZONE",
                   help="Zone for times without an offset and for display (default: organisation / schedule).")
_NOW = click.option("--now", "now_text", metavar="TIME",
                    help="Evaluate at this instant (default: opsbook.yaml as_of, else the clock).")
_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
_SCHEDULE = click.option("--schedule", "-s", "schedule_ids", multiple=True, metavar="S",
                         help="Only this schedule (repeatable; default: all).")


ONCALL_KINDS = frozenset({"schedule", "person", "team"})


class _Env:
    """What every subcommand needs: the loaded knowledge base, now, zones."""

    def __init__(self, ctx: click.Context, now_text: str | None, tz_name: str | None):
        from opsbook import timeutil
        from opsbook.cli.common import now_for

        self.root = root_from(ctx)
        # Schedules and people answer every oncall subcommand (names, zones,
        # teams for feed titles); nothing else is read.
        self.kb = load_or_exit(ctx, self.root, tolerate=True, essential=ONCALL_KINDS, kinds=ONCALL_KINDS)
        self.display_zone = None
        if tz_name:
            try:
                self.display_zone = timeutil.get_zone(tz_name)
            except ValueError as exc:
                raise usage_error(f"--tz: {exc}") from None
        self.input_zone = self.display_zone or self.kb.zone
        if now_text is not None and self.display_zone is not None:
            from opsbook.cli.common import parse_now

            self.now = parse_now(now_text, self.input_zone)
        else:
            self.now = now_for(self.root, now_text)

    def time(self, option: str, text: str | None, default: datetime) -> datetime:
        from opsbook.timeutil import parse_date, parse_instant, start_of_day

        if text is None:
            return default
        try:
            if len(text.strip()) == 10:  # a date alone: its local midnight
                return start_of_day(parse_date(text), self.input_zone).astimezone(timezone.utc)
            return parse_instant(text, self.input_zone).astimezone(timezone.utc)
        except ValueError as exc:
            raise usage_error(f"{option}: {exc}") from None

    def window(self, from_text: str | None, to_text: str | None, start: datetime,
               end: datetime) -> tuple[datetime, datetime]:
        from opsbook.oncall.engine import MAX_WINDOW

        begin = self.time("--from", from_text, start)
        finish = self.time("--to", to_text, end if from_text is None else begin + (end - start))
        if finish <= begin:
            raise usage_error(f"--to ({finish.isoformat()}) must be after --from ({begin.isoformat()})")
        if finish - begin > MAX_WINDOW:
            # The work (and the output) grows with the window; nobody reads ten
            # centuries of shifts, and a typo in a year must not hang the command.
            raise usage_error(f"--from {begin.date().isoformat()} --to {finish.date().isoformat()} spans "
                              f"{(finish - begin).days} days; a window may span at most {MAX_WINDOW.days} days "
                              f"(2 years): narrow it, e.g. --to {(begin + MAX_WINDOW).date().isoformat()}, "
                              "or run one command per period")
        return begin, finish

    def schedules(self, ids: tuple[str, ...]):
        from opsbook.oncall.engine import UnknownSchedule, find_schedule

        if not ids:
            return list(self.kb.schedule_list)
        try:
            return [find_schedule(self.kb, ident) for ident in ids]
        except UnknownSchedule as exc:
            click.echo(f"opsbook: {exc}", err=True)
            raise click.exceptions.Exit(1) from None

    def person(self, ident: str | None) -> str | None:

        if ident is None or ident in self.kb.people:
            return ident
        known = self.kb.ids("person")
        from opsbook.suggest import closest

        close = closest(ident, known)
        hint = f"; did you mean '{close}'?" if close else ""
        click.echo(f"opsbook: unknown person '{ident}'{hint}", err=True)
        raise click.exceptions.Exit(1)

    def zone_for(self, schedule):
        from opsbook.timeutil import get_zone

        return self.display_zone or get_zone(schedule.timezone)

    def show(self, at: datetime | None, schedule) -> str:
        if at is None:
            return "—"
        return at.astimezone(self.zone_for(schedule)).strftime("%a %Y-%m-%d %H:%M %Z")

    def name(self, person: str | None) -> str:
        if person is None:
            return "nobody"
        known = self.kb.people.get(person)
        return f"{known.name} ({person})" if known else person

    def person_json(self, person: str | None) -> dict | None:
        if person is None:
            return None
        known = self.kb.people.get(person)
        return {"id": person, "name": known.name if known else person}


@click.group()
def oncall() -> None:
    """Who is on call: now, at a time, shifts, gaps, load report, ICS feeds.

    Times without an offset are in --tz, else the organisation's zone. Exit
    codes: 0 ok, 1 findings or an unknown schedule/person, 2 usage error.
    """


def _answer(env: _Env, schedules, at: datetime, as_json: bool) -> None:
    from opsbook.oncall.engine import state_at
    from opsbook.timeutil import humanize

    rows = []
    for schedule in schedules:
        state = state_at(schedule, at)
        rows.append((schedule, state))
    if as_json:
        emit_json({"at": at.astimezone(timezone.utc).isoformat(), "schedules": [{
            "schedule": schedule.id, "name": schedule.name, "timezone": schedule.timezone,
            "at": at.astimezone(timezone.utc).isoformat(),
            "primary": env.person_json(state.primary), "backup": env.person_json(state.backup),
            "next_handoff": state.next_handoff.isoformat() if state.next_handoff else None,
            "seconds_to_next_handoff": int((state.next_handoff - at).total_seconds()) if state.next_handoff else None,
        } for schedule, state in rows]})
        return
    for i, (schedule, state) in enumerate(rows):
        if i:
            click.echo()
        click.echo(f"{schedule.name} [{schedule.id}] at {env.show(at, schedule)}")
        click.echo(f"  primary  {env.name(state.primary)}")
        click.echo(f"  backup   {env.name(state.backup)}")
        if state.next_handoff:
            click.echo(f"  changes  {env.show(state.next_handoff, schedule)} (in {humanize(state.next_handoff - at)})")
        else:
            click.echo("  changes  not within a year")


@oncall.command()
@_SCHEDULE
@_NOW
@_TZ
@_JSON
@click.pass_context
def now(ctx: click.Context, schedule_ids, now_text, tz_name, as_json) -> None:
    """Primary and backup of each schedule now, and when that changes."""
    env = _Env(ctx, now_text, tz_name)
    _answer(env, env.schedules(schedule_ids), env.now, as_json)


@oncall.command()
@click.argument("time_text", metavar="TIME")
@_SCHEDULE
@_TZ
@_JSON
@click.pass_context
def at(ctx: click.Context, time_text, schedule_ids, tz_name, as_json) -> None:
    """Primary and backup of each schedule at TIME (ISO 8601, with or without offset)."""
    env = _Env(ctx, None, tz_name)
    when = env.time("TIME", time_text, env.now)
    _answer(env, env.schedules(schedule_ids), when, as_json)


_FROM = click.option("--from", "from_text", metavar="TIME", help="Window start (date or time).")
_TO = click.option("--to", "to_text", metavar="TIME", help="Window end (date or time).")


@oncall.command()
@_FROM
@_TO
@_SCHEDULE
@click.option("--person", "-p", "person_id", metavar="P", help="Only this person's shifts.")
@click.option("--role", type=click.Choice(["primary", "backup"]), help="Only this role.")
@_NOW
@_TZ
@_JSON
@click.pass_context
def shifts(ctx: click.Context, from_text, to_text, schedule_ids, person_id, role, now_text, tz_name,
           as_json) -> None:
    """Final shifts (after overrides) meeting a window; default the next 2 weeks.

    Shifts are shown whole, even where they start before --from or end after --to.
    """
    from opsbook.timeutil import humanize

    env = _Env(ctx, now_text, tz_name)
    start, end = env.window(from_text, to_text, env.now, env.now + timedelta(weeks=2))
    chosen = env.schedules(schedule_ids)
    person = env.person(person_id)
    from opsbook.oncall.engine import shifts_between

    found = []
    for schedule in chosen:
        for shift in shifts_between(schedule, start, end, role=role):
            if person is None or shift.person == person:
                found.append((schedule, shift))
    found.sort(key=lambda pair: (pair[1].start, pair[1].schedule, pair[1].role != "primary"))
    if as_json:
        emit_json({"from": start.isoformat(), "to": end.isoformat(), "shifts": [{
            "schedule": s.schedule, "role": s.role, "person": env.person_json(s.person),
            "start": s.start.isoformat(), "end": s.end.isoformat(), "hours": round(s.hours, 2),
            "source": "override" if s.override is not None else "layer", "layer": s.layer,
            "override": s.override,
        } for _, s in found]})
        return
    if not found:
        click.echo("no shifts in that window")
        return
    for schedule, s in found:
        click.echo(f"{env.show(s.start, schedule)} → {env.show(s.end, schedule)}  {s.schedule:<10} "
                   f"{s.role:<7} {env.name(s.person)}  [{humanize(s.end - s.start)}, {s.source}]")


@oncall.command()
@_FROM
@_TO
@_SCHEDULE
@_NOW
@_TZ
@_JSON
@click.pass_context
def gaps(ctx: click.Context, from_text, to_text, schedule_ids, now_text, tz_name, as_json) -> None:
    """Windows with nobody primary; default the next 8 weeks.

    Exit 1 when a schedule that claims 24/7 coverage has one.
    """
    from opsbook.oncall.engine import gaps_between
    from opsbook.timeutil import humanize

    env = _Env(ctx, now_text, tz_name)
    start, end = env.window(from_text, to_text, env.now, env.now + timedelta(weeks=8))
    rows = []
    for schedule in env.schedules(schedule_ids):
        for gap in gaps_between(schedule, start, end):
            rows.append((schedule, gap))
    failing = [schedule.id for schedule, _ in rows if schedule.coverage == "24/7"]
    if as_json:
        emit_json({"from": start.isoformat(), "to": end.isoformat(), "gaps": [{
            "schedule": schedule.id, "coverage": schedule.coverage, "start": gap.start.isoformat(),
            "end": gap.end.isoformat(), "hours": round((gap.end - gap.start).total_seconds() / 3600, 2),
        } for schedule, gap in rows]})
    elif not rows:
        click.echo("no gaps: someone is primary on every schedule for the whole window")
    else:
        for schedule, gap in rows:
            flag = "GAP in 24/7 schedule" if schedule.coverage == "24/7" else "uncovered (partial coverage)"
            click.echo(f"{schedule.id:<10} {env.show(gap.start, schedule)} → {env.show(gap.end, schedule)}  "
                       f"[{humanize(gap.end - gap.start)}] {flag}")
    if failing:
        if not as_json:
            click.echo(f"{len(failing)} gap{'s' * (len(failing) != 1)} in schedules claiming 24/7 coverage: "
                       f"{', '.join(sorted(set(failing)))}", err=True)
        ctx.exit(1)


@oncall.command()
@_FROM
@_TO
@_SCHEDULE
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
@_NOW
@_TZ
@_JSON
@click.pass_context
def report(ctx: click.Context, from_text, to_text, schedule_ids, fmt, now_text, tz_name, as_json) -> None:
    """Per person: hours on call, shifts, night and weekend hours, backup hours.

    Night is 22:00-07:00 and the weekend Saturday and Sunday, in the person's own
    zone (people.yaml), else the schedule's. Default window: the 4 weeks before now.
    """
    from opsbook.oncall.report import CSV_FIELDS, load_report

    env = _Env(ctx, now_text, tz_name)
    start, end = env.window(from_text, to_text, env.now - timedelta(weeks=4), env.now)
    rows = [row.as_dict() for row in load_report(env.kb, start, end, env.schedules(schedule_ids))]
    if as_json or fmt == "json":
        emit_json({"from": start.isoformat(), "to": end.isoformat(), "people": rows})
    elif fmt == "csv":
        import sys

        from opsbook.csvout import write_csv

        write_csv(sys.stdout, CSV_FIELDS, ({**row, "schedules": " ".join(row["schedules"])} for row in rows))
    else:
        click.echo(f"On-call load {start.isoformat()} → {end.isoformat()}")
        if not rows:
            click.echo("nobody was on call in that window")
            return
        click.echo(f"{'person':<24} {'hours':>7} {'shifts':>6} {'night':>7} {'weekend':>7} {'backup':>7}")
        for row in rows:
            click.echo(f"{row['name'][:24]:<24} {row['hours']:>7.1f} {row['shifts']:>6} {row['night_hours']:>7.1f} "
                       f"{row['weekend_hours']:>7.1f} {row['backup_hours']:>7.1f}")


# Each shift is an event in its schedule's feed and in its person's; writing
# one takes about a millisecond. Two years of a weekly or follow-the-sun
# rotation is a few thousand shifts; an hourly one is 35,000.
MAX_FEED_SHIFTS = 5_000


def _check_feed_size(env: _Env, start: datetime, end: datetime) -> None:
    from opsbook.oncall.engine import shifts_between

    for schedule in env.kb.schedule_list:
        count = len(shifts_between(schedule, start, end))
        if count > MAX_FEED_SHIFTS:
            days = max(1, int((end - start).total_seconds() * MAX_FEED_SHIFTS / count // 86400))
            raise usage_error(f"{schedule.id} has {count:,} shifts from {start.date().isoformat()} to "
                              f"{end.date().isoformat()}; a feed holds at most {MAX_FEED_SHIFTS:,} shifts per "
                              f"schedule: narrow --from/--to (about {days} days fit)")


@oncall.command()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Folder for the feeds: DIR/<schedule>.ics and DIR/people/<person>.ics.")
@_FROM
@_TO
@_NOW
@_TZ
@click.option("--audience", type=click.Choice(["public", "internal"]), default="public", show_default=True,
              help="Who may read the feeds: public feeds leave out override reasons, which are often personal.")
@_JSON
@click.pass_context
def ics(ctx: click.Context, out_dir: Path, from_text, to_text, now_text, tz_name, audience, as_json) -> None:
    """Write iCalendar feeds: one per schedule, one per person.

    Default window: 4 weeks back to 26 weeks ahead of now. Feeds are public by
    default (no override reasons), like the site's.
    """
    from opsbook.oncall.ics import all_feeds, default_window
    from opsbook.outdir import OutputError, write_in_place

    env = _Env(ctx, now_text, tz_name)
    start, end = env.window(from_text, to_text, *default_window(env.now))
    _check_feed_size(env, start, end)
    feeds = all_feeds(env.kb, start, end, env.now, audience=audience)
    out = out_dir.resolve()
    try:
        # Feeds go where people also keep files (a web root): never over one
        # opsbook did not write, and a removed person's old feed goes.
        write_in_place(out, feeds)
    except OutputError as exc:
        raise usage_error(str(exc)) from None
    except OSError as exc:
        raise usage_error(f"cannot write {exc.filename or out}: {exc.strerror or exc}") from None
    written = [{"path": rel, "file": str(out / rel), "bytes": len(data)} for rel, data in feeds.items()]
    if as_json:
        emit_json({"from": start.isoformat(), "to": end.isoformat(), "feeds": written})
    else:
        click.echo(f"wrote {len(written)} feeds to {out} ({start.date()} to {end.date()})")


@oncall.command()
@click.argument("schedule_id", metavar="SCHEDULE")
@click.option("--person", required=True, metavar="P", help="Who takes the shift (a person id).")
@click.option("--from", "from_text", required=True, metavar="TIME", help="Start; without an offset, in --tz, else "
                                                                         "the organisation's zone.")
@click.option("--to", "to_text", required=True, metavar="TIME", help="End (exclusive).")
@click.option("--role", default="primary", show_default=True, metavar="R", help="primary or backup.")
@click.option("--replacing", metavar="P", help="Who is swapped out; must be on call in that role then.")
@click.option("--reason", default="", help="Why (kept in the schedule; left out of public feeds).")
@click.option("--force", is_flag=True, help="Write it even if it overlaps another override, names someone outside "
                                            "the rotation, or --replacing is not on call then.")
@_TZ
@_JSON
@click.pass_context
def override(ctx: click.Context, schedule_id, person, from_text, to_text, role, replacing, reason, force, tz_name,
             as_json) -> None:
    """Add an override (a shift swap) to SCHEDULE's file, comments kept.

    Refuses an override that overlaps another of the same role, names someone
    outside the team and the rotation, or replaces someone not on call then,
    unless --force. Exit 0 written, 1 unknown schedule or person or a refusal,
    2 usage error.
    """
    from opsbook.cli.common import finding
    from opsbook.incidents.lifecycle import LifecycleError, check_text
    from opsbook.incidents.midincident import OverrideAdded, Refused, UnknownName, add_override
    from opsbook.incidents.yamledit import EditError
    from opsbook.oncall.engine import UnknownSchedule, find_schedule

    try:
        check_text("--reason", reason)
    except EditError as exc:
        raise usage_error(str(exc)) from None
    env = _Env(ctx, None, tz_name)
    try:
        schedule = find_schedule(env.kb, schedule_id)
    except UnknownSchedule as exc:
        raise finding(str(exc)) from None
    start = env.time("--from", from_text, env.now)
    end = env.time("--to", to_text, env.now)
    try:
        path, refusals = add_override(env.kb, schedule, role, person, start, end, reason, replacing, force)
    except UnknownName as exc:
        raise finding(str(exc)) from None
    except Refused as exc:
        raise finding(str(exc), code="refused") from None
    except LifecycleError as exc:
        raise usage_error(str(exc)) from None
    except EditError as exc:
        where = path_rel(env.root, exc.path) if exc.path is not None else None
        raise usage_error(exc.where(where) if where else str(exc)) from None
    answer = OverrideAdded(schedule=schedule.id, file=path_rel(env.root, path), role=role, person=person,
                           start=start.isoformat(), end=end.isoformat(), replacing=replacing,
                           reason=reason.strip(), forced=[r.kind for r in refusals])
    if as_json:
        emit_json(answer.model_dump(mode="json"))
        return
    from opsbook.diagnostics import shown
    from opsbook.humanize import person_name

    zone = env.display_zone or _zone_of(schedule)
    click.echo(shown(f"Override added to {answer.file}: {person_name(env.kb, person)} is {role} "
                     f"{start.astimezone(zone):%Y-%m-%d %H:%M %Z} to {end.astimezone(zone):%Y-%m-%d %H:%M %Z}"
                     + (f", replacing {person_name(env.kb, replacing)}" if replacing else "")))
    for refusal in refusals:
        click.echo(shown(f"  forced: {refusal.message}"))


def _zone_of(schedule):
    from opsbook import timeutil

    return timeutil.get_zone(schedule.timezone)


def path_rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)

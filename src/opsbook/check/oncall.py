"""On-call rules (OB4xx): coverage, conflicts and load, over a horizon.

Time-relative rules look from ``now`` to ``now + policies.oncall.horizon``
(default 8 weeks): a gap last spring is history, a gap next week is a page
nobody answers. Rules about the file itself (overlapping overrides, an
override for someone outside the team) hold at any time.
"""

from __future__ import annotations

from bisect import bisect_left

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Iterable

from opsbook.check.registry import Context, check
from opsbook.diagnostics import Diagnostic, Level, define_rule
from opsbook.model.schedule import Schedule
from opsbook.timeutil import format_duration

E, W = Level.ERROR, Level.WARNING
COVERAGE_GAP = define_rule("OB401", "oncall-coverage-gap", E,
                           "a schedule that claims 24/7 coverage has nobody primary for a while")
PRIMARY_IS_BACKUP = define_rule("OB402", "oncall-primary-is-backup", E,
                                "the same person is primary and backup at the same time")
OVERRIDES_OVERLAP = define_rule("OB403", "oncall-overrides-overlap", E,
                                "two overrides for the same role overlap")
OVERRIDE_OFF_TEAM = define_rule("OB404", "oncall-override-off-team", E,
                                "an override puts someone on call who is not on the schedule's team")
DOUBLE_BOOKED = define_rule("OB405", "oncall-double-booked", W,
                            "a person is on call in two schedules at the same time")
SMALL_ROTATION = define_rule("OB406", "oncall-small-24x7-rotation", W,
                             "a weekly 24/7 rotation has fewer than 4 members")
HORIZON_TOO_LONG = define_rule("OB407", "oncall-horizon-too-long", E,
                               "policies.oncall.horizon is longer than the 2 years opsbook checks ahead")
del E, W

# Fewer people than this on a weekly rotation that holds the pager around the
# clock means a week of broken nights more than once a month.
MIN_24X7_MEMBERS = 4
_WEEK = timedelta(weeks=1)


def _configured_horizon(ctx: Context) -> timedelta:
    policy = getattr(ctx.kb.config.policies, "oncall", None)
    return getattr(policy, "horizon", None) or timedelta(weeks=8)


def _horizon(ctx: Context) -> tuple[datetime, datetime]:
    from opsbook.oncall.engine import MAX_WINDOW

    # A longer horizon is reported once (OB407) and checked up to the cap:
    # `horizon: 36525d` would otherwise compute a century of shifts per rule.
    return ctx.now, ctx.now + min(_configured_horizon(ctx), MAX_WINDOW)


@check
def horizon_bound(ctx: Context) -> Iterable[Diagnostic]:
    from opsbook.oncall.engine import MAX_WINDOW

    horizon = _configured_horizon(ctx)
    if horizon > MAX_WINDOW:
        yield Diagnostic(HORIZON_TOO_LONG, ctx.kb.config.file,
                         f"policies.oncall.horizon is {format_duration(horizon)}; opsbook checks schedules at most "
                         f"{MAX_WINDOW.days} days (2 years) ahead, and checked only that far",
                         f"set horizon to {format_duration(MAX_WINDOW)} or less (the default is 8w): gaps further "
                         "ahead than that are planned, not missed", path=("policies", "oncall", "horizon"))


def _local(schedule: Schedule, at: datetime) -> str:
    from opsbook.timeutil import get_zone

    return at.astimezone(get_zone(schedule.timezone)).strftime("%a %Y-%m-%d %H:%M %Z")


def _source_path(schedule: Schedule, shift) -> tuple:
    """Where a shift comes from in its file: the override, or the layer's members."""
    if shift.override is not None:
        return ("overrides", shift.override)
    index = next((i for i, layer in enumerate(schedule.layers) if layer.name == shift.layer), 0)
    return ("layers", index, "members")


def _usable(ctx: Context, schedule: Schedule) -> bool:
    # A schedule naming unknown people is already reported (OB201); computing
    # its shifts would only repeat that finding in other words.
    return all(ctx.kb.knows("person", p) is not False
               for layer in schedule.layers for p in layer.members)


@check
def coverage_gaps(ctx: Context) -> Iterable[Diagnostic]:
    from opsbook.oncall.engine import gaps_between

    start, end = _horizon(ctx)
    for schedule in ctx.kb.schedule_list:
        if schedule.coverage != "24/7" or not _usable(ctx, schedule):
            continue
        gaps = gaps_between(schedule, start, end)
        if not gaps:
            continue
        first = gaps[0]
        more = f" (and {len(gaps) - 1} more before {_local(schedule, end)})" if len(gaps) > 1 else ""
        yield Diagnostic(COVERAGE_GAP, schedule.file,
                         f"{schedule.name} claims 24/7 coverage but nobody is primary from "
                         f"{_local(schedule, first.start)} to {_local(schedule, first.end)}{more}",
                         "extend a layer's restrictions or add a layer or an override that covers it; "
                         "`opsbook oncall gaps` lists every gap", path=("coverage",))


def _horizon_shifts(ctx: Context, schedule: Schedule) -> list:
    """The schedule's shifts over the horizon, computed once per validate run for
    every rule that needs them."""
    from opsbook.oncall.engine import shifts_between

    memo = ctx.__dict__.setdefault("_horizon_shifts", {})
    if schedule.id not in memo:
        memo[schedule.id] = shifts_between(schedule, *_horizon(ctx))
    return memo[schedule.id]


@check
def primary_is_backup(ctx: Context) -> Iterable[Diagnostic]:
    for schedule in ctx.kb.schedule_list:
        if not _usable(ctx, schedule):
            continue
        shifts = _horizon_shifts(ctx, schedule)
        # Backup shifts of each person, by start. Shifts of one role never overlap,
        # so for a primary shift the overlapping backups are the run just before the
        # first one that starts at or after its end: a bisect and a short walk back,
        # not every backup for every primary (70k x 70k at a 15-minute rotation).
        backups: dict[str, list] = defaultdict(list)
        for shift in shifts:
            if shift.role == "backup":
                backups[shift.person].append(shift)
        for mine in backups.values():
            mine.sort(key=lambda b: b.start)
        starts = {person: [b.start for b in mine] for person, mine in backups.items()}
        seen: set[tuple] = set()
        for p in (s for s in shifts if s.role == "primary"):
            mine = backups.get(p.person, ())
            stop = bisect_left(starts.get(p.person, ()), p.end)
            first = stop
            while first > 0 and mine[first - 1].end > p.start:
                first -= 1
            for b in mine[first:stop]:
                # Point at what put them in the second role: an override if either is one.
                culprit = b if b.override is not None else p
                key = (p.person, culprit.override, culprit.layer)
                if key in seen:
                    continue
                seen.add(key)
                at = max(p.start, b.start)
                path = _source_path(schedule, culprit)
                yield Diagnostic(PRIMARY_IS_BACKUP, schedule.file,
                                 f"'{p.person}' is both primary and backup on {schedule.name} from "
                                 f"{_local(schedule, at)}", "a backup is there for when the primary does not "
                                 "answer; make someone else backup for that stretch", path=path)


@check
def overlapping_overrides(ctx: Context) -> Iterable[Diagnostic]:
    for schedule in ctx.kb.schedule_list:
        # For each override, the first earlier one (in file order) of its role that
        # overlaps it. Sorted by start, an earlier override overlaps a later-starting
        # one exactly when it ends after that one starts, so a sweep per role keeps
        # the overrides still open, instead of comparing every pair.
        found: dict[int, int] = {}
        for role in ("primary", "backup"):
            order = sorted((o.start, i) for i, o in enumerate(schedule.overrides) if o.role == role)
            open_: list[int] = []
            for _, j in order:
                later = schedule.overrides[j]
                open_ = [i for i in open_ if schedule.overrides[i].end > later.start]
                for i in open_:
                    low, high = min(i, j), max(i, j)
                    if high not in found or low < found[high]:
                        found[high] = low
                open_.append(j)
        for j in sorted(found):
            i, later, earlier = found[j], schedule.overrides[j], schedule.overrides[found[j]]
            yield Diagnostic(OVERRIDES_OVERLAP, schedule.file,
                             f"override #{j + 1} ({later.person}) overlaps override #{i + 1} "
                             f"({earlier.person}) for the {later.role} role from "
                             f"{_local(schedule, max(earlier.start, later.start))}",
                             "only the later one counts where they overlap; shorten one or merge them",
                             path=("overrides", j), related=(schedule.file, ("overrides", i)))


@check
def override_off_team(ctx: Context) -> Iterable[Diagnostic]:
    for schedule in ctx.kb.schedule_list:
        team = ctx.kb.teams.get(schedule.team) if schedule.team else None
        if team is None:
            continue  # no team, or an unknown one (OB202)
        for i, override in enumerate(schedule.overrides):
            if override.person in team.members or ctx.kb.knows("person", override.person) is not True:
                continue
            yield Diagnostic(OVERRIDE_OFF_TEAM, schedule.file,
                             f"override #{i + 1} puts '{override.person}' on call for {schedule.name}, "
                             f"but they are not on the team '{team.id}'",
                             f"add '{override.person}' to the members of team '{team.id}' in "
                             "schedules/people.yaml, or pick someone on the team",
                             path=("overrides", i, "person"))


@check
def double_booked(ctx: Context) -> Iterable[Diagnostic]:
    start, _ = _horizon(ctx)
    by_person: dict[str, list] = defaultdict(list)
    for schedule in ctx.kb.schedule_list:
        if not _usable(ctx, schedule):
            continue
        for shift in _horizon_shifts(ctx, schedule):
            by_person[shift.person].append(shift)
    for person, shifts in sorted(by_person.items()):
        shifts.sort(key=lambda s: s.start)
        reported: set[tuple[str, str]] = set()
        for i, a in enumerate(shifts):
            for k in range(i + 1, len(shifts)):  # indexes, not a slice: a slice copies the rest each time
                b = shifts[k]
                if b.start >= a.end:
                    break
                pair = tuple(sorted((a.schedule, b.schedule)))
                if a.schedule == b.schedule or pair in reported or b.end <= start or a.end <= start:
                    continue
                reported.add(pair)  # type: ignore[arg-type]
                later = ctx.kb.schedules[b.schedule]
                path = _source_path(later, b)
                yield Diagnostic(DOUBLE_BOOKED, later.file,
                                 f"'{person}' is on call in {a.schedule} ({a.role}) and {b.schedule} ({b.role}) "
                                 f"at the same time from {_local(later, max(a.start, b.start))}",
                                 "one person cannot answer two pagers well; swap one of the shifts",
                                 path=path)


def _always_on(layer) -> bool:
    """The layer alone covers every hour of the week (no restrictions, or ones
    covering all seven days round the clock)."""
    if not layer.restrict:
        return True
    minutes = [0] * 7
    for rule in layer.restrict:
        span = (rule.to if rule.to > rule.from_ else rule.to + 1440) - rule.from_
        for day in rule.days:
            minutes[("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(day)] += span
    return all(m >= 1440 for m in minutes)


def _ended(schedule: Schedule, layer, now: datetime) -> bool:
    from opsbook.oncall.rotation import bounds

    last = bounds(schedule, layer)[1]
    return last is not None and last <= now


@check
def small_rotation(ctx: Context) -> Iterable[Diagnostic]:
    # Only a layer whose member holds the pager around the clock for a week or
    # more counts. Follow-the-sun layers (each restricted to its region's day)
    # are exempt: nobody is woken at night, so two per region is sustainable.
    for schedule in ctx.kb.schedule_list:
        if schedule.coverage != "24/7":
            continue
        for i, layer in enumerate(schedule.layers):
            people = len(set(layer.members))
            if _ended(schedule, layer, ctx.now):
                continue  # a layer that ended (an edited rotation's old half) burns nobody out any more
            if layer.length >= _WEEK and _always_on(layer) and people < MIN_24X7_MEMBERS:
                yield Diagnostic(SMALL_ROTATION, schedule.file,
                                 f"layer '{layer.name}' of {schedule.name} carries the pager 24/7 in turns of "
                                 f"{format_duration(layer.length)} with only {people} "
                                 f"{'person' if people == 1 else 'people'}",
                                 f"fewer than {MIN_24X7_MEMBERS} people on a weekly 24/7 rotation burns them out "
                                 "(on call every other or third week); add members, or split the day "
                                 "follow-the-sun with restricted layers", path=("layers", i, "members"))

"""Grafana OnCall public API v1 responses -> ``ir``.

Facts used (grafana/oncall docs/sources/oncall-api-reference: schedules.md,
on_call_shifts.md, escalation_policies.md, users.md):

* List endpoints answer ``{count, next, previous, results: [...]}``; follow
  ``next`` and save each page.
* A schedule: ``type`` ical | calendar | web, ``time_zone`` (default UTC),
  ``shifts`` (shift ids, for calendar schedules).
* An on-call shift: ``type`` single_event | recurrent_event | rolling_users
  (override shifts also appear); ``start`` local time without offset in the
  shift's ``time_zone`` (default: the schedule's); ``duration`` seconds;
  ``frequency`` hourly | daily | weekly | monthly with ``interval``; ``by_day``,
  ``by_month``, ``by_monthday``, ``week_start`` (RFC 5545); ``until``;
  ``users`` (all on call together in a recurrent event) or ``rolling_users``
  (a list of groups; "Grafana OnCall will iterate over lists of users for
  every time frame specified in frequency"); ``start_rotation_from_user_index``;
  ``rotation_start``; ``level``: "If two events overlap in one schedule,
  Grafana OnCall will choose the event with higher level".
* An escalation chain's policies run in ``position`` order: ``wait``
  (``duration`` seconds), ``notify_persons``, ``notify_person_next_each_time``
  (round robin), ``notify_on_call_from_schedule``, ``notify_team_members``,
  ``notify_user_group``, ``trigger_webhook``, ``resolve``,
  ``notify_whole_channel``, ``notify_if_time_from_to``, ``repeat_escalation``
  (the chain from the start, at most 5 times).
* ``GET /api/v1/schedules/{id}/final_shifts?start_date&end_date`` answers
  ``[{user_pk, user_email, user_username, shift_start, shift_end}]``.
"""

from __future__ import annotations

from datetime import timedelta

from opsbook import timeutil
from opsbook.importers.common import Collector, Rendered, Rendering, user
from opsbook.importers.ir import (
    OverrideIR,
    Parsed,
    PolicyIR,
    Rotation,
    ScheduleIR,
    StepIR,
    TargetIR,
    VendorTeam,
    Where,
)
from opsbook.importers.source import At, InputError, Source, top_keys

VENDOR = "grafana-oncall"
PERIODS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1), "weekly": timedelta(weeks=1)}
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SHIFT_TYPES = ("single_event", "recurrent_event", "rolling_users", "override")
REPEAT_ESCALATION_TIMES = 5
ENDPOINTS = ("users, schedules, on_call_shifts, escalation_chains, escalation_policies, teams, "
             "schedules/{id}/final_shifts")


def _items(data) -> list | None:
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return data["results"]
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and "id" in data:
        return [data]
    return None


def kind_of(source: Source) -> str:
    items = _items(source.data)
    if items is not None:
        if not items:
            return "empty"
        first = items[0] if isinstance(items[0], dict) else {}
        if "shift_start" in first:
            return "final_shifts"
        if "escalation_chain_id" in first:
            return "escalation_policies"
        if first.get("type") in SHIFT_TYPES:
            return "shifts"
        if first.get("type") in ("ical", "calendar", "web"):
            return "schedules"
        if "email" in first and "username" in first:
            return "users"
        if "avatar_url" in first or ("email" in first and "name" in first):
            return "teams"
        if "name" in first and "team_id" in first:
            return "escalation_chains"
    raise InputError(source.file, None, f"not a Grafana OnCall response opsbook reads ({ENDPOINTS}); "
                     f"{top_keys(source.data)}")


def _entries(source: Source) -> list[At]:
    root = source.root
    if isinstance(source.data, dict) and "results" in source.data:
        return root.key("results").items()
    if isinstance(source.data, list):
        return root.items()
    return [root]


def _ids(at: At | None) -> tuple[str, ...]:
    return tuple(x.id() for x in at.items()) if at is not None else ()


def _shift_rotation(shift: At, source: Source, zone_name: str, unsupported: list) -> Rotation | OverrideIR | None:
    kind = shift.key("type").str()
    ident = shift.key("id").id()
    where = Where(source.file, shift.path)
    zone_name = shift.opt("time_zone").str() if shift.opt("time_zone") is not None else zone_name
    try:
        zone = timeutil.get_zone(zone_name)
    except ValueError as exc:
        unsupported.append((where, f"shift {ident[:40]}'s time zone", str(exc)))
        return None
    start = shift.key("start").local()
    duration = timedelta(seconds=shift.key("duration").int(minimum=1))
    level = shift.opt("level").int() if shift.opt("level") is not None else 0
    name = shift.opt("name").str(allow_empty=True) if shift.opt("name") is not None else ident
    if kind == "override" or kind == "single_event":
        users = _ids(shift.opt("users"))
        if not users and shift.opt("rolling_users") is not None:
            users = tuple(u for group in shift.key("rolling_users").items() for u in _ids(group))
        begin = timeutil.to_aware(start, zone)
        end = timeutil.to_aware(start + duration, zone)
        if kind == "override":
            return OverrideIR(ident, where, begin, end, tuple(("user", u) for u in users))
        # A one-off shift at its level: a layer of one turn that ends.
        return Rotation(name, ident, where, zone_name, start, duration, (tuple(("user", u) for u in users),), level,
                        active_until=end)
    frequency = shift.key("frequency").str()
    for key in ("by_month", "by_monthday"):
        if shift.opt(key) is not None and shift.key(key).items():
            unsupported.append((Where(source.file, shift.key(key).path), f"shift {name[:60]!r} recurs {key}",
                                "monthly patterns have no weekly equivalent"))
            return None
    if frequency not in PERIODS:
        unsupported.append((where, f"shift {name[:60]!r} recurs {frequency[:20]}",
                            "only hourly, daily and weekly recurrences have an opsbook layer"))
        return None
    interval = shift.opt("interval").int(minimum=1) if shift.opt("interval") is not None else 1
    period = PERIODS[frequency] * interval
    if kind == "rolling_users":
        groups = [tuple(("user", u) for u in _ids(group)) for group in shift.key("rolling_users").items()]
        first = shift.opt("start_rotation_from_user_index").int(minimum=0) if \
            shift.opt("start_rotation_from_user_index") is not None else 0
        if groups:
            first %= len(groups)
            groups = groups[first:] + groups[:first]
    else:
        groups = [tuple(("user", u) for u in _ids(shift.opt("users")))]
    until = shift.opt("until")
    rotation_start = shift.opt("rotation_start")
    active_from = timeutil.to_aware(rotation_start.local(), zone) if rotation_start is not None else None
    if active_from is not None and active_from <= timeutil.to_aware(start, zone):
        active_from = None
    by_day = [d.str().upper() for d in shift.opt("by_day").items()] if shift.opt("by_day") is not None else []
    windows = None
    duty = duration if duration != period else None
    turn = period
    if by_day:
        bad = [d for d in by_day if d not in ICAL_DAYS]
        if bad:
            raise shift.key("by_day").fail(f"unknown day {bad[0][:10]!r}")
        if len(groups) > 1:
            unsupported.append((Where(source.file, shift.key("by_day").path),
                                f"shift {name[:60]!r} rotates {len(groups)} groups on selected days (by_day)",
                                "whether a turn passes per occurrence or per period is not documented, so it "
                                "cannot be mapped exactly; use one rotation without by_day plus restrictions"))
            return None
        if frequency == "hourly" or (frequency == "weekly" and interval > 1) or (frequency == "daily" and interval > 1):
            unsupported.append((where, f"shift {name[:60]!r} recurs every {interval} {frequency} on selected days",
                                "the pattern does not repeat weekly"))
            return None
        tod = start.hour * 3600 + start.minute * 60 + start.second
        seconds = int(duration.total_seconds())
        windows = tuple((ICAL_DAYS.index(d) * 86400 + tod, ICAL_DAYS.index(d) * 86400 + tod + seconds)
                        for d in by_day)
        duty, turn = None, timedelta(weeks=1)
    return Rotation(name, ident, where, zone_name, start, turn, tuple(groups), level, active_from=active_from,
                    active_until=timeutil.to_aware(until.local(), zone) if until is not None else None,
                    until_cuts=until is None,
                    windows=windows, duty=duty)


def parse(sources: list[Source]) -> Parsed:
    parsed = Parsed(VENDOR)
    errors = Collector()
    by_kind: dict[str, list[Source]] = {}
    for source in sources:
        kind = errors.run(kind_of, source)
        if kind == "final_shifts":
            errors.errors.append(InputError(source.file, None, "this is final_shifts, what Grafana OnCall says is on "
                                            "call; give it to `opsbook import verify grafana-oncall`"))
        elif kind:
            by_kind.setdefault(kind, []).append(source)
    for source in by_kind.get("users", []):
        for entry in errors.run(_entries, source) or []:
            u = errors.run(lambda e: user(e.key("id"), e.opt("email"), e.opt("name") or e.opt("username"),
                                          e.opt("timezone"), e), entry)
            if u is not None:
                parsed.users.setdefault(u.vendor_id, u)
    team_members: dict[str, list[str]] = {}
    for u_source in by_kind.get("users", []):
        for entry in _entries(u_source):
            for team in entry.opt("teams").items() if entry.has("teams") and entry.opt("teams") is not None else []:
                if isinstance(team.value, (str, int)):
                    team_members.setdefault(str(team.value), []).append(entry.key("id").id())
    for source in by_kind.get("teams", []):
        for t in _entries(source):
            ident = errors.run(lambda x: x.key("id").id(), t)
            if ident is not None:
                parsed.teams.append(VendorTeam(ident, t.key("name").str(allow_empty=True) or ident,
                                               tuple(team_members.get(ident, [])), Where(source.file, t.path)))
    shifts: dict[str, tuple[At, Source]] = {}
    for source in by_kind.get("shifts", []):
        for s in _entries(source):
            ident = errors.run(lambda x: x.key("id").id(), s)
            if ident is not None:
                shifts[ident] = (s, source)
    for source in by_kind.get("schedules", []):
        for entry in _entries(source):
            schedule = errors.run(_schedule, entry, source, shifts)
            if schedule is not None:
                parsed.schedules.append(schedule)
    chains = {}
    for source in by_kind.get("escalation_chains", []):
        for c in _entries(source):
            ident = errors.run(lambda x: x.key("id").id(), c)
            if ident is not None:
                chains[ident] = c
    steps_by_chain: dict[str, list[At]] = {}
    for source in by_kind.get("escalation_policies", []):
        for p in _entries(source):
            chain = errors.run(lambda x: x.key("escalation_chain_id").id(), p)
            if chain is not None:
                steps_by_chain.setdefault(chain, []).append(p)
    for chain_id, chain in chains.items():
        policy = errors.run(_chain, chain, steps_by_chain.get(chain_id, []))
        if policy is not None:
            parsed.policies.append(policy)
    for chain_id, steps in steps_by_chain.items():
        if chain_id not in chains:
            errors.errors.append(InputError(steps[0].file, steps[0].path, f"a step of escalation chain "
                                            f"{chain_id[:40]}, which is in no escalation_chains file"))
    errors.raise_if_any()
    return parsed


def _schedule(entry: At, source: Source, shifts: dict[str, tuple[At, Source]]) -> ScheduleIR:
    ident = entry.key("id").id()
    name = entry.key("name").str(allow_empty=True) or ident
    kind = entry.key("type").str()
    zone_at = entry.opt("time_zone")
    zone_name = zone_at.str().strip() if zone_at is not None else "UTC"
    where = Where(source.file, entry.path)
    unsupported: list = []
    if kind == "ical":
        unsupported.append((where, "an iCal schedule", "its shifts live in an external calendar "
                            "(ical_url_primary); recreate them as rotations in opsbook"))
    if entry.opt("ical_url_overrides") is not None:
        unsupported.append((Where(source.file, entry.key("ical_url_overrides").path), "overrides from an iCal URL",
                            "their events live in an external calendar; add them as opsbook overrides by hand"))
    ids = list(_ids(entry.opt("shifts")))
    ids += [k for k, (s, _) in shifts.items() if s.opt("schedule") is not None and s.key("schedule").id() == ident
            and k not in ids]
    rotations, overrides = [], []
    for shift_id in ids:
        if shift_id not in shifts:
            raise entry.fail(f"shift {shift_id[:40]} is in no on_call_shifts file; save every page of "
                             "GET /api/v1/on_call_shifts/")
        shift, shift_source = shifts[shift_id]
        made = _shift_rotation(shift, shift_source, zone_name, unsupported)
        if isinstance(made, OverrideIR):
            overrides.append(made)
        elif made is not None:
            rotations.append(made)
    return ScheduleIR(VENDOR, ident, name, zone_name, where, rotations, overrides, unsupported)


def _chain(chain: At, steps: list[At]) -> PolicyIR:
    ident = chain.key("id").id()
    name = chain.key("name").str(allow_empty=True) or ident
    ordered = sorted(steps, key=lambda p: p.opt("position").int() if p.opt("position") is not None else 0)
    after = timedelta(0)
    out: list[StepIR] = []
    repeat = 0
    round_length = None
    for index, p in enumerate(ordered):
        kind = p.key("type").str()
        where = Where(p.file, p.path)
        if kind == "wait":
            after += timedelta(seconds=p.key("duration").int(minimum=0))
        elif kind == "notify_persons":
            out.append(StepIR(after, tuple(TargetIR("user", u, where) for u in _ids(p.opt("persons_to_notify"))), where))
        elif kind == "notify_person_next_each_time":
            out.append(StepIR(after, tuple(TargetIR("user", u, where)
                                           for u in _ids(p.opt("persons_to_notify_next_each_time"))), where,
                              strategy="round_robin"))
        elif kind == "notify_on_call_from_schedule":
            out.append(StepIR(after, (TargetIR("schedule", p.key("notify_on_call_from_schedule").id(), where),), where))
        elif kind == "notify_team_members":
            out.append(StepIR(after, (TargetIR("team", p.key("team_to_notify").id(), where, mode="members"),), where))
        elif kind == "notify_user_group":
            out.append(StepIR(after, (TargetIR("user_group", p.key("group_to_notify").id(), where),), where))
        elif kind == "repeat_escalation" and index == len(ordered) - 1:
            repeat, round_length = REPEAT_ESCALATION_TIMES, after
        else:
            out.append(StepIR(after, (), where, unsupported=kind))
    return PolicyIR(VENDOR, ident, name, Where(chain.file, chain.path), out, repeat=repeat, round_length=round_length)


def rendering(sources: list[Source]) -> Rendering:
    out = Rendering()
    errors = Collector()
    for source in sources:
        kind = errors.run(kind_of, source)
        if kind == "final_shifts":
            for e in _entries(source):
                entry = errors.run(lambda x: Rendered(x.key("shift_start").instant(), x.key("shift_end").instant(),
                                                      x.key("user_pk").id(), x.key("user_email").str(),
                                                      x.key("user_email").str()), e)
                if entry is not None:
                    out.entries.append(entry)
        elif kind and kind != "empty":
            errors.errors.append(InputError(source.file, None, "verify reads final_shifts "
                                            "(GET /api/v1/schedules/{id}/final_shifts)"))
    errors.raise_if_any()
    return out

"""PagerDuty REST API v2 responses -> ``ir``.

Facts used (PagerDuty/api-schema reference/REST/openapiv3.json; support.pagerduty.com
"Schedule Basics"; grafana/oncall tools/migrators/lib/pagerduty):

* ``GET /schedules/{id}`` returns ``{"schedule": {id, name, time_zone, schedule_layers,
  final_schedule}}``. Layers are listed highest first (Layer 3, 2, 1); where
  layers overlap the higher-numbered layer is on call.
* A layer: ``start`` (when it takes effect), ``end`` (null: never ends),
  ``rotation_virtual_start`` (the instant turn 0 began, which may be before
  ``start``), ``rotation_turn_length_seconds`` (any length), ``users`` in turn
  order, ``restrictions``.
* A restriction: ``daily_restriction`` (every day) or ``weekly_restriction`` (with
  ``start_day_of_week``, ISO: 1 = Monday), ``start_time_of_day`` in the
  schedule's zone (the API's default rendering zone) and ``duration_seconds``,
  which may cross midnight and days. A layer is on call only inside its
  restrictions; handoffs stay where the rotation puts them.
* ``GET /schedules/{id}/overrides?since&until`` returns ``{"overrides": [{id,
  start, end, user}]}``; an override puts its user on call above every layer.
* ``GET /escalation_policies`` returns ``{"escalation_policies": [{id, name,
  num_loops, escalation_rules: [{escalation_delay_in_minutes, targets,
  escalation_rule_assignment_strategy}]}]}``; a rule's delay is the wait before
  the next rule, and after the last rule the policy starts again ``num_loops``
  times.
* ``GET /users`` returns ``{"users": [{id, name, email, time_zone}]}``.

Handoffs are read as wall-clock times in the schedule's zone (turn ``k`` at
``rotation_virtual_start + k*turn`` local time), as PagerDuty's own rendering
does across daylight-saving changes; `opsbook import verify` proves it per schedule.
"""

from __future__ import annotations

import re
from datetime import timedelta

from opsbook import timeutil
from opsbook.importers.common import Collector, Rendered, Rendering, schedule_for_file, user
from opsbook.importers.ir import (
    OverrideIR,
    Parsed,
    PolicyIR,
    Rotation,
    ScheduleIR,
    StepIR,
    TargetIR,
    Where,
)
from opsbook.importers.source import At, InputError, Source, top_keys

VENDOR = "pagerduty"
KINDS = {
    "users": "GET /users",
    "schedule": "GET /schedules/{id}",
    "overrides": "GET /schedules/{id}/overrides",
    "escalation_policies": "GET /escalation_policies",
    "oncalls": "GET /oncalls",
}


def kind_of(source: Source) -> str:
    data = source.data
    if isinstance(data, dict):
        if "schedule" in data and isinstance(data["schedule"], dict):
            return "schedule"
        for key in ("users", "overrides", "escalation_policies", "oncalls"):
            if isinstance(data.get(key), list):
                return key
        if isinstance(data.get("escalation_policy"), dict):
            return "escalation_policies"
        if isinstance(data.get("user"), dict):
            return "users"
        if isinstance(data.get("schedules"), list):
            raise InputError(source.file, "$.schedules", "this is GET /schedules, which lists schedules without "
                             "their layers; save GET /schedules/{id} for each schedule instead")
    raise InputError(source.file, None, "not a PagerDuty response opsbook reads (" + ", ".join(KINDS.values()) +
                     f"); {top_keys(data)}")


def _wall(at: At, zone) -> "timeutil.datetime":
    return at.instant().astimezone(zone).replace(tzinfo=None)


_TOD = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?$")


def _time_of_day(at: At) -> int:
    match = _TOD.match(at.str().strip())
    if not match:
        raise at.fail(f"expected a time of day like 09:00:00, found {at.value!r:.40}")
    return int(match.group(1)) * 3600 + int(match.group(2)) * 60 + int(match.group(3) or 0)


def _users(source: Source, parsed: Parsed) -> None:
    root = source.root
    entries = root.key("users").items() if root.has("users") else [root.key("user")]
    for entry in entries:
        u = user(entry.key("id"), entry.opt("email"), entry.opt("name"), entry.opt("time_zone"), entry)
        parsed.users.setdefault(u.vendor_id, u)


def _schedule(source: Source, parsed: Parsed) -> ScheduleIR:
    s = source.root.key("schedule")
    ident = s.key("id").id()
    name = s.opt("name").str(allow_empty=True) if s.opt("name") is not None else ident
    zone_at = s.key("time_zone")
    zone_name = zone_at.str().strip()
    where = Where(source.file, s.path)
    unsupported = []
    try:
        zone = timeutil.get_zone(zone_name)
    except ValueError:
        return ScheduleIR(VENDOR, ident, name, zone_name, Where(source.file, zone_at.path), [])
    layers = s.key("schedule_layers").items()
    rotations = []
    for index, layer in enumerate(layers):
        level = len(layers) - index  # listed highest first
        turn = layer.key("rotation_turn_length_seconds").int(minimum=1)
        members = tuple(((("user", m.key("user").key("id").id()),)) for m in layer.key("users").items())
        windows: list[tuple[int, int]] | None = None
        restrictions = layer.opt("restrictions")
        if restrictions is not None and restrictions.items():
            windows = []
            for r in restrictions.items():
                kind = r.key("type").str()
                start = _time_of_day(r.key("start_time_of_day"))
                length = r.key("duration_seconds").int(minimum=0)
                if kind == "daily_restriction":
                    windows.extend((d * 86400 + start, d * 86400 + start + length) for d in range(7))
                elif kind == "weekly_restriction":
                    day = r.key("start_day_of_week").int(minimum=1, maximum=7)
                    windows.append(((day - 1) * 86400 + start, (day - 1) * 86400 + start + length))
                else:
                    unsupported.append((Where(source.file, r.path), f"restriction type {kind[:40]!r}",
                                        "PagerDuty documents daily_restriction and weekly_restriction only"))
            windows = [w for w in windows if w[1] > w[0]]
        end = layer.opt("end")
        rotations.append(Rotation(
            name=layer.opt("name").str(allow_empty=True) if layer.opt("name") is not None else f"Layer {level}",
            vendor_id=layer.opt("id").id() if layer.opt("id") is not None else None,
            where=Where(source.file, layer.path), zone=zone_name,
            anchor=_wall(layer.key("rotation_virtual_start"), zone), turn=timedelta(seconds=turn),
            members=members, level=level, active_from=layer.key("start").instant(),
            active_until=end.instant() if end is not None else None,
            windows=tuple(windows) if windows is not None else None))
    return ScheduleIR(VENDOR, ident, name, zone_name, where, rotations, [], unsupported)


def _overrides(source: Source, known: list[str]) -> tuple[str, list[OverrideIR]]:
    root = source.root
    items = root.key("overrides").items()
    hinted = None
    for o in items:
        self_url = o.opt("self")
        if self_url is not None and isinstance(self_url.value, str):
            match = re.search(r"/schedules/([A-Za-z0-9]+)/overrides", self_url.value)
            if match:
                hinted = match.group(1)
                break
    schedule = schedule_for_file(source, hinted, known, "overrides", "overrides-<SCHEDULE_ID>.json")
    out = []
    for o in items:
        start, end = o.key("start").instant(), o.key("end").instant()
        if end <= start:
            raise o.fail("the override ends before it starts")
        out.append(OverrideIR(o.key("id").id(), Where(source.file, o.path), start, end,
                              (("user", o.key("user").key("id").id()),)))
    return schedule, out


def _strategy(rule: At) -> str:
    raw = rule.opt("escalation_rule_assignment_strategy")
    if raw is None:
        return "all"
    value = raw.value.get("type") if isinstance(raw.value, dict) else raw.value
    if value in (None, "assign_to_everyone"):
        return "all"
    if value == "round_robin":
        return "round_robin"
    raise raw.fail(f"unknown assignment strategy {str(value)[:40]!r} (expected assign_to_everyone or round_robin)")


def _policies(source: Source, parsed: Parsed) -> None:
    root = source.root
    entries = root.key("escalation_policies").items() if root.has("escalation_policies") \
        else [root.key("escalation_policy")]
    for p in entries:
        steps = []
        after = timedelta(0)
        rules = p.key("escalation_rules").items()
        for rule in rules:
            targets = []
            for t in rule.key("targets").items():
                kind = t.key("type").str().removesuffix("_reference")
                targets.append(TargetIR(kind, t.key("id").id(), Where(source.file, t.path)))
            steps.append(StepIR(after, tuple(targets), Where(source.file, rule.path), strategy=_strategy(rule)))
            after += timedelta(minutes=rule.key("escalation_delay_in_minutes").int(minimum=0))
        loops = p.opt("num_loops")
        name = p.opt("name")
        parsed.policies.append(PolicyIR(
            VENDOR, p.key("id").id(), name.str(allow_empty=True) if name is not None else p.key("id").id(),
            Where(source.file, p.path), steps, repeat=loops.int(minimum=0) if loops is not None else 0,
            round_length=after if rules else None))


def parse(sources: list[Source]) -> Parsed:
    """Every file, recognised by its shape, in any order."""
    parsed = Parsed(VENDOR)
    errors = Collector()
    kinds = {}
    for source in sources:
        kind = errors.run(kind_of, source)
        if kind == "oncalls":
            errors.errors.append(InputError(source.file, None, "this is GET /oncalls, what PagerDuty says is on "
                                            "call; give it to `opsbook import verify pagerduty`, not to the import"))
        elif kind:
            kinds[source.file] = kind
    by_kind = {k: [s for s in sources if kinds.get(s.file) == k] for k in KINDS}
    for source in by_kind["users"]:
        errors.run(_users, source, parsed)
    for source in by_kind["schedule"]:
        schedule = errors.run(_schedule, source, parsed)
        if schedule is not None:
            if any(s.vendor_id == schedule.vendor_id for s in parsed.schedules):
                errors.errors.append(InputError(source.file, "$.schedule.id", f"schedule {schedule.vendor_id} is "
                                                "given twice"))
            else:
                parsed.schedules.append(schedule)
    known = [s.vendor_id for s in parsed.schedules]
    for source in by_kind["overrides"]:
        result = errors.run(_overrides, source, known)
        if result is None:
            continue
        ident, overrides = result
        target = next((s for s in parsed.schedules if s.vendor_id == ident), None)
        if target is None:
            errors.errors.append(InputError(source.file, None, f"overrides for schedule {ident}, whose "
                                            "GET /schedules/{id} file is not part of this import"))
            continue
        seen = {o.vendor_id for o in target.overrides}
        target.overrides.extend(o for o in overrides if o.vendor_id not in seen)
    for source in by_kind["escalation_policies"]:
        errors.run(_policies, source, parsed)
    errors.raise_if_any()
    return parsed


# --- what PagerDuty says is on call (for verify) ----------------------------------------


def rendering(sources: list[Source]) -> Rendering:
    """``final_schedule.rendered_schedule_entries`` of ``GET /schedules/{id}?since&until``, or
    ``GET /oncalls``; ``GET /users`` files alongside give the emails."""
    out = Rendering()
    errors = Collector()
    for source in sources:
        kind = errors.run(kind_of, source)
        if kind == "users":
            parsed = Parsed(VENDOR)
            errors.run(_users, source, parsed)
            out.emails.update({k: u.email for k, u in parsed.users.items()})
        elif kind == "schedule":
            errors.run(_rendered_schedule, source, out)
        elif kind == "oncalls":
            errors.run(_rendered_oncalls, source, out)
        elif kind:
            errors.errors.append(InputError(source.file, None, f"this is {KINDS[kind]}; verify reads "
                                            "GET /schedules/{id}?since&until (its final_schedule), GET /oncalls "
                                            "and GET /users"))
    errors.raise_if_any()
    return out


def _rendered_schedule(source: Source, out: Rendering) -> None:
    s = source.root.key("schedule")
    out.schedule_ids.add(s.key("id").id())
    if s.opt("name") is not None:
        out.schedule_names.add(s.opt("name").str(allow_empty=True))
    final = s.key("final_schedule")
    for entry in final.key("rendered_schedule_entries").items():
        u = entry.key("user")
        out.entries.append(Rendered(entry.key("start").instant(), entry.key("end").instant(), u.key("id").id(),
                                    None, u.opt("summary").str(allow_empty=True) if u.opt("summary") else u.key("id").id()))


def _rendered_oncalls(source: Source, out: Rendering) -> None:
    for entry in source.root.key("oncalls").items():
        schedule = entry.opt("schedule")
        if schedule is None:
            continue  # on call through the policy directly, not through a schedule
        out.schedule_ids.add(schedule.key("id").id())
        if entry.opt("start") is None or entry.opt("end") is None:
            raise entry.fail("an on-call entry without start and end (PagerDuty leaves them null for "
                             "permanent on-calls); pass since and until to GET /oncalls")
        u = entry.key("user")
        out.entries.append(Rendered(entry.key("start").instant(), entry.key("end").instant(), u.key("id").id(),
                                    u.opt("email").str() if u.opt("email") else None,
                                    u.opt("summary").str(allow_empty=True) if u.opt("summary") else u.key("id").id()))

"""Opsgenie API v2 responses -> ``ir``.

Facts used (opsgenie/opsgenie-go-sdk-v2 og/entity.go, schedule/*, escalation/*;
firehydrant's and Grafana's Opsgenie migrators, read for the API's behaviour):

* Every response wraps its payload in ``{"data": ...}``.
* ``GET /v2/users``: ``[{id, username (the email), fullName, timeZone}]``.
* ``GET /v2/teams`` (``/v2/teams/{id}`` adds ``members: [{user: {id, username}}]``).
* ``GET /v2/schedules?expand=rotation``: ``[{id, name, timezone, enabled,
  rotations}]``; a rotation: ``startDate``, ``endDate`` (optional), ``type``
  hourly|daily|weekly, ``length`` (units per turn), ``participants`` (user,
  team, escalation or none, in turn order), ``timeRestriction``.
* ``timeRestriction``: ``time-of-day`` with one ``restriction`` {startHour,
  startMin, endHour, endMin} every day (an end before the start runs past
  midnight), or ``weekday-and-time-of-day`` with ``restrictions`` of
  {startDay, startHour, startMin, endDay, endHour, endMin}: one continuous span
  from the start day and time to the end day and time.
* Every rotation of a schedule is on call at once: where two rotations overlap,
  both participants are paged (there are no layers).
* ``GET /v2/schedules/{id}/overrides``: ``[{alias, user, startDate, endDate,
  rotations, _parent}]``; the user takes the place of the named rotations'
  participants (all rotations when the list is empty) while those are on call.
* ``GET /v2/escalations``: ``[{id, name, rules: [{condition if-not-acked |
  if-not-closed, notifyType, delay {timeAmount, timeUnit}, recipient}],
  repeat {waitInterval (minutes), count}}]``; a rule's delay counts from the
  alert's creation.
"""

from __future__ import annotations

from datetime import timedelta

from opsbook import timeutil
from opsbook.importers.common import Collector, Rendered, Rendering, schedule_for_file, user
from opsbook.importers.ir import (
    VendorTeam,
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

VENDOR = "opsgenie"
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
UNITS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1), "weekly": timedelta(weeks=1)}
DELAY_UNITS = {"minutes": 60, "hours": 3600, "days": 86400, "weeks": 604800}
ENDPOINTS = ("GET /v2/users, GET /v2/teams, GET /v2/schedules?expand=rotation, GET /v2/schedules/{id}/overrides, "
             "GET /v2/escalations, GET /v2/schedules/{id}/timeline")


def kind_of(source: Source) -> str:
    data = source.data
    payload = data.get("data") if isinstance(data, dict) else None
    if isinstance(payload, dict):
        if "finalTimeline" in payload:
            return "timeline"
        if "rotations" in payload and "timezone" in payload:
            return "schedules"
        if "members" in payload and "name" in payload:
            return "teams"
        if "rules" in payload:
            return "escalations"
    if isinstance(payload, list):
        if not payload:
            return "empty"
        first = payload[0] if isinstance(payload[0], dict) else {}
        if "username" in first:
            return "users"
        if "alias" in first and "user" in first:
            return "overrides"
        if "rules" in first:
            return "escalations"
        if "timezone" in first and "name" in first:
            if "rotations" not in first:
                raise InputError(source.file, "$.data[0]", "schedules without their rotations; save "
                                 "GET /v2/schedules?expand=rotation")
            return "schedules"
        if "name" in first and "id" in first:
            return "teams"
    raise InputError(source.file, None, f"not an Opsgenie response opsbook reads ({ENDPOINTS}); {top_keys(data)}")


def _entries(source: Source) -> list[At]:
    payload = source.root.key("data")
    return payload.items() if isinstance(payload.value, list) else [payload]


def _users(source: Source, parsed: Parsed, usernames: dict[str, str]) -> None:
    for entry in _entries(source):
        u = user(entry.key("id"), entry.opt("username"), entry.opt("fullName"), entry.opt("timeZone"), entry)
        parsed.users.setdefault(u.vendor_id, u)
        usernames[u.email.casefold()] = u.vendor_id


def _ref(at: At, usernames: dict[str, str]) -> tuple[str, str] | None:
    """A participant or recipient as (kind, vendor id); None for `none`."""
    kind = at.key("type").str().strip().lower()
    if kind == "none":
        return None
    ident = at.opt("id")
    if kind == "user":
        if ident is None:
            name = at.opt("username") or at.opt("name")
            if name is None:
                raise at.fail("a user without id or username")
            found = usernames.get(name.str().casefold())
            return ("user", found or name.str())
        return ("user", ident.id())
    if ident is None:
        name = at.opt("name")
        if name is None:
            raise at.fail(f"a {kind} without id or name")
        return (kind, name.str())
    return (kind, ident.id())


def _hm(at: At, hour: str, minute: str) -> int:
    return at.key(hour).int(minimum=0, maximum=24) * 3600 + (at.opt(minute).int(minimum=0, maximum=59)
                                                              if at.opt(minute) is not None else 0) * 60


def _windows(tr: At) -> tuple[tuple[int, int], ...]:
    kind = tr.key("type").str()
    out = []
    if kind == "time-of-day":
        r = tr.key("restriction")
        start, end = _hm(r, "startHour", "startMin"), _hm(r, "endHour", "endMin")
        if end <= start:
            end += 86400
        out = [(d * 86400 + start, d * 86400 + end) for d in range(7)]
    elif kind == "weekday-and-time-of-day":
        for r in tr.key("restrictions").items():
            sd = r.key("startDay").str().lower()
            ed = r.key("endDay").str().lower()
            if sd not in DAYS or ed not in DAYS:
                raise r.fail(f"unknown day {sd if sd not in DAYS else ed!r:.20}")
            start = DAYS.index(sd) * 86400 + _hm(r, "startHour", "startMin")
            end = DAYS.index(ed) * 86400 + _hm(r, "endHour", "endMin")
            if end <= start:
                end += 7 * 86400
            out.append((start, end))
    else:
        raise tr.fail(f"unknown time restriction type {kind[:40]!r} (expected time-of-day or weekday-and-time-of-day)")
    return tuple(out)


def _schedule(entry: At, source: Source, usernames: dict[str, str]) -> ScheduleIR:
    ident = entry.key("id").id()
    name = entry.key("name").str(allow_empty=True) or ident
    zone_name = entry.key("timezone").str().strip()
    where = Where(source.file, entry.path)
    try:
        zone = timeutil.get_zone(zone_name)
    except ValueError:
        return ScheduleIR(VENDOR, ident, name, zone_name, Where(source.file, entry.key("timezone").path), [])
    rotations = []
    for r in entry.key("rotations").items():
        kind = r.key("type").str()
        if kind not in UNITS:
            raise r.key("type").fail(f"unknown rotation type {kind[:40]!r} (expected hourly, daily or weekly)")
        length = r.opt("length").int(minimum=1) if r.opt("length") is not None else 1
        members = []
        for p in r.key("participants").items():
            ref = _ref(p, usernames)
            members.append(() if ref is None else (ref,))
        end = r.opt("endDate")
        tr = r.opt("timeRestriction")
        rotations.append(Rotation(
            name=r.opt("name").str(allow_empty=True) if r.opt("name") is not None else "rotation",
            vendor_id=r.opt("id").id() if r.opt("id") is not None else None, where=Where(source.file, r.path),
            zone=zone_name, anchor=r.key("startDate").instant().astimezone(zone).replace(tzinfo=None),
            turn=UNITS[kind] * length, members=tuple(members), level=0,
            active_until=end.instant() if end is not None else None,
            windows=_windows(tr) if tr is not None else None))
    return ScheduleIR(VENDOR, ident, name, zone_name, where, rotations)


def _overrides(source: Source, parsed: Parsed, usernames: dict[str, str]) -> None:
    known = [s.vendor_id for s in parsed.schedules]
    for o in _entries(source):
        parent = o.opt("_parent")
        hinted = parent.key("id").id() if parent is not None and parent.opt("id") is not None else None
        ident = schedule_for_file(source, hinted, known, "overrides", "overrides-<SCHEDULE_ID>.json")
        schedule = next((s for s in parsed.schedules if s.vendor_id == ident), None)
        if schedule is None:
            raise o.fail(f"an override of schedule {ident[:60]}, whose schedule is not part of this import")
        rotations = o.opt("rotations")
        scope = []
        for r in rotations.items() if rotations is not None else []:
            rid = r.opt("id").id() if r.opt("id") is not None else None
            rname = r.opt("name").str(allow_empty=True) if r.opt("name") is not None else None
            index = next((i for i, rot in enumerate(schedule.rotations)
                          if (rid and rot.vendor_id == rid) or (not rid and rname and rot.name == rname)), None)
            if index is None:
                raise r.fail("an override of a rotation the schedule does not have")
            scope.append(index)
        start, end = o.key("startDate").instant(), o.key("endDate").instant()
        if end <= start:
            raise o.fail("the override ends before it starts")
        ref = _ref(o.key("user"), usernames)
        alias = o.opt("alias").id() if o.opt("alias") is not None else f"override {start.isoformat()}"
        schedule.overrides.append(OverrideIR(alias, Where(source.file, o.path), start, end,
                                             (ref,) if ref else (),
                                             tuple(scope) if scope else tuple(range(len(schedule.rotations)))))


def _policies(source: Source, parsed: Parsed, usernames: dict[str, str]) -> None:
    for p in _entries(source):
        steps = []
        latest = timedelta(0)
        for rule in p.key("rules").items():
            delay = rule.key("delay")
            unit = delay.key("timeUnit").str().lower()
            if unit not in DELAY_UNITS:
                raise delay.key("timeUnit").fail(f"unknown time unit {unit[:20]!r}")
            after = timedelta(seconds=delay.key("timeAmount").int(minimum=0) * DELAY_UNITS[unit])
            latest = max(latest, after)
            condition = rule.opt("condition").str() if rule.opt("condition") is not None else "if-not-acked"
            mode = rule.opt("notifyType").str() if rule.opt("notifyType") is not None else "default"
            ref = _ref(rule.key("recipient"), usernames)
            where = Where(source.file, rule.path)
            targets = () if ref is None else (TargetIR(ref[0], ref[1], Where(source.file, rule.key("recipient").path),
                                                       mode="default" if ref[0] == "user" else mode),)
            steps.append(StepIR(after, targets, where,
                                condition="unacknowledged" if condition == "if-not-acked" else
                                "unresolved" if condition == "if-not-closed" else condition))
        steps.sort(key=lambda s: s.after)  # delays count from the alert's creation: order is by time
        repeat = p.opt("repeat")
        count, wait = 0, timedelta(0)
        if repeat is not None:
            count = repeat.opt("count").int(minimum=0) if repeat.opt("count") is not None else 0
            wait = timedelta(minutes=repeat.opt("waitInterval").int(minimum=0)) if repeat.opt("waitInterval") \
                is not None else timedelta(0)
        description = p.opt("description")
        parsed.policies.append(PolicyIR(VENDOR, p.key("id").id(), p.key("name").str(allow_empty=True),
                                        Where(source.file, p.path), steps, repeat=count,
                                        round_length=latest + wait if count else None,
                                        description=description.str(allow_empty=True) if description else ""))


def _teams(source: Source, parsed: Parsed, usernames: dict[str, str]) -> None:
    for t in _entries(source):
        members = []
        for m in t.opt("members").items() if t.opt("members") is not None else []:
            u = m.key("user")
            if u.opt("id") is not None:
                members.append(u.key("id").id())
            elif u.opt("username") is not None:
                members.append(usernames.get(u.key("username").str().casefold(), u.key("username").str()))
            else:
                raise u.fail("a team member without id or username")
        ident = t.key("id").id()
        if any(x.vendor_id == ident for x in parsed.teams):
            continue
        parsed.teams.append(VendorTeam(ident, t.key("name").str(allow_empty=True) or ident, tuple(members),
                                       Where(source.file, t.path)))


def parse(sources: list[Source]) -> Parsed:
    parsed = Parsed(VENDOR)
    errors = Collector()
    kinds: dict[str, str] = {}
    for source in sources:
        kind = errors.run(kind_of, source)
        if kind == "timeline":
            errors.errors.append(InputError(source.file, None, "this is a schedule timeline, what Opsgenie says is "
                                            "on call; give it to `opsbook import verify opsgenie`"))
        elif kind:
            kinds[source.file] = kind
    usernames: dict[str, str] = {}
    by_kind = {k: [s for s in sources if kinds.get(s.file) == k] for k in
               ("users", "teams", "schedules", "overrides", "escalations")}
    for source in by_kind["users"]:
        errors.run(_users, source, parsed, usernames)
    for source in by_kind["teams"]:
        errors.run(_teams, source, parsed, usernames)
    for source in by_kind["schedules"]:
        for entry in errors.run(_entries, source) or []:
            schedule = errors.run(_schedule, entry, source, usernames)
            if schedule is not None and not any(s.vendor_id == schedule.vendor_id for s in parsed.schedules):
                parsed.schedules.append(schedule)
    for source in by_kind["overrides"]:
        errors.run(_overrides, source, parsed, usernames)
    for source in by_kind["escalations"]:
        errors.run(_policies, source, parsed, usernames)
    errors.raise_if_any()
    return parsed


def rendering(sources: list[Source]) -> Rendering:
    """``GET /v2/schedules/{id}/timeline``: ``finalTimeline.rotations[].periods``."""
    out = Rendering()
    errors = Collector()
    for source in sources:
        kind = errors.run(kind_of, source)
        if kind == "timeline":
            errors.run(_timeline, source, out)
        elif kind == "users":
            parsed = Parsed(VENDOR)
            errors.run(_users, source, parsed, {})
            out.emails.update({k: u.email for k, u in parsed.users.items()})
        elif kind:
            errors.errors.append(InputError(source.file, None, "verify reads schedule timelines "
                                            "(GET /v2/schedules/{id}/timeline) and users"))
    errors.raise_if_any()
    return out


def _timeline(source: Source, out: Rendering) -> None:
    data = source.root.key("data")
    parent = data.opt("_parent")
    if parent is not None:
        if parent.opt("id") is not None:
            out.schedule_ids.add(parent.key("id").id())
        if parent.opt("name") is not None:
            out.schedule_names.add(parent.key("name").str(allow_empty=True))
    if data.opt("startDate") is not None and data.opt("endDate") is not None:
        out.window = (data.key("startDate").instant(), data.key("endDate").instant())
    for rotation in data.key("finalTimeline").opt("rotations").items() if data.key("finalTimeline").opt("rotations") \
            is not None else []:
        for period in rotation.opt("periods").items() if rotation.opt("periods") is not None else []:
            recipient = period.key("recipient")
            if recipient.key("type").str().lower() != "user":
                continue
            name = recipient.opt("name") or recipient.opt("username")
            out.entries.append(Rendered(period.key("startDate").instant(), period.key("endDate").instant(),
                                        recipient.opt("id").id() if recipient.opt("id") else None,
                                        name.str() if name is not None else None,
                                        name.str() if name is not None else "?"))

"""From what a vendor says (``ir``) to opsbook's model, exactly or not at all.

Each function here either produces the opsbook data that means the same as
the vendor's item, or an ``Unmappable`` naming the item, the precise reason,
what the user can do, and the model extension that would make it mappable.
Nothing is approximated: a rotation opsbook cannot express is refused whole.

Exactness is claimed from an instant on (``exact_from``, the cut-over): a
layer that ended before it is left out, a layer that began mid-turn before it
may cover a little of the past. Everything from ``exact_from`` on is the same.

opsbook's semantics, which the vendor's are matched against: turn ``k`` of a
layer starts at the wall-clock time ``start + k*length`` in the layer's zone
(a time in a spring-forward gap moves to the first instant after it, an
ambiguous one takes its first occurrence); restriction windows are wall-clock
times listed under the day they start; the last layer covering an instant wins;
an override wins over every layer for its whole interval.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from opsbook import timeutil
from opsbook.importers.ir import WEEK, OverrideIR, PolicyIR, Ref, Rotation, ScheduleIR, StepIR, Where
from opsbook.model.base import one_line

UTC = timezone.utc
MINUTE = timedelta(minutes=1)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_REPEAT = 20  # opsbook's EscalationPolicy.repeat bound (model.escalation.MAX_REPEAT)
MIN_TURN = timedelta(minutes=15)  # opsbook's shortest Layer.length (model.schedule.MIN_TURN)
OVERLAP_HORIZON = timedelta(weeks=5)


# --- text and ids ----------------------------------------------------------------


def clean_line(text: str, limit: int = 200) -> str:
    """One line of plain text, at most ``limit`` characters (``model.base.one_line``)."""
    return one_line(text, limit)


def slug(text: str, fallback: str = "item", limit: int = 64) -> str:
    """An opsbook id: ``[a-z0-9][a-z0-9_-]*``, at most ``limit`` characters."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii").lower()
    out, dash = [], False
    for ch in ascii_text:
        if "a" <= ch <= "z" or "0" <= ch <= "9":
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    result = "".join(out).strip("-")[:limit].rstrip("-")
    return result or fallback


def unique(base: str, taken: Callable[[str], bool], limit: int = 64) -> str:
    """``base``, or ``base-2``, ``base-3``... the first not taken."""
    if not taken(base):
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: limit - len(suffix)].rstrip("-") + suffix
        if not taken(candidate):
            return candidate
        n += 1


def person_id_for(email: str) -> str:
    return slug(email.split("@", 1)[0], fallback="person")


# --- what cannot be mapped -------------------------------------------------------


@dataclass(frozen=True)
class Unmappable:
    """An item not imported: what, where, why, what to do, and what opsbook lacks."""

    kind: str
    vendor_id: str
    name: str
    where: Where
    reason: str
    action: str
    extension: str | None = None
    """The model extension that would make this mappable (None: a vendor-side problem)."""

    def as_dict(self) -> dict:
        return {"kind": self.kind, "vendor_id": clean_line(self.vendor_id, 120), "name": clean_line(self.name, 120),
                "file": self.where.file, "path": self.where.path, "reason": self.reason, "action": self.action,
                "extension": self.extension}


@dataclass(frozen=True)
class Note:
    """Something the user should know that does not stop the import."""

    kind: str
    vendor_id: str
    where: Where
    note: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "vendor_id": clean_line(self.vendor_id, 120), "file": self.where.file,
                "path": self.where.path, "note": self.note}


class Refusal(Exception):
    def __init__(self, reason: str, action: str, extension: str | None = None, where: Where | None = None):
        super().__init__(reason)
        self.reason, self.action, self.extension, self.where = reason, action, extension, where


@dataclass
class Context:
    """What mapping needs besides the item: the cut-over, and how vendor ids resolve."""

    vendor: str
    vendor_label: str
    exact_from: datetime
    person_of: Callable[[str], tuple[str | None, str]]
    """vendor user id -> (opsbook person id, or None and why not)."""
    schedule_of: Callable[[str], str | None] = lambda _id: None
    team_of: Callable[[str], str | None] = lambda _id: None
    notes: list[Note] = field(default_factory=list)


def _when(moment: datetime, zone: str) -> str:
    return moment.astimezone(timeutil.get_zone(zone)).strftime("%Y-%m-%d %H:%M %Z")


# --- weekly windows ------------------------------------------------------------------


def _union(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(intervals):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def weekly_union(windows: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Windows (seconds of the week, possibly past its end) as disjoint circular
    intervals: each ``(s, e)`` with ``0 <= s < WEEK`` and ``s < e <= s + WEEK``;
    ``[(0, WEEK)]`` is always."""
    linear: list[tuple[int, int]] = []
    for s, e in windows:
        if e - s >= WEEK:
            return [(0, WEEK)]
        s0 = s % WEEK
        e0 = s0 + (e - s)
        if e0 <= WEEK:
            linear.append((s0, e0))
        else:
            linear.extend([(s0, WEEK), (0, e0 - WEEK)])
    merged = _union(linear)
    if merged == [(0, WEEK)]:
        return merged
    if len(merged) > 1 and merged[0][0] == 0 and merged[-1][1] == WEEK:
        first = merged.pop(0)
        last = merged.pop()
        merged.append((last[0], WEEK + first[1]))
    return merged


def _intersect(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Intersection of two sets of circular intervals, as linear pieces over two weeks."""
    def linear(xs):
        out = []
        for s, e in xs:
            out.extend([(s, e), (s + WEEK, e + WEEK)])
        return _union(out)

    la, lb = linear(a), linear(b)
    out = []
    for s1, e1 in la:
        for s2, e2 in lb:
            s, e = max(s1, s2), min(e1, e2)
            if e > s:
                out.append((s, e))
    return weekly_union([(s % WEEK, s % WEEK + (e - s)) for s, e in out])


def restrictions_for(windows: list[tuple[int, int]]) -> list[dict]:
    """opsbook ``restrict`` entries saying exactly ``windows`` (whole minutes):
    each window cut into pieces of at most a day from its start, grouped by time."""
    pieces: dict[tuple[int, int], list[int]] = {}
    for s, e in windows:
        s_min, e_min = s // 60, e // 60
        t = s_min
        while t < e_min:
            end = min(e_min, t + 1440)
            day = (t // 1440) % 7
            frm = t % 1440
            to = end % 1440
            if end - t < 1440 and to == 0:
                to = 1440
            if end - t == 1440 and frm == 0:
                to = 1440
            pieces.setdefault((frm, to), []).append(day)
            t = end
    out = []
    for (frm, to), days in sorted(pieces.items(), key=lambda item: (min(item[1]), item[0])):
        out.append({"days": [WEEKDAYS[d] for d in sorted(set(days))], "from": timeutil.clock_text(frm),
                    "to": timeutil.clock_text(to)})
    return out


# --- wall-clock turns (opsbook's semantics) ------------------------------------------


def handoff_at(anchor: datetime, turn: timedelta, zone, k: int) -> datetime:
    return timeutil.to_aware(anchor + k * turn, zone).astimezone(UTC)


def turn_in_progress(anchor: datetime, turn: timedelta, zone, at: datetime) -> int:
    local = at.astimezone(zone).replace(tzinfo=None)
    k = (local - anchor) // turn
    while handoff_at(anchor, turn, zone, k) > at:
        k -= 1
    while handoff_at(anchor, turn, zone, k + 1) <= at:
        k += 1
    return k


def _local_text(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds" if moment.second else "minutes")


# --- rotations -> layers -------------------------------------------------------------


@dataclass
class MappedLayer:
    data: dict
    rotation: Rotation


def _member(ctx: Context, group: tuple[Ref, ...], index: int, rot: Rotation) -> str:
    label = ctx.vendor_label
    if not group:
        raise Refusal(f"turn {index + 1} of the rotation has nobody on call (an empty turn)",
                      f"replace the empty turn with a person in {label}, or import after removing it",
                      "Layer.members entries may be null: a turn with nobody on call")
    if len(group) > 1:
        raise Refusal(f"turn {index + 1} puts {len(group)} people on call at once",
                      f"split the group into separate rotations in {label} (one person per turn), or keep "
                      "one person per turn", "Layer.members entries may be lists: a turn held by several people")
    kind, ident = group[0]
    if kind != "user":
        raise Refusal(f"turn {index + 1} belongs to a {kind} ({clean_line(ident, 60)}), not a person",
                      f"put the people themselves in the rotation in {label}",
                      f"Layer.members entries may name a {kind}: whoever it designates is on call")
    person, why = ctx.person_of(ident)
    if person is None:
        raise Refusal(f"turn {index + 1}: {why}", "see the person's own entry in this report, fix it, and import again")
    return person


def map_rotation(rot: Rotation, schedule_zone: str, ctx: Context) -> MappedLayer | None:
    """The opsbook layer for ``rot``, None when it covers nothing from ``ctx.exact_from`` on
    (a note says why); raises Refusal when opsbook cannot say it."""
    try:
        zone = timeutil.get_zone(rot.zone)
    except ValueError as exc:
        raise Refusal(f"its time zone: {exc}", f"set an IANA time zone on it in {ctx.vendor_label}") from None
    if rot.active_until is not None and rot.active_until <= ctx.exact_from:
        ctx.notes.append(Note("layer", rot.vendor_id or rot.name, rot.where,
                              f"left out: it ended at {_when(rot.active_until, rot.zone)}, before the import's "
                              f"cut-over {_when(ctx.exact_from, rot.zone)}"))
        return None
    seconds = int(rot.turn.total_seconds())
    if rot.turn <= timedelta(0) or rot.turn != timedelta(seconds=seconds):
        raise Refusal(f"turns of {rot.turn} cannot be a layer's length", f"fix the rotation in {ctx.vendor_label}")
    if rot.turn % MINUTE:
        raise Refusal(f"turns last {timeutil.format_duration(rot.turn)}, not a whole number of minutes",
                      f"use a turn of whole minutes in {ctx.vendor_label}",
                      "Layer.length in seconds, handing off at wall-clock seconds")
    if rot.turn < MIN_TURN:
        raise Refusal(f"turns last {timeutil.format_duration(rot.turn)}; an opsbook layer's turn is at least "
                      f"{timeutil.format_duration(MIN_TURN)} (the engine's work is bounded by the turns in a window)",
                      f"use turns of {timeutil.format_duration(MIN_TURN)} or more in {ctx.vendor_label}")
    if not rot.members:
        raise Refusal("the rotation has nobody in it", f"add people to it in {ctx.vendor_label}, or delete it")
    members = [_member(ctx, group, i, rot) for i, group in enumerate(rot.members)]

    # When in each week the layer is on call.
    windows = weekly_union(rot.windows) if rot.windows is not None else [(0, WEEK)]
    if rot.duty is not None and rot.duty < rot.turn:
        if WEEK % seconds:
            raise Refusal(f"each {timeutil.format_duration(rot.turn)} turn is on call only for its first "
                          f"{timeutil.format_duration(rot.duty)}, a pattern that does not repeat weekly",
                          "use a turn that divides a week (hours dividing 168, days dividing 7), or a turn "
                          "that is on call throughout",
                          "Layer.on_call: the part of each turn that is on call (a duration from the handoff)")
        offset = int((rot.anchor - datetime(2001, 1, 1)).total_seconds()) % WEEK  # 2001-01-01 was a Monday
        occurrences = weekly_union([(offset + j * seconds, offset + j * seconds + int(rot.duty.total_seconds()))
                                    for j in range(WEEK // seconds)])
        windows = _intersect(windows, occurrences)
    elif rot.duty is not None and rot.duty > rot.turn:
        raise Refusal(f"each occurrence lasts {timeutil.format_duration(rot.duty)}, longer than the "
                      f"{timeutil.format_duration(rot.turn)} between occurrences, so occurrences overlap",
                      f"shorten the shift or lengthen its period in {ctx.vendor_label}",
                      "Layer.members entries as groups (two turns on call at once)")
    if not windows:
        ctx.notes.append(Note("layer", rot.vendor_id or rot.name, rot.where,
                              "left out: its restrictions leave no time on call"))
        return None
    if any(s % 60 or e % 60 for s, e in windows):
        raise Refusal("a restriction starts or ends at a second that is not a whole minute",
                      f"move the restriction to a whole minute in {ctx.vendor_label}",
                      "Restriction.from/to with seconds (HH:MM:SS)")
    restrict = None if windows == [(0, WEEK)] else restrictions_for(windows)

    # Where the layer starts: a handoff, so that turns line up with the vendor's; the
    # handoff in progress at the vendor's start, members rotated to match. A start in
    # the middle of that turn becomes the layer's `from`.
    shift = 0
    start = rot.anchor
    begin = handoff_at(rot.anchor, rot.turn, zone, 0)
    if rot.active_from is not None:
        shift = turn_in_progress(rot.anchor, rot.turn, zone, rot.active_from)
        start = rot.anchor + shift * rot.turn
        begin = rot.active_from
    if rot.active_until is not None and rot.active_until <= begin:
        ctx.notes.append(Note("layer", rot.vendor_id or rot.name, rot.where,
                              f"left out: it ends at {_when(rot.active_until, rot.zone)}, before it begins at "
                              f"{_when(begin, rot.zone)}, so it covers nothing"))
        return None
    if not timeutil.MIN_YEAR <= start.year <= timeutil.MAX_YEAR:
        # Vendors accept any date (PagerDuty: a layer started "1900-01-01T00:00Z",
        # which is 1899 on New York's clock); opsbook's dates run 1900 to 2999.
        raise Refusal(f"its rotation starts at {_local_text(start)} on the schedule's clock ({rot.zone}), outside "
                      f"the years {timeutil.MIN_YEAR} to {timeutil.MAX_YEAR} opsbook accepts",
                      f"set the layer's start to a later handoff in {ctx.vendor_label} (a handoff of the same "
                      "rotation keeps every turn where it is), then import again", None)
    n = len(members)
    ordered = [members[(i + shift) % n] for i in range(n)]
    data: dict[str, Any] = {"name": clean_line(rot.name, 120) or "layer", "members": ordered,
                            "start": _local_text(start), "length": timeutil.format_duration(rot.turn),
                            "backup": None}
    if rot.active_from is not None and handoff_at(rot.anchor, rot.turn, zone, shift) != rot.active_from:
        data["from"] = _wall_clock(rot.active_from, zone, rot, ctx, "begins")
    if rot.active_until is not None:
        data["end"] = _wall_clock(rot.active_until, zone, rot, ctx, "ends")
        if not rot.until_cuts:
            _check_until(rot, data, schedule_zone, ctx)
    if restrict is not None:
        data["restrict"] = restrict
    if rot.zone != schedule_zone:
        data["timezone"] = rot.zone
    return MappedLayer(data, rot)


def _wall_clock(moment: datetime, zone, rot: Rotation, ctx: Context, verb: str) -> str:
    """``moment`` as the wall-clock text a layer's `from`/`end` takes, when that text means
    exactly ``moment`` (a wall-clock time in a repeated fall-back hour means its first occurrence)."""
    local = moment.astimezone(zone).replace(tzinfo=None)
    if local.microsecond or timeutil.to_aware(local, zone).astimezone(UTC) != moment:
        raise Refusal(f"it {verb} at {_when(moment, rot.zone)}, the second occurrence of a wall-clock time that "
                      "happens twice (the fall-back hour), which a layer's wall-clock time cannot name",
                      f"move it out of the repeated hour in {ctx.vendor_label}, or import with --from after it",
                      "Layer.from/end with a UTC offset")
    return _local_text(local)


def _check_until(rot: Rotation, data: dict, zone: str, ctx: Context) -> None:
    """An RFC 5545 ``until`` bounds when occurrences start; whether the vendor cuts one in
    progress at ``until`` is not documented. Exact either way only when nothing is on call
    across it: an occurrence (a turn, or the part of it on call) straddling ``until`` is refused."""
    until = rot.active_until
    open_ended = {k: v for k, v in data.items() if k != "end"}
    pieces = _segments_with_turns(open_ended, zone, until - rot.turn - timedelta(days=8), until + timedelta(days=8))
    for (s0, e0, k0), (s1, e1, k1) in zip(pieces, pieces[1:] + [(None, None, None)]):
        across = s0 < until < e0 or (e0 == until and s1 == until and k1 == k0)
        if across:
            raise Refusal(f"its `until` ({_when(until, rot.zone)}) falls inside an on-call stretch; iCalendar's "
                          "UNTIL bounds when occurrences start, and the vendor does not document whether the one in "
                          "progress is cut there or runs to its end",
                          f"set `until` to the end of an occurrence in {ctx.vendor_label}, or import with --from "
                          "after the stretch has ended", None)


def _model_schedule(name: str, zone: str, layers: list[dict], overrides: list[dict] | None = None):
    from opsbook.model.schedule import Schedule

    return Schedule.model_validate({"name": name, "timezone": zone, "layers": layers,
                                    "overrides": overrides or []},
                                   context={"zone": timeutil.get_zone(zone)})


def _segments(layer: dict, zone: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    return [(s, e) for s, e, _ in _segments_with_turns(layer, zone, start, end)]


def _segments_with_turns(layer: dict, zone: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime, int]]:
    from opsbook.oncall.rotation import layer_segments

    from pydantic import ValidationError

    try:
        schedule = _model_schedule("check", zone, [layer])
    except ValidationError:
        # A layer the model refuses (a turn longer than a century) covers nothing
        # here; the written schedule is validated before anything is written, and
        # that refusal names the value.
        return []
    return [(s.start, s.end, s.turn) for s in layer_segments(schedule, schedule.layers[0], start, end)]


def _covers(layer: dict, zone: str, start: datetime, end: datetime) -> bool:
    return any(e > start and s < end for s, e in _segments(layer, zone, start, end))


def _layer_begin(layer: MappedLayer, zone: str) -> datetime:
    local = datetime.fromisoformat(layer.data.get("from") or layer.data["start"])
    return timeutil.to_aware(local, timeutil.get_zone(layer.data.get("timezone", zone))).astimezone(UTC)


def _merge(intervals):
    out = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


# --- schedules -----------------------------------------------------------------------


@dataclass
class MappedSchedule:
    data: dict
    ir: ScheduleIR


def map_schedule(s: ScheduleIR, ctx: Context) -> tuple[MappedSchedule | None, list[Unmappable]]:
    """The schedule as opsbook data, or every reason it cannot be."""
    problems: list[Unmappable] = []

    def refuse(where: Where, reason: str, action: str, extension: str | None = None, kind: str = "schedule",
               vendor_id: str | None = None, name: str | None = None) -> None:
        problems.append(Unmappable(kind, vendor_id or s.vendor_id, name or s.name, where, reason, action, extension))

    try:
        timeutil.get_zone(s.zone)
    except ValueError as exc:
        refuse(s.where, f"its time zone: {exc}", f"set the schedule's zone to an IANA name in {ctx.vendor_label}, "
               "or update the tzdata package")
        return None, problems
    for where, what, why in s.unsupported:
        refuse(where, f"{what}: {why}", f"change it in {ctx.vendor_label}, or recreate it in opsbook by hand")
    layers: list[MappedLayer] = []
    for rot in sorted(s.rotations, key=lambda r: r.level):
        try:
            mapped = map_rotation(rot, s.zone, ctx)
        except Refusal as exc:
            refuse(rot.where, f"layer '{clean_line(rot.name, 80)}': {exc.reason}", exc.action, exc.extension,
                   kind="layer", vendor_id=rot.vendor_id or s.vendor_id, name=f"{s.name} / {rot.name}")
            continue
        if mapped is not None:
            layers.append(mapped)
    if problems:
        return None, problems
    if not layers:
        refuse(s.where, f"no layer is on call from the cut-over {_when(ctx.exact_from, s.zone)} on",
               "nothing to import; pass an earlier --from if the past matters")
        return None, problems

    # Layers of one level are all on call at once in the vendor's model; opsbook has one
    # person on call per role, so they must never overlap.
    for i, a in enumerate(layers):
        for b in layers[i + 1:]:
            if a.rotation.level != b.rotation.level:
                continue
            begin = max(ctx.exact_from, _layer_begin(a, s.zone), _layer_begin(b, s.zone))
            end = begin + OVERLAP_HORIZON
            sa = _merge(_segments(a.data, s.zone, begin, end))
            sb = _merge(_segments(b.data, s.zone, begin, end))
            both = [(max(x, y), min(e, f)) for x, e in sa for y, f in sb if max(x, y) < min(e, f)]
            both = [(x, e) for x, e in both if e > ctx.exact_from]
            if both:
                refuse(b.rotation.where, f"layers '{clean_line(a.rotation.name, 60)}' and "
                       f"'{clean_line(b.rotation.name, 60)}' are on call at the same time (from "
                       f"{_when(max(both[0][0], ctx.exact_from), s.zone)}); {ctx.vendor_label} pages both, "
                       "opsbook has one person on call per role",
                       f"give the rotations times that do not overlap in {ctx.vendor_label}, or split the "
                       "schedule into two schedules",
                       "Layer.level (or Schedule.combine: all): layers of one level on call together")
                return None, problems

    overrides: list[dict] = []
    schedule_layers = [m.data for m in layers]
    for o in s.overrides:
        data = _map_override(o, s, ctx, layers, refuse)
        if data is not None:
            overrides.extend(data)
    if problems:
        return None, problems
    overrides.sort(key=lambda o: (o["start"], o["end"]))
    for prev, nxt in zip(overrides, overrides[1:]):
        if nxt["start"] < prev["end"]:
            refuse(s.where, f"two overrides overlap ({prev['_id']} and {nxt['_id']}, from "
                   f"{_when(nxt['start'], s.zone)}); {ctx.vendor_label} does not document which one wins",
                   f"delete or shorten one of them in {ctx.vendor_label} and export the overrides again")
            return None, problems
    data: dict[str, Any] = {"name": clean_line(s.name, 120) or s.vendor_id, "timezone": s.zone,
                            "description": clean_line(f"Imported from {ctx.vendor_label} schedule {s.vendor_id}", 300),
                            "layers": schedule_layers,
                            "overrides": [{k: v for k, v in o.items() if k != "_id"} for o in overrides]}
    return MappedSchedule(data, s), []


def _map_override(o: OverrideIR, s: ScheduleIR, ctx: Context, layers: list[MappedLayer], refuse) -> list[dict] | None:
    past = o.end <= ctx.exact_from

    def problem(reason: str, action: str, extension: str | None = None) -> None:
        if past:
            ctx.notes.append(Note("override", o.vendor_id, o.where,
                                  f"left out ({reason}); it ended before the cut-over"))
        else:
            refuse(o.where, f"override {clean_line(o.vendor_id, 60)}: {reason}", action, extension, kind="override",
                   vendor_id=o.vendor_id)

    if len(o.refs) != 1 or o.refs[0][0] != "user":
        problem("it puts " + ("nobody" if not o.refs else f"{len(o.refs)} people" if len(o.refs) > 1
                              else f"a {o.refs[0][0]}") + " on call; an opsbook override names one person",
                f"make it one override per person in {ctx.vendor_label}",
                "Override.person as a list (several people on call during an override)")
        return None
    person, why = ctx.person_of(o.refs[0][1])
    if person is None:
        problem(why, "see the person's own entry in this report, fix it, and import again")
        return None
    label = f"{ctx.vendor_label} override {clean_line(o.vendor_id, 60)}"
    if o.scope is None:
        return [{"role": "primary", "person": person, "start": o.start, "end": o.end, "reason": label, "_id": o.vendor_id}]
    # The person takes the place of the named rotations' people where those are on call.
    by_rotation = {id(m.rotation): m for m in layers}
    scoped = [layers_index for layers_index in o.scope]
    stretches: list[tuple[datetime, datetime]] = []
    for index in scoped:
        rot = s.rotations[index] if 0 <= index < len(s.rotations) else None
        mapped = by_rotation.get(id(rot)) if rot is not None else None
        if mapped is None:
            continue  # the rotation covers nothing (left out): nobody to replace
        stretches.extend(_segments(mapped.data, s.zone, o.start, o.end))
    out = []
    for a, b in _merge([(max(a, o.start), min(b, o.end)) for a, b in stretches if min(b, o.end) > max(a, o.start)]):
        out.append({"role": "primary", "person": person, "start": a, "end": b, "reason": label, "_id": o.vendor_id})
    if not out:
        ctx.notes.append(Note("override", o.vendor_id, o.where,
                              "left out: the rotations it replaces are not on call during it"))
    return out


# --- escalation policies ---------------------------------------------------------------


def map_policy(p: PolicyIR, ctx: Context) -> tuple[dict | None, list[Unmappable]]:
    problems: list[Unmappable] = []
    label = ctx.vendor_label

    def refuse(where: Where, reason: str, action: str, extension: str | None = None) -> None:
        problems.append(Unmappable("policy", p.vendor_id, p.name, where, reason, action, extension))

    steps: dict[timedelta, list[dict]] = {}
    for number, step in enumerate(p.steps, 1):
        if step.unsupported is not None:
            refuse(step.where, f"step {number} is a '{clean_line(step.unsupported, 60)}' step; opsbook's escalation "
                   "steps notify people and schedules only", f"remove the step in {label}, or do it another way "
                   "(a Slack workflow, a webhook from your alerting)",
                   f"Step.action: {clean_line(step.unsupported, 40)}")
            continue
        if step.condition != "unacknowledged":
            refuse(step.where, f"step {number} runs while the alert is {step.condition} (not only until it is "
                   "acknowledged); opsbook escalates until someone acknowledges",
                   f"use the 'not acknowledged' condition in {label}",
                   "Step.until: acknowledged | resolved")
            continue
        if step.strategy == "round_robin" and len(step.targets) > 1:
            refuse(step.where, f"step {number} notifies one of its {len(step.targets)} targets in turn (round "
                   "robin); opsbook notifies every target of a step",
                   f"notify everyone at once in {label}, or keep one target per step",
                   "Step.strategy: all | round_robin")
            continue
        targets = []
        for target in step.targets:
            try:
                targets.append(_map_target(target, ctx))
            except Refusal as exc:
                refuse(exc.where or target.where, f"step {number}: {exc.reason}", exc.action, exc.extension)
        if not step.targets:
            refuse(step.where, f"step {number} notifies nobody", f"add a target in {label}, or remove the step")
        steps.setdefault(step.after, []).extend(targets)
    if p.repeat:
        if p.repeat > MAX_REPEAT:
            refuse(p.where, f"it repeats {p.repeat} times; opsbook allows at most {MAX_REPEAT}",
                   f"lower the repeat count in {label}", "EscalationPolicy.repeat up to the vendor's maximum")
        last = max((step.after for step in p.steps), default=timedelta(0))
        if p.round_length is None:
            refuse(p.where, f"it repeats {p.repeat} time{'s' * (p.repeat != 1)} but the export does not say after "
                   "how long a round starts again", f"export the policy again from {label}, with its repeat settings")
        elif p.round_length <= timedelta(0) or p.round_length < last:
            refuse(p.where, f"it starts a new round {timeutil.format_duration(p.round_length)} after the last "
                   f"began, before its last step ({timeutil.format_duration(last)}) or at once; opsbook's "
                   "repeat_after is at least the last step's delay and longer than 0",
                   f"give the repeat a wait in {label}")
    if problems:
        return None, problems
    if not steps:
        refuse(p.where, "it has no steps", f"add a step in {label}")
        return None, problems
    out_steps = []
    for after in sorted(steps):
        seen, notify = set(), []
        for target in steps[after]:
            key = tuple(sorted(target.items()))
            if key not in seen:
                seen.add(key)
                notify.append(target)
        out_steps.append({"after": timeutil.format_duration(after) if after else "0m", "notify": notify})
    data: dict[str, Any] = {"id": "", "name": clean_line(p.name, 120) or p.vendor_id, "steps": out_steps}
    if p.repeat:
        data["repeat"] = p.repeat
        data["repeat_after"] = timeutil.format_duration(p.round_length)
    description = clean_line(f"Imported from {label} {p.vendor_id}" + (f". {p.description}" if p.description else ""), 300)
    data["description"] = description
    return data, []


def _map_target(target, ctx: Context) -> dict:
    label = ctx.vendor_label
    if target.kind == "user":
        person, why = ctx.person_of(target.vendor_id)
        if person is None:
            raise Refusal(why, "see the person's own entry in this report, fix it, and import again")
        return {"person": person}
    if target.kind == "schedule":
        if target.mode != "default":
            raise Refusal(f"it notifies the {target.mode} person on call in schedule {clean_line(target.vendor_id, 60)}",
                          f"notify who is on call now in {label}",
                          f"Target.role: {target.mode} (the {target.mode} person in the rotation)")
        ident = ctx.schedule_of(target.vendor_id)
        if ident is None:
            raise Refusal(f"it notifies schedule {clean_line(target.vendor_id, 60)}, which this import does not "
                          "create", "add that schedule's files to the import (and make it mappable), or import "
                          "the schedule first")
        return {"schedule": ident, "role": "primary"}
    if target.kind == "team":
        if target.mode not in ("all", "members"):
            raise Refusal(f"it notifies team {clean_line(target.vendor_id, 60)} through {target.mode!r}",
                          f"notify the team's members, a schedule, or people in {label}",
                          f"Target.team with a mode ({target.mode})")
        ident = ctx.team_of(target.vendor_id)
        if ident is None:
            raise Refusal(f"it notifies team {clean_line(target.vendor_id, 60)}, which this import does not create",
                          "add the teams file to the import")
        return {"team": ident}
    raise Refusal(f"it notifies a {clean_line(target.kind, 40)} ({clean_line(target.vendor_id, 60)}); opsbook notifies "
                  "people, schedules and teams", f"notify people or a schedule instead in {label}",
                  f"Target.{slug(target.kind, 'other')}")

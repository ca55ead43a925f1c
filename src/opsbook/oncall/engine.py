"""Who is on call: final shifts per role, gaps, overlaps and handoffs.

Precedence at any instant, per role: an override for that role (the later one
in the file if two overlap, which `opsbook validate` reports), else the latest
layer (last in the file) that covers the instant. The covering layer decides
both roles: a later layer without a backup leaves the backup empty rather than
borrowing one from a layer it shadows.

A shift is one stretch of one person in one role from one source (a turn of a
layer, cut by its restriction windows and by whatever takes precedence, or an
override). Shifts are reported with their natural extent, not clipped to the
window asked for, so the same shift has the same start and end whatever window
finds it (the ICS feeds' stable UIDs depend on that).

The work is clipped to the window: segments and overrides are cut only inside
[start, end), and a shift that crosses an edge is extended to its natural
extent by arithmetic on its source (an override's own bounds and the later
overrides that cut it; a turn's segment and the overrides and later layers
that cut it), not by walking the turns in between. An override from 1900 to
2999 costs what one for next weekend costs, and so does a layer whose ``from``
or ``end`` lies centuries away (a layer's bounds cut its turns; see rotation).

Pure functions of the model and explicit instants; nothing reads the clock.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from opsbook.model.schedule import Schedule
from opsbook.oncall.rotation import Segment, covered_after, covered_before, layer_segments, members_for
from opsbook.suggest import closest

UTC = timezone.utc
ROLES: tuple[str, ...] = ("primary", "backup")
# How far `next_handoff` (and "changes" in `oncall now`) looks ahead before
# answering "none", and how far back `last_handoff` and `last_pair_before` look.
HANDOFF_HORIZON = timedelta(days=400)
# The searches above go in windows of this size (the work per window is the
# turns inside it), jumping over stretches where both roles are held.
_STEP = timedelta(days=8)
# The longest window a command asks about at once (--from/--to, the validate
# horizon): two calendar years, a leap day included.
MAX_WINDOW = timedelta(days=731)


@dataclass(frozen=True)
class Shift:
    schedule: str
    role: str
    person: str
    start: datetime
    end: datetime
    layer: str | None = None
    """The layer's name; None for an override."""
    override: int | None = None
    """Index into the schedule's overrides; None for a layer's turn."""

    @property
    def source(self) -> str:
        return f"override #{self.override + 1}" if self.override is not None else f"layer {self.layer}"

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True)
class Gap:
    schedule: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Overlap:
    """Several sources claim one role at once; ``winner`` is the one that counts."""

    schedule: str
    role: str
    start: datetime
    end: datetime
    claims: tuple[str, ...]
    winner: str


@dataclass(frozen=True)
class OnCallAt:
    schedule: str
    primary: str | None
    backup: str | None
    next_handoff: datetime | None
    """The next instant the primary or the backup changes (None: not within ~a year)."""


class UnknownSchedule(LookupError):
    """A schedule id the knowledge base does not define; the message suggests one."""

    def __init__(self, ident: str, known: list[str]):
        close = closest(ident, known)
        hint = f"; did you mean '{close}'?" if close else (f"; known schedules: {', '.join(known)}" if known else
                                                              "; no schedule is defined under schedules/")
        super().__init__(f"unknown schedule '{ident}'{hint}")
        self.ident = ident


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"{name} must be an aware datetime")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class _Piece:
    """An elementary interval: nothing changes inside it."""

    start: datetime
    end: datetime
    # role -> (person, source key) or None
    primary: tuple[str, tuple] | None
    backup: tuple[str, tuple] | None
    layers: tuple[int, ...]
    overrides: dict


def _pieces(schedule: Schedule, start: datetime, end: datetime) -> list[_Piece]:
    """Elementary intervals over [start, end) with what covers each."""
    segments: list[list[Segment]] = [layer_segments(schedule, layer, start, end) for layer in schedule.layers]
    starts = [[seg.start for seg in segs] for segs in segments]
    points = {start, end}
    for segs in segments:
        for seg in segs:
            points.update((seg.start, seg.end))
    overrides = [(i, o) for i, o in enumerate(schedule.overrides) if o.end > start and o.start < end]
    for _, o in overrides:
        points.update((o.start, o.end))
    cuts = sorted(p for p in points if start <= p <= end)
    pieces = []
    for p, q in zip(cuts, cuts[1:]):
        covering = []
        for index, segs in enumerate(segments):
            k = bisect.bisect_right(starts[index], p) - 1
            if k >= 0 and segs[k].end > p:
                covering.append((index, segs[k]))
        roles: dict[str, tuple[str, tuple] | None] = {"primary": None, "backup": None}
        if covering:
            index, seg = covering[-1]
            roles["primary"] = (seg.primary, ("layer", index, seg))
            if seg.backup is not None:
                roles["backup"] = (seg.backup, ("layer", index, seg))
        claims: dict[str, list[int]] = {"primary": [], "backup": []}
        for i, o in overrides:
            if o.start <= p < o.end:
                claims[o.role].append(i)
                roles[o.role] = (o.person, ("override", i))  # later in the file wins
        pieces.append(_Piece(p, q, roles["primary"], roles["backup"], tuple(i for i, _ in covering), claims))
    return pieces


def _extent_before(schedule: Schedule, role: str, source: tuple, at: datetime) -> datetime:
    """Where the shift of ``source`` in ``role`` that holds ``at`` began.

    ``at`` is an instant the source wins, so whatever cut the shift before it
    ended at or before ``at``: later overrides of the role for an override;
    any override of the role, or a later layer's active stretch, for a turn.
    """
    if source[0] == "override":
        index = source[1]
        begin = schedule.overrides[index].start
        rivals = [o for o in schedule.overrides[index + 1:] if o.role == role]
    else:
        index, seg = source[1], source[2]
        begin = seg.start
        rivals = [o for o in schedule.overrides if o.role == role]
        for layer in schedule.layers[index + 1:]:
            last = covered_before(schedule, layer, at, begin)
            if last is not None:
                begin = max(begin, last)
    for o in rivals:
        if begin < o.end <= at:
            begin = o.end
    return begin


def _extent_after(schedule: Schedule, role: str, source: tuple, at: datetime) -> datetime:
    """Where the shift of ``source`` in ``role`` that holds the instant just
    before ``at`` ends (``at`` or later)."""
    if source[0] == "override":
        index = source[1]
        finish = schedule.overrides[index].end
        rivals = [o for o in schedule.overrides[index + 1:] if o.role == role]
    else:
        index, seg = source[1], source[2]
        finish = seg.end
        rivals = [o for o in schedule.overrides if o.role == role]
        for layer in schedule.layers[index + 1:]:
            first = covered_after(schedule, layer, at, finish)
            if first is not None:
                finish = min(finish, first)
    for o in rivals:
        if at <= o.start < finish:
            finish = o.start
    return finish


def _shifts_from_pieces(schedule: Schedule, pieces: list[_Piece], start: datetime, end: datetime) -> list[Shift]:
    """Merge the pieces into shifts; a shift cut by the window's edge is given
    its natural extent."""
    out: list[Shift] = []
    ident = schedule.id  # a property of the model; read once, not once per shift
    for role in ROLES:
        current: tuple | None = None
        begin: datetime | None = None
        last_end: datetime | None = None
        for piece in pieces + [None]:  # type: ignore[list-item]
            who = getattr(piece, role) if piece is not None else None
            if current is not None and (who != current or piece is None or piece.start != last_end):
                first = _extent_before(schedule, role, current[1], begin) if begin == start else begin
                last = _extent_after(schedule, role, current[1], last_end) if last_end == end else last_end
                out.append(_make_shift(schedule, ident, role, current, first, last))  # type: ignore[arg-type]
                current = None
            if who is not None and current is None:
                current, begin = who, piece.start
            if piece is not None:
                last_end = piece.end
    out.sort(key=lambda s: (s.start, ROLES.index(s.role)))
    return out


def _make_shift(schedule: Schedule, ident: str, role: str, who: tuple, start: datetime, end: datetime) -> Shift:
    person, source = who
    if source[0] == "override":
        return Shift(ident, role, person, start, end, override=source[1])
    return Shift(ident, role, person, start, end, layer=schedule.layers[source[1]].name)


def shifts_between(schedule: Schedule, start: datetime, end: datetime, role: str | None = None) -> list[Shift]:
    """Every final shift meeting [start, end), each whole (not clipped), by start."""
    start, end = _aware(start, "start"), _aware(end, "end")
    if end <= start:
        return []
    shifts = _shifts_from_pieces(schedule, _pieces(schedule, start, end), start, end)
    return [s for s in shifts if role is None or s.role == role]


def gaps_between(schedule: Schedule, start: datetime, end: datetime) -> list[Gap]:
    """Stretches of [start, end) when nobody is primary, clipped to the window."""
    start, end = _aware(start, "start"), _aware(end, "end")
    gaps: list[Gap] = []
    cursor = start
    for shift in shifts_between(schedule, start, end, role="primary"):
        if shift.start > cursor:
            gaps.append(Gap(schedule.id, cursor, shift.start))
        cursor = max(cursor, shift.end)
    if cursor < end:
        gaps.append(Gap(schedule.id, cursor, end))
    return gaps


def overlaps_between(schedule: Schedule, start: datetime, end: datetime) -> list[Overlap]:
    """Where more than one source claims a role in [start, end): two layers
    (the later wins, by design) or two overrides for one role (a mistake)."""
    start, end = _aware(start, "start"), _aware(end, "end")
    out: list[Overlap] = []
    names = [layer.name for layer in schedule.layers]
    for piece in _pieces(schedule, start, end):
        for role in ROLES:
            overrides = piece.overrides[role]
            layer_claims = [f"layer {names[i]}" for i in piece.layers]
            if role == "backup":
                layer_claims = []  # a layer's backup goes with its primary; reported once
            claims = [f"override #{i + 1}" for i in overrides] + layer_claims
            if len(claims) < 2:
                continue
            winner = f"override #{overrides[-1] + 1}" if overrides else layer_claims[-1]
            last = out[-1] if out else None
            if last and last.role == role and last.claims == tuple(claims) and last.end == piece.start:
                out[-1] = Overlap(schedule.id, role, last.start, piece.end, last.claims, winner)
            else:
                out.append(Overlap(schedule.id, role, piece.start, piece.end, tuple(claims), winner))
    return out


class _Holders:
    """Who holds each role at an instant, by bisection over one role's shifts
    (a role's shifts never overlap)."""

    def __init__(self, shifts: list[Shift]):
        self._by_role = {role: sorted((s for s in shifts if s.role == role), key=lambda s: s.start)
                         for role in ROLES}
        self._starts = {role: [s.start for s in items] for role, items in self._by_role.items()}

    def at(self, when: datetime) -> tuple[str | None, str | None]:
        pair = []
        for role in ROLES:
            k = bisect.bisect_right(self._starts[role], when) - 1
            items = self._by_role[role]
            pair.append(items[k].person if k >= 0 and items[k].end > when else None)
        return pair[0], pair[1]


def _who(shifts: list[Shift], at: datetime) -> tuple[str | None, str | None]:
    return _Holders(shifts).at(at)


def state_at(schedule: Schedule, at: datetime) -> OnCallAt:
    """Primary, backup and the next change, at one instant."""
    at = _aware(at, "at")
    here = _who(shifts_between(schedule, at, at + timedelta(seconds=1)), at)
    return OnCallAt(schedule.id, here[0], here[1], _next_change(schedule, at, here))


def _can_fill(schedule: Schedule, role: str, at: datetime, ceiling: datetime) -> datetime:
    """A lower bound on when an empty ``role`` can next be held after ``at``
    (``ceiling`` when not before it): an override of the role starts, or a
    layer that could supply the role becomes active."""
    first = ceiling
    for o in schedule.overrides:
        if o.role == role and o.end > at:
            first = min(first, max(o.start, at))
    for layer in schedule.layers:
        if role == "backup" and members_for(layer, 0)[1] is None and members_for(layer, 1)[1] is None:
            continue  # a layer without a backup never supplies one
        found = covered_after(schedule, layer, at, first)
        if found is not None:
            first = min(first, found)
    return first


def _next_change(schedule: Schedule, at: datetime, here: tuple) -> datetime | None:
    """The first instant after ``at`` when (primary, backup) differs from ``here``,
    within ``HANDOFF_HORIZON``. Windows of ``_STEP``; a stretch where nothing
    can change (each role held by a shift that goes on, or empty with nothing
    that could fill it) is jumped over, so an override that ends in 2999 costs
    what one that ends next week costs."""
    limit = at + HANDOFF_HORIZON
    lo = at
    while lo < limit:
        hi = lo + _STEP
        shifts = shifts_between(schedule, lo, hi)
        holders = _Holders(shifts)
        points = {t for s in shifts for t in (s.start, s.end) if lo < t < hi and t > at}
        if lo > at:
            points.add(lo)
        for point in sorted(points):
            if holders.at(point) != here:
                return point
        # Nothing changed before hi. How long can that last?
        until = limit
        for role in ROLES:
            held = [s for s in shifts if s.role == role and s.start <= hi < s.end]
            if held:
                until = min(until, held[0].end)
            else:
                until = min(until, _can_fill(schedule, role, hi, until))
        lo = max(hi, until)
    return None


def handoffs_between(schedule: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """Instants in [start, end) when someone comes on call and the pair
    (primary, backup) differs from the last pair that was on call before.

    Coming back after an uncovered stretch with the same people (a business-
    hours rotation each morning) is not a handoff; a new week's people is.
    """
    start, end = _aware(start, "start"), _aware(end, "end")
    shifts = shifts_between(schedule, start, end)
    holders = _Holders(shifts)
    points = sorted({t for s in shifts for t in (s.start, s.end) if start <= t < end})
    out = []
    last_on = last_pair_before(schedule, start)
    for point in points:
        pair = holders.at(point)
        if pair == (None, None):
            continue
        if last_on is not None and pair != last_on:
            out.append(point)
        last_on = pair
    return out


def last_pair_before(schedule: Schedule, at: datetime) -> tuple | None:
    """The (primary, backup) pair of the last on-call stretch ending at or before ``at``."""
    hi = at
    while hi > at - HANDOFF_HORIZON:
        shifts = [s for s in shifts_between(schedule, hi - _STEP, hi) if s.start < at]
        if shifts:
            latest = max(min(s.end, at) for s in shifts)
            return _who(shifts, latest - timedelta(microseconds=1))
        hi -= _STEP
    return None


def last_handoff(schedule: Schedule, at: datetime, lookback: timedelta = HANDOFF_HORIZON) -> datetime | None:
    """The latest handoff at or before ``at``, searching back ``lookback`` in
    windows of ``_STEP`` (the work is the distance to that handoff)."""
    at = _aware(at, "at")
    hi = at + timedelta(microseconds=1)
    floor = at - lookback
    while hi > floor:
        lo = max(floor, hi - _STEP)
        found = handoffs_between(schedule, lo, hi)
        if found:
            return found[-1]
        hi = lo
    return None


def next_handoff(schedule: Schedule, at: datetime, horizon: timedelta = HANDOFF_HORIZON) -> datetime | None:
    """The first handoff strictly after ``at``."""
    at = _aware(at, "at")
    lo = at + timedelta(microseconds=1)
    while lo < at + horizon:
        found = handoffs_between(schedule, lo, lo + _STEP)
        if found:
            return found[0]
        lo += _STEP
    return None


def find_schedule(kb, schedule_id: str) -> Schedule:
    try:
        return kb.schedules[schedule_id]
    except KeyError:
        raise UnknownSchedule(schedule_id, kb.ids("schedule")) from None


def on_call_at(kb, schedule_id: str, at: datetime) -> OnCallAt:
    """Who is primary and backup on ``schedule_id`` at ``at``, and when that next changes.

    Raises ``UnknownSchedule`` (a LookupError whose message suggests a close id).
    """
    return state_at(find_schedule(kb, schedule_id), at)

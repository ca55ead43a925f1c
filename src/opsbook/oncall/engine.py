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

Pure functions of the model and explicit instants; nothing reads the clock.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from opsbook.model.schedule import Schedule
from opsbook.oncall.rotation import Segment, layer_segments
from opsbook.suggest import closest

UTC = timezone.utc
ROLES: tuple[str, ...] = ("primary", "backup")
# Slack for the wall-clock arithmetic: a turn can be an hour or so longer than its length.
_DST_SLACK = timedelta(days=1)
# How far `next_handoff` looks ahead before answering "none".
HANDOFF_HORIZON = timedelta(days=400)


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


def _reach(schedule: Schedule) -> timedelta:
    """How far a shift can extend beyond a window edge."""
    longest = max((layer.length for layer in schedule.layers), default=timedelta(0))
    for o in schedule.overrides:
        longest = max(longest, o.end - o.start)
    return longest + _DST_SLACK


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
            roles["primary"] = (seg.primary, ("layer", index, seg.turn, seg.start))
            if seg.backup is not None:
                roles["backup"] = (seg.backup, ("layer", index, seg.turn, seg.start))
        claims: dict[str, list[int]] = {"primary": [], "backup": []}
        for i, o in overrides:
            if o.start <= p < o.end:
                claims[o.role].append(i)
                roles[o.role] = (o.person, ("override", i))  # later in the file wins
        pieces.append(_Piece(p, q, roles["primary"], roles["backup"], tuple(i for i, _ in covering), claims))
    return pieces


def _shifts_from_pieces(schedule: Schedule, pieces: list[_Piece]) -> list[Shift]:
    out: list[Shift] = []
    for role in ROLES:
        current: tuple | None = None
        begin: datetime | None = None
        last_end: datetime | None = None
        for piece in pieces + [None]:  # type: ignore[list-item]
            who = getattr(piece, role) if piece is not None else None
            if current is not None and (who != current or piece is None or piece.start != last_end):
                out.append(_make_shift(schedule, role, current, begin, last_end))  # type: ignore[arg-type]
                current = None
            if who is not None and current is None:
                current, begin = who, piece.start
            if piece is not None:
                last_end = piece.end
    out.sort(key=lambda s: (s.start, ROLES.index(s.role)))
    return out


def _make_shift(schedule: Schedule, role: str, who: tuple, start: datetime, end: datetime) -> Shift:
    person, source = who
    if source[0] == "override":
        return Shift(schedule.id, role, person, start, end, override=source[1])
    return Shift(schedule.id, role, person, start, end, layer=schedule.layers[source[1]].name)


def shifts_between(schedule: Schedule, start: datetime, end: datetime, role: str | None = None) -> list[Shift]:
    """Every final shift meeting [start, end), each whole (not clipped), by start."""
    start, end = _aware(start, "start"), _aware(end, "end")
    if end <= start:
        return []
    reach = _reach(schedule)
    # Pieces are computed with margin so a shift crossing an edge keeps its
    # true extent; those wholly outside the window are dropped.
    pieces = _pieces(schedule, start - reach, end + reach)
    shifts = _shifts_from_pieces(schedule, pieces)
    return [s for s in shifts if s.end > start and s.start < end and (role is None or s.role == role)]


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


def _who(shifts: list[Shift], at: datetime) -> tuple[str | None, str | None]:
    primary = backup = None
    for s in shifts:
        if s.start <= at < s.end:
            if s.role == "primary":
                primary = s.person
            else:
                backup = s.person
    return primary, backup


def state_at(schedule: Schedule, at: datetime) -> OnCallAt:
    """Primary, backup and the next change, at one instant."""
    at = _aware(at, "at")
    here = _who(shifts_between(schedule, at, at + timedelta(seconds=1)), at)
    return OnCallAt(schedule.id, here[0], here[1], _next_change(schedule, at, here))


def _next_change(schedule: Schedule, at: datetime, here: tuple) -> datetime | None:
    step = max(_reach(schedule), timedelta(days=8))
    lo = at
    while lo < at + HANDOFF_HORIZON:
        hi = lo + step
        shifts = shifts_between(schedule, lo, hi)
        for point in sorted({t for s in shifts for t in (s.start, s.end) if at < t <= hi}):
            if _who(shifts, point) != here:
                return point
        lo = hi
    return None


def handoffs_between(schedule: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """Instants in [start, end) when someone comes on call and the pair
    (primary, backup) differs from the last pair that was on call before.

    Coming back after an uncovered stretch with the same people (a business-
    hours rotation each morning) is not a handoff; a new week's people is.
    """
    start, end = _aware(start, "start"), _aware(end, "end")
    shifts = shifts_between(schedule, start, end)
    points = sorted({t for s in shifts for t in (s.start, s.end) if start <= t < end})
    out = []
    last_on = last_pair_before(schedule, start)
    for point in points:
        pair = _who(shifts, point)
        if pair == (None, None):
            continue
        if last_on is not None and pair != last_on:
            out.append(point)
        last_on = pair
    return out


def last_pair_before(schedule: Schedule, at: datetime) -> tuple | None:
    """The (primary, backup) pair of the last on-call stretch ending at or before ``at``."""
    step = max(_reach(schedule), timedelta(days=8))
    hi = at
    while hi > at - HANDOFF_HORIZON:
        shifts = [s for s in shifts_between(schedule, hi - step, hi) if s.start < at]
        if shifts:
            latest = max(min(s.end, at) for s in shifts)
            return _who(shifts, latest - timedelta(microseconds=1))
        hi -= step
    return None


def last_handoff(schedule: Schedule, at: datetime, lookback: timedelta = timedelta(days=400)) -> datetime | None:
    """The latest handoff at or before ``at``."""
    at = _aware(at, "at")
    found = handoffs_between(schedule, at - lookback, at + timedelta(microseconds=1))
    return found[-1] if found else None


def next_handoff(schedule: Schedule, at: datetime, horizon: timedelta = HANDOFF_HORIZON) -> datetime | None:
    """The first handoff strictly after ``at``."""
    at = _aware(at, "at")
    step = max(_reach(schedule), timedelta(days=8))
    lo = at + timedelta(microseconds=1)
    while lo < at + horizon:
        found = handoffs_between(schedule, lo, lo + step)
        if found:
            return found[0]
        lo += step
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

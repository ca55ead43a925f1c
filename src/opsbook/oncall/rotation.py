"""One rotation layer on its own: its turns, its active windows, its segments.

Time semantics (GoAlert's): a layer hands off at the same local wall-clock
time every turn. Turn ``k`` starts at the wall-clock time ``start + k * length``
in the layer's zone, made an instant with ``timeutil.to_aware``: a wall-clock
time inside a spring-forward gap moves to the first valid instant after it, an
ambiguous one takes its first occurrence. A weekly turn that spans a DST change
is therefore an hour shorter or longer than a week, and the handoff stays at
09:00. This holds for hour lengths too: a 12h layer keeps handing off at
08:00 and 20:00; when two handoffs land on the same instant (a 1h layer in a
spring-forward gap), the member between them has no shift that turn.

A layer covers nothing before its first handoff (``start``), nor before its
``from`` when it has one, nor from its ``end`` on: its *bounds*, wall-clock
times made instants like handoffs. ``start`` stays the anchor of the turns;
the turn in progress at ``from`` or at ``end`` is cut there. Adding a layer
that starts next month changes nothing before then.

Work is bounded by the window asked for, not by how far the data reaches:
the turn in progress is computed arithmetically (``turn_at``), restriction
windows are generated only for the days around the window (``WINDOW_SPAN``),
and ``covered_before``/``covered_after`` answer "when was this layer last /
next active" from a fortnight of windows, whatever the layer's start or length.
The bounds are two instants, so an ``end`` in 2999 or a ``from`` in 1900 costs
nothing: the turns at the bounds are found by ``turn_at`` too.

Everything here is a pure function of the model; instants are UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache

from opsbook import timeutil
from opsbook.model.schedule import WEEKDAYS, Layer, Schedule

UTC = timezone.utc
Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Segment:
    """A stretch of one turn of one layer when the layer is active."""

    start: datetime
    end: datetime
    turn: int
    primary: str
    backup: str | None


def layer_zone(schedule: Schedule, layer: Layer) -> tzinfo:
    return timeutil.get_zone(layer.timezone or schedule.timezone)


@lru_cache(maxsize=65536)
def _handoff(start: datetime, length: timedelta, zone: tzinfo, turn: int) -> datetime:
    # Wall-clock arithmetic on the naive time, then one DST-aware conversion.
    return timeutil.to_aware(start + turn * length, zone).astimezone(UTC)


def handoff(layer: Layer, zone: tzinfo, turn: int) -> datetime:
    """The instant turn ``turn`` begins (turn 0 begins at ``layer.start``)."""
    return _handoff(layer.start, layer.length, zone, turn)


def turn_at(layer: Layer, zone: tzinfo, at: datetime) -> int:
    """The turn in progress at ``at`` (negative before the layer starts)."""
    local = at.astimezone(zone).replace(tzinfo=None)
    turn = (local - layer.start) // layer.length
    # The wall-clock estimate is off by at most one turn around a DST change.
    while handoff(layer, zone, turn) > at:
        turn -= 1
    while handoff(layer, zone, turn + 1) <= at:
        turn += 1
    return turn


def members_for(layer: Layer, turn: int) -> tuple[str, str | None]:
    """(primary, backup) person ids for a turn."""
    members = layer.members
    primary = members[turn % len(members)]
    if layer.backup == "next":
        # One member has nobody "next"; leaving the role empty beats making
        # the same person primary and backup.
        backup = members[(turn + 1) % len(members)] if len(members) > 1 else None
    elif isinstance(layer.backup, list) and layer.backup:
        # An explicit list is a rotation of its own with the layer's length and anchor.
        backup = layer.backup[turn % len(layer.backup)]
    else:
        backup = None
    return primary, backup


# A restricted layer whose windows do not cover the whole week has an inactive
# wall-clock minute every week. That minute can vanish only on a spring-forward
# day, and two such days are never a week apart, so no stretch of merged
# windows lasts 15 days. Windows are generated this far around a window asked
# for, which is enough to know each one's natural extent.
WINDOW_SPAN = timedelta(days=16)
_WEEK_MINUTES = 7 * 1440


def always_active(layer: Layer) -> bool:
    """True when the layer has no restrictions, or ones that cover every
    wall-clock minute of the week (their windows merge into one): such a layer
    is active whenever it has a turn, and is treated as unrestricted."""
    if not layer.restrict:
        return True
    spans: list[tuple[int, int]] = []
    for rule in layer.restrict:
        length = (rule.to if rule.to > rule.from_ else rule.to + 1440) - rule.from_
        for day in rule.days:
            begin = WEEKDAYS.index(day) * 1440 + rule.from_
            end = begin + length
            if end <= _WEEK_MINUTES:
                spans.append((begin, end))
            else:  # Sunday night wraps into Monday morning
                spans.append((begin, _WEEK_MINUTES))
                spans.append((0, end - _WEEK_MINUTES))
    reached = 0
    for begin, end in sorted(spans):
        if begin > reached:
            return False
        reached = max(reached, end)
    return reached >= _WEEK_MINUTES


def active_windows(schedule: Schedule, layer: Layer, start: datetime, end: datetime) -> list[Interval] | None:
    """The layer's restriction windows meeting [start, end), merged, in UTC;
    None when the layer has no restrictions (always active).

    A window is listed under the day it starts: ``{days: [fri], from: "22:00",
    to: "07:00"}`` runs from Friday 22:00 to Saturday 07:00. ``to`` at or before
    ``from`` wraps past midnight; ``to: "24:00"`` ends at the next midnight.
    Windows are not clipped to [start, end), but only the days from two before
    ``start`` to one after ``end`` are generated: a merged window is cut there.
    """
    if not layer.restrict:
        return None
    zone = layer_zone(schedule, layer)
    first = start.astimezone(zone).date() - timedelta(days=2)  # a window may begin the day before
    last = end.astimezone(zone).date() + timedelta(days=1)
    raw: list[Interval] = []
    day = first
    while day <= last:
        weekday = WEEKDAYS[day.weekday()]
        midnight = datetime(day.year, day.month, day.day)
        for rule in layer.restrict:
            if weekday not in rule.days:
                continue
            to = rule.to if rule.to > rule.from_ else rule.to + 1440
            w_start = timeutil.to_aware(midnight + timedelta(minutes=rule.from_), zone).astimezone(UTC)
            w_end = timeutil.to_aware(midnight + timedelta(minutes=to), zone).astimezone(UTC)
            if w_end > w_start and w_end > start and w_start < end:
                raw.append((w_start, w_end))
        day += timedelta(days=1)
    return merge(raw)


def merge(intervals: list[Interval]) -> list[Interval]:
    """Union of intervals; touching ones join."""
    out: list[Interval] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def first_handoff(schedule: Schedule, layer: Layer) -> datetime:
    """The instant the layer starts covering: its ``from``, else turn 0."""
    return bounds(schedule, layer)[0]


@lru_cache(maxsize=4096)
def _bounds(start: datetime, begin: datetime | None, end: datetime | None, zone: tzinfo
            ) -> tuple[datetime, datetime | None]:
    first = timeutil.to_aware(begin if begin is not None else start, zone).astimezone(UTC)
    last = timeutil.to_aware(end, zone).astimezone(UTC) if end is not None else None
    return first, last


def bounds(schedule: Schedule, layer: Layer) -> tuple[datetime, datetime | None]:
    """[first, last): the instants the layer may cover (``last`` None: no end).
    ``first`` is ``from`` (else ``start``), ``last`` is ``end``; the two can meet
    when both fall in one spring-forward gap, and the layer then covers nothing."""
    return _bounds(layer.start, layer.from_, layer.end, layer_zone(schedule, layer))


def layer_segments(schedule: Schedule, layer: Layer, start: datetime, end: datetime) -> list[Segment]:
    """Segments of the layer meeting [start, end), each with its natural extent
    (a whole turn, or a turn cut by the restriction windows), sorted.

    The work is the turns meeting the window plus ``WINDOW_SPAN`` of windows on
    either side, however long a turn is and however far back the layer starts.
    """
    zone = layer_zone(schedule, layer)
    first, last = bounds(schedule, layer)
    start = max(start, first)
    if last is not None:
        end = min(end, last)
    if end <= start:
        return []
    first_turn = max(turn_at(layer, zone, start), 0)
    last_turn = turn_at(layer, zone, end - timedelta(microseconds=1))
    if last_turn < first_turn:
        return []
    turns = []
    for turn in range(first_turn, last_turn + 1):
        # A turn is cut by the layer's bounds (``from``, ``end``), never moved.
        t_start = max(handoff(layer, zone, turn), first)
        t_end = handoff(layer, zone, turn + 1)
        if last is not None:
            t_end = min(t_end, last)
        if t_end > t_start:  # two handoffs on one instant: that member's turn is empty
            turns.append((turn, t_start, t_end))
    if not turns:
        return []
    if always_active(layer):
        windows = None
    else:
        # Every window meeting [start, end) lies wholly inside this span.
        windows = [w for w in active_windows(schedule, layer, start - WINDOW_SPAN, end + WINDOW_SPAN) or []
                   if w[1] > start and w[0] < end]
    out: list[Segment] = []
    w = 0
    for turn, t_start, t_end in turns:
        primary, backup = members_for(layer, turn)
        if windows is None:
            out.append(Segment(t_start, t_end, turn, primary, backup))
            continue
        while w < len(windows) and windows[w][1] <= t_start:
            w += 1
        i = w
        while i < len(windows) and windows[i][0] < t_end:
            s, e = max(windows[i][0], t_start), min(windows[i][1], t_end)
            if e > s:
                out.append(Segment(s, e, turn, primary, backup))
            i += 1
    return [seg for seg in out if seg.end > start and seg.start < end]


def covered_before(schedule: Schedule, layer: Layer, at: datetime, floor: datetime) -> datetime | None:
    """The end of the layer's last active stretch within [floor, at) (clipped to
    ``at``), or None when it covers nothing there. Looks back at most
    ``WINDOW_SPAN``: a restricted layer is active at least once a fortnight or never."""
    first, last = bounds(schedule, layer)
    low = max(floor, first)
    if last is not None:
        at = min(at, last)
    if low >= at:
        return None
    if always_active(layer):
        return at
    found = None
    for w_start, w_end in active_windows(schedule, layer, max(low, at - WINDOW_SPAN), at) or []:
        if min(w_end, at) > max(w_start, low):
            found = min(w_end, at)
    return found


def covered_after(schedule: Schedule, layer: Layer, at: datetime, ceiling: datetime) -> datetime | None:
    """The first instant in [at, ceiling) at which the layer is active, or None."""
    first, last = bounds(schedule, layer)
    low = max(at, first)
    if last is not None:
        ceiling = min(ceiling, last)
    if low >= ceiling:
        return None
    if always_active(layer):
        return low
    for w_start, w_end in active_windows(schedule, layer, low, min(ceiling, low + WINDOW_SPAN)) or []:
        if min(w_end, ceiling) > max(w_start, low):
            return max(w_start, low)
    return None

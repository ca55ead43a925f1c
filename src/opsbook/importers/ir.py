"""What a vendor says, in the vendor's own terms but in one shape for all three.

The vendor modules (``pagerduty``, ``opsgenie``, ``grafana_oncall``) read API
responses into these types and decide nothing about opsbook: a rotation that
ends, a turn of 90 minutes, a turn of two people or of nobody, a team as a
participant, a round-robin step, all arrive here faithfully. ``mapping``
alone decides what opsbook's model can say exactly; when the model grows a
field, only ``mapping`` changes.

Times: instants are aware UTC datetimes; wall-clock times are naive and belong
to the zone named beside them. Weekly windows are seconds after Monday 00:00
local wall-clock time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

WEEK = 7 * 86400

Ref = tuple[str, str]
"""(kind, vendor id): kind is user, team, escalation, schedule or another vendor word."""


@dataclass(frozen=True)
class Where:
    """Where an item came from: the file and its JSON path."""

    file: str
    path: str


@dataclass(frozen=True)
class VendorUser:
    vendor_id: str
    email: str
    name: str
    timezone: str | None
    where: Where


@dataclass(frozen=True)
class VendorTeam:
    vendor_id: str
    name: str
    members: tuple[str, ...]
    """Vendor user ids."""
    where: Where


@dataclass(frozen=True)
class Rotation:
    """A sequence of turns handing off at wall-clock times, as one layer.

    Turn ``k`` (any integer) starts at the wall-clock time ``anchor + k*turn``
    in ``zone`` and belongs to ``members[k mod len(members)]``.
    """

    name: str
    vendor_id: str | None
    where: Where
    zone: str
    anchor: datetime
    turn: timedelta
    members: tuple[tuple[Ref, ...], ...]
    """Per turn, who is on call: one ref normally, several for a group, none for nobody."""
    level: int
    """Precedence: a higher level hides a lower one; equal levels are on call together."""
    active_from: datetime | None = None
    """The rotation covers nothing before this instant (None: from the anchor)."""
    active_until: datetime | None = None
    """The rotation covers nothing from this instant on (None: open-ended)."""
    until_cuts: bool = True
    """True: a turn in progress at ``active_until`` is cut there (PagerDuty ``end``, Opsgenie
    ``endDate``). False: ``active_until`` is an iCalendar UNTIL, which bounds when occurrences
    start; whether one in progress runs on is not documented (Grafana OnCall ``until``)."""
    windows: tuple[tuple[int, int], ...] | None = None
    """Weekly active windows (seconds after Monday 00:00 local; end may pass the week's end); None: always."""
    duty: timedelta | None = None
    """On call only this long from the start of each turn (None: the whole turn)."""


@dataclass(frozen=True)
class OverrideIR:
    vendor_id: str
    where: Where
    start: datetime
    end: datetime
    refs: tuple[Ref, ...]
    scope: tuple[int, ...] | None = None
    """None: the whole interval, above every layer (PagerDuty, Grafana OnCall). A tuple of
    rotation indexes: the person replaces those rotations' people where they are on call (Opsgenie)."""


@dataclass(frozen=True)
class ScheduleIR:
    vendor: str
    vendor_id: str
    name: str
    zone: str
    where: Where
    rotations: list[Rotation]
    overrides: list[OverrideIR] = field(default_factory=list)
    unsupported: list[tuple[Where, str, str]] = field(default_factory=list)
    """(where, what the vendor says, why it cannot be read here): whole-schedule facts no rotation carries."""


@dataclass(frozen=True)
class TargetIR:
    kind: str
    """user, schedule, team, or the vendor's word for anything else (webhook, user_group...)."""
    vendor_id: str
    where: Where
    mode: str = "default"
    """For a schedule: default (who is on call), next, previous. For a team: default, all, admins..."""


@dataclass(frozen=True)
class StepIR:
    after: timedelta
    """From the page to this step."""
    targets: tuple[TargetIR, ...]
    where: Where
    strategy: str = "all"
    """all: notify every target; round_robin: one target per page, in turn."""
    condition: str = "unacknowledged"
    """The step runs while the page is unacknowledged, or (Opsgenie if-not-closed) unresolved."""
    unsupported: str | None = None
    """A step of a kind opsbook has no word for (its vendor type), with ``targets`` empty."""


@dataclass(frozen=True)
class PolicyIR:
    vendor: str
    vendor_id: str
    name: str
    where: Where
    steps: list[StepIR]
    repeat: int = 0
    """How many more rounds after the first when nobody acknowledges."""
    round_length: timedelta | None = None
    """From the start of one round to the start of the next (needed when repeat > 0)."""
    description: str = ""


@dataclass
class Parsed:
    """Everything read from one vendor's files."""

    vendor: str
    users: dict[str, VendorUser] = field(default_factory=dict)
    teams: list[VendorTeam] = field(default_factory=list)
    schedules: list[ScheduleIR] = field(default_factory=list)
    policies: list[PolicyIR] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)

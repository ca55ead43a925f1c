"""The parallel run: does opsbook name the same person on call as the old tool, minute for minute?

The vendor's own rendering of a window (PagerDuty's ``final_schedule`` or
``/oncalls``, Opsgenie's timeline, Grafana OnCall's ``final_shifts``) is cut
against opsbook's primary shifts for the same schedule and window. At every
instant both sides are a set of people (the vendor may name several; opsbook
names its primary, or nobody); the agreement is the share of the window where
the sets are equal, and each stretch where they differ is a disagreement.
People are matched by email, the key the import merged them by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from opsbook.importers.common import Rendering
from opsbook.importers.mapping import clean_line, slug
from opsbook.importers.plan import LABELS, RESERVED_SCHEDULE_IDS

UTC = timezone.utc


class VerifyError(Exception):
    """Verify cannot run (no schedule to compare, no window, no emails); exit 2."""


@dataclass(frozen=True)
class Disagreement:
    start: datetime
    end: datetime
    vendor: tuple[str, ...]
    ours: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(),
                "vendor": list(self.vendor), "opsbook": list(self.ours)}


@dataclass(frozen=True)
class Verdict:
    vendor: str
    schedule: str
    start: datetime
    end: datetime
    agreement: float
    disagreements: list[Disagreement]

    def as_dict(self) -> dict:
        return {"vendor": self.vendor, "schedule": self.schedule, "from": self.start.isoformat(),
                "to": self.end.isoformat(), "agreement": self.agreement,
                "disagreements": [d.as_dict() for d in self.disagreements]}


def _find_schedule(kb, vendor: str, rendering: Rendering, schedule_id: str | None):
    if schedule_id is not None:
        if schedule_id not in kb.schedules:
            raise VerifyError(f"unknown schedule '{schedule_id}'; known: {', '.join(sorted(kb.schedules)) or 'none'}")
        return kb.schedules[schedule_id]
    label = LABELS.get(vendor, vendor)
    if len(rendering.schedule_ids) > 1:
        raise VerifyError(f"the files hold {len(rendering.schedule_ids)} schedules; verify one at a time "
                          "(GET /oncalls?schedule_ids[]=ONE) or pass --schedule")
    for name in rendering.schedule_names:
        ident = slug(name, fallback="schedule")
        ident = f"{ident}-schedule" if ident in RESERVED_SCHEDULE_IDS else ident
        if ident in kb.schedules:
            return kb.schedules[ident]
    for vendor_id in rendering.schedule_ids:
        marker = f"Imported from {label} schedule {clean_line(vendor_id, 200)}"
        for schedule in kb.schedule_list:
            if schedule.description.strip() == marker:
                return schedule
    raise VerifyError("cannot tell which opsbook schedule to compare with: the files name no schedule that was "
                      "imported; pass --schedule ID")


def _people_by_email(kb) -> dict[str, str]:
    return {p.email.casefold(): p.id for p in kb.people.values() if p.email}


def verify(kb, vendor: str, rendering: Rendering, schedule_id: str | None = None,
           start: datetime | None = None, end: datetime | None = None) -> Verdict:
    from opsbook.oncall.engine import MAX_WINDOW, shifts_between

    schedule = _find_schedule(kb, vendor, rendering, schedule_id)
    entries = rendering.entries
    if start is None:
        start = rendering.window[0] if rendering.window else (min(e.start for e in entries) if entries else None)
    if end is None:
        end = rendering.window[1] if rendering.window else (max(e.end for e in entries) if entries else None)
    if start is None or end is None:
        raise VerifyError("the files hold no on-call entries and no window; pass --from and --to")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        raise VerifyError("the window is empty: --to must be after --from")
    if end - start > MAX_WINDOW:
        # The same bound as every on-call window: a rendering that reaches 2999
        # (or --from/--to a century apart) must not keep the engine busy for hours.
        raise VerifyError(f"the window from {start:%Y-%m-%d} to {end:%Y-%m-%d} is longer than "
                          f"{MAX_WINDOW.days} days; pass --from and --to at most {MAX_WINDOW.days} days apart "
                          "(a few weeks before the switch is what the parallel run needs)")
    by_email = _people_by_email(kb)
    theirs: list[tuple[datetime, datetime, str]] = []
    for e in entries:
        email = e.email or (rendering.emails.get(e.user_id) if e.user_id else None)
        if email is None:
            raise VerifyError(f"no email for {LABELS.get(vendor, vendor)} user {clean_line(e.user_id or e.label, 60)}; "
                              "add the users file (GET /users) to the command")
        who = by_email.get(email.casefold()) or f"{clean_line(email, 80)} (not in opsbook)"
        if e.end > start and e.start < end:
            theirs.append((max(e.start, start), min(e.end, end), who))
    ours = [(max(s.start, start), min(s.end, end), s.person)
            for s in shifts_between(schedule, start, end, role="primary")]
    cuts = sorted({start, end, *(t for a, b, _ in theirs + ours for t in (a, b))})
    agreed = 0.0
    disagreements: list[Disagreement] = []
    for a, b in zip(cuts, cuts[1:]):
        if b <= start or a >= end:
            continue
        vendor_set = tuple(sorted({w for s, e, w in theirs if s <= a < e}))
        our_set = tuple(sorted({w for s, e, w in ours if s <= a < e}))
        if vendor_set == our_set:
            agreed += (b - a).total_seconds()
            continue
        last = disagreements[-1] if disagreements else None
        if last and last.end == a and last.vendor == vendor_set and last.ours == our_set:
            disagreements[-1] = Disagreement(last.start, b, vendor_set, our_set)
        else:
            disagreements.append(Disagreement(a, b, vendor_set, our_set))
    total = (end - start).total_seconds()
    agreement = agreed / total if total else 1.0
    if disagreements:
        agreement = min(agreement, 1 - 1e-9)  # never print 100 % while a stretch disagrees
    return Verdict(vendor, schedule.id, start, end, round(agreement, 9), disagreements)

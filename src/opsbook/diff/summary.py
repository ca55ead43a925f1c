"""The headline of a diff: the consequences a reviewer must not miss, most
important first ("Daniel +36 h on call incl. 2 nights; SEV2 no longer pages;
1 new validation error"). Empty when nothing changes in meaning."""

from __future__ import annotations

from opsbook.diff.model import Change, DiffReport, PersonLoad

MAX_PEOPLE = 3


def _num(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def person_line(row: PersonLoad) -> str | None:
    delta = row.delta
    nights = row.nights_after - row.nights_before
    weekends = row.weekends_after - row.weekends_before
    extra = []
    if nights > 0:
        extra.append(_plural(nights, "night"))
    if weekends > 0:
        extra.append(_plural(weekends, "weekend"))
    fewer = []
    if nights < 0:
        fewer.append(_plural(-nights, "night"))
    if weekends < 0:
        fewer.append(_plural(-weekends, "weekend"))
    if delta:
        text = f"{row.name} {'+' if delta > 0 else '-'}{_num(abs(delta))} h on call"
        if extra:
            text += " incl. " + " and ".join(extra)
        if fewer:
            text += f" ({' and '.join(fewer)} fewer)" if delta < 0 else f", {' and '.join(fewer)} fewer"
        return text
    if extra or fewer:
        parts = ([f"+{e}" for e in extra] + [f"{f} fewer" for f in fewer])
        return f"{row.name} on call as many hours but " + ", ".join(parts)
    if row.backup_hours_after != row.backup_hours_before:
        change = row.backup_hours_after - row.backup_hours_before
        return f"{row.name} {'+' if change > 0 else '-'}{_num(abs(change))} h as backup"
    return None


def _change_lines(changes: list[Change], what: str) -> list[str]:
    out = []
    for change in changes:
        if change.status == "added":
            out.append(f"{what} {change.name} added")
        elif change.status == "removed":
            out.append(f"{what} {change.name} removed")
        elif change.notes:
            out += [note if note.startswith(change.id) else f"{change.name} {note}" for note in change.notes]
        else:
            out += [f"{change.name} {f.field} {f.before} -> {f.after}" for f in change.fields[:1]]
    return out


def headline(report: DiffReport) -> list[str]:
    out: list[str] = []
    people = [line for row in report.oncall.people if (line := person_line(row))]
    out += people[:MAX_PEOPLE]
    if len(people) > MAX_PEOPLE:
        out.append(f"on call changes for {len(people) - MAX_PEOPLE} more people")
    gaps = {}
    for h in report.oncall.handovers:
        if h.kind != "changed_hands" and h.role == "primary":
            gaps.setdefault((h.kind, h.schedule_name), 0.0)
            gaps[(h.kind, h.schedule_name)] += h.hours
    for (kind, name), hours in gaps.items():
        out.append(f"{'gap of' if kind == 'gap_opened' else 'gap closed in'} {name}"
                   + (f" ({_num(round(hours, 2))} h without a primary)" if kind == "gap_opened" else
                      f" ({_num(round(hours, 2))} h)"))
    if not people:
        moved = {h.schedule_name for h in report.oncall.handovers if h.kind == "changed_hands"}
        out += [f"shifts changed hands in {name}" for name in sorted(moved)]
    doubles: dict[str, list[float]] = {}
    for double in report.oncall.double_pagers:
        doubles.setdefault(double.name, []).append(double.hours)
    for name, hours in doubles.items():
        times = f"{len(hours)} times, " if len(hours) > 1 else ""
        out.append(f"{name} newly on two pagers at once ({times}{_num(round(sum(hours), 2))} h)")
    out += _change_lines(report.oncall.schedules, "schedule")
    for change in report.severity:
        if change.status in ("added", "removed"):
            out.append(f"{change.name} {change.status}")
        elif change.notes:
            out += change.notes
        else:
            out += [f"{change.name} {f.field} {f.before} -> {f.after}" for f in change.fields]
    out += _change_lines(report.escalation, "escalation policy")
    out += _change_lines(report.services, "service")
    alerts = [c for c in report.runbooks if c.kind == "alert" and not c.fields[0].after == "none"]
    lost = [c for c in report.runbooks if c.kind == "alert" and c.fields[0].after == "none"]
    out += _change_lines([c for c in report.runbooks if c.kind == "runbook"], "runbook")
    out += [f"alert {c.name} has no runbook any more" for c in lost]
    if alerts:
        out.append(f"{_plural(len(alerts), 'alert')} moved to another runbook" if all(c.status == "changed" for c in alerts)
                   else f"runbooks of {_plural(len(alerts), 'alert')} changed")
    out += _change_lines(report.status_page, "status page")
    if report.settings:
        out.append(f"{_plural(len(report.settings), 'setting')} changed in opsbook.yaml")
    errors = sum(1 for f in report.validation.introduced if f.level == "error")
    warnings = len(report.validation.introduced) - errors
    fixed = len(report.validation.fixed)
    if errors:
        out.append(f"{errors} new validation error{'s' * (errors != 1)}")
    if warnings:
        out.append(f"{warnings} new validation warning{'s' * (warnings != 1)}")
    if fixed:
        out.append(f"{fixed} validation finding{'s' * (fixed != 1)} fixed")
    return out

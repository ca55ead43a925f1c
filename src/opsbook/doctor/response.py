"""Steps 3, 4 and 5: someone answers for every tier-1 service at every moment,
every service escalates somewhere, and responders have a runbook to open."""

from __future__ import annotations

from datetime import datetime, timedelta

from opsbook.doctor.common import Judge, listed, make, plural
from opsbook.doctor.model import Item
from opsbook.load import LAYOUT, ROOT_MARKER


def tier1(judge: Judge) -> list:
    return [service for service in judge.kb.config.services if service.tier == 1]


def horizon(judge: Judge) -> timedelta:
    """policies.oncall.horizon (8 weeks unless set), as `opsbook validate` looks ahead, capped as it is."""
    from opsbook.oncall.engine import MAX_WINDOW

    return min(judge.kb.config.policies.oncall.horizon, MAX_WINDOW)


def role_gaps(shifts, start: datetime, end: datetime, role: str) -> list[tuple[datetime, datetime]]:
    """Stretches of [start, end) when nobody holds ``role``, from the engine's
    shifts (``shifts_between``, by start; a shift is whole, so it may begin
    before ``start``)."""
    gaps, cursor = [], start
    for shift in shifts:
        if shift.role != role:
            continue
        if shift.start > cursor:
            gaps.append((cursor, min(shift.start, end)))
        cursor = max(cursor, shift.end)
    if cursor < end:
        gaps.append((cursor, end))
    return gaps


def _hours(gaps) -> str:
    total = sum(((b - a) for a, b in gaps), timedelta()).total_seconds() / 3600
    return f"{total:g} h" if total == int(total) else f"{total:.1f} h"


def _local(judge: Judge, at: datetime) -> str:
    return at.astimezone(judge.kb.zone).strftime("%Y-%m-%d %H:%M %Z")


def oncall_coverage(judge: Judge) -> Item:
    """For every tier-1 service, its schedule over the horizon from now, by the
    rotation engine. fail: a tier-1 service without a (known) schedule, or a
    moment with nobody primary. warn: no service is tier 1, or a moment with
    nobody backup. pass: primary and backup held throughout."""
    from opsbook.oncall.engine import shifts_between

    title, key, config = "On-call coverage for tier-1 services", "oncall-coverage", ROOT_MARKER
    kb, span = judge.kb, horizon(judge)
    weeks = plural(span.days // 7, "week") if span.days % 7 == 0 else plural(span.days, "day")
    start, end = judge.now, judge.now + span
    services = tier1(judge)
    if not services:
        return make(3, key, title, "warn", f"No service in {config} has tier: 1, so there is nothing that must "
                    "be covered around the clock", config, "mark the services whose outage is an emergency tier: 1")
    unscheduled = [s.id for s in services if not s.schedule]
    unknown = [s.id for s in services if s.schedule and s.schedule not in kb.schedules]
    schedules = sorted({s.schedule for s in services if s.schedule in kb.schedules})
    shifts = {sid: shifts_between(kb.schedules[sid], start, end) for sid in schedules}
    primary = {sid: role_gaps(shifts[sid], start, end, "primary") for sid in schedules}
    backup = {sid: role_gaps(shifts[sid], start, end, "backup") for sid in schedules}
    uncovered = [sid for sid in schedules if primary[sid]]
    thin = [sid for sid in schedules if backup[sid]]
    window = f"{_local(judge, start)} to {_local(judge, end)} ({weeks})"
    parts = [f"{plural(len(services), 'tier-1 service')} on {plural(len(schedules), 'schedule')}"
             + (f" ({listed(schedules)})" if schedules else "")]
    if unscheduled:
        parts.append(f"{listed(unscheduled)} {'has' if len(unscheduled) == 1 else 'have'} no schedule")
    if unknown:
        parts.append(f"{listed(unknown)} {'names' if len(unknown) == 1 else 'name'} a schedule that does not exist")
    for sid in uncovered:
        gaps = primary[sid]
        parts.append(f"{sid} has nobody primary for {_hours(gaps)} in {plural(len(gaps), 'gap')}, the first "
                     f"{_local(judge, gaps[0][0])} to {_local(judge, gaps[0][1])}")
    for sid in thin:
        gaps = backup[sid]
        parts.append(f"{sid} has nobody backup for {_hours(gaps)} in {plural(len(gaps), 'gap')}")
    if not (unscheduled or unknown or uncovered or thin):
        parts.append(f"someone is primary and someone backup at every moment from {window}")
    else:
        parts.append(f"checked from {window}")
    why = "; ".join(parts)
    if unscheduled or unknown:
        return make(3, key, title, "fail", why, config, f"give {listed(unscheduled + unknown)} a schedule: that "
                    "exists under schedules/")
    if uncovered:
        return make(3, key, title, "fail", why, judge.rel(kb.schedules[uncovered[0]].file),
                    "add a layer or widen a restriction so someone is primary around the clock "
                    "(`opsbook oncall gaps` lists every gap); a tier-1 service cannot wait for office hours")
    if thin:
        return make(3, key, title, "warn", why, judge.rel(kb.schedules[thin[0]].file),
                    "give every layer a backup (backup: next) so a missed page reaches a second person")
    return make(3, key, title, "pass", why, judge.rel(kb.schedules[schedules[0]].file))


def escalation(judge: Judge) -> Item:
    """fail: a service with no escalation policy, or one that does not exist.
    warn: no services, or a policy in use with a single step (a page nobody
    acknowledges goes nowhere else). pass: every service escalates past step one."""
    title, key, config = "An escalation policy for every service", "escalation", ROOT_MARKER
    kb = judge.kb
    services = kb.config.services
    policy_file = judge.rel(kb.escalation_file.file) if kb.escalation_file is not None else LAYOUT.escalation
    if not services:
        return make(4, key, title, "warn", f"{config} lists no services, so no page has a route", config,
                    "list your services with their team, schedule and escalation policy")
    without = [s.id for s in services if not s.escalation]
    unknown = [s.id for s in services if s.escalation and s.escalation not in kb.escalation]
    used = sorted({s.escalation for s in services if s.escalation in kb.escalation})
    single = [pid for pid in used if len(kb.escalation[pid].steps) < 2]
    routed = len(services) - len(without) - len(unknown)
    parts = [f"{routed} of {plural(len(services), 'service')} {'escalates' if routed == 1 else 'escalate'} through {plural(len(used), 'policy', 'policies')}" + (f" ({listed(used)})" if used else "")]
    if without:
        parts.append(f"{listed(without)} {'has' if len(without) == 1 else 'have'} none")
    if unknown:
        parts.append(f"{listed(unknown)} {'names' if len(unknown) == 1 else 'name'} a policy {policy_file} "
                     "does not define")
    if single:
        parts.append(f"{listed(single)} {'has' if len(single) == 1 else 'have'} a single step")
    else:
        parts.append("each with 2 or more steps")
    why = "; ".join(parts)
    if without or unknown:
        return make(4, key, title, "fail", why, config,
                    f"set escalation: for {listed(without + unknown)} to a policy in {policy_file}")
    if single:
        return make(4, key, title, "warn", why, policy_file,
                    f"add a later step to {listed(single)} (the backup, then a lead) for a page nobody acknowledges")
    return make(4, key, title, "pass", why, policy_file)


def runbooks(judge: Judge) -> Item:
    """Every tier-1 service has a runbook (``service:``), and, where
    policies.alerts.rules names rule files, every alert in them has one (the
    coverage `opsbook runbooks coverage` reports). fail: a tier-1 service without
    one, a rule file that is missing or unreadable, or an alert without one (an
    error in `opsbook validate` too, OB701). warn: no tier-1 service and no rule
    files (nothing measured). pass: otherwise."""
    from opsbook.alerts.coverage import coverage
    from opsbook.alerts.rules import expand_rule_paths, read_rules

    title, key, folder = "Runbooks for tier-1 services and alerts", "runbooks", f"{LAYOUT.runbooks}/"
    kb = judge.kb
    policy = kb.config.policies.runbooks
    services = tier1(judge)
    wanted = {s.id for s in services}
    # A runbook is asked whether it is a page only while its service still lacks
    # one: the answer may parse the body (a redirect stub is a page), which for
    # every runbook of a large collection costs seconds.
    covered: set[str] = set()
    for rb in kb.runbook_list:
        if rb.service in wanted and rb.service not in covered and not rb.rules(policy).is_page:
            covered.add(rb.service)
    without = [s.id for s in services if s.id not in covered]
    parts, status, file, fixes = [], "pass", folder, []
    if services:
        parts.append(f"{len(services) - len(without)} of {plural(len(services), 'tier-1 service')} "
                     f"{'has' if len(services) == 1 else 'have'} a runbook"
                     + (f"; none for {listed(without)}" if without else ""))
        if without:
            status = "fail"
            fixes.append(f"write a runbook with service: {without[0]}" + (" (and for the others)" if len(without) > 1 else ""))
    patterns = list(kb.config.policies.alerts.rules)
    if patterns:
        paths, unmatched = expand_rule_paths(kb.root, patterns)
        rules, problems = read_rules(paths)
        result = coverage(kb, rules)
        covered = len(result.alerts) - len(result.missing)
        parts.append(f"{covered} of {plural(len(result.alerts), 'alert')} in {plural(len(paths), 'rule file')} "
                     f"{'has' if len(result.alerts) == 1 else 'have'} a runbook"
                     + (f"; none for {listed(sorted({r.name for r in result.missing}))}" if result.missing else ""))
        if unmatched:
            parts.append(f"policies.alerts.rules: {listed(repr(p) for p in unmatched)} "
                         f"{'names' if len(unmatched) == 1 else 'name'} no file")
        if problems:
            parts.append(f"{plural(len(problems), 'problem')} reading rule files, the first in "
                         f"{judge.rel(problems[0].file)}: {problems[0].message}")
        if unmatched or problems or result.missing:
            if status == "pass":
                file = (ROOT_MARKER if unmatched else judge.rel(problems[0].file) if problems else folder)
            status = "fail"
            if unmatched:
                fixes.append("fix policies.alerts.rules (paths are relative to opsbook.yaml)")
            if problems:
                fixes.append("fix the rule file (`opsbook runbooks coverage` shows each problem)")
            if result.missing:
                fixes.append("write a runbook naming each missing alert in alerts: "
                             "(`opsbook runbooks coverage` lists them)")
    else:
        parts.append("alert coverage not measured: policies.alerts.rules names no rule files")
        if not services:
            status, file = "warn", ROOT_MARKER
            fixes.append("mark critical services tier: 1, or set policies.alerts.rules to your Prometheus rule files")
    return make(5, key, title, status, "; ".join(parts), file, "; ".join(fixes))

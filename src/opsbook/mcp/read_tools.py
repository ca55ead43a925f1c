"""The read-only tools: on call, escalation, severity, incidents, action items,
runbooks, postmortems, validation and the status page.

Each tool loads the kinds of file it needs, calls the functions the matching
CLI command calls, and returns one of ``models``. Nothing here decides
anything the CLI does not.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from mcp.server.fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import Field

from opsbook.mcp import models as m
from opsbook.mcp.session import Loaded, Settings, describe, fail, load, tool_errors

READ = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False)

# The CLI's essential kinds: without them an answer would be wrong, not just incomplete.
ONCALL_ESSENTIAL = frozenset({"schedule", "person", "team"})

At = Annotated[str | None, Field(description=(
    "An instant, ISO 8601 (2026-11-21T03:00:00Z, or 2026-11-21T03:00 in the organisation's zone, or a date "
    "alone for its midnight). Default: now (the server's --now, else opsbook.yaml as_of, else the clock)."))]


def iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def person_ref(kb, person_id: str | None) -> m.PersonRef | None:
    if person_id is None:
        return None
    known = kb.people.get(person_id)
    return m.PersonRef(id=person_id, name=known.name if known else person_id)


def not_found(noun: str, ident: str, known: list[str]):
    """As the CLI says it: "no incident 'X'; did you mean 'Y'?"."""
    from opsbook.incidents.lifecycle import no_such

    return fail(no_such(noun, ident, known))


def check_reference(kb, kind: str, ident: str | None, argument: str) -> None:
    """An id that names nothing of its kind, as the CLI's ``reference``: "owner: unknown person 'x'; ..."."""
    if ident is None or kb.knows(kind, ident) is not False:
        return
    from opsbook.incidents.lifecycle import unknown

    raise fail(f"{argument}: {unknown(kind, ident, kb.ids(kind))}")


def find_incident(loaded: Loaded, ident: str):
    """The incident, or the CLI's messages: a record that does not load, or did-you-mean."""
    from opsbook.incidents.lifecycle import find_incident as find

    kb = loaded.kb
    incident = find(kb, ident)
    if incident is None:
        broken = next((key for kind, key in kb.broken_ids if kind == "incident" and key.upper() == ident.upper()),
                      None)
        if broken:
            raise fail(f"incidents/{broken}.yaml does not load; run `opsbook validate` and fix it first")
        raise not_found("incident", ident, kb.ids("incident"))
    return incident


def next_update(kb, incident, now) -> m.NextUpdate:
    from opsbook.incidents.cadence import next_update as due

    cadence = due(kb, incident, now)
    return m.NextUpdate(due=iso(cadence.due), overdue=cadence.overdue, last=iso(cadence.last))


def action_row(kb, row) -> m.ActionItemRow:
    return m.ActionItemRow(**row.as_json(kb))


def _alert_names(runbook) -> list[str]:
    # `alert_names` adds the alert a file is named after (KubePodCrashLooping.md).
    return list(getattr(runbook, "alert_names", None) or runbook.alerts)


def runbook_entry(loaded: Loaded, runbook) -> m.RunbookEntry:
    return m.RunbookEntry(id=runbook.id, title=runbook.title, service=runbook.service, owner=runbook.owner,
                          alerts=_alert_names(runbook), severity=runbook.severity,
                          last_reviewed=iso(runbook.last_reviewed), file=loaded.rel(runbook.file))


def postmortem_entry(loaded: Loaded, pm) -> m.PostmortemEntry:
    return m.PostmortemEntry(id=pm.id, title=pm.title, incident=pm.incident, status=pm.status, owner=pm.owner,
                             date=iso(pm.date), due=iso(pm.due), visibility=pm.visibility, severity=pm.severity,
                             action_items=len(pm.action_items), file=loaded.rel(pm.file))


def _find_content(items: dict, ident: str, folder: str):
    """A runbook or postmortem by id, also written as its path (``runbooks/x/y.md``) or in another case."""
    key = ident.strip().removeprefix("./").removeprefix(folder + "/").removesuffix(".md")
    if key in items:
        return items[key]
    return next((item for k, item in items.items() if k.casefold() == key.casefold()), None)


def register(server: FastMCP, settings: Settings) -> None:  # noqa: C901 - one closure per tool
    guarded = tool_errors(settings)

    def tool(fn):
        server.add_tool(guarded(fn), name=fn.__name__, description=describe(fn), annotations=READ,
                        structured_output=True)
        return fn

    # --- on call --------------------------------------------------------------------------

    def schedules_for(loaded: Loaded, schedule_ids: list[str] | None, service: str | None) -> list:
        from opsbook.oncall.engine import find_schedule

        kb = loaded.kb
        chosen = [find_schedule(kb, ident) for ident in schedule_ids or ()]
        if service is not None:
            check_reference(kb, "service", service, "service")
            sid = kb.services[service].schedule
            if not sid:
                raise fail(f"service '{service}' names no schedule in opsbook.yaml")
            chosen.append(find_schedule(kb, sid))
        return chosen if schedule_ids or service is not None else list(kb.schedule_list)

    @tool
    def get_oncall(
        schedules: Annotated[list[str] | None, Field(description="Schedule ids (default: every schedule).")] = None,
        service: Annotated[str | None, Field(description="A service id: its schedule (opsbook.yaml).")] = None,
        at: At = None,
    ) -> m.OnCall:
        """Who is primary and backup on call, now or at a given instant, and when that next changes.

        The same answer as `opsbook oncall now` / `opsbook oncall at TIME`: overrides applied, handoffs in
        each schedule's local time.
        """
        from opsbook.oncall.engine import state_at

        loaded = load(settings, {"person", "schedule"}, ONCALL_ESSENTIAL)
        when = loaded.time("at", at)
        entries = []
        for schedule in schedules_for(loaded, schedules, service):
            state = state_at(schedule, when)
            entries.append(m.OnCallEntry(
                schedule=schedule.id, name=schedule.name, timezone=schedule.timezone, at=iso(when),
                primary=person_ref(loaded.kb, state.primary), backup=person_ref(loaded.kb, state.backup),
                next_handoff=iso(state.next_handoff)))
        return m.OnCall(at=iso(when), schedules=entries, skipped=loaded.skipped)

    @tool
    def list_shifts(
        start: Annotated[str | None, Field(description="Window start, ISO 8601 or a date (default: now).")] = None,
        end: Annotated[str | None, Field(description="Window end (default: two weeks after start).")] = None,
        schedules: Annotated[list[str] | None, Field(description="Schedule ids (default: every schedule).")] = None,
        person: Annotated[str | None, Field(description="Only this person's shifts (a person id).")] = None,
        role: Annotated[Literal["primary", "backup"] | None, Field(description="Only this role.")] = None,
    ) -> m.Shifts:
        """Final shifts (after overrides) in a window, as `opsbook oncall shifts --json`.

        A window may span at most two years.
        """
        from opsbook.oncall.engine import MAX_WINDOW, shifts_between

        loaded = load(settings, {"person", "schedule"}, ONCALL_ESSENTIAL)
        kb = loaded.kb
        begin = loaded.time("start", start)
        finish = loaded.time("end", end, begin + timedelta(weeks=2))
        if finish <= begin:
            raise fail(f"end ({finish.isoformat()}) must be after start ({begin.isoformat()})")
        if finish - begin > MAX_WINDOW:
            raise fail(f"start {begin.date().isoformat()} end {finish.date().isoformat()} spans "
                       f"{(finish - begin).days} days; a window may span at most {MAX_WINDOW.days} days (2 years): "
                       f"narrow it, e.g. end {(begin + MAX_WINDOW).date().isoformat()}")
        check_reference(kb, "person", person, "person")
        found = []
        for schedule in schedules_for(loaded, schedules, None):
            found += [s for s in shifts_between(schedule, begin, finish, role=role)
                      if person is None or s.person == person]
        found.sort(key=lambda s: (s.start, s.schedule, s.role != "primary"))
        return m.Shifts(start=iso(begin), end=iso(finish), skipped=loaded.skipped, shifts=[m.ShiftEntry(
            schedule=s.schedule, role=s.role, person=person_ref(kb, s.person), start=iso(s.start), end=iso(s.end),
            hours=round(s.hours, 2), source="override" if s.override is not None else "layer", layer=s.layer,
            override=s.override) for s in found])

    @tool
    def get_escalation(
        service: Annotated[str, Field(description="A service id from opsbook.yaml (see list_services).")],
        at: At = None,
        severity: Annotated[str | None, Field(description=(
            "A severity level: its escalation override, when it has one, replaces the service's policy."))] = None,
    ) -> m.Escalation:
        """The escalation timeline for a service: each step of its policy (every round when it repeats),
        its delay, and who it reaches if a page went out at `at` (a schedule role resolved to the person
        holding it when the step fires, a team to its members)."""
        from opsbook.humanize import duration_text
        from opsbook.oncall.escalation import EscalationError, choose_policy, escalation_timeline

        loaded = load(settings, {"person", "schedule", "escalation", "severity"},
                      ONCALL_ESSENTIAL | {"escalation"})
        kb = loaded.kb
        check_reference(kb, "service", service, "service")
        svc = kb.services[service]
        if not svc.escalation:
            raise fail(f"service '{service}' names no escalation policy in opsbook.yaml")
        check_reference(kb, "escalation", svc.escalation, f"service '{service}' escalation")
        if severity is not None:
            check_reference(kb, "severity", severity, "severity")
        try:
            policy, _, override = choose_policy(kb, service, severity)
        except EscalationError as exc:
            raise fail(str(exc)) from None
        when = loaded.time("at", at)
        # The one resolution of a policy to people, shared with `opsbook escalation` and the incident commands.
        timeline = escalation_timeline(kb, policy, when, svc.id, severity, override)
        notifications = []
        for page in timeline.pages:
            delay = timedelta(minutes=page.minute)
            targets = [m.Target(kind=t.kind, id=t.id, role=t.role, people=[person_ref(kb, p) for p in t.people])
                       for t in page.targets]
            notifications.append(m.Notification(after_minutes=page.minute, after=duration_text(delay) or "at once",
                                                round=page.round, at=iso(datetime.fromisoformat(page.at)),
                                                targets=targets, gap=page.gap))
        return m.Escalation(service=svc.id, service_name=svc.name, policy=policy.id, policy_name=policy.name,
                            repeat=policy.repeat, repeat_after=duration_text(policy.repeat_after) or None,
                            at=iso(when), notifications=notifications, override=override, notes=timeline.notes,
                            skipped=loaded.skipped)

    @tool
    def list_services() -> m.Services:
        """The service catalog (opsbook.yaml): each service's team, schedule, escalation policy and tier."""
        loaded = load(settings, set())
        return m.Services(services=[m.ServiceEntry(
            id=s.id, name=s.name, team=s.team, schedule=s.schedule, escalation=s.escalation, tier=s.tier,
            description=s.description) for s in loaded.kb.config.services], skipped=loaded.skipped)

    # --- severity -------------------------------------------------------------------------

    def levels(loaded: Loaded):
        if not loaded.kb.levels:
            raise fail("playbooks/severity.yaml defines no levels (or does not load); run `opsbook validate`")
        return loaded.kb.levels

    def level_model(kb, level) -> m.Level:
        from opsbook.incidents.classify import expectations

        return m.Level(**expectations(kb, level))

    def classify_payload_answer(loaded: Loaded, payload: dict) -> m.Classification:
        """The ladder's rules on an alert payload (the core `intake` package decides)."""
        import json

        from opsbook.intake.classify import RulesError, classify_payload
        from opsbook.intake.payloads import PayloadError, read_payload

        kb = loaded.kb
        if not kb.severity_file.rules and kb.severity_file.default_level is None:
            raise fail("playbooks/severity.yaml has no `rules`; answer the decision tree instead")
        try:
            answer, _ = classify_payload(kb, read_payload(json.dumps(payload), "payload"))
        except (PayloadError, RulesError) as exc:
            raise fail(str(exc)) from None
        return m.Classification(complete=True, level=level_model(kb, kb.severities[answer.level]), answers=[],
                                next_question=None, alert=answer.alert, runbooks=[], rule=answer.rule,
                                reasons=answer.reasons, services=answer.services, skipped=loaded.skipped)

    @tool
    def get_severity_ladder() -> m.Ladder:
        """The severity ladder, most severe first: what each level commits the team to (paging, acknowledge
        and update targets, roles, postmortem duty, status page), and the decision tree's questions."""
        loaded = load(settings, {"severity"}, frozenset({"severity"}))
        kb = loaded.kb
        tree = kb.severity_file.decision_tree if kb.severity_file else None
        return m.Ladder(levels=[level_model(kb, level) for level in levels(loaded)],
                        questions=[m.Question(id=q.id, text=q.text, help=q.help) for q in tree.questions]
                        if tree else [], skipped=loaded.skipped)

    @tool
    def classify_severity(
        answers: Annotated[dict[str, bool] | None, Field(description=(
            "Answers to the decision tree's questions by question id (true = yes). Start with none; each "
            "call returns the next question to ask until a level is reached."))] = None,
        alert: Annotated[str | None, Field(description=(
            "An alert name: the severity of the runbooks covering it, when they give one; otherwise the "
            "decision tree decides."))] = None,
        payload: Annotated[dict | None, Field(description=(
            "An alert payload (an Alertmanager webhook, a PagerDuty V3 webhook event, or {\"labels\": {...}, "
            "\"annotations\": {...}}): the ladder's rules decide, as `opsbook severity classify --alert`."))] = None,
    ) -> m.Classification:
        """Pick a severity level, as `opsbook severity classify`: from an alert's runbooks, or by walking the
        decision tree with the answers given. Returns the level and what it commits the team to, or the
        next question when an answer is missing."""
        from opsbook.incidents.classify import answers_from, walk

        loaded = load(settings, {"severity", "runbook"} if alert is not None else {"severity"},
                      frozenset({"severity"}))
        kb = loaded.kb
        ladder = levels(loaded)
        if payload is not None:
            return classify_payload_answer(loaded, payload)
        covering = []
        if alert is not None:
            covering = [rb for rb in kb.runbook_list if alert in _alert_names(rb)] or \
                [rb for rb in kb.runbook_list if alert.casefold() in (a.casefold() for a in _alert_names(rb))]
            if not covering:
                from opsbook.incidents.lifecycle import suggest

                known = sorted({a for rb in kb.runbook_list for a in _alert_names(rb)})
                hint = suggest(alert, known) if known else "no runbook names an alert"
                raise fail(f"alert: no runbook covers '{alert}'; {hint}")
            named = {rb.severity for rb in covering if rb.severity in kb.severities}
            ranked = [level for level in ladder if level.id in named]
            if ranked:  # the most severe any covering runbook names
                return m.Classification(complete=True, level=level_model(kb, ranked[0]), answers=[],
                                        next_question=None, alert=alert, runbooks=[rb.id for rb in covering],
                                        skipped=loaded.skipped)
        tree = kb.severity_file.decision_tree
        if tree is None:
            raise fail("playbooks/severity.yaml has no decision_tree; pick a level from get_severity_ladder")
        by_id, _ = answers_from(tuple(f"{qid}={'yes' if value else 'no'}" for qid, value in (answers or {}).items()),
                                tree)

        class Unanswered(Exception):
            def __init__(self, question):
                self.question = question

        def ask(question) -> bool:
            if question.id not in by_id:
                raise Unanswered(question)
            return by_id[question.id]

        runbooks = [rb.id for rb in covering]
        try:
            level_id, steps = walk(tree, set(kb.severities), ask)
        except Unanswered as missing:
            q = missing.question
            steps_so_far = []
            current = tree.start
            questions = {x.id: x for x in tree.questions}
            while current in questions and current in by_id:  # the answers that led here, in order
                steps_so_far.append(m.Answered(question=current, text=questions[current].text,
                                               answer="yes" if by_id[current] else "no"))
                current = questions[current].yes if by_id[current] else questions[current].no
            return m.Classification(complete=False, level=None, answers=steps_so_far,
                                    next_question=m.Question(id=q.id, text=q.text, help=q.help), alert=alert,
                                    runbooks=runbooks, skipped=loaded.skipped)
        return m.Classification(
            complete=True, level=level_model(kb, kb.severities[level_id]), next_question=None, alert=alert,
            runbooks=runbooks, skipped=loaded.skipped,
            answers=[m.Answered(question=s.question.id, text=s.question.text, answer="yes" if s.answer else "no")
                     for s in steps])

    # --- incidents ------------------------------------------------------------------------

    @tool
    def list_incidents(
        open_only: Annotated[bool, Field(description="Only incidents that are not resolved.")] = False,
    ) -> m.Incidents:
        """Incidents, newest first, as `opsbook incident list --json`."""
        loaded = load(settings, {"incident"})
        kb = loaded.kb
        found = sorted((i for i in kb.incident_list if i.is_open or not open_only),
                       key=lambda i: (i.declared, i.id), reverse=True)
        rows = []
        for inc in found:
            start, end = inc.started or inc.declared, inc.resolved
            rows.append(m.IncidentSummary(
                id=inc.id, title=inc.title, severity=inc.severity, status=inc.status, services=list(inc.services),
                declared=iso(inc.declared), resolved=iso(end),
                duration_minutes=int((end - start).total_seconds() // 60) if end else None,
                commander=inc.commander, public=inc.public, file=loaded.rel(inc.file)))
        return m.Incidents(incidents=rows, skipped=loaded.skipped)

    @tool
    def get_incident(
        id: Annotated[str, Field(description="An incident id, e.g. INC-2026-006.")],
    ) -> m.IncidentDetail:
        """One incident: milestones, roles, status-page updates, the internal timeline, when the next update
        is due, and its postmortems, as `opsbook incident show --json`."""
        loaded = load(settings, {"incident", "postmortem", "severity"})
        kb = loaded.kb
        inc = find_incident(loaded, id)
        return m.IncidentDetail(
            id=inc.id, title=inc.title, severity=inc.severity, status=inc.status, impact=inc.impact,
            public=inc.public, services=list(inc.services), commander=inc.commander, roles=dict(inc.roles),
            channel=inc.channel, started=iso(inc.started), detected=iso(inc.detected), declared=iso(inc.declared),
            acknowledged=iso(inc.acknowledged), mitigated=iso(inc.mitigated), resolved=iso(inc.resolved),
            summary=inc.summary, runbooks=list(inc.runbooks),
            updates=[m.UpdateEntry(at=iso(u.at), status=u.status, message=u.message, components=dict(u.components))
                     for u in inc.updates],
            timeline=[m.TimelineEntry(at=iso(t.at), text=t.text, by=t.by) for t in inc.timeline],
            next_update=next_update(kb, inc, loaded.now),
            postmortems=[loaded.rel(pm.file) for pm in kb.postmortems_for(inc.id)],
            file=loaded.rel(inc.file), skipped=loaded.skipped)

    # --- action items ---------------------------------------------------------------------

    @tool
    def list_action_items(
        owner: Annotated[str | None, Field(description="Only items owned by this person id.")] = None,
        team: Annotated[str | None, Field(description="Only items whose owner is on this team id.")] = None,
        overdue: Annotated[bool, Field(description="Only open items past their due date.")] = False,
        include_closed: Annotated[bool, Field(description="Include done and wont-do items.")] = False,
    ) -> m.ActionItems:
        """Postmortem action items across every postmortem, most overdue first, as `opsbook actions --json`."""
        from opsbook.incidents.actions import rows, select, today

        loaded = load(settings, {"person", "postmortem"}, frozenset({"postmortem", "person", "team"}))
        kb = loaded.kb
        check_reference(kb, "person", owner, "owner")
        check_reference(kb, "team", team, "team")
        found = select(rows(kb, loaded.now), owner=owner, team=team, overdue=overdue, include_closed=include_closed)
        return m.ActionItems(today=today(kb, loaded.now).isoformat(), items=[action_row(kb, r) for r in found],
                             skipped=loaded.skipped)

    # --- runbooks and postmortems ---------------------------------------------------------

    @tool
    def find_runbooks(
        alert: Annotated[str | None, Field(description="An alert name (exact, else ignoring case).")] = None,
        service: Annotated[str | None, Field(description="A service id from opsbook.yaml.")] = None,
    ) -> m.Runbooks:
        """Runbooks for an alert or a service (both: those matching both; neither: every runbook)."""
        loaded = load(settings, {"runbook"})
        kb = loaded.kb
        check_reference(kb, "service", service, "service")
        found = sorted(kb.runbook_list, key=lambda rb: rb.id)
        if service is not None:
            found = [rb for rb in found if rb.service == service]
        if alert is not None:
            exact = [rb for rb in found if alert in _alert_names(rb)]
            found = exact or [rb for rb in found if alert.casefold() in (a.casefold() for a in _alert_names(rb))]
            if not found:
                from opsbook.incidents.lifecycle import suggest

                known = sorted({a for rb in kb.runbook_list for a in _alert_names(rb)})
                hint = suggest(alert, known) if known else "no runbook names an alert"
                raise fail(f"alert: no runbook covers '{alert}'" + (f" for service '{service}'" if service else "")
                           + f"; {hint}")
        return m.Runbooks(runbooks=[runbook_entry(loaded, rb) for rb in found], skipped=loaded.skipped)

    @tool
    def get_runbook(
        id: Annotated[str, Field(description="A runbook id (payments/checkout-error-rate) or its path.")],
    ) -> m.RunbookText:
        """A runbook's text (Markdown, as the team wrote it) with its headings and metadata."""
        loaded = load(settings, {"runbook"})
        runbook = _find_content(loaded.kb.runbooks, id, "runbooks")
        if runbook is None:
            raise not_found("runbook", id, loaded.kb.ids("runbook"))
        return m.RunbookText(runbook=runbook_entry(loaded, runbook), sections=[h.text for h in runbook.headings()],
                             text=runbook.body, skipped=loaded.skipped)

    @tool
    def list_postmortems(
        incident: Annotated[str | None, Field(description="Only the postmortems of this incident id.")] = None,
    ) -> m.Postmortems:
        """Postmortems with their status, owner, due date, visibility and number of action items."""
        loaded = load(settings, {"postmortem"})
        found = sorted(loaded.kb.postmortem_list, key=lambda pm: pm.id)
        if incident is not None:
            found = [pm for pm in found if (pm.incident or "").upper() == incident.upper()]
        return m.Postmortems(postmortems=[postmortem_entry(loaded, pm) for pm in found], skipped=loaded.skipped)

    @tool
    def get_postmortem(
        id: Annotated[str, Field(description="A postmortem id (2026/2026-07-09-webhook-delivery-delays), its "
                                             "path, or the id of an incident with one postmortem.")],
    ) -> m.PostmortemText:
        """A postmortem's text (Markdown) with its metadata and action items."""
        from opsbook.incidents.actions import rows

        loaded = load(settings, {"person", "postmortem"})
        kb = loaded.kb
        pm = _find_content(kb.postmortems, id, "postmortems")
        if pm is None:
            by_incident = [p for p in kb.postmortem_list if (p.incident or "").upper() == id.strip().upper()]
            if len(by_incident) > 1:
                raise fail(f"incident {id} has {len(by_incident)} postmortems: "
                           f"{', '.join(p.id for p in by_incident)}; pass one of these ids")
            pm = by_incident[0] if by_incident else None
        if pm is None:
            raise not_found("postmortem", id, kb.ids("postmortem"))
        return m.PostmortemText(postmortem=postmortem_entry(loaded, pm), text=pm.body, skipped=loaded.skipped,
                                action_items=[action_row(kb, r) for r in rows(kb, loaded.now, [pm])])

    # --- validation and status ------------------------------------------------------------

    @tool
    def validate() -> m.Validation:
        """Every finding of `opsbook validate` (schema, references, policies), located by file, line and
        column. Run it before proposing a change to the knowledge base."""
        from opsbook.mcp.session import now_for
        from opsbook.report import diagnostic_dict
        from opsbook.validate import validate as run

        now = now_for(settings)
        _kb, report = run(settings.root, now)
        return m.Validation(now=iso(now), errors=len(report.errors), warnings=len(report.warnings),
                            files=report.files,
                            findings=[m.Finding(**diagnostic_dict(d, report.root)) for d in report.diagnostics])

    @tool
    def get_status() -> m.Status:
        """The public status page now, as `opsbook status`: overall indicator, each component's status,
        unresolved public incidents with their next update, and active or upcoming maintenance."""
        from opsbook.statuspage.current import current_status, maintenance_status
        from opsbook.statuspage.public import public_page

        # Strict, as the CLI: a status built without a broken incident would hide a live one.
        loaded = load(settings, {"component", "incident", "severity", "postmortem"}, strict=True)
        if loaded.kb.status is None:
            raise fail("there is no status/page.yaml; create one (`opsbook init` shows the format)")
        page = public_page(loaded.kb, loaded.now)
        current = current_status(page)
        return m.Status(
            page=page.name, now=iso(page.now), indicator=current.indicator, description=current.description,
            components=[m.ComponentState(id=c.id, name=c.name, group=c.group, status=current.components[c.id])
                        for c in page.components],
            incidents=[m.StatusIncident(id=i.id, title=i.title, stage=i.stage, impact=i.impact,
                                        updated=iso(i.updated), last_message=i.updates[-1].message,
                                        next_update=iso(i.next_update)) for i in current.incidents],
            maintenance=[m.StatusMaintenance(id=w.id, title=w.title, status=maintenance_status(w, page.now),
                                             start=iso(w.start), end=iso(w.end), components=list(w.components))
                         for w in current.maintenance_active + current.maintenance_upcoming],
            skipped=loaded.skipped)

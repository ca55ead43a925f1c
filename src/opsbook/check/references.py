"""Every reference resolves: people, teams, services, severities, schedules,
escalation policies, incidents, components and runbooks."""

from __future__ import annotations

from typing import Iterable

from opsbook.check.registry import Context, check
from opsbook.diagnostics import (
    DECISION_TREE,
    UNKNOWN_COMPONENT,
    UNKNOWN_ESCALATION,
    UNKNOWN_GROUP,
    UNKNOWN_INCIDENT,
    UNKNOWN_PERSON,
    UNKNOWN_RUNBOOK,
    UNKNOWN_SCHEDULE,
    UNKNOWN_SERVICE,
    UNKNOWN_SEVERITY,
    UNKNOWN_TEAM,
    Diagnostic,
)
from opsbook.suggest import closest


@check
def config_references(ctx: Context) -> Iterable[Diagnostic]:
    f = ctx.kb.config.file
    for i, svc in enumerate(ctx.kb.config.services):
        yield from ctx.reference("team", svc.team, UNKNOWN_TEAM, f, ("services", i, "team"))
        yield from ctx.reference("escalation", svc.escalation, UNKNOWN_ESCALATION, f, ("services", i, "escalation"),
                                 "escalation policy")
        yield from ctx.reference("schedule", svc.schedule, UNKNOWN_SCHEDULE, f, ("services", i, "schedule"))


@check
def team_references(ctx: Context) -> Iterable[Diagnostic]:
    if not ctx.kb.people_file:
        return
    f = ctx.kb.people_file.file
    for i, team in enumerate(ctx.kb.people_file.teams):
        for j, member in enumerate(team.members):
            yield from ctx.reference("person", member, UNKNOWN_PERSON, f, ("teams", i, "members", j))
        yield from ctx.reference("person", team.lead, UNKNOWN_PERSON, f, ("teams", i, "lead"))


@check
def schedule_references(ctx: Context) -> Iterable[Diagnostic]:
    for sched in ctx.kb.schedule_list:
        f = sched.file
        yield from ctx.reference("team", sched.team, UNKNOWN_TEAM, f, ("team",))
        for i, layer in enumerate(sched.layers):
            for j, member in enumerate(layer.members):
                yield from ctx.reference("person", member, UNKNOWN_PERSON, f, ("layers", i, "members", j))
            if isinstance(layer.backup, list):
                for j, member in enumerate(layer.backup):
                    yield from ctx.reference("person", member, UNKNOWN_PERSON, f, ("layers", i, "backup", j))
        for i, override in enumerate(sched.overrides):
            yield from ctx.reference("person", override.person, UNKNOWN_PERSON, f, ("overrides", i, "person"))


@check
def escalation_references(ctx: Context) -> Iterable[Diagnostic]:
    if not ctx.kb.escalation_file:
        return
    f = ctx.kb.escalation_file.file
    for i, policy in enumerate(ctx.kb.escalation_file.policies):
        for j, step in enumerate(policy.steps):
            for k, target in enumerate(step.notify):
                path = ("policies", i, "steps", j, "notify", k)
                yield from ctx.reference("schedule", target.schedule, UNKNOWN_SCHEDULE, f, path + ("schedule",))
                yield from ctx.reference("person", target.person, UNKNOWN_PERSON, f, path + ("person",))
                yield from ctx.reference("team", target.team, UNKNOWN_TEAM, f, path + ("team",))


@check
def severity_references(ctx: Context) -> Iterable[Diagnostic]:
    sev = ctx.kb.severity_file
    if not sev:
        return
    for i, level in enumerate(sev.levels):
        yield from ctx.reference("escalation", level.escalation, UNKNOWN_ESCALATION, sev.file,
                                 ("levels", i, "escalation"), "escalation policy")


@check
def decision_tree(ctx: Context) -> Iterable[Diagnostic]:
    sev = ctx.kb.severity_file
    if not sev or not sev.decision_tree:
        return
    tree, f = sev.decision_tree, sev.file
    questions = {q.id: q for q in tree.questions}
    levels = {lv.id for lv in sev.levels}
    targets = sorted(questions) + sorted(levels)
    if tree.start not in questions:
        close = closest(tree.start, sorted(questions))
        yield Diagnostic(DECISION_TREE, f, f"decision tree starts at unknown question '{tree.start}'",
                         f"did you mean '{close}'?" if close else f"start at one of: {', '.join(sorted(questions))}",
                         path=("decision_tree", "start"))
        return
    for i, q in enumerate(tree.questions):
        for answer in ("yes", "no"):
            nxt = getattr(q, answer)
            if nxt not in questions and nxt not in levels:
                yield Diagnostic(DECISION_TREE, f, f"answer '{answer}' of question '{q.id}' leads to '{nxt}', "
                                 "which is neither a question nor a severity level",
                                 f"use one of: {', '.join(targets)}", path=("decision_tree", "questions", i, answer))
    # Every path must end in a level: no cycles, and every question reachable.
    index = {q.id: i for i, q in enumerate(tree.questions)}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished

    def visit(qid: str, trail: list[str]) -> Iterable[Diagnostic]:
        state[qid] = 1
        for answer in ("yes", "no"):
            nxt = getattr(questions[qid], answer)
            if nxt in questions:
                if state.get(nxt) == 1:
                    loop = " -> ".join(trail + [qid, nxt])
                    yield Diagnostic(DECISION_TREE, f, f"decision tree loops: {loop}",
                                     "every path must end in a severity level",
                                     path=("decision_tree", "questions", index[qid], answer))
                elif nxt not in state:
                    yield from visit(nxt, trail + [qid])
        state[qid] = 2

    yield from visit(tree.start, [])
    for i, q in enumerate(tree.questions):
        if q.id not in state:
            yield Diagnostic(DECISION_TREE, f, f"question '{q.id}' cannot be reached from '{tree.start}'",
                             "link to it from another answer, or remove it",
                             path=("decision_tree", "questions", i, "id"))


@check
def runbook_references(ctx: Context) -> Iterable[Diagnostic]:
    for doc in ctx.kb.runbook_list:
        yield from ctx.reference("service", doc.service, UNKNOWN_SERVICE, doc.file, ("service",))
        yield from ctx.reference("team", doc.owner, UNKNOWN_TEAM, doc.file, ("owner",))
        yield from ctx.reference("severity", doc.severity, UNKNOWN_SEVERITY, doc.file, ("severity",))
    for doc in ctx.kb.playbook_list:
        yield from ctx.reference("team", doc.owner, UNKNOWN_TEAM, doc.file, ("owner",))
        for i, sev in enumerate(doc.severities):
            yield from ctx.reference("severity", sev, UNKNOWN_SEVERITY, doc.file, ("severities", i))


@check
def incident_references(ctx: Context) -> Iterable[Diagnostic]:
    for inc in ctx.kb.incident_list:
        f = inc.file
        yield from ctx.reference("severity", inc.severity, UNKNOWN_SEVERITY, f, ("severity",))
        for i, svc in enumerate(inc.services):
            yield from ctx.reference("service", svc, UNKNOWN_SERVICE, f, ("services", i))
        yield from ctx.reference("person", inc.commander, UNKNOWN_PERSON, f, ("commander",))
        for role, person in inc.roles.items():
            yield from ctx.reference("person", person, UNKNOWN_PERSON, f, ("roles", role))
        for i, runbook in enumerate(inc.runbooks):
            yield from ctx.reference("runbook", runbook, UNKNOWN_RUNBOOK, f, ("runbooks", i))
        for i, update in enumerate(inc.updates):
            for component in update.components:
                yield from ctx.reference("component", component, UNKNOWN_COMPONENT, f,
                                         ("updates", i, "components", component), at_key=True)
        for i, entry in enumerate(inc.timeline):
            yield from ctx.reference("person", entry.by, UNKNOWN_PERSON, f, ("timeline", i, "by"))


@check
def postmortem_references(ctx: Context) -> Iterable[Diagnostic]:
    kb = ctx.kb
    for pm in kb.postmortem_list:
        f = pm.file
        yield from ctx.reference("incident", pm.incident, UNKNOWN_INCIDENT, f, ("incident",))
        yield from ctx.reference("person", pm.owner, UNKNOWN_PERSON, f, ("owner",))
        yield from ctx.reference("severity", pm.severity, UNKNOWN_SEVERITY, f, ("severity",))
        for i, author in enumerate(pm.authors):
            yield from ctx.reference("person", author, UNKNOWN_PERSON, f, ("authors", i))
        for i, incident_id in enumerate(pm.incidents):
            yield from ctx.reference("incident", incident_id, UNKNOWN_INCIDENT, f, ("incidents", i))
        # Action-item owners (a person; a team, or none, for history) are checked in policies.py.


@check
def status_page_references(ctx: Context) -> Iterable[Diagnostic]:
    page = ctx.kb.status
    if not page:
        return
    f = page.file
    for i, comp in enumerate(page.components):
        yield from ctx.reference("group", comp.group, UNKNOWN_GROUP, f, ("components", i, "group"))
        for j, svc in enumerate(comp.services):
            yield from ctx.reference("service", svc, UNKNOWN_SERVICE, f, ("components", i, "services", j))
    for i, window in enumerate(page.maintenance):
        for j, comp in enumerate(window.components):
            yield from ctx.reference("component", comp, UNKNOWN_COMPONENT, f, ("maintenance", i, "components", j))

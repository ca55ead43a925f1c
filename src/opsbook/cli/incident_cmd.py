"""`opsbook incident`: declare, update, note, resolve, list and show incidents."""

from __future__ import annotations

import click

from opsbook.cli.common import emit_json, finding, now_for, root_from, usage_error

AT_HELP = "Time of the entry, ISO 8601 (default: opsbook.yaml as_of, else now)."
POST_HELP = "Post it to Slack ($OPSBOOK_SLACK_WEBHOOK_URL) after the file is written; a failed post exits 1."

# --- shared by the incident-lifecycle commands ------------------------------------------


# What the commands on one incident read: the ladder, people and teams (roles),
# the status page's components (--component) and the one record. Not the other
# 10,000 records, the runbooks or the postmortems.
RECORD_KINDS = frozenset({"person", "team", "severity", "component", "incident"})


def load_kb(ctx: click.Context, essential: frozenset[str] = frozenset({"person", "team", "severity"}),
            kinds=None, incidents=None):
    """The knowledge base for an incident-time command.

    Files that fail to load are named on stderr and left out (a typo in a
    runbook must not stop anyone declaring an incident), unless they are of an
    ``essential`` kind: then ids could not be checked and the command stops.
    ``kinds`` and ``incidents`` narrow what is read (see ``load``).
    """
    from opsbook.cli.common import load_or_exit

    return load_or_exit(ctx, root_from(ctx), tolerate=True, essential=essential, kinds=kinds, incidents=incidents)


def incident_ids_on_disk(kb) -> list[str]:
    """Record ids from file names alone, for a did-you-mean without loading them."""
    from opsbook.load import LAYOUT

    folder = kb.root / LAYOUT.incidents
    return sorted(p.stem for p in folder.glob("*.y*ml")) if folder.is_dir() else []


def not_found(noun: str, ident: str, known: list[str]):
    """Unknown id: a message naming it, with a did-you-mean; exit 1."""
    from opsbook.incidents.lifecycle import no_such

    return finding(no_such(noun, ident, known))


def reference(kb, kind: str, ident: str | None, option: str) -> None:
    """A usage error for an id that names nothing of its kind."""
    if ident is None or kb.knows(kind, ident) is not False:
        return
    from opsbook.incidents.lifecycle import unknown

    # Not found is a finding (exit 1), like an unknown schedule or person elsewhere.
    raise finding(f"{option}: {unknown(kind, ident, kb.ids(kind))}")


def get_incident(kb, ident: str):
    from opsbook.incidents.lifecycle import find_incident

    incident = find_incident(kb, ident)
    if incident is None:
        broken = next((key for kind, key in kb.broken_ids if kind == "incident" and key.upper() == ident.upper()), None)
        if broken:
            raise usage_error(f"incidents/{broken}.yaml does not load; run `opsbook validate` and fix it first")
        raise not_found("incident", ident, incident_ids_on_disk(kb))
    return incident


def rel(kb, path) -> str:
    try:
        return path.relative_to(kb.root).as_posix()
    except ValueError:
        return str(path)


def edit_failed(kb, exc) -> click.exceptions.Exit:
    """An EditError as a usage error (exit 2), located as ``file:line:`` relative to the root."""
    return usage_error(exc.where(rel(kb, exc.path)) if exc.path is not None else str(exc))


def checked_text(option: str, text: str, one_line: bool = True) -> None:
    """Undecodable bytes or control characters in an argument: a usage error (exit 2)."""
    from opsbook.incidents.lifecycle import check_text
    from opsbook.incidents.yamledit import EditError

    try:
        check_text(option, text, one_line)
    except EditError as exc:
        raise usage_error(str(exc)) from None


def _on_call(kb, incident, now) -> list[dict]:
    """Who is on call for each service, as JSON-ready entries."""
    from opsbook.incidents.lifecycle import on_call_for_services

    out = []
    for found in on_call_for_services(kb, incident, now):
        entry = {"service": found.service, "schedule": found.schedule}
        if found.answer is None:
            entry["error"] = found.error
        else:
            for role in ("primary", "backup"):
                person = getattr(found.answer, role, None)
                entry[role] = getattr(person, "id", person)
            handoff = getattr(found.answer, "next_handoff", None)
            entry["next_handoff"] = handoff.isoformat() if hasattr(handoff, "isoformat") else handoff
        out.append(entry)
    return out


def _next_update_json(kb, incident, now) -> dict:
    from opsbook.incidents.cadence import next_update

    cadence = next_update(kb, incident, now)
    return {"due": cadence.due.isoformat() if cadence.due else None, "overdue": cadence.overdue,
            "last": cadence.last.isoformat()}


def _next_update_text(kb, incident, now) -> str:
    from opsbook.incidents.cadence import format_instant, next_update
    from opsbook.humanize import duration_text

    cadence = next_update(kb, incident, now)
    if cadence.due is None:
        return "none (resolved)" if not incident.is_open else "no cadence set for " + incident.severity
    level = kb.severities[incident.severity]
    when = format_instant(cadence.due, kb.zone)
    state = "OVERDUE since" if cadence.overdue else "due"
    return f"{state} {when} (every {duration_text(level.update_every)})"


# Declaring reads the ladder, people and teams, the status page's components, and the
# schedules and escalation policies that say who is paged.
DECLARE_KINDS = frozenset({"person", "team", "severity", "schedule", "component", "escalation"})
# From an alert: also the records that mention its fingerprints (deduplication); runbooks are
# found by reading only the files that mention the alert (intake.services.runbooks_covering).
INTAKE_KINDS = DECLARE_KINDS | {"incident"}


def _escalation(kb, inc, at):
    """Who is paged when for the incident, from ``at``: (timelines, notes)."""
    from opsbook.oncall.escalation import for_incident

    return for_incident(kb, inc, at)


def _echo_escalation(kb, timelines, notes) -> None:
    from opsbook.diagnostics import shown
    from opsbook.oncall.escalation import timeline_lines

    for timeline in timelines:
        why = (f"{timeline.severity}'s override" if timeline.override
               else f"for {timeline.service}" if timeline.service else "")
        click.echo(shown(f"  paging:      policy {timeline.policy}" + (f" ({why})" if why else "")))
        for line in timeline_lines(kb, timeline, kb.zone, indent="    "):
            click.echo(shown(line))
    for note in notes:
        click.echo(shown(f"  paging:      {note}"))
    if not timelines and not notes:
        click.echo("  paging:      no escalation policy: no affected service names one and the level has no override")


def _new_json(kb, action, inc, path, channel, now, timelines, on_call, classification, notes, posted) -> dict:
    """`incident new --json`, one shape with or without --from-alert (opsbook.outputs.incidents.IncidentNew):
    ``action`` says what happened (declared; noted on an open incident; nothing), and the
    incident's fields are null when there is none."""
    level = kb.severities.get(inc.severity) if inc is not None else None
    return {
        "action": action, "id": inc.id if inc else None, "file": rel(kb, path) if path else None,
        "title": inc.title if inc else None, "severity": inc.severity if inc else None,
        "status": inc.status if inc else None, "declared": inc.declared.isoformat() if inc else None,
        "services": list(inc.services) if inc else [], "channel": channel,
        "roles_required": list(level.roles) if level else [], "roles": ({"commander": inc.commander} if inc.commander else {}) | dict(inc.roles) if inc else {},
        "public": inc.public if inc else None, "runbooks": list(inc.runbooks) if inc else [],
        "on_call": on_call, "next_update": _next_update_json(kb, inc, now) if inc else None,
        "escalation": [t.model_dump(mode="json") for t in timelines],
        "classification": classification, "notes": list(notes), "post": posted,
    }


def _post_declaration(kb, inc, now, kind: str = "declared", detail: str = "") -> dict:
    from opsbook.incidents.announce import post_incident

    return post_incident(kb, inc, now, kind, detail).as_dict()


def _echo_post(posted: dict | None) -> None:
    if posted is None:
        return
    if posted["posted"]:
        click.echo("  slack:       posted")
    else:
        from opsbook.diagnostics import shown

        click.echo(shown(f"opsbook: the record is written, but the Slack post failed: {posted['error']}"), err=True)


def _post_exit(posted: dict | None) -> None:
    """A failed post exits 1 after the answer (the record is kept and named)."""
    if posted is not None and not posted["posted"]:
        raise click.exceptions.Exit(1)


def _new_from_alert(ctx, alert_file: str, by: str | None, at_text: str | None, as_json: bool, post: bool) -> None:
    from opsbook.incidents.from_alert import intake
    from opsbook.incidents.yamledit import EditError
    from opsbook.intake.classify import RulesError
    from opsbook.intake.payloads import PayloadError, load_payload

    try:
        payload = load_payload(alert_file)
    except PayloadError as exc:
        raise usage_error(str(exc), file=exc.source, line=exc.line, column=exc.column) from None
    from opsbook.incidents.from_alert import candidate_ids
    from opsbook.intake.services import runbooks_covering
    from opsbook.load import LAYOUT

    root = root_from(ctx)
    ids = candidate_ids(root / LAYOUT.incidents, {a.fingerprint for a in payload.alerts})
    kb = load_kb(ctx, kinds=INTAKE_KINDS, incidents=ids)
    now = now_for(kb.root, at_text)
    if not kb.severities:
        raise usage_error("playbooks/severity.yaml defines no levels (or does not load); run `opsbook validate`")
    reference(kb, "person", by, "--by")
    candidates = None if ids is None else [i for i in (kb.incidents.get(x) for x in ids) if i is not None]
    covering = runbooks_covering(kb.root, {a.name for a in payload.alerts}, kb.zone)
    try:
        done = intake(kb, payload, now, by=by, candidates=candidates, runbooks=covering)
    except RulesError as exc:
        raise usage_error(str(exc)) from None
    except EditError as exc:
        raise edit_failed(kb, exc) from None
    inc = done.incident
    timelines, notes = _escalation(kb, inc, now) if done.action == "declared" else ([], [])
    posted = None
    if post and inc is not None:
        kind = "declared" if done.action == "declared" else "update"
        posted = _post_declaration(kb, inc, now, kind, "" if done.action == "declared" else "\n".join(done.notes))
    if as_json:
        emit_json(_new_json(kb, done.action, inc, done.path, done.channel, now, timelines,
                            _on_call(kb, inc, now) if done.action == "declared" else [],
                            done.classification.model_dump(mode="json"), done.notes, posted))
        _post_exit(posted)
        return
    from opsbook.diagnostics import shown

    answer = done.classification
    rule = f"rule {answer.rule}" if answer.rule else "no rule matched (default)"
    if done.action == "nothing":
        for note in done.notes:
            click.echo(shown(note))
        return
    if done.action == "noted":
        click.echo(shown(f"Noted on {inc.id} (open, holds this alert): {rel(kb, done.path)}"))
        for note in done.notes:
            click.echo(shown(f"  + {note}"))
        _echo_post(posted)
        _post_exit(posted)
        return
    level = kb.severities[inc.severity]
    click.echo(shown(f"Declared {inc.id}: {inc.title}"))
    click.echo(shown(f"  file:        {rel(kb, done.path)}"))
    click.echo(shown(f"  severity:    {inc.severity} ({level.name}) by {rule}"))
    for reason in answer.reasons:
        click.echo(shown(f"               because {reason}"))
    click.echo(shown(f"  services:    {', '.join(inc.services) or 'none mapped'}"))
    for item in answer.alerts:
        if item.service is None:
            click.echo(shown(f"  unmapped:    {item.alert}: {item.service_match}"))
    click.echo(shown(f"  channel:     #{done.channel}"))
    links = list(inc.runbooks) + [a.runbook_url for a in inc.alerts if a.runbook_url]
    click.echo(shown(f"  runbooks:    {', '.join(links) if links else 'none linked'}"))
    click.echo(f"  next update: {_next_update_text(kb, inc, now)}")
    for note in answer.notes:
        click.echo(shown(f"  note:        {note}"))
    _echo_escalation(kb, timelines, notes)
    _echo_post(posted)
    _post_exit(posted)


# --- the group ------------------------------------------------------------------------


@click.group()
def incident() -> None:
    """Declare, update, note, resolve, list and show incidents; change severity and roles.

    Edits keep the file's comments and layout and are written atomically.
    Exit codes: 0 ok, 1 unknown incident, 2 usage or I/O error.
    """


@incident.command("new")
@click.option("--title", help="What is broken, as customers would say it.")
@click.option("--severity", "severity", help="A level of playbooks/severity.yaml (SEV1...).")
@click.option("--from-alert", "alert_file", metavar="FILE|-",
              help="Declare from an alert payload (Alertmanager webhook, PagerDuty V3 event, or {\"labels\": ...}; "
                   "- reads stdin): service, severity (the ladder's rules), runbooks and title come from it; an "
                   "open incident holding the same alert gets a timeline note instead.")
@click.option("--post", is_flag=True, help="Post the declaration to Slack ($OPSBOOK_SLACK_WEBHOOK_URL) after "
                                           "writing the file.")
@click.option("--service", "services", multiple=True, help="Affected service id (repeat for several).")
@click.option("--commander", help="Person id of the incident commander.")
@click.option("--by", help="Person id recorded as declaring it.")
@click.option("--at", "--now", "at_text", metavar="TIME", help=AT_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def new(ctx, title, severity, services, commander, by, alert_file, post, at_text, as_json) -> None:
    """Declare an incident: write incidents/INC-YYYY-NNN.yaml with the next free number.

    With --from-alert the payload decides the title, services and severity
    (change them later with `incident severity` and `incident assign`), and an
    open incident holding the same alert gets a timeline note instead. Prints
    who is paged when: the level's escalation override when it has one, else
    each service's policy.
    """
    from opsbook.incidents.lifecycle import declare
    from opsbook.incidents.yamledit import EditError

    if alert_file is not None:
        if title is not None or severity is not None or services or commander:
            raise usage_error("--from-alert takes the title, severity and services from the alert; leave out "
                              "--title, --severity, --service and --commander (assign with `incident assign`)")
        _new_from_alert(ctx, alert_file, by, at_text, as_json, post)
        return
    if title is None or severity is None:
        raise usage_error("give --title and --severity (or --from-alert FILE)")
    if not title.strip():
        raise usage_error("--title: give the incident a title")
    checked_text("--title", title)
    # Numbering reads file names only; schedules answer who is on call.
    kb = load_kb(ctx, kinds=DECLARE_KINDS)
    now = now_for(kb.root, at_text)
    if not kb.severities:
        raise usage_error("playbooks/severity.yaml defines no levels (or does not load); run `opsbook validate`")
    reference(kb, "severity", severity, "--severity")
    for service in services:
        reference(kb, "service", service, "--service")
    reference(kb, "person", commander, "--commander")
    reference(kb, "person", by, "--by")
    try:
        declared = declare(kb, title.strip(), severity, list(services), commander, now, by=by)
    except EditError as exc:
        raise edit_failed(kb, exc) from None
    inc = declared.incident
    level = kb.severities[severity]
    filled = {"commander": commander} if commander else {}
    on_call = _on_call(kb, inc, now)
    timelines, escalation_notes = _escalation(kb, inc, now)
    posted = _post_declaration(kb, inc, now) if post else None
    if as_json:
        emit_json(_new_json(kb, "declared", inc, declared.path, declared.channel, now, timelines, on_call, None, [],
                            posted))
        _post_exit(posted)
        return
    from opsbook.humanize import person_name

    roles = ", ".join(f"{role} ({person_name(kb, filled[role]) if role in filled else 'unassigned'})"
                      for role in level.roles) or "none required"
    click.echo(f"Declared {inc.id}: {inc.title}")
    click.echo(f"  file:        {rel(kb, declared.path)}")
    click.echo(f"  severity:    {severity} ({level.name}){'; pages on-call' if level.page else ''}")
    click.echo(f"  channel:     #{declared.channel}")
    click.echo(f"  roles:       {roles}")
    if not on_call:
        click.echo("  on call:     no schedule for the affected services" if services else
                   "  on call:     pass --service to see who is on call")
    for entry in on_call:
        if "error" in entry:
            click.echo(f"  on call:     {entry['service']}: could not be computed ({entry['error']})")
            continue
        primary = person_name(kb, entry.get("primary")) or "nobody"
        backup = person_name(kb, entry.get("backup")) or "nobody"
        click.echo(f"  on call:     {entry['service']} ({entry['schedule']}): primary {primary}, backup {backup}")
    click.echo(f"  next update: {_next_update_text(kb, inc, now)}")
    if level.status_page == "required":
        click.echo(f"  status page: required; draft the first post with `opsbook comms {inc.id} --kind "
                   f"status-initial`, post it with `opsbook incident update {inc.id} --status investigating -m ...`")
    _echo_escalation(kb, timelines, escalation_notes)
    _echo_post(posted)


def _record(ctx, ident: str, change_for, as_json: bool, verb: str, post: str | None = None) -> None:
    """Apply a change; ``post`` (a message kind: update, resolved) posts the result to Slack afterwards."""
    from opsbook.incidents.lifecycle import record
    from opsbook.incidents.yamledit import EditError

    kb = load_kb(ctx, kinds=RECORD_KINDS, incidents=[ident])
    inc = get_incident(kb, ident)
    try:
        change = change_for(kb, inc)
        updated = record(kb, inc, change)
    except EditError as exc:
        raise edit_failed(kb, exc) from None
    posted = _post_declaration(kb, updated, change.at, post, change.message or "") if post else None
    if as_json:
        emit_json({"id": updated.id, "file": rel(kb, updated.file), "status": updated.status,
                   "updates": len(updated.updates), "timeline": len(updated.timeline),
                   "resolved": updated.resolved.isoformat() if updated.resolved else None,
                   "next_update": _next_update_json(kb, updated, change.at), "post": posted})
        _post_exit(posted)
        return
    click.echo(f"{verb} {updated.id} ({rel(kb, updated.file)}): now {updated.status}")
    click.echo(f"  next update: {_next_update_text(kb, updated, change.at)}")
    _echo_post(posted)
    _post_exit(posted)


@incident.command("update")
@click.argument("ident", metavar="ID")
@click.option("--status", "stage", required=True, help="investigating, identified, monitoring or resolved.")
@click.option("--message", "-m", required=True, help="The update's text.")
@click.option("--component", "components", multiple=True, metavar="C=STATUS",
              help="Status-page component and its status, e.g. checkout=partial_outage (repeatable).")
@click.option("--public/--internal", "public", default=None,
              help="Post to the status page (updates) or only to the internal timeline. "
                   "Default: public when the incident is public or its severity requires the status page.")
@click.option("--reopen", is_flag=True, help="Needed to move a resolved incident back to an open stage.")
@click.option("--by", help="Person id recorded with an internal entry.")
@click.option("--post", is_flag=True, help=POST_HELP)
@click.option("--at", "--now", "at_text", metavar="TIME", help=AT_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def update(ctx, ident, stage, message, components, public, reopen, by, post, at_text, as_json) -> None:
    """Append an update and move the incident to a stage."""
    from opsbook.incidents.lifecycle import (
        Change,
        check_stage,
        default_public,
        parse_components,
    )

    def change_for(kb, inc):
        check_stage(stage)
        reference(kb, "person", by, "--by")
        if not message.strip():
            raise usage_error("--message: the update needs a text")
        checked_text("--message", message, one_line=False)
        return Change(at=now_for(kb.root, at_text), stage=stage, message=message.strip(),
                      public=default_public(kb, inc) if public is None else public,
                      components=parse_components(kb, components), by=by, reopen=reopen)

    _record(ctx, ident, change_for, as_json, "Updated", "update" if post else None)


@incident.command("note")
@click.argument("ident", metavar="ID")
@click.argument("text")
@click.option("--by", help="Person id who made the observation.")
@click.option("--at", "--now", "at_text", metavar="TIME", help=AT_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def note(ctx, ident, text, by, at_text, as_json) -> None:
    """Append an internal timeline entry (never published)."""
    from opsbook.incidents.lifecycle import Change

    def change_for(kb, inc):
        reference(kb, "person", by, "--by")
        if not text.strip():
            raise usage_error("TEXT: the note is empty")
        checked_text("TEXT", text, one_line=False)
        return Change(at=now_for(kb.root, at_text), note=text.strip(), by=by)

    _record(ctx, ident, change_for, as_json, "Noted on")


@incident.command("resolve")
@click.argument("ident", metavar="ID")
@click.option("--message", "-m", help="Closing update (default: a plain statement that it is resolved).")
@click.option("--component", "components", multiple=True, metavar="C=STATUS",
              help="Final component status (default: every affected component back to operational).")
@click.option("--public/--internal", "public", default=None, help="Post the closing update to the status page.")
@click.option("--post", is_flag=True, help=POST_HELP)
@click.option("--at", "--now", "at_text", metavar="TIME", help=AT_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def resolve(ctx, ident, message, components, public, post, at_text, as_json) -> None:
    """Resolve an incident: status resolved, resolved time, closing update."""
    from opsbook.incidents.lifecycle import Change, open_components, parse_components

    def change_for(kb, inc):
        if not inc.is_open:
            raise usage_error(f"{inc.id} is already resolved (at {inc.resolved.isoformat() if inc.resolved else '?'})")
        final = parse_components(kb, components) or {c: "operational" for c in open_components(inc)}
        checked_text("--message", message or "", one_line=False)
        text = (message or "").strip() or "This incident has been resolved."
        return Change(at=now_for(kb.root, at_text), stage="resolved", message=text,
                      public=inc.public if public is None else public, components=final)

    _record(ctx, ident, change_for, as_json, "Resolved", "resolved" if post else None)


@incident.command("severity")
@click.argument("ident", metavar="ID")
@click.argument("level", metavar="LEVEL")
@click.option("--reason", required=True, help="Why: kept in the severity history and the timeline.")
@click.option("--by", help="Person id who decided it.")
@click.option("--post", is_flag=True, help=POST_HELP)
@click.option("--at", "--now", "at_text", metavar="TIME", help=AT_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def severity_(ctx, ident, level, reason, by, post, at_text, as_json) -> None:
    """Change an incident's severity; the history is kept and the update cadence follows the new level."""
    from opsbook.incidents.midincident import SeverityChanged, change_severity, missing_roles
    from opsbook.incidents.yamledit import EditError

    checked_text("--reason", reason, one_line=False)
    kinds = RECORD_KINDS | {"escalation", "schedule"}
    kb = load_kb(ctx, kinds=kinds, incidents=[ident])
    inc = get_incident(kb, ident)
    reference(kb, "person", by, "--by")
    reference(kb, "severity", level, "LEVEL")
    now = now_for(kb.root, at_text)
    previous = inc.severity
    try:
        updated = change_severity(kb, inc, level, reason, now, by)
    except EditError as exc:
        raise edit_failed(kb, exc) from None
    posted = _post_declaration(kb, updated, now, "severity", f"{previous} -> {level}: {reason.strip()}") \
        if post else None
    cadence = _next_update_json(kb, updated, now)
    answer = SeverityChanged(
        id=updated.id, file=rel(kb, updated.file), severity=level, previous=previous, reason=reason.strip(),
        at=now.isoformat(), next_update_due=cadence["due"], roles_missing=missing_roles(kb, updated),
        history=[c.model_dump(mode="json") for c in updated.severity_changes], post=posted)
    if as_json:
        emit_json(answer.model_dump(mode="json"))
        _post_exit(posted)
        return
    from opsbook.diagnostics import shown

    new_level = kb.severities[level]
    click.echo(shown(f"{updated.id}: severity {previous} -> {level} ({new_level.name}) ({rel(kb, updated.file)})"))
    click.echo(f"  next update: {_next_update_text(kb, updated, now)}")
    if answer.roles_missing:
        click.echo(f"  roles:       {level} needs {', '.join(answer.roles_missing)} "
                   f"(`opsbook incident assign {updated.id} ROLE=PERSON`)")
    if new_level.escalation:
        timelines, notes = _escalation(kb, updated, now)
        _echo_escalation(kb, timelines, notes)
    _echo_post(posted)
    _post_exit(posted)


@incident.command("assign")
@click.argument("ident", metavar="ID")
@click.argument("pairs", metavar="ROLE=PERSON...", nargs=-1, required=True)
@click.option("--by", help="Person id who made the assignment.")
@click.option("--at", "--now", "at_text", metavar="TIME", help=AT_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def assign(ctx, ident, pairs, by, at_text, as_json) -> None:
    """Assign incident roles: commander=priya comms=daniel ... (roles from the severity ladder)."""
    from opsbook.cli.common import finding
    from opsbook.incidents.lifecycle import LifecycleError
    from opsbook.incidents.midincident import (
        RolesAssigned,
        UnknownName,
        assign_roles,
        missing_roles,
        parse_assignments,
    )
    from opsbook.incidents.yamledit import EditError

    kb = load_kb(ctx, kinds=RECORD_KINDS, incidents=[ident])
    inc = get_incident(kb, ident)
    reference(kb, "person", by, "--by")
    try:
        assignments = parse_assignments(kb, pairs)
    except UnknownName as exc:
        raise finding(str(exc)) from None
    except LifecycleError as exc:
        raise usage_error(str(exc)) from None
    now = now_for(kb.root, at_text)
    try:
        updated, previous = assign_roles(kb, inc, assignments, now, by)
    except EditError as exc:
        raise edit_failed(kb, exc) from None
    answer = RolesAssigned(id=updated.id, file=rel(kb, updated.file), assigned=assignments, previous=previous,
                           commander=updated.commander, roles=dict(updated.roles),
                           roles_missing=missing_roles(kb, updated))
    if as_json:
        emit_json(answer.model_dump(mode="json"))
        return
    from opsbook.diagnostics import shown
    from opsbook.humanize import person_name

    click.echo(f"{updated.id}: roles assigned ({rel(kb, updated.file)})")
    for role, person in assignments.items():
        was = previous.get(role)
        click.echo(shown(f"  {role}: {person_name(kb, person)}" +
                         (f" (was {person_name(kb, was)})" if was and was != person else "")))
    if answer.roles_missing:
        click.echo(f"  still needed for {updated.severity}: {', '.join(answer.roles_missing)}")


def _summary(kb, inc) -> dict:
    start = inc.started or inc.declared
    end = inc.resolved
    return {"id": inc.id, "title": inc.title, "severity": inc.severity, "status": inc.status,
            "services": list(inc.services), "declared": inc.declared.isoformat(),
            "resolved": end.isoformat() if end else None,
            "duration_minutes": int((end - start).total_seconds() // 60) if end else None,
            "commander": inc.commander, "public": inc.public, "file": rel(kb, inc.file)}


@incident.command("list")
@click.option("--open", "only_open", is_flag=True, help="Only incidents that are not resolved.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_(ctx, only_open, as_json) -> None:
    """Incidents, newest first."""
    kb = load_kb(ctx, kinds=frozenset({"person", "team", "severity", "incident"}))
    found = sorted((i for i in kb.incident_list if i.is_open or not only_open),
                   key=lambda i: (i.declared, i.id), reverse=True)
    if as_json:
        emit_json({"incidents": [_summary(kb, i) for i in found]})
        return
    if not found:
        click.echo("no open incidents" if only_open else "no incidents")
        return
    from opsbook.humanize import duration_text

    for inc in found:
        start = inc.started or inc.declared
        length = duration_text(inc.resolved - start) if inc.resolved else "open"
        click.echo(f"{inc.id}  {inc.severity:<5} {inc.status:<13} {inc.declared.astimezone(kb.zone):%Y-%m-%d}  "
                   f"{length:<14} {inc.title}")


@incident.command("show")
@click.argument("ident", metavar="ID")
@click.option("--at", "--now", "at_text", metavar="TIME", help="Evaluate the next-update time at this instant.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def show(ctx, ident, at_text, as_json) -> None:
    """One incident: milestones, roles, updates, timeline, next update, postmortems."""
    kb = load_kb(ctx, kinds=RECORD_KINDS | {"postmortem", "escalation", "schedule"}, incidents=[ident])
    inc = get_incident(kb, ident)
    now = now_for(kb.root, at_text)
    postmortems = [rel(kb, pm.file) for pm in kb.postmortems_for(inc.id)]
    # Who was paged when, from the declaration, by the current level's override or the services' policies.
    timelines, escalation_notes = _escalation(kb, inc, inc.declared) if inc.is_open else ([], [])
    if as_json:
        emit_json({"incident": inc.model_dump(mode="json"), "file": rel(kb, inc.file),
                   "next_update": _next_update_json(kb, inc, now), "postmortems": postmortems,
                   "escalation": [t.model_dump(mode="json") for t in timelines]})
        return
    from opsbook.diagnostics import shown
    from opsbook.humanize import person_name

    zone = kb.zone

    def when(moment) -> str:
        return f"{moment.astimezone(zone):%Y-%m-%d %H:%M %Z}"

    click.echo(f"{inc.id}: {inc.title}")
    click.echo(f"  severity {inc.severity}, {inc.status}, impact {inc.impact}, "
               f"{'public' if inc.public else 'not on the status page'}")
    if inc.services:
        click.echo(f"  services: {', '.join(inc.services)}")
    if inc.channel:
        click.echo(f"  channel: #{inc.channel}")
    if inc.commander:
        click.echo(f"  commander: {person_name(kb, inc.commander)}")
    for role, person in inc.roles.items():
        click.echo(f"  {role}: {person_name(kb, person)}")
    for name in ("started", "detected", "declared", "acknowledged", "mitigated", "resolved"):
        moment = getattr(inc, name)
        if moment is not None:
            click.echo(f"  {name + ':':<14}{when(moment)}")
    click.echo(f"  next update:  {_next_update_text(kb, inc, now)}")
    if inc.severity_changes:
        click.echo("Severity history:")
        for change in inc.severity_changes:
            who = f" by {person_name(kb, change.by)}" if change.by else ""
            click.echo(shown(f"  {when(change.at)}  {change.previous} -> {change.severity}{who}"
                             + (f": {change.reason}" if change.reason else "")))
    if inc.alerts:
        click.echo("Alerts:")
        for alert in inc.alerts:
            click.echo(shown(f"  {alert.name} ({alert.source}, fingerprint {alert.fingerprint}, since {when(alert.at)})"
                             + (f" runbook {alert.runbook_url}" if alert.runbook_url else "")))
    if timelines or escalation_notes:
        click.echo("Paging (from the declaration):")
        _echo_escalation(kb, timelines, escalation_notes)
    if inc.updates:
        click.echo("Updates:")
        for u in inc.updates:
            comps = ", ".join(f"{c}={s}" for c, s in u.components.items())
            click.echo(f"  {when(u.at)}  {u.status:<13} {u.message}" + (f" [{comps}]" if comps else ""))
    if inc.timeline:
        click.echo("Timeline (internal):")
        for t in inc.timeline:
            click.echo(f"  {when(t.at)}  {t.text}" + (f" ({person_name(kb, t.by)})" if t.by else ""))
    click.echo("Postmortems: " + (", ".join(postmortems) if postmortems else "none"))

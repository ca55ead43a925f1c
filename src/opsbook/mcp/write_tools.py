"""The write tools, registered only under `opsbook mcp --allow-write`.

Each one goes through the same checks and the same editor as its CLI command
(``incidents.lifecycle``: validated before it is written, comments and layout
kept, atomic, under a lock; ``fileio.create_exclusive`` for new files) and
returns the path it wrote. Nothing is committed or pushed: the change waits
in the work tree for a person to review.
"""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import Field

from opsbook.mcp import models as m
from opsbook.mcp.read_tools import check_reference, find_incident, iso, next_update, not_found, person_ref
from opsbook.mcp.session import Loaded, Settings, describe, fail, load, tool_errors

# Adds a file or appends entries; nothing already written is changed.
ADDITIVE = ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=False, openWorldHint=False)
# Changes a value already written (an incident's stage, an item's status).
CHANGES = ToolAnnotations(readOnlyHint=False, destructiveHint=True, idempotentHint=False, openWorldHint=False)
CHANGES_IDEMPOTENT = ToolAnnotations(readOnlyHint=False, destructiveHint=True, idempotentHint=True,
                                     openWorldHint=False)

# What an incident edit must be able to check (the CLI's ``load_kb``).
LIFECYCLE_ESSENTIAL = frozenset({"person", "team", "severity"})

At = Annotated[str | None, Field(description=(
    "Time of the entry, ISO 8601 (default: now: the server's --now, else opsbook.yaml as_of, else the clock). "
    "Times in a record never go backwards."))]
By = Annotated[str | None, Field(description="Person id recorded with the entry.")]
Components = Annotated[dict[str, str] | None, Field(description=(
    "Status-page component id -> status (operational, degraded_performance, partial_outage, major_outage, "
    "under_maintenance)."))]


def checked(argument: str, value: str | None, one_line: bool, required: str | None = None) -> str | None:
    """The CLI's checks on free text: refused when empty (if ``required``) or holding control characters."""
    from opsbook.incidents.lifecycle import check_text

    if value is None or not value.strip():
        if required:
            raise fail(f"{argument}: {required}")
        return None
    check_text(argument, value, one_line)  # a LifecycleError: the tool error says which character
    return value.strip()


def component_pairs(components: dict[str, str] | None) -> tuple[str, ...]:
    return tuple(f"{c}={s}" for c, s in (components or {}).items())


def recorded(loaded: Loaded, updated, at) -> m.Recorded:
    return m.Recorded(id=updated.id, file=loaded.rel(updated.file), status=updated.status,
                      updates=len(updated.updates), timeline=len(updated.timeline), resolved=iso(updated.resolved),
                      next_update=next_update(loaded.kb, updated, at))


def register(server: FastMCP, settings: Settings) -> None:
    guarded = tool_errors(settings)

    def tool(annotations: ToolAnnotations):
        def add(fn):
            server.add_tool(guarded(fn), name=fn.__name__, description=describe(fn), annotations=annotations,
                            structured_output=True)
            return fn

        return add

    def lifecycle(ident: str, change_for) -> m.Recorded:
        """Load, find the incident, build the change, record it: `opsbook incident update|note|resolve`."""
        from opsbook.incidents.lifecycle import record

        loaded = load(settings, {"person", "severity", "component", "incident"}, LIFECYCLE_ESSENTIAL)
        incident = find_incident(loaded, ident)
        change = change_for(loaded, incident)
        return recorded(loaded, record(loaded.kb, incident, change), change.at)

    @tool(ADDITIVE)
    def declare_incident(
        title: Annotated[str, Field(description="What is broken, as customers would say it (one line).")],
        severity: Annotated[str, Field(description="A level of the severity ladder (SEV1...); see "
                                                   "get_severity_ladder or classify_severity.")],
        services: Annotated[list[str] | None, Field(description="Affected service ids.")] = None,
        commander: Annotated[str | None, Field(description="Person id of the incident commander.")] = None,
        by: Annotated[str | None, Field(description="Person id recorded as declaring it.")] = None,
        at: At = None,
    ) -> m.Declared:
        """Declare an incident, as `opsbook incident new`: writes incidents/INC-YYYY-NNN.yaml with the next
        free number and returns its path, the channel name, the roles the level requires, who is on call for
        each service and when the first update is due. Not committed."""
        from opsbook.incidents.lifecycle import declare, on_call_for_services

        title = checked("title", title, one_line=True, required="give the incident a title")
        loaded = load(settings, {"person", "severity", "schedule"}, LIFECYCLE_ESSENTIAL)
        kb = loaded.kb
        now = loaded.time("at", at)
        if not kb.severities:
            raise fail("playbooks/severity.yaml defines no levels (or does not load); run `opsbook validate`")
        check_reference(kb, "severity", severity, "severity")
        for service in services or ():
            check_reference(kb, "service", service, "services")
        check_reference(kb, "person", commander, "commander")
        check_reference(kb, "person", by, "by")
        declared = declare(kb, title, severity, list(services or ()), commander, now, by=by)
        inc = declared.incident
        on_call = []
        for found in on_call_for_services(kb, inc, now):
            entry = m.OnCallForService(service=found.service, schedule=found.schedule)
            if found.answer is None:
                entry.error = found.error
            else:
                entry.primary, entry.backup = person_ref(kb, found.answer.primary), person_ref(kb, found.answer.backup)
                entry.next_handoff = iso(found.answer.next_handoff)
            on_call.append(entry)
        return m.Declared(id=inc.id, file=loaded.rel(declared.path), title=inc.title, severity=severity,
                          status=inc.status, declared=iso(inc.declared), channel=declared.channel,
                          roles_required=list(kb.severities[severity].roles), public=inc.public, on_call=on_call,
                          next_update=next_update(kb, inc, now))

    @tool(CHANGES)
    def update_incident(
        id: Annotated[str, Field(description="The incident id, e.g. INC-2026-006.")],
        status: Annotated[Literal["investigating", "identified", "monitoring", "resolved"],
                          Field(description="The stage the incident moves to.")],
        message: Annotated[str, Field(description="The update's text.")],
        components: Components = None,
        public: Annotated[bool | None, Field(description=(
            "Post to the status page (true) or only to the internal timeline (false). Default: public when the "
            "incident is public or its severity requires the status page."))] = None,
        reopen: Annotated[bool, Field(description="Needed to move a resolved incident back to an open stage.")] = False,
        by: By = None,
        at: At = None,
    ) -> m.Recorded:
        """Append an update and move the incident to a stage, as `opsbook incident update`. The record keeps
        its comments and layout; returns its path. Not committed."""
        from opsbook.incidents.lifecycle import Change, check_stage, default_public, parse_components

        def change_for(loaded: Loaded, inc):
            check_stage(status)
            check_reference(loaded.kb, "person", by, "by")
            body = checked("message", message, one_line=False, required="the update needs a text")
            return Change(at=loaded.time("at", at), stage=status, message=body,
                          public=default_public(loaded.kb, inc) if public is None else public,
                          components=parse_components(loaded.kb, component_pairs(components)), by=by, reopen=reopen)

        return lifecycle(id, change_for)

    @tool(ADDITIVE)
    def add_incident_note(
        id: Annotated[str, Field(description="The incident id.")],
        text: Annotated[str, Field(description="The note: an observation or decision, for the "
                                                        "internal timeline (never published).")],
        by: By = None,
        at: At = None,
    ) -> m.Recorded:
        """Append an internal timeline entry, as `opsbook incident note`. Returns the record's path. Not
        committed."""
        from opsbook.incidents.lifecycle import Change

        def change_for(loaded: Loaded, inc):
            check_reference(loaded.kb, "person", by, "by")
            note = checked("text", text, one_line=False, required="the note is empty")
            return Change(at=loaded.time("at", at), note=note, by=by)

        return lifecycle(id, change_for)

    @tool(CHANGES)
    def resolve_incident(
        id: Annotated[str, Field(description="The incident id.")],
        message: Annotated[str | None, Field(description="Closing update (default: a plain statement that it "
                                                         "is resolved).")] = None,
        components: Annotated[dict[str, str] | None, Field(description=(
            "Final component statuses (default: every affected component back to operational)."))] = None,
        public: Annotated[bool | None, Field(description="Post the closing update to the status page (default: "
                                                         "when the incident is public).")] = None,
        at: At = None,
    ) -> m.Recorded:
        """Resolve an incident, as `opsbook incident resolve`: status resolved, the resolved time, a closing
        update. Returns the record's path. Not committed."""
        from opsbook.incidents.lifecycle import Change, open_components, parse_components

        def change_for(loaded: Loaded, inc):
            if not inc.is_open:
                raise fail(f"{inc.id} is already resolved (at {iso(inc.resolved) or '?'})")
            final = parse_components(loaded.kb, component_pairs(components)) or \
                {c: "operational" for c in open_components(inc)}
            closing = checked("message", message, one_line=False) or "This incident has been resolved."
            return Change(at=loaded.time("at", at), stage="resolved", message=closing,
                          public=inc.public if public is None else public, components=final)

        return lifecycle(id, change_for)

    @tool(ADDITIVE)
    def create_postmortem(
        incident: Annotated[str | None, Field(description="The incident id to draft from.")] = None,
        title: Annotated[str | None, Field(description="Title; required without an incident (a near miss).")] = None,
        template: Annotated[Literal["short", "standard", "comprehensive"] | None, Field(description=(
            "Default by severity: comprehensive for the top level, standard where required, else short."))] = None,
        owner: Annotated[str | None, Field(description="Person id (default: the incident's commander).")] = None,
        severity: Annotated[str | None, Field(description="For a near miss: the level it would have been.")] = None,
        at: At = None,
    ) -> m.PostmortemDraft:
        """Scaffold a postmortem, as `opsbook postmortem new`: postmortems/YYYY/YYYY-MM-DD-slug.md pre-filled
        from the incident (timeline, roles, impact, due date). Never overwrites; returns the path. Not
        committed."""
        from opsbook.fileio import create_exclusive
        from opsbook.incidents.scaffold import draft

        title = checked("title", title, one_line=True)
        if incident is None and title is None:
            raise fail("give an incident id, or a title for a postmortem without an incident (near miss)")
        loaded = load(settings, {"person", "severity", "component", "incident", "postmortem"}, LIFECYCLE_ESSENTIAL)
        kb = loaded.kb
        now = loaded.time("at", at)
        check_reference(kb, "person", owner, "owner")
        check_reference(kb, "severity", severity, "severity")
        inc = find_incident(loaded, incident) if incident is not None else None
        if inc is not None and kb.postmortems_for(inc.id):
            raise fail(f"{inc.id} already has a postmortem: {loaded.rel(kb.postmortems_for(inc.id)[0].file)}; "
                       "nothing was written")
        result = draft(kb, now, incident=inc, title=title, template=template, owner=owner, severity=severity)
        try:
            created = create_exclusive(result.path, result.text)
        except OSError as exc:
            raise fail(f"{loaded.rel(result.path)}: cannot create it: {exc.strerror or exc}; nothing was written") \
                from None
        if not created:
            raise fail(f"{loaded.rel(result.path)} exists already; nothing was written (edit it, or pass another "
                       "title)")
        return m.PostmortemDraft(file=loaded.rel(result.path), incident=inc.id if inc else None,
                                 template=result.template, due=iso(result.due))

    @tool(CHANGES_IDEMPOTENT)
    def complete_action_item(
        id: Annotated[str, Field(description="The action item id, e.g. AI-107.")],
        wont_do: Annotated[bool, Field(description="Close it as wont-do instead of done.")] = False,
        at: Annotated[str | None, Field(description="Closing date (default: today, by the server's now).")] = None,
    ) -> m.ActionItemChange:
        """Mark a postmortem action item done (or wont-do), as `opsbook actions done`: sets its status and
        closed date in the postmortem's front matter, comments kept. Returns the postmortem's path. Not
        committed."""
        from opsbook.incidents.actions import find, set_status, today

        loaded = load(settings, {"person", "postmortem"}, frozenset({"postmortem", "person", "team"}))
        kb = loaded.kb
        found = find(kb, id)
        if found is None:
            raise not_found("action item", id, sorted(item.id for pm in kb.postmortem_list for item in pm.action_items))
        pm, index = found
        item = pm.action_items[index]
        status = "wont-do" if wont_do else "done"
        unchanged = item.status == status
        if not unchanged:
            set_status(pm.file, item.id, status, today(kb, loaded.time("at", at)))
        return m.ActionItemChange(id=item.id, status=status, changed=not unchanged, file=loaded.rel(pm.file))

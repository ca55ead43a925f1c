"""A postmortem draft pre-filled from the incident record.

What the record knows is written out (title, severity, duration, impact,
roles, a timeline merged from public updates and internal notes, owner, due
date, visibility); what only people know is left as HTML comments, so an
unfinished draft publishes nothing invented. The file is created exclusively:
running the command again never touches what someone already wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from opsbook.incidents.numbering import slugify
from opsbook.incidents.yamledit import EditError, iso_date, new_document, text_value
from opsbook.model.incident import Incident
from opsbook.model.kb import KnowledgeBase
from opsbook.model.postmortem import Postmortem
from opsbook.model.severity import SeverityLevel
from opsbook.humanize import deadline_text, duration_text, person_name, service_name

TEMPLATES = ("short", "standard", "comprehensive")
SLUG_MAX = 60

# Sections each template adds, in order, after the ones every postmortem has.
_SECTIONS: dict[str, tuple[str, ...]] = {
    "short": ("Summary", "Impact", "Timeline", "Root cause", "Action items"),
    "standard": ("Summary", "Impact", "Timeline", "Root cause", "What went well", "What went poorly",
                 "Action items"),
    "comprehensive": ("Summary", "Impact", "Timeline", "Detection and response", "Root cause",
                      "Contributing factors", "What went well", "What went poorly", "Where we got lucky",
                      "Action items", "Supporting information"),
}

_PROMPTS: dict[str, str] = {
    "Summary": "Two or three sentences: what happened, for how long, and how it ended.",
    "Impact": "Who was affected and how: customers, requests, money, data. Numbers beat adjectives.",
    "Timeline": "Add what the record missed: decisions, hand-offs, what people saw and when.",
    "Detection and response": "How we found out, how long each step took, and what slowed us down.",
    "Root cause": "The conditions in the system that made this possible. Describe systems and decisions, "
                  "not people. If the cause is not known yet, write 'Unknown' and add an action item of "
                  "type investigate.",
    "Contributing factors": "What made it worse or longer: missing alerts, unclear runbooks, risky defaults.",
    "What went well": "What helped; keep doing it.",
    "What went poorly": "What hurt; each point should lead to an action item or a conscious decision.",
    "Where we got lucky": "What could have made this much worse, and did not, by chance.",
    "Action items": "One to three items that change the system, tracked in the front matter above "
                    "(id, title, owner: one person, due, type).",
    "Supporting information": "Links to dashboards, graphs, logs and chat history.",
}


def default_template(level: SeverityLevel | None, kb: KnowledgeBase) -> str:
    """comprehensive for the most severe level, standard where a postmortem is
    required, short otherwise (optional duty, near misses)."""
    if level is None:
        return "short"
    if kb.levels and level.id == kb.levels[0].id:
        return "comprehensive"
    return "standard" if level.postmortem == "required" else "short"


def postmortem_path(root: Path, day: date, title: str, fallback: str) -> Path:
    slug = slugify(title, SLUG_MAX) or slugify(fallback, SLUG_MAX) or "postmortem"
    return root / "postmortems" / f"{day:%Y}" / f"{day:%Y-%m-%d}-{slug}.md"


def due_date(kb: KnowledgeBase, incident: Incident | None, now: datetime) -> date | None:
    """From resolution (or now, for an open incident or a near miss) plus the level's postmortem_due."""
    level = kb.severities.get(incident.severity) if incident else None
    if level is None or level.postmortem_due is None:
        return None
    start = incident.resolved if incident and incident.resolved else now
    return level.postmortem_due.after(start, kb.zone).astimezone(kb.zone).date()


def parse_postmortem(path: Path, text: str) -> Postmortem:
    """The model of a postmortem's text, read as the loader reads the file
    (byte-order mark, front matter, YAML, model); EditError if it would not load."""
    from pydantic import ValidationError

    from opsbook.yamlsource import parse_yaml, split_front_matter

    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EditError(f"the text holds {text[exc.start:exc.end]!r}, which is not valid UTF-8", path=path) from None
    split, diags = split_front_matter(path, text.removeprefix("\ufeff"))
    if split is not None:
        data, diags = parse_yaml(path, split.yaml_text, split.yaml_first_line, allow_empty=True)
    if diags:
        raise EditError(diags[0].message, line=diags[0].line, path=path)
    try:
        return Postmortem.model_validate({} if data is None else data, context={"zone": None})
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise EditError(f"{where}: {first['msg']}", path=path) from None


@dataclass(frozen=True)
class Draft:
    path: Path
    text: str
    template: str
    due: date | None


def _timeline(kb: KnowledgeBase, incident: Incident) -> str:
    zone = kb.zone
    rows: list[tuple[datetime, int, str]] = []
    for name in ("started", "detected", "declared", "acknowledged", "mitigated", "resolved"):
        moment = getattr(incident, name)
        if moment is not None:
            rows.append((moment, 0, f"**{name.capitalize()}**"))
    for update in incident.updates:
        rows.append((update.at, 1, f"Status page ({update.status}): {update.message}"))
    for entry in incident.timeline:
        who = f" ({person_name(kb, entry.by)})" if entry.by else ""
        rows.append((entry.at, 2, entry.text + who))
    rows.sort(key=lambda row: (row[0], row[1]))
    lines = [f"All times {zone.key}.", "", "| Time | Event |", "|------|-------|"]
    for moment, _, text in rows:
        local = moment.astimezone(zone)
        cell = text.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {local:%Y-%m-%d %H:%M} | {cell} |")
    return "\n".join(lines)


def _impact(kb: KnowledgeBase, incident: Incident) -> str:
    names = {c.id: c.name for c in kb.components.values()}
    seen: dict[str, str] = {}
    for update in incident.updates:
        for component, status in update.components.items():
            if status != "operational":
                seen.setdefault(component, status)
    lines = [f"- Impact level: {incident.impact}"]
    if incident.services:
        lines.append("- Services: " + ", ".join(service_name(kb, s) for s in incident.services))
    if seen:
        lines.append("- Status-page components: " + ", ".join(
            f"{names.get(c, c)} ({s.replace('_', ' ')})" for c, s in seen.items()))
    start, end = incident.started or incident.declared, incident.resolved
    if end:
        lines.append(f"- Duration: {duration_text(end - start) or 'under a minute'}")
    else:
        lines.append("- Duration: the incident is still open")
    return "\n".join(lines)


def _roles(kb: KnowledgeBase, incident: Incident) -> str:
    lines = []
    if incident.commander:
        lines.append(f"- Commander: {person_name(kb, incident.commander)}")
    lines += [f"- {role.capitalize()}: {person_name(kb, person)}" for role, person in incident.roles.items()]
    return "\n".join(lines)


def draft(kb: KnowledgeBase, now: datetime, incident: Incident | None = None, title: str | None = None,
          template: str | None = None, owner: str | None = None, severity: str | None = None) -> Draft:
    """The path and text of a new postmortem (nothing is written here).

    Raises EditError when the text would not load (say, a title that is not
    valid UTF-8), so nothing that does not load is ever created."""
    level = kb.severities.get(incident.severity if incident else (severity or ""))
    template = template or default_template(level, kb)
    if template not in TEMPLATES:
        raise ValueError(f"unknown template '{template}'; use one of {', '.join(TEMPLATES)}")
    title = title or (incident.title if incident else "")
    start = (incident.started or incident.declared) if incident else now
    day = start.astimezone(kb.zone).date()
    path = postmortem_path(kb.root, day, title, incident.id if incident else "near-miss")
    due = due_date(kb, incident, now) if incident else (
        level.postmortem_due.after(now, kb.zone).astimezone(kb.zone).date() if level and level.postmortem_due
        else None)
    owner = owner or (incident.commander if incident else None)

    front = CommentedMap()
    if incident:
        front["incident"] = incident.id
    front["title"] = text_value(title)
    front["status"] = "draft"
    if owner:
        front["owner"] = owner
    front["date"] = iso_date(now.astimezone(kb.zone).date())
    if due and due.year > 2999:
        # A deadline past the last year opsbook reads (a record dated 2999 with a
        # long postmortem_due) is left out rather than written as a value the
        # draft would then fail to load with.
        due = None
    if due:
        front["due"] = iso_date(due)
        why = f"{level.id}: {deadline_text(level.postmortem_due)} after resolution" if level else ""
        front.yaml_add_eol_comment(why, "due")
    if not incident and level:
        front["severity"] = level.id
    front["visibility"] = "internal"
    front.yaml_add_eol_comment("public: on the public site too; restricted: never published", "visibility")
    front["action_items"] = []
    front.yaml_add_eol_comment("{id: AI-..., title: ..., owner: <person>, due: YYYY-MM-DD, type: prevent}",
                               "action_items")
    yaml_text = new_document(front)

    parts = [f"# {title}", ""]
    facts = []
    if incident:
        facts.append(f"- Incident: {incident.id}")
    if level:
        facts.append(f"- Severity: {level.id} ({level.name})")
    parts += facts + ([""] if facts else [])
    for section in _SECTIONS[template]:
        parts += [f"## {section}", ""]
        if incident and section == "Impact":
            parts += [_impact(kb, incident), ""]
        if incident and section == "Timeline":
            parts += [_timeline(kb, incident), ""]
        if incident and section == "Detection and response" and (roles := _roles(kb, incident)):
            parts += [roles, ""]
        if incident and section == "Summary" and incident.summary:
            parts += [incident.summary, ""]
        parts += [f"<!-- {_PROMPTS[section]} -->", ""]
    if incident and template != "comprehensive" and (roles := _roles(kb, incident)):
        # Short and standard have no response section; roles still belong on record.
        index = parts.index("## Timeline")
        parts[index:index] = ["## Roles", "", roles, ""]
    body = "\n".join(parts).rstrip("\n") + "\n"
    text = f"---\n{yaml_text}---\n{body}"
    parse_postmortem(path, text)  # what is written must load: a broken draft would block publishing
    return Draft(path, text, template, due)

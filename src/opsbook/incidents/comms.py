"""Incident communications rendered from the team's templates.

Templates live in ``playbooks/templates/<kind>.md`` (Jinja2). They are the
team's files, but they are rendered in Jinja's sandbox with StrictUndefined:
a template cannot reach Python internals, and a misspelt variable fails
instead of silently printing nothing into a message customers will read.
The context holds plain strings, lists and dicts only.

Every message of an open incident carries the next update time from the
severity's cadence, and the ETA is always "unknown at this time": the record
has no ETA, and inventing one is the classic incident-comms mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from opsbook.incidents.cadence import format_instant, next_update
from opsbook.model.incident import Incident, TimelineEntry, Update
from opsbook.model.kb import KnowledgeBase
from opsbook.humanize import duration_text, person_name, service_name

TEMPLATE_DIR = "playbooks/templates"
SUFFIX = ".md"
ETA_UNKNOWN = "unknown at this time"


@dataclass(frozen=True)
class Kind:
    id: str
    audience: str
    description: str
    needs_next_update: bool


KINDS: dict[str, Kind] = {k.id: k for k in (
    Kind("status-initial", "customers", "First status-page post: what is affected, that we are on it", True),
    Kind("status-update", "customers", "Status-page update while the incident is open", True),
    Kind("status-resolved", "customers", "Status-page post when the incident is resolved", False),
    Kind("executive-update", "executives", "Short update for leadership: impact, risk, next steps", True),
    Kind("support-kit", "support", "What support tells customers, and what not to promise", True),
    Kind("internal-update", "engineering", "Update for the wider engineering organisation", True),
    Kind("customer-email", "customers", "Direct email to affected customers", True),
    Kind("social", "public", "Short public acknowledgement for social media", True),
    Kind("customer-summary", "customers", "Post-incident summary for customers", False),
)}


class CommsError(Exception):
    pass


def environment(folder: Path) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # plain-text messages for status pages, chat and email, not HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def template_path(root: Path, kind: str) -> Path:
    return root / TEMPLATE_DIR / f"{kind}{SUFFIX}"


def _when(moment: datetime | None, zone) -> str:
    return format_instant(moment, zone) if moment else ""


def context(kb: KnowledgeBase, incident: Incident, now: datetime, message: str | None = None) -> dict:
    """Everything a template may use, as plain values (see the format reference)."""
    zone = kb.status_zone
    level = kb.severities.get(incident.severity)
    cadence = next_update(kb, incident, now)
    names = {c.id: c.name for c in kb.components.values()}
    latest: dict[str, str] = {}
    for update in incident.updates:
        latest.update(update.components)
    affected = [{"id": c, "name": names.get(c, c), "status": s, "status_text": s.replace("_", " ")}
                for c, s in latest.items()]
    end = incident.resolved or now
    start = incident.started or incident.declared
    last_public = incident.updates[-1].message if incident.updates else ""
    if cadence.due is not None:
        next_text = format_instant(cadence.due, zone)
    else:
        next_text = "no further updates are planned: the incident is resolved" if not incident.is_open else \
            "as soon as we know more"
    return {
        "org": kb.config.name,
        "status_url": kb.status.url if kb.status and kb.status.url else "",
        "now": format_instant(now, zone),
        "next_update": next_text,
        "eta": ETA_UNKNOWN,
        "message": message if message is not None else last_public,
        "incident": {
            "id": incident.id,
            "title": incident.title,
            "severity": incident.severity,
            "severity_name": level.name if level else incident.severity,
            "status": incident.status,
            "is_open": incident.is_open,
            "impact": incident.impact,
            "summary": incident.summary,
            "services": [service_name(kb, s) for s in incident.services],
            "components": affected,
            "started": _when(incident.started, zone),
            "detected": _when(incident.detected, zone),
            "declared": _when(incident.declared, zone),
            "mitigated": _when(incident.mitigated, zone),
            "resolved": _when(incident.resolved, zone),
            "duration": duration_text(_minutes(end - start)),
            "commander": person_name(kb, incident.commander),
            "roles": {role: person_name(kb, person) for role, person in incident.roles.items()},
            "channel": incident.channel or "",
            "updates": [{"at": _when(u.at, zone), "status": u.status, "message": u.message} for u in incident.updates],
        },
        "level": {
            "id": level.id if level else incident.severity,
            "name": level.name if level else "",
            "update_every": duration_text(level.update_every) if level and level.update_every else "",
            "status_page": level.status_page if level else "",
        },
    }


def _minutes(delta: timedelta) -> timedelta:
    return timedelta(minutes=max(0, int(delta.total_seconds() // 60)))


# Customer-facing kinds that only make sense while the incident is open.
OPEN_ONLY = frozenset({"status-initial", "status-update", "social", "customer-email"})


def render(kb: KnowledgeBase, incident: Incident, kind: str, now: datetime, message: str | None = None) -> str:
    if kind not in KINDS:
        from opsbook.incidents.lifecycle import unknown

        raise CommsError(unknown("message kind", kind, tuple(KINDS)))
    if kind in OPEN_ONLY and incident.status == "resolved":
        # "We are investigating... next update by" about a resolved incident
        # would tell customers the opposite of the truth.
        raise CommsError(f"{incident.id} is resolved; a {kind} message is for an open incident. "
                         "Use --kind status-resolved or customer-summary")
    path = template_path(kb.root, kind)
    if not path.is_file():
        raise CommsError(f"no template for {kind}: create {path.relative_to(kb.root).as_posix()} "
                         "(the example knowledge base has one of each kind)")
    try:
        template = environment(path.parent).get_template(path.name)
        text = template.render(context(kb, incident, now, message))
    except (jinja2.TemplateError, ArithmeticError, MemoryError, RecursionError, TypeError, ValueError) as exc:
        # The sandbox stops attribute escapes; a template can still ask for the
        # impossible (range(10**8), 1/0). Either way it is the template's fault.
        line = error_line(exc, path)
        raise CommsError(f"{path.relative_to(kb.root).as_posix()}:{line}: {exc}; run `opsbook validate`") from None
    return text.strip() + "\n"


# --- validation ---------------------------------------------------------------------


def sample_incident() -> Incident:
    """A fully populated incident, so every variable a template may use exists."""
    at = datetime(2026, 3, 14, 14, 0, tzinfo=timezone.utc)
    minute = timedelta(minutes=1)
    return Incident(
        id="INC-2026-001", title="Sample incident", severity="SEV1", status="identified",
        services=[], commander=None, roles={}, started=at, detected=at + minute, declared=at + 2 * minute,
        acknowledged=at + 3 * minute, public=True, impact="major", summary="Sample summary.",
        channel="inc-20260314-sample-incident",
        updates=[Update(at=at + 10 * minute, status="investigating", message="Sample update.")],
        timeline=[TimelineEntry(at=at + minute, text="Sample note.")],
    )


@dataclass(frozen=True)
class TemplateProblem:
    path: Path
    line: int
    message: str
    hint: str
    kind: str  # "error" (breaks rendering), "next-update", "unknown-kind"


def error_line(exc: BaseException, path: Path) -> int:
    """The template line an error happened on. Jinja rewrites tracebacks so that
    template frames carry the template's file name and line."""
    lineno = getattr(exc, "lineno", None)
    if isinstance(exc, jinja2.TemplateSyntaxError) and lineno:
        return lineno
    tb: TracebackType | None = exc.__traceback__
    line = 0
    target = str(path.resolve())
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(path.name) and str(Path(name).resolve()) == target:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line or 1


def check_templates(kb: KnowledgeBase, now: datetime) -> list[TemplateProblem]:
    """Render each template in the sandbox against a sample incident."""
    folder = kb.root / TEMPLATE_DIR
    if not folder.is_dir():
        return []
    problems: list[TemplateProblem] = []
    env = environment(folder)
    incident = sample_incident()
    if kb.severities and incident.severity not in kb.severities:
        incident = incident.model_copy(update={"severity": kb.levels[0].id})
    sample = context(kb, incident, now)
    for path in sorted(folder.iterdir()):
        if path.suffix != SUFFIX or not path.is_file() or path.name.startswith((".", "_")):
            continue
        kind = path.name[: -len(SUFFIX)]
        if kind not in KINDS:
            from opsbook.incidents.lifecycle import suggest

            problems.append(TemplateProblem(path, 1, f"'{path.name}' is not a message kind opsbook renders",
                                            f"{suggest(kind, tuple(KINDS))}; kinds: {', '.join(KINDS)}",
                                            "unknown-kind"))
            continue
        try:
            source = path.read_text(encoding="utf-8")
            parsed = env.parse(source, path.name, str(path))
            template = env.get_template(path.name)
            template.render(sample)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(TemplateProblem(path, exc.lineno or 1, f"template syntax: {exc.message}",
                                            "fix the Jinja2 syntax ({{ variable }}, {% if %}...{% endif %})",
                                            "error"))
            continue
        except jinja2.UndefinedError as exc:
            problems.append(TemplateProblem(
                path, error_line(exc, path), f"template uses an undefined variable: {exc.message}",
                "variables: org, status_url, now, next_update, eta, message, incident.*, level.* "
                "(see the format reference)", "error"))
            continue
        except (jinja2.TemplateError, UnicodeDecodeError, OSError, ArithmeticError, MemoryError, RecursionError,
                TypeError, ValueError) as exc:
            problems.append(TemplateProblem(path, error_line(exc, path), f"template fails to render: {exc}",
                                            "the sandbox allows plain variables, filters and loops only", "error"))
            continue
        if KINDS[kind].needs_next_update and "next_update" not in meta.find_undeclared_variables(parsed):
            problems.append(TemplateProblem(
                path, 1, f"a {kind} message must say when the next update is due",
                "add a line such as 'Next update by {{ next_update }}.'", "next-update"))
    return problems

"""An incident as a Slack Block Kit message, and posting it without losing the record.

The record is always written before anything is posted: a failed post is a
result to report (``Posted.error``), never a reason to undo the edit. The
webhook URL comes from the environment only (``slack.webhook_url_from_env``)
and every failure message is scrubbed by ``slack.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from opsbook.model.incident import Incident

KINDS = {"declared": "Incident declared", "update": "Incident update", "severity": "Severity changed",
         "resolved": "Incident resolved"}


def _mrkdwn(text: str) -> str:
    # Slack's mrkdwn needs exactly these escaped; a title like "<!channel>" must not ping anyone.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(url: str, label: str) -> str:
    from opsbook.model.base import is_web_url

    if not is_web_url(url) or any(ch in url for ch in "<>|"):
        return _mrkdwn(label)
    return f"<{url}|{_mrkdwn(label)}>"


def _runbook_links(kb, incident: Incident) -> list[str]:
    """Links to the runbooks' pages on the site (by id: no runbook needs to be loaded), and
    the alerts' own runbook_url."""
    from urllib.parse import quote

    base = str(kb.config.site_url) if kb.config.site_url else ""
    if base and not base.endswith("/"):
        base += "/"
    links = []
    for rb_id in incident.runbooks:
        page = base + "runbooks/" + "/".join(quote(part, safe="") for part in rb_id.split("/")) + "/"
        links.append(_link(page, rb_id) if base else _mrkdwn(rb_id))
    links += [_link(a.runbook_url, a.name) for a in incident.alerts if a.runbook_url]
    return links


def _person(kb, person: str | None) -> str:
    if not person:
        return "_unassigned_"
    known = kb.people.get(person)
    if known is not None and known.slack:
        return f"<@{known.slack}>"
    return _mrkdwn(known.name if known else person)


def incident_message(kb, incident: Incident, now: datetime, kind: str, detail: str = "") -> dict:
    """``{"text", "blocks"}`` for an incoming webhook: title, severity, services,
    commander, runbook links, next update due and the channel."""
    from opsbook.incidents.cadence import format_instant, next_update

    level = kb.severities.get(incident.severity)
    heading = f"{KINDS.get(kind, 'Incident')}: {incident.id}"
    cadence = next_update(kb, incident, now)
    due = format_instant(cadence.due, kb.zone) if cadence.due else (
        "none (resolved)" if not incident.is_open else "no cadence")
    runbooks = _runbook_links(kb, incident)
    fields = [
        f"*Severity*\n{_mrkdwn(incident.severity)}" + (f" ({_mrkdwn(level.name)})" if level else ""),
        f"*Status*\n{_mrkdwn(incident.status)}",
        f"*Services*\n{_mrkdwn(', '.join(incident.services) or 'none named')}",
        f"*Commander*\n{_person(kb, incident.commander)}",
        f"*Next update due*\n{_mrkdwn(due)}",
        f"*Channel*\n{_mrkdwn('#' + incident.channel) if incident.channel else '_none_'}",
    ]
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": heading[:150], "emoji": False}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{_mrkdwn(incident.title)}*"[:3000]}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f[:2000]} for f in fields]},
    ]
    if detail:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _mrkdwn(detail)[:3000]}})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
        "Runbooks: " + ", ".join(runbooks) if runbooks else "Runbooks: none linked")[:3000]}]})
    fallback = f"{heading} {incident.severity} {incident.title}"
    return {"text": _mrkdwn(fallback), "blocks": blocks}


@dataclass(frozen=True)
class Posted:
    posted: bool
    error: str | None = None

    def as_dict(self) -> dict:
        return {"posted": self.posted, "error": self.error}


def post_incident(kb, incident: Incident, now: datetime, kind: str, detail: str = "",
                  environ: dict | None = None) -> Posted:
    """Post the message; any failure comes back as ``Posted(False, why)``, scrubbed."""
    from opsbook.slack import SlackError, post_webhook, webhook_url_from_env

    try:
        post_webhook(webhook_url_from_env(environ), incident_message(kb, incident, now, kind, detail))
    except SlackError as exc:
        return Posted(False, str(exc))
    return Posted(True)

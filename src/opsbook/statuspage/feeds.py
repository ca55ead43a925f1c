"""Atom (RFC 4287) and RSS 2.0 feeds of incident and maintenance history.

Built with ElementTree, which escapes every text and attribute, so a title
like ``<script>`` arrives in a reader as those characters. Each entry's
content is plain text (``type="text"``): a reader never renders it as HTML.
Every text and attribute passes ``xml_text`` first: ElementTree would write a
control character XML 1.0 forbids, and one such character makes the whole
feed unreadable. RSS descriptions are HTML by convention, so every value that
goes into one is HTML-escaped before ElementTree escapes it for XML.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from email.utils import format_datetime

from opsbook.statuspage.api import incident_path, maintenance_path, site_url
from opsbook.statuspage.public import PublicPage
from opsbook.statuspage.vocabulary import IMPACT_LABEL, MAINTENANCE_LABEL, STAGE_LABEL
from opsbook.statuspage.xmlsafe import xml_text

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 50


def _entries(page: PublicPage) -> list[dict]:
    entries = []
    for incident in page.incidents:
        lines = [f"{STAGE_LABEL[u.status]} ({_stamp(u.at, page)}): {u.message}" for u in reversed(incident.updates)]
        entries.append({
            "id": f"incident-{incident.id}",
            "title": incident.title,
            "link": site_url(page, incident_path(incident)),
            "published": incident.created,
            "updated": incident.updated,
            "summary": f"{STAGE_LABEL[incident.api_status]} · impact: {IMPACT_LABEL[incident.impact]}",
            "content": "\n\n".join(lines),
        })
    for window in page.maintenance:
        lines = [f"{MAINTENANCE_LABEL[u.status]} ({_stamp(u.at, page)}): {u.message}" for u in reversed(window.updates)]
        published = window.updates[0].at if window.updates else None
        if published is None:
            continue  # not announced yet
        entries.append({
            "id": f"maintenance-{window.id}",
            "title": f"Maintenance: {window.title}",
            "link": site_url(page, maintenance_path(window)),
            "published": published,
            "updated": window.updates[-1].at,
            "summary": f"Scheduled {_stamp(window.start, page)} to {_stamp(window.end, page)}",
            "content": "\n\n".join([window.description, *lines]).strip(),
        })
    entries.sort(key=lambda e: (e["updated"], e["id"]), reverse=True)
    return entries[:FEED_ENTRIES]


def _stamp(moment: datetime, page: PublicPage) -> str:
    return moment.astimezone(page.zone).strftime("%Y-%m-%d %H:%M %Z")


def _tag_id(page: PublicPage, ident: str) -> str:
    # A stable IRI that does not depend on where the site is hosted (RFC 4151).
    return f"tag:opsbook,2026:{page.id}:{ident}"


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, text: object = None, **attrs: str) -> ET.Element:
    """A child element whose text and attributes XML 1.0 can carry."""
    element = ET.SubElement(parent, tag, {key: xml_text(value) for key, value in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def atom_feed(page: PublicPage, updated: datetime) -> bytes:
    ET.register_namespace("", ATOM_NS)
    q = lambda tag: f"{{{ATOM_NS}}}{tag}"
    feed = ET.Element(q("feed"))
    _sub(feed, q("id"), _tag_id(page, "history"))
    _sub(feed, q("title"), f"{page.name}: incident history")
    _sub(feed, q("updated"), _utc(updated))
    _sub(feed, q("link"), rel="alternate", type="text/html", href=site_url(page, "index.html"))
    _sub(feed, q("link"), rel="self", type="application/atom+xml", href=site_url(page, "history.atom"))
    author = _sub(feed, q("author"))
    _sub(author, q("name"), page.name)
    for entry in _entries(page):
        item = _sub(feed, q("entry"))
        _sub(item, q("id"), _tag_id(page, entry["id"]))
        _sub(item, q("title"), entry["title"], type="text")
        _sub(item, q("link"), rel="alternate", type="text/html", href=entry["link"])
        _sub(item, q("published"), _utc(entry["published"]))
        _sub(item, q("updated"), _utc(entry["updated"]))
        _sub(item, q("summary"), entry["summary"], type="text")
        _sub(item, q("content"), entry["content"], type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def rss_feed(page: PublicPage, updated: datetime) -> bytes:
    rss = ET.Element("rss", version="2.0")
    channel = _sub(rss, "channel")
    _sub(channel, "title", f"{page.name}: incident history")
    _sub(channel, "link", site_url(page, "index.html"))
    # An HTML description (RSS convention): the name is text, not markup.
    _sub(channel, "description", f"Incidents and maintenance on {html.escape(page.name)}")
    _sub(channel, "lastBuildDate", format_datetime(updated.astimezone(timezone.utc)))
    for entry in _entries(page):
        item = _sub(channel, "item")
        _sub(item, "title", entry["title"])
        _sub(item, "link", entry["link"])
        _sub(item, "guid", _tag_id(page, entry["id"]), isPermaLink="false")
        _sub(item, "pubDate", format_datetime(entry["updated"].astimezone(timezone.utc)))
        # RSS descriptions are HTML by convention: escape once for HTML (readers
        # then show '<script>' as text) before ElementTree escapes for XML.
        paragraphs = (html.escape(p) for p in entry["content"].split("\n\n"))
        _sub(item, "description", "".join(f"<p>{p}</p>" for p in paragraphs))
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True) + b"\n"

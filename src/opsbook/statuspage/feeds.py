"""Atom (RFC 4287) and RSS 2.0 feeds of incident and maintenance history.

Built with ElementTree, which escapes every text and attribute, so a title
like ``<script>`` arrives in a reader as those characters. Each entry's
content is plain text (``type="text"``): a reader never renders it as HTML.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from email.utils import format_datetime

from opsbook.statuspage.api import incident_path, maintenance_path, site_url
from opsbook.statuspage.public import PublicPage
from opsbook.statuspage.vocabulary import IMPACT_LABEL, MAINTENANCE_LABEL, STAGE_LABEL

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


def atom_feed(page: PublicPage, updated: datetime) -> bytes:
    ET.register_namespace("", ATOM_NS)
    q = lambda tag: f"{{{ATOM_NS}}}{tag}"
    feed = ET.Element(q("feed"))
    ET.SubElement(feed, q("id")).text = _tag_id(page, "history")
    ET.SubElement(feed, q("title")).text = f"{page.name}: incident history"
    ET.SubElement(feed, q("updated")).text = _utc(updated)
    ET.SubElement(feed, q("link"), rel="alternate", type="text/html", href=site_url(page, "index.html"))
    ET.SubElement(feed, q("link"), rel="self", type="application/atom+xml", href=site_url(page, "history.atom"))
    author = ET.SubElement(feed, q("author"))
    ET.SubElement(author, q("name")).text = page.name
    for entry in _entries(page):
        item = ET.SubElement(feed, q("entry"))
        ET.SubElement(item, q("id")).text = _tag_id(page, entry["id"])
        ET.SubElement(item, q("title"), type="text").text = entry["title"]
        ET.SubElement(item, q("link"), rel="alternate", type="text/html", href=entry["link"])
        ET.SubElement(item, q("published")).text = _utc(entry["published"])
        ET.SubElement(item, q("updated")).text = _utc(entry["updated"])
        ET.SubElement(item, q("summary"), type="text").text = entry["summary"]
        ET.SubElement(item, q("content"), type="text").text = entry["content"]
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def rss_feed(page: PublicPage, updated: datetime) -> bytes:
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = f"{page.name}: incident history"
    ET.SubElement(channel, "link").text = site_url(page, "index.html")
    ET.SubElement(channel, "description").text = f"Incidents and maintenance on {page.name}"
    ET.SubElement(channel, "lastBuildDate").text = format_datetime(updated.astimezone(timezone.utc))
    for entry in _entries(page):
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = entry["title"]
        ET.SubElement(item, "link").text = entry["link"]
        ET.SubElement(item, "guid", isPermaLink="false").text = _tag_id(page, entry["id"])
        ET.SubElement(item, "pubDate").text = format_datetime(entry["updated"].astimezone(timezone.utc))
        # RSS descriptions are HTML by convention: escape once for HTML (readers
        # then show '<script>' as text) before ElementTree escapes for XML.
        paragraphs = (html.escape(p) for p in entry["content"].split("\n\n"))
        ET.SubElement(item, "description").text = "".join(f"<p>{p}</p>" for p in paragraphs)
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True) + b"\n"

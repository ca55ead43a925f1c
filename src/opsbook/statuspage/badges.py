"""Badges: shields.io endpoint JSON and self-contained SVG, per component and for the page.

The endpoint JSON follows https://shields.io/badges/endpoint-badge (schemaVersion
1), so ``img.shields.io/endpoint?url=...`` renders it. The SVG needs no
service at all. Both carry the status as words, not only as a colour.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from opsbook.statuspage.vocabulary import COMPONENT_LABEL
from opsbook.statuspage.xmlsafe import xml_text

COMPONENT_COLOR = {
    "operational": "brightgreen",
    "under_maintenance": "blue",
    "degraded_performance": "yellow",
    "partial_outage": "orange",
    "major_outage": "red",
}
INDICATOR_COLOR = {"none": "brightgreen", "minor": "yellow", "major": "orange", "critical": "red"}
# shields.io's named colours, for the SVG we draw ourselves.
HEX = {"brightgreen": "#2e7d32", "yellow": "#8a6d00", "orange": "#b34700", "red": "#c62828", "blue": "#1565c0",
       "grey": "#555"}


def endpoint_json(label: str, message: str, color: str) -> str:
    return json.dumps({"schemaVersion": 1, "label": label, "message": message, "color": color},
                      ensure_ascii=True) + "\n"


def _text_width(text: str) -> int:
    # Verdana 11px averages about 7 px a character; close enough for a badge.
    return 7 * len(text) + 10


def svg_badge(label: str, message: str, color: str) -> str:
    """A flat badge. ElementTree escapes the texts, so any label is safe, and
    ``xml_text`` drops what XML 1.0 cannot carry (a control character in a
    name would make the SVG unreadable)."""
    label, message = xml_text(" ".join(label.split())), xml_text(" ".join(message.split()))
    left, right = _text_width(label), _text_width(message)
    width = left + right
    svg = ET.Element("svg", xmlns="http://www.w3.org/2000/svg", width=str(width), height="20", role="img")
    svg.set("aria-label", f"{label}: {message}")
    ET.SubElement(svg, "title").text = f"{label}: {message}"
    ET.SubElement(svg, "rect", width=str(left), height="20", fill=HEX["grey"])
    ET.SubElement(svg, "rect", x=str(left), width=str(right), height="20", fill=HEX.get(color, HEX["grey"]))
    text = ET.SubElement(svg, "g", fill="#fff")
    text.set("font-family", "Verdana,DejaVu Sans,sans-serif")
    text.set("font-size", "11")
    text.set("text-anchor", "middle")
    ET.SubElement(text, "text", x=str(left // 2), y="14").text = label
    ET.SubElement(text, "text", x=str(left + right // 2), y="14").text = message
    return ET.tostring(svg, encoding="unicode") + "\n"


def badge_files(page_name: str, indicator: str, description: str, components: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Site path -> content. ``components``: id -> (name, status)."""
    files = {
        "badges/page.json": endpoint_json(page_name, description.lower(), INDICATOR_COLOR[indicator]),
        "badges/page.svg": svg_badge(page_name, description.lower(), INDICATOR_COLOR[indicator]),
    }
    for ident, (name, status) in components.items():
        label, color = COMPONENT_LABEL[status].lower(), COMPONENT_COLOR[status]
        files[f"badges/components/{ident}.json"] = endpoint_json(name, label, color)
        files[f"badges/components/{ident}.svg"] = svg_badge(name, label, color)
    return files

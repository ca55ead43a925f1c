"""Charts of the metrics report as static SVG, made with matplotlib at build time.

Deterministic, so a rebuild does not churn: ``svg.hashsalt`` is fixed, the
metadata (date, creator and version) is removed, and text stays text
(``svg.fonttype: none``). No script, no external reference. Text, axes and
hatching are drawn in a marker colour that is then replaced with
``currentColor``, so an SVG placed in the page takes the theme's text colour in
light and dark mode alike; series colours have at least 3:1 contrast against
both the light and the dark background (``SERIES``, tested). Width and height
are removed and the viewBox kept, so a chart scales to a phone's width.
Every chart gets a <title> and a <desc> (its text alternative); the page puts
its data table beside it.

matplotlib is imported inside ``draw`` only: `opsbook --help` must not load it.
"""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from opsbook.statuspage.xmlsafe import xml_text

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
INK = "#010203"  # replaced with currentColor after drawing
HASH_SALT = "opsbook-metrics"

# Most severe first; colours pass 3:1 against white and Material's slate background.
SERIES = ("#D1495B", "#B8860B", "#8E6BD8", "#2F8FD8", "#0E8A6A", "#808080")
HATCHES = ("//", "\\\\", "xx", "--", "", "||")
LIGHT_BACKGROUND, DARK_BACKGROUND = "#ffffff", "#1e2129"


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    svg: str


def _rc() -> dict:
    return {
        "svg.hashsalt": HASH_SALT, "svg.fonttype": "none", "font.size": 11, "font.family": "sans-serif",
        "text.color": INK, "axes.labelcolor": INK, "axes.edgecolor": INK, "xtick.color": INK, "ytick.color": INK,
        "hatch.color": INK, "hatch.linewidth": 0.6, "axes.spines.top": False, "axes.spines.right": False,
        "figure.facecolor": "none", "axes.facecolor": "none", "savefig.facecolor": "none", "legend.frameon": False,
        "path.simplify": False, "text.parse_math": False, "text.usetex": False,
    }


def _finish(fig, chart_id: str, title: str, description: str) -> Chart:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
                bbox_inches="tight")
    plt.close(fig)
    return Chart(chart_id, title, description, clean_svg(buffer.getvalue(), chart_id, title, description))


def clean_svg(text: str, chart_id: str, title: str, description: str) -> str:
    """matplotlib's SVG made fit for a page: parsed with ElementTree, not patched as text."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(text.split("?>", 1)[-1].split("]>", 1)[-1] if text.startswith("<?xml") else text)
    for child in list(root):
        if child.tag == f"{{{SVG_NS}}}metadata":
            root.remove(child)
        if child.tag == f"{{{SVG_NS}}}defs":
            # matplotlib's `*{stroke-linejoin...}` would style the whole page once
            # the SVG is inline: the same as inherited attributes on the root.
            for style in list(child.findall(f"{{{SVG_NS}}}style")):
                child.remove(style)
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    for name in ("width", "height"):
        root.attrib.pop(name, None)
    root.set("class", "opsbook-chart")
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    root.set("preserveAspectRatio", "xMidYMid meet")
    root.set("style", "width:100%;max-width:42rem;height:auto")
    desc = ET.Element(f"{{{SVG_NS}}}desc", {"id": f"{chart_id}-desc"})
    desc.text = xml_text(description)
    heading = ET.Element(f"{{{SVG_NS}}}title", {"id": f"{chart_id}-title"})
    heading.text = xml_text(title)
    root.insert(0, desc)
    root.insert(0, heading)
    # Ids must be unique on a page holding several charts.
    for element in root.iter():
        for key, value in list(element.attrib.items()):
            if key == "id" and element not in (heading, desc):
                element.set(key, f"{chart_id}-{value}")
            elif "url(#" in value:
                element.set(key, value.replace("url(#", f"url(#{chart_id}-"))
            elif key == f"{{{XLINK_NS}}}href" and value.startswith("#"):
                element.set(key, f"#{chart_id}-{value[1:]}")
        if element.tag == f"{{{SVG_NS}}}style" and element.text:
            element.text = element.text.replace(INK, "currentColor")
    out = ET.tostring(root, encoding="unicode")
    out = re.sub(re.escape(INK), "currentColor", out, flags=re.IGNORECASE)
    # One line: a Markdown page takes the SVG as one raw HTML block.
    return re.sub(r">\s+<", "><", out).replace("\n", " ")


def _figure(height: float):
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(6.0, height))


def stacked_months(chart_id: str, title: str, description: str, months: list[str], series: list[tuple[str, list[int]]]) -> Chart:
    """Monthly counts stacked by series (severity), one bar per month."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        fig, ax = _figure(3.4)
        bottoms = [0] * len(months)
        x = list(range(len(months)))
        for index, (name, values) in enumerate(series):
            if not any(values):
                continue
            # A zero is no bar at all (NaN), not a hairline at the bottom.
            ax.bar(x, [v if v else math.nan for v in values], bottom=bottoms, label=xml_text(name), color=SERIES[index % len(SERIES)], edgecolor=INK,
                   linewidth=0.5, hatch=HATCHES[index % len(HATCHES)])
            bottoms = [b + v for b, v in zip(bottoms, values)]
        ax.set_xticks(x, [_month_label(m) for m in months], rotation=45, ha="right")
        ax.set_ylabel("incidents")
        top = max(bottoms, default=0)
        ax.set_ylim(0, max(top, 1) + 0.5)
        ax.yaxis.get_major_locator().set_params(integer=True)
        if any(bottoms):
            ax.legend(ncols=min(len(series), 3), loc="upper left", fontsize=9)
        return _finish(fig, chart_id, title, description)


def lines_by_month(chart_id: str, title: str, description: str, months: list[str],
                   series: list[tuple[str, list[float | None]]], unit: str) -> Chart:
    """One line per series over months; a month without data is a gap, never zero."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        fig, ax = _figure(3.2)
        x = list(range(len(months)))
        styles = (("-", "o"), ("--", "s"))
        for index, (name, values) in enumerate(series):
            ys = [math.nan if v is None else v for v in values]
            line, marker = styles[index % len(styles)]
            ax.plot(x, ys, linestyle=line, marker=marker, label=xml_text(name), color=SERIES[(index * 3 + 3) % len(SERIES)])
        ax.set_xticks(x, [_month_label(m) for m in months], rotation=45, ha="right")
        ax.set_ylabel(unit)
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", fontsize=9)
        return _finish(fig, chart_id, title, description)


def horizontal_bars(chart_id: str, title: str, description: str, labels: list[str], values: list[float],
                    unit: str, limit: float | None = None, limit_label: str = "") -> Chart:
    """One horizontal bar per label, largest first as given; an optional limit line."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        fig, ax = _figure(max(1.6, 0.38 * len(labels) + 0.9))
        y = list(range(len(labels)))
        ax.barh(y, values, color=SERIES[3], edgecolor=INK, linewidth=0.5)
        ax.set_yticks(y, [xml_text(label) for label in labels])
        ax.invert_yaxis()
        ax.set_xlabel(unit)
        for yi, value in zip(y, values):
            ax.text(value, yi, f" {value:g}", va="center", fontsize=9)
        if limit is not None:
            ax.axvline(limit, color=SERIES[0], linestyle="--", linewidth=1.2, label=xml_text(limit_label))
            ax.legend(loc="lower right", fontsize=9)
        ax.set_xlim(0, max([*values, limit or 0, 1]) * 1.15)
        return _finish(fig, chart_id, title, description)


def _month_label(month: str) -> str:
    year, number = month.split("-")
    names = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{names[int(number) - 1]} {year[2:]}"

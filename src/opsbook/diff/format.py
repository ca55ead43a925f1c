"""`opsbook diff` as Markdown (pull-request comments) and text (terminals).

Both are written from the one ``DiffReport``: the headline first, then a section
per kind, names rather than ids, times in each schedule's zone. Every value that
came from a file goes through ``_md`` (Markdown) or ``shown`` (text): a name
cannot open an HTML tag, mention someone, break a table or a line.
"""

from __future__ import annotations

import re
from datetime import datetime

from opsbook.diagnostics import shown
from opsbook.diff.model import Change, DiffReport, Handover

MAX_LINES = 25  # per list in a comment: the rest is counted, not shown

# Inline syntax anywhere in a line; block markers only matter at a line's start (_block_safe).
# ('>' is left alone: only '<' opens a tag or an autolink, and a quote needs '>' first on a line.)
_MD_SPECIAL = {c: "\\" + c for c in "\\`*_[]!|<~"}
# A zero-width space after '@': GitHub links mentions in the rendered text, where an
# entity would already be '@' again; '@\u200bhere' pings nobody and reads the same.
_MD_SPECIAL.update({"&": "&amp;", "@": "@\u200b", "\n": " ", "\r": " "})
_MD = str.maketrans(_MD_SPECIAL)


def _md(text: object) -> str:
    """Literal text in Markdown: inline syntax escaped, '&' as an entity, no
    @mention, controls and invisible characters shown as escapes."""
    visible = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in str(text))
    return visible.translate(_MD)


_BLOCK_START = re.compile(r"^(?:([#>+=-])|(\d+)([.)]))")


def _block_safe(line: str) -> str:
    """A line or list item that starts with data cannot become a heading, quote or list."""
    line = line.lstrip(" ")
    match = _BLOCK_START.match(line)
    if match is None:
        return line
    if match.group(1):
        return "\\" + line
    return match.group(2) + "\\" + line[len(match.group(2)):]


def _when(iso: str) -> str:
    at = datetime.fromisoformat(iso)
    return at.strftime("%a %d %b %Y %H:%M")


def _span(start: str, end: str, zone: str) -> str:
    return f"{_when(start)} to {_when(end)} ({zone})"


def _num(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def _pair(before: float, after: float, unit: str = "", delta: bool = True) -> str:
    """"297 h" when equal, else "297 -> 336 h (+39)" (or without the difference)."""
    if before == after:
        return f"{_num(before)}{unit}"
    change = round(after - before, 2)
    sign = "+" if change > 0 else "-"
    return f"{_num(before)} -> {_num(after)}{unit}" + (f" ({sign}{_num(abs(change))})" if delta else "")


def no_consequence_line(report: DiffReport) -> str:
    files = len(report.other_files)
    changed = f"{files} file{'s' * (files != 1)} changed" if files else "no file changed"
    return (f"No policy consequence: {changed}, and none of it changes the severity ladder, escalation, on call, "
            "services, runbook coverage, the status page's components or opsbook.yaml's policies; "
            "no validation finding introduced or fixed.")


def _change_items(changes: list[Change], esc, notes: bool = True) -> list[str]:
    """One line per change; ``notes=False`` where the notes only restate a field
    (a level's "no longer pages" beside "pages the on-call responder yes -> no")."""
    out = []
    for c in changes:
        label = esc(c.name) if c.name == c.id else f"{esc(c.name)} ({esc(c.id)})"
        if c.status != "changed":
            out.append(f"{label}: {c.status}")
            continue
        parts = []
        for f in c.fields:
            if f.before is None:
                parts.append(f"{esc(f.field)} added: {esc(f.after)}")
            elif f.after is None:
                parts.append(f"{esc(f.field)} removed (was {esc(f.before)})")
            else:
                parts.append(f"{esc(f.field)} {esc(f.before)} -> {esc(f.after)}")
        parts += [esc(note) for note in c.notes] if notes or not parts else []
        out.append(f"{label}: " + "; ".join(parts))
    return out


def _handover_item(h: Handover, esc) -> str:
    who = {"changed_hands": f"{esc(h.before_name)} -> {esc(h.after_name)}",
           "gap_opened": f"{esc(h.before_name)} -> nobody",
           "gap_closed": f"nobody -> {esc(h.after_name)}"}[h.kind]
    return f"{esc(h.schedule_name)} ({h.role}), {_span(h.start, h.end, h.zone)}: {who} ({_num(h.hours)} h)"


def _sections(report: DiffReport, esc) -> list[tuple[str, list[str], list[str]]]:
    """(title, lines before the list, list items) per section with content."""
    out = []
    o = report.oncall
    intro = []
    items = []
    if o.people:
        intro.append(f"Next {o.weeks} weeks from {esc(o.start[:16].replace('T', ' '))} UTC; nights 22:00-08:00 and "
                     "weekends in each person's zone.")
        for row in o.people:
            items.append(f"{esc(row.name)}: on call {_pair(row.hours_before, row.hours_after, ' h')}; nights "
                         f"{_pair(row.nights_before, row.nights_after)} "
                         f"({_pair(row.night_hours_before, row.night_hours_after, ' h', False)}); weekends "
                         f"{_pair(row.weekends_before, row.weekends_after)} "
                         f"({_pair(row.weekend_hours_before, row.weekend_hours_after, ' h', False)}); backup "
                         f"{_pair(row.backup_hours_before, row.backup_hours_after, ' h')}")
    for kind, title in (("changed_hands", "Shifts that changed hands"), ("gap_opened", "Gaps opened"),
                        ("gap_closed", "Gaps closed")):
        these = [h for h in o.handovers if h.kind == kind]
        if these:
            items.append(f"{title}:")
            items += ["  " + _handover_item(h, esc) for h in these]
    if o.double_pagers:
        items.append("Newly on two pagers at once:")
        items += [f"  {esc(d.name)}: {', '.join(esc(s) for s in d.schedules)}, {_span(d.start, d.end, d.zone)} "
                  f"({_num(d.hours)} h)" for d in o.double_pagers]
    items += _change_items(o.schedules, esc)
    if items:
        out.append(("On call", intro, items))
    for title, changes in (("Severity ladder", report.severity), ("Escalation policies", report.escalation),
                           ("Services", report.services), ("Runbooks and alerts", report.runbooks),
                           ("Status page", report.status_page), ("opsbook.yaml", report.settings)):
        if changes:
            out.append((title, [], _change_items(changes, esc, notes=changes is not report.severity)))
    v = report.validation
    if v.introduced or v.fixed:
        items = [f"new {f.level} {f.code} {esc(f.file)}:{f.line}:{f.column}: {esc(f.message)}" for f in v.introduced]
        items += [f"fixed {f.level} {f.code} {esc(f.file)}: {esc(f.message)}" for f in v.fixed]
        notes = [f"{v.unchanged} finding{'s' * (v.unchanged != 1)} already there and still there; not compared: "
                 f"{esc(v.not_compared)}."]
        out.append(("Validation", notes, items))
    return out


def _capped(items: list[str]) -> list[str]:
    if len(items) <= MAX_LINES:
        return items
    return items[:MAX_LINES] + [f"... and {len(items) - MAX_LINES} more (`opsbook diff --json` lists all)"]


def markdown(report: DiffReport) -> str:
    lines = [f"**Policy diff** {_md(report.base)} -> {_md(report.head)}", ""]
    if not report.has_consequence:
        lines.append(no_consequence_line(report))
        return "\n".join(lines) + "\n"
    lines.append(_block_safe(_md("; ".join(report.summary))))
    for title, intro, items in _sections(report, _md):
        lines += ["", f"### {title}", ""]
        lines += [line + "\n" for line in intro] if intro else []
        for item in _capped(items):
            lines.append(f"  - {_block_safe(item)}" if item.startswith("  ") else f"- {_block_safe(item)}")
    return "\n".join(lines) + "\n"


def text(report: DiffReport) -> str:
    lines = [f"opsbook diff {shown(report.base)} -> {shown(report.head)}"]
    if not report.has_consequence:
        lines.append(no_consequence_line(report))
        return "\n".join(lines) + "\n"
    lines.append(shown("; ".join(report.summary)))
    for title, intro, items in _sections(report, shown):
        lines += ["", title]
        lines += [f"  {line}" for line in intro]
        lines += [f"  {item}" if item.startswith("  ") else f"  - {item}" for item in items]
    return "\n".join(lines) + "\n"

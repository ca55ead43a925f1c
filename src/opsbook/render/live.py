"""Markers that let the site script keep time-relative parts true after the build.

A page built on Monday and read on Thursday must not list Monday's "next seven
days". Such lists are rendered over a wider window, and each row carries an
empty marker with the instants between which it belongs on screen
(``data-from``/``data-until``, Unix milliseconds). The build hides rows outside
the window at the build instant (class ``opsbook-out``; the stylesheet hides the
row), so the page is right without scripts; ``assets/opsbook/site.js`` then
re-decides every marker by the reader's clock. Only numbers and fixed class
names go into the HTML, so no data can reach an attribute.
"""

from __future__ import annotations

from datetime import date, datetime

from opsbook.render.markdown import Markdown

OUT = "opsbook-out"


def ms(at: datetime) -> int:
    if at.tzinfo is None:
        raise ValueError("aware datetimes only")
    return int(at.timestamp() * 1000)


def shown_at(now: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or start <= now) and (end is None or now < end)


def _attrs(start: datetime | None, end: datetime | None, group: str | None) -> str:
    parts = []
    if start is not None:
        parts.append(f'data-from="{ms(start)}"')
    if end is not None:
        parts.append(f'data-until="{ms(end)}"')
    if group:
        # Groups are fixed identifiers chosen by the renderer, never data.
        assert group.replace("-", "").isalnum(), group
        parts.append(f'data-group="{group}"')
    return " ".join(parts)


def row_marker(now: datetime, start: datetime | None, end: datetime | None, group: str | None = None) -> Markdown:
    """Put in a table row's first cell: the row shows while ``start <= now < end``."""
    cls = "opsbook-row-when" + ("" if shown_at(now, start, end) else f" {OUT}")
    return Markdown(f'<span class="{cls}" {_attrs(start, end, group)}></span>')


def flag(text: str, now: datetime, start: datetime | None, end: datetime | None = None) -> Markdown:
    """Inline ``text`` (a fixed word such as "overdue") shown while ``start <= now < end``."""
    cls = "opsbook-when" + ("" if shown_at(now, start, end) else f" {OUT}")
    assert all(ch.isalnum() or ch in " -" for ch in text), text
    return Markdown(f'<span class="{cls}" {_attrs(start, end, None)}>{text}</span>')


def empty_note(text: str, group: str, visible: bool) -> Markdown:
    """A paragraph shown only while no row of ``group`` is on screen."""
    from opsbook.render.markdown import html_text

    cls = "opsbook-empty" + ("" if visible else f" {OUT}")
    assert group.replace("-", "").isalnum(), group
    return Markdown(f'<p class="{cls}" data-empty-for="{group}">{html_text(text)}</p>')


def day_marker(day: date, zone: str, today: bool) -> Markdown:
    """Marks a calendar cell as ``day`` in ``zone``; the script marks the reader's today."""
    from opsbook.render.markdown import html_text

    cls = "opsbook-day" + (" opsbook-today-mark" if today else "")
    return Markdown(f'<span class="{cls}" data-day="{day.isoformat()}" data-zone="{html_text(zone)}"></span>')


def days_late(due: date, zone: str, days: int) -> Markdown:
    """``days`` (days past ``due`` at the build), which the script recounts as
    calendar days between ``due`` and the reader's today in ``zone``."""
    from opsbook.render.markdown import html_text

    return Markdown(f'<span class="opsbook-days-late" data-due="{due.isoformat()}" '
                    f'data-zone="{html_text(zone)}">{int(days)}</span>')


def late_flag(now: datetime, start: datetime, due: date, zone: str, days: int) -> Markdown:
    """"overdue N d", shown from ``start`` (the first day past ``due``) on."""
    cls = "opsbook-when" + ("" if shown_at(now, start, None) else f" {OUT}")
    return Markdown(f'<span class="{cls}" {_attrs(start, None, None)}>overdue {days_late(due, zone, days)} d</span>')

"""The report as text for a terminal and as one long CSV table.

The CSV is long ("tidy"): one figure per row, columns section, group, key,
metric, value. Every section fits, a spreadsheet pivots it, and adding a
figure never moves a column.
"""

from __future__ import annotations

from datetime import timedelta
from typing import IO, Iterator

from opsbook.humanize import duration_text
from opsbook.metrics.definitions import BUCKET_MEANING
from opsbook.metrics.model import Measure, MetricsReport

CSV_FIELDS = ("section", "group", "key", "metric", "value")


def span(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = int(round(seconds / 60) * 60)  # minutes are the unit people review in
    return duration_text(timedelta(seconds=whole)) if whole else ("0 min" if seconds == 0 else "<1 min")


def _measure_line(m: Measure) -> str:
    s = m.summary
    extra = []
    if s.missing:
        extra.append(f"missing {len(s.missing)}: {', '.join(s.missing)}")
    if s.open:
        extra.append(f"open {len(s.open)}: {', '.join(s.open)}")
    tail = f"  ({'; '.join(extra)})" if extra else ""
    return (f"  {m.name:<20} n={s.n:<4} median {span(s.median_seconds):<12} p90 {span(s.p90_seconds):<12} "
            f"mean {span(s.mean_seconds)}{tail}")


def text_lines(r: MetricsReport) -> Iterator[str]:
    w = r.window
    at = lambda t: t.isoformat(timespec="seconds")  # noqa: E731 - the clock's microseconds are noise here
    yield f"Metrics {at(w.start)} to {at(w.end)} (end exclusive; months in {w.timezone}), judged at {at(w.now)}"
    yield f"{r.incidents} incident{'s' * (r.incidents != 1)} declared in the window" + (
        " (public incidents only)" if r.audience == "public" else "")
    yield ""
    yield "Response times (median; p90 by nearest rank; n = incidents counted)"
    for m in r.response_times:
        yield _measure_line(m)
    for g in r.groups:
        yield f" {r.by} {g.label}: {g.incidents} incident{'s' * (g.incidents != 1)}"
        for m in g.measures if g.incidents else ():
            yield "  " + _measure_line(m)
    yield ""
    c = r.counts
    yield "Incidents"
    yield "  by severity:  " + (", ".join(f"{x.key} {x.count}" for x in c.by_severity) or "none")
    if c.by_service:
        yield "  by service:   " + ", ".join(f"{x.label} {x.count}" for x in c.by_service)
    if c.by_team:
        yield "  by team:      " + ", ".join(f"{x.label} {x.count}" for x in c.by_team)
    yield "  by component: " + (", ".join(f"{x.label} {x.count}" for x in c.by_component) or "none")
    yield "  by month:     " + ", ".join(f"{m.month} {m.total}" for m in c.by_month)
    yield ""
    yield "Customer impact (public incidents, minutes by component status as the status page counts them)"
    if r.customer_impact is None:
        yield "  no status page (status/page.yaml)"
    else:
        hit = [x for x in r.customer_impact if x.minutes]
        for x in hit:
            parts = ", ".join(f"{status.replace('_', ' ')} {value:g}" for status, value in x.minutes.items())
            yield (f"  {x.name:<24} {parts}; downtime {x.downtime_minutes:g} min "
                   f"({', '.join(x.incidents)})")
        if not hit:
            yield "  none"
    yield ""
    p = r.postmortems
    yield (f"Postmortems required: {p.required}: on time {p.on_time}, late {p.late}, overdue draft "
           f"{p.overdue_draft}, missing {p.missing}, not due yet {p.pending}, undated {p.undated}"
           + (f", not public {p.not_public}" if p.not_public else ""))
    for row in p.rows:
        if row.state in ("late", "overdue_draft", "missing", "undated"):
            yield f"  {row.incident} {row.state.replace('_', ' ')} (due {row.due})"
    a = r.actions
    yield (f"Action items due in the window: {a.due_in_window}: closed on time {a.closed_on_time}, late "
           f"{a.closed_late}, closed without a date {a.closed_undated}, still open {a.still_open}; "
           f"dropped {a.wont_do}")
    age = f"{a.median_open_age_days:g} days" if a.median_open_age_days is not None else "-"
    yield (f"Open now: {a.open_now}, overdue {a.overdue_now}" + (f" ({', '.join(a.overdue)})" if a.overdue else "")
           + f"; median age {age} (n={a.open_age_n})")
    yield ""
    yield "On-call load (primary; incidents by the person's own clock)"
    for name, meaning in BUCKET_MEANING.items():
        yield f"  {name.replace('_', ' ')}: {meaning}"
    for x in r.oncall.people:
        yield (f"  {x.name:<20} {x.primary_hours:>7.1f} h ({x.share:.1%}) {x.shifts:>3} shifts  incidents "
               f"{x.incidents}: business {x.business_hours}, evening/weekend {x.evenings_weekends}, "
               f"sleep {x.sleep}")
        for flag in x.flags:
            yield f"    ! {flag}"
    if r.oncall.unattended:
        yield f"  declared with no primary on call: {', '.join(r.oncall.unattended)}"
    yield ""
    yield "Open incidents"
    for o in r.open_incidents:
        yield f"  {o.id} {o.severity} {o.status:<13} open {span(o.age_seconds)}  {o.title}"
    if not r.open_incidents:
        yield "  none"


def csv_rows(r: MetricsReport) -> Iterator[dict]:
    def row(section, group, key, metric, value):
        return {"section": section, "group": group, "key": key, "metric": metric,
                "value": "" if value is None else value}

    yield row("window", "", "", "start", r.window.start.isoformat())
    yield row("window", "", "", "end", r.window.end.isoformat())
    yield row("window", "", "", "now", r.window.now.isoformat())
    groups = [("all", r.response_times)] + [(f"{r.by}:{g.key}", g.measures) for g in r.groups]
    for group, measures in groups:
        for m in measures:
            s = m.summary
            yield row("response_times", group, m.id, "n", s.n)
            for metric in ("median", "p90", "mean"):
                value = getattr(s, f"{metric}_seconds")
                yield row("response_times", group, m.id, f"{metric}_minutes",
                          None if value is None else round(value / 60, 2))
            yield row("response_times", group, m.id, "missing", " ".join(s.missing))
            yield row("response_times", group, m.id, "open", " ".join(s.open))
    c = r.counts
    for name in ("by_severity", "by_service", "by_team", "by_component"):
        for x in getattr(c, name):
            yield row("incidents", name, x.key, "count", x.count)
    for m in c.by_month:
        for severity, count in m.counts.items():
            yield row("incidents", "by_month", m.month, severity, count)
    for x in r.customer_impact or ():
        for status, minutes in x.minutes.items():
            yield row("customer_impact", x.component, status, "minutes", minutes)
        yield row("customer_impact", x.component, "downtime", "minutes", x.downtime_minutes)
    p = r.postmortems
    for state in ("required", "on_time", "late", "overdue_draft", "missing", "pending", "undated", "not_public"):
        yield row("postmortems", "", "", state, getattr(p, state))
    a = r.actions
    for metric in ("due_in_window", "closed_on_time", "closed_late", "closed_undated", "still_open", "wont_do",
                   "open_now", "overdue_now", "median_open_age_days", "open_age_n"):
        yield row("actions", "", "", metric, getattr(a, metric))
    for x in r.oncall.people:
        for metric in ("primary_hours", "share", "backup_hours", "shifts", "incidents", "business_hours",
                       "evenings_weekends", "sleep", "most_in_one_shift"):
            yield row("oncall", x.person, x.timezone, metric, getattr(x, metric))
        yield row("oncall", x.person, x.timezone, "flags", " | ".join(x.flags))
    for o in r.open_incidents:
        yield row("open_incidents", o.severity, o.id, "age_minutes", round(o.age_seconds / 60, 2))


def write_csv(stream: IO[str], r: MetricsReport) -> None:
    from opsbook.csvout import write_csv as write

    write(stream, list(CSV_FIELDS), csv_rows(r))

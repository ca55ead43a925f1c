"""The on-call section: `oncall/index.md`, one page per schedule and per person,
ICS feeds, and the script that keeps "who is on call now" true after the build.

A page built yesterday must not lie today. The index therefore carries the
shifts around the build instant as JSON, and ``assets/opsbook/oncall.js``
recomputes "now" and "next" in the browser; the build-time answer stays in the
HTML as the no-script fallback, labelled with the instant it is true for.
Calendars and shift tables name their dates, so they stay true as they age.

Public builds show names only. Internal builds (``visibility.shows_contacts``)
add each person's phone, Slack and e-mail on the index, schedule and person
pages, so a responder can reach the person on call from the page.

Time-relative lists (upcoming shifts, the next seven days) are rendered over a
wider window with ``render.live`` markers, so the site script shows the rows
that are upcoming by the reader's clock; the month grid colours each person and
marks today the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from opsbook.humanize import duration_text
from opsbook.model.kb import KnowledgeBase
from opsbook.model.schedule import Schedule
from opsbook.oncall.engine import Shift, shifts_between, state_at
from opsbook.oncall.ics import all_feeds, default_window, schedule_label
from opsbook.render import live
from opsbook.render.contacts import contact_html, contact_line, contact_links
from opsbook.render.environment import render_template
from opsbook.render.markdown import (
    Markdown,
    html_text,
    anchor_id,
    md_cell,
    md_escape,
    page_link,
    relative_url,
)
from opsbook.render.page import Asset, Page, Site
from opsbook.timeutil import clock_text, get_zone, start_of_day
from opsbook.visibility import shows_contacts, shows_override_reasons

INDEX = "oncall/index.md"
SCRIPT = "assets/opsbook/oncall.js"
CALENDAR_WEEKS = 5
UPCOMING = timedelta(weeks=1)
PERSON_UPCOMING = timedelta(weeks=8)
# Person pages carry shifts this far ahead, so the script can list the next
# PERSON_UPCOMING from the reader's clock for a while after the build.
PERSON_AHEAD = PERSON_UPCOMING + timedelta(weeks=4)
# The browser script can answer for this long after the build; later it says
# the page is stale and keeps the build-time answer.
EMBED_AHEAD = timedelta(weeks=8)


def schedule_path(schedule_id: str) -> str:
    return f"oncall/{schedule_id}.md"


def person_path(person_id: str) -> str:
    return f"oncall/people/{person_id}.md"


def ics_path(schedule_id: str) -> str:
    return f"oncall/{schedule_id}.ics"


def person_ics_path(person_id: str) -> str:
    return f"oncall/people/{person_id}.ics"


def _name(kb: KnowledgeBase, person: str | None) -> str:
    if person is None:
        return "nobody"
    known = kb.people.get(person)
    return known.name if known else person


def _when(at: datetime | None, zone) -> str:
    if at is None:
        return "—"
    return at.astimezone(zone).strftime("%a %d %b %Y %H:%M %Z")


# --- labels distinguishable without colour --------------------------------------------------


def labels(kb: KnowledgeBase, people: list[str]) -> dict[str, str]:
    """Short unique labels: initials ("MO"), lengthened until unique ("MaO")."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for person in sorted(set(people)):
        words = [w for w in _name(kb, person).replace("-", " ").split() if w] or [person]
        label = "".join(w[0] for w in words[:3]).upper()
        n = 1
        while label in taken:
            n += 1
            label = (words[0][:n] + "".join(w[0] for w in words[1:3])).title() if n <= len(words[0]) \
                else f"{label}{n}"
        taken.add(label)
        out[person] = label
    return out


# --- month grid ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    day: date
    text: Markdown


PERSON_COLOURS = 10
"""Tints in the stylesheet (opsbook-c0 ... opsbook-c9)."""


def colour(kb: KnowledgeBase, person: str) -> str:
    """The person's tint, the same on every page: by their place in people.yaml."""
    order = list(kb.people)
    index = order.index(person) if person in kb.people else len(order) + sum(map(ord, person))
    return f"opsbook-c{index % PERSON_COLOURS}"


def tag(kb: KnowledgeBase, person: str, label: str) -> Markdown:
    """A person's label in their tint. The class is ours and the label escaped."""
    return Markdown(f'<span class="opsbook-who {colour(kb, person)}">{html_text(label)}</span>')


def _grid(kb: KnowledgeBase, schedule: Schedule, shifts: list[Shift], short: dict[str, str],
          now: datetime) -> list[list[Cell]]:
    zone = get_zone(schedule.timezone)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    primaries = [s for s in shifts if s.role == "primary"]
    weeks = []
    for w in range(CALENDAR_WEEKS):
        row = []
        for d in range(7):
            day = monday + timedelta(days=7 * w + d)
            begin, end = start_of_day(day, zone), start_of_day(day + timedelta(days=1), zone)
            who: list[str] = []
            for s in primaries:
                if s.end > begin and s.start < end and (not who or who[-1] != s.person):
                    who.append(s.person)
            label = day.strftime("%d %b") if day.day == 1 or (w == 0 and d == 0) else day.strftime("%d")
            names = " → ".join(tag(kb, p, short[p]) for p in who) if who else "—"
            mark = live.day_marker(day, schedule.timezone, day == today)
            row.append(Cell(day, Markdown(f"{mark}**{md_escape(label)}**<br>{names}")))
        weeks.append(row)
    return weeks


# --- escalation timeline -------------------------------------------------------------------


def resolved(kb: KnowledgeBase, schedule: Schedule, role: str, now: datetime) -> Markdown:
    """Who a (schedule, role) target reaches at ``now``, in a span the on-call
    script updates by the reader's clock (it needs the page's embedded data)."""
    state = state_at(schedule, now)
    person = state.primary if role == "primary" else state.backup
    return Markdown(f'<span data-oncall-resolve="{html_text(schedule.id)}" data-oncall-role="{html_text(role)}">'
                    f'{html_text(_name(kb, person))}</span>')


def _target_text(kb: KnowledgeBase, target, from_page: str, now: datetime | None = None) -> Markdown:
    if target.schedule:
        sched = kb.schedules.get(target.schedule)
        label = f"{sched.name if sched else target.schedule} ({target.role})"
        if not sched:
            return md_escape(label)
        text = page_link(label, from_page, schedule_path(target.schedule))
        if now is not None:
            text = Markdown(f"{text}, now {resolved(kb, sched, target.role, now)}")
        return text
    if target.person:
        return page_link(_name(kb, target.person), from_page, person_path(target.person)) \
            if target.person in kb.people else md_escape(target.person)
    team = kb.teams.get(target.team or "")
    return md_escape(f"everyone on {team.name if team else target.team}")


def _timelines(kb: KnowledgeBase, schedule: Schedule, from_page: str, now: datetime | None = None) -> list[dict]:
    out = []
    for policy in kb.escalation.values():
        if not any(t.schedule == schedule.id for step in policy.steps for t in step.notify):
            continue
        steps = [{"after": duration_text(step.after) if step.after.total_seconds() else "at once",
                  "targets": Markdown("; ".join(_target_text(kb, t, from_page, now) for t in step.notify))}
                 for step in policy.steps]
        services = [svc.name for svc in kb.config.services if svc.escalation == policy.id]
        out.append({"policy": policy, "steps": steps, "services": services})
    return out


# --- "now", with the data for the browser --------------------------------------------------


def _now_block(kb: KnowledgeBase, schedule: Schedule, now: datetime, audience: str = "public") -> Markdown:
    """The build-time answer as HTML the script updates in place; in internal
    builds with how to reach the primary and the backup."""
    zone = get_zone(schedule.timezone)
    state = state_at(schedule, now)
    after = state_at(schedule, state.next_handoff) if state.next_handoff else None
    esc = html_text
    following = (f'{_name(kb, after.primary)} (backup {_name(kb, after.backup)})' if after
                 else "no change scheduled")
    return Markdown(
        f'<div class="opsbook-oncall-now" data-oncall-schedule="{esc(schedule.id)}">\n'
        f'<p><strong>Primary:</strong> <span class="opsbook-oncall-primary">{esc(_name(kb, state.primary))}</span>'
        f' · <strong>Backup:</strong> <span class="opsbook-oncall-backup">{esc(_name(kb, state.backup))}</span></p>\n'
        f'<p><strong>Changes:</strong> <span class="opsbook-oncall-next">{esc(_when(state.next_handoff, zone))}</span>'
        f' · <strong>Next:</strong> <span class="opsbook-oncall-following">{esc(following)}</span>'
        f' <em class="opsbook-oncall-asof">(as of the build, {esc(_when(now, zone))})</em></p>\n'
        f'{_contacts_html(kb, state, audience)}'
        f'</div>')


def _contacts_html(kb: KnowledgeBase, state, audience: str) -> str:
    if not shows_contacts(audience):
        return ""
    def one(person: str | None) -> str:
        return contact_html(kb.people.get(person or ""), audience) or "no contact details"
    return (f'<p class="opsbook-contacts"><strong>Reach primary:</strong> '
            f'<span class="opsbook-oncall-primary-contact">{one(state.primary)}</span>'
            f' · <strong>backup:</strong> <span class="opsbook-oncall-backup-contact">{one(state.backup)}</span></p>\n')


def embedded(kb: KnowledgeBase, now: datetime, from_page: str = INDEX,
             schedules_shown: list[Schedule] | None = None, audience: str = "public") -> Markdown:
    """The shifts of ``schedules_shown`` (default: all) around ``now`` as JSON for
    ``oncall.js``, which every page loads (the plugin lists it under
    ``extra_javascript``: a script tag in a page would need a path that depends on
    the engine's URL style)."""
    start, end = now - timedelta(days=1), now + EMBED_AHEAD
    people: dict[str, str] = {}
    schedules = []
    for schedule in (kb.schedule_list if schedules_shown is None else schedules_shown):
        rows = []
        for s in shifts_between(schedule, start, end):
            rows.append([int(s.start.timestamp() * 1000), int(s.end.timestamp() * 1000), s.role[0], s.person])
            people[s.person] = _name(kb, s.person)
        schedules.append({"id": schedule.id, "zone": schedule.timezone, "shifts": rows})
    data = {"built": int(now.timestamp() * 1000), "from": int(start.timestamp() * 1000),
            "to": int(end.timestamp() * 1000), "people": people, "schedules": schedules}
    if shows_contacts(audience):
        # Internal builds only: the script shows how to reach whoever is on call by the reader's clock.
        data["contacts"] = {p: contact_links(kb.people[p]) for p in people if p in kb.people}
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    # Inside <script>, "</script>" or "<!--" in a name would end the element early.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markdown(f'<script type="application/json" id="opsbook-oncall-data">{text}</script>')


# --- pages ---------------------------------------------------------------------------------


def index_page(site: Site) -> Page:
    kb = site.kb
    rows = []
    for schedule in kb.schedule_list:
        rows.append({
            "schedule": schedule,
            "link": page_link(schedule.name, INDEX, schedule_path(schedule.id)),
            "anchor": anchor_id("schedule", schedule.id),
            "now": _now_block(kb, schedule, site.now, site.audience),
            "ics": page_link(schedule.id + ".ics", INDEX, ics_path(schedule.id)),
        })
    people = sorted({p for s in kb.schedule_list for layer in s.layers for p in layer.members} |
                    {o.person for s in kb.schedule_list for o in s.overrides})
    people_links = []
    for p in people:
        if p in kb.people:
            contacts = contact_line(kb.people[p], site.audience)
            link = page_link(_name(kb, p), INDEX, person_path(p))
            people_links.append(Markdown(f"{link}: {contacts}") if contacts else link)
    markdown = render_template("oncall_index.md.j2", rows=rows, people=people_links,
                               data=embedded(kb, site.now, audience=site.audience) if kb.schedule_list
                               else Markdown(""),
                               built=_when(site.now, kb.zone))
    return Page(INDEX, markdown, None)


def _short(at: datetime, zone) -> str:
    return at.astimezone(zone).strftime("%a %d %b %H:%M %Z")


def _shift_rows(kb: KnowledgeBase, shifts: list[Shift], zone, from_page: str, by_schedule: bool,
                reasons: bool = False, now: datetime | None = None, ahead: timedelta | None = None,
                group: str | None = None) -> list[dict]:
    """Override reasons are often personal; only internal builds show them.

    With ``now`` and ``ahead``, each row carries a marker that shows it while the
    shift is current or starts within ``ahead`` of the reader's clock."""
    rows = []
    for s in shifts:
        schedule = kb.schedules[s.schedule]
        who = (page_link(_name(kb, s.person), from_page, person_path(s.person)) if s.person in kb.people
               else md_escape(s.person))
        rows.append({
            "start": _short(s.start, zone), "end": _short(s.end, zone), "role": s.role,
            "who": who if by_schedule else page_link(schedule_label(kb, schedule), from_page,
                                                     schedule_path(schedule.id)),
            "length": duration_text(s.end - s.start) if (s.end - s.start) % timedelta(minutes=1) == timedelta(0)
            else f"{(s.end - s.start).total_seconds() / 3600:.1f} h",
            "mark": (live.row_marker(now, s.start - ahead, s.end, group) if now is not None and ahead is not None
                     else Markdown("")),
            "note": ("override: " + schedule.overrides[s.override].reason if s.override is not None and reasons
                     and schedule.overrides[s.override].reason else "override" if s.override is not None
                     else f"layer {s.layer}"),
        })
    return rows


def _webcal(kb: KnowledgeBase, rel: str) -> Markdown | None:
    """A webcal:// link for calendar apps, when the site's address is known
    (an http(s) ``site_url``; any other scheme makes no link at all)."""
    from urllib.parse import quote, urlsplit

    from opsbook.model.base import is_web_url
    from opsbook.render.markdown import link_target

    if not is_web_url(kb.config.site_url):
        return None
    parts = urlsplit(kb.config.site_url)
    path = "/".join(quote(part, safe="") for part in (parts.path.rstrip("/") + "/" + rel).split("/"))
    return Markdown(f"<{link_target(f'webcal://{parts.netloc}{path}')}>")


def schedule_page(site: Site, schedule: Schedule) -> Page:
    kb = site.kb
    path = schedule_path(schedule.id)
    zone = get_zone(schedule.timezone)
    horizon_end = site.now + max(timedelta(weeks=CALENDAR_WEEKS + 1), EMBED_AHEAD)
    shifts = shifts_between(schedule, site.now - timedelta(days=7), horizon_end)
    short = labels(kb, [s.person for s in shifts])
    # Every shift not over at the build; the script shows those of the reader's next seven days.
    upcoming = [s for s in shifts if s.end > site.now and s.start < site.now + EMBED_AHEAD]
    now_upcoming = any(s.start < site.now + UPCOMING for s in upcoming)
    members = sorted({p for layer in schedule.layers for p in layer.members} |
                     {o.person for o in schedule.overrides if o.end > site.now},
                     key=lambda p: _name(kb, p).lower())
    contacts = [{"who": page_link(_name(kb, p), path, person_path(p)),
                 "line": contact_line(kb.people[p], site.audience)}
                for p in members if p in kb.people] if shows_contacts(site.audience) else []
    timelines = _timelines(kb, schedule, path, site.now)
    targets = {t.schedule for tl in timelines for step in tl["policy"].steps for t in step.notify if t.schedule}
    shown = [sc for sc in kb.schedule_list if sc.id in targets or sc.id == schedule.id]
    team = kb.teams.get(schedule.team) if schedule.team else None
    overrides = [o for o in schedule.overrides if o.end > site.now]
    markdown = render_template(
        "oncall_schedule.md.j2",
        schedule=schedule,
        team=team.name if team else None,
        index=Markdown(relative_url(path, INDEX)),
        grid=_grid(kb, schedule, shifts, short, site.now),
        legend=[{"label": tag(kb, p, label), "who": page_link(_name(kb, p), path, person_path(p)) if p in kb.people
                 else md_escape(p)} for p, label in sorted(short.items(), key=lambda kv: kv[1])],
        shifts=_shift_rows(kb, upcoming, zone, path, by_schedule=True, reasons=shows_override_reasons(site.audience),
                           now=site.now, ahead=UPCOMING, group="upcoming"),
        empty=live.empty_note("Nobody is on call in the next seven days.", "upcoming", not now_upcoming),
        contacts=contacts,
        data=embedded(kb, site.now, path, shown, site.audience),
        overrides=[{"role": o.role, "who": md_cell(_name(kb, o.person)), "start": _when(o.start, zone),
                    "end": _when(o.end, zone),
                    "reason": md_cell(o.reason) if shows_override_reasons(site.audience) else ""} for o in overrides],
        layers=[{"layer": layer, "members": ", ".join(_name(kb, m) for m in layer.members),
                 "length": duration_text(layer.length),
                 "restrict": "; ".join(f"{', '.join(r.days)} {clock_text(r.from_)}–{clock_text(r.to)}"
                                       for r in layer.restrict) or "always",
                 "backup": ("next member" if layer.backup == "next" else
                            ", ".join(_name(kb, m) for m in layer.backup) if layer.backup else "none")}
                for layer in schedule.layers],
        timelines=timelines,
        ics=page_link(schedule.id + ".ics", path, ics_path(schedule.id)),
        webcal=_webcal(kb, ics_path(schedule.id)),
        built=_when(site.now, zone),
    )
    return Page(path, markdown, schedule.file)


def person_page(site: Site, person: str, shifts: list[Shift]) -> Page:
    """``shifts``: the person's shifts not over at the build, up to PERSON_AHEAD;
    the script shows those within PERSON_UPCOMING of the reader's clock."""
    kb = site.kb
    path = person_path(person)
    known = kb.people.get(person)
    zone_name = known.timezone if known and known.timezone else kb.config.timezone
    zone = get_zone(zone_name)
    now_upcoming = any(s.start < site.now + PERSON_UPCOMING for s in shifts)
    markdown = render_template(
        "oncall_person.md.j2",
        person_name=_name(kb, person),
        zone=zone_name,
        index=Markdown(relative_url(path, INDEX)),
        contacts=contact_line(known, site.audience),
        shifts=_shift_rows(kb, shifts, zone, path, by_schedule=False, reasons=shows_override_reasons(site.audience),
                           now=site.now, ahead=PERSON_UPCOMING, group="upcoming"),
        empty=live.empty_note(f"No shifts in the next {PERSON_UPCOMING.days // 7} weeks.", "upcoming",
                              not now_upcoming),
        weeks=PERSON_UPCOMING.days // 7,
        ics=page_link(person + ".ics", path, person_ics_path(person)),
        webcal=_webcal(kb, person_ics_path(person)),
        built=_when(site.now, zone),
    )
    return Page(path, markdown, None)


def site_pages(site: Site) -> list[Page | Asset]:
    kb = site.kb
    out: list[Page | Asset] = [index_page(site)]
    by_person: dict[str, list[Shift]] = {p: [] for p in kb.people}
    for schedule in kb.schedule_list:
        out.append(schedule_page(site, schedule))
        for s in shifts_between(schedule, site.now, site.now + PERSON_AHEAD):
            by_person.setdefault(s.person, []).append(s)
    for person in sorted(by_person):
        if person in kb.people:
            out.append(person_page(site, person, sorted(by_person[person], key=lambda s: (s.start, s.schedule))))
    start, end = default_window(site.now)
    for rel, data in all_feeds(kb, start, end, site.now, audience=site.audience).items():
        if rel.removeprefix("people/").removesuffix(".ics") in kb.people or not rel.startswith("people/"):
            out.append(Asset(f"oncall/{rel}", data))
    out.append(Asset(SCRIPT, _script()))
    return out


def _script() -> str:
    from importlib.resources import files

    return files("opsbook.render").joinpath("templates/oncall.js").read_text(encoding="utf-8")

"""Steps 1 and 2: the severity ladder (who is paged, how fast, how often we
update) and the incident roles it requires, described where responders read."""

from __future__ import annotations

import re

from opsbook.doctor.common import Judge, listed, make, plural
from opsbook.doctor.model import Item
from opsbook.load import LAYOUT
from opsbook.markdown import section_key


def _ladder_file(judge: Judge) -> str:
    sev = judge.kb.severity_file
    return judge.rel(sev.file) if sev is not None else LAYOUT.severity


def severity_ladder(judge: Judge) -> Item:
    """fail: no ladder, or no level pages anyone. warn: a level without an update
    cadence (update_every), or a paging level without an acknowledgement target
    (ack_within). pass: otherwise."""
    title, file = "Severity ladder with paging rules and update cadence", _ladder_file(judge)
    levels = judge.kb.levels
    if not levels:
        return make(1, "severity-ladder", title, "fail", f"{file} does not exist: there is no severity ladder",
                    file, "write the ladder: levels from most severe, each with page, ack_within and update_every "
                          "(`opsbook init` writes one to start from)")
    paging = [level for level in levels if level.page]
    no_cadence = [level.id for level in levels if level.update_every is None]
    no_ack = [level.id for level in paging if level.ack_within is None]
    counts = (f"{plural(len(levels), 'level')}, {len(paging)} paging"
              + (f" ({listed(level.id for level in paging)})" if paging else ""))
    if not paging:
        return make(1, "severity-ladder", title, "fail", f"{counts}: no level pages anyone, so nobody is woken "
                    "for an outage at night", file, "set page: true on the levels that must reach someone at any hour")
    why = (f"{counts}; {len(levels) - len(no_cadence)} of {len(levels)} set an update cadence (update_every), "
           f"{len(paging) - len(no_ack)} of {len(paging)} paging levels an acknowledgement target (ack_within)")
    if no_cadence or no_ack:
        fixes = []
        if no_cadence:
            fixes.append(f"add update_every to {listed(no_cadence)}")
        if no_ack:
            fixes.append(f"add ack_within to {listed(no_ack)}")
        return make(1, "severity-ladder", title, "warn", why, file, "; ".join(fixes))
    return make(1, "severity-ladder", title, "pass", why, file)


def _role_pattern(role: str) -> re.Pattern:
    # `incident-commander` may be written "incident commander"; a plural counts.
    words = r"[\s_-]+".join(re.escape(part) for part in re.split(r"[_-]+", role) if part)
    return re.compile(rf"(?<![\w]){words}s?(?![\w])", re.IGNORECASE)


def _is_roles_heading(text: str) -> bool:
    return bool(re.search(r"(?<![\w])roles?(?![\w])", section_key(text)))


def roles(judge: Judge) -> Item:
    """Every role the ladder requires (``roles:`` of any level) is described in a
    playbook's section whose heading names roles ("## Roles", "Incident roles").
    fail: no ladder, or no level requires any role. warn: a required role is
    described in no such section. pass: every one is."""
    title, key = "Incident roles defined", "roles"
    kb = judge.kb
    required: list[str] = []
    for level in kb.levels:
        required.extend(role for role in level.roles if role not in required)
    if not required:
        file = _ladder_file(judge)
        what = "there is no severity ladder" if not kb.levels else \
            f"no level of {file} requires a role (roles:), so nobody is named to command an incident"
        return make(2, key, title, "fail", what, file,
                    "list the roles each level needs, e.g. roles: [commander, comms, scribe]")
    sections = [(pb, section) for pb in sorted(kb.playbook_list, key=lambda p: p.id)
                for section in pb.markdown.sections if _is_roles_heading(section.heading.text)]
    described = [role for role in required
                 if any(_role_pattern(role).search(section.text) for _, section in sections)]
    missing = [role for role in required if role not in described]
    why = (f"The ladder requires {plural(len(required), 'role')} ({listed(required, 8)}); "
           f"{len(described)} described in a playbook's roles section"
           + (f" ({judge.rel(sections[0][0].file)})" if sections else " (no playbook has one)"))
    if missing:
        if sections:
            file = judge.rel(sections[0][0].file)
            fix = f"describe {listed(missing, 8)} in its roles section: what each does and does not do"
        else:
            playbooks = sorted(kb.playbook_list, key=lambda p: p.id)
            file = judge.rel(playbooks[0].file) if playbooks else f"{LAYOUT.playbooks}/incident-response.md"
            fix = f"add a '## Roles' section that says what {listed(missing, 8)} each do during an incident"
        return make(2, key, title, "warn", why, file, fix)
    return make(2, key, title, "pass", why, judge.rel(sections[0][0].file))

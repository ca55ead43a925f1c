"""Steps 6 and 7: a template ready for every message an incident sends, and a
status page that shows customers the services they depend on."""

from __future__ import annotations

from opsbook.doctor.common import Judge, listed, make, plural
from opsbook.doctor.model import Item
from opsbook.load import LAYOUT


def comms_templates(judge: Judge) -> Item:
    """One template per message kind (incidents/comms.py ``KINDS``) in
    playbooks/templates/, each rendering in the sandbox against a sample
    incident (as `opsbook validate` renders them). fail: no template at all, or
    one that does not render. warn: a kind without a template, or an open-incident
    message that never says when the next update is due. pass: otherwise."""
    from opsbook.incidents.comms import KINDS, TEMPLATE_DIR, check_templates, template_path

    title, key = "Communication templates for every message kind", "comms-templates"
    kb = judge.kb
    present = [kind for kind in KINDS if template_path(kb.root, kind).is_file()]
    missing = [kind for kind in KINDS if kind not in present]
    if not present:
        return make(6, key, title, "fail", f"None of the {len(KINDS)} message kinds has a template in "
                    f"{TEMPLATE_DIR}/", f"{TEMPLATE_DIR}/",
                    f"write {TEMPLATE_DIR}/<kind>.md for {listed(KINDS, 9)} (`opsbook init` writes one of each)")
    problems = [p for p in check_templates(kb, judge.now) if p.kind in ("error", "next-update")]
    broken = [p for p in problems if p.kind == "error"]
    silent = [p for p in problems if p.kind == "next-update"]
    parts = [f"{len(present)} of {len(KINDS)} message kinds have a template"
             + (f"; none for {listed(missing, 9)}" if missing else "")]
    if broken:
        parts.append(f"{plural(len(broken), 'template')} fail{'s' if len(broken) == 1 else ''} to render, the first "
                     f"{judge.rel(broken[0].path)} line {broken[0].line}: {broken[0].message}")
    if silent:
        parts.append(f"{listed(judge.rel(p.path) for p in silent)} never say{'s' if len(silent) == 1 else ''} "
                     "when the next update is due")
    if not problems:
        parts.append("each renders against a sample incident")
    why = "; ".join(parts)
    if broken:
        return make(6, key, title, "fail", why, judge.rel(broken[0].path),
                    "fix the template so it renders (`opsbook validate` shows the line and the error)")
    if missing or silent:
        file = f"{TEMPLATE_DIR}/{missing[0]}.md" if missing else judge.rel(silent[0].path)
        fixes = ([f"write a template for {listed(missing, 9)}"] if missing else []) + \
            (["add 'Next update by {{ next_update }}.' to each open-incident message"] if silent else [])
        return make(6, key, title, "warn", why, file, "; ".join(fixes))
    return make(6, key, title, "pass", why, f"{TEMPLATE_DIR}/")


def status_page(judge: Judge) -> Item:
    """fail: no status/page.yaml, or a page without components. warn: a tier-1
    service that no component shows (an outage customers feel but cannot see).
    pass: every tier-1 service is behind a component."""
    title, key = "A status page with components", "status-page"
    kb = judge.kb
    if kb.status is None:
        return make(7, key, title, "fail", f"{LAYOUT.status} does not exist: customers have no status page",
                    LAYOUT.status, "write it: the page's name, url and the components customers know "
                                   "(`opsbook init` writes one to start from)")
    file = judge.rel(kb.status.file)
    components = kb.status.components
    if not components:
        return make(7, key, title, "fail", f"{file} lists no components, so no outage can be shown on it", file,
                    "add components (what customers use: checkout, API, dashboard) with the services behind each")
    shown = {service for component in components for service in component.services}
    tier1 = [s.id for s in kb.config.services if s.tier == 1]
    hidden = [sid for sid in tier1 if sid not in shown]
    why = (f"{plural(len(components), 'component')} in {plural(len(kb.status.groups), 'group')}; "
           f"{len(tier1) - len(hidden)} of {plural(len(tier1), 'tier-1 service')} shown by a component"
           + (f"; not {listed(hidden)}" if hidden else ""))
    if hidden:
        return make(7, key, title, "warn", why, file,
                    f"list {listed(hidden)} under the services: of the component customers would see fail")
    return make(7, key, title, "pass", why, file)

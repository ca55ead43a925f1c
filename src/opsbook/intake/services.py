"""Which catalog service an alert is about, and which runbooks cover it."""

from __future__ import annotations

from dataclasses import dataclass

from opsbook.intake.payloads import Alert


@dataclass(frozen=True)
class ServiceMatch:
    service: str | None
    how: str
    """Why: 'label service=payments-api', or why nothing matched."""


def map_service(kb, alert: Alert, label: str) -> ServiceMatch:
    """The service whose id the alert's ``label`` holds (exactly, then ignoring case).
    A PagerDuty event names its PagerDuty service; that name is matched to a
    catalog id or name, ignoring case, so teams need not rename services."""
    services = kb.services
    value = alert.labels.get(label)
    if value is not None:
        if value in services:
            return ServiceMatch(value, f"label {label}={value}")
        folded = {s.casefold(): s for s in services}
        if value.casefold() in folded:
            found = folded[value.casefold()]
            return ServiceMatch(found, f"label {label}={value} (as {found})")
    pd_name = alert.labels.get("pagerduty_service")
    if pd_name is not None:
        for service in kb.config.services:
            if pd_name.casefold() in (service.id.casefold(), service.name.casefold()):
                return ServiceMatch(service.id, f"PagerDuty service '{pd_name}'")
    if value is not None:
        from opsbook.incidents.lifecycle import suggest

        hint = suggest(value, sorted(services))
        return ServiceMatch(None, f"label {label}={value} names no service of opsbook.yaml"
                                  + (f" ({hint})" if hint else ""))
    if pd_name is not None:
        return ServiceMatch(None, f"PagerDuty service '{pd_name}' is no service id or name of opsbook.yaml")
    return ServiceMatch(None, f"the alert has no '{label}' label (intake.service_label in opsbook.yaml)")


def runbooks_for(kb, alert: Alert) -> list[str]:
    """Ids of the runbooks whose ``alerts:`` (or alert-named file) cover the alert:
    exactly, else ignoring case (Prometheus-community runbook names are lower case)."""
    wanted = alert.name
    found = [rb.id for rb in kb.runbook_list if wanted in rb.alert_names]
    if not found:
        folded = wanted.casefold()
        found = [rb.id for rb in kb.runbook_list if folded in (a.casefold() for a in rb.alert_names)]
    return sorted(found)


def runbook_url(alert: Alert) -> str | None:
    """The alert's own ``runbook_url`` annotation, when it is a web address opsbook may link."""
    from opsbook.model.base import is_web_url

    url = alert.annotations.get("runbook_url")
    return url if url and is_web_url(url) else None


def runbooks_covering(root, names: set[str], zone) -> dict[str, list[str]]:
    """Alert name -> ids of the runbooks covering it, reading only the runbook files
    whose text or file name mentions the name (ignoring case): an alert must not wait
    for every runbook of a large knowledge base to be parsed. A mention is necessary
    for coverage (``alerts:`` or the file name), so nothing is missed; each candidate
    is then read with the loader's own model and ``alert_names``."""
    from opsbook.load import LAYOUT, discover, load_markdown_document
    from opsbook.model.runbook import Runbook

    folded = {name: name.casefold() for name in names}
    folder = root / LAYOUT.runbooks
    found: dict[str, set[str]] = {name: set() for name in names}
    for path in discover(root, kinds={"runbook"}).get("runbook", []):
        try:
            text = path.read_text(encoding="utf-8", errors="replace").casefold()
        except OSError:
            continue
        stem = path.stem.casefold()
        wanted = [n for n, f in folded.items() if f in text or f in stem]
        if not wanted:
            continue
        doc, _ = load_markdown_document(Runbook, path, zone)
        if doc is None:
            continue
        doc._id = path.relative_to(folder).with_suffix("").as_posix()
        exact = set(doc.alert_names)
        loose = {a.casefold() for a in exact}
        for name in wanted:
            if name in exact or folded[name] in loose:
                found[name].add(doc.id)
    return {name: sorted(ids) for name, ids in found.items()}

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

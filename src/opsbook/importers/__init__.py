"""Importers: PagerDuty, Opsgenie and Grafana OnCall API responses into opsbook files,
and the parallel run that proves the result (``verify``).

Layers: ``source`` (JSON files, JSON paths in errors) -> one module per vendor
(responses -> ``ir``, the vendor's meaning, nothing decided) -> ``mapping``
(``ir`` -> opsbook data, exactly, or an ``Unmappable`` with reason, action and
the model extension it would need) -> ``plan`` (ids, merges, refusals, texts
validated with the loader's models; writes) -> ``report``. No Click here.
"""

from __future__ import annotations

VENDORS = ("pagerduty", "opsgenie", "grafana-oncall")


def vendor_module(vendor: str):
    import importlib

    name = {"pagerduty": "pagerduty", "opsgenie": "opsgenie", "grafana-oncall": "grafana_oncall"}[vendor]
    return importlib.import_module(f"opsbook.importers.{name}")

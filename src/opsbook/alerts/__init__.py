"""Prometheus alerting rules and the runbooks that cover them.

``rules``: read rule files and ``PrometheusRule`` manifests safely, every alert
with its file, line, severity label and ``runbook_url``. ``coverage``: match
alerts to runbooks (by ``alerts:``, by file name, by ``runbook_url``) and list
what is missing, orphaned or pointing nowhere.
"""

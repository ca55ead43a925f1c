"""Alert intake: monitoring payloads read as hostile input, mapped to the knowledge base.

``payloads`` reads Alertmanager (webhook version 4), PagerDuty (V3 webhook events)
and plain label/annotation JSON into one ``Alert`` form; ``fingerprint`` is
Alertmanager's label-set hash; ``services`` maps an alert to the catalog;
``rules`` evaluates the severity ladder's rules; ``model`` holds the --json
answers. Nothing here writes files: ``incidents.from_alert`` does.
"""

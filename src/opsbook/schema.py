"""JSON Schemas for editors, generated from the models (never written by hand)."""

from __future__ import annotations

import json

from pydantic import BaseModel

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _kinds() -> dict[str, tuple[type[BaseModel], str]]:
    from opsbook.model.escalation import EscalationFile
    from opsbook.model.incident import Incident
    from opsbook.model.org import OrgConfig
    from opsbook.model.people import PeopleFile
    from opsbook.model.postmortem import Postmortem
    from opsbook.model.runbook import Playbook, Runbook
    from opsbook.model.schedule import Schedule
    from opsbook.model.severity import SeverityFile
    from opsbook.model.statuspage import StatusPage

    return {
        "opsbook": (OrgConfig, "opsbook.yaml: organisation, service catalog, policies"),
        "people": (PeopleFile, "schedules/people.yaml: people and teams"),
        "schedule": (Schedule, "schedules/<id>.yaml: an on-call schedule"),
        "escalation": (EscalationFile, "schedules/escalation.yaml: escalation policies"),
        "severity": (SeverityFile, "playbooks/severity.yaml: the severity ladder"),
        "incident": (Incident, "incidents/<id>.yaml: an incident record"),
        "statuspage": (StatusPage, "status/page.yaml: the status page"),
        "runbook": (Runbook, "runbooks/**/*.md front matter"),
        "playbook": (Playbook, "playbooks/*.md front matter"),
        "postmortem": (Postmortem, "postmortems/**/*.md front matter"),
    }


def schemas() -> dict[str, str]:
    """File name -> schema text, deterministic so staleness is a byte compare."""
    out = {}
    for name, (model, title) in _kinds().items():
        schema = model.model_json_schema(by_alias=True)
        schema = {"$schema": SCHEMA_DIALECT, "$id": f"https://opsbook.dev/schemas/{name}.schema.json",
                  "title": title, **{k: v for k, v in schema.items() if k != "title"}}
        out[f"{name}.schema.json"] = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return out

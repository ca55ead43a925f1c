"""Which model describes each command's --json document.

Kept here, in the core, so that `opsbook init` and `opsbook schema` can write
the schemas without importing the CLI; tests/test_json_outputs.py walks every
Click command and fails when one that prints JSON is missing from this table.
"""

from __future__ import annotations

import importlib
import json

from opsbook.schema import SCHEMA_DIALECT

# "command path" -> "module:Class" (strings: importing a model costs pydantic)
OUTPUTS: dict[str, str] = {
    "actions list": "opsbook.outputs.actions:ActionItemList",
    "actions done": "opsbook.outputs.actions:ActionItemChange",
    "actions reopen": "opsbook.outputs.actions:ActionItemChange",
    "comms": "opsbook.outputs.incidents:CommsMessage",
    "diff": "opsbook.diff.model:DiffReport",
    "doctor": "opsbook.doctor.model:Scorecard",
    "handoff": "opsbook.outputs.handoff:HandoffAnswer",
    "escalation": "opsbook.oncall.escalation:EscalationTimeline",
    "import pagerduty": "opsbook.outputs.imports:ImportAnswer",
    "import opsgenie": "opsbook.outputs.imports:ImportAnswer",
    "import grafana-oncall": "opsbook.outputs.imports:ImportAnswer",
    "import verify": "opsbook.outputs.imports:VerifyAnswer",
    "incident new": "opsbook.outputs.incidents:IncidentNew",
    "incident update": "opsbook.outputs.incidents:IncidentChanged",
    "incident note": "opsbook.outputs.incidents:IncidentChanged",
    "incident resolve": "opsbook.outputs.incidents:IncidentChanged",
    "incident list": "opsbook.outputs.incidents:IncidentList",
    "incident show": "opsbook.outputs.incidents:IncidentShown",
    "incident severity": "opsbook.incidents.midincident:SeverityChanged",
    "incident assign": "opsbook.incidents.midincident:RolesAssigned",
    "init": "opsbook.outputs.site:InitAnswer",
    "metrics": "opsbook.metrics.model:MetricsReport",
    "oncall now": "opsbook.outputs.oncall:OnCallAnswer",
    "oncall at": "opsbook.outputs.oncall:OnCallAnswer",
    "oncall shifts": "opsbook.outputs.oncall:Shifts",
    "oncall gaps": "opsbook.outputs.oncall:Gaps",
    "oncall report": "opsbook.outputs.oncall:LoadReport",
    "oncall ics": "opsbook.outputs.oncall:Feeds",
    "oncall override": "opsbook.incidents.midincident:OverrideAdded",
    "postmortem new": "opsbook.outputs.postmortems:PostmortemNew",
    "postmortem import": "opsbook.outputs.postmortems:PostmortemImport",
    "render": "opsbook.outputs.site:RenderAnswer",
    "runbooks coverage": "opsbook.outputs.runbooks:Coverage",
    "runbooks urls": "opsbook.outputs.runbooks:RunbookUrls",
    "schema": "opsbook.outputs.site:SchemaAnswer",
    "severity": "opsbook.outputs.incidents:Ladder",
    "severity classify": "opsbook.intake.model:SeverityClassifyAnswer",
    "status": "opsbook.outputs.status:StatusSummary",
    "status build": "opsbook.outputs.status:StatusBuild",
    "validate": "opsbook.outputs.validation:ValidationReport",
}

ERROR = "opsbook.outputs:ErrorDocument"


def model(reference: str):
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


def schema_name(command: str) -> str:
    """`oncall now` -> ``output/oncall-now.schema.json``."""
    return f"output/{command.replace(' ', '-')}.schema.json"


def output_schemas() -> dict[str, str]:
    """File name (under schemas/) -> schema text, deterministic like the file schemas."""
    out = {}
    for command, reference in sorted({**OUTPUTS, "error": ERROR}.items()):
        schema = model(reference).model_json_schema(by_alias=True, mode="serialization")
        title = ("what any command prints under --json when it fails" if command == "error"
                 else f"`opsbook {command} --json`")
        document = {"$schema": SCHEMA_DIALECT, "$id": f"https://opsbook.dev/schemas/{schema_name(command)}",
                    "title": title, **{k: v for k, v in schema.items() if k != "title"}}
        out[schema_name(command)] = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return out

"""Severity rules as data: each rule of the example ladder against payloads shaped
like the vendors' documented ones, precedence, the default, malformed payloads
with located errors, and validation of the rules (OB801-OB804)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import BASE_FILES, codes, invoke, make_kb, run_validate

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "intake"


def classify(payload: dict | str, root: Path = REPO, *extra: str):
    text = payload if isinstance(payload, str) else json.dumps(payload)
    from click.testing import CliRunner

    from opsbook.cli import cli

    return CliRunner().invoke(cli, ["--root", str(root), "severity", "classify", "--alert", "-", *extra],
                              input=text, catch_exceptions=False)


def plain(**labels) -> dict:
    return {"labels": {"alertname": "TestAlert", **labels}, "annotations": {"summary": "test"}}


# Hand-worked against playbooks/severity.yaml: (labels, level, rule id). Tiers from opsbook.yaml:
# payments-api 1, payouts-worker 2, reporting-pipeline 3, auth-service 1.
EXAMPLE_CASES = [
    # each rule, first where it is the first to match
    ({"service": "reporting-pipeline", "data_loss": "true"}, "SEV0", "data-loss"),
    ({"service": "reporting-pipeline", "data_loss": "True"}, "SEV0", "data-loss"),  # booleans ignore case
    ({"service": "auth-service", "category": "security"}, "SEV1", "security-event-tier-1"),
    ({"service": "payments-api", "users_affected_percent": "80"}, "SEV1", "most-users-tier-1"),
    ({"service": "payments-api", "users_affected_percent": "85%"}, "SEV1", "most-users-tier-1"),
    ({"service": "payouts-worker", "error_rate_percent": "50", "revenue_impact": "true"}, "SEV1",
     "errors-with-revenue-impact"),
    ({"service": "payments-api", "error_rate_percent": "20.5"}, "SEV1", "checkout-errors-tier-1"),
    ({"service": "reporting-pipeline", "priority": "P1"}, "SEV1", "pagerduty-p1"),
    ({"service": "payouts-worker", "error_rate_percent": "5"}, "SEV2", "some-users-or-errors"),
    ({"service": "reporting-pipeline", "users_affected_percent": "10"}, "SEV2", "some-users-or-errors"),
    ({"service": "payments-api", "latency_p99_seconds": "2.5"}, "SEV2", "slow-tier-1"),
    ({"service": "payments-api"}, "SEV2", "tier-1-other"),
    # edges: one below each threshold falls through
    ({"service": "payments-api", "users_affected_percent": "79.9"}, "SEV2", "some-users-or-errors"),
    ({"service": "payouts-worker", "error_rate_percent": "49.9", "revenue_impact": "true"}, "SEV2",
     "some-users-or-errors"),
    ({"service": "payments-api", "error_rate_percent": "20"}, "SEV2", "some-users-or-errors"),  # gt 20, not ge
    ({"service": "payments-api", "latency_p99_seconds": "2"}, "SEV2", "tier-1-other"),
    # security on a tier-2 service is not the tier-1 rule
    ({"service": "payouts-worker", "category": "security"}, "SEV3", None),
    # precedence: data loss beats everything after it
    ({"service": "payments-api", "data_loss": "true", "category": "security", "error_rate_percent": "99"},
     "SEV0", "data-loss"),
    # not numbers: no numeric rule matches, the default decides
    ({"service": "payouts-worker", "error_rate_percent": "lots"}, "SEV3", None),
    ({"service": "payouts-worker", "error_rate_percent": "NaN"}, "SEV3", None),
    ({"service": "payouts-worker", "error_rate_percent": "inf"}, "SEV3", None),
    # the default, and no service at all
    ({"service": "reporting-pipeline"}, "SEV3", None),
    ({}, "SEV3", None),
    ({"service": "no-such-service"}, "SEV3", None),
]


@pytest.mark.parametrize("labels,level,rule", EXAMPLE_CASES)
def test_each_rule_of_the_example_ladder(labels, level, rule):
    result = classify(plain(**labels), REPO, "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert (answer["level"], answer["rule"]) == (level, rule)


def test_the_text_answer_names_the_rule_and_why():
    result = classify(plain(service="payments-api", error_rate_percent="27"))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "SEV1 (Critical): rule 'checkout-errors-tier-1' (More than 20 % errors on a tier-1 " \
                       "service (the ladder's SEV1 example))"
    assert "because labels.error_rate_percent is '27', > 20" in result.stdout
    assert "because service.tier is 1, = 1" in result.stdout


def test_alertmanager_group_of_three_takes_the_most_severe_and_counts_services():
    result = invoke("--root", str(REPO), "severity", "classify", "--alert",
                    str(FIXTURES / "alertmanager-three.json"), "--json")
    answer = json.loads(result.stdout)
    assert answer["source"] == "alertmanager"
    assert answer["services"] == ["checkout-web", "payments-api", "payouts-worker"]
    # three services in one page -> many-services (SEV1) for the first alert, which rule order reaches
    # before anything else; payments-api at 27 % on tier 1 meets the tier-1 error rule first.
    assert [(a["service"], a["level"], a["rule"]) for a in answer["alerts"]] == [
        ("checkout-web", "SEV1", "many-services"),
        ("payments-api", "SEV1", "checkout-errors-tier-1"),
        ("payouts-worker", "SEV1", "many-services"),
    ]
    assert answer["level"] == "SEV1"
    assert [a["fingerprint"] for a in answer["alerts"]] == ["1f4e2a7b9c0d3e65", "8a0b6c2d4e1f3a59",
                                                            "c3d2e1f0a9b8c7d6"]


def test_pagerduty_v3_event_maps_its_service_by_name_and_priority():
    result = invoke("--root", str(REPO), "severity", "classify", "--alert",
                    str(FIXTURES / "pagerduty-triggered.json"), "--json")
    answer = json.loads(result.stdout)
    assert (answer["source"], answer["level"], answer["rule"]) == ("pagerduty", "SEV1", "pagerduty-p1")
    assert answer["alerts"][0]["service"] == "invoicing-api"
    assert answer["alerts"][0]["fingerprint"] == "pagerduty-PT4KHLK"


def test_a_resolved_alert_does_not_outrank_a_firing_one():
    payload = json.loads((FIXTURES / "alertmanager-three.json").read_text())
    payload["alerts"] = payload["alerts"][:2]
    payload["alerts"][0]["labels"]["data_loss"] = "true"
    payload["alerts"][0]["status"] = "resolved"
    answer = json.loads(classify(payload, REPO, "--json").stdout)
    assert answer["level"] == "SEV1" and answer["alert"] == "CheckoutErrorRateHigh"
    assert answer["alerts"][0]["level"] == "SEV0"


# --- malformed payloads: exit 2, located -------------------------------------------------

BAD_PAYLOADS = [
    ("", "<stdin>: empty; expected a JSON object"),
    ("[1, 2]", "<stdin>:1:1: $: expected a JSON object; got a list"),
    ('{"labels": {"alertname": "X"}', "<stdin>:1:30: not valid JSON"),
    ('{"labels": {"alertname": "X", "v": NaN}}', "<stdin>: not valid JSON: NaN is not JSON"),
    ('{\n  "labels": {\n    "alertname": 5\n  }\n}', "<stdin>:3:18: $.labels.alertname: expected a string; got a number"),
    ('{"labels": {"service": "payments-api"}}', "$.labels: no alertname label"),
    ('{"labels": {"alert name": "X"}}', "$.labels[\"alert name\"]: 'alert name' is not a label name"),
    ('{"labels": {"alertname": "X"}, "status": "burning"}', "$.status: 'burning': expected firing or resolved"),
    ('{"version": "3", "groupKey": "g", "alerts": []}', "$.version: Alertmanager webhook version \"3\""),
    ('{"version": "4", "groupKey": "g", "alerts": []}', "$.alerts: the group holds no alerts"),
    ('{"version": "4", "groupKey": "g", "alerts": [{"status": "firing", "labels": {"alertname": "X"}, '
     '"startsAt": "yesterday"}]}', "$.alerts[0].startsAt: 'yesterday' is not an RFC 3339 time"),
    ('{"event": {"event_type": "service.updated", "resource_type": "service", "data": {}}}',
     "is not an incident event"),
    ('{"messages": [{"event": "incident.trigger"}]}', "PagerDuty V2 webhook"),
]


@pytest.mark.parametrize("text,message", BAD_PAYLOADS)
def test_malformed_payloads_are_located_usage_errors(text, message):
    result = classify(text)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_invalid_utf8_is_located(tmp_path):
    path = tmp_path / "alert.json"
    path.write_bytes(b'{"labels": {"alertname": "X\xff"}}')
    result = invoke("--root", str(REPO), "severity", "classify", "--alert", str(path))
    assert result.exit_code == 2 and f"{path}:1:28: byte 0xff is not UTF-8" in result.stderr


def test_missing_file_is_an_io_error(tmp_path):
    result = invoke("--root", str(REPO), "severity", "classify", "--alert", str(tmp_path / "nope.json"))
    assert result.exit_code == 2 and "cannot read it" in result.stderr


def test_hostile_label_values_are_shown_escaped():
    result = classify(plain(service="payments-api\r\n\x1b[31m", error_rate_percent="<b>99</b>"))
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\r" not in result.stdout
    assert "names no service" in result.stdout  # a CR makes it no service id


# --- rule semantics on a small ladder -----------------------------------------------------

def ladder(rules: str, default: str = "") -> dict:
    sev = BASE_FILES["playbooks/severity.yaml"]
    return {"playbooks/severity.yaml": sev + rules + default}


def test_and_or_not_in_exists(tmp_path):
    root = make_kb(tmp_path, ladder("""\
rules:
  - id: not-staging
    level: SEV1
    when:
      and:
        - not: {field: labels.env, in: [staging, dev]}
        - or:
            - {field: annotations.customer_facing, exists: true}
            - {field: labels.team, eq: payments}
  - id: resolved-only
    level: SEV2
    when: {field: status, eq: resolved}
""", "default_level: SEV3\n"))
    cases = [
        ({"labels": {"alertname": "A", "env": "prod", "team": "payments"}}, "SEV1", "not-staging"),
        ({"labels": {"alertname": "A", "env": "staging", "team": "payments"}}, "SEV3", None),
        ({"labels": {"alertname": "A", "team": "payments"}}, "SEV1", "not-staging"),  # absent env: not in
        ({"labels": {"alertname": "A"}, "annotations": {"customer_facing": ""}}, "SEV1", "not-staging"),
        ({"labels": {"alertname": "A"}, "status": "resolved"}, "SEV2", "resolved-only"),
        ({"labels": {"alertname": "A"}}, "SEV3", None),
    ]
    for payload, level, rule in cases:
        answer = json.loads(classify(payload, root, "--json").stdout)
        assert (answer["level"], answer["rule"]) == (level, rule), payload


def test_without_default_level_the_least_severe_level(tmp_path):
    root = make_kb(tmp_path, ladder("rules:\n  - {id: never, level: SEV1, when: {field: labels.x, eq: y}}\n"))
    answer = json.loads(classify(plain(), root, "--json").stdout)
    assert (answer["level"], answer["rule"]) == ("SEV3", None)
    assert answer["reasons"] == ["no rule matched; the least severe level (no default_level)"]


def test_a_ladder_without_rules_says_how_to_add_them(tmp_path):
    root = make_kb(tmp_path)
    result = classify(plain(), root)
    assert result.exit_code == 2 and "has no `rules`" in result.stderr


def test_service_label_is_configurable(tmp_path):
    config = BASE_FILES["opsbook.yaml"] + "intake:\n  service_label: app\n"
    files = ladder("rules:\n  - {id: tier-1, level: SEV1, when: {field: service.tier, eq: 1}}\n")
    root = make_kb(tmp_path, {**files, "opsbook.yaml": config})
    answer = json.loads(classify(plain(app="payments-api", service="checkout-web"), root, "--json").stdout)
    assert (answer["level"], answer["services"]) == ("SEV1", ["payments-api"])


# --- validation ---------------------------------------------------------------------------

def test_example_rules_validate_clean():
    code, report = run_validate(REPO, now="2026-11-20T15:00:00Z")
    assert not [d for d in report["diagnostics"] if d["code"].startswith("OB8")]


def test_rules_findings_are_located(tmp_path):
    rules = """\
rules:
  - id: catch-all
    level: SEV2
  - id: typo-level
    level: SEV9
  - id: typo-field
    level: SEV1
    when:
      and:
        - {field: lables.env, eq: prod}
        - not: {field: labels.bad-name, exists: true}
  - id: catch-all
    level: SEV1
    when: {field: service.tier, eq: 1}
"""
    root = make_kb(tmp_path, ladder(rules, "default_level: SEV7\n"))
    code, report = run_validate(root)
    assert code == 1
    found = [(d["code"], d["line"], d["message"]) for d in report["diagnostics"] if d["code"].startswith("OB8")]
    base = BASE_FILES["playbooks/severity.yaml"].count("\n")
    assert (("OB801", base + 15, "default_level 'SEV7' is not a level of the ladder") in found)
    assert ("OB801", base + 5, "rule 'typo-level' gives level 'SEV9', which the ladder does not define") in found
    assert ("OB802", base + 10, "rule 'typo-field': unknown field 'lables.env'") in found
    assert ("OB802", base + 11, "rule 'typo-field': 'bad-name' is not a label or annotation name "
                                "(letters, digits and _)") in found
    unreachable = [f for f in found if f[0] == "OB803"]
    assert [f[1] for f in unreachable] == [base + 4, base + 6, base + 12]
    assert ("OB804", base + 12, "rule id 'catch-all' is used by rule 1 already") in found
    hint = next(d["hint"] for d in report["diagnostics"] if d["code"] == "OB802")
    assert "did you mean 'labels.env'?" in hint


@pytest.mark.parametrize("when,message", [
    ("{field: labels.x}", "needs exactly one comparison"),
    ("{field: labels.x, eq: a, ne: b}", "needs exactly one comparison"),
    ("{eq: a}", "compares a field"),
    ("{and: [], or: []}", ""),
    ("{field: labels.x, gt: lots}", ""),
])
def test_malformed_conditions_are_schema_errors(tmp_path, when, message):
    root = make_kb(tmp_path, ladder(f"rules:\n  - id: r\n    level: SEV1\n    when: {when}\n"))
    code, report = run_validate(root)
    assert code == 1
    diag = next(d for d in report["diagnostics"] if d["file"].endswith("severity.yaml"))
    assert diag["code"].startswith("OB1") and message in diag["message"]


def test_both_classify_answers_fit_the_declared_output_model():
    from opsbook.outputs.registry import OUTPUTS, model

    answer_model = model(OUTPUTS["severity classify"])
    by_rules = json.loads(classify(plain(service="payments-api"), REPO, "--json").stdout)
    by_tree = json.loads(invoke("--root", str(REPO), "severity", "classify", "--answer", "money-or-data=yes",
                                "--json").stdout)
    for document in (by_rules, by_tree):
        assert answer_model.model_validate(document).model_dump(mode="json") == document


def test_a_payload_over_the_size_cap_is_refused():
    from opsbook.intake.payloads import MAX_BYTES

    big = json.dumps({"labels": {"alertname": "X"}, "annotations": {"description": "x" * MAX_BYTES}})
    result = classify(big)
    assert result.exit_code == 2 and "larger than 4 MB" in result.stderr

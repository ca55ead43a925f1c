"""A payload's severity by the ladder's rules: each alert decided, the most severe kept."""

from __future__ import annotations

from opsbook.intake.model import AlertClassification, AlertDecision
from opsbook.intake.payloads import Payload
from opsbook.intake.rules import Decision, Facts, decide, field_problem, most_severe
from opsbook.intake.services import ServiceMatch, map_service


class RulesError(Exception):
    """Rules that cannot be evaluated (an unknown level or field): `opsbook validate` says where."""


def rules_problems(severity_file) -> list[str]:
    """What stops the rules being evaluated; the located findings are OB801-OB803."""
    levels = {level.id for level in severity_file.levels}
    problems = []
    for rule in severity_file.rules:
        if rule.level not in levels:
            problems.append(f"rule '{rule.id}' gives unknown level '{rule.level}'")
        for field in _fields(rule.when):
            why = field_problem(field)
            if why:
                problems.append(f"rule '{rule.id}': {why}")
    if severity_file.default_level and severity_file.default_level not in levels:
        problems.append(f"default_level '{severity_file.default_level}' is not a level")
    return problems


def _fields(condition) -> list[str]:
    if condition is None:
        return []
    if condition.field is not None:
        return [condition.field]
    out = []
    for part in (condition.and_ or []) + (condition.or_ or []) + ([condition.not_] if condition.not_ else []):
        out += _fields(part)
    return out


def classify_payload(kb, payload: Payload) -> tuple[AlertClassification, list[tuple[object, Decision, ServiceMatch]]]:
    """The answer, and per alert (alert, decision, service match) for callers that go on to declare."""
    severity_file = kb.severity_file
    problems = rules_problems(severity_file)
    if problems:
        raise RulesError("; ".join(problems) + "; run `opsbook validate`")
    label = kb.config.intake.service_label
    matches = [map_service(kb, alert, label) for alert in payload.alerts]
    services = sorted({m.service for m in matches if m.service})
    per_alert = []
    for alert, match in zip(payload.alerts, matches):
        facts = Facts(alert, kb.services.get(match.service) if match.service else None, len(services))
        per_alert.append((alert, decide(severity_file, facts), match))
    order = [level.id for level in severity_file.levels]
    alert, decision = most_severe(order, [(a, d) for a, d, _ in per_alert])
    level = kb.severities[decision.level]
    answer = AlertClassification(
        source=payload.source, level=level.id, level_name=level.name,
        rule=decision.rule.id if decision.rule else None,
        rule_description=decision.rule.description if decision.rule else "",
        reasons=decision.reasons, alert=alert.name, services=services,
        alerts=[AlertDecision(alert=a.name, fingerprint=a.fingerprint, status=a.status, service=m.service,
                              service_match=m.how, level=d.level, rule=d.rule.id if d.rule else None,
                              reasons=d.reasons) for a, d, m in per_alert],
        notes=list(payload.notes))
    return answer, per_alert

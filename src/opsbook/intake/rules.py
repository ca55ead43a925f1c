"""The severity ladder's rules, evaluated against an alert.

First match wins; no match gives ``default_level`` (else the least severe
level). Every decision carries the reasons a responder can check against the
payload: which values were compared with what.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from opsbook.intake.payloads import FIRING, Alert
from opsbook.model.severity import Condition, SeverityRule

EXACT_FIELDS: tuple[str, ...] = ("status", "source", "service", "service.tier", "service.team", "services.count")
PREFIXES: tuple[str, ...] = ("labels.", "annotations.")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def field_problem(name: str) -> str | None:
    """Why ``name`` is not a field rules can read; None when it is one."""
    if name in EXACT_FIELDS:
        return None
    for prefix in PREFIXES:
        if name.startswith(prefix):
            rest = name[len(prefix):]
            if _NAME.match(rest):
                return None
            return f"'{rest}' is not a label or annotation name (letters, digits and _)"
    return f"unknown field '{name}'"


def known_fields() -> list[str]:
    return [*EXACT_FIELDS, "labels.NAME", "annotations.NAME"]


@dataclass(frozen=True)
class Facts:
    """What the rules may read about one alert."""

    alert: Alert
    service: object | None
    """The catalog service it maps to (model.org.Service), or None."""
    services_count: int

    def value(self, name: str):
        if name.startswith("labels."):
            return self.alert.labels.get(name[7:])
        if name.startswith("annotations."):
            return self.alert.annotations.get(name[12:])
        if name == "status":
            return self.alert.status
        if name == "source":
            return self.alert.source
        if name == "services.count":
            return self.services_count
        if name == "service":
            return getattr(self.service, "id", None)
        if name == "service.tier":
            return getattr(self.service, "tier", None)
        if name == "service.team":
            return getattr(self.service, "team", None)
        raise KeyError(name)  # validate refuses such a rule (OB802); the CLI checks before evaluating


def as_number(value) -> float | None:
    """A value read as a number: ints as they are, strings like "62", "0.5", "85%"."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().removesuffix("%").strip()
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _equal(value, operand) -> bool:
    if value is None:
        return False
    if isinstance(operand, bool):
        return str(value).strip().casefold() == ("true" if operand else "false")
    if isinstance(operand, (int, float)):
        number = as_number(value)
        return number is not None and number == float(operand)
    return str(value) == operand


def _shown(value) -> str:
    if value is None:
        return "absent"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return str(value).lower()
    return f"{value:g}" if isinstance(value, float) else str(value)


SYMBOLS = {"eq": "=", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}


def evaluate(condition: Condition, facts: Facts) -> tuple[bool, list[str]]:
    """(matches, reasons): reasons say what was compared, for the matching path."""
    if condition.and_ is not None:
        reasons: list[str] = []
        for part in condition.and_:
            ok, why = evaluate(part, facts)
            if not ok:
                return False, why
            reasons += why
        return True, reasons
    if condition.or_ is not None:
        misses: list[str] = []
        for part in condition.or_:
            ok, why = evaluate(part, facts)
            if ok:
                return True, why
            misses += why
        return False, misses
    if condition.not_ is not None:
        ok, why = evaluate(condition.not_, facts)
        return (not ok), [f"not ({'; '.join(why)})"]
    op, operand = condition.comparison
    value = facts.value(condition.field)
    where = f"{condition.field} is {_shown(value)}"
    if op == "exists":
        return (value is not None) == operand, [where + (" (present)" if value is not None else "")]
    if op == "in":
        ok = any(_equal(value, item) for item in operand)
        return ok, [f"{where}, {'in' if ok else 'not in'} [{', '.join(_shown(i) for i in operand)}]"]
    if op in ("eq", "ne"):
        same = _equal(value, operand)
        ok = same if op == "eq" else not same
        return ok, [f"{where}, {'' if ok else 'not '}{SYMBOLS[op]} {_shown(operand)}"]
    number = as_number(value)
    if number is None:
        return False, [f"{where}, not a number to compare {SYMBOLS[op]} {_shown(operand)}"]
    ok = {"gt": number > operand, "ge": number >= operand, "lt": number < operand, "le": number <= operand}[op]
    return ok, [f"{where}, {'' if ok else 'not '}{SYMBOLS[op]} {_shown(operand)}"]


@dataclass(frozen=True)
class Decision:
    level: str
    rule: SeverityRule | None
    """None: no rule matched and the default gave the level."""
    reasons: list[str]


def default_level(severity_file) -> str:
    return severity_file.default_level or severity_file.levels[-1].id


def decide(severity_file, facts: Facts) -> Decision:
    for rule in severity_file.rules:
        if rule.when is None:
            return Decision(rule.level, rule, ["matches every alert"])
        ok, reasons = evaluate(rule.when, facts)
        if ok:
            return Decision(rule.level, rule, reasons)
    level = default_level(severity_file)
    how = "default_level" if severity_file.default_level else "the least severe level (no default_level)"
    return Decision(level, None, [f"no rule matched; {how}"])


def most_severe(levels_in_order: list[str], decisions: list[tuple[Alert, Decision]]) -> tuple[Alert, Decision]:
    """The decision for the payload: the most severe among firing alerts (all alerts
    when none fires), the first alert on a tie."""
    pool = [d for d in decisions if d[0].status == FIRING] or decisions
    rank = {level: i for i, level in enumerate(levels_in_order)}
    return min(pool, key=lambda d: rank.get(d[1].level, len(rank)))

"""Prometheus rule files and Kubernetes ``PrometheusRule`` manifests: the alerts they define.

Rule files come from other repositories and Helm output, so they are read like
any hostile input: UTF-8 with the size cap, YAML with the safe loader and the
nesting and alias-expansion caps of ``yamlsource``, several documents per file
(``---``), and every problem a located diagnostic (OB703), never a traceback.
The walk reads the node tree (groups, rules, labels, annotations) instead of
constructing values, so every alert keeps its line.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path

import yaml

from opsbook.diagnostics import RULE_FILE, Diagnostic, shown
from opsbook.yamlsource import (
    MAX_EXPANDED_NODES,
    OpsbookLoader,
    _check_depth,
    _expanded_size,
    _yaml_error,
    read_text,
)

RULE_FILE_MAX_BYTES = 16 * 1024 * 1024  # a whole cluster's rules in one Helm output


@dataclass(frozen=True)
class AlertRule:
    name: str
    file: Path
    line: int
    group: str
    severity: str | None
    runbook_url: str | None
    runbook_url_line: int


def expand_rule_paths(root: Path, patterns: list[str]) -> tuple[list[Path], list[str]]:
    """Files named by paths or globs (relative to ``root``), and the patterns that name nothing."""
    found: list[Path] = []
    unmatched: list[str] = []
    for pattern in patterns:
        full = pattern if Path(pattern).is_absolute() else str(root / pattern)
        if glob.has_magic(pattern):
            matches = _glob(Path(full))
        else:
            matches = [Path(full)] if Path(full).is_file() else []
            if Path(full).is_dir():
                matches = sorted(p for p in Path(full).rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        if not matches:
            unmatched.append(pattern)
        for path in matches:
            if path not in found:
                found.append(path)
    return found, unmatched


def _glob(pattern: Path) -> list[Path]:
    """Files matching ``pattern``. pathlib's ``**`` does not descend into symlinked
    folders (glob.glob does, and a link to a parent folder never ends)."""
    parts = pattern.parts
    first_magic = next(i for i, part in enumerate(parts) if glob.has_magic(part))
    base = Path(*parts[:first_magic]) if first_magic else Path(".")
    rest = "/".join(parts[first_magic:])
    if not base.is_dir():
        return []
    return sorted(p for p in base.glob(rest) if p.is_file())


# YAML 1.2 core schema's null, written plain: `alert: null` or `runbook_url: ~`
# means no value, not an alert called "null". Quoted ("null") it is text.
NULL_TAG = "tag:yaml.org,2002:null"


def _scalar(node) -> str | None:
    if not isinstance(node, yaml.ScalarNode):
        return None
    if node.tag == NULL_TAG:  # resolved by the YAML 1.2 core rules: plain null, ~ or nothing
        return None
    return node.value


def _get(node, key: str):
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


def _groups_of(doc) -> list:
    """The rule groups of one document: a rule file, a PrometheusRule, or a List of them."""
    kind = _scalar(_get(doc, "kind"))
    if kind == "List":
        items = _get(doc, "items")
        out = []
        for item in items.value if isinstance(items, yaml.SequenceNode) else ():
            out.extend(_groups_of(item))
        return out
    holder = _get(doc, "spec") if kind == "PrometheusRule" else doc
    groups = _get(holder, "groups")
    return list(groups.value) if isinstance(groups, yaml.SequenceNode) else []


def read_rule_file(path: Path) -> tuple[list[AlertRule], list[Diagnostic]]:
    """Every alerting rule in one file (recording rules are not alerts)."""
    text, diags = read_text(path, RULE_FILE_MAX_BYTES)
    if text is None:
        return [], [Diagnostic(RULE_FILE, d.file, d.message, d.hint, line=d.line or 1, column=d.column or 1)
                    for d in diags]
    alerts: list[AlertRule] = []
    groups_seen = 0
    loader = None
    try:
        _check_depth(text)
        loader = OpsbookLoader(text)
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            if "*" in text and _expanded_size(node) > MAX_EXPANDED_NODES:
                return [], [Diagnostic(RULE_FILE, path, f"aliases expand to more than {MAX_EXPANDED_NODES:,} values",
                                       "write the rules out; rule files need no aliases",
                                       line=node.start_mark.line + 1, column=1)]
            for group in _groups_of(node):
                groups_seen += 1
                alerts.extend(_alerts_of(path, group))
    except yaml.YAMLError as exc:
        diag = _yaml_error(path, exc, 1, text)
        hint = diag.hint
        if "{{" in text:
            hint = ("this looks like a template (Helm, Jsonnet output not yet rendered): render it first, "
                    "e.g. `helm template`, and point --rules at the output") + (f"; {hint}" if hint else "")
        return [], [Diagnostic(RULE_FILE, path, f"not a YAML rule file: {diag.message}", hint,
                               line=diag.line, column=diag.column)]
    finally:
        if loader is not None:
            loader.dispose()
    if not groups_seen:
        return [], [Diagnostic(RULE_FILE, path, "no rule groups found: expected `groups:` (a Prometheus rule file) "
                               "or `kind: PrometheusRule` with `spec.groups`",
                               "point --rules (or policies.alerts.rules) at Prometheus rule files", line=1, column=1)]
    return alerts, []


def _alerts_of(path: Path, group) -> list[AlertRule]:
    name = _scalar(_get(group, "name")) or ""
    rules = _get(group, "rules")
    out = []
    for rule in rules.value if isinstance(rules, yaml.SequenceNode) else ():
        alert_node = _get(rule, "alert")
        alert = _scalar(alert_node)
        if not alert:
            continue
        severity = _scalar(_get(_get(rule, "labels"), "severity"))
        url_node = _get(_get(rule, "annotations"), "runbook_url")
        url = _scalar(url_node)
        out.append(AlertRule(alert, path, alert_node.start_mark.line + 1, name, severity, url.strip() if url else None,
                             url_node.start_mark.line + 1 if url_node is not None else 0))
    return out


def read_rules(paths: list[Path]) -> tuple[list[AlertRule], list[Diagnostic]]:
    alerts: list[AlertRule] = []
    diags: list[Diagnostic] = []
    for path in paths:
        found, problems = read_rule_file(path)
        alerts.extend(found)
        diags.extend(problems)
    return alerts, diags


def unmatched_diagnostic(config_file: Path, pattern: str) -> Diagnostic:
    return Diagnostic(RULE_FILE, config_file, f"policies.alerts.rules: '{shown(pattern)}' names no file",
                      "fix the path or glob; it is relative to opsbook.yaml", path=("policies", "alerts", "rules"))

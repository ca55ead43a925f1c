"""Diagnostics: what `opsbook validate` reports.

A diagnostic names a file and a *path* inside that file's YAML document (for
example ``("layers", 0, "members", 2)``). The line and column are resolved from
the path only when a diagnostic is reported (see ``yamlsource.SourceMap``), so
the common case, a clean knowledge base, never pays for position bookkeeping.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Union

PathPart = Union[str, int]
DocPath = tuple[PathPart, ...]


class Level(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    level: Level
    summary: str


# Every rule opsbook knows, by code. Codes are stable: users grep for them and
# may configure them, so a code is never reused for another meaning.
RULES: dict[str, Rule] = {}


def define_rule(code: str, name: str, level: Level, summary: str) -> Rule:
    """Register a rule. Check modules define their own families' codes with it
    (OB4xx on call, OB5xx incidents and postmortems, OB6xx status page)."""
    if code in RULES and RULES[code] != Rule(code, name, level, summary):
        raise ValueError(f"rule code {code} is already defined as {RULES[code].name}")
    rule = Rule(code, name, level, summary)
    RULES[code] = rule
    return rule


_rule = define_rule


E, W = Level.ERROR, Level.WARNING
# 0xx: reading files
YAML_SYNTAX = _rule("OB001", "yaml-syntax", E, "the file is not valid YAML")
ENCODING = _rule("OB002", "encoding", E, "the file is not UTF-8 text")
FILE_TOO_LARGE = _rule("OB003", "file-too-large", E, "the file is larger than opsbook reads")
EMPTY_FILE = _rule("OB004", "empty-file", E, "the file has no content")
FRONT_MATTER = _rule("OB005", "front-matter", E, "Markdown front matter is missing or malformed")
DUPLICATE_KEY = _rule("OB006", "duplicate-key", E, "a mapping repeats a key")
NOT_A_MAPPING = _rule("OB007", "not-a-mapping", E, "the document is not a mapping of keys")
UNREADABLE = _rule("OB008", "unreadable", E, "the file could not be read")
YAML_ALIASES = _rule("OB009", "yaml-alias-expansion", E, "YAML aliases expand to too much data")
UNCLOSED_FENCE = _rule("OB010", "unclosed-code-fence", E, "a fenced code block is never closed, so the rest of the page is code")
# 1xx: schema
UNKNOWN_KEY = _rule("OB101", "unknown-key", E, "a key the format does not define")
MISSING_KEY = _rule("OB102", "missing-key", E, "a required key is absent")
INVALID_VALUE = _rule("OB103", "invalid-value", E, "a value has the wrong type or form")
INVALID_TIMEZONE = _rule("OB104", "invalid-timezone", E, "not an IANA time zone name")
INVALID_DURATION = _rule("OB105", "invalid-duration", E, "not a duration like 90s, 5m, 1h, 2d, 1w")
INVALID_TIME = _rule("OB106", "invalid-time", E, "not an ISO 8601 date or time")
ID_MISMATCH = _rule("OB107", "id-mismatch", E, "an id disagrees with its file name")
UNKNOWN_KEY_KEPT = _rule("OB109", "unknown-key-kept", W, "a front-matter key opsbook does not read, close to one it does (kept for the page)")
FILE_NAME = _rule("OB108", "file-name", E, "a content file or folder name is not a safe id: only A-Z, a-z, 0-9, '.', '-' and '_'")
# 2xx: references
UNKNOWN_PERSON = _rule("OB201", "unknown-person", E, "a person id that people.yaml does not define")
UNKNOWN_TEAM = _rule("OB202", "unknown-team", E, "a team id that people.yaml does not define")
UNKNOWN_SERVICE = _rule("OB203", "unknown-service", E, "a service id that opsbook.yaml does not define")
UNKNOWN_SEVERITY = _rule("OB204", "unknown-severity", E, "a severity id the ladder does not define")
UNKNOWN_SCHEDULE = _rule("OB205", "unknown-schedule", E, "a schedule id with no file under schedules/")
UNKNOWN_ESCALATION = _rule("OB206", "unknown-escalation-policy", E, "an escalation policy id that escalation.yaml does not define")
UNKNOWN_INCIDENT = _rule("OB207", "unknown-incident", E, "an incident id with no file under incidents/")
UNKNOWN_COMPONENT = _rule("OB208", "unknown-component", E, "a status-page component id that status/page.yaml does not define")
UNKNOWN_RUNBOOK = _rule("OB209", "unknown-runbook", E, "a runbook id with no file under runbooks/")
DUPLICATE_ID = _rule("OB210", "duplicate-id", E, "two things of one kind share an id")
UNKNOWN_GROUP = _rule("OB211", "unknown-group", E, "a status-page group id that status/page.yaml does not define")
DECISION_TREE = _rule("OB212", "decision-tree", E, "the severity decision tree is broken")
MISSING_FILE = _rule("OB213", "missing-file", E, "a file the knowledge base needs is absent")
UNKNOWN_POSTMORTEM = _rule("OB214", "unknown-postmortem", E, "a postmortem id (its path under postmortems/ without .md) with no file")
# 3xx: policies
RUNBOOK_SECTION_MISSING = _rule("OB301", "runbook-section-missing", E, "a runbook lacks a section the policy requires")
RUNBOOK_REVIEW_OVERDUE = _rule("OB302", "runbook-review-overdue", W, "a runbook is past its review interval")
ESCALATION_ORDER = _rule("OB303", "escalation-delay-order", E, "escalation step delays do not strictly increase")
ACTION_ITEM_OWNER = _rule("OB304", "action-item-owner", E, "an action item is not owned by a person")
ACTION_ITEM_DUE = _rule("OB305", "action-item-due", E, "an action item has no due date")
POSTMORTEM_MISSING = _rule("OB306", "postmortem-missing", E, "an incident's severity requires a postmortem that is overdue")
INCIDENT_TIME_ORDER = _rule("OB307", "incident-time-order", E, "an incident's milestones are out of order")
INCIDENT_ROLES = _rule("OB308", "incident-roles", W, "an incident lacks a role its severity requires")
RUNBOOK_SECTION_EMPTY = _rule("OB309", "runbook-section-empty", E, "a section the policy requires is empty or only says TODO")
BROKEN_LINK = _rule("OB310", "broken-link", E, "a relative link or image points at a file that does not exist")
MISSING_ANCHOR = _rule("OB311", "missing-anchor", W, "a link's #anchor names no heading in its target")
FOREIGN_SYNTAX = _rule("OB312", "foreign-link-syntax", E, "another tool's link syntax (Hugo's {{< ref >}}) that the site shows as text")
# 7xx: alerts (Prometheus rule files)
ALERT_WITHOUT_RUNBOOK = _rule("OB701", "alert-without-runbook", E, "an alerting rule has no runbook")
RUNBOOK_URL_NOWHERE = _rule("OB702", "runbook-url-nowhere", E, "a rule's runbook_url points at the site or the collection, but at no runbook")
RULE_FILE = _rule("OB703", "rule-file", E, "a Prometheus rule file could not be read")
ORPHAN_ALERT = _rule("OB704", "orphan-alert", W, "a runbook names an alert that no rule defines")
# 8xx: severity rules (alert intake)
RULE_UNKNOWN_LEVEL = _rule("OB801", "rule-unknown-level", E, "a severity rule (or default_level) names a level the ladder does not define")
RULE_UNKNOWN_FIELD = _rule("OB802", "rule-unknown-field", E, "a severity rule reads a field alerts do not have")
RULE_UNREACHABLE = _rule("OB803", "rule-unreachable", W, "a severity rule after a catch-all rule can never match")
RULE_DUPLICATE_ID = _rule("OB804", "rule-duplicate-id", E, "two severity rules share an id, so an answer naming one is ambiguous")
SEVERITY_HISTORY = _rule("OB805", "severity-history", W, "an incident's severity disagrees with its last recorded severity change")
del E, W


@dataclass(frozen=True)
class Diagnostic:
    """One finding. ``line``/``column`` are 1-based; 0 means "not resolved"."""

    rule: Rule
    file: Path
    message: str
    hint: str = ""
    path: DocPath = ()
    line: int = 0
    column: int = 0
    # Points at the key of a mapping entry instead of its value (unknown keys).
    at_key: bool = False
    level: Level | None = None  # overrides the rule's level when set
    # Another place the message refers to ("first defined on line N"); its line
    # is resolved with this diagnostic's own position.
    related: tuple[Path, DocPath] | None = None

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def severity(self) -> Level:
        return self.level or self.rule.level


@dataclass
class Report:
    """Diagnostics plus the root they are relative to."""

    root: Path
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0

    def extend(self, diags: Iterable[Diagnostic]) -> None:
        self.diagnostics.extend(diags)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Level.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Level.WARNING]


def shown(text: str) -> str:
    """Text for a one-line message in a terminal or log: control and invisible
    characters (a CR in a file name, a pasted colour code) as escapes, so that
    data can neither split a finding's line nor drive the terminal."""
    return "".join(ch if ch.isprintable() and ch != "\\" else ascii(ch)[1:-1] for ch in text)

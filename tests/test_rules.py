"""Every rule a knowledge base can trigger, table-driven.

Each case writes a few files over the minimal valid knowledge base from
conftest.py, runs `opsbook validate --json`, and asserts the code, the file and
the exact line (and column, given as a number or as a substring of the line
whose first occurrence marks the column). By default the case's code must be
the *only* finding, so a rule that also drags unrelated noise along fails.

OB008 (unreadable) and OB213 (missing-file) are not here: a root user can read
any file (OB008 is covered with a simulated OSError in test_bad_input.py), and
no check emits OB213 yet.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import BASE_FILES, codes, make_kb, run_validate

INC = "incidents/INC-2026-001.yaml"
PM = "postmortems/2026/2026-03-14-card-payments.md"
RB = "runbooks/payments/checkout-errors.md"
PEOPLE = "schedules/people.yaml"
ESC = "schedules/escalation.yaml"
SCHED = "schedules/payments.yaml"
SEV = "playbooks/severity.yaml"
PAGE = "status/page.yaml"
ORG = "opsbook.yaml"


def sub(path: str, old: str, new: str, base: dict | None = None) -> dict[str, str]:
    """The base file with one exact substring replaced (line numbers stay put)."""
    text = (base or BASE_FILES)[path]
    assert text.count(old) == 1, f"{old!r} must occur once in {path}"
    return {path: text.replace(old, new)}


def d(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# A small SEV3 incident (no postmortem duty, no required roles) for new files.
def sev3_incident(ident: str = "INC-2026-002", **extra: str) -> str:
    lines = [f"id: {ident}", "title: Slow dashboard", "severity: SEV3", "status: identified",
             "declared: 2026-05-30T10:00:00Z"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


@dataclass
class Case:
    id: str
    files: dict
    code: str
    file: str
    line: int
    column: int | str | None = None  # int, or the text whose first occurrence on the line starts there
    hint: str | None = None  # substring the hint must contain
    message: str | None = None  # substring the message must contain
    level: str | None = None
    also: set[str] = field(default_factory=set)  # other codes allowed in the same run


ALIAS_BOMB = d("""
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    """)

READING = [
    Case("OB001-mapping-value-in-plain-scalar", {"incidents/INC-2026-002.yaml": "id: INC-2026-002\ntitle: a: b\n"},
         "OB001", "incidents/INC-2026-002.yaml", 2, 9, hint="quote a value"),
    Case("OB001-unclosed-flow-sequence", {PEOPLE: "people: [alice\nteams: []\n"},
         "OB001", PEOPLE, 1, 9, message="the '[' opened on line 1, column 9 is never closed"),
    Case("OB002-invalid-utf8", {"incidents/INC-2026-002.yaml": b"id: INC-2026-002\ntitle: caf\xc3\xa9 \xff\n"},
         "OB002", "incidents/INC-2026-002.yaml", 2, 13, message="0xff"),
    Case("OB003-file-too-large", {"incidents/INC-2026-002.yaml": "title: " + "x" * (3 * 1024 * 1024) + "\n"},
         "OB003", "incidents/INC-2026-002.yaml", 1, 1, message="MiB"),
    Case("OB004-empty-file", {"incidents/INC-2026-002.yaml": ""}, "OB004", "incidents/INC-2026-002.yaml", 1, 1),
    Case("OB004-only-comments", {"incidents/INC-2026-002.yaml": "# nothing\n# here\n"},
         "OB004", "incidents/INC-2026-002.yaml", 1, 1),
    # Runbooks and playbooks may come without front matter; postmortems may not.
    Case("OB005-no-front-matter", {"postmortems/x.md": "# Title\n\n## Summary\n"}, "OB005", "postmortems/x.md", 1, 1),
    Case("OB005-toml-front-matter", {"runbooks/x.md": "+++\ntitle = 'x'\n+++\n# Title\n"}, "OB005", "runbooks/x.md",
         1, 1, message="TOML"),
    Case("OB005-unterminated-front-matter", {"runbooks/x.md": "---\ntitle: x\n# Title\n"},
         "OB005", "runbooks/x.md", 1, 1, message="never closed"),
    Case("OB006-duplicate-key", {"incidents/INC-2026-002.yaml": "id: INC-2026-002\ntitle: a\ntitle: b\n"},
         "OB006", "incidents/INC-2026-002.yaml", 3, 1, message="first defined on line 2"),
    Case("OB006-duplicate-key-in-front-matter", sub(RB, "tags: [payments, checkout]", "title: again"),
         "OB006", RB, 8, 1, message="first defined on line 2"),
    Case("OB007-top-level-list", {"incidents/INC-2026-002.yaml": "- id: INC-2026-002\n- title: x\n"},
         "OB007", "incidents/INC-2026-002.yaml", 1, 1, message="found list"),
    Case("OB010-unclosed-fence-hides-sections", sub(RB, "## Rollback\n", "````\n## Rollback\n```\n"), "OB010", RB, 28, 1,
         message="opened with ```` on line 28 is never closed", hint="at least 4", also={"OB301"}),
    Case("OB009-alias-bomb", {"incidents/INC-2026-002.yaml": ALIAS_BOMB}, "OB009", "incidents/INC-2026-002.yaml", 1, 1),
]

SCHEMA = [
    Case("OB101-unknown-key-flow", sub(PEOPLE, "email: bob@", "emial: bob@"), "OB101", PEOPLE, 3, "emial",
         hint="did you mean 'email'?"),
    Case("OB101-unknown-key-front-matter", sub(PM, "date: 2026-03-18", "dat: 2026-03-18"),
         "OB101", PM, 6, 1, hint="did you mean 'date'?", also={"OB102", "OB306"}),
    # A runbook keeps keys opsbook does not read (another tool's); only a look-alike is reported.
    Case("OB109-typo-of-a-known-key-kept", sub(RB, "last_reviewed: 2026-05-22", "last_reviewd: 2026-05-22"),
         "OB109", RB, 7, 1, level="warning", hint="did you mean 'last_reviewed'?", also={"OB302"}),
    Case("OB109-typo-of-owner", sub(RB, "owner: payments", "ownr: payments"),
         "OB109", RB, 4, 1, level="warning", hint="did you mean 'owner'?"),
    Case("OB101-unknown-key-nested-policy", {ORG: BASE_FILES[ORG] + "policies:\n  runbooks:\n    review_evry: 90d\n"},
         "OB101", ORG, 18, 5, hint="did you mean 'review_every'?", message="in policies.runbooks"),
    Case("OB101-unknown-key-no-close-match", sub(ORG, "    tier: 1\n", "    tier: 1\n    zzz: 1\n"),
         "OB101", ORG, 10, 5, hint="keys allowed here: id, name, team"),
    Case("OB102-missing-key", sub(ORG, "    name: Hosted Checkout\n", ""), "OB102", ORG, 10, 5,
         message="missing required key 'name' in services[1]", hint="add 'name:'"),
    Case("OB103-out-of-range", sub(ORG, "tier: 1", "tier: 7"), "OB103", ORG, 9, 11, message="<= 4"),
    Case("OB103-string-for-list", sub(PEOPLE, "members: [dave]", 'members: "dave"'), "OB103", PEOPLE, 8, '"dave"',
         message="expected a list"),
    Case("OB103-bad-literal", sub(INC, "status: resolved\nservices", "status: closed\nservices"), "OB103", INC, 4, 9,
         message="expected one of 'investigating', 'identified', 'monitoring' or 'resolved'"),
    Case("OB104-bad-timezone", sub(ORG, "America/New_York", "America/New_Yrok"), "OB104", ORG, 2, 11,
         message="unknown time zone 'America/New_Yrok'", hint="did you mean 'America/New_York'"),
    Case("OB104-bad-person-timezone", sub(PEOPLE, "Europe/London", "Europe/Londn"), "OB104", PEOPLE, 5,
         "Europe/Londn"),
    Case("OB105-bad-duration", sub(ESC, "after: 5m", "after: 5 minutes"), "OB105", ESC, 6, 16,
         hint="90s, 5m, 1h, 2d, 1w"),
    Case("OB105-bad-deadline", sub(SEV, "postmortem_due: 5bd", "postmortem_due: a week"), "OB105", SEV, 20, 21),
    Case("OB106-date-without-time", sub(INC, "declared: 2026-03-14T14:06:00Z", "declared: 2026-03-14"),
         "OB106", INC, 10, 11, message="date '2026-03-14' alone"),
    Case("OB106-impossible-date", sub(RB, "last_reviewed: 2026-05-22", "last_reviewed: 2026-02-30"),
         "OB106", RB, 7, 16),
    Case("OB106-unquoted-number-as-clock", sub(SCHED, 'to: "17:00"', "to: 1700"), "OB106", SCHED, 11, "1700",
         message="quoted time of day"),
    Case("OB106-offset-in-rotation-start", sub(SCHED, "start: 2026-01-05T09:00", "start: 2026-01-05T09:00Z"),
         "OB106", SCHED, 7, 12),
    Case("OB108-file-name", {"schedules/on call.yaml": BASE_FILES[SCHED]}, "OB108", "schedules/on call.yaml", 1, 1,
         hint="schedules/on-call.yaml", also={"OB405"}),
    Case("OB107-id-mismatch", {"incidents/INC-2026-002.yaml": sev3_incident("INC-2026-003")},
         "OB107", "incidents/INC-2026-002.yaml", 1, 5, hint="rename the file to INC-2026-003.yaml"),
]

REFERENCES = [
    Case("OB201-team-member", sub(PEOPLE, "members: [alice, bob, carol]", "members: [alice, bobb, carol]"),
         "OB201", PEOPLE, 7, "bobb", hint="did you mean 'bob'?"),
    Case("OB201-schedule-member", sub(SCHED, "members: [alice, bob, carol]", "members: [alice, bob, karol]"),
         "OB201", SCHED, 6, "karol", hint="did you mean 'carol'?"),
    Case("OB201-override-person", sub(SCHED, "person: carol", "person: caroll"), "OB201", SCHED, 13, "caroll"),
    Case("OB201-escalation-person", sub(ESC, "{person: alice}", "{person: alicee}"), "OB201", ESC, 9, "alicee",
         hint="did you mean 'alice'?"),
    Case("OB201-incident-commander", sub(INC, "commander: alice", "commander: alicia"), "OB201", INC, 6, 12,
         hint="did you mean 'alice'?"),
    Case("OB201-incident-role", sub(INC, "{comms: bob}", "{comms: bobby}"), "OB201", INC, 7, "bobby"),
    Case("OB201-timeline-by", sub(INC, "by: alice}", "by: alise}"), "OB201", INC, 21, "alise"),
    Case("OB201-postmortem-owner", sub(PM, "owner: alice", "owner: zed"), "OB201", PM, 5, 8,
         hint="known person ids: alice, bob, carol, dave"),
    Case("OB201-action-item-owner", sub(PM, "owner: carol", "owner: carl"), "OB201", PM, 11, "carl",
         hint="did you mean 'carol'?"),
    Case("OB202-runbook-owner", sub(RB, "owner: payments", "owner: paymnts"), "OB202", RB, 4, 8,
         hint="did you mean 'payments'?"),
    Case("OB202-service-team", sub(ORG, "    team: payments\n    escalation: payments\n    schedule: payments\n"
                                   "    tier: 2", "    team: platfrom\n    escalation: payments\n"
                                   "    schedule: payments\n    tier: 2"),
         "OB202", ORG, 12, 11, hint="did you mean 'platform'?"),
    Case("OB203-incident-service", sub(INC, "services: [payments-api]", "services: [payments-apj]"),
         "OB203", INC, 5, 12, hint="did you mean 'payments-api'?"),
    Case("OB203-component-service", sub(PAGE, "services: [checkout-web]", "services: [checkout-wbe]"),
         "OB203", PAGE, 7, "checkout-wbe"),
    Case("OB204-runbook-severity", sub(RB, "severity: SEV2", "severity: SEV9"), "OB204", RB, 6, 11,
         hint="did you mean"),
    Case("OB204-playbook-severity", {"playbooks/response.md": "---\ntitle: Response\nseverities: [SEV1, Sev2]\n---\n"},
         "OB204", "playbooks/response.md", 3, "Sev2"),
    Case("OB205-service-schedule", sub(ORG, "    schedule: payments\n    tier: 1", "    schedule: paymnts\n    tier: 1"),
         "OB205", ORG, 8, 15, hint="did you mean 'payments'?"),
    Case("OB205-escalation-schedule", sub(ESC, "{schedule: payments, role: backup}", "{schedule: pay, role: backup}"),
         "OB205", ESC, 7, "pay,", hint="known schedule ids: payments"),
    Case("OB206-severity-escalation", sub(SEV, "escalation: payments", "escalation: paymnts"), "OB206", SEV, 13, 17,
         hint="did you mean 'payments'?"),
    Case("OB207-postmortem-incident", sub(PM, "incident: INC-2026-001", "incident: INC-2026-009"),
         "OB207", PM, 2, 11, hint="did you mean 'INC-2026-001'?", also={"OB306"}),
    # The unknown id is the *key* of the components mapping: point at it, not at the status.
    Case("OB208-update-component-key", sub(INC, "components: {checkout: major_outage}",
                                           "components: {chekout: major_outage}"),
         "OB208", INC, 18, "chekout", hint="did you mean 'checkout'?"),
    Case("OB208-maintenance-component", {PAGE: BASE_FILES[PAGE] + d("""
        maintenance:
          - id: db-upgrade
            title: Database upgrade
            start: 2026-06-10T02:00:00Z
            end: 2026-06-10T04:00:00Z
            components: [api, chckout]
        """)}, "OB208", PAGE, 14, "chckout", hint="did you mean 'checkout'?"),
    Case("OB209-incident-runbook", sub(INC, "runbooks: [payments/checkout-errors]", "runbooks: [payments/checkout-error]"),
         "OB209", INC, 16, 12, hint="did you mean 'payments/checkout-errors'?"),
    Case("OB210-duplicate-person", sub(PEOPLE, "teams:\n", "  - {id: dave, name: Dave Again}\nteams:\n"),
         "OB210", PEOPLE, 6, "dave", message="duplicate person id 'dave'"),
    Case("OB210-duplicate-component", sub(PAGE, "{id: api, name: API", "{id: checkout, name: API"),
         "OB210", PAGE, 8, "checkout"),
    Case("OB210-duplicate-action-item", sub(PM, "{id: AI-2,", "{id: AI-1,"), "OB210", PM, 11, "AI-1"),
    Case("OB210-duplicate-incident-across-files",
         {"incidents/INC-2026-002.yaml": sev3_incident("INC-2026-001")},
         "OB210", "incidents/INC-2026-002.yaml", 1, 5, also={"OB107"}),
    Case("OB211-component-group", sub(PAGE, "group: core, services: [payments-api]", "group: cor, services: [payments-api]"),
         "OB211", PAGE, 8, "cor,", hint="did you mean 'core'?"),
    Case("OB212-loop", sub(SEV, "yes: SEV1", "yes: customers"), "OB212", SEV, 33, 12,
         message="decision tree loops: customers -> widespread -> customers"),
    Case("OB212-dangling-answer", sub(SEV, "no: SEV2", "no: SEV4"), "OB212", SEV, 34, 11,
         message="leads to 'SEV4'", hint="SEV2"),
    Case("OB212-unknown-start", sub(SEV, "start: customers", "start: custmers"), "OB212", SEV, 25, 10,
         message="unknown question 'custmers'"),
    Case("OB212-unreachable-question",
         {SEV: BASE_FILES[SEV] + "    - id: orphan\n      text: Never asked\n      yes: SEV1\n      no: SEV2\n"},
         "OB212", SEV, 35, "orphan", message="question 'orphan' cannot be reached"),
]

POLICIES = [
    Case("OB301-missing-section", sub(RB, "## Rollback\n", "## Roll back plan\n"), "OB301", RB, 10, 1,
         message="Rollback", hint="## Rollback"),
    Case("OB301-heading-only-in-code-fence",
         sub(RB, "## Escalation\n", "```\n## Escalation\n```\n"), "OB301", RB, 10, 1, message="Escalation"),
    Case("OB301-near-miss-did-you-mean", sub(RB, "## Mitigation\n", "## Mitigations\n"), "OB301", RB, 10, 1,
         message="Mitigation", hint="did you mean 'Mitigations' (line 20)?"),
    # A setext heading and one indented by three spaces are sections: the only finding is the fence.
    Case("OB010-setext-and-indented-headings-count",
         {RB: BASE_FILES[RB].replace("## Trigger\n", "Trigger\n-------\n").replace("## Rollback\n", "   ## Rollback\n")
          .replace("Page the payments backup.\n", "Page the payments backup.\n\n```\nx\n")},
         "OB010", RB, 37, 1, message="never closed"),
    Case("OB309-section-only-says-todo", sub(RB, "Fail over to the second acquirer.", "TODO"), "OB309", RB, 20, 1,
         message="'Mitigation' only says 'TODO'"),
    Case("OB309-section-empty", sub(RB, "\nThe error rate drops below 0.5%.\n", ""), "OB309", RB, 24, 1,
         message="is empty"),
    Case("OB310-missing-image", sub(RB, "Check the acquirer dashboard.", "Check ![the graph](img/graph.png)."),
         "OB310", RB, 18, 1, message="img/graph.png"),
    Case("OB310-link-outside-published-folders", sub(RB, "Check the acquirer dashboard.",
                                                     "See [the config](../../opsbook.yaml)."),
         "OB310", RB, 18, 1, message="outside the published folders"),
    Case("OB311-missing-anchor", sub(RB, "Check the acquirer dashboard.", "See [below](#mitigations)."),
         "OB311", RB, 18, 1, level="warning", hint="did you mean '#mitigation'?"),
    Case("OB312-hugo-ref-shortcode", sub(RB, "Check the acquirer dashboard.",
                                         'See [ledger]({{< ref "ledger.md" >}}).'),
         "OB312", RB, 18, 1, message="Hugo shortcode"),
    Case("OB302-review-overdue", sub(RB, "last_reviewed: 2026-05-22", "last_reviewed: 2025-04-27"),
         "OB302", RB, 7, 16, level="warning", message="2025-04-27, due every 180d, so by 2025-10-24"),
    Case("OB302-review-every-override", sub(RB, "last_reviewed: 2026-05-22", "last_reviewed: 2026-04-01\n"
                                            "review_every: 30d"), "OB302", RB, 7, 16, level="warning"),
    Case("OB302-policy-interval", {**sub(RB, "last_reviewed: 2026-05-22", "last_reviewed: 2026-02-01"),
                                   ORG: BASE_FILES[ORG] + "policies:\n  runbooks:\n    review_every: 90d\n"},
         "OB302", RB, 7, 16, level="warning", message="due every 90d"),
    Case("OB302-never-reviewed", sub(RB, "last_reviewed: 2026-05-22\n", ""), "OB302", RB, 2, 1, level="warning",
         hint="last_reviewed: 2026-06-01"),
    Case("OB303-equal-delay", sub(ESC, "after: 10m", "after: 5m"), "OB303", ESC, 8, 16,
         message="step 3 of policy 'payments' notifies after 5m, not later than step 2 (5m)"),
    Case("OB303-decreasing-delay", sub(ESC, "after: 5m", "after: 15m"), "OB303", ESC, 8, 16),
    Case("OB304-owned-by-team", sub(PM, "owner: carol", "owner: payments"), "OB304", PM, 11, "payments",
         message="owned by the team 'payments'", level="warning"),
    Case("OB201-closed-item-owner-neither-person-nor-team", sub(PM, "owner: bob", "owner: bobby"), "OB201", PM, 10,
         "bobby", message="unknown person or team 'bobby'", hint="did you mean 'bob'?"),
    Case("OB304-no-owner", sub(PM, " owner: carol,", ""), "OB304", PM, 11, 5, message="AI-2 has no owner"),
    Case("OB305-no-due", sub(PM, " due: 2026-07-01,", ""), "OB305", PM, 11, 5, message="AI-2 has no due date"),
    Case("OB214-unknown-related-postmortem", sub(PM, "visibility: internal", "visibility: internal\n"
                                                 "related: [2026-03-14-card-payment]"),
         "OB214", PM, 8, "2026-03-14", message="unknown postmortem '2026-03-14-card-payment'",
         hint="did you mean '2026/2026-03-14-card-payments'?"),
    Case("OB207-unknown-incident-in-incidents", sub(PM, "visibility: internal", "visibility: internal\n"
                                                  "incidents: [INC-2026-001, INC-2026-01]"),
         "OB207", PM, 8, "INC-2026-01]", hint="did you mean 'INC-2026-001'?"),
    Case("OB510-incident-not-among-incidents", {**sub(PM, "visibility: internal", "visibility: internal\n"
                                                      "incidents: [INC-2026-002]"),
                                                "incidents/INC-2026-002.yaml": sev3_incident()},
         "OB510", PM, 2, 11, message="'INC-2026-001' is not among incidents (INC-2026-002)"),
    Case("OB510-incident-listed-twice", sub(PM, "visibility: internal", "visibility: internal\n"
                                            "incidents: [INC-2026-001, INC-2026-001]"),
         "OB510", PM, 8, 27, message="twice"),
    Case("OB306-postmortem-missing", {PM: None}, "OB306", INC, 3, 11,
         message="SEV1 requires a postmortem for INC-2026-001"),
    Case("OB306-postmortem-still-draft", sub(PM, "status: published", "status: draft"), "OB306", PM, 4, 9,
         message="still a draft"),
    # SEV2's postmortem is due 5 business days after resolution: Fri 22 May -> Fri 29 May < Mon 1 June.
    Case("OB306-business-days-elapsed", {PM: None, INC: sub(INC, "severity: SEV1", "severity: SEV2")[INC]
                                         .replace("2026-03-14T15:10:00Z", "2026-05-22T15:10:00Z")
                                         .replace("2026-03-14T14:40:00Z", "2026-05-22T14:40:00Z")},
         "OB306", INC, 3, 11, message="SEV2 requires"),
    Case("OB307-milestone-order", sub(INC, "acknowledged: 2026-03-14T14:07:00Z", "acknowledged: 2026-03-14T14:03:00Z"),
         "OB307", INC, 11, 15, message="acknowledged (2026-03-14T14:03:00+00:00) is before detected"),
    Case("OB307-resolved-without-time", sub(INC, "resolved: 2026-03-14T15:10:00Z\n", ""), "OB307", INC, 4, 9,
         message="no 'resolved' time"),
    Case("OB307-resolved-time-while-open", sub(INC, "status: resolved\nservices", "status: monitoring\nservices"), "OB307", INC, 13, 11),
    Case("OB307-updates-out-of-order", sub(INC, "{at: 2026-03-14T15:10:00Z, status: resolved",
                                           "{at: 2026-03-14T14:09:00Z, status: resolved"),
         "OB307", INC, 19, 10, message="update 2"),
    Case("OB307-timeline-out-of-order", sub(INC, "{at: 2026-03-14T14:40:00Z, text:", "{at: 2026-03-14T14:00:00Z, text:"),
         "OB307", INC, 22, 10, message="timeline entry 2"),
    Case("OB308-role-missing", sub(INC, "roles: {comms: bob}", "roles: {scribe: bob}"), "OB308", INC, 7, 8,
         level="warning", message="SEV1 needs the role comms"),
    Case("OB308-no-roles-at-all", sub(INC, "commander: alice\nroles: {comms: bob}\n", ""), "OB308", INC, 1, 1,
         level="warning", message="commander, comms"),
]

CASES = READING + SCHEMA + REFERENCES + POLICIES


def _column(root: Path, case: Case) -> int | None:
    if case.column is None or isinstance(case.column, int):
        return case.column
    line = (root / case.file).read_text(encoding="utf-8").split("\n")[case.line - 1]
    assert case.column in line, f"{case.column!r} is not on line {case.line}: {line!r}"
    return line.index(case.column) + 1


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule(tmp_path: Path, case: Case) -> None:
    root = make_kb(tmp_path, case.files)
    exit_code, payload = run_validate(root)
    found = [x for x in payload["diagnostics"] if x["code"] == case.code]
    assert found, f"{case.code} not reported; got {json.dumps(payload['diagnostics'], indent=1)}"
    unexpected = set(codes(payload)) - {case.code} - case.also
    assert not unexpected, f"unexpected findings: {json.dumps(payload['diagnostics'], indent=1)}"
    here = [x for x in found if x["file"] == case.file]
    assert here, f"{case.code} reported in {[x['file'] for x in found]}, not {case.file}"
    column = _column(root, case)
    positions = [(x["line"], x["column"]) for x in here]
    if column is None:
        assert case.line in [p[0] for p in positions], positions
    else:
        assert (case.line, column) in positions, f"expected {case.line}:{column}, got {positions}"
    diag = next(x for x in here if x["line"] == case.line and (column is None or x["column"] == column))
    if case.hint is not None:
        assert case.hint in diag["hint"], diag
    if case.message is not None:
        assert case.message in diag["message"], diag
    assert diag["level"] == (case.level or "error")
    assert exit_code == (0 if all(x["level"] == "warning" for x in payload["diagnostics"]) else 1)


def test_every_reachable_rule_code_has_a_case() -> None:
    from opsbook.diagnostics import RULES

    covered = {c.code for c in CASES}
    not_here = {"OB008", "OB213"}  # see the module docstring; OB213 is in test_findings.py
    # The foundation's codes (OB0xx-OB3xx). Later rule families register their
    # codes when their check module is imported and pin them in their own tests.
    foundation = {code for code in RULES if code < "OB400"}
    assert foundation - not_here <= covered, sorted(foundation - not_here - covered)


# --- the other direction: close calls that must pass --------------------------------

CLEAN = {
    "base": {},
    "runbook-reviewed-10-days-ago": {},  # the base runbook: last_reviewed 2026-05-22
    "runbook-review-due-exactly-today": sub(RB, "last_reviewed: 2026-05-22", "last_reviewed: 2025-12-03"),
    "escalation-strictly-increasing": sub(ESC, "after: 10m", "after: 6m"),
    # Milestones are a partial order: a page may be acknowledged before the incident is declared.
    "acknowledged-before-declared": sub(INC, "acknowledged: 2026-03-14T14:07:00Z", "acknowledged: 2026-03-14T14:05:30Z"),
    "done-action-item-without-due": sub(PM, " due: 2026-04-15,", ""),
    "sev1-resolved-one-hour-ago-without-postmortem": {
        PM: None,
        INC: BASE_FILES[INC].replace("2026-03-14T15:10:00Z", "2026-06-01T11:00:00Z"),
    },
    # 5 business days from Tue 26 May 15:10Z is Tue 2 June, after NOW.
    "sev2-business-days-not-yet-elapsed": {
        PM: None,
        INC: BASE_FILES[INC].replace("severity: SEV1", "severity: SEV2")
        .replace("2026-03-14T15:10:00Z", "2026-05-26T15:10:00Z").replace("2026-03-14T14:40:00Z", "2026-05-26T14:40:00Z"),
    },
    "sev3-needs-no-postmortem": {
        PM: None, INC: BASE_FILES[INC].replace("severity: SEV1", "severity: SEV3"),
    },
    "prometheus-runbook-profile": {
        ORG: BASE_FILES[ORG] + "policies:\n  runbooks:\n    profile: prometheus\n",
        RB: BASE_FILES[RB].split("---\n# ")[0] + "---\n## Meaning\n\nm\n\n## Impact:\n\ni\n\n"
                                                 "DIAGNOSIS\n---------\n\nd\n\n## Mitigation\n\nx\n",
    },
    "custom-required-sections": {
        ORG: BASE_FILES[ORG] + "policies:\n  runbooks:\n    required_sections: [Steps]\n",
        RB: BASE_FILES[RB].split("---\n# ")[0] + "---\n## Steps\n\n1. do it\n",
    },
    "section-titles-ignore-case-and-ampersand": {
        ORG: BASE_FILES[ORG] + "policies:\n  runbooks:\n    required_sections: [Rollback and Recovery]\n",
        RB: BASE_FILES[RB].split("---\n# ")[0] + "---\n## rollback & recovery\n\nundo\n",
    },
    "unquoted-clock-times": sub(SCHED, 'from: "09:00", to: "17:00"', "from: 09:00, to: 17:30"),
    "restriction-to-2400": sub(SCHED, 'to: "17:00"', 'to: "24:00"'),
    "yes-no-keys-in-decision-tree": {},  # the base tree uses yes:/no: keys
    "readme-in-runbooks-is-not-a-runbook": {"runbooks/README.md": "# Runbooks\n\nNo front matter here.\n"},
    "hidden-and-underscore-files-ignored": {"incidents/.draft.yaml": "::: not yaml", "runbooks/_wip/x.md": "nope"},
    "merge-key-overrides-are-not-duplicates": {
        ESC: d("""
            policies:
              - id: payments
                steps:
                  - &step {after: 0m, notify: [{person: alice}]}
                  - {<<: *step, after: 5m}
            """),
    },
}


@pytest.mark.parametrize("files", list(CLEAN.values()), ids=list(CLEAN))
def test_clean(tmp_path: Path, files: dict) -> None:
    exit_code, payload = run_validate(make_kb(tmp_path, files))
    assert payload["diagnostics"] == []
    assert exit_code == 0


# --- warnings and --strict ----------------------------------------------------------

OVERDUE = sub(RB, "last_reviewed: 2026-05-22", "last_reviewed: 2025-04-27")


def test_overdue_review_is_a_warning_exit_0(tmp_path: Path) -> None:
    exit_code, payload = run_validate(make_kb(tmp_path, OVERDUE))
    assert codes(payload) == ["OB302"]
    assert payload["summary"] == {"errors": 0, "warnings": 1, "files": 9}
    assert exit_code == 0


def test_overdue_review_with_strict_exits_1(tmp_path: Path) -> None:
    exit_code, payload = run_validate(make_kb(tmp_path, OVERDUE), "--strict")
    assert codes(payload) == ["OB302"]
    assert exit_code == 1


def test_review_overdue_uses_the_org_zone_for_today(tmp_path: Path) -> None:
    # Due 2026-05-31. At 2026-06-01T03:00Z it is still 31 May in New York: not overdue yet.
    files = sub(RB, "last_reviewed: 2026-05-22", "last_reviewed: 2025-12-02")
    _, payload = run_validate(make_kb(tmp_path, files), now="2026-06-01T03:00:00Z")
    assert payload["diagnostics"] == []
    _, payload = run_validate(make_kb(tmp_path, files), now="2026-06-01T05:00:00Z")
    assert codes(payload) == ["OB302"]


def test_postmortem_deadline_boundary(tmp_path: Path) -> None:
    # SEV1 resolved 15:10Z on 14 March, due 5d later: 2026-03-19T15:10Z.
    root = make_kb(tmp_path, {PM: None})
    assert run_validate(root, now="2026-03-19T15:09:00Z")[1]["diagnostics"] == []
    _, payload = run_validate(root, now="2026-03-19T15:10:00Z")
    assert codes(payload) == ["OB306"]


# --- did-you-mean --------------------------------------------------------------------

@pytest.mark.parametrize("files,code,suggestion", [
    (sub(PEOPLE, "email: bob@", "emial: bob@"), "OB101", "email"),
    (sub(SCHED, "length: 1w", "lenght: 1w"), "OB101", "length"),
    (sub(SCHED, 'from: "09:00"', 'form: "09:00"'), "OB101", "from"),  # alias of from_
    (sub(INC, "commander: alice", "comander: alice"), "OB101", "commander"),
    (sub(PM, "action_items:", "action_itmes:"), "OB101", "action_items"),
    (sub(SEV, "postmortem_due: 5d", "postmortem_deu: 5d"), "OB101", "postmortem_due"),
    (sub(SCHED, "person: carol", "person: carrol"), "OB201", "carol"),
    (sub(RB, "service: payments-api", "service: payment-api"), "OB203", "payments-api"),
    (sub(INC, "severity: SEV1", "severity: SEV-1"), "OB204", "SEV1"),
    (sub(ORG, "    escalation: payments\n    schedule: payments\n    tier: 1",
         "    escalation: payment\n    schedule: payments\n    tier: 1"), "OB206", "payments"),
    (sub(PAGE, "group: core, services: [checkout-web]", "group: cores, services: [checkout-web]"), "OB211", "core"),
], ids=["key-email", "key-length", "key-from-alias", "key-commander", "key-action_items", "key-postmortem_due",
        "person", "service", "severity", "escalation", "group"])
def test_did_you_mean(tmp_path: Path, files: dict, code: str, suggestion: str) -> None:
    _, payload = run_validate(make_kb(tmp_path, files))
    hits = [x for x in payload["diagnostics"] if x["code"] == code]
    assert hits, payload["diagnostics"]
    assert f"did you mean '{suggestion}'?" in hits[0]["hint"], hits[0]


def test_now_default_is_as_of_from_opsbook_yaml(tmp_path: Path) -> None:
    from conftest import invoke

    root = make_kb(tmp_path, {ORG: BASE_FILES[ORG] + "as_of: 2027-06-01T00:00:00Z\n"})
    result = invoke("--root", str(root), "validate", "--json")
    payload = json.loads(result.stdout)
    assert payload["now"] == "2027-06-01T00:00:00+00:00"
    # A year later the runbook's review is overdue, and AI-2 (due 2026-07-01) is
    # more than 30 days overdue: an error.
    assert sorted(codes(payload)) == ["OB302", "OB502"]

"""`opsbook doctor`: the readiness scorecard.

Expectations are worked by hand from the files (the comments show the
arithmetic), never read back from the code: the example at its `as_of`, a
fresh `opsbook init`, and one table per step on the small knowledge base of
conftest.py with each pass/warn/fail boundary on both sides.
"""

from __future__ import annotations

import json
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import BASE_FILES, invoke, make_kb

from opsbook.doctor import KINDS, scorecard
from opsbook.load import load

REPO = Path(__file__).resolve().parents[1]
NOW = "2026-06-01T12:00:00Z"  # a Monday, 08:00 in New York (EDT)


def _d(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def card_for(tmp_path: Path, files: dict | None = None, now: str = NOW, audience: str = "internal"):
    root = make_kb(tmp_path, files or {})
    kb, diags = load(root, kinds=KINDS)
    assert kb is not None and not [d for d in diags if d.severity.value == "error"], diags
    return scorecard(kb, at(now), audience)


def item(card, key: str):
    found = [i for i in card.items if i.key == key]
    assert len(found) == 1, [i.key for i in card.items]
    return found[0]


def doctor_json(root: Path, *extra: str) -> tuple[int, dict]:
    result = invoke("--root", str(root), "doctor", "--json", *extra)
    return result.exit_code, json.loads(result.stdout)


# --- the example -------------------------------------------------------------------------------


def test_example_scorecard_at_its_as_of():
    code, card = doctor_json(REPO)
    assert code == 0
    got = {i["key"]: i["status"] for i in card["items"]}
    assert got == {
        "severity-ladder": "pass", "roles": "pass", "oncall-coverage": "pass", "escalation": "pass",
        # checkout-web is tier 1, but its error-rate runbook says service: payments-api.
        "runbooks": "fail",
        "comms-templates": "pass", "status-page": "pass",
        # three postmortems dated after their deadline (worked below)
        "postmortems-on-time": "warn",
        # AI-107 was due 2026-11-09; as_of is 2026-11-20 (10:00 EST): 11 days, under the 30 allowed.
        "action-items-on-time": "warn",
    }
    assert [i["step"] for i in card["items"]] == list(range(1, 10))
    assert (card["passed"], card["warned"], card["failed"], card["total"]) == (6, 2, 1, 9)
    assert card["now"] == "2026-11-20T15:00:00Z" and card["audience"] == "internal"
    why = {i["key"]: i["why"] for i in card["items"]}
    files = {i["key"]: i["file"] for i in card["items"]}
    # SEV0-SEV2 page; all five set update_every; the three paging ones set ack_within.
    assert why["severity-ladder"].startswith("5 levels, 3 paging (SEV0, SEV1 and SEV2); 5 of 5 set an update "
                                             "cadence (update_every), 3 of 3 paging levels")
    assert "5 roles (commander, comms, scribe, ops and liaison); 5 described" in why["roles"]
    # payments-api, checkout-web, ledger-service, invoicing-api (payments); api-gateway, auth-service (platform).
    assert why["oncall-coverage"].startswith("6 tier-1 services on 2 schedules (payments and platform); someone is "
                                             "primary and someone backup at every moment from 2026-11-20 10:00 EST "
                                             "to 2027-01-15 10:00 EST (8 weeks)")
    assert why["escalation"].startswith("10 of 10 services escalate through 4 policies (data, identity, payments "
                                        "and platform)")
    assert why["runbooks"].startswith("5 of 6 tier-1 services have a runbook; none for checkout-web")
    assert why["comms-templates"].startswith("9 of 9 message kinds have a template")
    assert why["status-page"] == "8 components in 3 groups; 6 of 6 tier-1 services shown by a component"
    # Required: SEV1 (due 5d) and SEV2 (due 10d) incidents, 12 resolved, each with a published or in-review
    # postmortem. Late: OPS-2025-049 resolved 12-26 22:10Z, due 2026-01-05, dated 01-09; OPS-2026-021
    # resolved 05-05 20:20Z, due 05-15, dated 05-22; OPS-2026-028 resolved 06-16 15:00Z, due 06-26, dated
    # 06-30. The other nine are dated before their deadline (e.g. INC-2026-004: due 09-28 08:34Z, dated 09-28).
    assert why["postmortems-on-time"] == ("9 of 12 required postmortems written on time; 3 written after the "
                                          "deadline (OPS-2025-049, OPS-2026-021 and OPS-2026-028)")
    assert files["postmortems-on-time"] == "postmortems/2025/2025-12-26-api-rate-limits-many-keys.md"
    # 33 items (AI-101..133) in 12 postmortems; 25 closed, of which AI-119, 122, 125, 129 and 131 after their
    # due date; 8 open (103, 107, 111, 113, 114, 116, 127, 133), only AI-107 (due 11-09) overdue.
    assert why["action-items-on-time"].startswith(
        "33 items in 12 postmortems: 25 closed (20 by their due date, 5 after it); 8 open; 1 overdue, the "
        "longest by 11 days (0 by more than the 30 days")
    assert files["action-items-on-time"] == "postmortems/2026/2026-08-04-checkout-failures-ledger-lock-queue.md"
    assert files["runbooks"] == "runbooks/"
    assert files["severity-ladder"] == "playbooks/severity.yaml"


@pytest.mark.parametrize("extra, code", [
    ((), 0),                       # information, not a finding
    (("--fail-on", "fail"), 1),    # step 5 fails
    (("--fail-on", "warn"), 1),
])
def test_exit_code_is_zero_unless_asked_to_gate(extra, code):
    result = invoke("--root", str(REPO), "doctor", *extra)
    assert result.exit_code == code, result.output


def test_fail_on_fail_passes_when_only_warnings(tmp_path):
    # The base knowledge base fails on templates (none) and on-call (business hours): fix both,
    # leaving the ladder's and the roles' warnings.
    from opsbook.incidents.comms import KINDS as MESSAGE_KINDS

    files = {f"playbooks/templates/{k}.md": "Update on {{ incident.title }}. Next update by {{ next_update }}.\n"
             for k in MESSAGE_KINDS}
    files["schedules/payments.yaml"] = ALWAYS
    root = make_kb(tmp_path, files)
    code, card = doctor_json(root, "--now", NOW)
    assert card["failed"] == 0 and card["warned"] > 0
    assert invoke("--root", str(root), "doctor", "--now", NOW, "--fail-on", "fail").exit_code == 0
    assert invoke("--root", str(root), "doctor", "--now", NOW, "--fail-on", "warn").exit_code == 1


def test_text_output_names_each_step_status_and_file():
    result = invoke("--root", str(REPO), "doctor")
    out = result.stdout
    assert out.splitlines()[0] == ("Larkspur: readiness at 2026-11-20 10:00 EST: 6 of 9 steps pass, 2 warn, 1 fail")
    assert "5. FAIL  Runbooks for tier-1 services and alerts" in out
    assert "9. WARN  Action items closed on time" in out
    assert "   file: runbooks/" in out and "   fix: Write a runbook with service: checkout-web" in out


def test_now_moves_the_example(tmp_path):
    # On 2026-12-10 (EST) AI-107 is 31 days overdue: more than the 30 allowed, so it fails;
    # AI-114 (due 11-27) 13 days, AI-103 and AI-113 (due 12-04) 6 days; AI-111 and AI-133
    # (12-11), AI-127 (12-18) and AI-116 (2027) are not due yet.
    code, card = doctor_json(REPO, "--now", "2026-12-10T12:00:00Z")
    actions = item_json(card, "action-items-on-time")
    assert actions["status"] == "fail"
    assert "4 overdue, the longest by 31 days (1 by more than the 30 days" in actions["why"]


def item_json(card: dict, key: str) -> dict:
    return next(i for i in card["items"] if i["key"] == key)


def test_bad_now_is_a_usage_error():
    result = invoke("--root", str(REPO), "doctor", "--now", "yesterday-ish")
    assert result.exit_code == 2


def test_load_error_exits_1_with_position(tmp_path):
    root = make_kb(tmp_path, {"playbooks/severity.yaml": "levels: [\n"})
    result = invoke("--root", str(root), "doctor")
    assert result.exit_code == 1
    assert "playbooks/severity.yaml:" in result.output
    assert "Traceback" not in result.output


# --- a fresh init ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("init") / "acme"
    # Monday 2026-03-02: the rotation starts that Monday 09:00 UTC; the example incident is
    # 2026-02-23 14:02-14:42Z (SEV2: postmortem due 10bd later, 2026-03-09); AI-1 is due 2026-04-01.
    result = invoke("init", str(root), "--name", "Acme", "--now", "2026-03-02T12:00:00Z")
    assert result.exit_code == 0, result.output
    return root


def test_fresh_init_scores_eight_of_nine(fresh):
    code, card = doctor_json(fresh, "--now", "2026-03-02T12:00:00Z")
    assert code == 0
    got = {i["key"]: i["status"] for i in card["items"]}
    # The one gap: the ladder asks for commander and comms, and the scaffolded playbook has
    # no roles section describing them.
    assert [k for k, s in got.items() if s != "pass"] == ["roles"]
    assert got["roles"] == "warn"
    roles = item_json(card, "roles")
    assert roles["why"] == ("The ladder requires 2 roles (commander and comms); 0 described in a playbook's roles "
                            "section (no playbook has one)")
    assert roles["file"] == "playbooks/incident-response.md"
    assert item_json(card, "oncall-coverage")["why"].startswith("1 tier-1 service on 1 schedule (primary)")
    assert item_json(card, "action-items-on-time")["why"] == "1 item in 1 postmortem: 0 closed; 1 open; none overdue"
    assert item_json(card, "postmortems-on-time")["why"] == "1 of 1 required postmortem written on time"


@pytest.mark.parametrize("now, status, overdue", [
    ("2026-04-01T23:59:00Z", "pass", None),   # due day itself: not overdue
    ("2026-04-02T00:00:00Z", "warn", 1),
    ("2026-05-01T12:00:00Z", "warn", 30),     # 30 days: the policy's limit, still a warning
    ("2026-05-02T00:00:00Z", "fail", 31),
])
def test_fresh_init_action_item_ages(fresh, now, status, overdue):
    code, card = doctor_json(fresh, "--now", now)
    actions = item_json(card, "action-items-on-time")
    assert actions["status"] == status
    if overdue:
        assert f"the longest by {overdue} day" in actions["why"]
        assert actions["file"] == "postmortems/example-postmortem.md"
        assert "AI-1" in actions["fix"]


# --- step by step, on conftest's knowledge base ------------------------------------------------

ALWAYS = _d("""
    name: Payments on-call
    team: payments
    timezone: America/New_York
    coverage: "24/7"
    layers:
      - name: weekly
        members: [alice, bob, carol]
        start: 2026-01-05T09:00
        length: 1w
        backup: next
    """)


def test_base_knowledge_base_by_hand(tmp_path):
    card = card_for(tmp_path)
    assert {i.key: i.status for i in card.items} == {
        "severity-ladder": "warn",      # SEV2 and SEV3 set no update_every
        "roles": "warn",                # no playbook at all
        "oncall-coverage": "fail",      # business hours only, tier 1
        "escalation": "pass",
        "runbooks": "pass",
        "comms-templates": "fail",      # no templates
        "status-page": "pass",
        "postmortems-on-time": "pass",  # due 2026-03-19 15:10Z, dated 03-18
        "action-items-on-time": "pass",  # AI-2 due 07-01
    }
    assert (card.passed, card.total) == (5, 9)


LADDER_HEAD = "levels:\n"


def _level(ident: str, **keys) -> str:
    body = {"name": ident, **keys}
    return "  - id: " + ident + "\n" + "".join(f"    {k}: {v}\n" for k, v in body.items())


@pytest.mark.parametrize("ladder, status, fragment", [
    (None, "fail", "playbooks/severity.yaml does not exist"),
    (_level("SEV1", update_every="30m") + _level("SEV2", update_every="1h"), "fail", "no level pages anyone"),
    (_level("SEV1", page="true", update_every="30m"), "warn", "0 of 1 paging levels an acknowledgement target"),
    (_level("SEV1", page="true", ack_within="5m", update_every="30m") + _level("SEV2"), "warn",
     "1 of 2 set an update cadence"),
    (_level("SEV1", page="true", ack_within="5m", update_every="30m") + _level("SEV2", update_every="1d"), "pass",
     "2 levels, 1 paging (SEV1); 2 of 2 set an update cadence (update_every), 1 of 1 paging levels"),
])
def test_severity_ladder(tmp_path, ladder, status, fragment):
    # (the base incident and runbook name SEV1/SEV2: validate's business, not a load error)
    files = {"playbooks/severity.yaml": None if ladder is None else LADDER_HEAD + ladder}
    card = card_for(tmp_path, files)
    got = item(card, "severity-ladder")
    assert got.status == status, got
    assert fragment in got.why
    assert got.file == "playbooks/severity.yaml"
    assert (got.fix == "") == (status == "pass")


ROLES_LADDER = LADDER_HEAD + _level("SEV1", page="true", ack_within="5m", update_every="30m",
                                    roles="[incident-commander, comms, scribe]")


@pytest.mark.parametrize("playbook, status, described", [
    (None, "warn", 0),
    ("# Response\n\nThe incident commander leads; comms writes; the scribe notes.\n", "warn", 0),  # no roles heading
    ("# Response\n\n## Roles\n\n| Role | Does |\n|---|---|\n| Incident commander | leads |\n| Comms | writes |\n",
     "warn", 2),
    ("# Response\n\n## Incident roles\n\n- **Incident commander** leads.\n- **Comms** writes updates.\n"
     "- **Scribes** keep the timeline.\n", "pass", 3),
    ("# Response\n\n## Roles\n\nThe incident_commander, comms and scribe.\n\n## Other\n\nNothing.\n", "pass", 3),
    # "commander" alone is not "incident-commander"; "scribbles" is not "scribe"
    ("# Response\n\n## Roles\n\nThe commander, comms; scribbles.\n", "warn", 1),
])
def test_roles(tmp_path, playbook, status, described):
    files = {"playbooks/severity.yaml": ROLES_LADDER}
    if playbook is not None:
        files["playbooks/response.md"] = playbook
    got = item(card_for(tmp_path, files), "roles")
    assert got.status == status, got
    assert f"; {described} described" in got.why
    assert got.file == "playbooks/response.md" if playbook is not None else "playbooks/incident-response.md"


def test_roles_fail_when_the_ladder_names_none(tmp_path):
    files = {"playbooks/severity.yaml": LADDER_HEAD + _level("SEV1", page="true", ack_within="5m",
                                                             update_every="30m")}
    got = item(card_for(tmp_path, files), "roles")
    assert got.status == "fail" and "requires a role" in got.why


def _schedule(extra_layer: str = "", backup: str = "next") -> str:
    return ALWAYS.replace("backup: next", f"backup: {backup}") + extra_layer


@pytest.mark.parametrize("files, status, fragment, file", [
    # no tier-1 service
    ({"opsbook.yaml": BASE_FILES["opsbook.yaml"].replace("tier: 1", "tier: 2")}, "warn", "has tier: 1",
     "opsbook.yaml"),
    ({"opsbook.yaml": BASE_FILES["opsbook.yaml"].replace("    schedule: payments\n    tier: 1", "    tier: 1")},
     "fail", "payments-api has no schedule", "opsbook.yaml"),
    ({"opsbook.yaml": BASE_FILES["opsbook.yaml"].replace("    schedule: payments\n    tier: 1",
                                                         "    schedule: paymnets\n    tier: 1")},
     "fail", "payments-api names a schedule that does not exist", "opsbook.yaml"),
    # Business hours only (base): 8 weeks from Mon 08:00 EDT = 1344 h, of which 8 x 5 x 8 = 320 h covered:
    # 1024 h in 41 gaps (Mon 08-09, then 4 nights and a weekend per week).
    ({}, "fail", "payments has nobody primary for 1024 h in 41 gaps, the first 2026-06-01 08:00 EDT to "
                 "2026-06-01 09:00 EDT", "schedules/payments.yaml"),
    ({"schedules/payments.yaml": _schedule()}, "pass", "someone is primary and someone backup at every moment "
     "from 2026-06-01 08:00 EDT to 2026-07-27 08:00 EDT (8 weeks)", "schedules/payments.yaml"),
    ({"schedules/payments.yaml": _schedule(backup="null")}, "warn", "payments has nobody backup for 1344 h in "
     "1 gap", "schedules/payments.yaml"),
    # The layer ends exactly where the 8 weeks end: still covered (the window is [now, now + 8w)).
    ({"schedules/payments.yaml": _schedule().replace("backup: next", "backup: next\n    end: 2026-07-27T08:00")},
     "pass", "at every moment", "schedules/payments.yaml"),
    # ... one hour earlier: a 1 h gap at the end.
    ({"schedules/payments.yaml": _schedule().replace("backup: next", "backup: next\n    end: 2026-07-27T07:00")},
     "fail", "nobody primary for 1 h in 1 gap, the first 2026-07-27 07:00 EDT to 2026-07-27 08:00 EDT",
     "schedules/payments.yaml"),
    # policies.oncall.horizon: 1w looks one week ahead
    ({"schedules/payments.yaml": _schedule().replace("backup: next", "backup: next\n    end: 2026-06-09T08:00"),
      "opsbook.yaml": BASE_FILES["opsbook.yaml"] + "policies:\n  oncall:\n    horizon: 1w\n"},
     "pass", "at every moment from 2026-06-01 08:00 EDT to 2026-06-08 08:00 EDT (1 week)",
     "schedules/payments.yaml"),
])
def test_oncall_coverage(tmp_path, files, status, fragment, file):
    got = item(card_for(tmp_path, files), "oncall-coverage")
    assert got.status == status, got
    assert fragment in got.why, got.why
    assert got.file == file


def test_oncall_coverage_checks_the_schedule_each_tier1_service_names(tmp_path):
    # checkout-web made tier 1 on its own business-hours schedule fails, payments-api's 24/7 one passes.
    config = BASE_FILES["opsbook.yaml"].replace("    schedule: payments\n    tier: 2",
                                                "    schedule: office\n    tier: 1")
    office = BASE_FILES["schedules/payments.yaml"].replace("Payments on-call", "Office hours")
    got = item(card_for(tmp_path, {"opsbook.yaml": config, "schedules/payments.yaml": _schedule(),
                                   "schedules/office.yaml": office}), "oncall-coverage")
    assert got.status == "fail"
    assert got.why.startswith("2 tier-1 services on 2 schedules (office and payments); office has nobody primary")
    assert "payments has nobody" not in got.why
    assert got.file == "schedules/office.yaml"


ONE_STEP = _d("""
    policies:
      - id: payments
        steps:
          - after: 0m
            notify: [{schedule: payments, role: primary}]
    """)


@pytest.mark.parametrize("files, status, fragment, file", [
    ({}, "pass", "2 of 2 services escalate through 1 policy (payments); each with 2 or more steps",
     "schedules/escalation.yaml"),
    ({"schedules/escalation.yaml": ONE_STEP}, "warn", "payments has a single step", "schedules/escalation.yaml"),
    ({"opsbook.yaml": BASE_FILES["opsbook.yaml"].replace("    escalation: payments\n    schedule: payments\n"
                                                         "    tier: 2", "    schedule: payments\n    tier: 2")},
     "fail", "1 of 2 services escalates through 1 policy (payments); checkout-web has none", "opsbook.yaml"),
    ({"opsbook.yaml": "name: Acme\ntimezone: America/New_York\n"}, "warn", "lists no services", "opsbook.yaml"),
])
def test_escalation(tmp_path, files, status, fragment, file):
    got = item(card_for(tmp_path, files), "escalation")
    assert got.status == status, got
    assert fragment in got.why, got.why
    assert got.file == file


RULES = _d("""
    groups:
      - name: payments
        rules:
          - alert: CheckoutErrorRate
            expr: rate(errors[5m]) > 0.02
          - alert: AcquirerLatencyHigh
            expr: latency > 2
    """)
WITH_RULES = BASE_FILES["opsbook.yaml"] + "policies:\n  alerts:\n    rules: [alerts/*.yaml]\n"
LATENCY_RUNBOOK = BASE_FILES["runbooks/payments/checkout-errors.md"].replace(
    "alerts: [CheckoutErrorRate]", "alerts: [AcquirerLatencyHigh]").replace("service: payments-api",
                                                                            "service: checkout-web")


@pytest.mark.parametrize("files, status, fragment, file", [
    ({}, "pass", "1 of 1 tier-1 service has a runbook; alert coverage not measured", "runbooks/"),
    ({"runbooks/payments/checkout-errors.md": None}, "fail", "0 of 1 tier-1 service has a runbook; none for "
     "payments-api", "runbooks/"),
    # a page is not a runbook
    ({"runbooks/payments/checkout-errors.md": BASE_FILES["runbooks/payments/checkout-errors.md"].replace(
        "title: Checkout", "kind: page\ntitle: Checkout")}, "fail", "none for payments-api", "runbooks/"),
    ({"opsbook.yaml": WITH_RULES, "alerts/payments.yaml": RULES}, "fail",
     "1 of 2 alerts in 1 rule file have a runbook; none for AcquirerLatencyHigh", "runbooks/"),
    ({"opsbook.yaml": WITH_RULES, "alerts/payments.yaml": RULES, "runbooks/payments/latency.md": LATENCY_RUNBOOK},
     "pass", "2 of 2 alerts in 1 rule file have a runbook", "runbooks/"),
    ({"opsbook.yaml": WITH_RULES}, "fail", "policies.alerts.rules: 'alerts/*.yaml' names no file", "opsbook.yaml"),
    ({"opsbook.yaml": WITH_RULES, "alerts/payments.yaml": "groups: [\n"}, "fail", "1 problem reading rule files, "
     "the first in alerts/payments.yaml", "alerts/payments.yaml"),
    ({"opsbook.yaml": BASE_FILES["opsbook.yaml"].replace("tier: 1", "tier: 2")}, "warn",
     "Alert coverage not measured", "opsbook.yaml"),
])
def test_runbooks(tmp_path, files, status, fragment, file):
    got = item(card_for(tmp_path, files), "runbooks")
    assert got.status == status, got
    assert fragment in got.why, got.why
    assert got.file == file


def _templates(skip: tuple[str, ...] = (), body: str = "Next update by {{ next_update }}.\n") -> dict:
    from opsbook.incidents.comms import KINDS as MESSAGE_KINDS

    return {f"playbooks/templates/{k}.md": body for k in MESSAGE_KINDS if k not in skip}


@pytest.mark.parametrize("files, status, fragment, file", [
    ({}, "fail", "None of the 9 message kinds has a template", "playbooks/templates/"),
    (_templates(), "pass", "9 of 9 message kinds have a template; each renders", "playbooks/templates/"),
    (_templates(skip=("social", "support-kit")), "warn", "7 of 9 message kinds have a template; none for "
     "support-kit and social", "playbooks/templates/support-kit.md"),
    ({**_templates(), "playbooks/templates/social.md": "Next {{ next_update }} {{ incident.nope }}\n"}, "fail",
     "1 template fails to render, the first playbooks/templates/social.md line 1", "playbooks/templates/social.md"),
    ({**_templates(), "playbooks/templates/status-update.md": "We are on it.\n"}, "warn",
     "playbooks/templates/status-update.md never says when the next update is due",
     "playbooks/templates/status-update.md"),
])
def test_comms_templates(tmp_path, files, status, fragment, file):
    got = item(card_for(tmp_path, files), "comms-templates")
    assert got.status == status, got
    assert fragment in got.why, got.why
    assert got.file == file


@pytest.mark.parametrize("page, status, fragment", [
    (None, "fail", "status/page.yaml does not exist"),
    ("name: Acme Status\ncomponents: []\n", "fail", "lists no components"),
    ("name: Acme Status\ncomponents:\n  - {id: checkout, name: Checkout, services: [checkout-web]}\n", "warn",
     "1 component in 0 groups; 0 of 1 tier-1 service shown by a component; not payments-api"),
    (BASE_FILES["status/page.yaml"], "pass", "2 components in 1 group; 1 of 1 tier-1 service shown"),
])
def test_status_page(tmp_path, page, status, fragment):
    files = {"status/page.yaml": page}
    got = item(card_for(tmp_path, files), "status-page")
    assert got.status == status, got
    assert fragment in got.why
    assert got.file == "status/page.yaml"


PM = "postmortems/2026/2026-03-14-card-payments.md"


def _pm(status: str = "published", date: str = "2026-03-18", due: str | None = None,
        visibility: str = "internal") -> str:
    text = BASE_FILES[PM].replace("status: published", f"status: {status}").replace(
        "date: 2026-03-18", f"date: {date}").replace("visibility: internal", f"visibility: {visibility}")
    if due:
        text = text.replace(f"date: {date}", f"date: {date}\ndue: {due}")
    return text


# INC-2026-001: SEV1 (postmortem required, due 5d), resolved 2026-03-14T15:10Z -> due 2026-03-19T15:10Z.
@pytest.mark.parametrize("pm, now, status, fragment", [
    (_pm(status="draft"), "2026-03-19T15:09:59Z", "pass", "1 in draft or not started, not due yet"),
    (_pm(status="draft"), "2026-03-19T15:10:00Z", "fail", "1 past the deadline and not out of draft (INC-2026-001)"),
    (None, "2026-03-19T15:10:00Z", "fail", "1 past the deadline and not out of draft"),
    (_pm(date="2026-03-19"), NOW, "pass", "1 of 1 required postmortem written on time"),
    (_pm(date="2026-03-20"), NOW, "warn", "1 written after the deadline (INC-2026-001)"),
    # its own due: replaces the ladder's, to the end of that day in New York (2026-03-26T04:00Z)
    (_pm(status="in-review", date="2026-03-25", due="2026-03-25"), NOW, "pass", "written on time"),
    (_pm(status="draft", due="2026-03-25"), "2026-03-26T03:59:59Z", "pass", "not due yet"),
    (_pm(status="draft", due="2026-03-25"), "2026-03-26T04:00:00Z", "fail", "past the deadline"),
])
def test_postmortems_on_time(tmp_path, pm, now, status, fragment):
    got = item(card_for(tmp_path, {PM: pm}, now=now), "postmortems-on-time")
    assert got.status == status, got
    assert fragment in got.why, got.why


def test_postmortems_warn_when_no_level_requires_one(tmp_path):
    ladder = BASE_FILES["playbooks/severity.yaml"].replace("postmortem: required", "postmortem: optional")
    got = item(card_for(tmp_path, {"playbooks/severity.yaml": ladder}), "postmortems-on-time")
    assert got.status == "warn" and got.file == "playbooks/severity.yaml"


# AI-2: open, due 2026-07-01; the organisation's zone is New York (EDT, UTC-4).
@pytest.mark.parametrize("now, status, fragment", [
    ("2026-07-02T03:59:00Z", "pass", "1 open; none overdue"),             # still 07-01 in New York
    ("2026-07-02T04:00:00Z", "warn", "1 overdue, the longest by 1 day (0 by more"),
    ("2026-07-31T12:00:00Z", "warn", "the longest by 30 days (0 by more than the 30 days"),
    ("2026-08-01T12:00:00Z", "fail", "the longest by 31 days (1 by more than the 30 days"),
])
def test_action_items_on_time(tmp_path, now, status, fragment):
    got = item(card_for(tmp_path, now=now), "action-items-on-time")
    assert got.status == status, got
    assert fragment in got.why
    assert got.why.startswith("2 items in 1 postmortem: 1 closed; 1 open")


def test_action_items_counts_late_closes_and_undated(tmp_path):
    pm = BASE_FILES[PM].replace("status: done, type: detect}", "status: done, closed: 2026-04-20, type: detect}")
    pm = pm.replace("due: 2026-07-01, status: open", "status: open")
    got = item(card_for(tmp_path, {PM: pm}), "action-items-on-time")
    assert got.status == "warn"
    assert got.why == ("2 items in 1 postmortem: 1 closed (0 by their due date, 1 after it); 1 open; none overdue; "
                       "1 open without a due date")
    assert got.fix == "Give action item AI-2 a due date"


def test_action_items_with_none_pass(tmp_path):
    pm = BASE_FILES[PM].split("action_items:")[0] + "---\n# Card payments\n"
    got = item(card_for(tmp_path, {PM: pm}), "action-items-on-time")
    assert got.status == "pass" and got.why == "No postmortem has action items yet"


# --- what the public may read ------------------------------------------------------------------


def test_public_audience_names_no_internal_postmortem_or_incident(tmp_path):
    # An internal postmortem with an overdue item, and a non-public incident whose postmortem is late.
    late = _d("""
        id: INC-2026-002
        title: Secret ledger drift
        severity: SEV1
        status: resolved
        services: [payments-api]
        commander: alice
        roles: {comms: bob}
        started: 2026-04-01T10:00:00Z
        detected: 2026-04-01T10:01:00Z
        declared: 2026-04-01T10:02:00Z
        acknowledged: 2026-04-01T10:03:00Z
        mitigated: 2026-04-01T10:30:00Z
        resolved: 2026-04-01T11:00:00Z
        public: false
        impact: none
        """)
    files = {"incidents/INC-2026-002.yaml": late}
    now = "2026-07-10T12:00:00Z"
    internal = card_for(tmp_path, files, now=now, audience="internal")
    public = scorecard(load(tmp_path / "kb", kinds=KINDS)[0], at(now), "public")
    pm_i, pm_p = item(internal, "postmortems-on-time"), item(public, "postmortems-on-time")
    assert "INC-2026-002" in pm_i.why and "INC-2026-002" in pm_i.fix
    assert "INC-2026-002" not in pm_p.why + pm_p.fix and "1 internal incident" in pm_p.why
    ai_i, ai_p = item(internal, "action-items-on-time"), item(public, "action-items-on-time")
    assert ai_i.file == PM and "AI-2" in ai_i.fix
    assert ai_p.file == "postmortems/" and "AI-2" not in ai_p.fix + ai_p.why
    # the counts are the same in both
    assert ai_i.why == ai_p.why and ai_i.status == ai_p.status == "warn"
    dumped = json.dumps(public.model_dump(mode="json"))
    for secret in ("card-payments", "Secret ledger", "Card payments failing", "INC-2026-002"):
        assert secret not in dumped


def test_scorecard_default_audience_is_public(tmp_path):
    root = make_kb(tmp_path)
    kb = load(root, kinds=KINDS)[0]
    card = scorecard(kb, at("2026-08-01T12:00:00Z"))
    assert card.audience == "public"
    assert item(card, "action-items-on-time").file == "postmortems/"


def test_restricted_postmortem_is_not_named_even_internally(tmp_path):
    files = {PM: _pm(visibility="restricted")}
    got = item(card_for(tmp_path, files, now="2026-08-01T12:00:00Z"), "action-items-on-time")
    assert got.file == "postmortems/" and "AI-2" not in got.fix


def test_naive_now_is_refused(tmp_path):
    kb = load(make_kb(tmp_path), kinds=KINDS)[0]
    with pytest.raises(ValueError):
        scorecard(kb, datetime(2026, 6, 1))


def test_doctor_reads_only_its_kinds(tmp_path):
    # A broken people file is not read (no step needs people), so doctor still answers.
    root = make_kb(tmp_path, {"schedules/people.yaml": "people: [\n"})
    code, card = doctor_json(root, "--now", NOW)
    assert code == 0 and card["total"] == 9


def test_json_matches_the_model():
    from opsbook.doctor.model import Scorecard

    code, card = doctor_json(REPO)
    schema = Scorecard.model_json_schema(mode="serialization")
    import jsonschema

    jsonschema.validate(card, schema)
    assert set(card) == {"organisation", "now", "audience", "items", "passed", "warned", "failed", "total"}


# --- odd but valid input -----------------------------------------------------------------------


def test_a_knowledge_base_of_one_file(tmp_path):
    root = tmp_path / "kb"
    root.mkdir()
    (root / "opsbook.yaml").write_text('name: "Mini <b> & co"\n', encoding="utf-8")
    code, card = doctor_json(root, "--now", "2026-01-01")
    assert code == 0
    assert [i["status"] for i in card["items"]] == [
        "fail",   # no ladder
        "fail",   # no ladder, so no roles
        "warn",   # no tier-1 service to cover
        "warn",   # no services to route
        "warn",   # nothing to measure
        "fail",   # no templates
        "fail",   # no status page
        "warn",   # nothing requires a postmortem
        "pass",   # no action items
    ]
    assert card["organisation"] == "Mini <b> & co"
    assert item_json(card, "status-page")["file"] == "status/page.yaml"


def test_terminal_output_cannot_be_driven_by_a_rule_file(tmp_path):
    rules = ('groups:\n  - name: g\n    rules:\n      - alert: "Evil\\r\\n5. pass  faked\\u001b[2J\\u0007"\n'
             '        expr: up == 0\n')
    root = make_kb(tmp_path, {"opsbook.yaml": WITH_RULES, "alerts/payments.yaml": rules})
    result = invoke("--root", str(root), "doctor", "--now", NOW)
    assert result.exit_code == 0
    out = result.stdout
    assert "\r" not in out and "\x1b" not in out and "\x07" not in out
    assert "\n5. pass  faked" not in out
    assert "5. FAIL  Runbooks" in out


# SEV2 is due 5bd after resolution: resolved Friday 2026-05-01 16:00Z -> due Friday 2026-05-08 16:00Z
# (five working days, the weekend skipped).
@pytest.mark.parametrize("now, status", [("2026-05-08T15:59:59Z", "pass"), ("2026-05-08T16:00:00Z", "fail")])
def test_business_day_deadline(tmp_path, now, status):
    incident = BASE_FILES["incidents/INC-2026-001.yaml"].replace("id: INC-2026-001", "id: INC-2026-002").replace(
        "severity: SEV1", "severity: SEV2").replace("2026-03-14T15:10:00Z", "2026-05-01T16:00:00Z")
    incident = "\n".join(line for line in incident.splitlines()
                         if not line.startswith(("updates:", "  - {at:", "timeline:"))) + "\n"
    incident = incident.replace("2026-03-14T", "2026-05-01T")
    got = item(card_for(tmp_path, {"incidents/INC-2026-002.yaml": incident}, now=now), "postmortems-on-time")
    assert got.status == status, got.why


def test_fresh_init_in_new_york_is_covered_across_the_clock_change(tmp_path):
    # Weekly handoffs Monday 09:00 New York wall-clock; the window 2026-03-02 to 2026-04-27 crosses
    # 2026-03-08 (EST -> EDT): the engine's turns stay contiguous, so no gap.
    root = tmp_path / "ny"
    assert invoke("init", str(root), "--timezone", "America/New_York", "--now", "2026-03-02T17:00:00Z").exit_code == 0
    code, card = doctor_json(root, "--now", "2026-03-02T17:00:00Z")
    got = item_json(card, "oncall-coverage")
    assert got["status"] == "pass"
    assert got["why"].endswith("from 2026-03-02 12:00 EST to 2026-04-27 13:00 EDT (8 weeks)")


def test_reading_only_its_kinds_gives_the_full_load_answer():
    full, _ = load(REPO)
    lazy, _ = load(REPO, kinds=KINDS)
    now = full.config.as_of
    for audience in ("internal", "public"):
        assert scorecard(lazy, now, audience) == scorecard(full, now, audience)


def test_cli_audience_public_is_what_the_public_page_shows(tmp_path):
    root = make_kb(tmp_path)
    _, internal = doctor_json(root, "--now", "2026-08-01T12:00:00Z")
    _, public = doctor_json(root, "--now", "2026-08-01T12:00:00Z", "--audience", "public")
    assert public["audience"] == "public" and internal["audience"] == "internal"
    assert item_json(internal, "action-items-on-time")["file"] == PM
    assert item_json(public, "action-items-on-time")["file"] == "postmortems/"
    assert invoke("--root", str(root), "doctor", "--audience", "everyone").exit_code == 2


def test_the_horizon_is_eight_weeks_of_real_time_across_a_clock_change(tmp_path):
    # --now without an offset is New York time (EST); eight weeks later is 1344 hours later, which
    # after the switch to EDT on 2026-03-08 reads 13:00, not 12:00.
    root = tmp_path / "ny"
    assert invoke("init", str(root), "--timezone", "America/New_York", "--now", "2026-03-02T17:00:00Z").exit_code == 0
    _, card = doctor_json(root, "--now", "2026-03-02T12:00")
    assert card["now"] == "2026-03-02T17:00:00Z"
    assert item_json(card, "oncall-coverage")["why"].endswith("from 2026-03-02 12:00 EST to 2026-04-27 13:00 EDT "
                                                              "(8 weeks)")

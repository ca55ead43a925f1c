"""Issue 8, part 5: no internal error and no hang for anything a user can write.

One row per hostile value: the files that carry it (on top of conftest's
BASE_FILES), the command that reads it, the exit code, and a fragment of the
located message. Every row runs through the CLI and must not end in a traceback
or an "internal error".

No row measures time. The work is bounded instead, and two safety nets turn a
regression into a failure rather than a hang: a count of rotation handoffs
computed (``rotation.handoff``; the cases below need a few hundred, the old
engine walked a turn at a time to an override's end, hundreds of thousands) and
a count of range() items the Jinja sandbox hands out. The one row neither net can
catch (a macro that calls itself twice per level) runs in a subprocess with a
timeout, purely so that a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field

import pytest
from conftest import BASE_FILES, invoke, make_kb

SCHED = "schedules/payments.yaml"
SEV = "playbooks/severity.yaml"
ESC = "schedules/escalation.yaml"
ORG = "opsbook.yaml"
TPL = "playbooks/templates/status-resolved.md"  # renders for the base's resolved incident

HANDOFF_BUDGET = 50_000
RANGE_BUDGET = 2_000_000


def sub(path: str, old: str, new: str) -> dict[str, str]:
    text = BASE_FILES[path]
    assert old in text, (path, old)
    return {path: text.replace(old, new, 1)}


def override(line: str) -> dict[str, str]:
    return {SCHED: BASE_FILES[SCHED] + f"  - {line}\n"}


HOURLY_FROM_1900 = sub(SCHED, "start: 2026-01-05T09:00\n    length: 1w\n    backup: next\n    restrict:\n"
                             "      - {days: [mon, tue, wed, thu, fri], from: \"09:00\", to: \"17:00\"}\n",
                       "start: 1900-01-01T00:00\n    length: 1h\n    backup: next\n")


@dataclass(frozen=True)
class Case:
    id: str
    files: dict
    args: tuple[str, ...]
    exit_code: int
    fragment: str
    isolate: bool = field(default=False)
    """Run in a subprocess with a timeout (no in-process safety net can stop it)."""


NOW = ("--now", "2026-06-01T12:00:00Z")
CASES = [
    # --- durations and deadlines (timeutil) -----------------------------------------
    Case("postmortem-due-3000000bd-validate", sub(SEV, "postmortem_due: 5d", "postmortem_due: 3000000bd"),
         ("validate", *NOW), 1, "playbooks/severity.yaml:11:21: error OB105"),
    Case("postmortem-due-3000000bd-says-the-limit", sub(SEV, "postmortem_due: 5d", "postmortem_due: 3000000bd"),
         ("validate", *NOW), 1, "opsbook accepts up to 26089bd"),
    Case("postmortem-due-3000000bd-severity", sub(SEV, "postmortem_due: 5d", "postmortem_due: 3000000bd"),
         ("severity",), 1, "playbooks/severity.yaml:11:21"),
    Case("postmortem-due-3000000bd-incident-new", sub(SEV, "postmortem_due: 5d", "postmortem_due: 3000000bd"),
         ("incident", "new", "--title", "Checkout down", "--severity", "SEV1", "--at", "2026-06-01T12:00Z"), 1,
         "playbooks/severity.yaml:11:21"),
    Case("ack-within-5000-digits", sub(SEV, "ack_within: 5m", "ack_within: " + "9" * 5000 + "m"),
         ("validate", *NOW), 1, "is longer than a century; opsbook accepts durations up to 36525d"),
    Case("escalation-after-100000d", sub(ESC, "after: 10m", "after: 100000d"),
         ("validate", *NOW), 1, "schedules/escalation.yaml:8:16: error OB105 policies[0].steps[2].after: '100000d' "
         "is longer than a century; opsbook accepts durations up to 36525d"),
    # --- the validate horizon (check/oncall.py) ---------------------------------------
    Case("horizon-36525d", {ORG: BASE_FILES[ORG] + "policies:\n  oncall:\n    horizon: 36525d\n"},
         ("validate", *NOW), 1, "opsbook.yaml:18:14: error OB407"),
    # --- overrides that reach far (the engine) ----------------------------------------
    Case("override-1900-to-2999-handoff",
         override("{role: primary, person: carol, start: 1900-01-01T00:00, end: 2999-12-31T00:00}"),
         ("handoff", "payments", "--at", "2026-06-01T12:00Z"), 0, "incoming  primary Carol Diaz"),
    Case("override-to-2226-now",
         override("{role: primary, person: carol, start: 2026-05-30T00:00, end: 2226-05-30T00:00}"),
         ("oncall", "now", *NOW), 0, "primary  Carol Diaz (carol)"),
    Case("override-to-2226-next-change-is-the-backup-handoff",
         override("{role: primary, person: carol, start: 2026-05-30T00:00, end: 2226-05-30T00:00}"),
         ("oncall", "now", *NOW), 0, "changes  Mon 2026-06-01 09:00 EDT"),
    Case("both-roles-to-2999-now",
         {SCHED: BASE_FILES[SCHED] + "  - {role: primary, person: carol, start: 1900-01-01T00:00, end: 2999-12-31T00:00}\n"
                                     "  - {role: backup, person: bob, start: 1900-01-01T00:00, end: 2999-12-31T00:00}\n"},
         ("oncall", "now", *NOW), 0, "changes  not within a year"),
    Case("override-to-2999-validate",
         override("{role: primary, person: carol, start: 2026-05-30T00:00, end: 2999-05-30T00:00}"),
         ("validate", *NOW), 1, "error OB402 'carol' is both primary and backup on Payments on-call from "
         "Mon 2026-06-08 09:00 EDT"),
    Case("hourly-layer-from-1900-2-year-ics", HOURLY_FROM_1900,
         ("oncall", "ics", "--out", "{tmp}/feeds", "--from", "2026-01-01", "--to", "2027-12-31"), 2,
         "a feed holds at most 5,000 shifts per schedule"),
    # --- windows on the command line ---------------------------------------------------
    Case("gaps-1900-to-2999", {}, ("oncall", "gaps", "--from", "1900-01-01", "--to", "2999-12-31"), 2,
         "a window may span at most 731 days (2 years)"),
    Case("ics-1900-to-2999", {}, ("oncall", "ics", "--out", "{tmp}/feeds", "--from", "1900-01-01", "--to",
                                  "2999-12-31"), 2, "a window may span at most 731 days"),
    Case("shifts-3-years", {}, ("oncall", "shifts", "--from", "2026-01-01", "--to", "2029-01-01"), 2,
         "narrow it, e.g. --to 2028-01-02"),
    Case("report-1900-to-1903", {}, ("oncall", "report", "--from", "1900-01-01", "--to", "1903-01-01"), 2,
         "spans 1095 days"),
    # --- communication templates (incidents/comms.py) --------------------------------------
    Case("template-nested-range-validate",
         {TPL: "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n"},
         ("validate", *NOW), 1, "status-resolved.md:1:1: error OB507 template exceeds the render budget"),
    Case("template-nested-range-comms",
         {TPL: "Resolved.\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n"},
         ("comms", "INC-2026-001", "--kind", "status-resolved", *NOW), 2,
         "playbooks/templates/status-resolved.md:2: template exceeds the render budget"),
    Case("template-string-repetition", {TPL: "Resolved.\n\n{{ 'x' * 10 ** 12 }}\n"},
         ("validate", *NOW), 1, "status-resolved.md:3:1: error OB507 template exceeds the render budget: repeating"),
    Case("template-huge-power", {TPL: "{{ 2 ** (10 ** 8) }}\n"},
         ("validate", *NOW), 1, "exceeds the render budget: '**' would compute an integer"),
    Case("template-long-output", {TPL: "{% for i in range(20000) %}{{ 'x' * 50 }}{% endfor %}\n"},
         ("validate", *NOW), 1, "the message is longer than 200,000 characters"),
    Case("template-long-output-comms", {TPL: "{% for i in range(20000) %}{{ 'x' * 50 }}{% endfor %}\n"},
         ("comms", "INC-2026-001", "--kind", "status-resolved", *NOW), 2, "status-resolved.md:1: template exceeds"),
    Case("template-macro-calls-itself-twice",
         {TPL: "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}\n"},
         ("validate", *NOW), 1, "exceeds the render budget: a call takes the render past 100,000 steps",
         isolate=True),
]


@pytest.fixture(autouse=True)
def safety_nets(monkeypatch):
    """Turn unbounded work into a failure: count rotation handoffs and sandbox range() items."""
    import jinja2.sandbox

    from opsbook.oncall import rotation

    spent = {"handoffs": 0, "range": 0}
    real_handoff, real_range = rotation.handoff, jinja2.sandbox.safe_range

    def handoff(*args):
        spent["handoffs"] += 1
        if spent["handoffs"] > HANDOFF_BUDGET:
            raise AssertionError(f"more than {HANDOFF_BUDGET} rotation handoffs computed: the work is unbounded")
        return real_handoff(*args)

    def safe_range(*args):
        rng = real_range(*args)
        spent["range"] += len(rng)
        if spent["range"] > RANGE_BUDGET:
            raise AssertionError(f"more than {RANGE_BUDGET} range() items: the template's work is unbounded")
        return rng

    monkeypatch.setattr(rotation, "handoff", handoff)
    monkeypatch.setattr(jinja2.sandbox, "safe_range", safe_range)
    return spent


def _run(case: Case, tmp_path):
    root = make_kb(tmp_path, case.files)
    args = ("--root", str(root), *(a.replace("{tmp}", str(tmp_path)) for a in case.args))
    if not case.isolate:
        result = invoke(*args)
        return result.exit_code, result.stdout + result.stderr
    done = subprocess.run([sys.executable, "-m", "opsbook", *args], capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_value_is_a_located_error_or_a_correct_answer(case: Case, tmp_path):
    code, output = _run(case, tmp_path)
    assert "Traceback" not in output and "internal error" not in output, output
    assert case.fragment in output, output
    assert code == case.exit_code, output


def test_oncall_now_work_does_not_depend_on_how_far_an_override_reaches(tmp_path, safety_nets):
    """The same number of handoffs is computed whether the override ends next
    week or in 2999 (the old engine walked every turn up to its end)."""
    counts = []
    for end in ("2026-06-08T00:00", "2226-05-30T00:00", "2999-12-31T00:00"):
        root = make_kb(tmp_path / end[:4], override(f"{{role: primary, person: carol, start: 2026-05-30T00:00, "
                                                     f"end: {end}}}"))
        before = safety_nets["handoffs"]
        result = invoke("--root", str(root), "oncall", "now", *NOW)
        assert result.exit_code == 0 and "primary  Carol Diaz (carol)" in result.stdout
        counts.append(safety_nets["handoffs"] - before)
    assert counts[1] == counts[2] <= counts[0] < 200, counts


@pytest.mark.parametrize("days,exit_code", [(730, 0), (731, 0), (732, 2)])
def test_a_window_of_two_years_is_allowed_and_a_day_more_is_not(tmp_path, days, exit_code):
    from datetime import date, timedelta

    end = date(2028, 1, 1) + timedelta(days=days)
    result = invoke("--root", str(make_kb(tmp_path)), "oncall", "gaps", "--from", "2028-01-01", "--to", end.isoformat())
    assert result.exit_code == exit_code, result.stderr
    assert ("at most 731 days" in result.stderr) == (exit_code == 2)


@pytest.mark.parametrize("horizon,reported", [("731d", False), ("732d", True), ("105w", True)])
def test_horizon_up_to_two_years_is_checked_and_a_longer_one_is_reported(tmp_path, horizon, reported):
    root = make_kb(tmp_path, {ORG: BASE_FILES[ORG] + f"policies:\n  oncall:\n    horizon: {horizon}\n"})
    result = invoke("--root", str(root), "validate", *NOW)
    assert ("OB407" in result.stdout) == reported, result.stdout
    assert result.exit_code == (1 if reported else 0)


@pytest.mark.parametrize("size,exit_code", [(200, 0), (400, 2)])
def test_nested_loops_within_the_budget_render_and_beyond_it_do_not(tmp_path, size, exit_code):
    template = f"{{% for i in range({size}) %}}{{% for j in range({size}) %}}{{% endfor %}}{{% endfor %}}Resolved.\n"
    root = make_kb(tmp_path, {TPL: template})
    result = invoke("--root", str(root), "comms", "INC-2026-001", "--kind", "status-resolved", *NOW)
    assert result.exit_code == exit_code, result.stderr
    assert ("past 100,000 steps" in result.stderr) == (exit_code == 2)

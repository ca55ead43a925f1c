"""Issue 10's model extensions as a person writes them: EscalationPolicy.repeat_after and the
wider repeat, located errors for what cannot be meant, and layer bounds and short turns through
the CLI without a hang (the work is counted, not timed)."""

from __future__ import annotations

import json

import pytest
from conftest import BASE_FILES, invoke, make_kb, run_validate

ESC = "schedules/escalation.yaml"
SCHED = "schedules/payments.yaml"
BASE_ESC = BASE_FILES[ESC]


def policy(tail: str) -> dict[str, str]:
    assert BASE_ESC.endswith("    repeat: 1\n")
    return {ESC: BASE_ESC.removesuffix("    repeat: 1\n") + tail}


def test_a_policy_with_repeat_and_no_repeat_after_keeps_its_meaning(tmp_path):
    # The base policy says `repeat: 1` and nothing about when: still valid, one round of notifications.
    from opsbook.load import load

    root = make_kb(tmp_path)
    assert run_validate(root)[1]["diagnostics"] == []
    p = load(root)[0].escalation_file.policies[0]
    assert p.repeat == 1 and p.repeat_after is None
    assert [int(t.total_seconds() // 60) for t, _, _ in p.notifications()] == [0, 5, 10]


def test_repeat_after_times_every_round(tmp_path):
    from opsbook.load import load

    root = make_kb(tmp_path, policy("    repeat: 20\n    repeat_after: 30m\n"))
    assert run_validate(root)[1]["diagnostics"] == []
    p = load(root)[0].escalation_file.policies[0]
    got = [(int(t.total_seconds() // 60), r) for t, r, _ in p.notifications()]
    assert len(got) == 21 * 3 and got[:6] == [(0, 0), (5, 0), (10, 0), (30, 1), (35, 1), (40, 1)]
    assert got[-1] == (610, 20)  # round 20 starts at 600m; its last step 10 minutes later


@pytest.mark.parametrize("tail,code,line,fragment", [
    ("    repeat: 21\n", "OB103", 10, "<= 20"),
    ("    repeat: 1\n    repeat_after: 5m\n", "OB103", 11, "shorter than the last step's delay (10m)"),
    ("    repeat: 1\n    repeat_after: 0m\n", "OB105", 11, "longer than 0"),
    ("    repeat_after: 30m\n", "OB103", 10, "`repeat` is 0"),
    ("    repeat: 1\n    repeat_after: soon\n", "OB105", 11, "expected a duration"),
], ids=["repeat-above-20", "round-shorter-than-its-steps", "round-of-nothing", "repeat-after-without-repeat",
        "not-a-duration"])
def test_repeat_values_that_cannot_be_meant_are_located(tmp_path, tail, code, line, fragment):
    _, payload = run_validate(make_kb(tmp_path, policy(tail)))
    found = [(x["code"], x["file"], x["line"]) for x in payload["diagnostics"]]
    assert found == [(code, ESC, line)], payload["diagnostics"]
    assert fragment in payload["diagnostics"][0]["message"] and payload["diagnostics"][0]["hint"]


def layer_keys(text: str) -> dict[str, str]:
    base = BASE_FILES[SCHED]
    assert "    length: 1w\n" in base
    return {SCHED: base.replace("    length: 1w\n", text, 1)}


@pytest.fixture
def handoffs(monkeypatch):
    """Counts turn boundaries; more than 200,000 fails at once instead of running on."""
    from opsbook.oncall import rotation

    count = {"n": 0}
    real = rotation.handoff

    def counted(*args):
        count["n"] += 1
        assert count["n"] <= 200_000, "the engine walks turns it does not need"
        return real(*args)

    monkeypatch.setattr(rotation, "handoff", counted)
    return count


@pytest.mark.parametrize("keys", [
    "    length: 1w\n    from: 2999-01-01T00:00\n",
    "    length: 1w\n    end: 2999-01-01T00:00\n",
    "    length: 15m\n    end: 2999-01-01T00:00\n",
], ids=["from-in-2999", "end-in-2999", "15m-turns-to-2999"])
def test_oncall_now_with_bounds_far_away_is_an_answer(tmp_path, handoffs, keys):
    root = make_kb(tmp_path, layer_keys(keys))
    result = invoke("--root", str(root), "oncall", "now", "--json")
    assert result.exit_code == 0, result.stderr
    assert handoffs["n"] < 5_000


def test_fifteen_minute_turns_over_two_years_are_bounded_work(tmp_path, handoffs):
    # 731 days of 15-minute turns: 70,176 turns, each computed about once (plus the window's edges).
    root = make_kb(tmp_path, layer_keys("    length: 15m\n"))
    result = invoke("--root", str(root), "oncall", "shifts", "--from", "2026-06-01", "--to", "2028-06-01", "--json")
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)["shifts"]) > 10_000
    assert handoffs["n"] < 200_000


def test_a_one_minute_turn_is_a_located_error_not_a_million_handoffs(tmp_path):
    root = make_kb(tmp_path, layer_keys("    length: 1m\n"))
    code, payload = run_validate(root)
    assert code == 1
    assert [(x["code"], x["file"]) for x in payload["diagnostics"]] == [("OB105", SCHED)]
    assert "at least 15m" in payload["diagnostics"][0]["message"]
    result = invoke("--root", str(root), "oncall", "now")
    assert result.exit_code in (1, 2) and "internal error" not in result.stderr + result.stdout

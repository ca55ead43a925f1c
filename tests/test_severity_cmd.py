"""`opsbook severity` and `opsbook severity classify`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import invoke, make_kb

REPO = Path(__file__).resolve().parents[1]


def test_ladder_lists_levels_most_severe_first(kb):
    result = invoke("--root", str(kb), "severity", "--json")
    levels = json.loads(result.stdout)["levels"]
    assert [lv["id"] for lv in levels] == ["SEV1", "SEV2", "SEV3"]
    assert levels[0]["ack_within"] == "5 min" and levels[0]["roles"] == ["commander", "comms"]
    text = invoke("--root", str(kb), "severity").stdout
    assert "SEV2  Major" in text and "postmortem:   required, due 5 business days after resolution" in text


@pytest.mark.parametrize("answers,level", [
    (["no"], "SEV3"),
    (["yes", "yes"], "SEV1"),
    (["yes", "no"], "SEV2"),
    (["customers=yes", "widespread=no"], "SEV2"),
    (["widespread=yes", "customers=yes"], "SEV1"),  # by id, in any order
])
def test_classify_with_answers(kb, answers, level):
    args = [x for a in answers for x in ("--answer", a)]
    result = invoke("--root", str(kb), "severity", "classify", *args, "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["level"]["id"] == level


def test_classify_prints_expectations(kb):
    result = invoke("--root", str(kb), "severity", "classify", "--answer", "yes", "--answer", "yes")
    assert "Are customers affected? yes" in result.stdout
    for expected in ("SEV1  Critical", "acknowledge:  5 min", "updates:      every 30 min", "roles:        commander, comms",
                     "status page:  required", "escalation: payments"):
        assert expected in result.stdout


@pytest.mark.parametrize("args,message", [
    (["--answer", "yes"], "no answer for question 'widespread'"),
    (["--answer", "custmers=yes"], "did you mean 'customers'?"),
    (["--answer", "maybe"], "expected yes or no"),
])
def test_classify_bad_answers(kb, args, message):
    result = invoke("--root", str(kb), "severity", "classify", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_classify_without_a_terminal_never_waits_for_input(kb):
    # CliRunner's stdin is not a terminal: without --answer flags this is an error, never a hang.
    result = invoke("--root", str(kb), "severity", "classify")
    assert result.exit_code == 2 and "no answer for question 'customers'" in result.stderr


def test_classify_the_example_ladder():
    result = invoke("--root", str(REPO), "severity", "classify", "--answer", "money-or-data=no",
                    "--answer", "core-flow-down=no", "--answer", "core-flow-degraded=yes", "--json")
    out = json.loads(result.stdout)
    assert out["level"]["id"] == "SEV2" and out["level"]["postmortem_due"] == "10 days"


def test_no_decision_tree(tmp_path):
    from conftest import BASE_FILES

    sev = BASE_FILES["playbooks/severity.yaml"]
    root = make_kb(tmp_path, {"playbooks/severity.yaml": sev[:sev.index("decision_tree:")]})
    result = invoke("--root", str(root), "severity", "classify")
    assert result.exit_code == 2 and "no decision_tree" in result.stderr

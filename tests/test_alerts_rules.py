"""Prometheus rule files are hostile input: located errors, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import BASE_FILES, invoke, make_kb
from opsbook.alerts.rules import read_rule_file


def rules_kb(tmp_path: Path, text: str | bytes) -> tuple[Path, Path]:
    root = make_kb(tmp_path)
    path = root / "rules.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return root, path


HELM = ('groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up == 0\n        labels:\n'
        '          {{- include "labels" . | nindent 10 }}\n')
BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))


@pytest.mark.parametrize("text,line,message", [
    ("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: [unclosed\n", 5, "not a YAML rule file"),
    (BOMB, 1, "aliases expand"),
    ("[" * 5000 + "]" * 5000, 1, "nested more than"),
    (HELM, 7, "not a YAML rule file"),
    ("just: a mapping\n", 1, "no rule groups found"),
    (b"groups: [\xff]\n", 1, "UTF-8"),
])
def test_bad_rule_files_are_located_findings(tmp_path, text, line, message):
    root, path = rules_kb(tmp_path, text)
    alerts, [diag] = read_rule_file(path)
    assert alerts == [] and diag.code == "OB703" and diag.line == line and message in diag.message
    result = invoke("--root", str(root), "runbooks", "coverage", "--rules", str(path))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"rules.yaml:{line}:" in result.stdout


def test_template_hint(tmp_path):
    _root, path = rules_kb(tmp_path, HELM)
    [diag] = read_rule_file(path)[1]
    assert "helm template" in diag.hint


def test_several_documents_lists_and_recording_rules(tmp_path):
    _root, path = rules_kb(tmp_path, (
        "kind: List\nitems:\n  - kind: PrometheusRule\n    spec:\n      groups:\n        - name: a\n          rules:\n"
        "            - {alert: One, expr: x, labels: {severity: page}}\n"
        "---\n---\ngroups:\n  - name: b\n    rules:\n      - {record: r, expr: y}\n      - alert: Two\n        expr: z\n"))
    alerts, diags = read_rule_file(path)
    assert diags == []
    assert [(a.name, a.line, a.group, a.severity) for a in alerts] == [("One", 8, "a", "page"), ("Two", 15, "b", None)]


def test_usage_errors_exit_2(tmp_path):
    root = make_kb(tmp_path)
    missing = invoke("--root", str(root), "runbooks", "coverage", "--rules", str(root / "nope.yaml"))
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    none = invoke("--root", str(root), "runbooks", "coverage")
    assert none.exit_code == 2 and "policies.alerts.rules" in none.stderr


def test_validate_runs_coverage_when_the_policy_names_rule_files(tmp_path):
    root = make_kb(tmp_path, {
        "opsbook.yaml": BASE_FILES["opsbook.yaml"] + "policies:\n  alerts:\n    rules: [rules/*.yaml, gone/*.yaml]\n",
        "rules/a.yaml": "groups:\n  - name: g\n    rules:\n      - alert: CheckoutErrorRate\n        expr: x\n"
                        "      - alert: <script>New</script>\n        expr: y\n",
    })
    result = invoke("--root", str(root), "validate", "--json", "--now", "2026-06-01T12:00:00Z")
    found = {(d["code"], d["file"], d["line"]) for d in json.loads(result.stdout)["diagnostics"]}
    assert ("OB701", "rules/a.yaml", 6) in found
    assert any(code == "OB703" and file == "opsbook.yaml" for code, file, _ in found)
    assert result.exit_code == 1


def test_alert_names_are_escaped_on_the_runbook_index(tmp_path):
    from datetime import datetime, timezone

    from opsbook.load import load
    from opsbook.render import render_pages

    root = make_kb(tmp_path, {"runbooks/payments/checkout-errors.md": BASE_FILES[
        "runbooks/payments/checkout-errors.md"].replace("alerts: [CheckoutErrorRate]", "alerts: ['<b>x</b>|y']")})
    kb, _ = load(root)
    page = render_pages(kb, "public", datetime(2026, 6, 1, tzinfo=timezone.utc))["runbooks/index.md"].markdown
    assert "<b>" not in page


def test_a_symlink_loop_under_a_rule_glob_ends(tmp_path):
    """Found in review: glob.glob(recursive=True) follows symlinked folders, so a
    link to a parent folder made coverage and validate run forever."""
    from opsbook.alerts.rules import expand_rule_paths

    (tmp_path / "rules" / "a").mkdir(parents=True)
    (tmp_path / "rules" / "a" / "r.yml").write_text("groups: []\n")
    (tmp_path / "rules" / "a" / "up").symlink_to("..", target_is_directory=True)
    (tmp_path / "rules" / "b").symlink_to(tmp_path / "rules", target_is_directory=True)
    found, unmatched = expand_rule_paths(tmp_path, ["rules/**/*.yml"])
    assert found == [tmp_path / "rules" / "a" / "r.yml"] and unmatched == []


def test_a_runbook_url_with_a_broken_host_is_not_a_crash(tmp_path):
    """Found in review: urlsplit raises on 'https://[bad/...'; such an address is
    simply not one of ours."""
    from opsbook.alerts.coverage import _comparable

    assert _comparable("https://[bad/incidents/runbooks/x") == "https://[bad/incidents/runbooks/x"


@pytest.mark.parametrize("alert, severity, url, expected", [
    ("null", "~", "", []),  # YAML's null, plain: no alert at all, not an alert called "null"
    ("~", "page", "null", []),
    ("'null'", "null", "~", [("null", None, None)]),  # quoted, it is a name
    ("!!str null", "'~'", "''", [("null", "~", None)]),
    ("Nullable", "NULL", "https://x.example/r", [("Nullable", None, "https://x.example/r")]),
])
def test_yaml_null_is_no_value_in_rule_files(tmp_path, alert, severity, url, expected):
    # Review finding: `alert: null` was read as an alert named "null".
    _root, path = rules_kb(tmp_path, (
        f"groups:\n  - name: g\n    rules:\n      - alert: {alert}\n        expr: up == 0\n"
        f"        labels:\n          severity: {severity}\n        annotations:\n          runbook_url: {url}\n"))
    alerts, diags = read_rule_file(path)
    assert diags == []
    assert [(a.name, a.severity, a.runbook_url) for a in alerts] == expected

"""`opsbook comms`: every message kind, rendered from the example's templates in
the sandbox, and template validation (OB507-OB509) with file and line."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import invoke, make_kb, run_validate
from opsbook.cli.comms_cmd import KIND_NAMES
from opsbook.incidents.comms import ETA_UNKNOWN, KINDS

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "playbooks" / "templates"


def test_the_cli_lists_every_kind():
    assert KIND_NAMES == tuple(KINDS)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_renders_for_the_open_example_incident(kind):
    result = invoke("--root", str(REPO), "comms", "INC-2026-006", "--kind", kind, "--json")
    assert result.exit_code == 0, result.stderr
    text = json.loads(result.stdout)["text"]
    assert "Invoic" in text  # the incident's title or its component
    if KINDS[kind].needs_next_update:
        # SEV2: every hour after the last update (14:25 UTC), in the status page's zone.
        assert "2026-11-20 10:25 EST (15:25 UTC)" in text
        assert ETA_UNKNOWN in text
    assert "{{" not in text and "{%" not in text


def test_resolved_message_for_a_resolved_incident():
    result = invoke("--root", str(REPO), "comms", "INC-2026-004", "--kind", "status-resolved")
    assert result.exit_code == 0
    assert result.stdout.startswith("**Resolved: Dashboard sign-in failing**")


@pytest.mark.parametrize("args,code,message", [
    (["INC-2026-006", "--kind", "status-updat"], 2, "did you mean 'status-update'?"),
    (["INC-2026-06", "--kind", "status-update"], 1, "did you mean 'INC-2026-006'?"),
])
def test_bad_requests(args, code, message):
    result = invoke("--root", str(REPO), "comms", *args)
    assert result.exit_code == code and message in result.stderr


def kb_with_templates(tmp_path, **texts):
    root = make_kb(tmp_path)
    folder = root / "playbooks" / "templates"
    shutil.copytree(TEMPLATES, folder)
    for name, text in texts.items():
        target = folder / name
        if text is None:
            target.unlink()
        else:
            target.write_text(text)
    return root


def test_templates_of_the_example_validate_on_a_minimal_kb(tmp_path):
    code, payload = run_validate(kb_with_templates(tmp_path))
    assert code == 0 and payload["diagnostics"] == []


@pytest.mark.parametrize("name,text,code,line,message", [
    ("status-update.md", "Hello\n\n{{ incident.titel }}\nNext update by {{ next_update }}.\n", "OB507", 3,
     "undefined variable: 'dict object' has no attribute 'titel'"),
    ("status-update.md", "Hello\n{{ eta }}\n{% if %}\nNext update by {{ next_update }}.\n", "OB507", 3,
     "template syntax"),
    ("status-update.md", "{{ org }}\n{{ ''.__class__.__mro__ }}\n{{ next_update }}\n", "OB507", 2, "fails to render"),
    ("social.md", "We are on it. {{ eta }}\n", "OB508", 1, "must say when the next update is due"),
    ("status-updates.md", "x {{ next_update }}\n", "OB509", 1, "not a message kind"),
])
def test_template_problems_are_located(tmp_path, name, text, code, line, message):
    root = kb_with_templates(tmp_path, **{name: text})
    exit_code, payload = run_validate(root)
    found = [d for d in payload["diagnostics"] if d["code"] == code]
    assert len(found) == 1, payload
    assert found[0]["file"] == f"playbooks/templates/{name}"
    assert found[0]["line"] == line
    assert message in found[0]["message"]
    assert exit_code == (1 if code != "OB509" else 0)


def test_rendering_a_broken_template_is_a_clear_error_not_a_traceback(tmp_path):
    root = kb_with_templates(tmp_path, **{"internal-update.md": "a\n{{ nope }}\n{{ next_update }}\n"})
    result = invoke("--root", str(root), "comms", "INC-2026-001", "--kind", "internal-update")
    assert result.exit_code == 2
    assert "playbooks/templates/internal-update.md:2:" in result.stderr and "internal error" not in result.stderr


def test_a_missing_template_names_the_file(tmp_path):
    root = kb_with_templates(tmp_path, **{"customer-summary.md": None})
    result = invoke("--root", str(root), "comms", "INC-2026-001", "--kind", "customer-summary")
    assert result.exit_code == 2 and "create playbooks/templates/customer-summary.md" in result.stderr


@pytest.mark.parametrize("kind", ["status-initial", "status-update", "social", "customer-email"])
def test_open_incident_messages_are_refused_for_a_resolved_incident(tmp_path, kind):
    """'We are investigating, next update by ...' about a resolved incident tells customers the opposite."""
    root = kb_with_templates(tmp_path)
    result = invoke("--root", str(root), "comms", "INC-2026-001", "--kind", kind)
    assert result.exit_code == 2
    assert "is resolved" in result.stderr and "status-resolved" in result.stderr


# --- the render budget (issue 8) ---------------------------------------------------------

HOSTILE_TEMPLATES = {
    "nested-range": ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
                     "past 100,000 steps"),
    "string-times-huge": ("{{ 'x' * 10 ** 12 }}", "repeating a value"),
    "list-times-huge": ("{{ ([1] * 1000) * 100000 }}", "repeating a value"),
    "power": ("{{ 9 ** (9 ** 9) }}", "'**' would compute an integer"),
    "doubling-with-tilde": ("{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}"
                            "{% endfor %}", "a ~ concatenation"),
    "doubling-with-plus": ("{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}"
                           "{% endfor %}", "'+' would build"),
    "shared-list-doubling": ("{% set ns = namespace(l=['x']) %}{% for i in range(60) %}{% set ns.l = [ns.l, ns.l] %}"
                             "{% endfor %}{{ ns.l }}", "a list, tuple or dict"),
    "macro-twice-per-level": ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
                              "{{ f(60) }}", "past 100,000 steps"),
    "center-width": ("{{ 'x'|center(1000000000) }}", "the center filter"),
    "ljust-width": ("{{ 'x'.ljust(1000000000) }}", "ljust()"),
    "format-width": ("{{ '{:>999999999}'.format('') }}", "format()"),
    "percent-width": ("{{ '%*s' % (999999999, '') }}", "'%' formatting"),
    "replace-empty": ("{% set s = 'abcdefgh' %}{{ s|replace('', s)|replace('', s)|replace('', s)|replace('', s)"
                      "|replace('', s)|replace('', s) }}", "the replace filter"),
    "join-separator": ("{{ (['a'] * 100000)|join('x' * 100000) }}", "the join filter"),
    "slice-count": ("{{ [1]|slice(1000000000)|list }}", "the slice filter"),
    "lipsum": ("{{ lipsum(1000000000) }}", "lipsum()"),
    "list-extend-doubling": ("{% set l = [1] %}{% for i in range(40) %}{{ l.extend(l) }}{% endfor %}",
                             "that extend() changed"),
    "output": ("{% for i in range(50000) %}{{ 'x' * 40 }}{% endfor %}", "longer than 200,000 characters"),
    # Found in review: each split() is one call but builds a 66,667-item list; the work
    # of building and measuring values is charged by size, so this stops in about a second.
    "large-value-in-a-loop": ('{% set s = "x," * 66666 %}{% for i in range(3000) %}{% set l = s.split(",") %}'
                              "{% endfor %}", "the result of split() takes the render past 100,000 steps"),
    "large-value-repeated": ('{% set s = "x," * 66666 %}' + '{% set l = s.split(",") %}' * 2000,
                             "takes the render past 100,000 steps"),
    "printed-into-a-set-block": ("{% set x %}{% for i in range(40000) %}" + "y" * 500 + "{% endfor %}{% endset %}",
                                 "prints more than 1,000,000 characters"),
}


@pytest.mark.parametrize("name", list(HOSTILE_TEMPLATES))
def test_a_template_over_budget_stops_with_a_clear_reason(name):
    from opsbook.incidents.comms import BudgetExceeded, _BudgetedEnvironment, render_bounded

    source, reason = HOSTILE_TEMPLATES[name]
    env = _BudgetedEnvironment()
    with pytest.raises(BudgetExceeded, match=re.escape(reason)):
        render_bounded(env, env.from_string(source), {})


def test_the_budget_changes_nothing_a_message_template_does():
    from jinja2.sandbox import SandboxedEnvironment

    from opsbook.incidents.comms import _BudgetedEnvironment, render_bounded

    source = ("{% macro box(t) %}[{{ t }}|{{ caller() }}]{% endmacro %}"
              "{% for k, v in d|dictsort %}{{ loop.index }}/{{ loop.length }} {{ k }}={{ v }} {% endfor %}"
              "{% for x in tree recursive %}<{{ x.n }}{% if x.c %}{{ loop(x.c) }}{% endif %}>{% endfor %}"
              "{% for a, b in pairs if a > 1 %}{{ a ~ b }}{% else %}none{% endfor %}"
              "{% call box('hi') %}in{% endcall %} {{ [1, 2]|sum }} {{ (1, 2) }} {{ {'a': 1} }} {{ '%s-%d' % ('x', 3) }}"
              "{{ '{}:{}'.format(1, 2) }} {{ 2 ** 10 }} {{ 'ab' * 3 }} {{ [1] + [2] }} {{ 'a b'|replace(' ', '-') }}"
              "{% set ns = namespace(c=0) %}{% for i in range(5) %}{% set ns.c = ns.c + i %}{% endfor %}{{ ns.c }}")
    values = {"d": {"b": 2, "a": 1}, "tree": [{"n": 1, "c": [{"n": 2, "c": []}]}], "pairs": [(1, 2), (3, 4)]}
    env = _BudgetedEnvironment()
    assert render_bounded(env, env.from_string(source), values) == \
        SandboxedEnvironment().from_string(source).render(values)
    # The budget is per render: the same environment renders again.
    assert render_bounded(env, env.from_string("{% for i in range(90000) %}{% endfor %}ok"), {}) == "ok"
    assert render_bounded(env, env.from_string("{% for i in range(90000) %}{% endfor %}ok"), {}) == "ok"


def test_an_update_timed_after_now_is_not_in_a_message(tmp_path):
    """Found in review: the example's as_of is 15:00; an update posted at 16:00 must
    neither be quoted nor move the next-update time, as on the status page."""
    import shutil

    root = tmp_path / "kb"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(".git", "src", "tests", "site", "benchmarks"))
    record = root / "incidents" / "INC-2026-006.yaml"
    text = record.read_text()
    before = invoke("--root", str(root), "comms", "INC-2026-006", "--kind", "status-update").stdout
    marker = "updates:\n"
    assert marker in text
    future = ('  - {at: 2026-11-20T16:00:00Z, status: monitoring, message: "FUTURE-UPDATE fix deployed", '
              'components: {invoicing: degraded_performance}}\n')
    # appended as the last update
    head, tail = text.split(marker, 1)
    lines = tail.splitlines(keepends=True)
    last = max(i for i, line in enumerate(lines) if line.startswith("  - {at:") and "status:" in line)
    lines.insert(last + 1, future)
    record.write_text(head + marker + "".join(lines))
    after = invoke("--root", str(root), "comms", "INC-2026-006", "--kind", "status-update")
    assert after.exit_code == 0, after.stderr
    assert "FUTURE-UPDATE" not in after.stdout
    assert after.stdout == before

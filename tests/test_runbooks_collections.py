"""Community runbook collections copied as they are (tests/fixtures/collections/):
Hugo front matter in the Prometheus-community layout, MkDocs Material front
matter, none at all; images beside the files, `_index.md` and README pages,
helper pages and a redirect stub; and Prometheus rule files with
PrometheusRule manifests. Each fixture holds a few deliberate mistakes; those,
and nothing else, must be reported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import BASE_FILES, invoke, make_kb, run_validate

COLLECTIONS = Path(__file__).parent / "fixtures" / "collections"

POLICY = """\
policies:
  runbooks:
    folders:
      hugo: {profile: prometheus, reviews: false}
      hugo/general: {pages: true}
      material: {profile: prometheus, reviews: false}
      plain: {profile: prometheus, reviews: false}
  alerts:
    rules: [alertrules/*.yaml]
    upstream:
      - {url: "https://runbooks.example.dev/runbooks/", folder: hugo}
"""


def collection_kb(tmp_path: Path, policy: str = POLICY) -> Path:
    root = make_kb(tmp_path, {"opsbook.yaml": BASE_FILES["opsbook.yaml"] + policy})
    for name in ("hugo", "material", "plain"):
        shutil.copytree(COLLECTIONS / name, root / "runbooks" / name)
    shutil.copytree(COLLECTIONS / "rules", root / "alertrules")
    return root


# (code, file under runbooks/ or the root, line): the fixtures' deliberate mistakes.
EXPECTED = {
    ("OB312", "runbooks/hugo/etcd/EtcdNoLeader.md", 19),          # {{< ref >}}
    ("OB309", "runbooks/hugo/etcd/EtcdHighFsyncDurations.md", 12),  # Impact: TBD
    ("OB301", "runbooks/hugo/etcd/EtcdHighFsyncDurations.md", 5),   # Mitigations, not Mitigation
    ("OB109", "runbooks/material/api/ApiLatencyHigh.md", 10),      # ownr
    ("OB010", "runbooks/plain/ingress/IngressWithoutClassName.md", 18),  # ```yaml never closed
    ("OB311", "runbooks/plain/ingress/IngressRouteMissing.md", 13),  # #diagnosis-steps
    ("OB310", "runbooks/plain/ingress/IngressRouteMissing.md", 13),  # images/missing.png
    ("OB701", "alertrules/prometheus-rules.yaml", 10),             # NodeClockSkew
    ("OB701", "alertrules/prometheusrule.yaml", 17),               # EtcdInsufficientMembers
    ("OB702", "alertrules/prometheusrule.yaml", 21),               # its runbook_url reaches no runbook
    ("OB704", "runbooks/payments/checkout-errors.md", 5),           # CheckoutErrorRate: no such rule
}


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    root = collection_kb(tmp_path_factory.mktemp("collections"))
    return root, run_validate(root)


def test_a_collection_copied_as_is_reports_only_its_real_mistakes(validated):
    _root, (exit_code, payload) = validated
    found = {(d["code"], d["file"], d["line"]) for d in payload["diagnostics"]}
    assert found == EXPECTED, json.dumps(payload["diagnostics"], indent=1)
    assert exit_code == 1


def test_findings_say_what_to_do(validated):
    _root, (_code, payload) = validated
    by_code = {d["code"]: d for d in payload["diagnostics"]}
    assert "did you mean 'Mitigations' (line 20)?" in by_code["OB301"]["hint"]
    assert "'Impact' only says 'TBD'" in by_code["OB309"]["message"]
    assert "did you mean 'owner'?" in by_code["OB109"]["hint"]
    assert by_code["OB109"]["level"] == "warning"
    assert "opened with ``` on line 18 is never closed" in by_code["OB010"]["message"]
    assert "Hugo shortcode" in by_code["OB312"]["message"]
    assert "did you mean '#diagnosis'?" in by_code["OB311"]["hint"]
    assert "alert 'NodeClockSkew' (severity warning, group node) has no runbook" in by_code["OB701"]["message"] or \
        any("NodeClockSkew" in d["message"] for d in payload["diagnostics"] if d["code"] == "OB701")


def test_titles_kept_keys_pages_and_alerts_from_file_names(tmp_path):
    from opsbook.load import load

    root = collection_kb(tmp_path)
    kb, _ = load(root)
    policy = kb.config.policies.runbooks
    rb = kb.runbooks
    # No front matter: the first heading (ATX or setext) is the title.
    assert rb["plain/ingress/IngressControllerDegraded"].title == "IngressControllerDegraded"
    assert rb["plain/ingress/IngressWithoutClassName"].title == "Ingress without class name"
    # Another tool's keys are kept for the page.
    assert rb["hugo/node/NodeImageCacheLarge"].extra == {"weight": 30, "aliases": ["/runbooks/node/nodeimagecache/"]}
    assert rb["material/api/ApiLatencyHigh"].extra["hide"] == ["toc"]
    # The file name is the alert when there is no alerts: key.
    assert rb["hugo/node/NodeDiskFillingUp"].alert_names == ["NodeDiskFillingUp"]
    assert rb["hugo/general/etcd-troubleshooting"].alert_names == []
    # Helper folder, redirect stub: pages, not runbooks.
    assert rb["hugo/general/etcd-troubleshooting"].rules(policy).is_page
    assert rb["hugo/general/EtcdMembersDown"].rules(policy).is_page
    assert not rb["hugo/etcd/EtcdNoLeader"].rules(policy).is_page


def test_coverage_json(tmp_path):
    root = collection_kb(tmp_path)
    result = invoke("--root", str(root), "runbooks", "coverage", "--json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    by_alert = {a["alert"]: (a["runbook"], a["by"]) for a in data["alerts"]}
    assert by_alert["NodeDiskFillingUp"] == ("hugo/node/NodeDiskFillingUp", "file name")
    assert by_alert["ApiLatencyHigh"] == ("material/api/ApiLatencyHigh", "file name")
    assert by_alert["NodeClockSkew"] == (None, None)
    assert {m["alert"]: (m["severity"], m["file"]) for m in data["missing"]} == {
        "NodeClockSkew": ("warning", "alertrules/prometheus-rules.yaml"),
        "EtcdInsufficientMembers": ("critical", "alertrules/prometheusrule.yaml"),
    }
    assert {(o["runbook"], o["alert"]) for o in data["orphans"]} >= {
        ("payments/checkout-errors", "CheckoutErrorRate"), ("hugo/node/NodeImageCacheLarge", "NodeImageCacheLarge")}
    assert [n["alert"] for n in data["nowhere"]] == ["EtcdInsufficientMembers"]
    assert "node:disk_usage:ratio" not in by_alert  # recording rules are not alerts


def test_coverage_by_runbook_url_is_case_insensitive(tmp_path):
    root = collection_kb(tmp_path)
    rules = root / "alertrules" / "prometheus-rules.yaml"
    rules.write_text(rules.read_text().replace(
        "labels: {severity: warning}\n      - record",
        "labels: {severity: warning}\n        annotations: {runbook_url: 'HTTPS://Runbooks.Example.dev/runbooks/node/"
        "NODEIMAGECACHELARGE/'}\n      - record"))
    result = invoke("--root", str(root), "runbooks", "coverage", "--json")
    data = json.loads(result.stdout)
    by_alert = {a["alert"]: (a["runbook"], a["by"]) for a in data["alerts"]}
    assert by_alert["NodeClockSkew"] == ("hugo/node/NodeImageCacheLarge", "runbook_url")


def test_coverage_text_and_github(tmp_path):
    root = collection_kb(tmp_path)
    text = invoke("--root", str(root), "runbooks", "coverage")
    assert text.exit_code == 1
    assert "NodeClockSkew  severity=warning  alertrules/prometheus-rules.yaml:10" in text.stdout
    assert "runbook_url: runbooks/hugo/node/NodeDiskFillingUp/" in text.stdout
    github = invoke("--root", str(root), "runbooks", "coverage", "--format", "github")
    assert "::error file=alertrules/prometheus-rules.yaml,line=10,col=1,title=OB701" in github.stdout


def test_site_builds_strict_with_the_collections_except_reported_links(tmp_path):
    from test_site import REPO, build, copy_example

    root = copy_example(tmp_path / "kb")
    for name in ("hugo", "material", "plain"):
        shutil.copytree(COLLECTIONS / name, root / "runbooks" / name)
    config = root / "opsbook.yaml"
    config.write_text(config.read_text().replace(
        "    review_every: 180d\n",
        "    review_every: 180d\n    folders:\n      hugo: {profile: prometheus}\n      hugo/general: {pages: true}\n"
        "      material: {profile: prometheus}\n      plain: {profile: prometheus}\n", 1))
    first = build(root / "mkdocs.yml", tmp_path / "site")
    # What strict refuses is exactly what validate reported: a broken image (OB310), a Hugo shortcode (OB312).
    warnings = [line for line in first.stderr.splitlines() if line.startswith("WARNING")]
    assert warnings and all("IngressRouteMissing.md" in w or "EtcdNoLeader.md" in w for w in warnings), first.stderr
    (root / "runbooks/plain/ingress/IngressRouteMissing.md").unlink()
    noleader = root / "runbooks/hugo/etcd/EtcdNoLeader.md"
    noleader.write_text(noleader.read_text().replace('({{< ref "general/etcd-troubleshooting.md" >}})',
                                                     "(../general/etcd-troubleshooting.md)"))
    done = build(root / "mkdocs.yml", tmp_path / "site")
    assert done.returncode == 0, done.stdout + done.stderr
    site = tmp_path / "site"
    assert (site / "runbooks/hugo/node/img/disk-usage.png").is_file()
    assert (site / "runbooks/material/assets/latency.png").is_file()
    assert (site / "runbooks/plain/ingress/images/conditions.png").is_file()
    page = (site / "runbooks/hugo/node/NodeDiskFillingUp/index.html").read_text()
    assert 'src="../img/disk-usage.png"' in page
    assert (site / "runbooks/hugo/etcd/_index/index.html").is_file()
    assert (site / "runbooks/plain/ingress/OWNERS").is_file()  # files beside runbooks go as they are

"""Runbook reading and alert coverage at scale, as a ratio to markdown-it-py alone.

Builds a knowledge base with 5,000 runbooks in the Prometheus-community layout
(Hugo front matter, one folder per component, files named after alerts, an
image beside each folder) and 2,000 alerting rules in PrometheusRule
manifests, then times:

* markdown-it-py parsing the same 5,000 bodies (the floor: opsbook cannot read
  Markdown faster than its parser);
* `opsbook validate` (load, every check, links, the coverage check);
* `opsbook runbooks coverage --json`.

Run: python benchmarks/bench_runbooks.py [--runbooks 5000] [--rules 2000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

BODY = """---
title: {name}
weight: {weight}
---

# {name}

## Meaning

The {component} component reports {name}. See [the sibling runbook]({sibling}.md#diagnosis).

## Impact

Requests to {component} may fail.

## Diagnosis

![panel](img/panel.png)

```shell
kubectl -n {component} get pods
## not a heading
```

## Mitigation

Restart the pods of {component}.
"""


def make(root: Path, runbooks: int, rules: int) -> None:
    (root / "runbooks").mkdir(parents=True)
    (root / "opsbook.yaml").write_text(
        "name: Bench\nsite_url: https://bench.example/\npolicies:\n  runbooks:\n    profile: prometheus\n"
        "    folders:\n      community: {reviews: false}\n  alerts:\n    rules: [rules/*.yaml]\n")
    per_folder = 100
    for i in range(runbooks):
        component = f"component{i // per_folder:03d}"
        folder = root / "runbooks" / "community" / component
        if i % per_folder == 0:
            (folder / "img").mkdir(parents=True)
            (folder / "img" / "panel.png").write_bytes(b"\x89PNG\r\n\x1a\n")
            (folder / "_index.md").write_text(f"---\ntitle: {component}\n---\n")
        sibling = f"Alert{component.title()}N{(i + 1) % per_folder + (i // per_folder) * per_folder:05d}"
        name = f"Alert{component.title()}N{i:05d}"
        (folder / f"{name}.md").write_text(BODY.format(name=name, weight=i, component=component, sibling=sibling))
    (root / "rules").mkdir()
    per_file = 200
    for f in range(0, rules, per_file):
        docs = []
        for doc in range(0, per_file, 50):
            lines = ["apiVersion: monitoring.coreos.com/v1", "kind: PrometheusRule", f"metadata: {{name: r{f}-{doc}}}",
                     "spec:", "  groups:", f"    - name: g{f}-{doc}", "      rules:"]
            for j in range(f + doc, min(f + doc + 50, rules)):
                k = j % runbooks
                component = f"component{k // per_folder:03d}"
                name = f"Alert{component.title()}N{k:05d}" if j < runbooks else f"Unknown{j}"
                lines += [f"        - alert: {name}", "          expr: up == 0", "          labels: {severity: warning}",
                          "          annotations:",
                          f"            runbook_url: https://bench.example/runbooks/community/{component}/{name.lower()}/"]
            docs.append("\n".join(lines) + "\n")
        (root / "rules" / f"rules{f:05d}.yaml").write_text("---\n".join(docs))


def timed(label: str, func) -> float:
    start = time.perf_counter()
    func()
    elapsed = time.perf_counter() - start
    print(f"{label:<40} {elapsed:8.2f}s")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runbooks", type=int, default=5000)
    parser.add_argument("--rules", type=int, default=2000)
    args = parser.parse_args()
    from click.testing import CliRunner
    from markdown_it import MarkdownIt

    from opsbook.cli import cli

    tmp = Path(tempfile.mkdtemp(prefix="bench-runbooks-"))
    try:
        root = tmp / "kb"
        make(root, args.runbooks, args.rules)
        bodies = [p.read_text() for p in sorted((root / "runbooks").rglob("Alert*.md"))]
        md = MarkdownIt("commonmark")
        floor = timed(f"markdown-it-py, {len(bodies)} bodies", lambda: [md.parse(b) for b in bodies])
        runner = CliRunner()
        results = {}

        def run(*argv):
            results[argv] = runner.invoke(cli, ["--root", str(root), *argv])

        validate = timed("opsbook validate", lambda: run("validate", "--json"))
        coverage = timed("opsbook runbooks coverage --json", lambda: run("runbooks", "coverage", "--json"))
        for argv, result in results.items():
            if result.exit_code not in (0, 1) or result.exception and not isinstance(result.exception, SystemExit):
                print(f"{argv}: exit {result.exit_code}\n{result.output[-2000:]}", file=sys.stderr)
                sys.exit(2)
        print(f"validate / markdown-it-py: {validate / floor:.1f}x   coverage / markdown-it-py: {coverage / floor:.1f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

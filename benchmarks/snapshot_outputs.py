"""Every output opsbook writes for a knowledge base, in one folder, to diff two states of the code.

    python benchmarks/snapshot_outputs.py OUT KB [KB ...] [--site] [--src DIR]

For each knowledge base KB (named by its folder) it writes under OUT/<name>/:
the validate JSON, the rendered pages (public and internal), the status site,
the calendar feeds (public and internal), with --site a `mkdocs build` with the
plugin (public and internal), and `answers.txt`: what the responder's commands
print (oncall now/at/shifts/gaps/report, handoff, status) with their exit codes.

--src DIR runs the opsbook found in DIR (PYTHONPATH), e.g. a `git worktree`
of an earlier commit, so that

    git worktree add /tmp/before <commit>
    python benchmarks/snapshot_outputs.py /tmp/out-before KB --src /tmp/before/src --site
    python benchmarks/snapshot_outputs.py /tmp/out-after KB --site
    diff -r /tmp/out-before /tmp/out-after

shows every byte a change altered. Times are fixed (--now), so two runs of the
same code give the same bytes; the MkDocs sitemap's dates are the one exception
MkDocs adds (the day of the build), and are left out.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

NOW = "2026-11-20T15:00:00Z"
REPO = Path(__file__).resolve().parents[1]


def run(env: dict, args: list[str], cwd: Path | None = None) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd)
    return proc.returncode, proc.stdout, proc.stderr


def opsbook(env: dict, root: Path, *args: str) -> tuple[int, str, str]:
    return run(env, ["-m", "opsbook", "--root", str(root), *args])


def schedule_ids(root: Path) -> list[str]:
    folder = root / "schedules"
    return sorted(p.stem for p in folder.glob("*.y*ml") if p.stem not in ("people", "escalation"))


def answers(env: dict, root: Path) -> str:
    out = []
    ids = schedule_ids(root)
    commands = [
        ["oncall", "now", "--now", NOW],
        ["oncall", "now", "--now", NOW, "--json"],
        ["oncall", "now", "--now", NOW, "--tz", "Europe/Berlin"],
        ["oncall", "at", "2026-12-24T03:00"],
        ["oncall", "at", "2026-12-24T03:00", "--json", "-s", ids[0]],
        ["oncall", "shifts", "--now", NOW, "--json"],
        ["oncall", "gaps", "--now", NOW, "--json"],
        ["oncall", "report", "--now", NOW, "--format", "csv"],
        ["oncall", "now", "--now", NOW, "-s", "no-such-schedule"],
        ["status", "--now", NOW],
        ["status", "--now", NOW, "--json"],
    ]
    for ident in ids[:3]:
        commands.append(["handoff", ident, "--at", NOW])
        commands.append(["handoff", ident, "--at", NOW, "--json"])
    for args in commands:
        code, stdout, stderr = opsbook(env, root, *args)
        out.append(f"$ opsbook {' '.join(args)}\n[exit {code}]\n{stdout}[stderr]\n{stderr}\n")
    return "".join(out)


def site(env: dict, root: Path, dest: Path, audience: str) -> None:
    """`mkdocs build` with the plugin: the repository's mkdocs.yml for the example, else a minimal one."""
    env = {**env, "OPSBOOK_AUDIENCE": audience}
    if (root / "mkdocs.yml").is_file():
        code, _, stderr = run(env, ["-m", "mkdocs", "build", "-q", "-d", str(dest)], cwd=root)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "docs").mkdir()
            (Path(tmp) / "docs" / "index.md").write_text("# Handbook\n")
            (Path(tmp) / "mkdocs.yml").write_text(
                f"site_name: Handbook\nsite_url: https://example.com/\ndocs_dir: docs\n"
                f"plugins:\n  - search\n  - opsbook:\n      root: {root}\n      audience: {audience}\n"
                f"      now: '{NOW}'\n      git_dates: false\n")
            code, _, stderr = run(env, ["-m", "mkdocs", "build", "-q", "-d", str(dest)], cwd=Path(tmp))
    if code != 0:
        raise SystemExit(f"mkdocs build failed for {root}: {stderr[-3000:]}")
    # MkDocs stamps the sitemap with the day of the build; keep the rest.
    for name in ("sitemap.xml.gz", "sitemap.xml"):
        (dest / name).unlink(missing_ok=True)


def snapshot(env: dict, root: Path, dest: Path, with_site: bool) -> None:
    dest.mkdir(parents=True)
    code, stdout, stderr = opsbook(env, root, "validate", "--now", NOW, "--format", "json")
    (dest / "validate.json").write_text(f"[exit {code}]\n{stdout}[stderr]\n{stderr}")
    code, stdout, stderr = opsbook(env, root, "validate", "--now", NOW)
    (dest / "validate.txt").write_text(f"[exit {code}]\n{stdout}[stderr]\n{stderr}")
    for audience in ("public", "internal"):
        code, _, stderr = opsbook(env, root, "render", "--out", str(dest / f"render-{audience}"), "--now", NOW,
                                  "--audience", audience)
        assert code == 0, stderr
        code, _, stderr = opsbook(env, root, "oncall", "ics", "--out", str(dest / f"ics-{audience}"), "--now", NOW,
                                  "--audience", audience)
        assert code == 0, stderr
    code, _, stderr = opsbook(env, root, "status", "build", "--out", str(dest / "status"), "--now", NOW)
    assert code == 0, stderr
    (dest / "answers.txt").write_text(answers(env, root))
    if with_site:
        for audience in ("public", "internal"):
            site(env, root, dest / f"site-{audience}", audience)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("kbs", type=Path, nargs="+")
    parser.add_argument("--src", type=Path, help="run the opsbook in this src folder (PYTHONPATH)")
    parser.add_argument("--site", action="store_true", help="also build the MkDocs site with the plugin")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.src:
        env["PYTHONPATH"] = str(args.src.resolve())
    if args.out.exists():
        shutil.rmtree(args.out)
    for kb in args.kbs:
        kb = kb.resolve()
        name = kb.name if kb != REPO else "example"
        print(f"{kb} -> {args.out / name}", flush=True)
        snapshot(env, kb, args.out / name, args.site)


if __name__ == "__main__":
    main()

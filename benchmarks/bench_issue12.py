"""Issue 12: every row of its table as a ratio, both sides taking turns in one run.

    python benchmarks/bench_issue12.py --kb /tmp/bigkb                  # the full table
    python benchmarks/bench_issue12.py --kb /tmp/bigkb --site-kb /tmp/kb-0.05 --runs 3
    python benchmarks/bench_issue12.py --kb /tmp/bigkb --only oncall_now,validate_startup

KB is a full-size knowledge base from `python benchmarks/generate_kb.py KB`. Each
row compares two commands, each run in a fresh process through bench_validate's
launcher (wall time, CPU time, peak RSS), alternating a, b, a, b, ... so that a
busy spell on a shared machine slows both sides. Ratios are of medians of wall
time (CPU time beside them: on a loaded machine it is the steadier of the two).

| row | a | b | target |
| validate_vs_parse | `validate` on KB | baseline_load.py KB (CSafeLoader, every document kept) | 1.5 |
| oncall_now | `oncall now` on KB | the same on the example (this repository) | 3 |
| incident_new / incident_update | on a copy of KB | on a copy of the example | 3 (measured as before issue 12: the incident commands' loading is other work) |
| mkdocs | `mkdocs build` with the plugin | plain MkDocs on the pages `opsbook render` wrote | 1.3 |
| validate_startup | `validate` on the example | `python -c "import pydantic, yaml"` | 3 |
| incident_timeline | `incident update` on a record with 1,000 timeline entries | ... with 10 | 1.5 (as before) |

And a row per rule family (check module): the family's time in process on KB
over its time on a knowledge base of half the size. Linear rules give about 2;
a rule that turns quadratic shows as about 4 (flagged above 2.6).

Results: the table on stdout and benchmarks/out/issue12.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

import bench_validate  # noqa: E402
from bench_validate import PY, child_env, machine, measure  # noqa: E402
from generate_kb import NOW_TEXT, generate, scaled  # noqa: E402

EXAMPLE_CONTENT = ("opsbook.yaml", "schedules", "playbooks", "incidents", "postmortems", "runbooks", "status")


def ops(root: Path, *args: str) -> list[str]:
    return [PY, "-m", "opsbook", "--root", str(root), *args]


def alternate(sides: dict[str, list[str]], runs: int, warmup: int, before=None, after=None) -> dict:
    """Median wall/CPU/RSS per side, the sides taking turns; ``before``/``after`` hooks
    (untimed) run around every run of a side, e.g. to restore a file an edit changed."""
    samples: dict[str, list[dict]] = {name: [] for name in sides}
    for i in range(warmup + runs):
        for name, cmd in sides.items():
            if before:
                before(name)
            sample = measure(cmd)
            if after:
                after(name)
            if sample["returncode"] not in (0, 1):
                raise SystemExit(f"failed ({sample['returncode']}): {' '.join(cmd)}\n{sample['stderr']}")
            if i >= warmup:
                samples[name].append(sample)
    return {name: {"cmd": sides[name],
                   "wall_s": statistics.median(s["wall_s"] for s in got),
                   "cpu_s": statistics.median(s["user_s"] + s["sys_s"] for s in got),
                   "rss_mib": statistics.median(s["rss_mib"] for s in got),
                   "runs": [round(s["wall_s"], 3) for s in got]} for name, got in samples.items()}


def row(name: str, label: str, a: str, b: str, measured: dict, target: float, note: str = "") -> dict:
    wa, wb = measured[a]["wall_s"], measured[b]["wall_s"]
    ca, cb = measured[a]["cpu_s"], measured[b]["cpu_s"]
    return {"row": name, "label": label, "a": measured[a], "b": measured[b], "ratio": wa / wb if wb else None,
            "cpu_ratio": ca / cb if cb else None, "target": target, "note": note}


def copy_example(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in EXAMPLE_CONTENT:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name)
        elif source.exists():
            shutil.copy2(source, dest / name)
    return dest


def first_incident(root: Path) -> str:
    return sorted(p.stem for p in (root / "incidents").glob("*.yaml"))[0]


# --- rows ----------------------------------------------------------------------------


def validate_vs_parse(kb: Path, args) -> dict:
    m = alternate({"validate": ops(kb, "validate", "--now", NOW_TEXT, "--format", "json"),
                   "parse": [PY, str(HERE / "baseline_load.py"), str(kb)]}, args.runs, args.warmup)
    return row("validate_vs_parse", "`opsbook validate` vs parsing the same files (CSafeLoader)", "validate", "parse",
               m, 1.5)


def oncall_now(kb: Path, args) -> dict:
    m = alternate({"large": ops(kb, "oncall", "now", "--now", NOW_TEXT),
                   "example": ops(REPO, "oncall", "now", "--now", NOW_TEXT)}, args.runs, args.warmup)
    return row("oncall_now", "`oncall now`, large knowledge base vs the example", "large", "example", m, 3.0)


def incidents(kb: Path, args, tmp: Path) -> list[dict]:
    large = tmp / "large"
    print("  copying the knowledge base for the edit commands ...", flush=True)
    shutil.copytree(kb, large)
    small = copy_example(tmp / "example")
    roots = {"large": large, "example": small}
    existing = {name: set(p.name for p in (root / "incidents").iterdir()) for name, root in roots.items()}

    def drop_new(name: str) -> None:
        for path in (roots[name] / "incidents").iterdir():
            if path.name not in existing[name]:
                path.unlink()

    new = alternate({name: ops(root, "incident", "new", "--title", "Bench: checkout errors", "--severity", "SEV3",
                               "--at", NOW_TEXT) for name, root in roots.items()},
                    args.runs, args.warmup, after=drop_new)
    target = {name: first_incident(root) for name, root in roots.items()}
    saved = {name: (roots[name] / "incidents" / f"{target[name]}.yaml").read_bytes() for name in roots}

    def restore(name: str) -> None:
        (roots[name] / "incidents" / f"{target[name]}.yaml").write_bytes(saved[name])

    update = alternate({name: ops(root, "incident", "update", target[name], "--status", "monitoring", "--reopen",
                                  "-m", "Bench: a fix is rolling out.", "--at", NOW_TEXT)
                        for name, root in roots.items()}, args.runs, args.warmup, after=restore)
    note = "measured as before issue 12 (the incident commands' loading is the incident work's)"
    return [row("incident_new", "`incident new`, large vs the example", "large", "example", new, 3.0, note),
            row("incident_update", "`incident update`, large vs the example", "large", "example", update, 3.0, note)]


def incident_timeline(args, tmp: Path) -> dict:
    roots = {}
    for entries in (10, 1000):
        root = copy_example(tmp / f"timeline-{entries}")
        path = root / "incidents" / f"{first_incident(root)}.yaml"
        text = path.read_text().rstrip("\n")
        lines = text.split("\n")
        at = next(i for i, line in enumerate(lines) if line.startswith("timeline:"))
        indent = next(line for line in lines[at + 1:] if line.strip()).split("-")[0]
        end = at + 1
        while end < len(lines) and (lines[end].startswith(indent) or not lines[end].strip()):
            end += 1
        timeline = [f"{indent}- {{at: 2026-03-14T12:{i // 60 % 60:02d}:{i % 60:02d}Z, text: \"entry {i}\"}}"
                    for i in range(entries)]
        path.write_text("\n".join(lines[:at + 1] + timeline + lines[end:]) + "\n")
        roots[f"{entries}"] = (root, path, path.read_bytes())

    def restore(name: str) -> None:
        _, path, data = roots[name]
        path.write_bytes(data)

    m = alternate({name: ops(root, "incident", "update", path.stem, "--status", "monitoring", "--reopen", "-m",
                             "Bench: a fix is rolling out.", "--at", NOW_TEXT)
                   for name, (root, path, _) in roots.items()}, args.runs, args.warmup, after=restore)
    return row("incident_timeline", "`incident update`, 1,000 timeline entries vs 10", "1000", "10", m, 1.5,
               "measured as before issue 12 (edits are the incident work's)")


def mkdocs_rows(kb: Path, args, tmp: Path) -> dict:
    print(f"  rendering the pages of {kb} for plain MkDocs ...", flush=True)
    plain, plugin = tmp / "plain", tmp / "plugin"
    for folder in (plain, plugin):
        (folder / "docs").mkdir(parents=True)
        (folder / "docs" / "index.md").write_text("# Handbook\n\nHand-written.\n")
    subprocess.run(ops(kb, "render", "--out", str(plain / "pages"), "--now", NOW_TEXT), check=True,
                   stdout=subprocess.DEVNULL, env=bench_validate.CHILD_ENV)
    for item in (plain / "pages").iterdir():
        if item.name != ".opsbook-manifest.json":
            shutil.move(str(item), plain / "docs" / item.name)
    common = "site_name: Handbook\nsite_url: https://example.com/\ndocs_dir: docs\ntheme: mkdocs\n"
    (plain / "mkdocs.yml").write_text(common + "plugins:\n  - search\n")
    (plugin / "mkdocs.yml").write_text(common + f"plugins:\n  - search\n  - opsbook:\n      root: {kb}\n"
                                       f"      now: '{NOW_TEXT}'\n      git_dates: false\n")
    sides = {name: [PY, "-m", "mkdocs", "build", "-q", "-f", str(folder / "mkdocs.yml"), "-d", str(folder / "site")]
             for name, folder in (("plugin", plugin), ("plain", plain))}
    m = alternate(sides, args.site_runs, args.warmup)
    return row("mkdocs", f"`mkdocs build` with the plugin vs plain MkDocs on the same pages ({kb.name})",
               "plugin", "plain", m, 1.3)


def validate_startup(args) -> dict:
    m = alternate({"validate": ops(REPO, "validate", "--now", NOW_TEXT, "--format", "json"),
                   "import": [PY, "-c", "import pydantic, yaml"]}, args.help_runs, args.warmup)
    return row("validate_startup", "`opsbook validate` on the example vs `python -c \"import pydantic, yaml\"`",
               "validate", "import", m, 3.0)


def rule_families(kb: Path, args, tmp: Path) -> list[dict]:
    """In process: each check module's time on KB over its time on half of it."""
    half = tmp / "half"
    counts = {k: v // 2 for k, v in scaled(1.0).items()} if args.half_scale is None else scaled(args.half_scale)
    full_counts = None
    if args.rules_kb is None:
        print(f"  generating a half-size knowledge base ({counts}) ...", flush=True)
        generate(half, **counts)
    code = r"""
import json, sys, time
from datetime import datetime, timezone
from pathlib import Path
from opsbook.check.registry import CHECKS, Context, load_check_modules
from opsbook.load import load
load_check_modules()
now = datetime(2026, 11, 20, 15, tzinfo=timezone.utc)
out = {}
for root in sys.argv[1:]:
    kb, _ = load(Path(root))
    times = {}
    for func in CHECKS:
        began = time.process_time()
        for _ in func(Context(kb, now)):
            pass
        family = func.__module__.rsplit(".", 1)[-1]
        times[family] = times.get(family, 0.0) + time.process_time() - began
    out[root] = times
print(json.dumps(out))
"""
    samples: dict[str, dict[str, list[float]]] = {}
    big = args.rules_kb or kb
    small = half if args.rules_kb is None else args.rules_half
    for _ in range(args.rule_runs):
        proc = subprocess.run([PY, "-c", code, str(big), str(small)], capture_output=True, text=True,
                              env=bench_validate.CHILD_ENV, check=True)
        got = json.loads(proc.stdout)
        for size, root in (("full", str(big)), ("half", str(small))):
            for family, seconds in got[root].items():
                samples.setdefault(family, {"full": [], "half": []})[size].append(seconds)
    rows = []
    for family, by in sorted(samples.items()):
        full, halfs = statistics.median(by["full"]), statistics.median(by["half"])
        rows.append({"row": f"rules:{family}", "label": f"rules in check/{family}.py, full size vs half",
                     "a": {"cpu_s": full}, "b": {"cpu_s": halfs}, "ratio": full / halfs if halfs else None,
                     "cpu_ratio": full / halfs if halfs else None, "target": 2.6,
                     "note": "linear: about 2; quadratic: about 4"})
    del full_counts
    return rows


ROWS = ("validate_vs_parse", "oncall_now", "incidents", "mkdocs", "validate_startup", "incident_timeline", "rules")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, required=True, help="a full-size knowledge base (generate_kb.py)")
    parser.add_argument("--site-kb", type=Path, help="knowledge base for the MkDocs row (default: --kb)")
    parser.add_argument("--rules-kb", type=Path, help="with --rules-half: compare these two instead of "
                        "generating a half-size copy of --kb")
    parser.add_argument("--rules-half", type=Path)
    parser.add_argument("--half-scale", type=float, help="scale of the generated comparison base (default: half)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--site-runs", type=int, default=1)
    parser.add_argument("--help-runs", type=int, default=10, help="runs of the start-up row")
    parser.add_argument("--rule-runs", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--only", help=f"comma-separated rows of {', '.join(ROWS)}")
    parser.add_argument("--out", type=Path, default=OUT / "issue12.json")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    bench_validate.CHILD_ENV = child_env(True)
    kb = args.kb.resolve()
    only = set(args.only.split(",")) if args.only else set(ROWS)
    rows: list[dict] = []
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="opsbook-issue12-") as tmp_name:
        tmp = Path(tmp_name)
        steps = [("validate_vs_parse", lambda: [validate_vs_parse(kb, args)]),
                 ("oncall_now", lambda: [oncall_now(kb, args)]),
                 ("incidents", lambda: incidents(kb, args, tmp)),
                 ("incident_timeline", lambda: [incident_timeline(args, tmp)]),
                 ("mkdocs", lambda: [mkdocs_rows((args.site_kb or kb).resolve(), args, tmp)]),
                 ("validate_startup", lambda: [validate_startup(args)]),
                 ("rules", lambda: rule_families(kb, args, tmp))]
        for name, step in steps:
            if name in only:
                print(f"measuring {name} ...", flush=True)
                rows += step()
    result = {"machine": machine(), "now": NOW_TEXT, "kb": str(kb), "seconds": round(time.perf_counter() - began),
              "rows": rows}
    args.out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print_table(result)
    print(f"\nresults written to {args.out}")
    return 0


def print_table(result: dict) -> None:
    m = result["machine"]
    print(f"\nopsbook at {m.get('commit', '?')}{' + uncommitted src changes' if m.get('src_dirty') else ''}, "
          f"{m['nproc']} CPUs, Python {m['python']}, pydantic {m['pydantic']}")
    print(f"{'measure':72} {'a s':>8} {'b s':>8} {'ratio':>7} {'cpu':>7} {'target':>7}")
    print("-" * 114)
    for r in result["rows"]:
        a = r["a"].get("wall_s", r["a"]["cpu_s"])
        b = r["b"].get("wall_s", r["b"]["cpu_s"])
        verdict = "ok" if r["ratio"] is not None and r["ratio"] <= r["target"] else "MISSED"
        print(f"{r['label'][:72]:72} {a:8.3f} {b:8.3f} {r['ratio']:6.2f}x {r['cpu_ratio']:6.2f}x "
              f"{r['target']:6.1f}x {verdict}" + (f"  ({r['note']})" if r["note"] else ""))


if __name__ == "__main__":
    sys.exit(main())

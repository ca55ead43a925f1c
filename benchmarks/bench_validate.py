"""Benchmark `opsbook validate` on a large synthetic knowledge base.

    python benchmarks/bench_validate.py                 # full size, 3 runs each
    python benchmarks/bench_validate.py --scale 0.1     # a quick smaller run
    python benchmarks/bench_validate.py --kb DIR        # reuse an existing knowledge base
    python benchmarks/bench_validate.py --profile       # also write a cProfile of one validate run

Every measurement runs in a fresh subprocess; the median of --runs runs is
reported. Peak memory is getrusage(RUSAGE_CHILDREN).ru_maxrss read in a small
launcher process that forks and execs the measured command (the number
/usr/bin/time -v reports as "Maximum resident set size").

Results: a table on stdout and benchmarks/out/results.json.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import re
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

from generate_kb import NOW_TEXT, generate, scaled

PY = sys.executable
TARGET = 2.0  # validate may cost at most this many times the baseline


# Runs in a small launcher process (python -S: no site, ~8 MiB) so that the measured
# child does not inherit this process's memory: on Linux a child's ru_maxrss starts from
# the RSS of the process it was forked from, which would inflate every number here.
_LAUNCHER = r"""
import os, resource, sys, time
out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    fd = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 2)
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
_, status = os.waitpid(pid, 0)
wall = time.perf_counter() - start
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(out, "w") as f:
    f.write(repr((wall, ru.ru_maxrss, ru.ru_utime, ru.ru_stime, os.waitstatus_to_exitcode(status))))
"""


# Environment of every measured child: see child_env().
CHILD_ENV: dict[str, str] | None = None


def child_env(bytecode_cache: bool) -> dict[str, str]:
    """With ``bytecode_cache``, children compile modules once into out/pycache and reuse them
    (as an installed package does), even where PYTHONDONTWRITEBYTECODE is set and the
    editable source tree has no __pycache__; nothing is written next to the sources."""
    env = dict(os.environ)
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(OUT / "pycache")
    return env


def measure(cmd: list[str]) -> dict:
    """Wall time, CPU time and peak RSS of one fresh child process; its stdout goes to /dev/null."""
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp, "result"), Path(tmp, "stderr")
        subprocess.run([PY, "-S", "-c", _LAUNCHER, str(out), str(err), *cmd], check=True, env=CHILD_ENV)
        wall, maxrss, utime, stime, code = ast.literal_eval(out.read_text())
        stderr = err.read_text(errors="replace") if err.exists() else ""
    # ru_maxrss is KiB on Linux, bytes on macOS.
    rss_mib = maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return {"wall_s": wall, "rss_mib": rss_mib, "user_s": utime, "sys_s": stime, "returncode": code,
            "stderr": stderr[-2000:]}


def medians(cmds: dict[str, list[str]], runs: int, warmup: int, ok: tuple[int, ...] = (0,)) -> dict[str, dict]:
    """Median wall time, CPU time and peak RSS of each command over ``runs`` runs.

    The commands take turns (a, b, c, a, b, c, ...) so that a slow spell of a
    shared machine falls on all of them rather than skewing one ratio.
    """
    for _ in range(warmup):
        for cmd in cmds.values():
            measure(cmd)
    samples: dict[str, list[dict]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            sample = measure(cmd)
            if sample["returncode"] not in ok:
                raise SystemExit(f"command failed with exit code {sample['returncode']}: {' '.join(cmd)}\n"
                                 f"{sample['stderr']}")
            samples[name].append(sample)
    return {name: {
        "cmd": cmds[name],
        "wall_s": statistics.median(s["wall_s"] for s in got),
        "rss_mib": statistics.median(s["rss_mib"] for s in got),
        "cpu_s": statistics.median(s["user_s"] + s["sys_s"] for s in got),
        "runs": [{k: round(v, 4) for k, v in s.items() if k in ("wall_s", "rss_mib", "user_s", "sys_s")}
                 for s in got],
    } for name, got in samples.items()}


def validate_cmd(kb: Path) -> list[str]:
    return [PY, "-m", "opsbook", "--root", str(kb), "validate", "--now", NOW_TEXT, "--format", "json"]


def gnu_time_rss(cmd: list[str]) -> float | None:
    """Peak RSS in MiB as GNU time reports it, as a cross-check of measure(); None without GNU time."""
    if not Path("/usr/bin/time").exists():
        return None
    with open(os.devnull, "wb") as null:
        proc = subprocess.run(["/usr/bin/time", "-v", *cmd], stdout=null, stderr=subprocess.PIPE, text=True,
                              env=CHILD_ENV, check=False)
    found = re.findall(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    return int(found[-1]) / 1024 if found else None


def findings(kb: Path) -> dict:
    """One untimed run that keeps the JSON, to count what the validator reported."""
    proc = subprocess.run(validate_cmd(kb), capture_output=True, text=True, env=CHILD_ENV, check=False)
    try:
        payload = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return {"returncode": proc.returncode, "unparsed_stdout": proc.stdout[-2000:], "stderr": proc.stderr[-2000:]}
    by_code: dict[str, int] = {}
    for d in payload["diagnostics"]:
        key = f"{d['level']} {d['code']} {d['rule']}"
        by_code[key] = by_code.get(key, 0) + 1
    errors = [d for d in payload["diagnostics"] if d["level"] == "error"]
    return {"returncode": proc.returncode, "summary": payload["summary"], "by_code": by_code,
            "first_errors": [f"{d['file']}:{d['line']}:{d['column']}: {d['code']} {d['message']}" for d in errors[:20]]}


def import_times(top: int = 15) -> list[dict]:
    """The heaviest imports of `opsbook --help`, by cumulative microseconds."""
    proc = subprocess.run([PY, "-X", "importtime", "-m", "opsbook", "--help"], capture_output=True, text=True,
                          env=CHILD_ENV, check=False)
    rows = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)", line)
        if m:
            rows.append({"module": m.group(4), "self_us": int(m.group(1)), "cumulative_us": int(m.group(2)),
                         "depth": len(m.group(3)) // 2})
    rows.sort(key=lambda r: r["cumulative_us"], reverse=True)
    return rows[:top]


def profile(kb: Path, top: int = 30) -> dict:
    """cProfile one validate run; write the .prof and a text summary under out/."""
    import pstats

    prof = OUT / "validate.prof"
    subprocess.run([PY, "-m", "cProfile", "-o", str(prof), "-m", "opsbook", "--root", str(kb), "validate",
                    "--now", NOW_TEXT, "--format", "json"], stdout=subprocess.DEVNULL, env=CHILD_ENV, check=False)
    text = OUT / "profile.txt"
    with open(text, "w") as handle:
        stats = pstats.Stats(str(prof), stream=handle)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
    return {"prof": str(prof), "summary": str(text)}


def git_state() -> dict:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, check=False).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=REPO, capture_output=True,
                               text=True, check=False).stdout.strip()
        return {"commit": head, "src_dirty": bool(dirty), "src_digest": src_digest()}
    except OSError:
        return {}


def src_digest() -> str:
    """Short hash of src/**/*.py: tells apart runs on different uncommitted states of the code."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((REPO / "src").rglob("*.py")):
        digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def machine() -> dict:
    import pydantic
    import yaml

    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "processor": _cpu_model(),
        "pyyaml": yaml.__version__,
        "libyaml": bool(getattr(yaml, "__with_libyaml__", False)),
        "pydantic": pydantic.VERSION,
        **git_state(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def kb_stats(kb: Path) -> dict:
    files = [p for p in kb.rglob("*") if p.is_file() and p.suffix in (".yaml", ".md")]
    return {"files": len(files), "mib": round(sum(p.stat().st_size for p in files) / 2**20, 1)}


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def verdict(value: float) -> str:
    return "ok" if value <= TARGET else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark opsbook validate against a parse-only baseline.")
    parser.add_argument("--scale", type=float, default=1.0, help="knowledge-base size (1.0 = 5,000 runbooks, "
                        "10,000 incidents, 2,000 postmortems, 200 schedules, 1,000 people)")
    parser.add_argument("--kb", type=Path, help="use this knowledge base instead of generating one")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per measurement (median reported)")
    parser.add_argument("--help-runs", type=int, default=10, help="timed runs for the --help comparison")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs before each measurement")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="also cProfile one validate run (out/profile.txt)")
    parser.add_argument("--time-v", action="store_true",
                        help="cross-check peak RSS with one /usr/bin/time -v run of validate and of the baseline")
    parser.add_argument("--importtime", action="store_true", help="always list the heaviest --help imports")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="run children with the environment as it is (by default they cache bytecode "
                        "under out/pycache, as an installed package would)")
    parser.add_argument("--out", type=Path, default=OUT / "results.json")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    global CHILD_ENV
    CHILD_ENV = child_env(not args.no_bytecode_cache)

    tmp = None
    results: dict = {"machine": machine(), "now": NOW_TEXT, "target_ratio": TARGET,
                     "bytecode_cache": not args.no_bytecode_cache,
                     "env_PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE")}
    try:
        if args.kb:
            kb = args.kb.resolve()
            results["kb"] = {"path": str(kb), "generated": False}
        else:
            kb = (args.keep or Path(tempfile.mkdtemp(prefix="opsbook-bench-")) / "kb").resolve()
            tmp = None if args.keep else kb.parent
            counts = scaled(args.scale)
            print(f"generating knowledge base in {kb} (scale {args.scale}: {counts}) ...", flush=True)
            start = time.perf_counter()
            gen = generate(kb, seed=args.seed, **counts)
            results["kb"] = {"path": str(kb), "generated": True, "scale": args.scale, "seed": args.seed,
                             "generate_s": round(time.perf_counter() - start, 2), **gen}
        results["kb"].update(kb_stats(kb))

        print("checking what validate reports ...", flush=True)
        results["findings"] = findings(kb)

        print(f"timing validate and baseline ({args.runs} runs each) ...", flush=True)
        baseline_cmd = [PY, str(HERE / "baseline_load.py"), str(kb)]
        timed = medians({"validate": validate_cmd(kb), "baseline": baseline_cmd, "python_startup": [PY, "-c", "pass"]},
                        args.runs, args.warmup, ok=(0, 1))
        validate, baseline = timed["validate"], timed["baseline"]
        results.update(timed)
        if args.time_v:
            validate["gnu_time_rss_mib"] = gnu_time_rss(validate_cmd(kb))
            baseline["gnu_time_rss_mib"] = gnu_time_rss(baseline_cmd)
        results["ratios"] = {"time": ratio(validate["wall_s"], baseline["wall_s"]),
                             "memory": ratio(validate["rss_mib"], baseline["rss_mib"])}

        print(f"timing --help ({args.help_runs} runs each) ...", flush=True)
        cmds = {"help": [PY, "-m", "opsbook", "--help"], "import_click": [PY, "-c", "import click"],
                "help_floor": [PY, "-c", "pass"]}
        script = shutil.which("opsbook")
        if script:
            cmds["help_console_script"] = [script, "--help"]
        startup = medians(cmds, args.help_runs, args.warmup)
        results.update(startup)
        help_, click_, floor = startup["help"], startup["import_click"], startup["help_floor"]
        results["ratios"]["help"] = ratio(help_["wall_s"], click_["wall_s"])
        # The same, less the interpreter's own start-up (which site hooks can inflate).
        results["ratios"]["help_above_floor"] = ratio(help_["wall_s"] - floor["wall_s"],
                                                      click_["wall_s"] - floor["wall_s"])
        if args.importtime or results["ratios"]["help"] > TARGET:
            results["help_imports"] = import_times()
        if args.profile:
            print("profiling one validate run ...", flush=True)
            results["profile"] = profile(kb)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print_table(results)
    print(f"\nresults written to {args.out}")
    return 0


def print_table(r: dict) -> None:
    m, kb, f = r["machine"], r["kb"], r["findings"]
    print()
    print(f"machine: {m['nproc']} CPUs ({m['processor']}), Python {m['python']}, PyYAML {m['pyyaml']} "
          f"(libyaml {m['libyaml']}), pydantic {m['pydantic']}, opsbook at {m.get('commit', '?')}"
          f"{' + uncommitted src changes' if m.get('src_dirty') else ''} (src digest {m.get('src_digest', '?')})")
    counts = ", ".join(f"{kb[k]} {k}" for k in ("runbooks", "incidents", "postmortems", "schedules", "people")
                       if k in kb)
    print(f"knowledge base: {kb['files']} files, {kb['mib']} MiB" + (f" ({counts})" if counts else ""))
    summary = f.get("summary", {})
    print(f"validate found: {summary.get('errors', '?')} errors, {summary.get('warnings', '?')} warnings "
          f"(exit {f.get('returncode')})" + "".join(f"\n    {n:6d}  {k}" for k, n in f.get("by_code", {}).items()))
    for line in f.get("first_errors", []):
        print(f"    ERROR {line}")
    print()
    rows = [
        ("opsbook validate --format json", r["validate"]),
        ("baseline: CSafeLoader, all docs kept", r["baseline"]),
        ("python -c pass (interpreter floor)", r["python_startup"]),
    ]
    print(f"{'measurement (median of ' + str(len(r['validate']['runs'])) + ')':44} {'wall s':>8} {'cpu s':>8} "
          f"{'peak RSS MiB':>13}")
    print("-" * 76)
    for name, row in rows:
        gnu = f"  (/usr/bin/time -v: {row['gnu_time_rss_mib']:.1f})" if row.get("gnu_time_rss_mib") else ""
        print(f"{name:44} {row['wall_s']:8.3f} {row['cpu_s']:8.3f} {row['rss_mib']:13.1f}{gnu}")
    ratios = r["ratios"]
    print(f"{'ratio validate / baseline':44} {ratios['time']:7.2f}x {'':8} {ratios['memory']:12.2f}x")
    print(f"  time {verdict(ratios['time'])}, memory {verdict(ratios['memory'])} (target <= {TARGET:g}x)")
    print("  (the baseline keeps every parsed document in one list: a validator must hold the whole model "
          "in memory to check cross-file references)")
    print()
    print(f"{'startup (median of ' + str(len(r['help']['runs'])) + ')':44} {'wall s':>8} {'cpu s':>8} "
          f"{'peak RSS MiB':>13}")
    print("-" * 76)
    startup_rows = [("python -m opsbook --help", r["help"]), ("python -c 'import click'", r["import_click"]),
                    ("python -c pass", r["help_floor"])]
    if "help_console_script" in r:
        startup_rows.append(("opsbook --help (console script)", r["help_console_script"]))
    for name, row in startup_rows:
        print(f"{name:44} {row['wall_s']:8.3f} {row['cpu_s']:8.3f} {row['rss_mib']:13.1f}")
    print(f"{'ratio --help / import click':44} {ratios['help']:7.2f}x   {verdict(ratios['help'])}")
    print(f"{'  the same, each less python -c pass':44} {ratios['help_above_floor']:7.2f}x")
    if "help_imports" in r:
        print("\nheaviest imports of `opsbook --help` (python -X importtime, cumulative ms):")
        for row in r["help_imports"]:
            print(f"    {row['cumulative_us'] / 1000:8.1f}  {'  ' * row['depth']}{row['module']}")
    if "profile" in r:
        print(f"\nprofile: {r['profile']['prof']} (summary in {r['profile']['summary']})")


if __name__ == "__main__":
    sys.exit(main())

"""Shared helpers for the import tests (not a test module itself: no test_ functions)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import invoke, make_kb, run_validate

FIXTURES = Path(__file__).parent / "fixtures" / "vendors"


def vendor_files(vendor: str, exclude: tuple[str, ...] = ("verify", "timeline", "final_shifts")) -> list[str]:
    return sorted(str(p) for p in (FIXTURES / vendor).glob("*.json") if not p.name.startswith(exclude))


def run_import(root: Path, vendor: str, files: list[str], *extra: str):
    result = invoke("--root", str(root), "import", vendor, *files, *extra)
    return result


def import_json(root: Path, vendor: str, files: list[str], *extra: str) -> tuple[int, dict]:
    result = run_import(root, vendor, files, "--json", *extra)
    return result.exit_code, json.loads(result.stdout)


def on_call(root: Path, schedule: str, at: str) -> str | None:
    result = invoke("--root", str(root), "oncall", "at", at, "-s", schedule, "--json")
    assert result.exit_code == 0, result.stderr
    primary = json.loads(result.stdout)["schedules"][0]["primary"]
    return primary["id"] if primary else None


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def write_json(folder: Path, name: str, data) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return str(path)


__all__ = ["FIXTURES", "vendor_files", "run_import", "import_json", "on_call", "snapshot", "write_json", "make_kb",
           "run_validate", "invoke"]

"""Reporters: diagnostics as text for people, JSON for programs, and GitHub
workflow annotations plus a job summary for pull requests."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from opsbook.diagnostics import Diagnostic, Level, Report, shown


def display_path(path: Path, root: Path) -> str:
    """Relative to the current folder when inside it (clickable in terminals), else to the root."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        try:
            return path.resolve().relative_to(root).as_posix()
        except ValueError:
            return str(path)


def _summary(report: Report) -> str:
    errors, warnings = len(report.errors), len(report.warnings)
    parts = [f"{errors} error{'s' * (errors != 1)}", f"{warnings} warning{'s' * (warnings != 1)}"]
    return f"{', '.join(parts)} in {report.files} file{'s' * (report.files != 1)}"


def as_text(report: Report) -> str:
    lines = []
    for d in report.diagnostics:
        lines.append(f"{shown(display_path(d.file, report.root))}:{d.line}:{d.column}: {d.severity.value} {d.code} "
                     f"{shown(d.message)}")
        if d.hint:
            lines.append(f"    hint: {shown(d.hint)}")
    lines.append(("no findings in " + f"{report.files} files") if not report.diagnostics else _summary(report))
    return "\n".join(lines) + "\n"


def diagnostic_dict(d: Diagnostic, root: Path) -> dict:
    try:
        rel = d.file.resolve().relative_to(root).as_posix()
    except ValueError:
        rel = str(d.file)
    return {
        "file": rel, "line": d.line, "column": d.column, "level": d.severity.value, "code": d.code,
        "rule": d.rule.name, "message": d.message, "hint": d.hint,
    }


def as_json(report: Report, now: datetime) -> str:
    payload = {
        "root": str(report.root),
        "now": now.isoformat(),
        "summary": {"errors": len(report.errors), "warnings": len(report.warnings), "files": report.files},
        "diagnostics": [diagnostic_dict(d, report.root) for d in report.diagnostics],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _repository_path(path: Path, root: Path) -> str:
    """Annotations name files relative to the repository (GITHUB_WORKSPACE), which
    is not the knowledge base's root when the knowledge base lives in a subfolder."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    for base in ([Path(workspace).resolve()] if workspace else []) + [root]:
        try:
            return path.resolve().relative_to(base).as_posix()
        except ValueError:
            continue
    return str(path)


def as_github(report: Report) -> str:
    """Workflow commands GitHub turns into annotations on the pull request's files."""
    lines = []
    for d in report.diagnostics:
        rel = _repository_path(d.file, report.root)
        command = "error" if d.severity is Level.ERROR else "warning"
        props = f"file={_escape_property(rel)},line={d.line},col={d.column},title={_escape_property(d.code + ' ' + d.rule.name)}"
        body = d.message + (f"\n{d.hint}" if d.hint else "")
        lines.append(f"::{command} {props}::{_escape_data(body)}")
    lines.append(_summary(report) if report.diagnostics else f"no findings in {report.files} files")
    return "\n".join(lines) + "\n"


def github_annotation(file: Path, root: Path, line: int, column: int, code: str, message: str) -> str:
    """One error as a workflow command, for failures outside a report (a file that
    does not load under `runbooks coverage --format github`)."""
    rel = _repository_path(file, root)
    props = f"file={_escape_property(rel)},line={line},col={column},title={_escape_property(code)}"
    return f"::error {props}::{_escape_data(message)}"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def github_step_summary(report: Report) -> str:
    """Markdown for $GITHUB_STEP_SUMMARY."""
    if not report.diagnostics:
        return f"### opsbook validate\n\nNo findings in {report.files} files.\n"
    rows = ["### opsbook validate", "", _summary(report), "", "| | Where | Code | Message |", "|---|---|---|---|"]
    for d in report.diagnostics:
        icon = "❌" if d.severity is Level.ERROR else "⚠️"
        rel = _repository_path(d.file, report.root)
        rows.append(f"| {icon} | `{_md_cell(rel)}:{d.line}:{d.column}` | {d.code} | {_md_cell(d.message)} |")
    return "\n".join(rows) + "\n"


def write_step_summary(report: Report) -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(github_step_summary(report))

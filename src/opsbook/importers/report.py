"""The import report: what was created, merged, refused, and what could not be mapped."""

from __future__ import annotations

from opsbook.importers.mapping import clean_line
from opsbook.importers.plan import LABELS, Plan


def as_dict(plan: Plan, dry_run: bool) -> dict:
    return {
        "vendor": plan.vendor,
        "dry_run": dry_run,
        "exact_from": plan.exact_from.isoformat(),
        "created": [i.as_dict() for i in plan.created],
        "merged": [i.as_dict() for i in plan.merged],
        "refused": [i.as_dict() for i in plan.refused],
        "unmappable": [u.as_dict() for u in plan.unmappable],
        "notes": [n.as_dict() for n in plan.notes],
        "ok": plan.ok,
    }


def as_text(plan: Plan, dry_run: bool) -> str:
    label = LABELS.get(plan.vendor, plan.vendor)
    lines = [f"{'Would import' if dry_run else 'Imported'} from {label}, exact from "
             f"{plan.exact_from.strftime('%Y-%m-%d %H:%M UTC')}"]

    def section(title: str, rows: list[str]) -> None:
        if rows:
            lines.append("")
            lines.append(f"{title} ({len(rows)}):")
            lines.extend(rows)

    verb = "would create" if dry_run else "created"
    section(verb.capitalize(), [f"  {i.kind:8} {i.id:28} {i.file}" + (f"  [{i.detail}]" if i.detail else "") +
                                f"  <- {clean_line(i.vendor_id, 40)}" for i in plan.created])
    section("Merged by email", [f"  {i.kind:8} {i.id:28} {clean_line(i.name, 60)}" +
                                (f"  [{i.detail}]" if i.detail else "") for i in plan.merged])
    section("Refused, left alone", [f"  {i.kind:8} {i.id:28} {i.file}: {i.detail}" for i in plan.refused])
    rows = []
    for u in plan.unmappable:
        rows.append(f"  {u.kind} {clean_line(u.vendor_id, 40)} ({clean_line(u.name, 60)}) at {u.where.file} {u.where.path}")
        rows.append(f"    why:  {u.reason}")
        rows.append(f"    do:   {u.action}")
        if u.extension:
            rows.append(f"    opsbook would need: {u.extension}")
    section("Cannot be mapped exactly, not imported", rows)
    section("Notes", [f"  {n.kind} {clean_line(n.vendor_id, 40)} at {n.where.file} {n.where.path}: {n.note}"
                      for n in plan.notes])
    if plan.ok:
        lines.append("")
        lines.append("Next: `opsbook validate`, then `opsbook import verify` against the vendor's own rendering "
                     "(docs/migrating.md).")
    return "\n".join(lines) + "\n"

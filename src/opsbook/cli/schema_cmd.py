from __future__ import annotations

from pathlib import Path

import click

from opsbook.cli.common import emit_json, root_from, usage_error


@click.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write to (default: schemas/ in the knowledge base).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the files in the folder are out of date.")
@click.option("--json", "as_json", is_flag=True, help="Print what was written (or is stale) as JSON.")
@click.pass_context
def schema(ctx: click.Context, out_dir: Path | None, check: bool, as_json: bool) -> None:
    """Write JSON Schemas for editors and CI, and the format reference (README.md).

    YAML files can then start with a modeline such as
    `# yaml-language-server: $schema=../schemas/incident.schema.json`
    and editors with the YAML language server complete and check keys.
    """
    from opsbook.fileio import write_atomic
    from opsbook.schema import schema_folder_files

    if out_dir is None:
        out_dir = root_from(ctx) / "schemas"
    generated = schema_folder_files()
    stale = []
    for name, text in generated.items():
        target = out_dir / name
        try:
            current = target.read_text(encoding="utf-8") if target.exists() else None
        except OSError as exc:
            raise usage_error(f"cannot read {target}: {exc.strerror}") from None
        if current != text:
            stale.append(name)
            if not check:
                try:
                    write_atomic(target, text)
                except OSError as exc:
                    raise usage_error(f"cannot write {target}: {exc.strerror}") from None
    if as_json:
        emit_json({"folder": str(out_dir), "check": check, "written": [] if check else stale, "stale": stale,
                   "schemas": sorted(generated)})
    elif check:
        for name in stale:
            click.echo(f"{out_dir / name}: out of date; run `opsbook schema`")
        if not stale:
            click.echo(f"{len(generated)} schemas in {out_dir} are up to date")
    else:
        click.echo(f"wrote {len(stale)} of {len(generated)} schemas to {out_dir}"
                   + ("" if stale else " (all were up to date)"))
    ctx.exit(1 if check and stale else 0)

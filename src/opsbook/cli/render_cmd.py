from __future__ import annotations

from pathlib import Path

import click

from opsbook.cli.common import emit_json, load_or_exit, now_for, root_from, usage_error


class _WriteError(Exception):
    """A page could not be written; the message says which and why."""


def _guard_sources(out: Path, root: Path) -> None:
    """Refuse a DIR where pages would overwrite the knowledge base's own files
    (rendered runbooks lose their front matter)."""
    from opsbook.load import LAYOUT

    content = [root / LAYOUT.runbooks, root / LAYOUT.playbooks, root / LAYOUT.postmortems]
    if out == root or any(out.is_relative_to(folder.resolve()) for folder in content):
        folders = ", ".join(f"{folder.relative_to(root)}/" for folder in content)
        raise _WriteError(f"--out {out} would write pages over the knowledge base's own files; "
                          f"pick a folder that is neither the root nor inside {folders}")


@click.command()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              metavar="DIR", help="Folder to write the pages into (created if missing).")
@click.option("--audience", type=click.Choice(["public", "internal"]), default="public", show_default=True,
              help="internal adds internal postmortems; restricted ones are never written.")
@click.option("--now", "now_text", metavar="TIME",
              help="Instant the pages are built for (default: opsbook.yaml as_of, else now).")
@click.option("--json", "as_json", is_flag=True, help="Print the written pages as JSON.")
@click.pass_context
def render(ctx: click.Context, out_dir: Path, audience: str, now_text: str | None, as_json: bool) -> None:
    """Write the site's generated pages as plain Markdown under DIR.

    The same pages the MkDocs plugin adds: severity ladder, playbooks,
    runbooks and postmortems. Exit 0 when written, 1 when the knowledge base
    does not load, 2 on usage or I/O errors.
    """
    from opsbook.outdir import OutputError, write_in_place
    from opsbook.render import Page, render_pages
    from opsbook.render.runbooks import published_beside_content
    from opsbook.report import display_path

    root = root_from(ctx)
    now = now_for(root, now_text)
    kb = load_or_exit(ctx, root, "nothing written")

    pages = render_pages(kb, audience, now)  # type: ignore[arg-type]
    out = out_dir.resolve()
    written = []
    try:
        _guard_sources(out, root)
        # Never over a file opsbook did not write (a hand-written page in DIR),
        # as the plugin refuses a hand-written page that would hide a generated one.
        contents = {path: page.markdown if isinstance(page, Page) else page.content for path, page in pages.items()}
        # Images and helper pages beside the content, at the same relative paths,
        # as the plugin publishes them: a collection's ![](img/x.png) works here too.
        beside = published_beside_content(kb, audience)  # type: ignore[arg-type]
        for site_path, source in beside:
            if site_path in contents:
                raise _WriteError(f"{site_path}: a file beside the content has the path of a generated page; "
                                  "rename one of them")
            contents[site_path] = source.read_bytes()
        write_in_place(out, contents)
        for site_path, page in pages.items():
            is_page = isinstance(page, Page)
            written.append({
                "path": site_path,
                "file": str(out / site_path),
                "source": page.source.relative_to(root).as_posix() if is_page and page.source else None,
            })
        for site_path, source in beside:
            written.append({"path": site_path, "file": str(out / site_path),
                            "source": source.relative_to(root).as_posix()})
    except (_WriteError, OutputError) as exc:
        raise usage_error(str(exc), code="io") from None
    except OSError as exc:
        where = exc.filename or out
        raise usage_error(f"cannot write {where}: {exc.strerror or exc}", code="io", file=str(where)) from None

    if as_json:
        emit_json({"out": str(out), "audience": audience, "written": written})
    else:
        click.echo(f"wrote {len(written)} page{'s' * (len(written) != 1)} to {display_path(out, root)} "
                   f"({audience} audience)")

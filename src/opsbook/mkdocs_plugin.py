"""The `opsbook` MkDocs plugin: loads the knowledge base and adds its pages.

Glue only. Pages come from ``opsbook.render``; this module loads, hands the
pages to MkDocs, and points each page's edit button at the file it came from.

Edit links: generated pages come from outside ``docs_dir`` (runbooks/,
playbooks/severity.yaml ...), so every page's edit path, hand-written ones
included, is given relative to the folder holding mkdocs.yml. Set
``edit_uri`` to that folder in the repository, e.g. ``edit/main/``.

Only an error that stops the knowledge base from loading (opsbook.yaml
unreadable, a file that does not parse or validate) fails the build. Policy
findings, overdue reviews above all, are `opsbook validate`'s business: a
site must still publish on the day a review falls due.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from opsbook.diagnostics import Diagnostic, Level, shown
from opsbook.load import LAYOUT, ROOT_MARKER, load
from opsbook.model.kb import KnowledgeBase
from opsbook.render import AUDIENCES, Asset, render_pages
from opsbook.timeutil import parse_instant
from opsbook.yamlsource import SourceMap

log = logging.getLogger("mkdocs.plugins.opsbook")


class OpsbookConfig(base.Config):
    root = c.Optional(c.Dir(exists=True))
    """Knowledge base root (the folder with opsbook.yaml); default: the folder of mkdocs.yml."""
    audience = c.Choice(AUDIENCES, default="public")
    """public: what anyone may read; internal: adds internal postmortems."""
    git_dates = c.Type(bool, default=True)
    """Show when each runbook last changed, from one pass over git history."""
    now = c.Optional(c.Type(str))
    """ISO 8601 instant the site is built for (default: opsbook.yaml's as_of, else the clock)."""


def _relative(path: Path, base_dir: Path) -> str:
    try:
        return path.resolve().relative_to(base_dir).as_posix()
    except ValueError:
        return str(path)


def _located(diags: list[Diagnostic], root: Path) -> list[str]:
    source = SourceMap()
    lines = []
    for diag in sorted((source.resolve(d) for d in diags), key=lambda d: (str(d.file), d.line, d.column)):
        # shown(): a file name may hold a CR or an escape sequence; the log is one line per finding.
        lines.append(f"  {shown(_relative(diag.file, root))}:{diag.line}:{diag.column}: {diag.message} ({diag.code})")
        if diag.hint:
            lines.append(f"      hint: {diag.hint}")
    return lines


def _plain_title(title: str) -> str:
    """Text of a title with every tag removed and no character that could start one."""
    import html
    import re

    text = re.sub(r"<[^>]*>", "", title)
    while (unescaped := html.unescape(text)) != text:  # entities escaped more than once
        text = unescaped
    return text.replace("<", "\u2039").replace(">", "\u203a")


class OpsbookPlugin(BasePlugin[OpsbookConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        super().__init__()
        self._kb: KnowledgeBase | None = None
        self._root: Path | None = None
        self._edit_base: Path | None = None
        self._now: datetime | None = None
        self._changes: dict = {}

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        config_dir = Path(os.path.dirname(config.config_file_path or os.path.join(os.getcwd(), "mkdocs.yml")))
        root = Path(self.config.root) if self.config.root else config_dir
        self._root, self._edit_base = root.resolve(), config_dir.resolve()
        if not (root / ROOT_MARKER).is_file():
            raise PluginError(f"opsbook: no {ROOT_MARKER} in {root}; set the plugin's `root` option "
                              f"to the knowledge base folder")
        self._refuse_sources_in_docs_dir(Path(config.docs_dir))
        kb, diags = load(root)
        errors = [d for d in diags if d.severity is Level.ERROR]
        if kb is None or errors:
            # A file that failed to load is left out of the model, so it would
            # silently vanish from the site: stop instead.
            detail = "\n".join(_located(errors, self._root))
            raise PluginError(f"opsbook: the knowledge base at {root} did not load:\n{detail}\n"
                              f"Run `opsbook validate` for details.")
        self._kb = kb
        self._now = self._build_instant(kb)
        self._add_site_assets(config)
        self._changes = {}
        if self.config.git_dates:
            from opsbook.gitinfo import last_changes

            self._changes = last_changes(root, [root / LAYOUT.runbooks, root / LAYOUT.playbooks,
                                                root / LAYOUT.postmortems])
        return config

    def _add_site_assets(self, config: MkDocsConfig) -> None:
        """Table labels for phone layouts, and the site's stylesheet and script on
        every page (once: a mkdocs.yml may list them already, for other engines)."""
        from opsbook.render.mdext import TableLabelsExtension
        from opsbook.render.site_assets import SCRIPTS, STYLESHEETS

        names = [e if isinstance(e, str) else type(e).__module__ for e in config.markdown_extensions]
        if "opsbook.render.mdext" not in names:
            config.markdown_extensions.append(TableLabelsExtension())
        for css in STYLESHEETS:
            if css not in [str(x) for x in config.extra_css]:
                config.extra_css.append(css)
        for script in SCRIPTS:
            if script not in [str(getattr(x, "path", x)) for x in config.extra_javascript]:
                config.extra_javascript.append(script)

    def _build_instant(self, kb: KnowledgeBase) -> datetime:
        # The one place the site build reads the clock; renderers take it as an argument.
        if self.config.now:
            try:
                return parse_instant(self.config.now, kb.zone)
            except ValueError as exc:
                raise PluginError(f"opsbook: plugin option 'now': {exc}") from None
        return kb.config.as_of or datetime.now(timezone.utc)

    def _refuse_sources_in_docs_dir(self, docs_dir: Path) -> None:
        # MkDocs would publish those files as they are, restricted postmortems
        # included, and beside the generated pages for the same paths.
        assert self._root is not None
        docs_dir = docs_dir.resolve()
        for folder in (LAYOUT.runbooks, LAYOUT.playbooks, LAYOUT.postmortems, LAYOUT.incidents):
            path = self._root / folder
            if path.is_dir() and path.resolve().is_relative_to(docs_dir):
                raise PluginError(f"opsbook: docs_dir ({docs_dir}) contains the knowledge base's {folder}/ "
                                  f"folder; point docs_dir at a folder of hand-written pages only, such as docs/")

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        assert self._kb is not None and self._edit_base is not None
        for file in files.documentation_pages():
            if file.abs_src_path:
                file.edit_uri = self._edit_path(Path(file.abs_src_path))
        pages = render_pages(self._kb, self.config.audience, self._now, self._changes)
        for path, page in pages.items():
            if files.get_file_from_path(path) is not None:
                raise PluginError(f"opsbook: {config.docs_dir}/{path} would hide the page opsbook generates "
                                  f"at the same path; rename or remove it")
            if isinstance(page, Asset):
                files.append(File.generated(config, path, content=page.content))
                continue
            generated = File.generated(config, path, content=page.markdown)
            generated.edit_uri = self._edit_path(page.source) if page.source else None
            files.append(generated)
        log.info("opsbook: added %d pages for the %s audience", len(pages), self.config.audience)
        self._add_files_beside_content(files, config)
        return files

    def _add_files_beside_content(self, files: Files, config: MkDocsConfig) -> None:
        """Images and other files beside runbooks, playbooks and postmortems, at the same
        relative paths, so a collection's ``![](img/x.png)`` works on the site; index pages
        the loader skips (``_index.md``) go as they are."""
        from opsbook.render.runbooks import published_beside_content

        assert self._kb is not None and self._root is not None
        added = 0
        for site_path, path in published_beside_content(self._kb, self.config.audience):
            if files.get_file_from_path(site_path) is not None:
                raise PluginError(f"opsbook: {config.docs_dir}/{site_path} would hide {site_path} beside the "
                                  f"knowledge base's content; rename or remove one of them")
            file = File(site_path, src_dir=str(self._root), dest_dir=config.site_dir,
                        use_directory_urls=config.use_directory_urls)
            file.abs_src_path = str(path)
            if file.is_documentation_page():
                file.edit_uri = self._edit_path(path)
            files.append(file)
            added += 1
        if added:
            log.info("opsbook: added %d files beside the content", added)

    def on_page_markdown(self, markdown: str, /, *, page, config: MkDocsConfig, files: Files) -> str:
        """The front page's live block where the home page asks for it."""
        from opsbook.render.front import HOME, MARKER, front_block
        from opsbook.render.page import Site

        import re

        # The marker on a line of its own: one quoted inside a paragraph is text.
        found = re.search(rf"^[ ]{{0,3}}{re.escape(MARKER)}[ \t]*$", markdown, re.M) \
            if page.file.src_uri == HOME else None
        if found is None:
            return markdown
        assert self._kb is not None and self._now is not None
        site = Site(kb=self._kb, audience=self.config.audience, now=self._now)
        pages = {f.src_uri for f in files.documentation_pages()}
        block = front_block(site, pages)
        return f"{markdown[:found.start()]}\n{block}\n{markdown[found.end():]}"

    def on_page_context(self, context, /, *, page, config: MkDocsConfig, nav):
        # Themes print page titles into <title> and the nav. Material runs them
        # through Jinja's striptags, which *unescapes* entities: a heading
        # "&lt;/title&gt;&lt;script&gt;" (data escaped by opsbook) would come out
        # as a live tag. Titles are plain text, so give the theme one without
        # angle brackets in any spelling.
        title = page.title
        if title and any(mark in title for mark in ("<", ">", "&lt", "&gt", "&#")):
            page.meta["title"] = _plain_title(title)
        return context

    def on_serve(self, server, /, *, config: MkDocsConfig, builder):
        # `mkdocs serve` watches docs_dir only; the knowledge base lives beside it.
        assert self._root is not None
        for rel in (ROOT_MARKER, LAYOUT.playbooks, LAYOUT.runbooks, LAYOUT.postmortems,
                    LAYOUT.incidents, LAYOUT.schedules, os.path.dirname(LAYOUT.status)):
            if (self._root / rel).exists():
                server.watch(str(self._root / rel))
        return server

    def _edit_path(self, source: Path) -> str | None:
        """The source's path relative to mkdocs.yml's folder, percent-encoded per
        segment: themes print ``edit_url`` into ``href="..."`` unescaped, so a
        hand-written page named ``a"b.md`` must not end the attribute."""
        assert self._edit_base is not None and self._root is not None
        source = source.resolve()
        for base_dir in (self._edit_base, self._root):
            if source.is_relative_to(base_dir):
                return "/".join(quote(part, safe="") for part in source.relative_to(base_dir).parts)
        return None

"""Links and images in runbooks, playbooks and postmortems, read as CommonMark.

Every relative link and image must reach a file the site publishes (a page,
or a file beside the content: see ``render.runbooks.files_beside_content``),
and a ``#anchor`` must name a heading of its target; another tool's link syntax
(Hugo's ``{{< ref >}}``) is reported at its line, and so is a code fence that
never closes. What this check passes, ``mkdocs build --strict`` passes too.

Unlike other checks this one asks the file system whether targets exist (it
reads no file's content apart from pages published as they are).
"""

from __future__ import annotations

import os

import re
from pathlib import Path
from typing import Iterable

from opsbook.check.registry import Context, check
from opsbook.diagnostics import BROKEN_LINK, FOREIGN_SYNTAX, MISSING_ANCHOR, UNCLOSED_FENCE, Diagnostic, shown
from opsbook.load import LAYOUT
from opsbook.markdown import MarkdownDoc, read

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_FOLDERS = (LAYOUT.runbooks, LAYOUT.playbooks, LAYOUT.postmortems)


def _documents(ctx: Context) -> Iterable[tuple[Path, MarkdownDoc]]:
    for doc in (*ctx.kb.runbook_list, *ctx.kb.playbook_list):
        yield doc.file, doc.markdown
    for pm in ctx.kb.postmortem_list:
        yield pm.file, pm.markdown  # parsed once per run, shared with the postmortem rules
    yield from _pages_as_they_are(ctx.kb.root)


def _pages_as_they_are(root: Path) -> Iterable[tuple[Path, MarkdownDoc]]:
    """Pages the loader does not read but the site publishes (``_index.md``...)."""
    from opsbook.markdown.assets import files_beside_content
    from opsbook.yamlsource import read_text, split_front_matter

    for _site_path, path in files_beside_content(root):
        if path.suffix != ".md":
            continue
        text, diags = read_text(path)
        if text is None:
            continue
        split, _ = split_front_matter(path, text, required=False)
        if split is not None:
            yield path, read(split.body, split.body_first_line)


class _Targets:
    """What a link may reach: published files, and the anchors of pages."""

    def __init__(self, ctx: Context, docs: dict[Path, MarkdownDoc]) -> None:
        self.root = ctx.kb.root
        self.docs = docs
        self.published = {(self.root / folder).resolve() for folder in _FOLDERS}
        self.files = _regular_files(self.published)

    def inside(self, path: Path) -> bool:
        return any(path == folder or path.is_relative_to(folder) for folder in self.published)

    def page_for_url(self, base: Path, url_path: str) -> Path | None:
        """A page-style link (``../KubePodNotReady/``) from the page of ``base``: MkDocs serves
        ``x.md`` at ``x/``, so the link is relative to that folder."""
        target = (base.parent / base.stem / url_path).resolve() if base.stem not in ("index", "README", "_index") \
            else (base.parent / url_path).resolve()
        for candidate in (target.with_name(target.name + ".md"), target / "index.md", target / "_index.md",
                          target / "README.md", target):
            if candidate.exists():
                return candidate
        return None


def _regular_files(folders: set[Path]) -> frozenset[Path]:
    """Every regular file under the published folders reached without a symlink,
    from one walk: a link that lands on one of them needs no realpath and no stat
    of its own (thousands of links, a few hundred files)."""
    found: set[Path] = set()
    stack = [str(folder) for folder in folders if folder.is_dir()]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink():
                continue  # the slow path resolves these, and checks where they lead
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif entry.is_file(follow_symlinks=False):
                found.add(Path(entry.path))
    return frozenset(found)


def _case_hint(path: Path) -> str:
    parent = path.parent
    if parent.is_dir():
        for entry in parent.iterdir():
            if entry.name.casefold() == path.name.casefold():
                return f"; the file is spelt {entry.name}: web servers compare names with their case"
    return ""


@check
def links_and_images(ctx: Context) -> Iterable[Diagnostic]:
    docs = dict(_documents(ctx))
    targets = _Targets(ctx, {p.resolve(): d for p, d in docs.items()})
    for file, doc in docs.items():
        yield from _fences(file, doc)
        for foreign in doc.foreign:
            yield Diagnostic(
                FOREIGN_SYNTAX, file,
                f"'{shown(foreign.text[:60])}' is another tool's syntax (a Hugo shortcode); the site shows it as text",
                "write a plain relative link instead, e.g. [the other runbook](../component/OtherAlert.md)",
                line=foreign.line, column=1)
        for link in doc.links:
            yield from _link(file, doc, link, targets)


def _fences(file: Path, doc: MarkdownDoc) -> Iterable[Diagnostic]:
    for fence in doc.fences:
        if not fence.closed:
            marker = fence.char * fence.length
            yield Diagnostic(
                UNCLOSED_FENCE, file,
                f"the code block opened with {marker} on line {fence.line} is never closed: everything up to line "
                f"{fence.end_line}, headings included, is code",
                f"close it with a line of {marker} (the same character, at least {fence.length} of them, nothing after "
                "them); a shorter fence or one of the other character does not close it",
                line=fence.line, column=1)


def _link(file: Path, doc: MarkdownDoc, link, targets: _Targets) -> Iterable[Diagnostic]:
    target = link.target.strip()
    if not target or _SCHEME.match(target) or target.startswith("//") or "{{" in target:
        return
    path_part, _, fragment = target.partition("#")
    path_part = path_part.split("?", 1)[0]
    what = "image" if link.image else "link"
    if not path_part:
        if fragment and fragment not in doc.anchors:
            yield _anchor(file, link, fragment, file, doc)
        return
    if path_part.startswith("/"):
        return  # site-absolute: depends on where the site is served; MkDocs does not check it either
    page_style = not Path(path_part).suffix or path_part.endswith("/")
    plain = Path(os.path.normpath(file.parent / path_part))
    if not page_style and plain in targets.files:
        # A real file inside the published folders, no symlink on the way: what
        # resolve() and is_file() below would conclude, without asking the disk.
        if fragment and plain.suffix == ".md":
            other = targets.docs.get(plain)
            if other is not None and fragment not in other.anchors:
                yield _anchor(file, link, fragment, plain, other)
        return
    resolved = (file.parent / path_part).resolve()
    if page_style:
        page = targets.page_for_url(file, path_part) if not resolved.exists() else resolved
        if page is None:
            yield Diagnostic(BROKEN_LINK, file, f"the {what} '{shown(target)}' reaches no page",
                             "link to the Markdown file itself, e.g. ../component/OtherAlert.md: the site builds "
                             "the right address from it", line=link.line, column=1)
            return
        resolved = page.resolve()
    elif not resolved.is_file():
        if not targets.inside(resolved):
            # Outside the content folders: a page opsbook generates (severity.md, oncall/...) or a
            # hand-written one in docs/; neither is a file here, and MkDocs checks both.
            return
        yield Diagnostic(BROKEN_LINK, file, f"the {what} '{shown(target)}' points at a file that does not exist",
                         "fix the path (it is relative to this file)" + _case_hint(resolved),
                         line=link.line, column=1)
        return
    if not targets.inside(resolved):
        yield Diagnostic(BROKEN_LINK, file, f"the {what} '{shown(target)}' points outside the published folders",
                         "the site publishes runbooks/, playbooks/ and postmortems/ and the files beside them; "
                         "move the file there or link to it by its web address", line=link.line, column=1)
        return
    if fragment and resolved.suffix == ".md":
        other = targets.docs.get(resolved)
        if other is not None and fragment not in other.anchors:
            yield _anchor(file, link, fragment, resolved, other)


def _anchor(file: Path, link, fragment: str, target: Path, doc: MarkdownDoc) -> Diagnostic:
    from opsbook.suggest import closest

    close = closest(fragment, sorted(doc.anchors))
    where = "this page" if target == file else target.name
    hint = f"did you mean '#{close}'?" if close else (
        f"anchors of {where}: " + ", ".join(sorted(doc.anchors)[:8]) if doc.anchors else f"{where} has no headings")
    return Diagnostic(MISSING_ANCHOR, file, f"'#{shown(fragment)}' names no heading of {shown(where)}", hint,
                      line=link.line, column=1)

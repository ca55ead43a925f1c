"""`readiness/index.md`: the readiness scorecard (`opsbook doctor`) as a page.

The scorecard is built for the build's audience (``opsbook.visibility``): a
public build counts internal and restricted postmortems and non-public
incidents but names none of them (no id, no file name, which carries a
postmortem's title); file paths of everything else, counts and the steps'
reasoning are the repository's own and show in every build. Deadlines and
on-call gaps are judged at the build instant (``site.now``).
"""

from __future__ import annotations

from opsbook.doctor import scorecard
from opsbook.render.environment import render_template
from opsbook.render.markdown import Markdown, md_code, md_escape
from opsbook.render.page import Page, Site

PATH = "readiness/index.md"

# Admonition type and label per status: Material colours success green,
# warning orange and failure red, and the label says it in words for anyone
# who cannot tell the colours apart.
_BOX = {"pass": ("success", "Pass"), "warn": ("warning", "Warn"), "fail": ("failure", "Fail")}


def _file(text: str) -> Markdown:
    """The file to change, as code: a path, not a link (a folder or a file to
    create has no page, and the repository's host is not known)."""
    return md_code(text)


def prose(text: str) -> Markdown:
    """A fix as Markdown: text escaped, and `commands` the scorecard writes
    between backticks as code spans. Only ``fix`` gets this: its data are ids
    (slugs and codes, no backticks), while ``why`` quotes rule files' alert
    names and messages, which are escaped whole. Text with an odd number of
    backticks is escaped whole too, so nothing can open a span that swallows
    the rest of the line."""
    parts = text.split("`")
    if len(parts) % 2 == 0:
        return md_escape(text)
    return Markdown("".join(md_code(part) if i % 2 else md_escape(part) for i, part in enumerate(parts)))


def site_pages(site: Site) -> list[Page]:
    kb = site.kb
    card = scorecard(kb, site.now, site.audience)
    markdown = render_template(
        "readiness.md.j2", card=card, org=kb.config.name, box=_BOX,
        as_of=f"{site.now.astimezone(kb.zone):%Y-%m-%d %H:%M %Z}", file=_file,
        anchor=lambda item: Markdown(md_escape(item.key)), prose=prose,
    )
    return [Page(PATH, markdown, None)]

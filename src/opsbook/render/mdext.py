"""A Python-Markdown extension that lets wide tables become cards on a phone.

Each body cell gets ``data-label`` with its column's header text and the table
gets ``data-cols`` with its number of columns. The stylesheet
(``assets/opsbook/site.css``) stacks tables of three or more columns as one card
per row on narrow screens, each value under its label, so no page needs
sideways scrolling at phone width. Without this extension (another engine) the
tables still work; they scroll inside their own box as before.

The MkDocs plugin adds it to every build; ``markdown_extensions:
[opsbook.render.mdext]`` adds it elsewhere. Labels are the header's text
content, set as attribute values through ElementTree, which escapes them.
"""

from __future__ import annotations

import html
import re
from xml.etree import ElementTree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE, ETX, STX

NAME = "opsbook-table-labels"


# Raw HTML and entities in a header are stashed as STX"wzxhzdk:N"ETX until the
# page is serialised; the label takes an entity's character and drops a tag.
_PLACEHOLDER = re.compile(f"{STX}wzxhzdk:(\\d+){ETX}")


class TableLabels(Treeprocessor):
    def _stashed(self, match: re.Match) -> str:
        try:
            raw = str(self.md.htmlStash.rawHtmlBlocks[int(match.group(1))])
        except (IndexError, ValueError):
            return ""
        return "" if raw.lstrip().startswith("<") else html.unescape(raw)

    def _text(self, element: ElementTree.Element) -> str:
        # Entities written out ("&lt;" from opsbook's escaping) keep their ampersand
        # as AMP_SUBSTITUTE; the label is the text a reader sees, so both are decoded
        # here, and ElementTree escapes the attribute again when it writes it.
        text = "".join(element.itertext()).replace(AMP_SUBSTITUTE, "&")
        parts, last = [], 0
        for match in _PLACEHOLDER.finditer(text):  # each piece decoded once, never twice
            parts += [html.unescape(text[last:match.start()]), self._stashed(match)]
            last = match.end()
        parts.append(html.unescape(text[last:]))
        return " ".join(re.sub(f"{STX}[^{ETX}]*{ETX}", "", "".join(parts)).split())

    def run(self, root: ElementTree.Element) -> None:
        for table in root.iter("table"):
            head = table.find("thead")
            labels = [self._text(th) for th in head.iter("th")] if head is not None else []
            if not labels:
                continue
            table.set("data-cols", str(len(labels)))
            body = table.find("tbody")
            for row in body.iter("tr") if body is not None else ():
                for label, cell in zip(labels, row.findall("td")):
                    if label:
                        # Python-Markdown's serialiser leaves "&name;" in attributes as it
                        # is (it takes it for an entity), so a literal ampersand is written
                        # as one here; "<" and quotes it escapes itself.
                        cell.set("data-label", label.replace("&", "&amp;"))


class TableLabelsExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        # After the tables and attribute-list processors (priorities below 20 run late).
        md.treeprocessors.register(TableLabels(md), NAME, 5)


def makeExtension(**kwargs) -> TableLabelsExtension:  # noqa: N802 - Python-Markdown's entry point
    return TableLabelsExtension(**kwargs)

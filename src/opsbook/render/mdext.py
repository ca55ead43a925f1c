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

import re
from xml.etree import ElementTree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, STX

NAME = "opsbook-table-labels"


# Raw HTML in a header is stashed as STX<n>ETX until the page is serialised;
# such placeholders are no label text.
_PLACEHOLDER = re.compile(f"{STX}[^{ETX}]*{ETX}")


def _text(element: ElementTree.Element) -> str:
    return " ".join(_PLACEHOLDER.sub("", "".join(element.itertext())).split())


class TableLabels(Treeprocessor):
    def run(self, root: ElementTree.Element) -> None:
        for table in root.iter("table"):
            head = table.find("thead")
            labels = [_text(th) for th in head.iter("th")] if head is not None else []
            if not labels:
                continue
            table.set("data-cols", str(len(labels)))
            body = table.find("tbody")
            for row in body.iter("tr") if body is not None else ():
                for label, cell in zip(labels, row.findall("td")):
                    if label:
                        cell.set("data-label", label)


class TableLabelsExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        # After the tables and attribute-list processors (priorities below 20 run late).
        md.treeprocessors.register(TableLabels(md), NAME, 5)


def makeExtension(**kwargs) -> TableLabelsExtension:  # noqa: N802 - Python-Markdown's entry point
    return TableLabelsExtension(**kwargs)

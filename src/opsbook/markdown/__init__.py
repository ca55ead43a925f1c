"""Reading Markdown as CommonMark does: headings, sections, fences, links, anchors.

Runbooks come from wikis and community collections; a heading scanner made of
regular expressions both misses real sections (setext headings, headings
indented by up to three spaces) and finds sections that are not there (a
``## Heading`` inside a code block, a fence that a shorter or different fence
"closes"). markdown-it-py is a CommonMark parser that MkDocs users already
have; ``read`` runs it once per body and keeps what opsbook needs:

* ``headings``: level, plain text, line in the file, and the anchor MkDocs
  gives it (Python-Markdown's ``toc`` slugs, an ``{#id}`` attribute wins);
* ``sections``: every heading with the text under it up to the next heading
  of the same or a higher level;
* ``fences``: fenced code blocks, with whether they were ever closed;
* ``links``: link and image targets with their line;
* ``foreign``: another tool's syntax that CommonMark reads as text (Hugo's
  ``{{< ref >}}`` shortcodes), with its line.

Lines are the file's: ``first_line`` is where the body starts (after front
matter).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote

__all__ = ["Heading", "Section", "Fence", "Link", "Foreign", "MarkdownDoc", "read", "slug", "section_key",
           "is_placeholder"]


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int
    anchor: str = ""


@dataclass(frozen=True)
class Section:
    heading: Heading
    text: str
    """The plain text under the heading, sub-sections included, without code fences' markers."""
    end_line: int
    """The last line of the section in the file."""


@dataclass(frozen=True)
class Fence:
    char: str
    length: int
    info: str
    line: int
    end_line: int
    closed: bool


@dataclass(frozen=True)
class Link:
    target: str
    """As written, percent-decoded: ``../x.md#anchor``, ``img/a b.png``."""
    line: int
    image: bool


@dataclass(frozen=True)
class Foreign:
    text: str
    line: int


@dataclass(frozen=True)
class MarkdownDoc:
    headings: tuple[Heading, ...]
    sections: tuple[Section, ...]
    fences: tuple[Fence, ...]
    links: tuple[Link, ...]
    foreign: tuple[Foreign, ...]
    anchors: frozenset[str] = field(default_factory=frozenset)
    """Every id a link's ``#fragment`` may name: heading anchors and HTML ``id``/``name`` attributes."""
    blocks: int = 0
    """Content blocks that are not headings (paragraphs, lists, code, HTML)."""

    @property
    def title(self) -> str | None:
        """The first heading's text (a document's title when it has no front matter)."""
        return self.headings[0].text if self.headings else None


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    # Keep targets as written: links are checked against files, not fetched.
    md.normalizeLink = lambda url: url
    md.validateLink = lambda url: True
    return md


# Python-Markdown's toc extension, which MkDocs uses for heading ids.
def slug(text: str) -> str:
    value = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(r"[-\s]+", "-", value)


_ATTR_ID = re.compile(r"\s*\{[^{}]*#([\w-]+)[^{}]*\}\s*$")
_HTML_ID = re.compile(r"""\b(?:id|name)\s*=\s*["']([^"']+)["']""")
_SHORTCODE = re.compile(r"\{\{[<%].*?[%>]\}\}")
_TRAILING = re.compile(r"[\s:.;,!?\-–—]+$")


def section_key(name: str) -> str:
    """How section names compare: case-insensitive, '&' as 'and', spaces collapsed,
    trailing punctuation (``## Impact:``) ignored."""
    text = " ".join(name.casefold().replace("&", "and").split())
    return _TRAILING.sub("", text)


# A marker alone, or followed by punctuation ("TODO: write this"); "Todo list: ..." is content.
_PLACEHOLDER = re.compile(r"^(?:todo|tbd|tba|fixme|xxx|wip|n/?a|coming soon|to be (?:written|done|defined))"
                          r"(?:\s*[:.!\-\u2013\u2014(].*)?$", re.IGNORECASE | re.DOTALL)


def is_placeholder(text: str) -> bool:
    """True when a section says nothing: empty, or only TODO/TBD and the like."""
    words = text.strip().strip("*_`>[]()-:. ")
    return not words or bool(_PLACEHOLDER.match(words)) and len(words) <= 60


def _inline_text(token) -> str:
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts).strip()


_CLOSING = {"`": re.compile(r"^ {0,3}(`{3,})[ \t]*\r?$"), "~": re.compile(r"^ {0,3}(~{3,})[ \t]*\r?$")}


def _closed(lines: list[str], start: int, end: int, char: str, length: int, indent: int) -> bool:
    """Whether the fence opened on ``lines[start]`` ends with a closing fence on
    its last line (markdown-it also ends a fence at the end of the document or
    of its container, without one)."""
    if end - 1 <= start or end - 1 >= len(lines):
        return False
    last = lines[end - 1]
    if last.lstrip().startswith(">"):  # inside a block quote
        last = re.sub(r"^(?:\s*>\s?)+", "", last)
    else:
        last = last[min(indent, len(last) - len(last.lstrip(" "))):]
    match = _CLOSING[char].match(last) if char in _CLOSING else None
    return bool(match) and len(match.group(1)) >= length


def _line_of(target: str, lines: list[str], start: int, end: int, default: int) -> int:
    for i in range(start, min(end, len(lines))):
        if target in lines[i]:
            return i
    for i, text in enumerate(lines):
        if target in text:
            return i
    return default


def read(body: str, first_line: int = 1) -> MarkdownDoc:
    """Headings, sections, fences, links and foreign syntax of a Markdown body."""
    tokens = _parser().parse(body)
    lines = body.split("\n")
    headings: list[Heading] = []
    fences: list[Fence] = []
    links: list[Link] = []
    foreign: list[Foreign] = []
    anchors: set[str] = set()
    used: dict[str, int] = {}
    blocks: list[tuple[int, str]] = []  # (line index, plain text) of content blocks, for sections
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[i + 1]
            text = _inline_text(inline)
            explicit = _ATTR_ID.search(text)
            if explicit:
                text = text[:explicit.start()].rstrip()
                anchor = explicit.group(1)
            else:
                anchor = base = slug(text)
                if base in used:  # toc's unique(): foo, foo_1, foo_2
                    used[base] += 1
                    anchor = f"{base}_{used[base]}"
                else:
                    used[base] = 0
            anchors.add(anchor)
            headings.append(Heading(int(token.tag[1]), text, first_line + token.map[0], anchor))
            blocks.append((token.map[0], "\0heading"))
        elif token.type == "fence":
            start, end = token.map
            char, length = token.markup[0], len(token.markup)
            indent = len(lines[start]) - len(lines[start].lstrip(" ")) if start < len(lines) else 0
            closed = _closed(lines, start, end, char, length, indent)
            fences.append(Fence(char, length, token.info.strip(), first_line + start, first_line + end - 1, closed))
            blocks.append((start, token.content))
        elif token.type == "code_block":
            blocks.append((token.map[0], token.content))
        elif token.type == "html_block":
            anchors.update(_HTML_ID.findall(token.content))
            blocks.append((token.map[0], token.content))
        elif token.type == "inline" and token.map and tokens[i - 1].type != "heading_open":
            start, end = token.map
            blocks.append((start, _inline_text(token) or token.content))
            for child in token.children or ():
                if child.type in ("link_open", "image"):
                    raw = child.attrs.get("href" if child.type == "link_open" else "src") or ""
                    raw = str(raw)
                    line = _line_of(raw, lines, start, end, start)
                    links.append(Link(unquote(raw), first_line + line, child.type == "image"))
                    if _SHORTCODE.search(raw):
                        foreign.append(Foreign(raw, first_line + line))
                elif child.type == "text" and "{{" in child.content:
                    for match in _SHORTCODE.finditer(child.content):
                        line = _line_of(match.group(0), lines, start, end, start)
                        foreign.append(Foreign(match.group(0), first_line + line))
                elif child.type == "html_inline":
                    anchors.update(_HTML_ID.findall(child.content))
        elif token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "text" and "{{" in child.content:
                    for match in _SHORTCODE.finditer(child.content):
                        foreign.append(Foreign(match.group(0), first_line + token.map[0]))
    sections = _sections(headings, blocks, first_line, len(lines))
    content = sum(1 for token in tokens if token.level == 0 and token.nesting >= 0 and token.type not in
                  ("heading_open", "inline", "hr") and not token.type.endswith("_close"))
    return MarkdownDoc(tuple(headings), tuple(sections), tuple(fences), tuple(links), tuple(foreign),
                       frozenset(anchors), content)


def _sections(headings: list[Heading], blocks: list[tuple[int, str]], first_line: int,
              line_count: int) -> list[Section]:
    out = []
    for n, heading in enumerate(headings):
        start = heading.line - first_line
        end = next((h.line - first_line for h in headings[n + 1:] if h.level <= heading.level), line_count)
        text = "\n".join(t for line, t in blocks if start < line < end and t != "\0heading")
        out.append(Section(heading, text, first_line + end - 1))
    return out

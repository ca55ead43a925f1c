"""Putting data into Markdown without letting it become Markdown or HTML.

Values from YAML files (titles, descriptions, names, tickets) are data: a
title like ``<script>…</script> | x`` must show as those characters, not run,
and must not split a table row. Bodies of runbooks, playbooks and postmortems
are Markdown the team wrote and are trusted like docs/; they are wrapped in
``Markdown`` so the template layer knows not to escape them.

The escaping targets both Python-Markdown (MkDocs) and CommonMark, so that the
pages stay engine-neutral: HTML specials become entities (both engines pass
entities through), and inline Markdown punctuation gets a backslash from the
set both engines honour.
"""

from __future__ import annotations

import html
import posixpath
import re
from urllib.parse import quote, urlsplit


class Markdown(str):
    """Text that is already Markdown: templates emit it as is."""


# Python-Markdown's escapable characters (with the tables extension) that carry
# inline meaning; CommonMark accepts a backslash before any ASCII punctuation.
# `<`, `>` and `&` are handled as entities instead, so raw HTML cannot form.
# Quotes are left alone: data never lands inside an HTML attribute here.
_INLINE = re.compile(r"([\\`*_{}\[\]|])")
_WHITESPACE = re.compile(r"\s+")
# Control characters the model already refuses in free text; dropped here too so
# no value can put one into a page (HTML forbids them; terminals obey them).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Block syntax that only matters at the start of a line: headings (Python-
# Markdown needs no space after the hashes), list markers and rules, ordered-
# list numbers, and tilde fences (`~` has no backslash escape in Python-Markdown).
_BLOCK_START = re.compile(r"^( ?)(#|[-+]|\d+\.(?=\s|$)|~)")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def md_escape(value: object) -> Markdown:
    """Any value as inline Markdown that reads exactly as the value's text.

    Newlines collapse to spaces: a data field never starts a new block, so it
    cannot open a heading, a list or an HTML block on its own line.
    """
    if isinstance(value, Markdown):
        return value
    text = "" if value is None else str(value)
    text = _CONTROL.sub("", _WHITESPACE.sub(" ", text))
    text = "".join(_HTML.get(ch, ch) for ch in text)
    text = _INLINE.sub(r"\\\1", text)
    return Markdown(_BLOCK_START.sub(_escape_block_start, text, count=1))


def _escape_block_start(match: re.Match) -> str:
    marker = match.group(2)
    if marker == "~":
        return match.group(1) + "&#126;"
    return match.group(1) + marker[:-1] + "\\" + marker[-1]


def html_text(value: object) -> str:
    """Text for raw HTML the renderer writes itself, element content or a quoted
    attribute value alike: control characters dropped, ``& < > " '`` escaped."""
    return html.escape(_CONTROL.sub("", "" if value is None else str(value)), quote=True)


def md_cell(value: object, empty: str = "—") -> Markdown:
    """A table cell: escaped text, lists joined with commas, a dash when empty."""
    if isinstance(value, Markdown):
        return value if value.strip() else Markdown(empty)
    if isinstance(value, (list, tuple, set, frozenset)):
        value = ", ".join(str(item) for item in value)
    if value is None or str(value).strip() == "":
        return Markdown(empty)
    return md_escape(str(value).strip())


def md_code(value: object) -> Markdown:
    """A code span for identifiers (alert names, service ids) outside tables.

    Code spans show their content literally in both engines, so only the
    backtick fence needs care: it must be longer than any run inside.
    """
    text = _CONTROL.sub("", _WHITESPACE.sub(" ", "" if value is None else str(value))).strip()
    if not text:
        return Markdown("")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markdown(f"{fence}{pad}{text}{pad}{fence}")


# Characters left as they are in a link target: RFC 3986's unreserved and
# reserved sets minus ( ) and ' (which end or confuse a Markdown target or an
# attribute), and '%' so existing escapes survive. Everything else, spaces,
# quotes, < > and control characters included, is percent-encoded.
_TARGET_SAFE = "/:?#[]@!$&*+,;=%-._~"
_LINK_SCHEMES = ("", "http", "https", "webcal")


def link_target(target: str) -> str:
    """``target`` made safe inside ``[text](...)``: nothing in it can end the
    target, open raw HTML or form an entity, and only http(s), webcal or a
    relative address survives (anything else becomes an inert ``#``)."""
    target = quote(target, safe=_TARGET_SAFE)
    target = target.replace("&", "%26") if not urlsplit(target).scheme else target
    try:
        scheme = urlsplit(target).scheme.lower()
    except ValueError:
        return "#"
    return target if scheme in _LINK_SCHEMES else "#"


def link(text: object, target: str) -> Markdown:
    """A link whose text is escaped data; the target is encoded so that no
    character in it can end the target or turn into markup."""
    return Markdown(f"[{md_escape(text)}]({link_target(target)})")


def page_link(text: object, from_page: str, to_page: str, anchor: str | None = None) -> Markdown:
    """A relative link between two site pages, so it works in any engine and
    under any site prefix, and MkDocs can validate it."""
    return link(text, relative_url(from_page, to_page, anchor))


def relative_url(from_page: str, to_page: str, anchor: str | None = None) -> str:
    """A relative address from one site path to another, every segment
    percent-encoded (``quote(..., safe="")``), so an id can never end a link
    target, an attribute or a script's string, nor read as a scheme."""
    fragment = f"#{quote(anchor, safe='')}" if anchor else ""
    if from_page == to_page and anchor:
        return fragment
    start = posixpath.dirname(from_page) or "."
    target = "/".join(quote(part, safe="") for part in posixpath.relpath(to_page, start).split("/"))
    return target + fragment


def external_link(text: object, url: str | None) -> Markdown:
    """A link to an http(s) URL from data; anything else shows as plain text.

    Other schemes (javascript:, data:) never become links.
    """
    if not url:
        return md_escape(text)
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return md_escape(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or _CONTROL.search(url):
        return md_escape(text)
    # link() percent-encodes what could end the Markdown target or form HTML.
    return link(text, url)


def anchor_id(prefix: str, ident: str) -> Markdown:
    """An HTML id for a heading. Only [a-z0-9_-] survive, so it is safe in a
    link target and in an attribute list as is."""
    return Markdown(f"{prefix}-" + re.sub(r"[^a-z0-9_-]+", "-", ident.lower()).strip("-"))

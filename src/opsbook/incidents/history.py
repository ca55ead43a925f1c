"""Postmortem history: existing Markdown postmortems made opsbook postmortems.

A team's old postmortems come as they are: no front matter, or another tool's
(Jekyll's or Hugo's YAML, Hugo's TOML), CRLF line endings, a byte-order mark, a
date only in the file name or only in the text, sometimes no heading at all.
``plan`` reads each one and infers the front matter from the document:

* **title**: the first level-1 heading (as CommonMark reads it, setext ones
  included), else the other tool's ``title``, else the first heading of any
  level, else the file name; made one safe line (control characters and line
  breaks become spaces, runs of spaces one, at most 200 characters);
* **date**: a date in the file name (``2024-03-07-db-outage.md``,
  ``2024_03_07``, ``20240307``), else the other tool's ``date``, else a line of
  the text that labels one (``Date: March 7, 2024``), else the first date in the
  text outside code blocks (ISO ``2024-03-07``, ``7 March 2024``, ``March 7,
  2024``; slashed dates are ambiguous and never read);
* **status** published, **visibility** internal unless told otherwise,
  **imported_from** the source path (relative to the knowledge base when it is
  inside it);
* **incidents**: ids of known incidents the text mentions, else ``[]``;
* **tags** from the other tool's ``tags``/``categories``/``keywords``, and
  **authors** from its ``author``/``authors`` when they are person ids.

The body (everything after the other tool's front matter, or the whole file)
is kept byte for byte; a byte-order mark is dropped, and the new front matter
uses the body's line ending. Nothing is written here: the CLI creates each file
with ``fileio.create_exclusive`` after ``parse_postmortem`` accepted its text, so
an import never overwrites and never writes what would not load.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from opsbook.diagnostics import shown
from opsbook.incidents.numbering import slugify
from opsbook.incidents.yamledit import EditError, iso_date, new_document, text_value
from opsbook.model.base import one_line as base_one_line
from opsbook.model.kb import KnowledgeBase

VISIBILITIES = ("public", "internal", "restricted")
TITLE_MAX = 200
SLUG_MAX = 60
_GENERIC_STEMS = {"index", "readme", "_index", "postmortem", "post-mortem", "postmortems", "incident", "report"}


class HistoryError(Exception):
    """A source that cannot be imported at all (unreadable, binary, too large): exit 2."""


@dataclass
class Imported:
    source: Path
    label: str
    """The source as recorded in imported_from."""
    target: Path | None = None
    text: str | None = None
    body: str = ""
    front: dict = field(default_factory=dict)
    inferred: list[str] = field(default_factory=list)
    """What was inferred and from where."""
    missing: list[str] = field(default_factory=list)
    """What could not be inferred, or was left behind, and what to do."""
    refused: str | None = None
    """Why nothing will be written for it (exists already, imported before)."""
    written: bool = False


# --- reading ----------------------------------------------------------------------------

_YAML_OPEN = re.compile(r"^---[ \t]*\r?$")
_YAML_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$")
_TOML_FENCE = re.compile(r"^\+\+\+[ \t]*\r?$")


def read_source(path: Path, label: str) -> tuple[str, bool]:
    """The text (without a byte-order mark) and whether it had one; HistoryError naming the file otherwise."""
    from opsbook.yamlsource import read_text

    if not path.exists():
        raise HistoryError(f"{label}: no such file")
    if path.is_dir():
        raise HistoryError(f"{label}: is a folder; give the Markdown files in it (e.g. {label}/*.md)")
    text, diags = read_text(path)
    if text is None:
        d = diags[0]
        where = f":{d.line}:{d.column}" if d.line > 1 or d.column > 1 else ""
        raise HistoryError(f"{label}{where}: {d.message}" + (f" ({d.hint})" if d.hint else ""))
    try:
        with open(path, "rb") as handle:
            bom = handle.read(3) == b"\xef\xbb\xbf"
    except OSError as exc:
        raise HistoryError(f"{label}: cannot read file: {exc.strerror or exc}") from None
    return text, bom


def split_foreign(text: str) -> tuple[dict, str, str | None, int]:
    """(the other tool's front matter as data, the body, its kind or None, the body's first line).

    Only a block that parses as a mapping counts as front matter; anything else
    (a thematic break at the top, say) stays in the body."""
    from opsbook.yamlsource import parse_yaml

    lines = text.split("\n")
    if not lines:
        return {}, text, None, 1
    if _YAML_OPEN.match(lines[0]):
        close, kind = _YAML_CLOSE, "YAML"
    elif _TOML_FENCE.match(lines[0]):
        close, kind = _TOML_FENCE, "TOML"
    else:
        return {}, text, None, 1
    end = next((i for i in range(1, len(lines)) if close.match(lines[i])), None)
    if end is None:
        return {}, text, None, 1
    inner = "\n".join(line.removesuffix("\r") for line in lines[1:end]) + "\n"
    data = None
    if kind == "YAML":
        data, diags = parse_yaml(Path("front-matter"), inner, 2, allow_empty=True)
        if diags:
            data = None
        elif data is None:
            data = {}
    else:
        try:
            data = tomllib.loads(inner)
        except (tomllib.TOMLDecodeError, ValueError):
            data = None
    if not isinstance(data, dict):
        return {}, text, None, 1
    return data, "\n".join(lines[end + 1:]), kind, end + 2


# --- titles -----------------------------------------------------------------------------


def one_line(value: object, limit: int = TITLE_MAX) -> str:
    """A safe one-line title, cut at a word (``model.base.one_line``)."""
    return base_one_line(value, limit, at_word=True)


def _humanized_stem(stem: str) -> str:
    words = re.sub(r"[-_.]+", " ", _strip_date(stem)).strip()
    return words[:1].upper() + words[1:] if words else ""


# --- dates ------------------------------------------------------------------------------

_NAME_DATE = re.compile(r"(?<!\d)(\d{4})([-_.]?)(\d{2})\2(\d{2})(?!\d)")
_MONTHS = {name: i for i, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
     ("november", "nov"), ("december", "dec")], 1) for name in names}
_MONTH = r"(january|february|march|april|may|june|july|august|september|october|november|december|" \
         r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_ISO = re.compile(r"(?<![\d/.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d])")
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(\d{4})\b", re.IGNORECASE)
_MONTH_DAY = re.compile(r"\b" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.IGNORECASE)
_LABEL = re.compile(r"^[\s>*_#|-]*(?:incident\s+)?(?:date|date of (?:the )?incident|occurred(?: on)?|when)"
                    r"(?:\s*\(utc\))?[\s*_]*[:|]", re.IGNORECASE)


def _day(year: int, month: int, day: int) -> date | None:
    if not 1900 <= year <= 2999:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _strip_date(stem: str) -> str:
    return _NAME_DATE.sub("", stem, count=1).strip("-_. ")


def date_in_name(stem: str) -> date | None:
    for match in _NAME_DATE.finditer(stem):
        found = _day(int(match.group(1)), int(match.group(3)), int(match.group(4)))
        if found:
            return found
    return None


def date_in_line(text: str) -> tuple[date, str] | None:
    """The first date written in ``text`` (ISO, '7 March 2024', 'March 7, 2024') and how it was written."""
    candidates = []
    for match in _ISO.finditer(text):
        found = _day(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if found:
            candidates.append((match.start(), found, match.group(0)))
    for match in _DAY_MONTH.finditer(text):
        found = _day(int(match.group(3)), _MONTHS[match.group(2).lower().rstrip(".")], int(match.group(1)))
        if found:
            candidates.append((match.start(), found, match.group(0)))
    for match in _MONTH_DAY.finditer(text):
        found = _day(int(match.group(3)), _MONTHS[match.group(1).lower().rstrip(".")], int(match.group(2)))
        if found:
            candidates.append((match.start(), found, match.group(0)))
    if not candidates:
        return None
    _, found, said = min(candidates, key=lambda c: c[0])
    return found, said


def _foreign_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return _day(value.year, value.month, value.day)
    if isinstance(value, date):
        return _day(value.year, value.month, value.day)
    if isinstance(value, str):
        found = date_in_line(value)
        return found[0] if found else None
    return None


def date_in_text(body: str, first_line: int, fenced: set[int]) -> tuple[date, int, str, bool] | None:
    """(date, line in the file, as written, labelled) from a labelled line, else the first date outside code."""
    first = None
    for offset, line in enumerate(body.split("\n")):
        number = first_line + offset
        if number in fenced:
            continue
        found = date_in_line(line)
        if found is None:
            continue
        if _LABEL.match(line):
            return found[0], number, found[1], True
        if first is None:
            first = (found[0], number, found[1], False)
    return first


# --- planning ---------------------------------------------------------------------------


def source_label(path: Path, root: Path) -> str:
    """How a source is named in imported_from and in messages: relative to the knowledge
    base when it is inside it, else as given; one line."""
    try:
        text = Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(root))).as_posix()
    except ValueError:
        text = path.as_posix()
    return shown(text.removeprefix("./"))


def _slug(stem: str, title: str) -> str:
    """A dated file name keeps its words (links between old postmortems use them);
    otherwise the title's words, the file name's when the title has none."""
    from_name = slugify(_strip_date(stem), SLUG_MAX)
    if date_in_name(stem) is not None and from_name and from_name not in _GENERIC_STEMS:
        return from_name
    return slugify(title, SLUG_MAX) or from_name or "postmortem"


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [str(v).strip() for v in value if isinstance(v, (str, int)) and str(v).strip()]
    return []


def infer(kb: KnowledgeBase, path: Path, into: Path, visibility: str = "internal",
          visibility_given: bool = False) -> Imported:
    """What importing ``path`` would write (nothing is written). HistoryError when it cannot be read."""
    from opsbook.markdown import read

    label = source_label(path, kb.root)
    result = Imported(path, label)
    text, bom = read_source(path, label)
    foreign, body, kind, body_first_line = split_foreign(text)
    result.body = body
    first_break = text.find("\n")
    newline = "\r\n" if first_break > 0 and text[first_break - 1] == "\r" else "\n"  # the file's own
    if bom:
        result.inferred.append("a byte-order mark at the start was dropped (the body is kept as it was)")
    if newline == "\r\n":
        result.inferred.append("line endings CRLF, as the body's")
    if kind:
        result.inferred.append(f"the {kind} front matter (lines 1-{body_first_line - 1}) was read and replaced")
    doc = read(body, body_first_line)

    # title
    h1 = next((h for h in doc.headings if h.level == 1 and one_line(h.text)), None)
    any_heading = next((h for h in doc.headings if one_line(h.text)), None)
    if h1 is not None:
        title, why = one_line(h1.text), f"the first heading (line {h1.line})"
    elif one_line(foreign.get("title", "")):
        title, why = one_line(foreign["title"]), f"the {kind} front matter's title"
    elif any_heading is not None:
        title, why = one_line(any_heading.text), f"the first heading (line {any_heading.line}, level " \
                                                 f"{any_heading.level}; there is no level-1 heading)"
        result.missing.append("no level-1 heading: check the title")
    else:
        title = one_line(_humanized_stem(path.stem)) or "Imported postmortem"
        why = "the file name (the document has no heading)"
        result.missing.append("no heading in the document: the title comes from the file name; check it")
    result.inferred.append(f"title \"{shown(title)}\" from {why}")

    # date
    fenced = {n for f in doc.fences for n in range(f.line, f.end_line + 1)}
    day = date_in_name(path.stem)
    if day is not None:
        result.inferred.append(f"date {day.isoformat()} from the file name")
    elif (day := _foreign_date(foreign.get("date"))) is not None:
        result.inferred.append(f"date {day.isoformat()} from the {kind} front matter")
    elif (found := date_in_text(body, body_first_line, fenced)) is not None:
        day, line, said, labelled = found
        result.inferred.append(f"date {day.isoformat()} from line {line} of the text ('{shown(said)}'"
                               + (", the first date in it" if not labelled else "") + ")")
        if not labelled:
            result.missing.append(f"the date is the first one in the text (line {line}); check it is the "
                                  "incident's")
    else:
        result.missing.append("no date in the file name, front matter or text: the file goes to "
                              f"{into.name}/ without one; add date: YYYY-MM-DD")

    # what it covers
    mentioned = []
    if kb.incidents:
        for incident_id in sorted(kb.incidents):
            if re.search(r"(?<![\w-])" + re.escape(incident_id) + r"(?![\w-])", body):
                mentioned.append(incident_id)
    if mentioned:
        result.inferred.append(f"incidents {', '.join(mentioned)} (mentioned in the text)")
    else:
        result.missing.append("no known incident id in the text: incidents: [] (add ids if it covers any)")

    tags = []
    for key in ("tags", "categories", "keywords"):
        for value in _strings(foreign.get(key)):
            tag = slugify(value, 64)
            if tag and tag not in tags:
                tags.append(tag)
    if tags:
        result.inferred.append(f"tags {', '.join(tags)} from the {kind} front matter")
    authors, unknown = [], []
    for key in ("authors", "author"):
        for value in _strings(foreign.get(key)):
            if value in kb.people and value not in authors:
                authors.append(value)
            elif value not in unknown:
                unknown.append(value)
    if authors:
        result.inferred.append(f"authors {', '.join(authors)} from the {kind} front matter")
    if unknown:
        result.missing.append(f"author{'s' * (len(unknown) > 1)} {', '.join(shown(u) for u in unknown)} "
                              "not a person id in people.yaml: left out")
    used = {"title", "date", "tags", "categories", "keywords", "author", "authors"}
    left = [k for k in foreign if str(k) not in used]
    if left:
        result.missing.append(f"{kind} front-matter keys not carried over: {', '.join(shown(str(k)) for k in left)}")
    result.inferred.append(f"status published, visibility {visibility}"
                           + ("" if visibility_given else " (the default; --visibility to change it)"))

    front = CommentedMap()
    front["title"] = text_value(title)
    front["status"] = "published"
    if day is not None:
        front["date"] = iso_date(day)
    front["visibility"] = visibility
    seq = CommentedSeq(mentioned)
    seq.fa.set_flow_style()
    front["incidents"] = seq
    if tags:
        tag_seq = CommentedSeq(tags)
        tag_seq.fa.set_flow_style()
        front["tags"] = tag_seq
    if authors:
        author_seq = CommentedSeq(authors)
        author_seq.fa.set_flow_style()
        front["authors"] = author_seq
    front["imported_from"] = text_value(label)
    yaml_text = new_document(front)
    if newline != "\n":
        yaml_text = yaml_text.replace("\n", newline)
    result.front = {"title": title, "status": "published", "date": day.isoformat() if day else None,
                    "visibility": visibility, "incidents": mentioned, "tags": tags, "authors": authors,
                    "imported_from": label}
    slug = _slug(path.stem, title)
    result.target = (into / f"{day:%Y}" / f"{day:%Y-%m-%d}-{slug}.md") if day else into / f"{slug}.md"
    result.text = f"---{newline}{yaml_text}---{newline}{body}"
    check_text(result)
    return result


def check_text(result: Imported) -> None:
    """The text must load as a postmortem and give back the body exactly; EditError otherwise."""
    from opsbook.incidents.scaffold import parse_postmortem
    from opsbook.yamlsource import split_front_matter

    parse_postmortem(result.target, result.text)
    split, _ = split_front_matter(result.target, result.text)
    if split is None or split.body != result.body:
        raise EditError("the body would not come back byte for byte after the new front matter",
                        path=result.target)


def plan(kb: KnowledgeBase, sources: list[Path], into: Path, visibility: str = "internal",
         visibility_given: bool = False) -> list[Imported]:
    """Every source read and inferred, then refusals: a source imported before (its
    imported_from is on a postmortem already), a target that exists, or two sources
    that would make one file. HistoryError for the first source that cannot be read."""
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}")
    done = {pm.imported_from: pm for pm in kb.postmortem_list if pm.imported_from}
    results = [infer(kb, path, into, visibility, visibility_given) for path in sources]
    claimed: dict[Path, str] = {}
    for result in results:
        before = done.get(result.label)
        if before is not None:
            result.refused = f"imported already as {_rel(kb, before.file)}"
        elif os.path.lexists(result.target):
            result.refused = f"{_rel(kb, result.target)} exists already"
        elif not _stays_inside(result.target, kb.root / "postmortems"):
            # A year folder that is a symlink would send the file out of the knowledge base.
            result.refused = (f"{_rel(kb, result.target.parent)} leads outside postmortems/ (a symlink); "
                              "replace the link with a folder")
        elif result.target in claimed:
            result.refused = f"{_rel(kb, result.target)} is also the name for {claimed[result.target]}"
        else:
            claimed[result.target] = result.label
    return results


def _stays_inside(target: Path, into: Path) -> bool:
    """The folder a new file goes into is, once links are followed, inside ``into``."""
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # folders still to be made are made inside their parent
    return folder.resolve() == into.resolve() or folder.resolve().is_relative_to(into.resolve())


def _rel(kb: KnowledgeBase, path: Path) -> str:
    try:
        return path.relative_to(kb.root).as_posix()
    except ValueError:
        return str(path)

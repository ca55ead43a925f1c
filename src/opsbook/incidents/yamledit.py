"""Edits of files a person wrote: incident YAML and postmortem front matter.

An edit changes the lines it must and nothing else. The change itself is made
on ruamel.yaml's round-trip document (the callers' ``change(data)`` callbacks
add and set keys there), but ruamel.yaml re-writes more than the change: it
turns ``"caf\\u00e9"`` into ``"café"``, ``~`` into nothing, drops a ``...``
end marker, strips trailing spaces and gives every line one line ending. So its
output is only a proposal, which ``_splice`` merges back into the original:

1. The original is split into lines, each keeping its own ending (``\r\n``,
   ``\n`` or ``\r``); ruamel.yaml reads a copy with plain ``\n`` endings (and,
   if its scanner refuses a tab libyaml accepts, a copy with such tabs as spaces).
2. Three texts are compared: the original, ruamel.yaml's dump of it unchanged
   (*before*) and its dump after the change (*after*). *before* must mean to
   opsbook's loader what the original means, else the edit is refused at the
   first line read differently. Where *before* differs from the original,
   ruamel.yaml rewrote something on its own (a *unit*: a line, a few lines, or
   lines it dropped); where *after* differs from *before*, the change did.
3. Each unit that comes through the change untouched gets its original lines
   back (dropped lines go back into the gap they left, before or after lines
   the change added there), wherever the spliced text still parses, with
   opsbook's own loader, to exactly the data of *after*. Units are tried all
   at once and bisected on failure, so hundreds of rewrites cost a few dozen
   parses, not one each; a file ruamel.yaml reproduces costs none.
4. Lines keep their own endings; a new line takes the ending of the line before
   it; a missing final newline and a UTF-8 byte-order mark stay as they were;
   a line the change rewrote keeps the padding before its end-of-line comment.

A comment the result would lose is refused with its line. Every edit is also
re-validated by the caller with the loader's model before anything is written,
and the write is atomic (readers see the old file or the new one). Two
processes editing one file take turns: an exclusive ``flock`` on the file,
re-checked against the inode that is on disk now, because an atomic replace
swaps the inode under a waiting process. A symlinked record is edited where it
points; the link stays.
"""

from __future__ import annotations

import io
import os
import re
import warnings
from bisect import bisect_right
from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime, timezone
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Callable, Iterator

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.util import load_yaml_guess_indent

from opsbook.fileio import resolve, write_atomic


class EditError(Exception):
    """An edit that cannot be made; the message says why (exit 2 at the CLI).

    ``line`` (1-based, in the file) and ``path`` say where, when the reason is
    a place in the file.
    """

    def __init__(self, message: str, *, line: int | None = None, path: Path | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.path = path

    def where(self, name: str | None = None) -> str:
        """The message, prefixed with ``name`` (default: the path) and the line."""
        name = name if name is not None else (str(self.path) if self.path is not None else None)
        if name is None:
            return f"line {self.line}: {self.message}" if self.line else self.message
        return f"{name}:{self.line}: {self.message}" if self.line else f"{name}: {self.message}"

    def __str__(self) -> str:
        return self.where()


class IsoTime(str):
    """An instant written as a plain YAML timestamp (``2026-11-20T15:00:00Z``), unquoted."""


class IsoDate(str):
    """A date written as a plain YAML date (``2026-11-20``), unquoted."""


def iso_date(day: date) -> IsoDate:
    return IsoDate(day.isoformat())


def iso_time(moment: datetime) -> IsoTime:
    utc = moment.astimezone(timezone.utc).replace(microsecond=0)
    return IsoTime(utc.isoformat().replace("+00:00", "Z"))


def text_value(text: str) -> DoubleQuotedScalarString:
    # Free text always double-quoted: it matches how people write messages here
    # and no message can turn into a number, a date or a mapping.
    return DoubleQuotedScalarString(text)


def flow_map(**items: Any) -> CommentedMap:
    """A mapping written on one line, like the entries people write in updates and timelines."""
    out = CommentedMap()
    for key, value in items.items():
        if value is not None:
            out[key] = value
    out.fa.set_flow_style()
    return out


def flow_seq(items: list) -> CommentedSeq:
    out = CommentedSeq(items)
    out.fa.set_flow_style()
    return out


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1_000_000  # never re-wrap a person's long lines
    yaml.representer.add_representer(
        IsoTime, lambda rep, data: rep.represent_scalar("tag:yaml.org,2002:timestamp", str(data)))
    yaml.representer.add_representer(
        IsoDate, lambda rep, data: rep.represent_scalar("tag:yaml.org,2002:timestamp", str(data)))
    return yaml


class _NoLoad:
    """Stands in for YAML in ``load_yaml_guess_indent``: guess only, do not load twice."""

    def load(self, stream: Any) -> None:
        return None


def _use_file_indent(yaml: YAML, text: str) -> None:
    """Indent new lines like the file does; a file without block lists gets
    them the way opsbook writes them (``  - ``)."""
    try:
        _, indent, offset = load_yaml_guess_indent(text, yaml=_NoLoad())
    except Exception:  # noqa: BLE001 - guessing only; a line it trips on keeps the defaults
        indent, offset = None, None
    if offset is None:
        yaml.indent(mapping=indent or 2, sequence=4, offset=2)
    elif indent:
        yaml.indent(mapping=max(2, indent - offset) if offset else indent, sequence=indent, offset=offset)


def dump_document(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def new_document(data: CommentedMap, comment: str | None = None) -> str:
    """A new YAML file (block style at the top, 2-space indents, ``  - `` lists)."""
    yaml = _yaml()
    yaml.indent(mapping=2, sequence=4, offset=2)
    if comment:
        data.yaml_set_start_comment(comment)
    return dump_document(yaml, data)


def append_item(parent: CommentedMap, key: str, item: Any) -> None:
    """Append to the list under ``key``, creating a block list if there is none."""
    seq = parent.get(key)
    if not isinstance(seq, list):
        seq = CommentedSeq()
        # Public updates read before the internal timeline, as in DESIGN.md's example.
        keys = list(parent)
        if key == "updates" and "timeline" in keys and "updates" not in keys:
            parent.insert(keys.index("timeline"), key, seq)
        else:
            parent[key] = seq
    if isinstance(seq, CommentedSeq) and not seq:
        seq.fa.set_block_style()  # `updates: []` becomes a real list, not a long flow line
    seq.append(item)


# --- reading the way ruamel.yaml can ----------------------------------------------

_BREAK = re.compile(r"\r\n|\r|\n")
_ODD_BREAKS = {"\x85": "U+0085 (next line)", "\u2028": "U+2028 (line separator)",
               "\u2029": "U+2029 (paragraph separator)"}


def split_lines(text: str) -> tuple[list[str], list[str]]:
    """The lines of ``text`` without their endings, and each line's ending
    (``\\r\\n``, ``\\n``, ``\\r``, or ``""`` for a last line without one)."""
    lines: list[str] = []
    ends: list[str] = []
    start = 0
    for match in _BREAK.finditer(text):
        lines.append(text[start:match.start()])
        ends.append(match.group())
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
        ends.append("")
    return lines, ends


def _unreadable(exc: Exception, text: str, first_line: int) -> EditError:
    """ruamel.yaml refused a text opsbook's loader reads: say where, and what to write instead."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or " ".join(str(exc).split())[:200]
    line = mark.line + first_line if mark is not None else None
    row = text.split("\n")[mark.line] if mark is not None and mark.line < text.count("\n") + 1 else ""
    odd = next((name for char, name in _ODD_BREAKS.items() if char in row), None)
    if odd:
        hint = f"the line holds {odd}, which YAML readers disagree about; replace it with a line break or a space"
    elif "\t" in row:
        hint = "replace the tabs on this line with spaces"
    else:
        hint = "write this line more plainly, or make the change by hand"
    return EditError(f"cannot edit: ruamel.yaml, which makes opsbook's edits, cannot read this line "
                     f"({problem}), though opsbook's loader can; {hint}", line=line)


def _tabs_to_spaces(text: str) -> str | None:
    """``text`` with the tabs between tokens (``list: [a, b]<TAB>``, ``key:<TAB>value``)
    turned into spaces; tabs inside values and comments stay. ruamel.yaml's
    scanner refuses such tabs; libyaml's, which ``opsbook validate`` uses, does not.
    None when there is nothing to turn, or libyaml cannot scan the text."""
    if "\t" not in text:
        return None
    import yaml as pyyaml

    from opsbook.yamlsource import OpsbookLoader

    starts: list[int] = []
    ends: list[int] = []
    loader = OpsbookLoader(text)
    try:
        while (token := loader.get_token()) is not None:
            begin, end = token.start_mark.index, token.end_mark.index
            if getattr(token, "style", None) in ("|", ">"):  # a block scalar's header line is no content
                header_end = text.find("\n", begin, end)
                begin = end if header_end < 0 else header_end + 1
            if end > begin:
                starts.append(begin)
                ends.append(max(end, ends[-1]) if ends else end)
    except pyyaml.YAMLError:
        return None
    finally:
        loader.dispose()

    def inside(index: int) -> bool:
        k = bisect_right(starts, index) - 1
        return k >= 0 and index < ends[k]

    chars = list(text)
    changed = False
    line_start = 0
    for line in text.split("\n"):
        if "\t" in line and line.strip():
            first = line_start + len(line) - len(line.lstrip(" \t"))  # indentation is never touched
            for offset in range(first - line_start, len(line)):
                index = line_start + offset
                char = text[index]
                if inside(index):
                    continue
                if char == "#" and (index == line_start or text[index - 1] in " \t"):
                    break  # a comment: its text is the person's
                if char == "\t":
                    chars[index] = " "
                    changed = True
        line_start += len(line) + 1
    return "".join(chars) if changed else None


def _not_ours(text: str, first_line: int) -> EditError | None:
    """opsbook's loader's own objection to ``text``, if it has one."""
    from opsbook.yamlsource import parse_yaml

    _, diags = parse_yaml(Path("edit"), text)
    if not diags:
        return None
    return EditError(f"cannot edit: {diags[0].message}", line=(diags[0].line or 1) + first_line - 1)


def _load(normal: str, first_line: int) -> tuple[YAML, Any, bool]:
    """ruamel.yaml's document of ``normal``; True as the third value when it could
    only read a copy with tabs turned into spaces."""
    yaml = _yaml()
    with warnings.catch_warnings():  # ruamel.yaml's warnings (a reused anchor) are not the user's business
        warnings.simplefilter("ignore")
        try:
            data = yaml.load(normal)
            fixed = False
        except Exception as exc:  # noqa: BLE001 - ruamel raises many types
            spaced = _tabs_to_spaces(normal)
            if spaced is None:
                raise _not_ours(normal, first_line) or _unreadable(exc, normal, first_line) from None
            yaml = _yaml()
            try:
                data = yaml.load(spaced)
            except Exception:  # noqa: BLE001
                raise _not_ours(normal, first_line) or _unreadable(exc, normal, first_line) from None
            fixed = True
    _use_file_indent(yaml, normal)
    return yaml, data, fixed


# --- meaning, as opsbook's loader reads it ------------------------------------------


def _canon(value: Any) -> Any:
    """A comparable form of loaded data in which key order and types count
    (``1``, ``1.0`` and ``true`` differ) and NaN equals itself."""
    if isinstance(value, dict):
        return ("map", tuple((_canon(k), _canon(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("seq", tuple(_canon(v) for v in value))
    if isinstance(value, float) and value != value:
        return ("nan",)
    return (type(value).__name__, value)


def _meaning(text: str) -> Any:
    """opsbook's reading of ``text``, comparable; None if it does not parse."""
    from opsbook.yamlsource import parse_yaml

    data, diags = parse_yaml(Path("edit"), text)
    return None if diags else ("doc", _canon(data))


def _first_difference(a: Any, b: Any, path: tuple = ()) -> tuple:
    """The document path of the first place where ``a`` and ``b`` differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for (key_a, value_a), (key_b, value_b) in zip(a.items(), b.items()):
            if _canon(key_a) != _canon(key_b):
                return path + (key_a,)
            if _canon(value_a) != _canon(value_b):
                return _first_difference(value_a, value_b, path + (key_a,))
        longer = a if len(a) > len(b) else b
        return path + (list(longer)[min(len(a), len(b))],) if len(a) != len(b) else path
    if isinstance(a, list) and isinstance(b, list):
        for index, (value_a, value_b) in enumerate(zip(a, b)):
            if _canon(value_a) != _canon(value_b):
                return _first_difference(value_a, value_b, path + (index,))
        return path + (min(len(a), len(b)),) if len(a) != len(b) else path
    return path


def _line_of(text: str, path: tuple) -> int:
    """0-based line of the value at ``path`` in ``text`` (as far as the path exists)."""
    import yaml as pyyaml

    from opsbook.yamlsource import compose

    try:
        node = compose(text)
    except pyyaml.YAMLError:
        return 0
    if node is None:
        return 0
    line = node.start_mark.line
    for part in path:
        if isinstance(node, pyyaml.MappingNode):
            found = next((pair for pair in node.value
                          if isinstance(pair[0], pyyaml.ScalarNode) and pair[0].value == str(part)), None)
            if found is None:
                break
            line, node = found[0].start_mark.line, found[1]
        elif isinstance(node, pyyaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line
        else:
            break
    return line


def _label(path: tuple) -> str:
    """``("timeline", 3, "text")`` -> ``timeline[3].text``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _check_ruamel_reads_like_us(original: str, dumped: str, first_line: int) -> None:
    """Refuse when ruamel.yaml's unchanged dump means something else to opsbook than the file does."""
    from opsbook.yamlsource import parse_yaml

    ours, diags = parse_yaml(Path("edit"), original)
    if diags:
        diag = diags[0]
        raise EditError(f"cannot edit: {diag.message}", line=(diag.line or 1) + first_line - 1)
    theirs, diags = parse_yaml(Path("edit"), dumped)
    if not diags and _canon(ours) == _canon(theirs):
        return
    where = _first_difference(ours, theirs) if not diags else ()
    hint = ("remove the '%YAML 1.1' line: opsbook reads YAML 1.2" if re.search(r"(?m)^%YAML\s+1\.[01]\b", original)
            else "write that value more plainly (quote a text) or make the change by hand")
    raise EditError(
        f"cannot edit: ruamel.yaml, which makes opsbook's edits, reads {repr(_label(where)) if where else 'the document'} "
        f"differently from opsbook's loader, so the edit could change it; {hint}",
        line=_line_of(original, where) + first_line)


# --- the splice ---------------------------------------------------------------------

Piece = tuple  # (a line's text, the original line whose ending it takes, or None for a new line)


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    return SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


def _splice(lines: list[str], before: list[str], after: list[str], target: Callable[[], Any]) -> list[Piece]:
    """ruamel.yaml's new dump ``after``, with the original ``lines`` put back
    wherever ruamel.yaml rewrote them without being asked to.

    Three texts: the original (``lines``), ruamel.yaml's dump of it unchanged
    (``before``) and its dump after the change (``after``). Where ``before``
    differs from the original, ruamel.yaml rewrote something (a *unit*); where
    ``after`` differs from ``before``, the change did. A unit whose rewritten
    lines come through the change untouched gets its original lines back, if
    the result still means what ``after`` means; one the change altered stays
    as the change wrote it. A unit of dropped lines (a ``...`` marker) goes back
    at the first place it can.
    """
    # before -> after: where each line of ``before``, and each gap between two, went.
    to_after: list[int | None] = [None] * len(before)
    gap: dict[int, list[int]] = {}
    origin: list[int | None] = [None] * len(after)  # the ``before`` line each ``after`` line stands for
    for tag, k1, k2, j1, j2 in _opcodes(before, after):
        if tag == "equal":
            for d in range(k2 - k1):
                to_after[k1 + d] = j1 + d
                origin[j1 + d] = k1 + d
            for g in range(k1, k2 + 1):
                gap.setdefault(g, []).append(j1 + g - k1)
            continue
        for j in range(j1, j2):
            origin[j] = k1 + min(j - j1, k2 - k1 - 1) if k2 > k1 else None
        for g in range(k1, k2 + 1):
            gap.setdefault(g, []).extend((j1, j2) if (k1 < g < k2 or k1 == k2) else (j1,) if g == k1 else (j2,))
    # original <-> before: what ruamel.yaml reproduced, and the units it rewrote.
    to_orig: list[int | None] = [None] * len(before)
    units: list[tuple[int, int, int, int]] = []
    wholes: list[tuple[int, int, int, int]] = []  # hunks split into units, to retry whole
    for tag, i1, i2, k1, k2 in _opcodes(lines, before):
        if tag == "equal":
            for d in range(k2 - k1):
                to_orig[k1 + d] = i1 + d
            continue
        # Pair rewritten lines one for one (a line-for-line rewrite; else the similar
        # lines at either end), so one line that cannot go back keeps no other from it.
        a, b, end_a, end_b = i1, k1, i2, k2
        equal = i2 - i1 == k2 - k1
        while a < end_a and b < end_b and (equal or _similar(lines[a], before[b])):
            a, b = a + 1, b + 1
        while not equal and end_a > a and end_b > b and _similar(lines[end_a - 1], before[end_b - 1]):
            end_a, end_b = end_a - 1, end_b - 1
        for d in range(b - k1):
            to_orig[k1 + d] = i1 + d  # a rewritten line keeps its line's ending
        for d in range(k2 - end_b):
            to_orig[end_b + d] = end_a + d
        for d in range(end_b - b):
            to_orig[b + d] = a + min(d, end_a - a - 1) if end_a > a else None
        units.extend((i1 + d, i1 + d + 1, k1 + d, k1 + d + 1) for d in range(b - k1))
        if end_a > a or end_b > b:
            units.append((a, end_a, b, end_b))
        units.extend((end_a + d, end_a + d + 1, end_b + d, end_b + d + 1) for d in range(k2 - end_b))
        if not equal and (a > i1 or end_a < i2):
            wholes.append((i1, i2, k1, k2))
    base = [(text, to_orig[k] if (k := origin[j]) is not None else None) for j, text in enumerate(after)]

    def ways_back(i1: int, i2: int, k1: int, k2: int, order: int) -> list[tuple[int, int, int, list[Piece]]]:
        """Where the original lines i1:i2 can replace what became of before's k1:k2 in ``after``."""
        old = [(lines[i], i) for i in range(i1, i2)]
        if k2 == k1:  # lines ruamel.yaml dropped: back into the gap they left
            return [(p, p, order, old) for p in sorted(set(gap.get(k1, [len(after)])))]
        spots = [to_after[k] for k in range(k1, k2)]
        if None in spots or spots != list(range(spots[0], spots[0] + len(spots))):
            return []  # the change rewrote these lines itself
        return [(spots[0], spots[-1] + 1, order, old)]

    # Each unit's ways back: (start, end) in ``after`` to replace with the original lines.
    options = [ways for order, unit in enumerate(units) if (ways := ways_back(*unit, order))]
    meaning: list[Any] = []

    def wanted() -> Any:
        if not meaning:
            meaning.append(target())
        return meaning[0]

    def means_the_same(pieces: list[Piece]) -> bool:
        return _meaning("".join(text + "\n" for text, _ in pieces)) == wanted()

    def build(edits: list[tuple[int, int, int, list[Piece]]]) -> list[Piece]:
        out: list[Piece] = []
        position = 0
        for start, end, _, pieces in sorted(edits, key=lambda e: (e[0], e[2])):
            out.extend(base[position:start])
            out.extend(pieces)
            position = max(position, end)
        out.extend(base[position:])
        return out

    chosen: list[tuple[int, int, int, list[Piece]]] = []

    def restore(group: list[list[tuple[int, int, int, list[Piece]]]]) -> None:
        first = [ways[0] for ways in group]
        if means_the_same(build(chosen + first)):
            chosen.extend(first)
        elif len(group) > 1:
            middle = len(group) // 2
            restore(group[:middle])
            restore(group[middle:])
        else:
            chosen.extend(next(([way] for way in group[0][1:] if means_the_same(build(chosen + [way]))), []))

    if options:
        restore(options)
    for i1, i2, k1, k2 in wholes:  # a hunk whose parts could not go back alone may go back whole
        restored = {piece[1] for edit in chosen for piece in edit[3]}
        if all(i in restored for i in range(i1, i2)):
            continue
        ways = ways_back(i1, i2, k1, k2, len(units))
        overlap = [edit for edit in chosen if any(i1 <= piece[1] < i2 for piece in edit[3])]
        rest = [edit for edit in chosen if edit not in overlap]
        way = next((way for way in ways if means_the_same(build(rest + [way]))), None)
        if way is not None:
            chosen[:] = rest + [way]
    result = build(chosen)
    # A line the change rewrote keeps the padding before its end-of-line comment.
    padded = [(_comment_column(lines[source], text), source)
              if source is not None and text != lines[source] and "#" in text else (text, source)
              for text, source in result]
    if padded != result and means_the_same(padded):
        return padded
    return result


def _similar(old: str, new: str) -> bool:
    """Whether ruamel.yaml's ``new`` line looks like a rewrite of the original line ``old``."""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    return matcher.real_quick_ratio() >= 0.75 and matcher.quick_ratio() >= 0.75 and matcher.ratio() >= 0.75


def _comment_column(old: str, new: str) -> str:
    """``new`` with the padding the person put before the end-of-line comment in
    ``old``, when both lines end with the same comment (ruamel.yaml re-pads it)."""
    old_match = _COMMENT.search(_QUOTED.sub(lambda m: "x" * len(m.group(0)), old))
    new_match = _COMMENT.search(_QUOTED.sub(lambda m: "x" * len(m.group(0)), new))
    if not old_match or not new_match or old[old_match.start(1):] != new[new_match.start(1):]:
        return new
    content = new[:new_match.start(1)].rstrip(" \t")
    old_content = old[:old_match.start(1)].rstrip(" \t")
    if not content.strip() or not old_content.strip():
        return new
    return content + old[len(old_content):old_match.start(1)] + new[new_match.start(1):]


def _assemble(pieces: list[Piece], ends: list[str]) -> str:
    """The lines with endings: their own, or the previous line's for new ones."""
    previous = next((end for end in ends if end), "\n")
    out = []
    for text, source in pieces:
        end = (ends[source] if source is not None and source < len(ends) else "") or previous
        out.append(text + end)
        previous = end
    if out and ends and not ends[-1]:  # the file ended without a newline; so does the result
        out[-1] = pieces[-1][0]
    return "".join(out)


# --- comments -----------------------------------------------------------------------

_QUOTED = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'")
_COMMENT = re.compile(r"(?:^|\s)(#.*)$")


def _comments(text: str) -> list[tuple[int, str]]:
    """(line, comment) for every YAML comment, ignoring '#' inside quotes."""
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        match = _COMMENT.search(_QUOTED.sub(lambda m: "x" * len(m.group(0)), line))
        if match:
            found.append((number, line[match.start(1):].rstrip()))
    return found


def _keep_comments(before: str, after: str, first_line: int = 1) -> None:
    """Refuse an edit that would lose a comment a person wrote.

    ruamel.yaml round-trips almost every comment, but not all (a full-line
    comment directly above a list item that has its own end-of-line comment is
    dropped). Losing what a person wrote is worse than refusing the edit.
    """
    remaining = Counter(comment for _, comment in _comments(after))
    for number, comment in _comments(before):
        if remaining[comment] > 0:
            remaining[comment] -= 1
            continue
        raise EditError(f"this edit would lose the comment {comment[:60]!r}; "
                        "move it to its own line above the key it belongs to, or edit the file by hand",
                        line=number + first_line - 1)


# --- the edit -----------------------------------------------------------------------


def _edit(text: str, change: Callable[[Any], None], first_line: int, what: str) -> str:
    """``text`` (YAML, any line endings, no BOM) with ``change`` applied to its
    round-trip document, spliced into the original lines."""
    lines, ends = split_lines(text)
    normal = "".join(line + "\n" for line in lines)
    yaml, data, fixed = _load(normal, first_line)
    if not isinstance(data, CommentedMap):
        raise EditError(f"{what} is not a mapping of keys", line=first_line)
    before = dump_document(yaml, data)
    if fixed or before != normal:
        _check_ruamel_reads_like_us(text, before, first_line)
    change(data)
    after = dump_document(yaml, data)
    if after == before:
        return text  # nothing changed: not a byte either

    def target() -> Any:
        meaning = _meaning(after)
        if meaning is None:  # pragma: no cover - ruamel.yaml wrote YAML opsbook cannot read
            raise EditError(f"cannot edit: the edited {what} would not be YAML opsbook can read; "
                            "make the change by hand", line=first_line)
        return meaning

    pieces = _splice(lines, before.split("\n")[:-1], after.split("\n")[:-1], target)
    result = _assemble(pieces, ends)
    _keep_comments(normal, "".join(line + "\n" for line, _ in pieces), first_line)
    return result


# --- long lists: edit a short copy ---------------------------------------------------
#
# ruamel.yaml reads and writes in pure Python, so an edit of a record with 1,000
# timeline entries cost three times one with 10 (issue 12), though the change only
# appends. A caller whose change never reads or rewrites list items that exist
# (it sets top-level keys and appends) says so with ``append_only``; the long
# lists are then cut to their last
# items, the short copy is edited by the full machinery above, and the cut lines
# are put back byte for byte where a marker comment stood. The result is accepted
# only if opsbook's loader reads it as exactly the cut items followed by what the
# short copy's edit reads; anything else (a marker that moved, an alias, any
# error) falls back to editing the whole text, which also gives errors their
# true line numbers.

_KEEP = 2  # items kept at the end of a cut list: enough for the style of the next one
_CUT_FROM = 16  # lists shorter than this are edited whole


def _cuttable(text: str) -> list[tuple[int, int, Any]] | None:
    """(first line, end line, key) of the items to cut from each long top-level block list."""
    import yaml as pyyaml

    from opsbook.yamlsource import compose

    if re.search(r"(^|[\s\[{,])[&*][^\s]", text):
        return None  # anchors or aliases (or text that looks like them): a cut item could be referred to
    try:
        root = compose(text)
    except (pyyaml.YAMLError, ValueError):
        return None
    if not isinstance(root, pyyaml.MappingNode):
        return None
    cuts = []
    for key, value in root.value:
        if (isinstance(value, pyyaml.SequenceNode) and not value.flow_style and len(value.value) >= _CUT_FROM
                and isinstance(key, pyyaml.ScalarNode)):
            items = value.value
            first, last = items[0].start_mark.line, items[-_KEEP].start_mark.line
            if first <= key.start_mark.line or any(a.start_mark.line >= b.start_mark.line
                                                   for a, b in zip(items, items[1:])):
                return None
            cuts.append((first, last, key.value))
    return cuts


_MARK = "# opsbook-edit-cut-{n}-{token}"


def _edit_cut(text: str, change: Callable[[Any], None], first_line: int, what: str) -> str | None:
    """``_edit`` on a copy with long lists cut short; None when that cannot be shown safe."""
    cuts = _cuttable(text)
    if not cuts:
        return None
    import secrets

    lines, ends = split_lines(text)
    token = secrets.token_hex(8)
    pieces, kept, at = [], {}, 0
    for n, (first, last, key) in enumerate(cuts):
        indent = lines[first][:len(lines[first]) - len(lines[first].lstrip())]
        if not lines[first].lstrip().startswith("-"):
            return None
        pieces.append("".join(line + end for line, end in zip(lines[at:first], ends[at:first])))
        marker = _MARK.format(n=n, token=token)
        pieces.append(indent + marker + (ends[first - 1] if first else "\n"))
        kept[marker] = ("".join(line + end for line, end in zip(lines[first:last], ends[first:last])), key)
        at = last
    pieces.append("".join(line + end for line, end in zip(lines[at:], ends[at:])))
    short = "".join(pieces)
    try:
        edited = _edit(short, change, first_line, what)
    except EditError:
        return None
    if edited == short:
        return text
    out_lines, out_ends = split_lines(edited)
    result = []
    for line, end in zip(out_lines, out_ends):
        marker = line.strip()
        if marker in kept:
            result.append(kept.pop(marker)[0])
        else:
            result.append(line + end)
    if kept:
        return None  # a marker did not come through as its own line
    merged = "".join(result)
    return merged if _reads_as_cut(text, edited, merged, [key for _, _, key in cuts]) else None


def _reads_as_cut(original: str, edited_short: str, merged: str, keys: list) -> bool:
    """Whether ``merged`` means: the short copy's edit, with each cut list's cut items back in front."""
    from opsbook.yamlsource import parse_yaml

    before, d1 = parse_yaml(Path("edit"), original)
    short, d2 = parse_yaml(Path("edit"), edited_short)
    got, d3 = parse_yaml(Path("edit"), merged)
    if d1 or d2 or d3 or not all(isinstance(x, dict) for x in (before, short, got)):
        return False
    expected = dict(short)
    for key in keys:
        old, new = before.get(key), short.get(key)
        if not isinstance(old, list) or not isinstance(new, list) or old[-_KEEP:] != new[:_KEEP]:
            return False
        expected[key] = old[:-_KEEP] + new
    return _canon(expected) == _canon(got)


def _split_bom(text: str) -> tuple[str, str]:
    return ("\ufeff", text[1:]) if text.startswith("\ufeff") else ("", text)


def edit_yaml_text(text: str, change: Callable[[Any], None], append_only: bool = False) -> str:
    """Apply ``change`` to a YAML file's mapping; only the lines it must change change.

    ``append_only``: ``change`` only sets top-level keys and appends to lists; it
    never reads, counts or changes the items already in a list. Long lists are
    then left out of ruamel.yaml's work (see ``_edit_cut``). A change that merges
    into existing items (an importer adding an email to a person) must not say so.
    """
    bom, body = _split_bom(text)
    fast = _edit_cut(body, change, 1, "the file") if append_only else None
    return bom + (fast if fast is not None else _edit(body, change, 1, "the file"))


# The same fences as the loader's (yamlsource.split_front_matter).
_FENCE = re.compile(r"^---[ \t]*\r?$")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$")


def edit_front_matter_text(text: str, change: Callable[[Any], None]) -> str:
    """Edit the YAML between the ``---`` fences; the fences and the body stay byte for byte."""
    bom, body = _split_bom(text)
    parts = body.split("\n")
    if not _FENCE.match(parts[0]):
        raise EditError("the file does not start with a '---' line (front matter)", line=1)
    close = next((i for i in range(1, len(parts)) if _CLOSE.match(parts[i])), None)
    if close is None:
        raise EditError("the front matter opened on line 1 is never closed (add a '---' line)", line=1)
    front = "".join(part + "\n" for part in parts[1:close])
    edited = _edit(front, change, 2, "the front matter")
    return bom + parts[0] + "\n" + edited + "\n".join(parts[close:])


# --- files ------------------------------------------------------------------------


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` as it is on disk now."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: atomic writes, no turn-taking
        yield
        return
    while True:
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            raise EditError("the file does not exist", path=path) from None
        except OSError as exc:
            raise EditError(f"cannot open it: {exc.strerror or exc}", path=path) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.fstat(fd).st_ino == os.stat(path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                try:
                    yield
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                return
        finally:
            os.close(fd)


def edit_file(path: Path, edit: Callable[[str], str], check: Callable[[str], None] | None = None) -> str:
    """Apply ``edit`` (old text -> new text) to ``path`` under its lock; ``check``
    may raise EditError to refuse the result. Returns the new text.

    A symlink is followed: the file it points to is locked and replaced, and
    the link stays a link.
    """
    target = resolve(path)
    try:
        with locked(target):
            return _edit_locked(path, target, edit, check)
    except EditError as exc:
        if target != path and exc.path == target:
            exc.path = path  # name the file as the person knows it; the link says where it points
        raise


def _edit_locked(path: Path, target: Path, edit: Callable[[str], str], check: Callable[[str], None] | None) -> str:
    """Read, edit, check and write ``target`` (``path`` after symlinks); the lock is held."""
    try:
        with open(target, encoding="utf-8", newline="") as handle:
            old = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise EditError(f"cannot read it: {exc}", path=path) from None
    try:
        new = edit(old)
        if check is not None:
            check(new)
        data = new.encode("utf-8")
    except EditError as exc:
        if exc.path is None:
            exc.path = path
        raise
    except UnicodeEncodeError as exc:
        raise EditError(f"the edit holds text that is not valid UTF-8 ({exc.object[exc.start:exc.end]!r}); "
                        "nothing was written", path=path) from None
    if new != old:
        try:
            write_atomic(target, data)
        except OSError as exc:
            raise EditError(f"cannot write: {exc.strerror or exc}; the file is unchanged", path=path) from None
    return new

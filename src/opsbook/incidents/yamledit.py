"""Round-trip edits of files a person wrote: incident YAML and postmortem front matter.

ruamel.yaml keeps comments, key order, quoting and flow/block layout, so an
edit changes only the lines it must. Every edit re-validates the result with
the same model the loader uses before anything is written, and the write is
atomic (readers see the old file or the new one). Two processes editing one
file take turns: an exclusive ``flock`` on the file, re-checked against the
inode that is on disk now, because an atomic replace swaps the inode under a
waiting process.
"""

from __future__ import annotations

import io
import os
import re
from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.util import load_yaml_guess_indent

from opsbook.fileio import write_atomic


class EditError(Exception):
    """An edit that cannot be made; the message says why (exit 2 at the CLI)."""


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


def _yaml(text: str | None = None) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1_000_000  # never re-wrap a person's long lines
    yaml.representer.add_representer(
        IsoTime, lambda rep, data: rep.represent_scalar("tag:yaml.org,2002:timestamp", str(data)))
    yaml.representer.add_representer(
        IsoDate, lambda rep, data: rep.represent_scalar("tag:yaml.org,2002:timestamp", str(data)))
    if text is not None:
        try:
            _, indent, offset = load_yaml_guess_indent(text)
        except Exception:  # noqa: BLE001 - guessing only; the real parse reports errors
            indent, offset = None, None
        if indent:
            offset = offset or 0
            yaml.indent(mapping=max(2, indent - offset) if offset else indent, sequence=indent, offset=offset)
    return yaml


def load_document(text: str) -> tuple[YAML, Any]:
    yaml = _yaml(text)
    try:
        return yaml, yaml.load(text)
    except Exception as exc:  # ruamel raises many types; all mean "not YAML we can edit"
        raise EditError(f"cannot parse the YAML: {' '.join(str(exc).split())}") from None


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


# --- line endings and front matter ------------------------------------------------


def _normalise(text: str) -> tuple[str, str]:
    newline = "\r\n" if "\r\n" in text else "\n"
    return text.replace("\r\n", "\n"), newline


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
        raise EditError(f"this edit would lose the comment on line {number + first_line - 1} ({comment[:60]!r}); "
                        "move it to its own line above the key it belongs to, or edit the file by hand")


def edit_yaml_text(text: str, change: Callable[[Any], None]) -> str:
    body, newline = _normalise(text)
    yaml, data = load_document(body)
    if not isinstance(data, CommentedMap):
        raise EditError("the file is not a mapping of keys")
    change(data)
    result = dump_document(yaml, data)
    _keep_comments(body, result)
    return result.replace("\n", newline)


def edit_front_matter_text(text: str, change: Callable[[Any], None]) -> str:
    """Edit the YAML between the ``---`` fences; the body stays byte for byte."""
    body, newline = _normalise(text)
    lines = body.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise EditError("the file does not start with '---' front matter")
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        raise EditError("the front matter opened on line 1 is never closed")
    front = "\n".join(lines[1:close]) + "\n"
    yaml, data = load_document(front)
    if not isinstance(data, CommentedMap):
        raise EditError("the front matter is not a mapping of keys")
    change(data)
    dumped = dump_document(yaml, data)
    _keep_comments(front, dumped, first_line=2)
    rest = "\n".join(lines[close:])
    return ("---\n" + dumped + rest).replace("\n", newline)


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
            raise EditError(f"{path} does not exist") from None
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
    may raise EditError to refuse the result. Returns the new text."""
    with locked(path):
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                old = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise EditError(f"cannot read {path}: {exc}") from None
        new = edit(old)
        if check is not None:
            check(new)
        if new != old:
            try:
                write_atomic(path, new)
            except OSError as exc:
                raise EditError(f"cannot write {path}: {exc}") from None
        return new

"""Reading YAML and Markdown front matter safely, and finding positions in them.

Three decisions live here:

* YAML is loaded with a *safe* loader (libyaml's C parser when present) whose
  implicit types follow the YAML 1.2 core schema. YAML 1.1 turns ``09:00`` into
  the integer 540, ``no`` into ``False`` and ``010`` into 8; in files full of
  times of day and country codes that is a bug farm. Timestamps are left as
  strings so that opsbook's own time parsing (with the file's zone) applies.
* Duplicate keys are errors (PyYAML silently keeps the last one), and alias
  expansion is bounded (a "billion laughs" file must not hang ``validate``).
* Positions are resolved on demand: ``SourceMap.locate`` re-composes a file the
  first time a diagnostic needs a line and column in it. Loading a clean
  knowledge base therefore keeps no per-value position table at all.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterator, Protocol

import yaml

from opsbook.diagnostics import (
    DUPLICATE_KEY,
    EMPTY_FILE,
    ENCODING,
    FILE_TOO_LARGE,
    FRONT_MATTER,
    UNREADABLE,
    YAML_ALIASES,
    YAML_SYNTAX,
    Diagnostic,
    DocPath,
)

try:  # libyaml's C parser is ~10x faster; fall back to pure Python where absent.
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

MAX_FILE_BYTES = 2 * 1024 * 1024
# How many nodes a document may expand to through aliases before we refuse it.
MAX_EXPANDED_NODES = 1_000_000
# libyaml's composer recurses once per nesting level and overflows the C stack
# somewhere past 30,000 levels, taking the process down with it; Python code
# that walks values recurses too. No real file nests more than a few dozen.
MAX_DEPTH = 1000


class _Resolver(yaml.resolver.Resolver):
    pass


# Start from an empty table: the YAML 1.2 core schema, not PyYAML's YAML 1.1.
_Resolver.yaml_implicit_resolvers = {}
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_Resolver.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])


class DuplicateKeyError(yaml.MarkedYAMLError):
    pass


class AliasExpansionError(yaml.MarkedYAMLError):
    pass


def _located_scalar(kind: str, parse):
    """Wrap a scalar constructor so bad text under an explicit tag (``!!int abc``)
    becomes a located YAML error rather than a ValueError without a position."""

    def construct(self, node):
        try:
            return parse(self, node)
        except (ValueError, KeyError, IndexError, TypeError):
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a valid {kind} for the tag {node.tag.rsplit(':', 1)[-1]}",
                node.start_mark) from None

    return construct


def _yaml12_int(self, node):  # YAML 1.2: no octal-by-leading-zero, no sexagesimal 1:30
    value = self.construct_scalar(node)
    if value.startswith("0o"):
        return int(value[2:], 8)
    if value.startswith("0x"):
        return int(value[2:], 16)
    return int(value, 10)


class _Constructor(yaml.constructor.SafeConstructor):

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, yaml.Node] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = key_node.value
                if key in seen:
                    first = seen[key].start_mark
                    raise DuplicateKeyError(
                        f"while constructing a mapping (first '{key}' on line {first.line + 1})",
                        first,
                        f"duplicate key '{key}'",
                        key_node.start_mark,
                    )
                seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


_Constructor.add_constructor("tag:yaml.org,2002:int", _located_scalar("integer", _yaml12_int))
_Constructor.add_constructor("tag:yaml.org,2002:float",
                             _located_scalar("number", yaml.constructor.SafeConstructor.construct_yaml_float))
_Constructor.add_constructor("tag:yaml.org,2002:bool",
                             _located_scalar("boolean", yaml.constructor.SafeConstructor.construct_yaml_bool))
# Timestamps are never resolved implicitly (see module doc); an explicit
# !!timestamp tag still works but yields a string for uniform parsing later.
_Constructor.add_constructor("tag:yaml.org,2002:timestamp", yaml.constructor.SafeConstructor.construct_yaml_str)


if _BaseLoader is yaml.SafeLoader:  # pragma: no cover
    class OpsbookLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                        yaml.composer.Composer, _Constructor, _Resolver):
        def __init__(self, stream):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Constructor.__init__(self)
            _Resolver.__init__(self)
else:
    class OpsbookLoader(yaml.cyaml.CParser, _Constructor, _Resolver):  # type: ignore[no-redef]
        def __init__(self, stream):
            yaml.cyaml.CParser.__init__(self, stream)
            _Constructor.__init__(self)
            _Resolver.__init__(self)


class NestingError(yaml.MarkedYAMLError):
    pass


def _check_depth(text: str) -> None:
    """Refuse documents nested deeper than MAX_DEPTH before anything recurses.

    Every level of nesting costs a bracket or a character on its line
    (indentation or an indicator), so brackets plus the longest line bound the
    depth. Only a text whose bound is over the limit is scanned event by event.
    """
    bound = text.count("[") + text.count("{") + max(map(len, text.split("\n")), default=0)
    if bound <= MAX_DEPTH:
        return
    scanner = OpsbookLoader(text)
    depth = 0
    try:
        while (event := scanner.get_event()) is not None:
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise NestingError(None, None, f"values are nested more than {MAX_DEPTH} levels deep",
                                       event.start_mark)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    finally:
        scanner.dispose()


def compose(text: str) -> yaml.Node | None:
    """The node tree of a one-document YAML text, with the depth guard."""
    _check_depth(text)
    loader = OpsbookLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _expanded_size(root: yaml.Node) -> int:
    """Nodes the document expands to, counting every alias use in full."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1
            continue
        children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
        if done:
            total = 1 + sum(sizes[id(c)] for c in children)
            sizes[id(node)] = min(total, MAX_EXPANDED_NODES + 1)
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


class FileSource(Protocol):
    """Where the loader's files come from when they are not on disk (``opsbook
    diff`` reads a git revision's tree). Paths are the same absolute paths the
    disk would have; an absent file raises ``FileNotFoundError``."""

    def size(self, path: Path) -> int: ...

    def read_bytes(self, path: Path) -> bytes: ...

    def is_file(self, path: Path) -> bool: ...

    def files(self, folder: Path, recursive: bool) -> list[Path]:
        """The files under ``folder`` (its own only, or every level), unsorted; [] when it is no folder."""
        ...


# None: the disk, read directly as before (the fast path every other command takes).
_SOURCE: ContextVar[FileSource | None] = ContextVar("opsbook_file_source", default=None)


def file_source() -> FileSource | None:
    """The source files are read from now; None for the disk."""
    return _SOURCE.get()


@contextmanager
def reading_from(source: FileSource | None) -> Iterator[None]:
    """Read every file (``read_text``, the loader's discovery, ``SourceMap``)
    from ``source`` inside the block."""
    token = _SOURCE.set(source)
    try:
        yield
    finally:
        _SOURCE.reset(token)


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[str | None, list[Diagnostic]]:
    """Read a file as UTF-8 text, or explain precisely why it cannot be read."""
    source = _SOURCE.get()
    try:
        size = path.stat().st_size if source is None else source.size(path)
        if size > max_bytes:
            return None, [Diagnostic(
                FILE_TOO_LARGE, path, f"file is {size / 1_048_576:.1f} MiB; opsbook reads files up to "
                f"{max_bytes / 1_048_576:.0f} MiB", "split it into smaller files, or check that "
                "it is not generated output committed by mistake", line=1, column=1)]
        data = path.read_bytes() if source is None else source.read_bytes(path)
    except OSError as exc:
        return None, [Diagnostic(UNREADABLE, path, f"cannot read file: {exc.strerror or exc}",
                                 "check the file's permissions", line=1, column=1)]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a UTF-8 byte-order mark is legal; columns count without it
    if b"\x00" in data:
        line, col = _byte_position(data, data.index(b"\x00"))
        utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(data) > 1 and data[1] == 0)
        hint = ("the file looks like UTF-16; save it as UTF-8" if utf16
                else "this looks like a binary file; opsbook reads UTF-8 text only")
        if utf16:  # a property of the whole file, not of one place in it
            line, col = 1, 1
        return None, [Diagnostic(ENCODING, path, "file contains NUL bytes, so it is not text", hint,
                                 line=line, column=col)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(data, exc.start)
        return None, [Diagnostic(ENCODING, path, f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
                                 "save the file as UTF-8 (most editors offer it under 'encoding')",
                                 line=line, column=col)]
    return text, []


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    line = before.count(b"\n") + 1
    last = before.rfind(b"\n")
    col = len(before[last + 1:].decode("utf-8", errors="replace")) + 1
    return line, col


_FENCE = re.compile(r"^---[ \t]*\r?$")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$")


@dataclass(frozen=True)
class FrontMatterSplit:
    yaml_text: str
    body: str
    yaml_first_line: int  # 1-based line of the first YAML line in the file
    body_first_line: int  # 1-based line where the body starts


_TOML_FENCE = re.compile(r"^\+\+\+[ \t]*\r?$")


def split_front_matter(path: Path, text: str, *, required: bool = True) -> tuple[FrontMatterSplit | None, list[Diagnostic]]:
    """The YAML between a first line '---' and the next '---' (or '...') line, and the body after it.

    ``required=False`` (runbooks, playbooks): a file that does not start with
    '---' has no front matter, and all of it is the body. Hugo's TOML front
    matter ('+++') is still an error, located, because it would otherwise be
    published as text.
    """
    lines = text.split("\n")
    if not required and lines and _TOML_FENCE.match(lines[0]):
        return None, [Diagnostic(
            FRONT_MATTER, path, "front matter in TOML ('+++') is not read; opsbook reads YAML front matter",
            "convert it to YAML between '---' lines (Hugo reads YAML front matter too: `hugo convert toYAML`), "
            "or remove it", line=1, column=1)]
    if not required and (not lines or not _FENCE.match(lines[0])):
        return FrontMatterSplit(yaml_text="", body=text, yaml_first_line=1, body_first_line=1), []
    if not lines or not _FENCE.match(lines[0]):
        return None, [Diagnostic(
            FRONT_MATTER, path, "expected YAML front matter starting with a '---' line at line 1",
            "start the file with '---', the metadata keys (title, ...), and a closing '---' line",
            line=1, column=1)]
    for i in range(1, len(lines)):
        if _CLOSE.match(lines[i]):
            return FrontMatterSplit(
                yaml_text="\n".join(lines[1:i]) + "\n",
                body="\n".join(lines[i + 1:]),
                yaml_first_line=2,
                body_first_line=i + 2,
            ), []
    return None, [Diagnostic(
        FRONT_MATTER, path, "front matter opened with '---' on line 1 is never closed",
        "add a line '---' after the last metadata key", line=1, column=1)]


# (substring of PyYAML's or libyaml's wording, hint). First match wins.
_HINTS = [
    ("could not determine a constructor", "opsbook loads YAML safely and accepts no language-specific tags "
                                          "such as !!python/object; write plain values"),
    ("found undefined tag handle", "remove the tag; opsbook files use plain YAML values"),
    ("is not a valid", "remove the tag, or write a value of that type"),
    ("duplicate key", "remove one of the two entries, or merge them"),
    ("mapping values are not allowed", "quote a value that contains ': ', or check the indentation of this line"),
    ("did not find expected key", "check the indentation: keys of one mapping must line up"),
    ("expected <block end>", "check the indentation: items of one list or mapping must line up"),
    ("did not find expected '-'", "check the indentation: items of one list must line up"),
    ("while scanning a quoted scalar", "close the quoted string"),
    ("found unexpected end of stream", "close the quoted string or bracket"),
    ("nested more than", "flatten the structure; opsbook files need only a few levels"),
]


# libyaml follows YAML 1.1 and also ends lines at NEL, LINE SEPARATOR and
# PARAGRAPH SEPARATOR; editors (and opsbook's own line splitting) end them at
# "\n" only, so a raw U+2028 pasted into a value would shift every position after
# it. Marks carry a character index, from which the editor's line is counted.
_ODD_BREAKS = ("\x85", "\u2028", "\u2029")


def _has_odd_breaks(text: str) -> bool:
    return any(char in text for char in _ODD_BREAKS)


def editor_mark(text: str, mark):
    """``mark`` with the line and column an editor shows for its index."""
    if mark is None or not _has_odd_breaks(text) or not 0 <= mark.index <= len(text):
        return mark
    start = text.rfind("\n", 0, mark.index) + 1
    return yaml.Mark(mark.name, mark.index, text.count("\n", 0, mark.index), mark.index - start, None, None)


def _position(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def _char_at(text: str, mark) -> str:
    return text[mark.index] if mark is not None and 0 <= mark.index < len(text) else ""


def _yaml_error(path: Path, exc: yaml.YAMLError, first_line: int, text: str = "") -> Diagnostic:
    offset = first_line - 1
    if isinstance(exc, yaml.MarkedYAMLError) and text:
        exc.problem_mark = editor_mark(text, exc.problem_mark)
        exc.context_mark = editor_mark(text, exc.context_mark)
    if isinstance(exc, yaml.reader.ReaderError):  # not a MarkedYAMLError: it has a character index
        line, col = _position(text, exc.position) if text else (1, 1)
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        return Diagnostic(YAML_SYNTAX, path, f"control characters are not allowed in YAML (found U+{ord(char):04X})",
                          "remove the control character", line=line + offset, column=col)
    if isinstance(exc, AliasExpansionError):
        mark = exc.problem_mark
        return Diagnostic(YAML_ALIASES, path, exc.problem or "aliases expand to too much data",
                          "use fewer nested aliases (&anchor / *alias)",
                          line=(mark.line + first_line if mark else first_line), column=(mark.column + 1 if mark else 1))
    rule = DUPLICATE_KEY if isinstance(exc, DuplicateKeyError) else YAML_SYNTAX
    if not isinstance(exc, yaml.MarkedYAMLError):
        return Diagnostic(rule, path, " ".join(str(exc).split()), "fix the YAML syntax", line=first_line, column=1)
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    context = exc.context_mark
    hint = next((h for needle, h in _HINTS if needle in str(exc)), "fix the YAML syntax at this position")
    if "maximum nesting depth" in problem:
        # libyaml 0.2.5 as bundled with PyYAML 6.0.4 stops at 1,000 levels itself,
        # before opsbook's own guard (_check_depth) counts them: the same finding.
        problem = f"values are nested more than {MAX_DEPTH} levels deep"
        hint = next(h for needle, h in _HINTS if needle == "nested more than")
    elif _char_at(text, mark) == "\t" or "tab character" in problem:
        problem, hint = "a tab is used for indentation", "indent with spaces; YAML does not allow tabs there"
    elif isinstance(exc, DuplicateKeyError) and context is not None:
        problem = f"{problem} (first defined on line {context.line + first_line})"
    elif "another document" in problem and mark is not None:
        problem = (f"a second YAML document starts on line {mark.line + first_line} ('---'); "
                   "opsbook reads one document per file")
        hint = "remove the '---' line, or move the second document to a file of its own"
    elif context is not None and "flow" in (exc.context or "") and _char_at(text, context) in ("[", "{"):
        opener = _char_at(text, context)
        closer = "]" if opener == "[" else "}"
        problem = (f"the '{opener}' opened on line {context.line + first_line}, column {context.column + 1} "
                   "is never closed")
        hint = f"add '{closer}', or quote the value if the bracket is meant as text"
        mark = context  # the opening bracket is what needs fixing
    elif exc.context and exc.problem and context is not None and context is not mark:
        problem = f"{problem} ({exc.context} on line {context.line + first_line})"
    line = (mark.line + first_line) if mark else first_line
    col = (mark.column + 1) if mark else 1
    return Diagnostic(rule, path, problem, hint, line=line, column=col)


_ODD_BREAK_NAMES = {"\x85": "U+0085 (next line)", "\u2028": "U+2028 (line separator)",
                    "\u2029": "U+2029 (paragraph separator)"}


def _odd_break(path: Path, text: str, first_line: int) -> Diagnostic | None:
    """A raw NEL, LINE SEPARATOR or PARAGRAPH SEPARATOR is a line break to libyaml
    (YAML 1.1) but not to an editor, to YAML 1.2 or to the edit commands: the file
    would mean something other than what its author sees. Say so where it is."""
    index = min((i for i in (text.find(ch) for ch in _ODD_BREAKS) if i >= 0), default=-1)
    if index < 0:
        return None
    line, col = _position(text, index)
    name = _ODD_BREAK_NAMES[text[index]]
    return Diagnostic(YAML_SYNTAX, path, f"a raw {name} is a line break to YAML but invisible in most editors",
                      f"delete it, or inside a double-quoted string write it as the escape "
                      f"\\u{ord(text[index]):04X}", line=line + first_line - 1, column=col)


def parse_yaml(path: Path, text: str, first_line: int = 1, *, allow_empty: bool = False) -> tuple[Any, list[Diagnostic]]:
    """Parse one YAML document; ``first_line`` is where ``text`` starts in the file."""
    if _has_odd_breaks(text):
        odd = _odd_break(path, text, first_line)
        if odd is not None:
            return None, [odd]
    loader = None
    try:
        _check_depth(text)
        loader = OpsbookLoader(text)
        node = loader.get_single_node()
        if node is None:
            if allow_empty:
                return None, []
            return None, [Diagnostic(EMPTY_FILE, path, "the file has no YAML content",
                                     "add the keys this kind of file needs (see the docs or `opsbook init`)",
                                     line=first_line, column=1)]
        if "*" in text and _expanded_size(node) > MAX_EXPANDED_NODES:
            raise AliasExpansionError(None, None, f"aliases expand to more than {MAX_EXPANDED_NODES:,} values",
                                      node.start_mark)
        return loader.construct_document(node), []
    except yaml.YAMLError as exc:
        return None, [_yaml_error(path, exc, first_line, text)]
    finally:
        if loader is not None:
            loader.dispose()


@dataclass(frozen=True)
class Position:
    line: int
    column: int


class SourceMap:
    """Resolves a document path like ``("layers", 0, "members")`` to a position.

    Files are re-read and composed lazily, once each, when the first diagnostic
    for them is reported.
    """

    def __init__(self) -> None:
        self._cache: dict[Path, tuple[yaml.Node | None, int, str]] = {}

    def _root(self, path: Path) -> tuple[yaml.Node | None, int, str]:
        if path not in self._cache:
            node, first, odd = None, 1, ""
            text, diags = read_text(path)
            if text is not None:
                if path.suffix == ".md":
                    split, _ = split_front_matter(path, text)
                    text, first = (split.yaml_text, split.yaml_first_line) if split else ("", 1)
                try:
                    node = compose(text)
                except yaml.YAMLError:
                    node = None
                odd = text if _has_odd_breaks(text) else ""  # kept only when marks need fixing
            self._cache[path] = (node, first, odd)
        return self._cache[path]

    def locate(self, path: Path, doc_path: DocPath, at_key: bool = False) -> Position:
        node, first, odd = self._root(path)
        if node is None:
            return Position(first, 1)
        mark = node.start_mark
        last = len(doc_path) - 1
        for depth, part in enumerate(doc_path):
            if isinstance(node, yaml.MappingNode):
                found = None
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                        found = (key_node, value_node)
                if found is None:
                    break
                node = found[1]
                mark = found[0].start_mark if (at_key and depth == last) else node.start_mark
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
                mark = node.start_mark
            else:
                break
        mark = editor_mark(odd, mark) if odd else mark
        return Position(mark.line + first, mark.column + 1)

    def resolve(self, diag: Diagnostic) -> Diagnostic:
        if diag.related is not None:
            other_file, other_path = diag.related
            where = self.locate(other_file, other_path)
            place = f"line {where.line}" + ("" if other_file == diag.file else f" of {other_file.name}")
            diag = replace(diag, message=f"{diag.message} (first defined on {place})", related=None)
        if diag.line:
            return diag
        pos = self.locate(diag.file, diag.path, diag.at_key)
        return replace(diag, line=pos.line, column=pos.column)

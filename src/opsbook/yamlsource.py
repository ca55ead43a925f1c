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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

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


class _Constructor(yaml.constructor.SafeConstructor):
    def construct_yaml_int(self, node):  # YAML 1.2: no octal-by-leading-zero, no 1:30
        value = self.construct_scalar(node)
        if value.startswith("0o"):
            return int(value[2:], 8)
        if value.startswith("0x"):
            return int(value[2:], 16)
        return int(value, 10)

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


_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)
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


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[str | None, list[Diagnostic]]:
    """Read a file as UTF-8 text, or explain precisely why it cannot be read."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, [Diagnostic(
                FILE_TOO_LARGE, path, f"file is {size / 1_048_576:.1f} MiB; opsbook reads files up to "
                f"{max_bytes / 1_048_576:.0f} MiB", "split it into smaller files, or check that "
                "it is not generated output committed by mistake", line=1, column=1)]
        data = path.read_bytes()
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


def split_front_matter(path: Path, text: str) -> tuple[FrontMatterSplit | None, list[Diagnostic]]:
    lines = text.split("\n")
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


_HINTS = [
    ("found character '\\t'", "YAML does not allow tab characters for indentation; indent with spaces"),
    ("mapping values are not allowed", "quote a value that contains ': ', or check the indentation of this line"),
    ("could not determine a constructor", "opsbook loads YAML safely and accepts no language-specific tags "
                                          "such as !!python/object; write plain values"),
    ("found undefined tag handle", "remove the tag; opsbook files use plain YAML values"),
    ("duplicate key", "remove one of the two entries, or merge them"),
    ("expected <block end>", "check the indentation: items of one list or mapping must line up"),
    ("found unacceptable character", "remove the control character"),
    ("while scanning a quoted scalar", "close the quoted string"),
]


def _yaml_error(path: Path, exc: yaml.YAMLError, first_line: int) -> Diagnostic:
    if isinstance(exc, AliasExpansionError):
        mark = exc.problem_mark
        return Diagnostic(YAML_ALIASES, path, exc.problem or "aliases expand to too much data",
                          "use fewer nested aliases (&anchor / *alias)",
                          line=(mark.line + first_line if mark else first_line), column=(mark.column + 1 if mark else 1))
    rule = DUPLICATE_KEY if isinstance(exc, DuplicateKeyError) else YAML_SYNTAX
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and exc.context_mark is not None and exc.context_mark is not mark \
                and not isinstance(exc, DuplicateKeyError):
            problem = f"{problem} ({exc.context} on line {exc.context_mark.line + first_line})"
        elif isinstance(exc, DuplicateKeyError) and exc.context_mark is not None:
            problem = f"{problem} (first defined on line {exc.context_mark.line + first_line})"
        hint = next((h for needle, h in _HINTS if needle in str(exc)), "fix the YAML syntax at this position")
        line = (mark.line + first_line) if mark else first_line
        col = (mark.column + 1) if mark else 1
        return Diagnostic(rule, path, problem, hint, line=line, column=col)
    return Diagnostic(rule, path, str(exc), "fix the YAML syntax", line=first_line, column=1)


def parse_yaml(path: Path, text: str, first_line: int = 1, *, allow_empty: bool = False) -> tuple[Any, list[Diagnostic]]:
    """Parse one YAML document; ``first_line`` is where ``text`` starts in the file."""
    loader = OpsbookLoader(text)
    try:
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
        return None, [_yaml_error(path, exc, first_line)]
    finally:
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
        self._cache: dict[Path, tuple[yaml.Node | None, int]] = {}

    def _root(self, path: Path) -> tuple[yaml.Node | None, int]:
        if path not in self._cache:
            node, first = None, 1
            text, diags = read_text(path)
            if text is not None:
                if path.suffix == ".md":
                    split, _ = split_front_matter(path, text)
                    text, first = (split.yaml_text, split.yaml_first_line) if split else ("", 1)
                try:
                    node = yaml.compose(text, Loader=OpsbookLoader)
                except yaml.YAMLError:
                    node = None
            self._cache[path] = (node, first)
        return self._cache[path]

    def locate(self, path: Path, doc_path: DocPath, at_key: bool = False) -> Position:
        node, first = self._root(path)
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
        return Position(mark.line + first, mark.column + 1)

    def resolve(self, diag: Diagnostic) -> Diagnostic:
        if diag.line:
            return diag
        pos = self.locate(diag.file, diag.path, diag.at_key)
        return replace(diag, line=pos.line, column=pos.column)

"""yamlsource: YAML 1.2 typing, duplicate keys, alias bombs, reading bytes,
front matter, and resolving document paths to positions."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsbook.diagnostics import Diagnostic
from opsbook.yamlsource import (
    MAX_EXPANDED_NODES,
    Position,
    SourceMap,
    parse_yaml,
    read_text,
    split_front_matter,
)

P = Path("test.yaml")


def load(text: str):
    data, diags = parse_yaml(P, text)
    assert diags == [], diags
    return data


# --- YAML 1.2 core schema -------------------------------------------------------------

TYPING = [
    ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"), ("n", "n"),
    ("Yes", "Yes"), ("NO", "NO"), ("true", True), ("True", True), ("TRUE", True), ("false", False),
    ("FALSE", False), ("tRUE", "tRUE"),
    ("010", 10), ("0o10", 8), ("0x1F", 31), ("0X1F", "0X1F"), ("-12", -12), ("+5", 5), ("0", 0), ("007", 7),
    ("0b101", "0b101"), ("1_000", "1_000"),
    ("1:30", "1:30"), ("09:00", "09:00"), ("24:00", "24:00"), ("190:20:30", "190:20:30"),
    ("1.5", 1.5), ("-.5", -0.5), ("1e3", 1000.0), ("1.", 1.0), (".inf", math.inf), ("-.Inf", -math.inf),
    ("2026-03-14", "2026-03-14"), ("2026-03-14T14:02:00Z", "2026-03-14T14:02:00Z"),
    ("2026-03-14 14:02:00", "2026-03-14 14:02:00"), ("2026-01-05T09:00", "2026-01-05T09:00"),
    ("~", None), ("null", None), ("Null", None), ("NULL", None), ("", None), ("nULL", "nULL"),
    ("'010'", "010"), ('"yes"', "yes"), ("!!str 10", "10"), ("!!timestamp 2026-01-01", "2026-01-01"),
    ("5m", "5m"), ("1w", "1w"), ("NO_PROXY", "NO_PROXY"), ("=", "="),
]


@pytest.mark.parametrize("source,expected", TYPING, ids=[s or "<empty>" for s, _ in TYPING])
def test_yaml_12_core_typing(source: str, expected) -> None:
    value = load(f"v: {source}\n")["v"]
    assert value == expected and type(value) is type(expected)


def test_nan() -> None:
    assert math.isnan(load("v: .nan\n")["v"])


def test_keys_follow_the_same_typing() -> None:
    # The decision tree's `yes:`/`no:` keys must stay strings.
    assert load("yes: a\nno: b\non: c\n010: d\n") == {"yes": "a", "no": "b", "on": "c", 10: "d"}


# --- duplicate keys -------------------------------------------------------------------

@pytest.mark.parametrize("text,line,column,first", [
    ("a: 1\nb: 2\na: 3\n", 3, 1, 1),
    ("outer:\n  x: 1\n  y: 2\n  x: 3\n", 4, 3, 2),
    ("items:\n  - {id: a, id: b}\n", 2, 13, 2),
    ("items:\n  - id: a\n    name: n\n  - id: b\n    name: n\n    id: c\n", 6, 5, 4),
    ("'a': 1\n\"a\": 2\n", 2, 1, 1),
])
def test_duplicate_keys(text: str, line: int, column: int, first: int) -> None:
    data, diags = parse_yaml(P, text)
    assert data is None
    [diag] = diags
    assert (diag.code, diag.line, diag.column) == ("OB006", line, column)
    assert f"first defined on line {first}" in diag.message


def test_duplicate_key_lines_are_offset_in_front_matter() -> None:
    _, [diag] = parse_yaml(P, "title: a\nowner: b\ntitle: c\n", first_line=2)
    assert (diag.code, diag.line, diag.column) == ("OB006", 4, 1)
    assert "first defined on line 2" in diag.message


def test_same_key_in_sibling_mappings_is_fine() -> None:
    assert load("- {id: a}\n- {id: b}\n") == [{"id": "a"}, {"id": "b"}]


def test_merge_keys_may_be_overridden() -> None:
    assert load("base: &b {a: 1, c: 3}\nx:\n  <<: *b\n  a: 2\n") == {"base": {"a": 1, "c": 3}, "x": {"a": 2, "c": 3}}


# --- aliases --------------------------------------------------------------------------

def test_modest_aliases_are_fine() -> None:
    assert load("a: &x [1, 2]\nb: *x\nc: *x\n") == {"a": [1, 2], "b": [1, 2], "c": [1, 2]}


def _laughs(levels: int, width: int = 10) -> str:
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"l{i}: &l{i} [{', '.join(['*l' + str(i - 1)] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused() -> None:
    data, [diag] = parse_yaml(P, _laughs(9))
    assert data is None
    assert (diag.code, diag.line, diag.column) == ("OB009", 1, 1)
    assert f"{MAX_EXPANDED_NODES:,}" in diag.message


def test_alias_bomb_line_is_offset_in_front_matter() -> None:
    _, [diag] = parse_yaml(P, _laughs(9), first_line=2)
    assert (diag.code, diag.line) == ("OB009", 2)


def test_aliases_just_below_the_limit_load() -> None:
    # 10**5 lols plus the lists holding them stays under 1,000,000 nodes.
    data = load(_laughs(5))
    assert len(data["l4"]) == 10


# --- errors other than YAML syntax must not escape -------------------------------------

@pytest.mark.parametrize("text", [
    "v: !!int abc", "v: !!int", "v: !!int 0o9", "v: !!float abc", "v: !!float", "v: !!bool maybe",
    "v: !!python/object/apply:os.system [echo]", "v: !!python/name:os.system", "v: !custom x",
])
def test_explicit_tags_give_diagnostics_not_exceptions(text: str) -> None:
    data, diags = parse_yaml(P, text + "\n")
    assert data is None
    assert [(d.code, d.line, d.column) for d in diags] == [("OB001", 1, 4)]


def test_control_character_position_and_message() -> None:
    _, [diag] = parse_yaml(P, "a: 1\nb: x\x07y\n")
    assert diag.code == "OB001"
    assert (diag.line, diag.column) == (2, 5)
    assert "\n" not in diag.message
    assert "<unicode string>" not in diag.message
    assert diag.hint == "remove the control character"


def test_tab_indentation_hint() -> None:
    _, [diag] = parse_yaml(P, "a:\n\tb: 1\n")
    assert (diag.code, diag.line, diag.column) == ("OB001", 2, 1)
    assert "spaces" in diag.hint


YAMLISH = st.lists(st.sampled_from([
    "a", "b", "1", "yes", "~", ": ", ":", "- ", "-", "? ", "[", "]", "{", "}", ",", "\n", "  ", "\t", "#", "'", '"',
    "&x ", "*x", "!!int ", "!!float ", "!!bool ", "!!str ", "!!map ", "!!seq ", "!foo ", "<<: ", "|", ">", "---\n",
    "...\n", "%YAML 1.2\n", "\x07", "\ufeff", "é", "0o9", "@", "`",
]), max_size=40).map("".join)


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_parse_yaml_never_raises(text: str) -> None:
    data, diags = parse_yaml(P, text)
    assert all(isinstance(d, Diagnostic) for d in diags)
    for d in diags:
        assert d.line >= 1 and d.column >= 1


# --- reading bytes ----------------------------------------------------------------------

def test_read_text_strips_bom(tmp_path: Path) -> None:
    f = tmp_path / "f.yaml"
    f.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert read_text(f) == ("a: 1\n", [])


@pytest.mark.parametrize("data,line,column,hint", [
    (b"a: 1\nb: \x00\n", 2, 4, "binary"),
    ("a: 1\n".encode("utf-16"), 1, None, "UTF-16"),
    ("a: 1\n".encode("utf-16-le"), 1, 1, "UTF-16"),  # a whole-file problem: reported at 1:1
])
def test_read_text_nul(tmp_path: Path, data: bytes, line: int, column: int | None, hint: str) -> None:
    f = tmp_path / "f.yaml"
    f.write_bytes(data)
    text, [diag] = read_text(f)
    assert text is None and diag.code == "OB002" and diag.line == line and hint in diag.hint
    if column is not None:
        assert diag.column == column


@pytest.mark.parametrize("data,line,column", [
    (b"\xff", 1, 1),
    (b"a: caf\xc3\xa9\nb: \xe2\x82\n", 2, 4),  # truncated euro sign
    (b"a: \xc3\xa9\xc3\xa9\xc3\xa9\xc0\n", 1, 7),  # columns count characters
    (b"\xef\xbb\xbfa: \xff\n", 1, 4),  # the BOM is not a column
    (b"a: 1\r\nb: 2\r\nc: \x80\r\n", 3, 4),
])
def test_read_text_invalid_utf8_position(tmp_path: Path, data: bytes, line: int, column: int) -> None:
    f = tmp_path / "f.yaml"
    f.write_bytes(data)
    text, [diag] = read_text(f)
    assert text is None
    assert (diag.code, diag.line, diag.column) == ("OB002", line, column)


def test_read_text_size_limit(tmp_path: Path) -> None:
    f = tmp_path / "f.yaml"
    f.write_text("a: " + "x" * 100)
    assert read_text(f, max_bytes=200)[0] is not None
    text, [diag] = read_text(f, max_bytes=50)
    assert text is None and (diag.code, diag.line, diag.column) == ("OB003", 1, 1)


def test_read_text_missing_file(tmp_path: Path) -> None:
    text, [diag] = read_text(tmp_path / "nope.yaml")
    assert text is None and diag.code == "OB008"


# --- front matter -----------------------------------------------------------------------

@pytest.mark.parametrize("text,yaml_text,body,body_first_line", [
    ("---\ntitle: x\n---\n# T\n", "title: x\n", "# T\n", 4),
    ("---\ntitle: x\n...\nbody", "title: x\n", "body", 4),
    ("--- \ntitle: x\n---  \nbody", "title: x\n", "body", 4),
    ("---\r\ntitle: x\r\nowner: y\r\n---\r\nbody\r\n", "title: x\r\nowner: y\r\n", "body\r\n", 5),
    ("---\n---\n", "\n", "", 3),
    ("---\na: 1\n---\ntext\n---\nmore\n", "a: 1\n", "text\n---\nmore\n", 4),
])
def test_split_front_matter(text: str, yaml_text: str, body: str, body_first_line: int) -> None:
    split, diags = split_front_matter(Path("x.md"), text)
    assert diags == []
    assert (split.yaml_text, split.body, split.yaml_first_line, split.body_first_line) == \
        (yaml_text, body, 2, body_first_line)


@pytest.mark.parametrize("text,message", [
    ("# Title\n", "expected YAML front matter"),
    ("", "expected YAML front matter"),
    ("\n---\ntitle: x\n---\n", "expected YAML front matter"),
    ("---\ntitle: x\n", "never closed"),
    ("----\ntitle: x\n----\n", "expected YAML front matter"),
])
def test_split_front_matter_errors(text: str, message: str) -> None:
    split, [diag] = split_front_matter(Path("x.md"), text)
    assert split is None and diag.code == "OB005" and (diag.line, diag.column) == (1, 1)
    assert message in diag.message


# --- positions ----------------------------------------------------------------------------

BLOCK = """\
name: Payments on-call
layers:
  - name: weekly
    members:
      - alice
      - bob
    start: 2026-01-05T09:00
  - name: weekend
    members: [carol, dave,
      erin]
    restrict:
      - {days: [sat, sun], from: "09:00", to: "17:00"}
matrix:
  - - 1
    - 2
  - [3, [4, 5]]
"quoted key": 1
"""


@pytest.mark.parametrize("path,at_key,line,column", [
    (("name",), False, 1, 7),
    (("name",), True, 1, 1),
    (("layers",), False, 3, 3),
    (("layers", 0), False, 3, 5),
    (("layers", 0, "name"), False, 3, 11),
    (("layers", 0, "name"), True, 3, 5),
    (("layers", 0, "members", 1), False, 6, 9),
    (("layers", 0, "start"), False, 7, 12),
    (("layers", 1, "members", 0), False, 9, 15),
    (("layers", 1, "members", 2), False, 10, 7),
    (("layers", 1, "restrict", 0, "days", 1), False, 12, 22),
    (("layers", 1, "restrict", 0, "from"), False, 12, 34),
    (("layers", 1, "restrict", 0, "from"), True, 12, 28),
    (("layers", 1, "restrict", 0, "to"), True, 12, 43),
    (("matrix", 0, 1), False, 15, 7),
    (("matrix", 1, 1, 0), False, 16, 10),
    (("quoted key",), True, 17, 1),
    (("quoted key",), False, 17, 15),
    # Paths that go further than the document resolve to the deepest node found.
    (("layers", 0, "members", 9), False, 5, 7),
    (("layers", 0, "missing"), False, 3, 5),
    (("nope",), False, 1, 1),
    ((), False, 1, 1),
])
def test_locate_block_and_flow(tmp_path: Path, path, at_key: bool, line: int, column: int) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(BLOCK)
    assert SourceMap().locate(f, path, at_key) == Position(line, column)


def test_locate_crlf(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_bytes(BLOCK.replace("\n", "\r\n").encode())
    sm = SourceMap()
    assert sm.locate(f, ("layers", 1, "members", 2)) == Position(10, 7)
    assert sm.locate(f, ("layers", 1, "restrict", 0, "from"), True) == Position(12, 28)


def test_locate_with_bom(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_bytes(b"\xef\xbb\xbf" + BLOCK.encode())
    assert SourceMap().locate(f, ("name",)) == Position(1, 7)


FRONT = """\
---
title: Checkout errors
tags:
  - payments
  - checkout
owner: payments
---
# Checkout errors
"""


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
@pytest.mark.parametrize("path,at_key,line,column", [
    (("title",), False, 2, 8),
    (("title",), True, 2, 1),
    (("tags", 1), False, 5, 5),
    (("owner",), False, 6, 8),
    ((), False, 2, 1),
])
def test_locate_in_front_matter(tmp_path: Path, crlf: bool, path, at_key: bool, line: int, column: int) -> None:
    f = tmp_path / "r.md"
    f.write_bytes((FRONT.replace("\n", "\r\n") if crlf else FRONT).encode())
    assert SourceMap().locate(f, path, at_key) == Position(line, column)


def test_locate_falls_back_for_unparseable_files(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("a: [1\n")
    assert SourceMap().locate(f, ("a", 0)) == Position(1, 1)


def test_resolve_keeps_known_positions(tmp_path: Path) -> None:
    from opsbook.diagnostics import YAML_SYNTAX

    f = tmp_path / "s.yaml"
    f.write_text(BLOCK)
    sm = SourceMap()
    assert sm.resolve(Diagnostic(YAML_SYNTAX, f, "m", line=4, column=2)).line == 4
    resolved = sm.resolve(Diagnostic(YAML_SYNTAX, f, "m", path=("layers", 1, "name"), at_key=True))
    assert (resolved.line, resolved.column) == (8, 5)


KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
VALUES = st.one_of(st.integers(-1000, 1000), st.text(alphabet="abc xyz", max_size=6).map(str.strip).filter(bool))


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.dictionaries(KEYS, st.lists(VALUES, min_size=1, max_size=4), min_size=1, max_size=6),
       st.booleans())
def test_locate_agrees_with_the_text(data: dict, flow: bool) -> None:
    """Whatever the layout, the located key is where its text is, and each
    list item's position starts with that item's text."""
    import tempfile

    text = yaml.safe_dump(data, default_flow_style=flow, sort_keys=False, width=1000)
    lines = text.split("\n")
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "p.yaml"
        f.write_text(text)
        sm = SourceMap()
        for key, items in data.items():
            pos = sm.locate(f, (key,), at_key=True)
            # The dumper quotes keys YAML would read otherwise ('null', 'true').
            assert lines[pos.line - 1][pos.column - 1:].lstrip("'\"").startswith(key)
            for i, item in enumerate(items):
                pos = sm.locate(f, (key, i))
                rest = lines[pos.line - 1][pos.column - 1:]
                assert rest.startswith(yaml.safe_dump(item, default_flow_style=True).split("\n")[0].rstrip(".").strip()) \
                    or rest.startswith(str(item)), (text, key, i, pos)


# --- positions as an editor counts lines -------------------------------------------
# libyaml also breaks lines at U+0085, U+2028 and U+2029 (YAML 1.1); editors do not.
# Each text holds one such character inside a quoted value on line 2 and an error
# further down; the expected line and column are counted by hand in an editor.

ODD_BREAKS = {"nel": "\x85", "line-separator": "\u2028", "paragraph-separator": "\u2029"}


@pytest.mark.parametrize("char", list(ODD_BREAKS.values()), ids=list(ODD_BREAKS))
@pytest.mark.parametrize("text,line,column", [
    ('a: 1\nb: "x{c}y"\nc: [1, 2\n', 2, 6),            # inside a quoted value, before a real error
    ('a: 1\nb: x{c}y\n', 2, 5),                         # in a plain value: libyaml would end the line there
    ('a: 1  # note{c}x\nb: 2\n', 1, 13),                # in a comment
    ('b: "\U0001F600{c}"\nc: {{d: 1\n', 1, 6),          # after an astral character
], ids=["quoted", "plain", "comment", "emoji"])
def test_a_raw_odd_line_break_is_reported_where_the_editor_shows_it(char, text, line, column) -> None:
    """Found in review: libyaml ends lines at these characters, editors and the
    edit commands do not, so the file means something other than what its author
    sees. It is an error at the character itself, naming it and the escape to use."""
    _, diags = parse_yaml(Path("f.yaml"), text.format(c=char))
    assert [(d.code, d.line, d.column) for d in diags] == [("OB001", line, column)]
    assert f"U+{ord(char):04X}" in diags[0].message and f"\\u{ord(char):04X}" in diags[0].hint


def test_an_escaped_line_separator_in_a_quoted_value_is_fine() -> None:
    data, diags = parse_yaml(Path("f.yaml"), 'a: "x\\u2028y"\n')
    assert diags == [] and data == {"a": "x\u2028y"}


@pytest.mark.parametrize("char", list(ODD_BREAKS.values()), ids=list(ODD_BREAKS))
def test_source_map_positions_skip_odd_breaks(tmp_path, char) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(f'a: "x{char}y"\nb:\n  - 1\n  - {{k: v}}\n', encoding="utf-8")
    pos = SourceMap().locate(path, ("b", 1, "k"))
    assert (pos.line, pos.column) == (4, 9)  # the value v in "  - {k: v}"


def test_front_matter_positions_skip_odd_breaks(tmp_path) -> None:
    path = tmp_path / "f.md"
    path.write_text('---\ntitle: "a\u2028b"\nalerts: [x, y]\n---\n# Body\n', encoding="utf-8")
    pos = SourceMap().locate(path, ("alerts", 1))
    assert (pos.line, pos.column) == (3, 13)

"""The edit engine: an edit changes the lines it must and nothing else.

Each row is an odd-but-valid input, an edit, and the exact text it must give
(written by hand: the oracle). ruamel.yaml alone would rewrite every one of
them somewhere the edit never meant to touch.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from opsbook.incidents import yamledit
from opsbook.incidents.yamledit import (
    EditError,
    append_item,
    edit_front_matter_text,
    edit_yaml_text,
    flow_map,
    iso_time,
    text_value,
)
from opsbook.yamlsource import parse_yaml

AT = datetime(2026, 5, 30, 11, 0, tzinfo=timezone.utc)
NEW = '  - {at: 2026-05-30T11:00:00Z, text: "new"}'


def status(data) -> None:
    data["status"] = "identified"


def append(data) -> None:
    append_item(data, "timeline", flow_map(at=iso_time(AT), text=text_value("new")))


def both(data) -> None:
    status(data)
    append(data)


def nothing(data) -> None:
    pass


def close_first(data) -> None:
    data["action_items"][0]["status"] = "done"


YAML_CASES = [
    ("mixed line endings keep theirs, line by line",
     "id: X\r\nstatus: investigating\ntimeline:\r\n  - {at: 1, text: a}\n", both,
     f"id: X\r\nstatus: identified\ntimeline:\r\n  - {{at: 1, text: a}}\n{NEW}\n"),
    ("a new line takes the ending of the line before it",
     "status: investigating\ntimeline:\n  - {at: 1, text: a}\r\n", append,
     f"status: investigating\ntimeline:\n  - {{at: 1, text: a}}\r\n{NEW}\r\n"),
    ("CRLF throughout",
     "status: investigating\r\ntimeline:\r\n  - {at: 1, text: a}\r\n", both,
     f"status: identified\r\ntimeline:\r\n  - {{at: 1, text: a}}\r\n{NEW}\r\n"),
    ("CR-only line endings",
     "status: investigating\rtimeline:\r  - {at: 1, text: a}\r", both,
     f"status: identified\rtimeline:\r  - {{at: 1, text: a}}\r{NEW}\r"),
    ("no newline at the end stays so",
     "status: investigating\ntimeline:\n  - {at: 1, text: a}", both,
     f"status: identified\ntimeline:\n  - {{at: 1, text: a}}\n{NEW}"),
    ("~ stays ~",
     "status: investigating\nsummary: ~\nacknowledged: null\n", status,
     "status: identified\nsummary: ~\nacknowledged: null\n"),
    ("escapes stay escaped",
     'title: "caf\\u00e9 \\x41 \\U0001F600"\nstatus: investigating\n', status,
     'title: "caf\\u00e9 \\x41 \\U0001F600"\nstatus: identified\n'),
    ("an escaped last item stays while one is appended after it",
     'timeline:\n  - {at: 1, text: "caf\\u00e9"}\n', append,
     f'timeline:\n  - {{at: 1, text: "caf\\u00e9"}}\n{NEW}\n'),
    ("a ... end marker stays last",
     "status: investigating\ntimeline:\n  - {at: 1, text: a}\n...\n", both,
     f"status: identified\ntimeline:\n  - {{at: 1, text: a}}\n{NEW}\n...\n"),
    ("a comment after the end marker stays",
     "status: investigating\n...\n# kept by hand\n", status,
     "status: identified\n...\n# kept by hand\n"),
    ("trailing spaces and tabs on other lines",
     "title: Slow   \nstatus: investigating\ncommander: alice \t\n", status,
     "title: Slow   \nstatus: identified\ncommander: alice \t\n"),
    ("trailing spaces on the last item while one is appended",
     "timeline:\n  - {at: 1, text: a}   \n", append,
     f"timeline:\n  - {{at: 1, text: a}}   \n{NEW}\n"),
    ("anchors and aliases",
     "title: &t Slow\nstatus: investigating\ntimeline:\n  - {at: 1, text: *t}\n", both,
     f"title: &t Slow\nstatus: identified\ntimeline:\n  - {{at: 1, text: *t}}\n{NEW}\n"),
    ("a flow map's own spacing",
     "roles: { comms: bob,  scribe: carol }\nstatus: investigating\n", status,
     "roles: { comms: bob,  scribe: carol }\nstatus: identified\n"),
    ("a flow map over two lines",
     "roles: {comms: bob,\n        scribe: carol}\nstatus: investigating\n", status,
     "roles: {comms: bob,\n        scribe: carol}\nstatus: identified\n"),
    ("a trailing tab after a flow list (ruamel.yaml's scanner refuses it)",
     "services: [a, b]\t\nstatus: investigating\n", status,
     "services: [a, b]\t\nstatus: identified\n"),
    ("a tab between key and value",
     "severity:\tSEV1\nstatus: investigating\n", status,
     "severity:\tSEV1\nstatus: identified\n"),
    ("a tab before a comment, and one inside it",
     "severity: SEV1\t# from\tPagerDuty\nstatus: investigating\n", status,
     "severity: SEV1\t# from\tPagerDuty\nstatus: identified\n"),
    ("a tab after a block scalar's indicator, tabs inside its text",
     "summary: |\t\n  a\tb\t\nservices: [a]\t\nstatus: investigating\n", status,
     "summary: |\t\n  a\tb\t\nservices: [a]\t\nstatus: identified\n"),
    ("a UTF-8 byte-order mark",
     "\ufeffstatus: investigating\n", status,
     "\ufeffstatus: identified\n"),
    ("the padding before a comment on the edited line",
     "status: investigating   # since 10:00\n", status,
     "status: identified   # since 10:00\n"),
    ("a --- line with a comment",
     "--- # the checkout incident\nstatus: investigating\n", status,
     "--- # the checkout incident\nstatus: identified\n"),
    ("a %YAML 1.2 directive",
     "%YAML 1.2\n---\nstatus: investigating\n", status,
     "%YAML 1.2\n---\nstatus: identified\n"),
    ("a comment inside a flow list",
     "services: [a,  # the first\n  b]\nstatus: investigating\n", status,
     "services: [a,  # the first\n  b]\nstatus: identified\n"),
    ("a full-line comment above an item with its own comment (ruamel.yaml drops it)",
     "timeline:\n  - {at: 1, text: a}\n  # second alert\n  - {at: 2, text: b}  # pager\nstatus: investigating\n",
     both,
     "timeline:\n  - {at: 1, text: a}\n  # second alert\n  - {at: 2, text: b}  # pager\n"
     f"{NEW}\nstatus: identified\n"),
    ("other spellings of values: TRUE, 0X1F, 1.50, .NaN, !!str, ? key",
     "public: TRUE\nx: 0X1F\ny: 1.50\nz: .NaN\nw: !!str 010\n? v\n: 1\nstatus: investigating\n", status,
     "public: TRUE\nx: 0X1F\ny: 1.50\nz: .NaN\nw: !!str 010\n? v\n: 1\nstatus: identified\n"),
    ("quoted and plain text over several lines",
     'summary: "one\n  two"\nimpact: one\n  two\nstatus: investigating\n', status,
     'summary: "one\n  two"\nimpact: one\n  two\nstatus: identified\n'),
    ("a list made in a file without block lists is laid out as opsbook writes them",
     "status: investigating\n", append,
     f"status: investigating\ntimeline:\n{NEW}\n"),
    ("an item appended to a list indented by four",
     "timeline:\n    - {at: 1, text: a}\n", append,
     "timeline:\n    - {at: 1, text: a}\n    - {at: 2026-05-30T11:00:00Z, text: \"new\"}\n"),
    ("an edit that changes nothing changes no byte",
     "status:   investigating  \r\n...\n", nothing,
     "status:   investigating  \r\n...\n"),
]


@pytest.mark.parametrize("name,before,edit,after", YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_yaml_edits_change_only_what_they_must(name, before, edit, after):
    result = edit_yaml_text(before, edit)
    assert result == after
    # The oracle itself must be what the edit means: the same data as the edit applied by hand.
    assert parse_yaml(Path("x"), after.removeprefix("\ufeff"))[1] == []


FRONT_CASES = [
    ("the body stays byte for byte, mixed line endings and all",
     "---\r\naction_items:\n  - {id: AI-1, status: open}\r\n---\r\n# Title\n\nline\r\nlast", close_first,
     "---\r\naction_items:\n  - {id: AI-1, status: done}\r\n---\r\n# Title\n\nline\r\nlast"),
    ("a byte-order mark",
     "\ufeff---\naction_items: [{id: AI-1, status: open}]\n---\nbody\n", close_first,
     "\ufeff---\naction_items: [{id: AI-1, status: done}]\n---\nbody\n"),
    ("fences with trailing blanks, and ... closing",
     "---  \ntitle: T   \naction_items:\n  - {id: AI-1, status: open}\n...\t\nbody\n---\nmore\n", close_first,
     "---  \ntitle: T   \naction_items:\n  - {id: AI-1, status: done}\n...\t\nbody\n---\nmore\n"),
    ("a trailing tab after a flow list",
     "---\nauthors: [alice, bob]\t\naction_items:\n  - {id: AI-1, status: open}\n---\n", close_first,
     "---\nauthors: [alice, bob]\t\naction_items:\n  - {id: AI-1, status: done}\n---\n"),
]


@pytest.mark.parametrize("name,before,edit,after", FRONT_CASES, ids=[c[0] for c in FRONT_CASES])
def test_front_matter_edits_change_only_what_they_must(name, before, edit, after):
    assert edit_front_matter_text(before, edit) == after


REFUSALS = [
    ("ruamel.yaml reads YAML 1.1 differently",
     "%YAML 1.1\n---\npublic: yes\nstatus: investigating\n", status, edit_yaml_text,
     3, "reads 'public' differently from opsbook's loader", "remove the '%YAML 1.1' line"),
    # validate refuses the same file at the same place (yamlsource._odd_break)
    ("a character ruamel.yaml reads as text and libyaml as a line break",
     "status: investigating\ntitle: a\x85impact: none\n", status, edit_yaml_text,
     2, "a raw U+0085 (next line) is a line break to YAML", "U+0085"),
    ("a comment inside the flow map the edit rewrites",
     "---\naction_items:\n  - {id: AI-1,  # the first\n     status: open}\n---\nbody\n", close_first,
     edit_front_matter_text, 3, "would lose the comment '# the first'", "edit the file by hand"),
    ("not a mapping", "- a\n- b\n", status, edit_yaml_text, 1, "not a mapping of keys", ""),
    ("front matter never closed", "---\ntitle: T\n", status, edit_front_matter_text, 1, "never closed", ""),
    ("YAML opsbook's loader refuses", "status: [a\n", status, edit_yaml_text, 1, "is never closed", ""),
]


@pytest.mark.parametrize("name,text,edit,function,line,message,hint", REFUSALS, ids=[c[0] for c in REFUSALS])
def test_refusals_are_located(name, text, edit, function, line, message, hint):
    with pytest.raises(EditError) as caught:
        function(text, edit)
    assert caught.value.line == line
    assert message in str(caught.value) and hint in str(caught.value)
    assert str(caught.value).startswith(f"line {line}: ")


def test_hundreds_of_rewritten_lines_cost_a_few_parses_not_one_each(monkeypatch):
    """The splice bisects groups of rewrites; it must not parse once per rewritten line."""
    entries = [f'  - {{at: {i}, text: "caf\\u00e9 {i}"}}   ' for i in range(400)]
    text = "status: investigating\ntimeline:\n" + "\n".join(entries) + "\n...\n"
    calls = []
    real = yamledit._meaning
    monkeypatch.setattr(yamledit, "_meaning", lambda t: calls.append(1) or real(t))
    result = edit_yaml_text(text, both)
    assert result == ("status: identified\ntimeline:\n" + "\n".join(entries) + f"\n{NEW}\n...\n")
    # 401 rewrites (400 escaped lines with trailing blanks, the end marker); the
    # marker's first place fails, so one bisection down to it: about 2 log2(401).
    assert len(calls) <= 25, len(calls)


def test_an_unrewritten_file_is_not_parsed_again(monkeypatch):
    calls = []
    monkeypatch.setattr(yamledit, "_meaning", lambda t: calls.append(1))
    text = "status: investigating\ntimeline:\n" + "".join(f"  - {{at: {i}, text: a}}\n" for i in range(300))
    assert edit_yaml_text(text, both) == text.replace("investigating", "identified") + NEW + "\n"
    assert calls == []


def test_the_example_incidents_survive_a_no_op_edit_byte_for_byte():
    root = Path(__file__).resolve().parents[1]
    for path in sorted((root / "incidents").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert edit_yaml_text(text, nothing) == text, path.name
        assert edit_yaml_text(text.replace("\n", "\r\n"), nothing) == text.replace("\n", "\r\n"), path.name


# --- append-only edits of long lists (issue 12): a short copy is edited ---------------

def _entries(n: int, style: str) -> str:
    out = []
    for i in range(n):
        at = f"2026-03-14T{i // 60 % 24:02d}:{i % 60:02d}:00Z"
        if style == "flow":
            out.append(f"  - {{at: {at}, text: \"entry {i}\", by: maya}}\n")
        elif style == "indentless":
            out.append(f"- at: {at}\n  text: entry {i} # note {i}\n")
        elif style == "comments":
            out.append(f"    # before {i}\n    - at: {at}\n      text: 'entry {i}'\n")
        else:
            out.append(f"  - at: {at}\n    text: >-\n      entry {i}\n      folded\n")
    return "".join(out)


def _record(n: int, style: str, end: str = "\n") -> str:
    text = ("# Incident record, hand-edited\nid: INC-2026-001\ntitle: Card payments failing   # yes\n"
            "severity: SEV1\nstatus: investigating\nstarted: 2026-03-14T09:02:00Z\n"
            "timeline:\n" + _entries(n, style) + "impact: |\n  Some customers.\n")
    return text.replace("\n", end)


def _append(data):
    data["status"] = "monitoring"
    data["mitigated"] = iso_time(datetime(2026, 3, 14, 12, 0, tzinfo=timezone.utc))
    append_item(data, "timeline", flow_map(at=iso_time(datetime(2026, 3, 14, 12, 0, tzinfo=timezone.utc)),
                                           text=text_value("Rolled back <v2> \"fast\""), by="maya"))
    append_item(data, "updates", flow_map(at="2026-03-14T12:00:00Z", status="monitoring",
                                          message=text_value("Fixed")))


@pytest.mark.parametrize("n", [3, 16, 17, 40, 400])
@pytest.mark.parametrize("style", ["flow", "indentless", "comments", "block"])
@pytest.mark.parametrize("end", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_append_only_edits_equal_whole_edits_byte_for_byte(monkeypatch, n, style, end):
    # The oracle is the whole-text edit, which the rest of this file pins.
    text = _record(n, style, end)
    whole = edit_yaml_text(text, _append)
    seen = []
    real = yamledit._edit
    monkeypatch.setattr(yamledit, "_edit", lambda t, *a: seen.append(len(t)) or real(t, *a))
    assert edit_yaml_text(text, _append, append_only=True) == whole
    assert (seen[0] < len(text) / 2) == (n >= yamledit._CUT_FROM), seen  # long lists went the short way
    assert whole.startswith(text[:text.index("status:")])  # the head is untouched


def test_a_long_list_is_not_given_to_ruamel_yaml(monkeypatch):
    seen = []
    real = yamledit._edit
    monkeypatch.setattr(yamledit, "_edit", lambda text, *a: seen.append(len(text)) or real(text, *a))
    text = _record(1000, "flow")
    edit_yaml_text(text, _append, append_only=True)
    assert len(seen) == 1 and seen[0] < 1000, seen  # only the short copy was edited


@pytest.mark.parametrize("text", [
    _record(30, "flow").replace("title: Card", "title: &t Card").replace("impact: |\n  Some customers.\n",
                                                                        "impact: *t\n"),
    _record(30, "flow").replace("text: \"entry 5\"", "text: \"a *star* and &amp\""),
], ids=["anchor", "looks-like-alias"])
def test_anchors_or_alias_look_alikes_take_the_whole_path(monkeypatch, text):
    seen = []
    real = yamledit._edit
    monkeypatch.setattr(yamledit, "_edit", lambda t, *a: seen.append(len(t)) or real(t, *a))
    assert edit_yaml_text(text, _append, append_only=True) == real(text, _append, 1, "the file")
    assert seen[0] == len(text)


def test_a_change_that_rewrites_an_old_item_falls_back_to_the_whole_text():
    text = _record(40, "indentless")

    def rewrite_last(data):
        data["timeline"][-1]["text"] = "changed"

    assert edit_yaml_text(text, rewrite_last, append_only=True) == edit_yaml_text(text, rewrite_last)

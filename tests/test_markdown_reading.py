"""opsbook.markdown reads headings, fences, links and anchors as CommonMark does."""

from __future__ import annotations

import pytest

from opsbook.markdown import is_placeholder, read, section_key, slug


def heads(text: str) -> list[tuple[int, str]]:
    return [(h.level, h.text) for h in read(text).headings]


@pytest.mark.parametrize("text,expected", [
    ("# A\n## B\n", [(1, "A"), (2, "B")]),
    ("Title\n=====\n\nSub\n---\n", [(1, "Title"), (2, "Sub")]),             # setext
    ("   ## Three spaces\n", [(2, "Three spaces")]),                         # up to three spaces
    ("    ## Four spaces is code\n", []),
    ("```\n## in code\n```\n## after\n", [(2, "after")]),
    ("````\n```\n## still code\n````\n## after\n", [(2, "after")]),          # a shorter fence does not close
    ("~~~\n```\n## still code\n~~~\n", []),                                  # nor one of the other character
    ("```\n## code\n``` not a close\n## still code\n", []),                   # a closing fence has no info string
    ("- item\n\n  ```\n  ## code in a list\n  ```\n## after\n", [(2, "after")]),
    ("> ## quoted heading\n", [(2, "quoted heading")]),
    ("## `code` and *emphasis*\n", [(2, "code and emphasis")]),
    ("## Closing hashes ##\n", [(2, "Closing hashes")]),
    ("#NoSpace\n", []),
])
def test_headings(text, expected):
    assert heads(text) == expected


def test_heading_lines_are_file_lines():
    doc = read("intro\n\n## A\n\ntext\n\nB\n-\n", first_line=10)
    assert [(h.text, h.line) for h in doc.headings] == [("A", 12), ("B", 16)]


def test_unclosed_fence_is_reported_at_its_opening_line():
    doc = read("# T\n\n```bash\nls\n## Mitigation\n", first_line=5)
    [fence] = doc.fences
    assert (fence.line, fence.closed, fence.char, fence.length, fence.info) == (7, False, "`", 3, "bash")
    assert [h.text for h in doc.headings] == ["T"]


def test_closed_fences():
    doc = read("```\na\n```\n\n~~~~ python\nb\n~~~~~\n\n  ```\n  c\n  ```\n")
    assert [f.closed for f in doc.fences] == [True, True, True]


@pytest.mark.parametrize("name,other", [
    ("Impact", "impact:"), ("Rollback and recovery", "Rollback & Recovery"), ("Meaning", "  MEANING. "),
])
def test_section_names_match_ignoring_case_and_trailing_punctuation(name, other):
    assert section_key(name) == section_key(other)


def test_sections_hold_their_subsections_text():
    doc = read("## Diagnosis\n\n### Step 1\n\nlook\n\n## Mitigation\n\nTODO\n")
    texts = {s.heading.text: s.text for s in doc.sections}
    assert texts["Diagnosis"] == "look" and texts["Mitigation"] == "TODO"
    assert not is_placeholder(texts["Diagnosis"]) and is_placeholder(texts["Mitigation"])


@pytest.mark.parametrize("text,placeholder", [
    ("", True), ("TODO", True), ("TBD.", True), ("*TODO: write this*", True), ("N/A", True),
    ("Todo list: restart the pods", False), ("Restart the pods.", False),
])
def test_placeholders(text, placeholder):
    assert is_placeholder(text) is placeholder


def test_links_images_and_reference_definitions_with_lines():
    doc = read("See [a](../x.md#Top) and ![i](img/a%20b.png).\n\n[r][]\n\n[r]: other.md\n", first_line=3)
    assert [(l.target, l.line, l.image) for l in doc.links] == [
        ("../x.md#Top", 3, False), ("img/a b.png", 3, True), ("other.md", 7, False)]


def test_links_in_code_are_not_links():
    assert read("`[a](b.md)`\n\n```\n[c](d.md)\n```\n").links == ()


def test_hugo_shortcodes_are_foreign():
    doc = read("text\n\nsee {{< ref \"a.md\" >}} and [x]({{% relref b %}})\n")
    assert [(f.text, f.line) for f in doc.foreign] == [('{{< ref "a.md" >}}', 3), ("{{% relref b %}}", 3)]


def test_anchors_as_mkdocs_makes_them():
    doc = read("## Impact: users\n## Impact: users\n## Héllo wörld\n## Custom {#my-id}\n<a id=\"raw\"></a>\n")
    assert doc.anchors == {"impact-users", "impact-users_1", "hello-world", "my-id", "raw"}
    assert slug("Step 1 — Check the DB!") == "step-1-check-the-db"


def test_title_is_the_first_heading():
    assert read("text\n\nSetext title\n============\n\n# Later\n").title == "Setext title"
    assert read("no heading\n").title is None

"""Free text in the model: the fast whole-string search must refuse exactly the
characters the per-character rule refuses, for every character of the Basic
Multilingual Plane and a sample beyond it, in one-line and multi-line fields."""

from __future__ import annotations

import pytest

from opsbook.model.base import _forbidden, text_problem


@pytest.mark.parametrize("multiline", [False, True], ids=["line", "text"])
def test_the_fast_search_agrees_with_the_rule_for_every_character(multiline):
    codes = list(range(0x10000)) + [0x1F600, 0xE0001, 0x10FFFF]
    wrong = [hex(c) for c in codes if (text_problem(f"a{chr(c)}b", multiline) is not None) != _forbidden(chr(c), multiline)]
    assert wrong == []


@pytest.mark.parametrize("value,multiline,fragment", [
    ("Card payments", False, None),
    ("two\nlines", False, "line break"),
    ("two\nlines", True, None),
    ("tab\there", False, "tab"),
    ("csi \x9b31m", True, "U+009B"),
    ("rtl \u202egnp.exe", True, "direction control"),
    ("bell \x07", True, "U+0007"),
    ("a\u2028b", False, "U+2028, line separator"),  # the CLI refuses it in arguments too
    ("a\u2029b", True, "U+2029, paragraph separator"),
], ids=["plain", "lf-in-line", "lf-in-text", "tab-in-line", "csi", "rtl", "bell", "ls-in-line", "ps-in-text"])
def test_what_is_refused_and_why(value, multiline, fragment):
    problem = text_problem(value, multiline)
    assert (problem is None) == (fragment is None)
    if fragment:
        assert fragment in problem

"""Validation findings a change introduces and fixes, apart from those already there.

Findings are matched by rule, file and message, not by line: a finding that
only moved because lines were added above it is the same finding. Equal
findings are counted (a multiset), so a second copy of the same mistake is new.
Then what is left is matched by rule, file and place in the document: "only 2
people" becoming "only 3 people" on the same layer is the finding that was
already there, reworded, not one fixed and one new.
"""

from __future__ import annotations

from collections import Counter

from opsbook.diagnostics import Diagnostic
from opsbook.diff.model import Finding, ValidationDiff
from opsbook.diff.revision import NOT_COMPARED, Side


def _key(d: Diagnostic, root) -> tuple:
    try:
        rel = d.file.relative_to(root).as_posix()
    except ValueError:
        rel = str(d.file)
    return d.code, rel, d.message


def _place(d: Diagnostic, root) -> tuple:
    return _key(d, root)[:2] + (d.path,) if d.path else _key(d, root)


def _unmatched(these: list[Diagnostic], those: list[Diagnostic], key) -> list[Diagnostic]:
    left = Counter(key(d) for d in those)
    out = []
    for d in these:
        k = key(d)
        if left[k]:
            left[k] -= 1
        else:
            out.append(d)
    return out


def _only(these: list[Diagnostic], those: list[Diagnostic], root) -> list[Diagnostic]:
    """The findings of ``these`` that ``those`` does not have (see the module's doc)."""
    text = lambda d: _key(d, root)  # noqa: E731
    rest, other = _unmatched(these, those, text), _unmatched(those, these, text)
    return _unmatched(rest, other, lambda d: _place(d, root))


def _finding(d: Diagnostic, root) -> Finding:
    from opsbook.diagnostics import shown

    return Finding(code=d.code, level=d.severity.value, file=_key(d, root)[1], line=d.line, column=d.column,
                   message=shown(d.message))


def compare(base: Side, head: Side, root) -> ValidationDiff:
    new = _only(head.findings, base.findings, root)
    introduced = head.locate(new)
    fixed = base.locate(_only(base.findings, head.findings, root))
    order = lambda d: (0 if d.severity.value == "error" else 1, _key(d, root)[1], d.line, d.code)  # noqa: E731
    return ValidationDiff(
        introduced=[_finding(d, root) for d in sorted(introduced, key=order)],
        fixed=[_finding(d, root) for d in sorted(fixed, key=order)],
        unchanged=len(head.findings) - len(new),
        not_compared=NOT_COMPARED)

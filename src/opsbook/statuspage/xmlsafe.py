"""Text that XML 1.0 can carry, for every XML writer (Atom, RSS, SVG badges).

XML 1.0 forbids most C0 control characters, lone surrogates and U+FFFE/U+FFFF
outright: one of them anywhere makes the whole feed or badge unreadable to every
parser, and ElementTree writes them anyway. The model rejects them in free text,
so this is the second line: terminal colour codes (``ESC [31m``) are removed
whole, any other forbidden character becomes U+FFFD, and C1 controls go too
(legal in XML 1.0, never meant, and a terminal reads 0x9B as an escape).
"""

from __future__ import annotations

import re

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: object) -> str:
    """``value`` as text every XML 1.0 parser accepts."""
    text = "" if value is None else str(value)
    return _NOT_XML.sub("\ufffd", _ANSI.sub("", text))


__all__ = ["xml_text"]

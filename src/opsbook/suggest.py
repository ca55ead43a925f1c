""""Did you mean ...?": one rule for every unknown id, key and command.

Case first, because "sev3" for "SEV3" or "PAYMENTS" for "payments" is the
commonest slip and difflib's similarity misses it; then the closest spelling.
"""

from __future__ import annotations

import difflib
from typing import Iterable


def closest(word: str, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    candidates = list(known)
    lowered = word.lower()
    for candidate in candidates:
        if candidate.lower() == lowered:
            return candidate
    found = difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)
    return found[0] if found else None

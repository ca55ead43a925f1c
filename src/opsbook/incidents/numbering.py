"""Incident ids (INC-YYYY-NNN), file names, slugs and chat channel names."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, tzinfo
from pathlib import Path

PREFIX = "INC"
CHANNEL_MAX = 80  # Slack's limit for channel names
_ID = re.compile(r"^([A-Za-z]+)-(\d{4})-(\d{3,})$")


def slugify(text: str, limit: int) -> str:
    """Lowercase ASCII words joined by '-', cut at a word boundary to ``limit``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    if not slug and words:  # one word longer than the limit
        slug = words[0][:limit]
    return slug


def channel_name(declared: datetime, title: str, zone: tzinfo, fallback: str) -> str:
    """``inc-YYYYMMDD-slug``, at most 80 characters; the date is the org's local date."""
    prefix = f"inc-{declared.astimezone(zone):%Y%m%d}-"
    slug = slugify(title, CHANNEL_MAX - len(prefix)) or slugify(fallback, CHANNEL_MAX - len(prefix))
    return (prefix + slug).rstrip("-")


def parse_id(ident: str) -> tuple[str, int, int] | None:
    match = _ID.match(ident)
    if not match:
        return None
    return match.group(1), int(match.group(2)), int(match.group(3))


def format_id(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year:04d}-{number:03d}"


def used_numbers(folder: Path, prefix: str, year: int) -> set[int]:
    """Numbers already taken in ``folder`` for that year (.yaml and .yml files)."""
    taken: set[int] = set()
    if not folder.is_dir():
        return taken
    for path in folder.iterdir():
        if path.suffix not in (".yaml", ".yml"):
            continue
        parsed = parse_id(path.stem)
        if parsed and parsed[0] == prefix and parsed[1] == year:
            taken.add(parsed[2])
    return taken


def next_number(folder: Path, prefix: str, year: int) -> int:
    """One past the highest number of the year: ids are never reused, even after a deletion in between."""
    return max(used_numbers(folder, prefix, year), default=0) + 1

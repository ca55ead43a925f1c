"""CSV for spreadsheets, without formula injection.

A cell that starts with = + - @ (or a tab or CR) is a formula to Excel, Sheets
and LibreOffice: an action item titled ``=HYPERLINK(...)`` would run when a
manager opens the export. Such text cells get a leading apostrophe, the
OWASP-recommended neutraliser; numbers are left as numbers.
"""

from __future__ import annotations

import csv
from typing import IO, Iterable, Mapping

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def write_csv(stream: IO[str], fieldnames: list[str], rows: Iterable[Mapping[str, object]]) -> None:
    writer = csv.DictWriter(stream, fieldnames=fieldnames, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: safe_cell(value) for key, value in row.items()})

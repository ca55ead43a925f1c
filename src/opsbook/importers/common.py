"""Reading pieces every vendor has: users with emails, files that belong to a schedule."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from opsbook.importers.ir import VendorUser, Where
from opsbook.importers.mapping import clean_line
from opsbook.importers.source import At, InputError, Source

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def email_of(at: At) -> str:
    text = at.str().strip()
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in text) or not _EMAIL.match(text) or len(text) > 254:
        raise at.fail(f"expected an email address, found {clean_line(text, 60)!r}")
    return text


def user(ident: At, email: At | None, name: At | None, zone: At | None, where: At) -> VendorUser:
    if email is None:
        raise where.fail("the user has no email; opsbook merges people by email (give the user one in the vendor, "
                         "or leave the user out of the file)")
    address = email_of(email)
    shown = clean_line(name.str(allow_empty=True), 120) if name is not None else ""
    tz = zone.str().strip() if zone is not None else None
    return VendorUser(ident.id(), address, shown or address.split("@")[0], tz, Where(where.file, where.path))


class InputErrors(Exception):
    """Several files or values that cannot be read; exit 2."""

    def __init__(self, errors: list[InputError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class Collector:
    """Runs a reader per file and keeps every InputError instead of stopping at the first."""

    errors: list[InputError] = field(default_factory=list)

    def run(self, func, *args):
        try:
            return func(*args)
        except InputError as exc:
            self.errors.append(exc)
            return None

    def raise_if_any(self) -> None:
        if self.errors:
            raise InputErrors(self.errors)


def schedule_for_file(source: Source, hinted: str | None, known: list[str], what: str, example: str) -> str:
    """Which schedule a file that does not name its schedule belongs to: the id the
    response carries (``hinted``), else a known schedule id in the file name, else
    the only schedule of the import."""
    if hinted:
        return hinted
    in_name = [ident for ident in known if ident and ident in source.name]
    if len(in_name) == 1:
        return in_name[0]
    if len(known) == 1 and not in_name:
        return known[0]
    raise InputError(source.file, None, f"cannot tell which schedule these {what} belong to: the response does not "
                     f"say, and the file name contains {'several' if in_name else 'none'} of the schedule ids of "
                     f"this import; save it as {example}")


@dataclass(frozen=True)
class Rendered:
    """One stretch of the vendor's own answer to who is on call."""

    start: datetime
    end: datetime
    user_id: str | None
    email: str | None
    label: str


@dataclass
class Rendering:
    """The vendor's answer over a window, for `import verify`."""

    entries: list[Rendered] = field(default_factory=list)
    schedule_ids: set[str] = field(default_factory=set)
    schedule_names: set[str] = field(default_factory=set)
    window: tuple[datetime, datetime] | None = None
    emails: dict[str, str] = field(default_factory=dict)
    """vendor user id -> email, from users files given alongside."""

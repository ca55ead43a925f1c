"""Reading what a vendor's REST API returned: JSON files, and where in them a value is.

Every value read from a vendor file is reached through ``At``, which remembers
the file and the JSON path (``$.schedule.schedule_layers[0].start``), so a
missing key or a value of the wrong type is an ``InputError`` naming both,
never a ``KeyError`` deep inside a mapping.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

MAX_BYTES = 64 * 1024 * 1024  # a paginated export of a large account is a few MB


class InputError(Exception):
    """A file that cannot be read as the vendor response it should be (exit 2)."""

    def __init__(self, file: str, path: str | None, message: str) -> None:
        super().__init__(message)
        self.file = file
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}" if self.path else f"{self.file}: {self.message}"

    def as_dict(self) -> dict:
        return {"file": self.file, "path": self.path, "message": self.message}


# Every number a vendor sends is a count, an index or a duration in seconds,
# minutes or weeks. Past this one would only overflow date arithmetic (10**30
# seconds), so it is refused at its JSON path like any other bad value.
MAX_NUMBER = 10**8


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


_SIMPLE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class At:
    """A JSON value and where it is: the file and its JSON path."""

    __slots__ = ("value", "file", "path")

    def __init__(self, value: Any, file: str, path: str = "$") -> None:
        self.value = value
        self.file = file
        self.path = path

    def fail(self, message: str) -> InputError:
        return InputError(self.file, self.path, message)

    def _child_path(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if _SIMPLE_KEY.match(key) else f"{self.path}[{json.dumps(key)}]"

    def _mapping(self) -> dict:
        if not isinstance(self.value, dict):
            raise self.fail(f"expected an object, found {_kind(self.value)}")
        return self.value

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and key in self.value

    def key(self, key: str) -> "At":
        """The value under ``key``, which must be present (it may be null)."""
        mapping = self._mapping()
        if key not in mapping:
            raise self.fail(f"missing key '{key}'")
        return At(mapping[key], self.file, self._child_path(key))

    def opt(self, key: str) -> "At | None":
        """The value under ``key``, or None when the key is absent or null."""
        mapping = self._mapping()
        if mapping.get(key) is None:
            return None
        return At(mapping[key], self.file, self._child_path(key))

    def items(self) -> list["At"]:
        if not isinstance(self.value, list):
            raise self.fail(f"expected a list, found {_kind(self.value)}")
        return [At(v, self.file, self._child_path(i)) for i, v in enumerate(self.value)]

    def str(self, *, allow_empty: bool = False) -> str:
        if not isinstance(self.value, str):
            raise self.fail(f"expected a string, found {_kind(self.value)}")
        if not allow_empty and not self.value.strip():
            raise self.fail("expected a non-empty string")
        return self.value

    def id(self) -> str:
        """An identifier: a string, or a number some APIs use (kept as text)."""
        if isinstance(self.value, bool) or not isinstance(self.value, (str, int)):
            raise self.fail(f"expected an id (a string), found {_kind(self.value)}")
        text = str(self.value)
        if not text.strip():
            raise self.fail("expected a non-empty id")
        return text

    def int(self, *, minimum: int | None = None, maximum: int | None = MAX_NUMBER) -> int:
        value = self.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"expected a whole number, found {_kind(self.value)}")
        if minimum is not None and value < minimum:
            raise self.fail(f"expected a number of at least {minimum}, found {value}")
        if maximum is not None and value > maximum:
            raise self.fail(f"expected a number of at most {maximum}, found {value}")
        return value

    def bool(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.fail(f"expected true or false, found {_kind(self.value)}")
        return self.value

    def instant(self) -> datetime:
        """An ISO 8601 time with an offset, as UTC."""
        text = self.str()
        try:
            parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise self.fail(f"expected an ISO 8601 time like 2026-03-14T09:00:00Z, found {text[:60]!r}") from None
        if parsed.tzinfo is None:
            raise self.fail(f"expected a time with an offset (Z or +01:00), found {text[:60]!r}")
        if not 1900 <= parsed.year <= 2999:
            raise self.fail(f"{text[:60]!r} is out of range: years 1900 to 2999")
        return parsed.astimezone(timezone.utc)

    def local(self) -> datetime:
        """An ISO 8601 wall-clock time without an offset (Grafana OnCall's ``start``)."""
        text = self.str()
        try:
            parsed = datetime.fromisoformat(text.strip())
        except ValueError:
            raise self.fail(f"expected a local time like 2026-03-14T09:00:00, found {text[:60]!r}") from None
        if not 1900 <= parsed.year <= 2999:
            raise self.fail(f"{text[:60]!r} is out of range: years 1900 to 2999")
        return parsed

    def __iter__(self) -> Iterator["At"]:
        return iter(self.items())


@dataclass(frozen=True)
class Source:
    """One input file: its display name and its parsed JSON."""

    file: str
    data: Any

    @property
    def root(self) -> At:
        return At(self.data, self.file)

    @property
    def name(self) -> str:
        return Path(self.file).name


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_json(path: Path, display: str | None = None) -> Source:
    """A file's JSON, or an InputError saying precisely why not."""
    shown = display or str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise InputError(shown, None, "is a folder, not a file") from None
    except OSError as exc:
        raise InputError(shown, None, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise InputError(shown, None, f"is larger than {MAX_BYTES // (1024 * 1024)} MB; save one page per file")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(shown, None, f"is not UTF-8 text (byte {exc.start + 1}); save the API response "
                         "as it came") from None
    if not text.strip():
        raise InputError(shown, None, "is empty; the API response was not saved")
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        hint = " (an HTML page: a login or error page, not the API's answer?)" if text.lstrip().startswith("<") else ""
        raise InputError(shown, f"line {exc.lineno} column {exc.colno}", f"not JSON: {exc.msg}{hint}") from None
    except (ValueError, RecursionError) as exc:
        raise InputError(shown, None, f"not JSON: {exc}" if isinstance(exc, ValueError)
                         else "not JSON this tool reads: nested too deeply") from None
    return Source(shown, data)


def top_keys(data: Any) -> str:
    if isinstance(data, dict):
        keys = [str(k)[:40] for k in list(data)[:8]]
        return "the top-level keys are " + (", ".join(keys) if keys else "none")
    return f"the top level is {_kind(data)}"

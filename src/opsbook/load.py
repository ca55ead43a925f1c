"""Discover a knowledge base's files and load them into one ``KnowledgeBase``.

Files that fail to parse or validate are reported and left out of the model;
the rest still load, so one typo does not hide every other finding.
"""

from __future__ import annotations

import gc
import os
import re
import reprlib
import unicodedata
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from pydantic import BaseModel, ValidationError

from opsbook import timeutil
from opsbook.diagnostics import (
    DUPLICATE_ID,
    FILE_NAME,
    ID_MISMATCH,
    INVALID_DURATION,
    INVALID_TIME,
    INVALID_TIMEZONE,
    INVALID_VALUE,
    MISSING_KEY,
    NOT_A_MAPPING,
    UNKNOWN_KEY,
    Diagnostic,
    DocPath,
    shown,
)
from opsbook.model.base import Document, MarkdownDocument
from opsbook.model.kb import SOURCE_OF, KnowledgeBase, kinds_with
from opsbook.suggest import closest
from opsbook.yamlsource import file_source, parse_yaml, read_text, split_front_matter

if TYPE_CHECKING:
    from opsbook.model.incident import Incident

ROOT_MARKER = "opsbook.yaml"
# Files in content folders that are documentation about the folder, not content.
_NOT_CONTENT = {"README.md", "index.md"}


class NotAKnowledgeBase(Exception):
    """No opsbook.yaml where one was expected (a usage error, exit 2)."""


@dataclass(frozen=True)
class Layout:
    """Where each kind of file lives, relative to the root."""

    people: str = "schedules/people.yaml"
    escalation: str = "schedules/escalation.yaml"
    schedules: str = "schedules"
    severity: str = "playbooks/severity.yaml"
    playbooks: str = "playbooks"
    runbooks: str = "runbooks"
    incidents: str = "incidents"
    postmortems: str = "postmortems"
    status: str = "status/page.yaml"


LAYOUT = Layout()


def find_root(start: Path) -> Path:
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / ROOT_MARKER).is_file():
            return candidate
    raise NotAKnowledgeBase(
        f"no {ROOT_MARKER} in {start} or any folder above it; run opsbook inside a knowledge base, "
        f"pass --root DIR, or create one with `opsbook init DIR`")


def _visible(path: Path, base: Path) -> bool:
    return not any(part.startswith((".", "_")) for part in path.relative_to(base).parts)


_YAML = (".yaml", ".yml")


def _files(folder: Path, suffixes: tuple[str, ...], recursive: bool) -> list[Path]:
    source = file_source()
    if source is not None:  # a git revision (`opsbook diff`), not the disk
        return sorted(p for p in source.files(folder, recursive) if p.suffix in suffixes
                      and _visible(p, folder) and p.name not in _NOT_CONTENT)
    if not folder.is_dir():
        return []
    found = folder.rglob("*") if recursive else folder.glob("*")
    return sorted(p for p in found if p.suffix in suffixes and p.is_file() and _visible(p, folder)
                  and p.name not in _NOT_CONTENT)


def _fixed(path: Path) -> list[Path]:
    """A file at a fixed place, spelt .yaml or .yml."""
    source = file_source()
    for candidate in (path, path.with_suffix(".yml")):
        if candidate.is_file() if source is None else source.is_file(candidate):
            return [candidate]
    return []


def discover(root: Path, layout: Layout = LAYOUT, kinds: Iterable[str] | None = None,
             incidents: Iterable[str] | None = None) -> dict[str, list[Path]]:
    """Every file opsbook reads, by kind (file kinds: "people" defines people and
    teams, "status" components and groups).

    With ``kinds`` (the model's kinds, as for ``load``), only the files that
    define them; the others are left out of the result, not listed empty. With
    ``incidents``, only the records with those ids (file names, letter case
    ignored)."""
    sources = _sources(kinds)
    people, escalation = _fixed(root / layout.people), _fixed(root / layout.escalation)
    special = set(people + escalation)
    finders = {
        "config": lambda: [root / ROOT_MARKER],
        "people": lambda: people,
        "escalation": lambda: escalation,
        "schedule": lambda: [p for p in _files(root / layout.schedules, _YAML, False) if p not in special],
        "severity": lambda: _fixed(root / layout.severity),
        "playbook": lambda: _files(root / layout.playbooks, (".md",), False),
        "runbook": lambda: _files(root / layout.runbooks, (".md",), True),
        "incident": lambda: (_files(root / layout.incidents, _YAML, False) if incidents is None
                             else _named(root / layout.incidents, _YAML, incidents)),
        "postmortem": lambda: _files(root / layout.postmortems, (".md",), True),
        "status": lambda: _fixed(root / layout.status),
    }
    return {source: find() for source, find in finders.items() if sources is None or source in sources}


def _sources(kinds: Iterable[str] | None) -> frozenset[str] | None:
    """The file kinds that define ``kinds`` (None: all)."""
    if kinds is None:
        return None
    return frozenset(SOURCE_OF[kind] for kind in kinds_with(kinds))


def _named(folder: Path, suffixes: tuple[str, ...], ids: Iterable[str]) -> list[Path]:
    """The files of ``folder`` (not recursive) named one of ``ids``, letter case ignored:
    what ``_files`` would list, filtered by name before any file is looked at."""
    wanted = {ident.upper() for ident in ids}
    if file_source() is not None:
        return [p for p in _files(folder, suffixes, False) if p.stem.upper() in wanted]
    if not folder.is_dir():
        return []
    found = (folder / name for name in os.listdir(folder))
    return sorted(p for p in found if p.suffix in suffixes and p.stem.upper() in wanted and p.is_file()
                  and _visible(p, folder) and p.name not in _NOT_CONTENT)


# --- pydantic errors -> diagnostics ---------------------------------------------

_CUSTOM_RULES = {"timezone": INVALID_TIMEZONE, "duration": INVALID_DURATION, "time": INVALID_TIME,
                 "text": INVALID_VALUE, "url": INVALID_VALUE}


def _clean_path(loc: tuple, data: Any, keep_last: bool) -> DocPath:
    """Drop pydantic's union-member tags from ``loc``, keeping real keys/indexes."""
    out: list = []
    current = data
    for i, part in enumerate(loc):
        if isinstance(current, dict) and part in current:
            out.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            out.append(part)
            current = current[part]
        elif keep_last and i == len(loc) - 1 and isinstance(part, str):
            out.append(part)
    return tuple(out)


def _unwrap_model(annotation: Any) -> type[BaseModel] | None:
    """The model class inside Optional[...] / list[...] / dict[..., ...] / Annotated."""
    stack = [annotation]
    while stack:
        ann = stack.pop()
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            return ann
        origin = typing.get_origin(ann)
        if origin is typing.Annotated:
            stack.append(typing.get_args(ann)[0])
        elif origin in (list, tuple, typing.Union, types.UnionType, dict):
            stack.extend(typing.get_args(ann))
    return None


def _model_at(cls: type[BaseModel], path: DocPath) -> type[BaseModel] | None:
    current: type[BaseModel] | None = cls
    for part in path:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        field = next((f for name, f in current.model_fields.items() if (f.alias or name) == part), None)
        if field is None:
            return current if part not in () else None
        current = _unwrap_model(field.annotation) or current
    return current


def _keys_of(cls: type[BaseModel] | None) -> list[str]:
    if cls is None:
        return []
    return [f.alias or name for name, f in cls.model_fields.items()]


_REPR = reprlib.Repr()  # keyword arguments need Python 3.12
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlist, _REPR.maxdict = 2, 60, 60, 4, 4


def _describe(value: Any) -> str:
    # reprlib: bounded in length *and* depth (a 1,000-deep list must not recurse).
    return _REPR.repr(value)


def validation_diagnostics(path: Path, exc: ValidationError, cls: type[BaseModel], data: Any) -> list[Diagnostic]:
    by_path: dict[DocPath, list[dict]] = {}
    for error in exc.errors(include_url=False):
        keep_last = error["type"] in ("missing", "extra_forbidden")
        by_path.setdefault((error["type"] == "missing", _clean_path(error["loc"], data, keep_last)), []).append(error)
    diags = [_one_diagnostic(path, cls, doc_path, errors) for (_missing, doc_path), errors in by_path.items()]
    # A misspelt key shows up twice: unknown 'mesage' and missing 'message'.
    # The unknown-key diagnostic already suggests the fix; drop the echo.
    suggested = {(d.path[:-1], d.hint) for d in diags if d.rule is UNKNOWN_KEY}
    return [d for d in diags if not (d.rule is MISSING_KEY
                                     and (d.path, f"did you mean '{d.message.split(chr(39))[1]}'?") in suggested)]


def _one_diagnostic(path: Path, cls: type[BaseModel], doc_path: DocPath, errors: list[dict]) -> Diagnostic:
    first = errors[0]
    kind = first["type"]
    key = next((p for p in reversed(doc_path) if isinstance(p, str)), None)
    where = _where(doc_path)
    if kind == "extra_forbidden":
        parent = _model_at(cls, doc_path[:-1])
        allowed = _keys_of(parent)
        close = closest(str(key), allowed)
        hint = (f"did you mean '{close}'?" if close
                else f"keys allowed here: {', '.join(allowed)}" if allowed else "remove it")
        return Diagnostic(UNKNOWN_KEY, path, f"unknown key '{key}'{_in(doc_path[:-1])}", hint,
                          path=doc_path, at_key=True)
    if kind == "missing":
        parent = _model_at(cls, doc_path[:-1])
        field = parent.model_fields.get(str(key)) if parent else None
        if field is None and parent is not None:
            field = next((f for f in parent.model_fields.values() if f.alias == key), None)
        about = f" ({field.description.splitlines()[0].rstrip('.')})" if field and field.description else ""
        return Diagnostic(MISSING_KEY, path, f"missing required key '{key}'{_in(doc_path[:-1])}",
                          f"add '{key}:' with a value{about}", path=doc_path[:-1])
    if kind in _CUSTOM_RULES:
        message, _, suggestion = first["msg"].partition("; did you mean ")
        hint = f"did you mean {suggestion}" if suggestion else _custom_hint(kind)
        return Diagnostic(_CUSTOM_RULES[kind], path, f"{where}: {message}", hint, path=doc_path)
    messages = []
    for error in errors:
        msg = error["msg"]
        if error["type"] == "literal_error":
            expected = error["ctx"]["expected"]
            msg = f"expected {expected}" if " or " not in expected else f"expected one of {expected}"
        elif error["type"] == "string_pattern_mismatch":
            msg = _pattern_message(error, key)
        elif error["type"] == "value_error":
            msg = msg.removeprefix("Value error, ")
        else:
            msg = _PLAIN.get(error["type"], msg[0].lower() + msg[1:] if msg else msg).format(**error.get("ctx", {}))
        if msg not in messages:
            messages.append(msg)
    got = first.get("input")
    got_text = "" if isinstance(got, dict) or first["type"] in ("value_error",) else f"; got {_describe(got)}"
    joined = messages[0] + "".join(" or " + m.removeprefix("expected ") for m in messages[1:])
    return Diagnostic(INVALID_VALUE, path, f"{where}: {joined}{got_text}",
                      "see `opsbook schema` or the format reference for what this key takes", path=doc_path)


# Pydantic's wording, restated for people who write YAML rather than Python.
_PLAIN = {
    "list_type": "expected a list",
    "dict_type": "expected a mapping of keys",
    "model_type": "expected a mapping of keys",
    "model_attributes_type": "expected a mapping of keys",
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "too_short": "expected at least {min_length} item(s)",
    "too_long": "expected at most {max_length} item(s)",
    "string_too_long": "text is longer than {max_length} characters",
    "greater_than_equal": "expected a number >= {ge}",
    "less_than_equal": "expected a number <= {le}",
}


# Regular expressions are for machines; say what a valid value looks like.
_PATTERN_WORDS = {
    r"^[a-z0-9][a-z0-9_-]*$": "expected an id of lowercase letters, digits, '-' and '_' (like payments-api)",
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$": "expected an id of letters, digits, '.', '-' and '_' (like SEV1 or AI-101)",
    r"^[UW][A-Z0-9]{6,12}$": "expected a Slack member id like U024BE7LH (profile > ... > Copy member ID)",
    r"^[A-Za-z]+-\d{4}-\d{3,}$": "expected an incident id like INC-2026-014",
}


def _pattern_message(error: dict, key: str | None) -> str:
    pattern = error.get("ctx", {}).get("pattern", "")
    return _PATTERN_WORDS.get(pattern, f"does not match the expected form {pattern}")


def _custom_hint(kind: str) -> str:
    return {
        "timezone": "use an IANA zone name such as America/New_York, Europe/London or UTC",
        "duration": "write a whole number and a unit: 90s, 5m, 1h, 2d, 1w",
        "time": "write ISO 8601, e.g. 2026-03-14T14:02:00Z (dates: 2026-03-14, times of day: \"09:00\")",
        "text": "delete the character (often a pasted terminal colour code or a stray line break); titles and "
                "names are one line, and only descriptions, summaries and messages may span lines",
        "url": "write a full http:// or https:// address, e.g. https://status.example.com; other schemes "
               "(javascript:, data:, file:) never become links",
    }[kind]


def _where(doc_path: DocPath) -> str:
    if not doc_path:
        return "document"
    text = ""
    for part in doc_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _in(doc_path: DocPath) -> str:
    return f" in {_where(doc_path)}" if doc_path else ""


# --- loading ----------------------------------------------------------------------


def _validate(cls: type[Document], path: Path, data: Any, context: dict) -> tuple[Document | None, list[Diagnostic]]:
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        return None, [Diagnostic(NOT_A_MAPPING, path, f"expected a mapping of keys at the top level; found {kind}",
                                 "the file should look like `key: value` lines", path=())]
    try:
        doc = cls.model_validate(data, context=context)
    except ValidationError as exc:
        return None, validation_diagnostics(path, exc, cls, data)
    doc._file = path
    return doc, []


def load_yaml_document(cls: type[Document], path: Path, zone) -> tuple[Document | None, list[Diagnostic]]:
    text, diags = read_text(path)
    if text is None:
        return None, diags
    data, diags = parse_yaml(path, text)
    if diags:
        return None, diags
    return _validate(cls, path, data, {"zone": zone})


def load_markdown_document(cls: type[MarkdownDocument], path: Path, zone) -> tuple[MarkdownDocument | None, list[Diagnostic]]:
    """A Markdown file with its front matter validated against ``cls``.

    Runbooks and playbooks (``cls.front_matter_optional``, ``cls.passthrough``)
    are read as they come from other tools: a file without front matter takes
    its title from its first heading; keys ``cls`` does not define are kept for
    the page, and only one that looks like a typo of a known key is reported
    (a warning, OB109)."""
    text, diags = read_text(path)
    if text is None:
        return None, diags
    optional = getattr(cls, "front_matter_optional", False)
    split, diags = split_front_matter(path, text, required=not optional)
    if split is None:
        return None, diags
    data, diags = parse_yaml(path, split.yaml_text, split.yaml_first_line, allow_empty=True)
    if diags:
        return None, diags
    data = {} if data is None else data
    extra: dict = {}
    warnings: list[Diagnostic] = []
    if getattr(cls, "passthrough", False) and isinstance(data, dict):
        data, extra, warnings = _split_known_keys(cls, path, data)
        if "title" in cls.model_fields and not data.get("title"):
            data = {**data, "title": _title_from_body(split.body, split.body_first_line, path)}
    doc, diags = _validate(cls, path, data, {"zone": zone})
    if doc is not None:
        doc._body = split.body
        doc._body_first_line = split.body_first_line
        if extra:
            doc._extra = extra
    return doc, warnings + diags


def _split_known_keys(cls: type[BaseModel], path: Path, data: dict) -> tuple[dict, dict, list[Diagnostic]]:
    """(keys ``cls`` defines, the others, OB109 warnings for the others that look like typos)."""
    from opsbook.diagnostics import UNKNOWN_KEY_KEPT
    from opsbook.model.runbook import FOREIGN_KEYS

    known_keys = _keys_of(cls)
    known, extra, warnings = {}, {}, []
    for key, value in data.items():
        if isinstance(key, str) and key in known_keys:
            known[key] = value
            continue
        extra[key] = value
        name = str(key)
        if name in FOREIGN_KEYS:
            continue
        close = closest(name, known_keys)
        if close is not None:
            warnings.append(Diagnostic(
                UNKNOWN_KEY_KEPT, path,
                f"unknown key '{shown(name)}' is kept and passed to the page, but opsbook does not read it",
                f"did you mean '{close}'? (keys opsbook reads: {', '.join(known_keys)})",
                path=(key,), at_key=True))
    return known, extra, warnings


def _title_from_body(body: str, first_line: int, path: Path) -> str:
    """The first heading's text, else the file name: a runbook without front matter is titled by its body."""
    from opsbook.markdown import read

    title = read(body, first_line).title
    return title if title else path.stem.replace("-", " ").replace("_", " ").strip() or path.stem


def _content_id(path: Path, folder: Path) -> str:
    return path.relative_to(folder).with_suffix("").as_posix()


# --- file names ---------------------------------------------------------------------
#
# A content file's name is its id: it becomes a page path, a link target, an edit
# link, an ICS file name and a status-page URL. Only characters that mean the same
# in every one of those, unencoded, are allowed: letters, digits, '.', '-', '_'.

SAFE_NAME = re.compile(r"[A-Za-z0-9._-]+")
SAFE_NAME_TEXT = "letters A-Z and a-z, digits, '.', '-' and '_'"


def _describe_char(ch: str) -> str:
    from opsbook.model.base import char_name

    if ch == " ":
        return "a space"
    if 0xDC80 <= ord(ch) <= 0xDCFF:  # a byte the file system gave that is not UTF-8
        return f"the byte 0x{ord(ch) - 0xDC00:02X} (not UTF-8)"
    if ch.isprintable():
        return f"'{ch}'"
    code, _, name = char_name(ch).partition(", ")
    return f"{code} ({name})" if name else code


def safe_name(name: str) -> str:
    """A suggestion: accents dropped, every run of other characters one '-'."""
    stem, dot, suffix = name.rpartition(".") if "." in name[1:] else (name, "", "")
    def clean(part: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode()
        return re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_text).strip("-.")
    stem = clean(stem) or "renamed"
    return f"{stem}{dot}{clean(suffix)}" if dot else stem


def file_name_problem(path: Path, folder: Path) -> Diagnostic | None:
    """OB108 when a file or folder name between ``folder`` and ``path`` is not a safe id."""
    parts = path.relative_to(folder).parts
    bad_parts = [part for part in parts if not SAFE_NAME.fullmatch(part)]
    if not bad_parts:
        return None
    bad_chars: list[str] = []
    for part in bad_parts:
        for ch in part:
            if not SAFE_NAME.fullmatch(ch) and ch not in bad_chars:
                bad_chars.append(ch)
    suggestion = "/".join(safe_name(part) if part in bad_parts else part for part in parts)
    rel = "/".join(parts)
    noun = "file name" if bad_parts == [parts[-1]] else "folder name" if parts[-1] not in bad_parts else "path"
    listed = ", ".join(_describe_char(ch) for ch in bad_chars[:5]) + (", ..." if len(bad_chars) > 5 else "")
    return Diagnostic(
        FILE_NAME, path,
        f"the {noun} '{shown(rel)}' is not a safe id: it contains {listed}; the file is left out until renamed",
        f"names under {folder.name}/ become ids and web addresses, so they may use only {SAFE_NAME_TEXT}; "
        f"rename it to {folder.name}/{suggestion}",
        line=1, column=1)


def load(root: Path, layout: Layout = LAYOUT, files: dict[str, list[Path]] | None = None,
         kinds: Iterable[str] | None = None,
         incidents: Iterable[str] | None = None) -> tuple[KnowledgeBase | None, list[Diagnostic]]:
    """Load the knowledge base at ``root``: every file, or only what a command needs.

    ``kinds``: the kinds of ``model.kb.KINDS`` the command reads ("schedule",
    "person", ...); only their files are read (opsbook.yaml always), and the
    model raises ``NotLoaded`` when any other kind is used. Files are the unit:
    "person" loads schedules/people.yaml and so "team" too. None: everything.

    ``incidents``: with "incident" among ``kinds``, read only the records with
    these ids (their file names, letter case ignored); ``kb.incidents`` then
    answers for those ids only and ``kb.incident_list`` is not loaded.

    Diagnostics are those of the files read, exactly as a full load reports
    them for those files.
    """
    # Loading allocates millions of objects and frees none, which sends the
    # cyclic garbage collector into ~130 full passes for nothing (a quarter of
    # validate's time on a large knowledge base, measured in benchmarks/).
    if incidents is not None:
        incidents = tuple(incidents)
        if kinds is None or "incident" not in kinds:
            raise ValueError("incidents=... needs 'incident' among kinds")
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(root, layout, files, kinds, incidents)
    finally:
        if enabled:
            gc.enable()


def _load(root: Path, layout: Layout, files: dict[str, list[Path]] | None, kinds: Iterable[str] | None,
          incidents: tuple[str, ...] | None) -> tuple[KnowledgeBase | None, list[Diagnostic]]:
    """Load the files under ``root`` (or the ``files`` already discovered there).

    Returns None for the model only when opsbook.yaml itself cannot be loaded
    (nothing else can be interpreted without it)."""
    root = root.resolve()
    loaded = None if kinds is None else kinds_with(kinds)
    files = files if files is not None else discover(root, layout, loaded, incidents)
    diags: list[Diagnostic] = []
    config, found = load_yaml_document(_model("config"), root / ROOT_MARKER, None)
    diags += found
    if config is None:
        return None, diags
    zone = timeutil.get_zone(config.timezone)
    broken: set[str] = set()
    broken_ids: set[tuple[str, str]] = set()

    missing: list[tuple[str, str]] = []

    def single(kind: str, broken_kinds: Iterable[str]):
        if kind not in files:
            return None  # not asked for: the model marks it not loaded
        paths = files[kind]
        if not paths:
            missing.extend((k, getattr(layout, kind)) for k in broken_kinds)
            return None
        doc, found = load_yaml_document(_model(kind), paths[0], zone)
        diags.extend(found)
        if doc is None:
            broken.update(broken_kinds)
        return doc

    people = single("people", ("person", "team"))
    escalation = single("escalation", ("escalation",))
    severity = single("severity", ("severity",))
    status = single("status", ("component", "group"))

    def many(kind: str, loader, folder: Path, own=None):
        out = []
        if kind not in files:
            return out
        cls = _model(kind)
        taken: dict[str, Path] = {}  # id, case-folded -> the file that has it
        for path in files[kind]:
            named = file_name_problem(path, folder)
            doc, found = loader(cls, path, zone)
            diags.extend(found)
            key = _content_id(path, folder)
            if doc is not None and own is not None:
                diags.extend(own(doc))
            if named is not None:
                # Left out like a file that does not load: no page, link,
                # feed or status entry may ever be built from this name.
                diags.append(named)
                broken_ids.add((kind, key))
                continue
            other = taken.setdefault(key.casefold(), path)
            if other != path:
                diags.append(Diagnostic(
                    DUPLICATE_ID, path, f"{kind} id '{key}' is taken by {other.relative_to(folder).as_posix()}: "
                    f"ids come from file names, and these differ only in letter case or extension",
                    "rename or remove one of the two files", line=1, column=1))
                broken_ids.add((kind, key))
                continue
            if doc is None:
                broken_ids.add((kind, key))
                continue
            if "_id" in cls.__private_attributes__:
                doc._id = key
            out.append(doc)
        return out

    schedules = many("schedule", load_yaml_document, root / layout.schedules)
    incident_list = _incidents_named_by_id(many("incident", load_yaml_document, root / layout.incidents,
                                                own=_incident_id_problem), diags, broken_ids)
    runbooks = many("runbook", load_markdown_document, root / layout.runbooks)
    playbooks = many("playbook", load_markdown_document, root / layout.playbooks)
    postmortems = many("postmortem", load_markdown_document, root / layout.postmortems)

    kb = KnowledgeBase(
        root=root, config=config, people_file=people, escalation_file=escalation, severity_file=severity,
        status=status, schedule_list=tuple(schedules), runbook_list=tuple(runbooks), playbook_list=tuple(playbooks),
        incident_list=incident_list, postmortem_list=tuple(postmortems), broken=frozenset(broken),
        broken_ids=frozenset(broken_ids), missing=tuple(missing), loaded=loaded,
        partial=() if incidents is None else (("incident", frozenset(i.upper() for i in incidents)),),
    )
    return kb, diags


def _model(kind: str) -> type[Document]:
    """The model class of a file kind, imported when that kind is loaded."""
    if kind == "config":
        from opsbook.model.org import OrgConfig as cls
    elif kind == "people":
        from opsbook.model.people import PeopleFile as cls
    elif kind == "escalation":
        from opsbook.model.escalation import EscalationFile as cls
    elif kind == "severity":
        from opsbook.model.severity import SeverityFile as cls
    elif kind == "status":
        from opsbook.model.statuspage import StatusPage as cls
    elif kind == "schedule":
        from opsbook.model.schedule import Schedule as cls
    elif kind == "incident":
        from opsbook.model.incident import Incident as cls
    elif kind == "runbook":
        from opsbook.model.runbook import Runbook as cls
    elif kind == "playbook":
        from opsbook.model.runbook import Playbook as cls
    elif kind == "postmortem":
        from opsbook.model.postmortem import Postmortem as cls
    else:
        raise ValueError(kind)
    return cls


def _incident_id_problem(incident: Incident) -> list[Diagnostic]:
    """OB107: an incident's id is its file name (``incidents/INC-2026-014.yaml``)."""
    if incident.id == incident.file.stem:
        return []
    return [Diagnostic(ID_MISMATCH, incident.file, f"incident id '{incident.id}' does not match the file name "
                       f"'{shown(incident.file.name)}'", f"rename the file to {incident.id}{incident.file.suffix} "
                       f"or set id: {shown(incident.file.stem)}", path=("id",))]


def _incidents_named_by_id(incidents: list[Incident], diags: list[Diagnostic],
                           broken_ids: set[tuple[str, str]]) -> tuple[Incident, ...]:
    """Incidents whose id is their file name; the others (OB107, reported by
    ``_incident_id_problem``) are load errors and left out.

    A copied incident file whose id was not changed would otherwise publish two
    pages, two status entries and two feed items for one id. Publishing commands
    stop on load errors, so this is where OB107 must be found, not in a check.
    """
    kept = [inc for inc in incidents if inc.id == inc.file.stem]
    first: dict[str, Incident] = {inc.id: inc for inc in kept}
    for inc in incidents:
        if inc.id == inc.file.stem:
            continue
        if inc.id in first:
            diags.append(Diagnostic(DUPLICATE_ID, inc.file, f"duplicate incident id '{inc.id}'",
                                    "give this incident another id, or merge the two", path=("id",),
                                    related=(first[inc.id].file, ("id",))))
        else:
            first[inc.id] = inc
            broken_ids.add(("incident", inc.id))
        broken_ids.add(("incident", inc.file.stem))
    return tuple(kept)

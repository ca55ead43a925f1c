"""What every tool call needs: the root, "now", loading only some kinds, and
turning opsbook's exceptions into tool errors with the CLI's messages.

The files can change between two calls (an agent edits a runbook, a person
posts an update), so nothing is cached: each call discovers and loads again,
but only the kinds of file its answer depends on.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, TypeVar

from mcp.server.fastmcp.exceptions import ToolError

T = TypeVar("T")


def fail(message: str, details: list[str] | tuple[str, ...] = ()) -> ToolError:
    """A tool error of one line (then one line per detail), each shown safely: a CR,
    LF or escape code in an id the agent sent, or in a file name, cannot add a
    line to the message or colour it."""
    from opsbook.diagnostics import shown

    return ToolError("\n".join(shown(line) for line in (message, *details)))


@dataclass(frozen=True)
class Settings:
    root: Path
    now_text: str | None = None
    """`opsbook mcp --now`: pins "now" for the whole session (else opsbook.yaml as_of, else the clock)."""
    allow_write: bool = False


@dataclass(frozen=True)
class Loaded:
    kb: object  # KnowledgeBase; typed loosely so importing this module stays cheap
    now: datetime
    skipped: list[str]
    """Load errors of files left out of this answer (kinds the tool can do without)."""

    def rel(self, path: Path) -> str:
        try:
            return Path(path).relative_to(self.kb.root).as_posix()
        except ValueError:
            return str(path)

    def time(self, name: str, text: str | None, default: datetime | None = None) -> datetime:
        """An instant given by the agent: ISO 8601, a date alone meaning its midnight;
        without an offset it is in the organisation's zone (as on the command line)."""
        if text is None or not str(text).strip():
            return default if default is not None else self.now
        from opsbook.timeutil import parse_cli_time

        try:
            return parse_cli_time(text, self.kb.zone).astimezone(timezone.utc)
        except (ValueError, OverflowError) as exc:
            raise fail(f"{name}: {exc}") from None


def now_at(kb, now_text: str | None) -> datetime:
    """--now beats opsbook.yaml's as_of, which beats the clock (cli.common.parse_now's rule)."""
    if now_text is not None:
        return _parse_now(now_text, kb.config.timezone if kb is not None else "UTC")
    if kb is not None and kb.config.as_of is not None:
        return kb.config.as_of
    return datetime.now(timezone.utc)


def now_for(settings: Settings) -> datetime:
    """"Now" read from opsbook.yaml alone (for tools that load nothing else up front), as cli.common.now_for."""
    from opsbook.load import ROOT_MARKER, load_yaml_document
    from opsbook.model.org import OrgConfig

    config, _ = load_yaml_document(OrgConfig, settings.root / ROOT_MARKER, None)
    zone = config.timezone if config is not None else "UTC"
    if settings.now_text is not None:
        return _parse_now(settings.now_text, zone)
    return config.as_of if config is not None and config.as_of is not None else datetime.now(timezone.utc)


def _parse_now(text: str, zone_name: str) -> datetime:
    from opsbook.timeutil import get_zone, parse_cli_time

    try:
        return parse_cli_time(text, get_zone(zone_name)).astimezone(timezone.utc)
    except ValueError as exc:
        raise fail(f"--now: {exc}") from None


def _located(diags, root: Path) -> list[str]:
    from opsbook.diagnostics import Level
    from opsbook.yamlsource import SourceMap

    source = SourceMap()
    errors = [source.resolve(d) for d in diags if d.severity is Level.ERROR]
    lines = []
    for d in sorted(errors, key=lambda d: (str(d.file), d.line, d.column)):
        try:
            name = Path(d.file).resolve().relative_to(root).as_posix()
        except ValueError:
            name = str(d.file)
        lines.append(f"{name}:{d.line}:{d.column}: error {d.code} {d.message}")
    return lines


def load(settings: Settings, kinds: set[str] | frozenset[str], essential: frozenset[str] = frozenset(),
         strict: bool = False) -> Loaded:
    """The knowledge base with only the files that define ``kinds`` read
    (``model.kb.KINDS``; opsbook.yaml always): any other kind raises NotLoaded.

    Like the CLI's ``load_or_exit``: a file that fails to load is left out and
    named in ``skipped``, unless it is of an ``essential`` kind (then the answer
    would be wrong, so the call fails with every located error) or the tool is
    ``strict`` (what it reports would silently miss something, as a status page
    that drops a live incident).
    """
    from opsbook.load import load as load_files

    root = settings.root
    if not (root / "opsbook.yaml").is_file():
        raise fail(f"{root}: no opsbook.yaml there any more; restart `opsbook mcp` with --root DIR")
    kb, diags = load_files(root, kinds=kinds)
    lines = _located(diags, root)
    if kb is None:
        raise fail("opsbook.yaml does not load; run `opsbook validate`:", lines)
    if lines:
        bad_kind = bool(essential & kb.broken) or any(kind in essential for kind, _ in kb.broken_ids)
        if strict or bad_kind:
            count = len(lines)
            raise fail(f"the knowledge base did not load ({count} error{'s' * (count != 1)}); run "
                       "`opsbook validate` for details:", lines)
    return Loaded(kb, now_at(kb, settings.now_text), [f"skipped, {line}" for line in lines])


def describe(fn: Callable) -> str:
    """A tool's description from its docstring: paragraphs, each on one line."""
    import inspect

    paragraphs = inspect.cleandoc(fn.__doc__ or "").split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def tool_errors(settings: Settings) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Every failure of a tool as a tool error with the CLI's words, never a crash.

    stdout carries the protocol, so anything a library prints while the tool
    runs goes to stderr instead.
    """

    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            from opsbook.incidents.classify import ClassifyError
            from opsbook.incidents.yamledit import EditError
            from opsbook.oncall.engine import UnknownSchedule

            try:
                with contextlib.redirect_stdout(sys.stderr):
                    return fn(*args, **kwargs)
            except ToolError:
                raise
            except EditError as exc:  # LifecycleError too: located as file:line:, relative to the root
                raise fail(exc.where(_relative(exc.path, settings.root)) if exc.path is not None
                           else str(exc)) from None
            except (UnknownSchedule, ClassifyError) as exc:
                raise fail(str(exc)) from None
            except OSError as exc:
                raise fail(f"cannot read or write {exc.filename or 'a file'}: {exc.strerror or exc}") from None
            except Exception as exc:  # noqa: BLE001 - the server must outlive a bug in one call
                raise fail(f"internal error: {type(exc).__name__}: {exc}; this is a bug in opsbook, please "
                           "report it") from None

        return wrapper

    return decorate


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)

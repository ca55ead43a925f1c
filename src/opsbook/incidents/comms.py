"""Incident communications rendered from the team's templates.

Templates live in ``playbooks/templates/<kind>.md`` (Jinja2). They are the
team's files, but they are rendered in Jinja's sandbox with StrictUndefined:
a template cannot reach Python internals, and a misspelt variable fails
instead of silently printing nothing into a message customers will read.
The context holds plain strings, lists and dicts only.

Every message of an open incident carries the next update time from the
severity's cadence, and the ETA is always "unknown at this time": the record
has no ETA, and inventing one is the classic incident-comms mistake.
"""

from __future__ import annotations

import contextvars

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType

import jinja2
from jinja2 import meta, nodes
from jinja2.compiler import CodeGenerator
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import Namespace, _PassArg, pass_environment

from opsbook.incidents.cadence import format_instant, next_update
from opsbook.model.incident import Incident, TimelineEntry, Update
from opsbook.model.kb import KnowledgeBase
from opsbook.humanize import duration_text, person_name, service_name

TEMPLATE_DIR = "playbooks/templates"
SUFFIX = ".md"
ETA_UNKNOWN = "unknown at this time"


@dataclass(frozen=True)
class Kind:
    id: str
    audience: str
    description: str
    needs_next_update: bool


KINDS: dict[str, Kind] = {k.id: k for k in (
    Kind("status-initial", "customers", "First status-page post: what is affected, that we are on it", True),
    Kind("status-update", "customers", "Status-page update while the incident is open", True),
    Kind("status-resolved", "customers", "Status-page post when the incident is resolved", False),
    Kind("executive-update", "executives", "Short update for leadership: impact, risk, next steps", True),
    Kind("support-kit", "support", "What support tells customers, and what not to promise", True),
    Kind("internal-update", "engineering", "Update for the wider engineering organisation", True),
    Kind("customer-email", "customers", "Direct email to affected customers", True),
    Kind("social", "public", "Short public acknowledgement for social media", True),
    Kind("customer-summary", "customers", "Post-incident summary for customers", False),
)}


class CommsError(Exception):
    pass


# --- the render budget ----------------------------------------------------------------
#
# The sandbox stops a template from reaching Python internals, but not from
# asking for unbounded work: nested range() loops, "x" * 10**9, 9**9**9, a
# macro that calls itself twice per level, a list that doubles each iteration.
# A message is a few hundred characters; these limits are orders of magnitude
# above any real template and far below anything that would stall a responder.

MAX_STEPS = 100_000
# Building or measuring this many characters or items costs one step: a template
# that makes a 100,000-item list in a loop runs out of steps, not of patience.
SIZE_PER_STEP = 100
"""range() items, loop iterations, calls and includes, summed over one render."""
MAX_VALUE = 200_000
"""Characters (or items, counted through nesting) of any one value a template builds."""
MAX_OUTPUT = 200_000
"""Characters of a rendered message."""
MAX_PRINTED = 1_000_000
"""Characters printed over a render, including into macros and {% set %} blocks."""
MAX_TEMPLATE_BYTES = 256 * 1024
"""Size of a template file (and of anything it includes)."""
MAX_INT_BITS = 4_096
"""Integers a template computes (about 1,200 digits)."""

LIMITS_HINT = (f"a template may spend {MAX_STEPS:,} steps (range() items, loop iterations, calls, and one per "
               f"{SIZE_PER_STEP} characters or items of every value it builds, summed over "
               f"the render), build values of up to {MAX_VALUE:,} characters and print up to {MAX_OUTPUT:,}; "
               "loop over the incident's data instead of large ranges, and keep the message short")


class BudgetExceeded(jinja2.exceptions.SecurityError):
    """A template asked for more work or memory than a message needs."""


def _size(value, memo: dict | None = None) -> int:
    """Roughly how many characters ``value`` prints as: string lengths, digits,
    and one per item of a container, counting a part shared N times N times
    (memoised, so a structure that shares parts is measured in linear time)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return 1
    if isinstance(value, int):
        return value.bit_length() // 3 + 1
    if isinstance(value, Namespace):
        value = value._Namespace__attrs  # type: ignore[attr-defined]
    if not isinstance(value, (list, tuple, dict, set, frozenset)):
        return 1
    memo = {} if memo is None else memo
    key = id(value)
    if key in memo:
        return memo[key] if memo[key] is not None else 1  # a cycle prints as [...]
    memo[key] = None
    items = [part for pair in value.items() for part in pair] if isinstance(value, dict) else value
    total = len(value)
    for item in items:
        total += _size(item, memo)
        if total > MAX_VALUE:
            break
    memo[key] = total
    return total


# The budget of the render under way, so that measuring a value (which costs time
# in proportion to its size) is paid for wherever it happens.
_RENDER_BUDGET: contextvars.ContextVar["_Budget | None"] = contextvars.ContextVar("opsbook_budget", default=None)


def _bounded(value, what: str):
    size = _size(value)
    budget = _RENDER_BUDGET.get()
    if budget is not None and size >= SIZE_PER_STEP:
        budget.spend(size // SIZE_PER_STEP, what)
    if size > MAX_VALUE:
        raise BudgetExceeded(f"{what} would be {size:,}+ characters long; a template may build values of up to "
                             f"{MAX_VALUE:,}")
    return value


def _check_width(number, what: str) -> None:
    if isinstance(number, int) and not isinstance(number, bool) and abs(number) > MAX_VALUE:
        raise BudgetExceeded(f"{what}: {number:,} is larger than the {MAX_VALUE:,} a template may use for a "
                             "width or count")


_FORMAT_NUMBER = re.compile(r"[0-9]+")


def _check_format(spec: str, args, what: str) -> None:
    """Widths written in a format string, or passed to it, are allocations."""
    for match in _FORMAT_NUMBER.finditer(spec):
        if len(match.group(0)) > 7 or int(match.group(0)) > MAX_VALUE:
            raise BudgetExceeded(f"{what}: the width {match.group(0)} in {spec[:40]!r} is larger than "
                                 f"{MAX_VALUE:,}")
    for arg in args:
        _check_width(arg, what)


def _replace_size(text: str, old: str, new: str, count: int = -1) -> int:
    hits = len(text) + 1 if old == "" else text.count(old)
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    return len(text) + hits * (len(new) - len(old))


class _Budget:
    def __init__(self) -> None:
        self.steps = 0
        self.printed = 0

    def spend(self, steps: int, what: str) -> None:
        self.steps += steps
        if self.steps > MAX_STEPS:
            raise BudgetExceeded(f"{what} takes the render past {MAX_STEPS:,} steps (range() items, loop "
                                 "iterations and calls, summed over the render)")

    def print(self, size: int) -> None:
        self.printed += size
        if self.printed > MAX_PRINTED:
            raise BudgetExceeded(f"the template prints more than {MAX_PRINTED:,} characters (counting text printed "
                                 "into macros and {% set %} blocks)")


class _Generator(CodeGenerator):
    """Compiles list, tuple and dict literals and ``~`` through size checks,
    and counts the template's own text as it is printed."""

    def _wrap(self, node, frame, method) -> None:
        self.write("environment.opsbook_value(")
        method(self, node, frame)
        self.write(")")

    def visit_List(self, node, frame) -> None:
        self._wrap(node, frame, CodeGenerator.visit_List)

    def visit_Tuple(self, node, frame) -> None:
        if isinstance(getattr(node, "ctx", "load"), str) and node.ctx != "load":
            CodeGenerator.visit_Tuple(self, node, frame)  # an unpacking target, not a value
            return
        self._wrap(node, frame, CodeGenerator.visit_Tuple)

    def visit_Dict(self, node, frame) -> None:
        self._wrap(node, frame, CodeGenerator.visit_Dict)

    def visit_Concat(self, node, frame) -> None:
        self.write("environment.opsbook_concat(")
        CodeGenerator.visit_Concat(self, node, frame)
        self.write(")")

    def _output_const_repr(self, group) -> str:
        return f"environment.opsbook_text({super()._output_const_repr(group)})"


class _Loader(jinja2.FileSystemLoader):
    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        if len(source) > MAX_TEMPLATE_BYTES:
            raise BudgetExceeded(f"{template} is {len(source):,} characters; a template may have "
                                 f"{MAX_TEMPLATE_BYTES:,}")
        return source, filename, uptodate


def _budget_filter(name: str, func):
    """A filter with its widths and counts checked before it runs and its result after."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        values = args[1:] if _PassArg.from_obj(func) is not None else args
        what = f"the {name} filter"
        if values:
            subject, rest = values[0], values[1:]
            for arg in (*rest, *kwargs.values()):
                _check_width(arg, what)
            if name == "replace" and isinstance(subject, str) and len(rest) >= 2:
                if _replace_size(subject, str(rest[0]), str(rest[1]), *rest[2:3]) > MAX_VALUE:
                    raise BudgetExceeded(f"{what} would build more than {MAX_VALUE:,} characters")
            elif name == "join" and not isinstance(subject, str):
                separator = rest[0] if rest else kwargs.get("d", "")
                items = list(subject) if not isinstance(subject, (list, tuple)) else subject
                if _size(items) + len(str(separator)) * len(items) > MAX_VALUE:
                    raise BudgetExceeded(f"{what} would build more than {MAX_VALUE:,} characters")
            elif name == "indent" and isinstance(subject, str):
                width = rest[0] if rest else kwargs.get("width", 4)
                per_line = len(width) if isinstance(width, str) else width
                if isinstance(per_line, int) and (subject.count("\n") + 1) * per_line > MAX_VALUE:
                    raise BudgetExceeded(f"{what} would build more than {MAX_VALUE:,} characters")
            elif name == "wordwrap" and isinstance(subject, str):
                wrap = rest[3] if len(rest) > 3 else kwargs.get("wrapstring")
                if isinstance(wrap, str) and len(subject) * len(wrap) > MAX_VALUE:
                    raise BudgetExceeded(f"{what} would build more than {MAX_VALUE:,} characters")
            elif name == "format" and isinstance(subject, str):
                _check_format(subject, (*rest, *kwargs.values()), what)
        return _bounded(func(*args, **kwargs), f"the result of the {name} filter")

    return run


@pass_environment
def _loop_items(env, iterable):
    """Every {% for %} iterates through this: one step per item (a range() was
    paid for when it was made)."""
    if isinstance(iterable, range):
        yield from iterable
        return
    budget = env.opsbook_budget
    for item in iterable:
        budget.spend(1, "a {% for %} loop")
        yield item


_LOOP_FILTER = "opsbook_loop"


class _BudgetedEnvironment(SandboxedEnvironment):
    code_generator_class = _Generator
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, finalize=self._finalize, **kwargs)
        self.opsbook_budget = _Budget()
        _RENDER_BUDGET.set(self.opsbook_budget)
        self.globals["range"] = self._range
        self.globals["lipsum"] = self._lipsum
        self.filters = {name: _budget_filter(name, func) for name, func in self.filters.items()}
        self.filters[_LOOP_FILTER] = _loop_items

    def reset_budget(self) -> None:
        self.opsbook_budget = _Budget()
        _RENDER_BUDGET.set(self.opsbook_budget)

    # What a template runs, each step charged and each value measured.

    def _range(self, *args):
        rng = range(*args)
        self.opsbook_budget.spend(len(rng), f"range({', '.join(map(str, args))})")
        return rng

    def _lipsum(self, n: int = 5, html: bool = True, min: int = 20, max: int = 100):  # noqa: A002
        for value in (n, min, max):
            _check_width(value, "lipsum()")
        self.opsbook_budget.spend(n * max, "lipsum()")
        return jinja2.utils.generate_lorem_ipsum(n, html, min, max)

    def _finalize(self, value):
        self.opsbook_budget.print(_size(_bounded(value, "a printed value")))
        return value

    def opsbook_text(self, text: str) -> str:
        self.opsbook_budget.print(len(text))
        return text

    def opsbook_value(self, value):
        return _bounded(value, "a list, tuple or dict")

    def opsbook_concat(self, value):
        return _bounded(value, "a ~ concatenation")

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, _LOOP_FILTER, [], [], None, None, lineno=loop.iter.lineno)
        return tree

    def _load_template(self, name, globals):
        self.opsbook_budget.spend(1, f"loading {name}")
        return super()._load_template(name, globals)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's signature)
        __self.opsbook_budget.spend(1, "a call")
        # The sandbox hands out str.format wrapped (functools.update_wrapper).
        target = getattr(__obj, "__wrapped__", __obj)
        owner = getattr(target, "__self__", None)
        name = getattr(target, "__name__", "")
        what = f"{name}()" if name else "a call"
        if isinstance(owner, str):
            if name in ("ljust", "rjust", "center", "zfill"):
                _check_width(args[0] if args else kwargs.get("width"), what)
            elif name == "expandtabs":
                size = args[0] if args else kwargs.get("tabsize", 8)
                if isinstance(size, int) and owner.count("\t") * size > MAX_VALUE:
                    raise BudgetExceeded(f"{what} would build more than {MAX_VALUE:,} characters")
            elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
                if _replace_size(owner, args[0], args[1], *args[2:3]) > MAX_VALUE:
                    raise BudgetExceeded(f"{what} would build more than {MAX_VALUE:,} characters")
            elif name == "join" and args:
                items = args[0] if isinstance(args[0], (list, tuple)) else list(args[0])
                if _size(items) + len(owner) * len(items) > MAX_VALUE:
                    raise BudgetExceeded(f"{what} would build more than {MAX_VALUE:,} characters")
                args = (items, *args[1:])
            elif name in ("format", "format_map"):
                _check_format(owner, (*args, *kwargs.values()), what)
        result = SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs)
        if isinstance(owner, (list, dict, set)):
            _bounded(owner, f"the {type(owner).__name__} that {what} changed")
        return _bounded(result, f"the result of {what}")

    def call_binop(self, context, operator, left, right):
        what = f"{operator!r}"
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and not isinstance(times, bool):
                    if _size(seq) * max(times, 0) > MAX_VALUE:
                        raise BudgetExceeded(f"repeating a value {times:,} times (with '*') would build more than "
                                             f"{MAX_VALUE:,} characters")
            if isinstance(left, int) and isinstance(right, int) and \
                    left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise BudgetExceeded(f"'*' would compute an integer of more than {MAX_INT_BITS:,} bits")
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1 and \
                    left.bit_length() * right > MAX_INT_BITS:
                raise BudgetExceeded(f"'**' would compute an integer of more than {MAX_INT_BITS:,} bits "
                                     f"({left} ** {right})")
        elif operator == "%" and isinstance(left, str):
            _check_format(left, right if isinstance(right, tuple) else (right,), "'%' formatting")
            _bounded(right, "the values given to '%' formatting")
        elif operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            if _size(left) + _size(right) > MAX_VALUE:
                raise BudgetExceeded(f"'+' would build more than {MAX_VALUE:,} characters")
        return _bounded(super().call_binop(context, operator, left, right), f"the result of {what}")


def environment(folder: Path) -> _BudgetedEnvironment:
    return _BudgetedEnvironment(
        loader=_Loader(str(folder)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # plain-text messages for status pages, chat and email, not HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_bounded(env: _BudgetedEnvironment, template: jinja2.Template, values: dict) -> str:
    """Render within the budget: a fresh step count, output stopped at ``MAX_OUTPUT``."""
    env.reset_budget()
    parts: list[str] = []
    size = 0
    for chunk in template.generate(values):
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise BudgetExceeded(f"the message is longer than {MAX_OUTPUT:,} characters")
        parts.append(chunk)
    return "".join(parts)


def template_path(root: Path, kind: str) -> Path:
    return root / TEMPLATE_DIR / f"{kind}{SUFFIX}"


def _when(moment: datetime | None, zone) -> str:
    return format_instant(moment, zone) if moment else ""


def context(kb: KnowledgeBase, incident: Incident, now: datetime, message: str | None = None) -> dict:
    """Everything a template may use, as plain values (see the format reference)."""
    zone = kb.status_zone
    level = kb.severities.get(incident.severity)
    cadence = next_update(kb, incident, now)
    names = {c.id: c.name for c in kb.components.values()}
    # A message is written at ``now``: updates timed after it (a record edited ahead,
    # or a snapshot's as_of) have not been posted yet, as on the status page.
    posted = [u for u in incident.updates if u.at <= now]
    latest: dict[str, str] = {}
    for update in posted:
        latest.update(update.components)
    affected = [{"id": c, "name": names.get(c, c), "status": s, "status_text": s.replace("_", " ")}
                for c, s in latest.items()]
    end = incident.resolved or now
    start = incident.started or incident.declared
    last_public = posted[-1].message if posted else ""
    if cadence.due is not None:
        next_text = format_instant(cadence.due, zone)
    else:
        next_text = "no further updates are planned: the incident is resolved" if not incident.is_open else \
            "as soon as we know more"
    return {
        "org": kb.config.name,
        "status_url": kb.status.url if kb.status and kb.status.url else "",
        "now": format_instant(now, zone),
        "next_update": next_text,
        "eta": ETA_UNKNOWN,
        "message": message if message is not None else last_public,
        "incident": {
            "id": incident.id,
            "title": incident.title,
            "severity": incident.severity,
            "severity_name": level.name if level else incident.severity,
            "status": incident.status,
            "is_open": incident.is_open,
            "impact": incident.impact,
            "summary": incident.summary,
            "services": [service_name(kb, s) for s in incident.services],
            "components": affected,
            "started": _when(incident.started, zone),
            "detected": _when(incident.detected, zone),
            "declared": _when(incident.declared, zone),
            "mitigated": _when(incident.mitigated, zone),
            "resolved": _when(incident.resolved, zone),
            "duration": duration_text(_minutes(end - start)),
            "commander": person_name(kb, incident.commander),
            "roles": {role: person_name(kb, person) for role, person in incident.roles.items()},
            "channel": incident.channel or "",
            "updates": [{"at": _when(u.at, zone), "status": u.status, "message": u.message} for u in posted],
        },
        "level": {
            "id": level.id if level else incident.severity,
            "name": level.name if level else "",
            "update_every": duration_text(level.update_every) if level and level.update_every else "",
            "status_page": level.status_page if level else "",
        },
    }


def _minutes(delta: timedelta) -> timedelta:
    return timedelta(minutes=max(0, int(delta.total_seconds() // 60)))


# Customer-facing kinds that only make sense while the incident is open.
OPEN_ONLY = frozenset({"status-initial", "status-update", "social", "customer-email"})


def render(kb: KnowledgeBase, incident: Incident, kind: str, now: datetime, message: str | None = None) -> str:
    if kind not in KINDS:
        from opsbook.incidents.lifecycle import unknown

        raise CommsError(unknown("message kind", kind, tuple(KINDS)))
    if kind in OPEN_ONLY and incident.status == "resolved":
        # "We are investigating... next update by" about a resolved incident
        # would tell customers the opposite of the truth.
        raise CommsError(f"{incident.id} is resolved; a {kind} message is for an open incident. "
                         "Use --kind status-resolved or customer-summary")
    path = template_path(kb.root, kind)
    if not path.is_file():
        raise CommsError(f"no template for {kind}: create {path.relative_to(kb.root).as_posix()} "
                         "(the example knowledge base has one of each kind)")
    try:
        env = environment(path.parent)
        template = env.get_template(path.name)
        text = render_bounded(env, template, context(kb, incident, now, message))
    except BudgetExceeded as exc:
        line = error_line(exc, path)
        raise CommsError(f"{path.relative_to(kb.root).as_posix()}:{line}: template exceeds the render budget: "
                         f"{exc}; {LIMITS_HINT}") from None
    except (jinja2.TemplateError, ArithmeticError, MemoryError, RecursionError, SyntaxError, TypeError,
            ValueError, UnicodeDecodeError) as exc:
        # The sandbox stops attribute escapes; a template can still ask for the
        # impossible (1/0, 30 nested loops). Either way it is the template's fault.
        line = error_line(exc, path)
        raise CommsError(f"{path.relative_to(kb.root).as_posix()}:{line}: {exc}; run `opsbook validate`") from None
    return text.strip() + "\n"


# --- validation ---------------------------------------------------------------------


def sample_incident() -> Incident:
    """A fully populated incident, so every variable a template may use exists."""
    at = datetime(2026, 3, 14, 14, 0, tzinfo=timezone.utc)
    minute = timedelta(minutes=1)
    return Incident(
        id="INC-2026-001", title="Sample incident", severity="SEV1", status="identified",
        services=[], commander=None, roles={}, started=at, detected=at + minute, declared=at + 2 * minute,
        acknowledged=at + 3 * minute, public=True, impact="major", summary="Sample summary.",
        channel="inc-20260314-sample-incident",
        updates=[Update(at=at + 10 * minute, status="investigating", message="Sample update.")],
        timeline=[TimelineEntry(at=at + minute, text="Sample note.")],
    )


@dataclass(frozen=True)
class TemplateProblem:
    path: Path
    line: int
    message: str
    hint: str
    kind: str  # "error" (breaks rendering), "next-update", "unknown-kind"


def error_line(exc: BaseException, path: Path) -> int:
    """The template line an error happened on. Jinja rewrites tracebacks so that
    template frames carry the template's file name and line."""
    lineno = getattr(exc, "lineno", None)
    if isinstance(exc, jinja2.TemplateSyntaxError) and lineno:
        return lineno
    tb: TracebackType | None = exc.__traceback__
    line = 0
    target = str(path.resolve())
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(path.name) and str(Path(name).resolve()) == target:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line or 1


def check_templates(kb: KnowledgeBase, now: datetime) -> list[TemplateProblem]:
    """Render each template in the sandbox against a sample incident."""
    folder = kb.root / TEMPLATE_DIR
    if not folder.is_dir():
        return []
    problems: list[TemplateProblem] = []
    env = environment(folder)
    incident = sample_incident()
    if kb.severities and incident.severity not in kb.severities:
        incident = incident.model_copy(update={"severity": kb.levels[0].id})
    sample = context(kb, incident, now)
    for path in sorted(folder.iterdir()):
        if path.suffix != SUFFIX or not path.is_file() or path.name.startswith((".", "_")):
            continue
        kind = path.name[: -len(SUFFIX)]
        if kind not in KINDS:
            from opsbook.incidents.lifecycle import suggest

            problems.append(TemplateProblem(path, 1, f"'{path.name}' is not a message kind opsbook renders",
                                            f"{suggest(kind, tuple(KINDS))}; kinds: {', '.join(KINDS)}",
                                            "unknown-kind"))
            continue
        try:
            if path.stat().st_size > MAX_TEMPLATE_BYTES:
                raise BudgetExceeded(f"{path.name} is {path.stat().st_size:,} bytes; a template may have "
                                     f"{MAX_TEMPLATE_BYTES:,}")
            source = path.read_text(encoding="utf-8")
            parsed = env.parse(source, path.name, str(path))
            template = env.get_template(path.name)
            render_bounded(env, template, sample)
        except BudgetExceeded as exc:
            problems.append(TemplateProblem(path, error_line(exc, path),
                                            f"template exceeds the render budget: {exc}", LIMITS_HINT, "error"))
            continue
        except jinja2.TemplateSyntaxError as exc:
            problems.append(TemplateProblem(path, exc.lineno or 1, f"template syntax: {exc.message}",
                                            "fix the Jinja2 syntax ({{ variable }}, {% if %}...{% endif %})",
                                            "error"))
            continue
        except jinja2.UndefinedError as exc:
            problems.append(TemplateProblem(
                path, error_line(exc, path), f"template uses an undefined variable: {exc.message}",
                "variables: org, status_url, now, next_update, eta, message, incident.*, level.* "
                "(see the format reference)", "error"))
            continue
        except (jinja2.TemplateError, UnicodeDecodeError, OSError, ArithmeticError, MemoryError, RecursionError,
                SyntaxError, TypeError, ValueError) as exc:
            problems.append(TemplateProblem(path, error_line(exc, path), f"template fails to render: {exc}",
                                            "the sandbox allows plain variables, filters and loops only", "error"))
            continue
        if KINDS[kind].needs_next_update and "next_update" not in meta.find_undeclared_variables(parsed):
            problems.append(TemplateProblem(
                path, 1, f"a {kind} message must say when the next update is due",
                "add a line such as 'Next update by {{ next_update }}.'", "next-update"))
    return problems

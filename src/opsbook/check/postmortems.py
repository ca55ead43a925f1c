"""Postmortem and action-item policy (OB5xx), relative to ``ctx.now``.

Where these sit beside the older OB3xx rules: an action item owned by a team
or nobody (OB304), without a due date (OB305), and a required postmortem that
is missing or still a draft past its due date (OB306) are reported by
``check/references.py`` and ``check/policies.py``. This module adds the rules
that judge how the team follows through: overdue items, an unknown root cause
nobody is investigating, lists too long to finish, blameful wording, and the
communication templates responders will render in a hurry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from opsbook.check.registry import Context, check
from opsbook.diagnostics import UNKNOWN_POSTMORTEM, Diagnostic, Level, define_rule, shown
from opsbook.model.postmortem import Postmortem

E, W = Level.ERROR, Level.WARNING
ACTION_ITEM_OVERDUE = define_rule("OB501", "action-item-overdue", W, "an open action item is past its due date")
ACTION_ITEM_LONG_OVERDUE = define_rule("OB502", "action-item-long-overdue", E,
                                       "an open action item is overdue by more than the policy allows (30 days)")
ROOT_CAUSE_UNKNOWN = define_rule("OB503", "root-cause-unknown", E,
                                 "the root cause is unknown and no action item investigates it")
TOO_MANY_ACTION_ITEMS = define_rule("OB504", "too-many-action-items", W,
                                    "a postmortem has more action items than the policy allows (7)")
BLAMEFUL_LANGUAGE = define_rule("OB505", "blameful-language", W, "a postmortem uses blameful wording")
PERSON_IN_ROOT_CAUSE = define_rule("OB506", "person-in-root-cause", W,
                                   "a postmortem's root cause names a person")
POSTMORTEM_INCIDENTS = define_rule("OB510", "postmortem-incidents", E,
                                   "a postmortem's incident is not among its incidents, or one is listed twice")
COMMS_TEMPLATE = define_rule("OB507", "comms-template", E,
                             "a communication template does not render (syntax, undefined variable)")
COMMS_NEXT_UPDATE = define_rule("OB508", "comms-template-next-update", E,
                                "a communication template for an open incident omits the next update time")
COMMS_UNKNOWN_KIND = define_rule("OB509", "comms-template-unknown-kind", W,
                                 "a file in playbooks/templates/ is not a message kind")
del E, W


# --- action items -------------------------------------------------------------------


@check
def action_items_overdue(ctx: Context) -> Iterable[Diagnostic]:
    policy = ctx.kb.config.policies.action_items
    today = ctx.now.astimezone(ctx.kb.zone).date()
    limit = policy.overdue_error_after.days
    for pm in ctx.kb.postmortem_list:
        for i, item in enumerate(pm.action_items):
            if not item.is_open or item.due is None or item.due >= today:
                continue
            late = (today - item.due).days
            rule = ACTION_ITEM_LONG_OVERDUE if late > limit else ACTION_ITEM_OVERDUE
            owner = f" (owner: {item.owner})" if item.owner else ""
            yield Diagnostic(rule, pm.file,
                             f"action item {item.id} is {late} day{'s' * (late != 1)} overdue: due "
                             f"{item.due.isoformat()}{owner}"
                             + (f", more than the {limit} days the policy allows" if late > limit else ""),
                             "finish it (`opsbook actions done " + item.id + "`), or agree a new due date and "
                             "change due:, or close it as wont-do with the reason", path=("action_items", i, "due"))


@check
def action_item_count(ctx: Context) -> Iterable[Diagnostic]:
    limit = ctx.kb.config.policies.action_items.max_per_postmortem
    for pm in ctx.kb.postmortem_list:
        if len(pm.action_items) > limit:
            yield Diagnostic(TOO_MANY_ACTION_ITEMS, pm.file,
                             f"{len(pm.action_items)} action items; the policy allows {limit}",
                             "one to three items is the norm: keep the ones that change the system and move the "
                             "rest to the team's backlog", path=("action_items", limit))


# --- the body -----------------------------------------------------------------------

_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def prose_lines(pm: Postmortem) -> list[tuple[int, str]]:
    """(line in file, text) of the body outside code blocks, with code spans and
    HTML comments blanked to spaces so columns stay true."""
    body = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), pm.body)
    out, fence = [], None
    for offset, line in enumerate(body.split("\n")):
        match = _FENCE.match(line)
        if match:
            fence = None if fence == match.group(1) else (fence or match.group(1))
            continue
        if fence is None:
            out.append((pm.body_first_line + offset, _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)))
    return out


def section_lines(pm: Postmortem, names: tuple[str, ...]) -> tuple[int, list[tuple[int, str]]] | None:
    """The heading line and prose lines of the first section called one of ``names``."""
    found = pm.markdown.headings
    target = next((h for h in found if h.level >= 2 and h.text.strip().lower() in names), None)
    if target is None:
        return None
    end = next((h.line for h in found if h.line > target.line and h.level <= target.level), None)
    lines = [(n, text) for n, text in prose_lines(pm) if n > target.line and (end is None or n < end)]
    return target.line, lines


def _phrase_pattern(phrase: str) -> re.Pattern:
    words = [re.escape(w) for w in phrase.split()]
    return re.compile(r"(?<![\w'])" + r"\s+".join(words) + r"(?![\w'])", re.IGNORECASE)


# --- blameless wording ----------------------------------------------------------------
#
# "should have" is reported only when a person is its subject. On a real team's
# postmortems most hits were about plans and systems ("each repository should have
# clear rules", "the alert should have fired"), and a lint that cries wolf gets
# switched off. The other phrases judge people whatever surrounds them.

SUBJECT_PHRASES = ("should have", "should've")
PERSON_PRONOUNS = frozenset({"he", "she", "they", "you", "i", "someone", "somebody", "anyone", "anybody",
                             "everyone", "everybody", "nobody"})
PERSON_NOUNS = frozenset({
    "engineer", "engineers", "on-call", "oncall", "on-caller", "on-callers", "operator", "operators", "developer",
    "developers", "dev", "devs", "reviewer", "reviewers", "responder", "responders", "sre", "sres", "admin",
    "admins", "administrator", "administrators", "author", "approver", "assignee", "commander", "person",
    "people", "human", "humans", "employee", "employees", "staff", "user", "users", "customer", "customers",
    "contractor", "intern", "manager", "lead", "teammate", "colleague", "coworker", "co-worker", "oncaller",
})
"""Nouns whose head makes a subject a person: 'the engineer', 'the on-call', 'a reviewer'."""
# Words between a subject and 'should have' that do not change who it is.
_ADVERBS = frozenset({"really", "probably", "also", "definitely", "clearly", "obviously", "certainly", "maybe",
                      "perhaps", "likely", "just", "then", "arguably", "surely", "still", "ideally", "instead"})
_TOKEN = re.compile(r"@?[\w][\w'’.-]*")
# 'should have been paged': the person is who it happens to, not who is judged.
_PASSIVE = re.compile(r"^\s+been\s+(?:paged|notified|alerted|told|informed|called|woken|escalated|trained|given|"
                      r"shown|sent|asked|consulted|included|involved|added|warned|reminded|offered|supported|"
                      r"contacted|looped in|brought in|onboarded)\b", re.IGNORECASE)

ADVICE: dict[str, tuple[str, str]] = {
    "should have": (
        "it judges a person with hindsight they did not have, so readers learn who slipped, not what let it happen",
        "say what the system, tool or process did not do, or what the person saw at the time: 'nothing warned that "
        "the flag was on in production' instead of 'the engineer should have checked the flag'"),
    "human error": (
        "it ends the analysis at a person, where it should start",
        "describe the action and what made it easy to take or hard to notice: 'the command ran against production "
        "because production was the default context'"),
    "careless": (
        "it describes a person's character, not the conditions they worked in",
        "describe what the person knew and why the action made sense then; then what would have caught it"),
    "fault of": (
        "it assigns blame, and people stop telling you what really happened",
        "name the condition that contributed: 'the deploy was not gated on the migration' instead of whose fault"),
    "negligence": (
        "it is a legal and moral judgement of a person, not a finding about the system",
        "describe the gap in the process or tooling that allowed it, and what would close it"),
}
ADVICE["should've"] = ADVICE["should have"]
ADVICE["carelessly"] = ADVICE["careless"]
ADVICE["negligent"] = ADVICE["negligence"]
_GENERIC = ("the team's policy lists it as blameful (policies.postmortems.blameful_phrases in opsbook.yaml)",
            "describe what the system allowed and why the decision made sense at the time")


def _subject_tokens(before: str) -> list[str]:
    """The words of the clause before a phrase, adverbs at its end dropped."""
    clause = re.split(r"[.;:!?,()\[\]\"“”]|\s[-–—]\s", before)[-1]
    words = _TOKEN.findall(clause)
    while words and words[-1].lower() in _ADVERBS:
        words.pop()
    return words


def person_subject(before: str, after: str, names: NameIndex | None) -> str | None:
    """The person-like subject of 'should have' (the text before it in its clause), or
    None when the subject is a plan, a system, or not there. ``after`` is the text that
    follows the phrase: a passive 'should have been paged' judges nobody."""
    if _PASSIVE.match(after):
        return None
    words = _subject_tokens(before)
    if not words:
        return None
    head = words[-1].rstrip("'’.").lower()
    if head in PERSON_PRONOUNS or head in PERSON_NOUNS:
        return words[-1] if len(words) < 2 or words[-2].lower() not in ("the", "a", "an", "our", "their", "that",
                                                                         "this", "whoever") \
            else f"{words[-2]} {words[-1]}"
    if len(words) >= 2 and [w.lower() for w in words[-2:]] == ["on", "call"]:
        return "on call"
    if head.startswith("@") and len(head) > 1:
        return words[-1]
    if names is not None:
        clause = before.rstrip()
        while True:  # drop trailing adverbs so that 'bob really should have' ends at 'bob'
            tail = _TOKEN.findall(clause[-20:])
            if tail and tail[-1].lower() in _ADVERBS:
                clause = clause[:clause.rfind(tail[-1])].rstrip()
            else:
                break
        for _person, match in names.search(clause):
            found = [m for m in match.re.finditer(clause) if m.end() == len(clause)]
            if found:
                return found[-1].group(0)
    return None


@dataclass(frozen=True)
class Hit:
    phrase: str
    start: int
    text: str
    subject: str | None


def blameful_hits(text: str, patterns: list[tuple[str, re.Pattern]], names: NameIndex | None) -> list[Hit]:
    """The blameful wording in one line or field: every configured phrase, and 'should have'
    (or "should've") only with a person as its subject."""
    out = []
    for phrase, pattern in patterns:
        for match in pattern.finditer(text):
            subject = None
            if phrase.lower() in SUBJECT_PHRASES:
                subject = person_subject(text[:match.start()], text[match.end():], names)
                if subject is None:
                    continue
            out.append(Hit(phrase.lower(), match.start(), match.group(0), subject))
    return out


def _blameful(pm: Postmortem, hit: Hit, where: str, **place) -> Diagnostic:
    why, how = ADVICE.get(hit.phrase, _GENERIC)
    said = f"'{shown(hit.subject)} {hit.text}'" if hit.subject else f"'{hit.text}'"
    return Diagnostic(BLAMEFUL_LANGUAGE, pm.file, f"blameful wording {said}{where}: {why}",
                      f"reword it: {how}", **place)


@check
def blameful_language(ctx: Context) -> Iterable[Diagnostic]:
    """Blameful phrases in the body, the title, the summary and action-item titles."""
    phrases = [p for p in ctx.kb.config.policies.postmortems.blameful_phrases if p.strip()]
    if not phrases:
        return
    patterns = [(p, _phrase_pattern(p)) for p in phrases]
    names = name_index(ctx.kb.people.values())
    for pm in ctx.kb.postmortem_list:
        found = pm.markdown.headings
        if not (found and found[0].level == 1 and found[0].text.strip() == pm.title.strip()):
            for hit in blameful_hits(pm.title, patterns, names):  # the body's H1 is linted with the body
                yield _blameful(pm, hit, " in the title", path=("title",))
        if pm.summary:
            for hit in blameful_hits(pm.summary, patterns, names):
                yield _blameful(pm, hit, " in the summary", path=("summary",))
        for i, item in enumerate(pm.action_items):
            for hit in blameful_hits(item.title, patterns, names):
                yield _blameful(pm, hit, f" in action item {item.id}", path=("action_items", i, "title"))
        for number, text in prose_lines(pm):
            for hit in blameful_hits(text, patterns, names):
                yield _blameful(pm, hit, "", line=number, column=hit.start + 1)


ROOT_CAUSE_HEADINGS = ("root cause", "root causes", "cause", "causes", "root cause analysis")
_UNKNOWN = re.compile(r"^\W*(unknown|not (yet )?known|tbd|to be determined|under investigation)\b", re.IGNORECASE)


@check
def root_cause_unknown(ctx: Context) -> Iterable[Diagnostic]:
    for pm in ctx.kb.postmortem_list:
        section = section_lines(pm, ROOT_CAUSE_HEADINGS)
        if section is None:
            continue
        _, lines = section
        first = next(((n, t) for n, t in lines if t.strip()), None)
        if first is None or not _UNKNOWN.match(first[1]):
            continue
        if any(item.type == "investigate" for item in pm.action_items):
            continue
        number, text = first
        yield Diagnostic(ROOT_CAUSE_UNKNOWN, pm.file, "the root cause is unknown and no action item investigates it",
                         "add an action item with type: investigate, an owner and a due date; an unknown cause "
                         "nobody owns stays unknown", line=number, column=len(text) - len(text.lstrip()) + 1)


_NAME_BEFORE = r"(?<![\w.@/-])"
_NAME_AFTER = r"(?![\w@/-]|\.\w)"
_WORD = re.compile(r"\w+")
_LEADING_WORD = re.compile(r"\w*")
# The only characters outside ASCII that re.IGNORECASE matches to an ASCII one
# (İ and ı to i, the Kelvin sign to k, long s to s; found by trying every code
# point): folded before a line's words are looked up.
_TO_ASCII = str.maketrans({"\u0130": "i", "\u0131": "i", "\u212a": "k", "\u017f": "s"})


@dataclass(frozen=True)
class NameIndex:
    """Every person's name patterns, found by the first word of the name.

    A pattern can only match a line that contains its name's first word as a
    whole word (the pattern starts at a word boundary and the name's first word
    ends at one), so a line is tried against the patterns of its own words, not
    against everyone's: lines + people, not lines x people. Names that start
    with a non-word character, whose first word is not plain ASCII, or whose
    first word is followed by a character outside ASCII are tried on every
    line, as before, so that Unicode case folding needs no model here.
    """

    patterns: tuple[tuple[str, re.Pattern], ...]
    """(person id, pattern) in the order the rule tries them."""
    by_word: dict[str, tuple[int, ...]]
    """Lower-cased first word of a name -> indexes into ``patterns``."""
    always: tuple[int, ...]

    def search(self, text: str) -> list[tuple[str, re.Match]]:
        """(person id, first match) per person named in ``text``, in pattern order:
        for each person the longest of their names that occurs."""
        found = set(self.always)
        if self.by_word:
            folded = text if text.isascii() else text.translate(_TO_ASCII)
            for word in _WORD.findall(folded.lower()):
                hit = self.by_word.get(word)
                if hit:
                    found.update(hit)
        out: list[tuple[str, re.Match]] = []
        reported: set[str] = set()
        for i in sorted(found):
            person_id, pattern = self.patterns[i]
            if person_id in reported:
                continue
            match = pattern.search(text)
            if match:
                reported.add(person_id)
                out.append((person_id, match))
        return out


def name_index(people) -> NameIndex:
    patterns: list[tuple[str, re.Pattern]] = []
    by_word: dict[str, list[int]] = {}
    always: list[int] = []
    for person in people:
        names = {person.id, person.name}
        first = person.name.split()[0] if person.name.split() else ""
        if len(first) > 2:
            names.add(first)
        # Longest first; equal lengths alphabetically (a set's order is not stable).
        for name in sorted(names, key=lambda n: (-len(n), n)):
            index = len(patterns)
            patterns.append((person.id, re.compile(_NAME_BEFORE + re.escape(name) + _NAME_AFTER, re.IGNORECASE)))
            word = _LEADING_WORD.match(name).group(0)
            after = name[len(word):len(word) + 1]
            if word and word.isascii() and after.isascii():
                by_word.setdefault(word.lower(), []).append(index)
            else:
                always.append(index)
    return NameIndex(tuple(patterns), {k: tuple(v) for k, v in by_word.items()}, tuple(always))


CONTRIBUTING_HEADINGS = ("contributing factors", "contributing factor", "contributing causes",
                         "contributing conditions")


@check
def person_in_root_cause(ctx: Context) -> Iterable[Diagnostic]:
    """A person's id or name in the Root cause or the Contributing factors section."""
    if not ctx.kb.config.policies.postmortems.names_in_root_cause:
        return
    index = name_index(ctx.kb.people.values())
    for pm in ctx.kb.postmortem_list:
        for headings_, what in ((ROOT_CAUSE_HEADINGS, "the root cause names"),
                                (CONTRIBUTING_HEADINGS, "the contributing factors name")):
            section = section_lines(pm, headings_)
            if section is None:
                continue
            for number, text in section[1]:
                for _person_id, match in index.search(text):
                    yield Diagnostic(PERSON_IN_ROOT_CAUSE, pm.file,
                                     f"{what} a person ('{shown(match.group(0))}'): causes are conditions of the "
                                     "system, and a name turns the section into a search for whom to blame",
                                     "reword it: say what allowed the action (the missing check, the default, "
                                     "the alert that did not fire), not who took it; the timeline may say who did "
                                     "what", line=number, column=match.start() + 1)


# --- what a postmortem covers ---------------------------------------------------------


@check
def postmortem_incidents(ctx: Context) -> Iterable[Diagnostic]:
    """`incident` (one id) and `incidents` (a list) together: the one must be in the list, once."""
    for pm in ctx.kb.postmortem_list:
        seen: set[str] = set()
        for i, incident_id in enumerate(pm.incidents):
            if incident_id in seen:
                yield Diagnostic(POSTMORTEM_INCIDENTS, pm.file, f"incidents lists '{incident_id}' twice",
                                 "remove the second one", path=("incidents", i))
            seen.add(incident_id)
        if pm.incident and pm.incidents and pm.incident not in pm.incidents:
            yield Diagnostic(POSTMORTEM_INCIDENTS, pm.file,
                             f"incident '{pm.incident}' is not among incidents ({', '.join(pm.incidents)})",
                             f"add {pm.incident} to incidents, or drop incident: (incident: X is short for "
                             "incidents: [X])", path=("incident",))


@check
def related_postmortems(ctx: Context) -> Iterable[Diagnostic]:
    from opsbook.suggest import closest

    kb = ctx.kb
    if "postmortem" in kb.broken:
        return
    known = sorted(kb.postmortems)
    for pm in kb.postmortem_list:
        for i, ref in enumerate(pm.related):
            target = ref.removesuffix(".md")
            if target in kb.postmortems and target != pm.id:
                continue
            if target == pm.id:
                yield Diagnostic(UNKNOWN_POSTMORTEM, pm.file, "the postmortem lists itself as related",
                                 "remove it from related", path=("related", i))
                continue
            by_name = [k for k in known if k.rsplit("/", 1)[-1] == target.rsplit("/", 1)[-1]]
            close = by_name[0] if len(by_name) == 1 else closest(target, known)
            hint = (f"did you mean '{close}'?" if close else
                    "name it by its path under postmortems/ without .md, e.g. 2026/2026-03-18-card-payments")
            yield Diagnostic(UNKNOWN_POSTMORTEM, pm.file, f"unknown postmortem '{shown(ref)}'", hint,
                             path=("related", i))


# --- communication templates --------------------------------------------------------


@check
def comms_templates(ctx: Context) -> Iterable[Diagnostic]:
    from opsbook.incidents.comms import check_templates

    rules = {"error": COMMS_TEMPLATE, "next-update": COMMS_NEXT_UPDATE, "unknown-kind": COMMS_UNKNOWN_KIND}
    for problem in check_templates(ctx.kb, ctx.now):
        yield Diagnostic(rules[problem.kind], problem.path, problem.message, problem.hint,
                         line=problem.line, column=1)

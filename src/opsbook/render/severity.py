"""`severity.md`: the ladder, examples per level, and the decision tree."""

from __future__ import annotations

from dataclasses import dataclass

from opsbook.model.kb import KnowledgeBase
from opsbook.model.severity import Question, SeverityLevel
from opsbook.render.environment import render_template
from opsbook.render.markdown import Markdown, anchor_id, md_escape, page_link
from opsbook.render.page import Page, Site
from opsbook.humanize import deadline_text

PATH = "severity.md"


def level_anchor(level_id: str) -> Markdown:
    return anchor_id("level", level_id)


# Colours go by rank on the ladder, not by name, so any ladder (SEV0-4, P1-P5,
# "critical/major/minor") gets the same scale: rank 0 is the most severe. The
# stylesheet (assets/opsbook/site.css) holds one colour per rank, the last one for
# every rank beyond it; the text of a badge always names the level as well.
RANKS = 5


def level_rank(kb: KnowledgeBase, level_id: str | None) -> int | None:
    for rank, level in enumerate(kb.levels):
        if level.id == level_id:
            return min(rank, RANKS - 1)
    return None


def badge_class(kb: KnowledgeBase, level_id: str | None) -> str:
    """Classes for a severity badge, or "" for an unknown level."""
    rank = level_rank(kb, level_id)
    return "" if rank is None else f"opsbook-sev opsbook-sev-{rank}"


def level_link(kb: KnowledgeBase, level_id: str | None, from_page: str, short: bool = False,
               badge: bool = True) -> Markdown:
    """"SEV2 · Major" (or just "SEV2") linking to the level on the severity page,
    coloured by its rank (attribute list); plain text for an unknown id (the
    checker reports it)."""
    if not level_id:
        return Markdown("")
    level = kb.severities.get(level_id)
    if level is None:
        return md_escape(level_id)
    label = level.id if short else f"{level.id} · {level.name}"
    link = page_link(label, from_page, PATH, level_anchor(level.id))
    if not badge:
        return link
    classes = " ".join(f".{c}" for c in badge_class(kb, level.id).split())
    return Markdown(f"{link}{{: {classes} }}")


@dataclass(frozen=True)
class NumberedQuestion:
    number: int
    anchor: str
    question: Question
    yes: Markdown
    no: Markdown


def _question_order(questions: list[Question], start: str) -> list[Question]:
    """Questions in the order a reader meets them from the start, yes before
    no; questions nothing leads to come last rather than vanish."""
    by_id = {q.id: q for q in questions}
    ordered: list[Question] = []
    seen: set[str] = set()
    stack = [start]
    while stack:
        ident = stack.pop()
        if ident in seen or ident not in by_id:
            continue
        seen.add(ident)
        question = by_id[ident]
        ordered.append(question)
        stack.extend([question.no, question.yes])
    ordered += [q for q in questions if q.id not in seen]
    return ordered


def _decision_tree(kb: KnowledgeBase) -> list[NumberedQuestion]:
    tree = kb.severity_file.decision_tree if kb.severity_file else None
    if tree is None:
        return []
    ordered = _question_order(tree.questions, tree.start)
    numbers = {q.id: i for i, q in enumerate(ordered, start=1)}

    def answer(target: str) -> Markdown:
        if target in numbers:
            return page_link(f"Question {numbers[target]}", PATH, PATH, anchor_id("q", target))
        if target in kb.severities:
            return Markdown(f"**{level_link(kb, target, PATH, badge=False)}**")
        return md_escape(target)

    return [NumberedQuestion(numbers[q.id], anchor_id("q", q.id), q, answer(q.yes), answer(q.no))
            for q in ordered]


def _follow_up(level: SeverityLevel) -> str:
    """The postmortem and status-page duties in one phrase, so the table stays
    narrow enough to read without scrolling."""
    if level.postmortem == "none":
        postmortem = "no postmortem"
    else:
        due = f" within {deadline_text(level.postmortem_due)}" if level.postmortem_due else ""
        postmortem = f"postmortem {level.postmortem}{due}"
    status = "no status page" if level.status_page == "none" else f"status page {level.status_page}"
    return f"{postmortem}; {status}"


def severity_page(kb: KnowledgeBase) -> Page:
    markdown = render_template(
        "severity.md.j2",
        levels=kb.levels,
        anchor=level_anchor,
        # The ladder's own tables keep plain links; each level's heading carries its colour.
        rank=lambda level: level_rank(kb, level.id),
        follow_up=_follow_up,
        questions=_decision_tree(kb),
    )
    source = kb.severity_file.file if kb.severity_file else None
    return Page(PATH, markdown, source)


def site_pages(site: Site) -> list[Page]:
    return [severity_page(site.kb)]

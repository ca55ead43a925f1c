"""Walking the severity decision tree, and what a level commits the team to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from opsbook.model.kb import KnowledgeBase
from opsbook.model.severity import DecisionTree, Question, SeverityLevel
from opsbook.humanize import deadline_text, duration_text

YES = {"y", "yes", "true", "1"}
NO = {"n", "no", "false", "0"}


class ClassifyError(Exception):
    pass


def parse_answer(text: str) -> bool:
    word = text.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise ClassifyError(f"answer {text!r}: expected yes or no")


@dataclass(frozen=True)
class Step:
    question: Question
    answer: bool


def walk(tree: DecisionTree, levels: set[str], ask: Callable[[Question], bool]) -> tuple[str, list[Step]]:
    """Ask questions from the start until an answer names a level."""
    questions = {q.id: q for q in tree.questions}
    current, steps, seen = tree.start, [], set()
    while current not in levels:
        if current not in questions or current in seen:
            raise ClassifyError(f"the decision tree is broken at '{current}'; run `opsbook validate`")
        seen.add(current)
        question = questions[current]
        answer = ask(question)
        steps.append(Step(question, answer))
        current = question.yes if answer else question.no
    return current, steps


def answers_from(flags: tuple[str, ...], tree: DecisionTree) -> tuple[dict[str, bool], list[bool]]:
    """``--answer id=yes`` by question id, or bare ``--answer yes`` taken in order."""
    by_id: dict[str, bool] = {}
    ordered: list[bool] = []
    known = [q.id for q in tree.questions]
    for flag in flags:
        if "=" in flag:
            qid, _, value = flag.partition("=")
            qid = qid.strip()
            if qid not in known:
                from opsbook.incidents.lifecycle import unknown

                raise ClassifyError(unknown("question", qid, known))
            by_id[qid] = parse_answer(value)
        else:
            ordered.append(parse_answer(flag))
    return by_id, ordered


def expectations(kb: KnowledgeBase, level: SeverityLevel) -> dict:
    """What declaring this level means, in words a responder acts on."""
    return {
        "id": level.id,
        "name": level.name,
        "description": level.description,
        "page": level.page,
        "paged": ("the service's on-call, at any hour" if level.page else "nobody: handle in business hours"),
        "escalation": level.escalation,
        "ack_within": duration_text(level.ack_within) or None,
        "update_every": duration_text(level.update_every) or None,
        "roles": list(level.roles),
        "postmortem": level.postmortem,
        "postmortem_due": deadline_text(level.postmortem_due) or None,
        "status_page": level.status_page,
    }

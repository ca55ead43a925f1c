"""`opsbook severity`: the ladder; `opsbook severity classify`: walk the decision tree."""

from __future__ import annotations

import click

from opsbook.cli.common import emit_json, usage_error


def _levels(ctx):
    from opsbook.cli.incident_cmd import load_kb

    kb = load_kb(ctx)
    if not kb.levels:
        raise usage_error("playbooks/severity.yaml defines no levels (or does not load); run `opsbook validate`")
    return kb


def _echo_level(info: dict, indent: str = "  ") -> None:
    click.echo(f"{info['id']}  {info['name']}")
    if info["description"]:
        click.echo(f"{indent}{info['description']}")
    click.echo(f"{indent}paged:        {info['paged']}" + (f" (escalation: {info['escalation']})"
                                                             if info["escalation"] else ""))
    click.echo(f"{indent}acknowledge:  {info['ack_within'] or 'no target'}")
    click.echo(f"{indent}updates:      {('every ' + info['update_every']) if info['update_every'] else 'no cadence'}")
    click.echo(f"{indent}roles:        {', '.join(info['roles']) or 'none'}")
    due = f", due {info['postmortem_due']} after resolution" if info["postmortem_due"] else ""
    click.echo(f"{indent}postmortem:   {info['postmortem']}{due if info['postmortem'] != 'none' else ''}")
    click.echo(f"{indent}status page:  {info['status_page']}")


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def severity(ctx, as_json) -> None:
    """Print the severity ladder, most severe first; `classify` picks a level."""
    if ctx.invoked_subcommand is not None:
        return
    from opsbook.incidents.classify import expectations

    kb = _levels(ctx)
    levels = [expectations(kb, level) for level in kb.levels]
    if as_json:
        emit_json(levels)
        return
    for i, info in enumerate(levels):
        if i:
            click.echo()
        _echo_level(info)


@severity.command()
@click.option("--answer", "answers", multiple=True, metavar="[QUESTION=]yes|no",
              help="Answer a question by id (money-or-data=no), or the next one in order (yes). Repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def classify(ctx, answers, as_json) -> None:
    """Walk the decision tree and print the level with its expectations.

    Interactive on a terminal; with --answer flags (or without a terminal)
    every question must be answered by a flag.
    """
    import sys

    from opsbook.incidents.classify import (
        ClassifyError,
        answers_from,
        expectations,
        parse_answer,
        walk,
    )

    kb = _levels(ctx)
    tree = kb.severity_file.decision_tree
    if tree is None:
        raise usage_error("playbooks/severity.yaml has no decision_tree; pick a level from `opsbook severity`")
    interactive = not answers and sys.stdin.isatty() and not as_json
    try:
        by_id, ordered = answers_from(answers, tree)
    except ClassifyError as exc:
        raise usage_error(str(exc)) from None

    def ask(question) -> bool:
        if question.id in by_id:
            return by_id[question.id]
        if ordered:
            return ordered.pop(0)
        if interactive:
            if question.help:
                click.echo(question.help)
            while True:
                reply = click.prompt(question.text + " [yes/no]")
                try:
                    return parse_answer(reply)
                except ClassifyError as exc:
                    click.echo(str(exc))
        raise ClassifyError(f"no answer for question '{question.id}': {question.text} "
                            f"(pass --answer {question.id}=yes or --answer {question.id}=no)")

    try:
        level_id, steps = walk(tree, set(kb.severities), ask)
    except ClassifyError as exc:
        raise usage_error(str(exc)) from None
    info = expectations(kb, kb.severities[level_id])
    if as_json:
        emit_json({"level": info, "answers": [{"question": s.question.id, "text": s.question.text,
                                               "answer": "yes" if s.answer else "no"} for s in steps]})
        return
    for step in steps:
        click.echo(f"{step.question.text} {'yes' if step.answer else 'no'}")
    click.echo()
    _echo_level(info)

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
        emit_json({"levels": levels})
        return
    for i, info in enumerate(levels):
        if i:
            click.echo()
        _echo_level(info)


@severity.command()
@click.option("--alert", "alert_file", metavar="FILE|-",
              help="Classify an alert payload by the ladder's rules instead of the decision tree: an "
                   "Alertmanager webhook, a PagerDuty V3 webhook event or {\"labels\": ...} JSON (- reads stdin).")
@click.option("--answer", "answers", multiple=True, metavar="[QUESTION=]yes|no",
              help="Answer a question by id (money-or-data=no), or the next one in order (yes). Repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def classify(ctx, alert_file, answers, as_json) -> None:
    """Walk the decision tree and print the level with its expectations.

    Interactive on a terminal; with --answer flags (or without a terminal)
    every question must be answered by a flag. With --alert, the ladder's
    `rules` decide from the payload: the level, the rule that matched and why.
    """
    import sys

    if alert_file is not None:
        if answers:
            raise usage_error("--alert and --answer: the rules decide from the alert; pass one or the other")
        _classify_alert(ctx, alert_file, as_json)
        return

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


def _classify_alert(ctx, alert_file: str, as_json: bool) -> None:
    from opsbook.intake.classify import RulesError, classify_payload
    from opsbook.intake.payloads import PayloadError, load_payload

    try:
        payload = load_payload(alert_file)
    except PayloadError as exc:
        raise usage_error(str(exc), file=exc.source, line=exc.line, column=exc.column) from None
    from opsbook.cli.incident_cmd import load_kb

    # The ladder and its rules, and the catalog (opsbook.yaml, always read) for tiers.
    kb = load_kb(ctx, essential=frozenset({"severity"}), kinds=frozenset({"severity"}))
    if not kb.levels:
        raise usage_error("playbooks/severity.yaml defines no levels (or does not load); run `opsbook validate`")
    if not kb.severity_file.rules and kb.severity_file.default_level is None:
        raise usage_error("playbooks/severity.yaml has no `rules`; add them (see docs/alert-intake.md), or "
                          "answer the decision tree without --alert")
    try:
        answer, _ = classify_payload(kb, payload)
    except RulesError as exc:
        raise usage_error(str(exc)) from None
    if as_json:
        emit_json(answer.model_dump(mode="json"))
        return
    from opsbook.diagnostics import shown

    rule = f"rule '{answer.rule}'" + (f" ({answer.rule_description})" if answer.rule_description else "") \
        if answer.rule else "no rule matched"
    click.echo(shown(f"{answer.level} ({answer.level_name}): {rule}"))
    for reason in answer.reasons:
        click.echo(shown(f"  because {reason}"))
    if len(answer.alerts) > 1:
        click.echo(shown(f"  the most severe of {len(answer.alerts)} alerts ({answer.alert}):"))
        for item in answer.alerts:
            click.echo(shown(f"    {item.alert} [{item.status}] {item.service or 'no service'}: {item.level} "
                             f"by {('rule ' + item.rule) if item.rule else 'default'}"))
    for item in answer.alerts:
        if item.service is None:
            click.echo(shown(f"  note: {item.alert}: {item.service_match}"))
    for note in answer.notes:
        click.echo(shown(f"  note: {note}"))

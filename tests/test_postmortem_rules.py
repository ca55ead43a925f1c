"""Postmortem and action-item policy rules (OB501-OB506; templates OB507-OB509 are
in test_comms.py), each pinned by code, file, line and column, in both directions,
on the minimal knowledge base and on the example."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import BASE_FILES, make_kb, run_validate
from test_incident import example_copy

PM = "postmortems/2026/2026-03-14-card-payments.md"
ORG = "opsbook.yaml"
BODY = "One acquirer timed out.\n"  # line 17 of the base postmortem
ITEM = "  - {id: AI-2, title: Automate acquirer failover, owner: carol, due: 2026-07-01, status: open, type: mitigate}\n"


def body(text: str) -> dict:
    """The base postmortem with line 17 onwards replaced."""
    return {PM: BASE_FILES[PM].replace(BODY, text)}


def items(count: int, extra: str = "") -> dict:
    more = "".join(f"  - {{id: AI-{n}, title: Item {n}, owner: bob, due: 2026-07-01, type: prevent{extra}}}\n"
                   for n in range(3, count + 1))
    return {PM: BASE_FILES[PM].replace(ITEM, ITEM + more)}


def policy(text: str) -> dict:
    return {ORG: BASE_FILES[ORG] + "policies:\n" + text}


@dataclass
class Case:
    id: str
    files: dict
    code: str | None  # None: the case must be clean (the "passes" direction)
    line: int = 0
    column: int | str = 0
    now: str = "2026-06-01T12:00:00Z"
    message: str = ""
    level: str = ""
    extra: dict = field(default_factory=dict)


CASES = [
    # OB501 / OB502: overdue is a warning; more than 30 days (configurable) an error.
    Case("OB501-overdue", {}, "OB501", 11, "2026-07-01", now="2026-07-05T12:00:00Z",
         message="AI-2 is 4 days overdue", level="warning"),
    Case("OB501-30-days-is-still-a-warning", {}, "OB501", 11, "2026-07-01", now="2026-07-31T12:00:00Z",
         level="warning"),
    Case("OB502-31-days", {}, "OB502", 11, "2026-07-01", now="2026-08-01T12:00:00Z", level="error",
         message="31 days overdue"),
    Case("OB502-policy-threshold", policy("  action_items:\n    overdue_error_after: 7d\n"), "OB502", 11,
         "2026-07-01", now="2026-07-09T12:00:00Z"),
    Case("OB501-not-on-time", {}, None, now="2026-07-01T12:00:00Z"),
    Case("OB501-not-when-done", {PM: BASE_FILES[PM].replace("status: open, type: mitigate", "status: done, type: mitigate")},
         None, now="2026-09-01T12:00:00Z"),
    Case("OB501-day-is-the-orgs", {}, None, now="2026-07-02T03:00:00Z"),  # still 1 July in New York
    # History: done and wont-do items need no owner or due date, and may be owned by a team.
    Case("history-done-item-without-owner-or-due", {PM: BASE_FILES[PM].replace(
        "{id: AI-1, title: Alert on acquirer latency, owner: bob, due: 2026-04-15, status: done, type: detect}",
        "{id: AI-1, title: Alert on acquirer latency, status: done}")}, None),
    Case("history-wont-do-item-owned-by-a-team", {PM: BASE_FILES[PM].replace(
        "owner: carol, due: 2026-07-01, status: open", "owner: payments, status: wont-do")}, None),
    # `incidents:` covers incidents as `incident:` does (the SEV1's postmortem duty is met).
    Case("incidents-list-covers-the-incident", {PM: BASE_FILES[PM].replace(
        "incident: INC-2026-001\n", "incidents: [INC-2026-001]\n")}, None),
    Case("incidents-and-incident-agree", {PM: BASE_FILES[PM].replace(
        "incident: INC-2026-001\n", "incident: INC-2026-001\nincidents: [INC-2026-001]\ntags: [acquirer, payments]\n")},
        None),
    # OB503: an unknown root cause needs an investigation item.
    Case("OB503-unknown", body("x\n\n## Root cause\n\nUnknown at the time of writing.\n"), "OB503", 21, 1,
         level="error"),
    Case("OB503-tbd", body("x\n\n## Root Cause\n\n<!-- fill in -->\n  TBD\n"), "OB503", 22, 3),
    Case("OB503-with-investigation", {PM: body("x\n\n## Root cause\n\nUnknown.\n")[PM].replace(
        "type: mitigate}", "type: investigate}")}, None),
    Case("OB503-known-cause", body("x\n\n## Root cause\n\nThe unknown-host path had no timeout.\n"), None),
    # OB504: more than seven items.
    Case("OB504-eight-items", items(8), "OB504", 17, 5, level="warning", message="8 action items"),
    Case("OB504-seven-items", items(7), None),
    Case("OB504-policy", {**items(8), **policy("  action_items:\n    max_per_postmortem: 8\n")}, None),
    # OB505: blameful wording, each with its line and column.
    Case("OB505-should-have-person", body("x\n\nThe engineer should have checked the deploy.\n"), "OB505", 19, 14,
         message="'The engineer should have'", level="warning"),
    Case("OB505-should-have-system", body("x\n\nThe deploy should have been checked.\n"), None),
    Case("OB505-should-have-name", body("x\n\nIn hindsight, Carol Diaz should have paged the DBA.\n"), "OB505", 19,
         "should have", message="'Carol Diaz should have'"),
    Case("OB505-in-the-summary", {PM: BASE_FILES[PM].replace("visibility: internal\n",
                                                             "visibility: internal\nsummary: It was human error.\n")},
         "OB505", 8, 10, message="in the summary"),
    Case("OB505-in-the-title", {PM: BASE_FILES[PM].replace("title: Card payments failing at checkout",
                                                           "title: Careless failover at checkout")},
         "OB505", 3, 8, message="in the title"),
    Case("OB505-title-once-when-it-is-the-h1", {PM: BASE_FILES[PM].replace("Card payments failing at checkout",
                                                                          "Careless failover at checkout")},
         "OB505", 13, 3),
    Case("OB505-in-an-action-item-title", {PM: BASE_FILES[PM].replace("Automate acquirer failover",
                                                                      "Stop careless failovers")},
         "OB505", 11, "Stop careless", message="in action item AI-2"),
    Case("OB505-human-error", body("Cause: Human\nError.\n"), None),  # across lines is not one phrase
    Case("OB505-case-insensitive", body("x\n\nThis was HUMAN ERROR.\n"), "OB505", 19, 10),
    Case("OB505-not-in-code", body("x\n\n`careless` is a flag name.\n\n```\nshould have\n```\n"), None),
    Case("OB505-not-in-comments", body("<!-- do not write 'fault of' -->\n"), None),
    Case("OB505-whole-words", body("Carelessness aside, shoulder haversacks.\n"), None),
    Case("OB505-configured-list", {**body("An oversight by the team.\n"),
                                   **policy("  postmortems:\n    blameful_phrases: [oversight]\n")},
         "OB505", 17, 4, message="'oversight'"),
    Case("OB505-configured-list-replaces-defaults", {**body("It should have failed over.\n"),
                                                     **policy("  postmortems:\n    blameful_phrases: []\n")}, None),
    # OB506: a person's id or name in the root cause.
    Case("OB506-name", body("x\n\n## Root cause\n\nThe failover waited for Carol Diaz to approve.\n"), "OB506", 21,
         25, message="'Carol Diaz'"),
    Case("OB506-id", body("x\n\n## Root cause\n\nbob restarted the pool.\n"), "OB506", 21, 1, message="'bob'"),
    Case("OB506-only-in-root-cause", body("Alice led the response.\n\n## Root cause\n\nNo timeout on the pool.\n"),
         None),
    Case("OB506-contributing-factors", body("x\n\n## Contributing factors\n\n- bob was alone on call.\n"), "OB506",
         21, 3, message="the contributing factors name a person ('bob')"),
    Case("OB506-off", {**body("x\n\n## Root cause\n\nbob restarted the pool.\n"),
                       **policy("  postmortems:\n    names_in_root_cause: false\n")}, None),
    Case("OB506-not-in-code-or-hosts", body("x\n\n## Root cause\n\n`alice` and alice.example.com and bob-db.\n"),
         None),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(tmp_path, case):
    root = make_kb(tmp_path, case.files)
    code, payload = run_validate(root, now=case.now)
    found = payload["diagnostics"]
    if case.code is None:
        assert found == [], found
        assert code == 0
        return
    assert [d["code"] for d in found] == [case.code], found
    d = found[0]
    assert d["file"] == PM
    assert d["line"] == case.line
    line_text = (root / PM).read_text().splitlines()[case.line - 1]
    column = case.column if isinstance(case.column, int) else line_text.index(case.column) + 1
    assert d["column"] == column
    assert case.message in d["message"]
    assert d["hint"]
    if case.level:
        assert d["level"] == case.level
    assert code == (1 if d["level"] == "error" else 0)


# --- the example knowledge base -----------------------------------------------------------

WEBHOOK = "postmortems/2026/2026-07-09-webhook-delivery-delays.md"
LEDGER = "postmortems/2026/2026-08-04-checkout-failures-ledger-lock-queue.md"
AS_OF = "2026-11-20T15:00:00Z"


def test_example_at_its_as_of_has_only_the_overdue_ai_107():
    root = Path(__file__).resolve().parents[1]
    code, payload = run_validate(root, now=AS_OF)
    assert code == 0  # a warning does not fail validation
    assert [(d["code"], d["file"], d["line"], d["level"]) for d in payload["diagnostics"]] == [
        ("OB501", LEDGER, 11, "warning")]


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def line_of(root: Path, rel: str, needle: str) -> int:
    return next(i for i, line in enumerate((root / rel).read_text().splitlines(), 1) if needle in line)


EXAMPLE = [
    ("OB502-AI-107-a-month-later", None, "2026-12-15T15:00:00Z", "OB502", LEDGER, "id: AI-107"),
    ("OB501-gone-when-AI-107-is-done", (LEDGER, "due: 2026-11-09, status: open", "due: 2026-11-09, status: done"),
     AS_OF, None, None, None),
    ("OB503-unknown-root-cause", (WEBHOOK, "The consumer library ends a member's session",
                                  "Unknown.\n\nThe consumer library ends a member's session"),
     AS_OF, "OB503", WEBHOOK, "Unknown."),
    ("OB503-passes-with-an-investigate-item", (WEBHOOK, "status: done, type: detect", "status: done, type: investigate"),
     AS_OF, None, None, None),
    ("OB505-blameful", (WEBHOOK, "Two properties of the system", "The reviewer should have caught it. Two properties of the system"),
     AS_OF, "OB505", WEBHOOK, "should have caught"),
    ("OB506-name-in-root-cause", (WEBHOOK, "on 9 July was constant.", "on 9 July was constant, as Jonas Weber saw."),
     AS_OF, "OB506", WEBHOOK, "Jonas Weber"),
    ("OB304-owned-by-a-team", (WEBHOOK, "owner: fatima", "owner: platform"), AS_OF, "OB304", WEBHOOK, "AI-103"),
    ("OB305-no-due-date", (WEBHOOK, "owner: fatima, due: 2026-12-04, ", "owner: fatima, "), AS_OF, "OB305", WEBHOOK,
     "AI-103"),
    ("OB306-still-a-draft", (WEBHOOK, "status: published", "status: draft"), AS_OF, "OB306", WEBHOOK, "status: draft"),
]


@pytest.mark.parametrize("name,change,now,code,rel,needle", EXAMPLE, ids=[e[0] for e in EXAMPLE])
def test_example_rules_both_directions(tmp_path, name, change, now, code, rel, needle):
    root = example_copy(tmp_path)
    if change:
        edit(root, *change)
    exit_code, payload = run_validate(root, now=now)
    if now == AS_OF:  # AI-107's warning is the example's own; everything else must come from the change
        found = [d for d in payload["diagnostics"] if not (d["code"] == "OB501" and "AI-107" in d["message"])]
    else:  # later, other items fall due too: look at AI-107 alone
        found = [d for d in payload["diagnostics"] if "AI-107" in d["message"]]
    if code is None:
        assert found == [] and exit_code == 0
        return
    assert [(d["code"], d["file"]) for d in found] == [(code, rel)], found
    assert found[0]["line"] == line_of(root, rel, needle)


def test_example_action_items_pass_and_fail_on_count(tmp_path):
    root = example_copy(tmp_path)
    more = "".join(f"  - {{id: AI-9{n}, title: \"Item {n}\", owner: sam, due: 2026-12-20, type: prevent}}\n"
                   for n in range(4))
    edit(root, WEBHOOK, "---\n# Webhook", more + "---\n# Webhook")
    _, payload = run_validate(root, now=AS_OF)
    assert [d["code"] for d in payload["diagnostics"] if d["file"] == WEBHOOK] == ["OB504"]


def test_no_rule_code_is_defined_twice():
    import opsbook.check.postmortems as module
    from opsbook.diagnostics import RULES

    codes = re.findall(r'define_rule\("(OB5\d\d)"', Path(module.__file__).read_text())
    assert len(codes) == len(set(codes)) == 10
    assert all(RULES[c].code == c for c in codes)


# --- OB506 is linear: the name index finds exactly what every pattern on every line finds ---


def _brute_force(people, text):
    """The rule as it was: every person's patterns (longest name first) over the line."""
    found, reported = [], set()
    for person in people:
        names = {person.id, person.name}
        first = person.name.split()[0] if person.name.split() else ""
        if len(first) > 2:
            names.add(first)
        for name in sorted(names, key=lambda n: (-len(n), n)):
            match = re.compile(r"(?<![\w.@/-])" + re.escape(name) + r"(?![\w@/-]|\.\w)", re.IGNORECASE).search(text)
            if match and person.id not in reported:
                reported.add(person.id)
                found.append((person.id, match.group(0), match.start()))
    return found


# Letters that case-fold across ASCII (İ ı K ſ), accents, a combining mark, separators
# that end or continue a name (. @ / - '), and spaces.
_ALPHABET = "aAbBiIkKsSeé\u0130\u0131\u212a\u017f\u0345\u03b9 .-@/'_1"


def test_name_index_finds_what_every_pattern_finds():
    from hypothesis import given, settings, strategies as st

    from opsbook.check.postmortems import name_index
    from opsbook.model.people import Person

    word = st.text(alphabet=_ALPHABET, min_size=1, max_size=6).filter(lambda w: w.strip() and "\n" not in w)

    @settings(max_examples=400, deadline=None)
    @given(names=st.lists(st.tuples(st.from_regex(r"[a-z0-9][a-z0-9_-]{0,4}", fullmatch=True), word, word),
                          min_size=1, max_size=5),
           line=st.lists(st.one_of(word, st.sampled_from([" ", ", ", ". ", "-", "@"])), max_size=12))
    def check(names, line):
        people, seen = [], set()
        for ident, first, last in names:
            if ident in seen:
                continue
            seen.add(ident)
            people.append(Person(id=ident, name=f"{first.strip()} {last.strip()}"))
        text = "".join(line)
        # The line built from the names themselves, so that matches are common.
        text2 = " ".join(f"{p.name}" for p in people[::2]) + " and " + people[-1].id.upper()
        for candidate in (text, text2):
            got = [(pid, m.group(0), m.start()) for pid, m in name_index(people).search(candidate)]
            assert got == _brute_force(people, candidate), (people, candidate)

    check()


def test_name_rule_is_linear_in_people():
    """1,000 people: each line is tried against the patterns of its own words only."""
    from opsbook.check.postmortems import name_index
    from opsbook.model.people import Person

    people = [Person(id=f"p{i}", name=f"Given{i} Family{i}") for i in range(1000)]
    index = name_index(people)
    text = "The pool had no timeout; Given7 Family7 and p999 restarted it, and then Given12 watched."
    assert [(pid, m.group(0)) for pid, m in index.search(text)] == [
        ("p7", "Given7 Family7"), ("p12", "Given12"), ("p999", "p999")]
    assert len(index.always) == 0 and len(index.by_word) == 2000  # "given7" and "p7" ...


# --- the blameless lint: people vs plans and systems as the subject of "should have" ---------

# (sentence, the wording reported, or None). Shapes from public postmortem collections; the
# people are the minimal knowledge base's (alice, bob, Carol Diaz).
BLAMELESS = [
    # plans and systems: not reported
    ("Each repository should have clear rules for who may merge.", None),
    ("The alert should have fired within five minutes.", None),
    ("Our runbook should have covered a full disk.", None),
    ("The deploy pipeline really should have blocked the release.", None),
    ("Monitoring should've caught the growth in queue depth.", None),
    ("The failover should have been automatic.", None),
    ("Ideally the canary should have run for longer.", None),
    ("In hindsight, should have load-tested it first.", None),  # no subject at all
    ("The on-call should have been paged by the disk alert.", None),  # passive: it happens to them
    ("The dashboard should have shown the error rate per acquirer.", None),
    ("We should have had an alert on replication lag.", None),  # the team's plan, not a person
    ("Alice's change should have gone through the canary.", None),  # the change is the subject
    # people: reported
    ("The engineer should have checked the migration first.", "The engineer should have"),
    ("The on-call should have escalated sooner.", "The on-call should have"),
    ("the on call should have escalated sooner.", "on call should have"),
    ("He should have noticed the warning.", "He should have"),
    ("She should've rolled back.", "She should've"),
    ("They should have asked for help.", "They should have"),
    ("You should have read the runbook.", "You should have"),
    ("bob should have restarted the pool.", "bob should have"),
    ("Carol Diaz probably should have waited.", "Carol Diaz should have"),
    ("In the end, alice should have paged the DBA.", "alice should have"),
    ("@jdoe should have tagged the release.", "@jdoe should have"),
    ("The reviewer should have caught it.", "The reviewer should have"),
    ("A responder should have declared an incident.", "A responder should have"),
    ("Someone should have said so.", "Someone should have"),
    # the other phrases, whatever the subject
    ("This was human error.", "human error"),
    ("A careless edit of the config.", "careless"),
    ("It was the fault of the vendor's SDK.", "fault of"),
    ("Negligence by the on-call.", "Negligence"),
    ("`careless` is the flag's name.", "careless"),  # code spans are blanked in the body, not here
]


@pytest.mark.parametrize("sentence,expected", BLAMELESS, ids=[s for s, _ in BLAMELESS])
def test_blameless_table(sentence, expected):
    from opsbook.check.postmortems import _phrase_pattern, blameful_hits, name_index
    from opsbook.model.org import DEFAULT_BLAMEFUL_PHRASES
    from opsbook.model.people import Person

    people = [Person.model_validate(p) for p in (
        {"id": "alice", "name": "Alice Ng", "timezone": "UTC"}, {"id": "bob", "name": "Bob Stone", "timezone": "UTC"},
        {"id": "carol", "name": "Carol Diaz", "timezone": "UTC"})]
    patterns = [(p, _phrase_pattern(p)) for p in DEFAULT_BLAMEFUL_PHRASES]
    hits = blameful_hits(sentence, patterns, name_index(people))
    said = [f"{h.subject} {h.text}" if h.subject else h.text for h in hits]
    assert said == ([] if expected is None else [expected])


def test_every_blameful_finding_says_why_and_how(tmp_path):
    text = ("x\n\nThe engineer should have checked. It was human error. A careless edit, the fault of no one, "
            "negligent even.\n")
    root = make_kb(tmp_path, {**body(text), **policy("  postmortems:\n    blameful_phrases: [should have, human "
                                                      "error, careless, fault of, negligent, oversight]\n")})
    _, payload = run_validate(root, now="2026-06-01T12:00:00Z")
    found = payload["diagnostics"]
    assert [d["code"] for d in found] == ["OB505"] * 5
    for d in found:
        assert ": " in d["message"] and len(d["message"].split(": ", 1)[1]) > 20  # why
        assert d["hint"].startswith("reword it: ")  # how

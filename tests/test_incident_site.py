"""Site pages for incidents and action items: what each audience may see."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import BASE_FILES, make_kb
from opsbook.load import load
from opsbook.render import render_pages

REPO = Path(__file__).resolve().parents[1]
AS_OF = datetime(2026, 11, 20, 15, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def example():
    kb, _ = load(REPO)
    return kb


PUBLIC_HISTORY = ["OPS-2025-044", "OPS-2025-049", "OPS-2026-004", "OPS-2026-009", "OPS-2026-013", "OPS-2026-018", "OPS-2026-021", "OPS-2026-024", "OPS-2026-027", "OPS-2026-028"]

def pages(kb, audience, now=AS_OF):
    return {path: page.markdown for path, page in render_pages(kb, audience, now).items()
            if path.startswith("incidents/") or path == "actions.md"}


def test_public_build_shows_public_incidents_and_public_updates_only(example):
    shown = pages(example, "public")
    # The four public incidents of 2026 and the ten public ones of the old tracker's year (OPS-...).
    assert sorted(shown) == ["actions.md", "incidents/INC-2026-001.md", "incidents/INC-2026-002.md",
                             "incidents/INC-2026-004.md", "incidents/INC-2026-006.md",
                             *[f"incidents/{ident}.md" for ident in PUBLIC_HISTORY], "incidents/index.md"]
    page = shown["incidents/INC-2026-001.md"]
    assert "Webhook notifications are arriving late" in page  # a public update
    assert "Argo CD synced" not in page and "Timeline (internal)" not in page  # the internal timeline
    assert "webhook-dispatcher" not in page  # internal service ids stay inside
    assert "Postmortem:** [Webhook deliveries delayed by up to 95 minutes](../postmortems/2026/" in page
    index = shown["incidents/index.md"]
    assert "| 2026-11-20 | [Invoice creation slow and invoice emails delayed](INC-2026-006.md) |" in index
    assert "ongoing (identified)" in index and "2 h 42 min" in index


def test_internal_build_adds_everything(example):
    shown = pages(example, "internal")
    assert "incidents/INC-2026-005.md" in shown and "incidents/INC-2026-003.md" in shown
    page = shown["incidents/INC-2026-001.md"]
    assert "## Timeline (internal)" in page and "Argo CD synced webhook-dispatcher" in page
    assert "## Roles" in page and "Jonas Weber" in page
    # INC-2026-005's postmortem is internal: linked here, and nowhere in the public build.
    assert "Postmortem:**" in shown["incidents/INC-2026-005.md"]


def test_action_tracker_overdue_first_grouped_by_team_and_owner(example):
    public = pages(example, "public")["actions.md"]
    overdue = public[public.index("## Overdue"):public.index("## By team and owner")]
    # AI-107 was due 2026-11-09: 11 days late on 2026-11-20, shown from 2026-11-10 00:00 New York.
    assert ('| <span class="opsbook-row-when" data-from="1794286800000" data-group="overdue"></span>AI-107 |'
            in overdue)
    assert '<span class="opsbook-days-late" data-due="2026-11-09" data-zone="America/New_York">11</span>' in overdue
    groups = public[public.index("## By team and owner"):]
    assert groups.index("### Data") < groups.index("### Identity") < groups.index("### Platform")  # overdue first
    assert "**Arjun Mehta**" in groups
    assert ('<span class="opsbook-when" data-from="1794286800000">overdue <span class="opsbook-days-late" '
            'data-due="2026-11-09" data-zone="America/New_York">11</span> d</span>') in groups
    # AI-113..116 belong to an internal postmortem.
    assert "AI-114" not in public and "AI-113" not in public
    internal = pages(example, "internal")["actions.md"]
    assert "AI-114" in internal and "**Inês Carvalho**" in internal


def test_nothing_overdue_before_the_due_date(example):
    early = pages(example, "public", datetime(2026, 11, 1, tzinfo=timezone.utc))["actions.md"]
    # The note is shown, and every row of the overdue table waits for its first late day.
    assert '<p class="opsbook-empty" data-empty-for="overdue">Nothing is overdue.</p>' in early
    overdue = early[early.index("## Overdue"):early.index("## By team and owner")]
    assert '<span class="opsbook-row-when" ' not in overdue and "opsbook-row-when opsbook-out" in overdue


def test_data_is_escaped_and_restricted_items_never_appear(tmp_path):
    evil = BASE_FILES["incidents/INC-2026-001.yaml"].replace(
        "title: Card payments failing at checkout", 'title: "<script>alert(1)</script> | x"')
    pm = BASE_FILES["postmortems/2026/2026-03-14-card-payments.md"].replace(
        "visibility: internal", "visibility: restricted").replace("Automate acquirer failover", "Canary 7f3a")
    root = make_kb(tmp_path, {"incidents/INC-2026-001.yaml": evil, "postmortems/2026/2026-03-14-card-payments.md": pm})
    kb, _ = load(root)
    for audience in ("public", "internal"):
        shown = pages(kb, audience, datetime(2026, 6, 1, tzinfo=timezone.utc))
        assert "<script>" not in shown["incidents/index.md"] and "&lt;script&gt;" in shown["incidents/index.md"]
        assert "<script>" not in shown["incidents/INC-2026-001.md"]
        assert "Canary 7f3a" not in shown["actions.md"]


# --- runbooks where they help (issue 16, part 3) --------------------------------------------

REFUNDS = """---
title: Refund failures
service: payments-api
owner: payments
alerts: [RefundErrors]
---
# Refund failures

## Trigger

RefundErrors fires.
"""


def _incident(ident: str, declared: str, public: bool, services: str, runbooks: str = "[]") -> str:
    return (f"id: {ident}\ntitle: Incident {ident} <b>\nseverity: SEV2\nstatus: resolved\nservices: {services}\n"
            f"declared: {declared}\nresolved: {declared[:11]}23:00:00Z\npublic: {str(public).lower()}\n"
            f"runbooks: {runbooks}\n")


@pytest.fixture
def linked(tmp_path):
    root = make_kb(tmp_path, {
        "runbooks/payments/refunds.md": REFUNDS,
        # Not on the status page: internal readers only.
        "incidents/INC-2026-002.yaml": _incident("INC-2026-002", "2026-04-01T10:00:00Z", False, "[payments-api]"),
        # Another service, but it names the checkout runbook (its alert's runbook).
        "incidents/INC-2026-003.yaml": _incident("INC-2026-003", "2026-05-01T10:00:00Z", True, "[checkout-web]",
                                                 "[payments/checkout-errors]"),
    })
    kb, diags = load(root)
    assert kb is not None, diags
    return kb


def test_incident_pages_and_list_link_their_runbooks(linked):
    shown = {path: page.markdown for path, page in render_pages(linked, "public", AS_OF).items()
             if path.endswith(".md")}
    # Named runbooks first (the alert's), then the other runbooks of its services.
    assert ("- **Runbooks:** [Checkout error rate high](../runbooks/payments/checkout-errors.md), "
            "[Refund failures](../runbooks/payments/refunds.md)") in shown["incidents/INC-2026-001.md"]
    assert "- **Runbooks:** [Checkout error rate high](../runbooks/payments/checkout-errors.md)\n" \
           in shown["incidents/INC-2026-003.md"]
    index = shown["incidents/index.md"]
    assert "| Date | Incident | Severity | Duration | Affected | Runbooks |" in index
    row = next(line for line in index.splitlines() if "INC-2026-003.md" in line)
    assert row.endswith("| [Checkout error rate high](../runbooks/payments/checkout-errors.md) |")


@pytest.mark.parametrize("audience,expected", [
    ("public", ["INC-2026-003", "INC-2026-001"]),                   # newest first; 002 was never public
    ("internal", ["INC-2026-003", "INC-2026-002", "INC-2026-001"]),
])
def test_runbook_pages_list_recent_incidents_of_their_service(linked, audience, expected):
    page = render_pages(linked, audience, AS_OF)["runbooks/payments/checkout-errors.md"].markdown
    section = page[page.index("## Recent incidents"):]
    listed = [line.split("](../../incidents/")[1].split(".md")[0] for line in section.splitlines()
              if "](../../incidents/" in line]
    assert listed == expected
    assert "Incident INC\\-2026\\-003 &lt;b&gt;" not in section  # titles are escaped data...
    assert "INC-2026-003: Incident INC-2026-003 &lt;b&gt;" in section  # ...as their own text
    # Refunds serves payments-api too but is named by no incident: only its service's incidents.
    refunds = render_pages(linked, audience, AS_OF)["runbooks/payments/refunds.md"].markdown
    assert ("INC-2026-003" in refunds) is False


def test_runbook_lists_at_most_five_recent_incidents(tmp_path):
    files = {f"incidents/INC-2026-1{n:02d}.yaml": _incident(f"INC-2026-1{n:02d}", f"2026-0{n}-01T10:00:00Z", True,
                                                            "[payments-api]") for n in range(1, 8)}
    kb, _ = load(make_kb(tmp_path, files))
    page = render_pages(kb, "public", AS_OF)["runbooks/payments/checkout-errors.md"].markdown
    section = page[page.index("## Recent incidents"):]
    # The five newest of INC-2026-101..107 (Jan..Jul 1st) and the base INC-2026-001 (Mar 14):
    # 107, 106, 105, 104, 001; 103 (Mar 1st) and older are left out.
    assert [n for n in range(1, 8) if f"INC-2026-1{n:02d}.md" in section] == [4, 5, 6, 7]
    assert "INC-2026-001.md" in section

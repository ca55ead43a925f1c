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
    assert "| AI-107 |" in overdue and "| 11 |" in overdue
    groups = public[public.index("## By team and owner"):]
    assert groups.index("### Data") < groups.index("### Identity") < groups.index("### Platform")  # overdue first
    assert "**Arjun Mehta**" in groups and "(**overdue 11 d**)" in groups
    # AI-113..116 belong to an internal postmortem.
    assert "AI-114" not in public and "AI-113" not in public
    internal = pages(example, "internal")["actions.md"]
    assert "AI-114" in internal and "**Inês Carvalho**" in internal


def test_nothing_overdue_before_the_due_date(example):
    early = pages(example, "public", datetime(2026, 11, 1, tzinfo=timezone.utc))["actions.md"]
    assert "Nothing is overdue." in early


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

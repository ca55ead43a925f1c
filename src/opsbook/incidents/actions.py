"""Action items across every postmortem: queries, and closing or reopening one in place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from opsbook.incidents.yamledit import (
    EditError,
    edit_file,
    edit_front_matter_text,
    iso_date,
)
from opsbook.model.kb import KnowledgeBase
from opsbook.model.postmortem import ActionItem, Postmortem


@dataclass(frozen=True)
class Row:
    item: ActionItem
    postmortem: Postmortem
    team: str | None
    """The owner's team (the first team listing them), or the owner itself when it is a team."""
    age_days: int | None
    """Days since the postmortem's date."""
    overdue_days: int
    """Days past due for an open item; 0 otherwise."""

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0

    def as_json(self, kb: KnowledgeBase) -> dict:
        from opsbook.humanize import person_name

        item = self.item
        return {
            "id": item.id, "title": item.title, "owner": item.owner,
            "owner_name": person_name(kb, item.owner) or None,
            "team": self.team, "status": item.status, "type": item.type, "due": item.due.isoformat() if item.due else None,
            "overdue_days": self.overdue_days, "age_days": self.age_days, "ticket": item.ticket,
            "closed": item.closed.isoformat() if item.closed else None,
            "postmortem": self.postmortem.id, "incident": self.postmortem.main_incident,
            "incidents": list(self.postmortem.incident_ids),
            "file": self.postmortem.file.relative_to(kb.root).as_posix(),
        }


def team_of(kb: KnowledgeBase, owner: str | None) -> str | None:
    if owner is None:
        return None
    if owner in kb.teams:
        return owner
    return next((team.id for team in kb.teams.values() if owner in team.members), None)


def today(kb: KnowledgeBase, now: datetime) -> date:
    return now.astimezone(kb.zone).date()


def rows(kb: KnowledgeBase, now: datetime, postmortems: list[Postmortem] | None = None) -> list[Row]:
    day = today(kb, now)
    out = []
    for pm in postmortems if postmortems is not None else kb.postmortem_list:
        for item in pm.action_items:
            overdue = (day - item.due).days if item.is_open and item.due and item.due < day else 0
            age = (day - pm.date).days if pm.date else None
            out.append(Row(item, pm, team_of(kb, item.owner), age, overdue))
    return out


def select(found: list[Row], owner: str | None = None, team: str | None = None, overdue: bool = False,
           include_closed: bool = False) -> list[Row]:
    """Filtered, most overdue first, then open before closed, then by due date (undated last) and id."""
    chosen = [r for r in found
              if (include_closed or r.item.is_open)
              and (owner is None or r.item.owner == owner)
              and (team is None or r.team == team)
              and (not overdue or r.overdue)]
    return sorted(chosen, key=lambda r: (-r.overdue_days, not r.item.is_open, r.item.due or date.max, r.item.id))


def find(kb: KnowledgeBase, item_id: str) -> tuple[Postmortem, int] | None:
    for pm in kb.postmortem_list:
        for index, item in enumerate(pm.action_items):
            if item.id == item_id or item.id.upper() == item_id.upper():
                return pm, index
    return None


def set_status(path: Path, item_id: str, status: str, closed: date | None) -> str:
    """Set one item's status in the front matter (and its closed date); comments,
    order and the body are kept as they are."""

    def change(data) -> None:
        items = data.get("action_items") or []
        for item in items:
            if isinstance(item, dict) and str(item.get("id")) == item_id:
                item["status"] = status
                if closed is not None:
                    item["closed"] = iso_date(closed)
                else:
                    item.pop("closed", None)
                return
        raise EditError(f"action item {item_id} is no longer in {path.name}")

    def check(text: str) -> None:
        from opsbook.incidents.scaffold import parse_postmortem

        parse_postmortem(path, text)

    return edit_file(path, lambda old: edit_front_matter_text(old, change), check=check)

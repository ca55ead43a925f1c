"""`schedules/people.yaml`: who can be paged, and the teams they form."""

from __future__ import annotations

from pydantic import Field

from opsbook.model.base import Document, Line, Slug, Strict, Text, TimeZone


class Person(Strict):
    id: Slug
    name: Line
    email: Line | None = None
    timezone: TimeZone | None = None
    """Where the person lives; on-call reports count night hours in it."""
    slack: str | None = Field(default=None, pattern=r"^[UW][A-Z0-9]{6,12}$")
    """Slack member id (U0...), used to mention the person."""
    phone: Line | None = None
    github: Line | None = None


class Team(Strict):
    id: Slug
    name: Line
    members: list[Slug] = []
    lead: Slug | None = None
    slack_channel: Line | None = None
    description: Text = ""


class PeopleFile(Document):
    people: list[Person] = []
    teams: list[Team] = []

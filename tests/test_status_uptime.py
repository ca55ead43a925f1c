"""Uptime arithmetic and the current-status engine, on hand-made public pages.

Table-driven: each case is a few incidents or windows and the seconds of
downtime, the day status and the uptime a reader would see.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from opsbook.statuspage.current import current_status, maintenance_status
from opsbook.statuspage.public import (
    PublicComponent,
    PublicIncident,
    PublicMaintenance,
    PublicMaintenanceUpdate,
    PublicPage,
    PublicUpdate,
)
from opsbook.statuspage.uptime import Interval, merge, uptime_report

UTC = timezone.utc


def t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def incident(ident: str, *updates: tuple[str, str, dict[str, str]], impact: str = "none") -> PublicIncident:
    return PublicIncident(ident, f"Incident {ident}", impact,
                          tuple(PublicUpdate(t(at), stage, "message", tuple(comps.items())) for at, stage, comps in updates))


def page(now: str, incidents=(), maintenance=(), since: date | None = None, zone: str = "UTC") -> PublicPage:
    return PublicPage(id="p", name="Test", url=None, zone=ZoneInfo(zone), now=t(now), groups=(),
                      components=(PublicComponent("api", "API", None, "", since, 0),
                                  PublicComponent("web", "Web", None, "", None, 1)),
                      incidents=tuple(incidents), maintenance=tuple(maintenance))


def day_of(report, component: str, day: str):
    return next(d for d in report[component].days if d.day == date.fromisoformat(day))


HOUR = 3600.0


@pytest.mark.parametrize("name,incidents,day,expected_seconds,expected_status", [
    ("one major outage hour",
     [incident("A", ("2026-05-10T10:00Z", "investigating", {"api": "major_outage"}),
               ("2026-05-10T11:00Z", "resolved", {"api": "operational"}))],
     "2026-05-10", {"major_outage": HOUR}, "major_outage"),
    ("overlapping incidents: the worst wins, time counted once",
     [incident("A", ("2026-05-10T10:00Z", "investigating", {"api": "partial_outage"}),
               ("2026-05-10T12:00Z", "resolved", {"api": "operational"})),
      incident("B", ("2026-05-10T11:00Z", "investigating", {"api": "major_outage"}),
               ("2026-05-10T11:30Z", "resolved", {"api": "operational"}))],
     "2026-05-10", {"partial_outage": 1.5 * HOUR, "major_outage": 0.5 * HOUR}, "major_outage"),
    ("identical overlap is not counted twice",
     [incident("A", ("2026-05-10T10:00Z", "investigating", {"api": "major_outage"}),
               ("2026-05-10T11:00Z", "resolved", {})),
      incident("B", ("2026-05-10T10:00Z", "investigating", {"api": "major_outage"}),
               ("2026-05-10T11:00Z", "resolved", {}))],
     "2026-05-10", {"major_outage": HOUR}, "major_outage"),
    ("status changes within an incident",
     [incident("A", ("2026-05-10T10:00Z", "investigating", {"api": "major_outage"}),
               ("2026-05-10T10:30Z", "monitoring", {"api": "degraded_performance"}),
               ("2026-05-10T11:00Z", "monitoring", {"api": "operational"}),
               ("2026-05-10T12:00Z", "resolved", {}))],
     "2026-05-10", {"major_outage": 0.5 * HOUR, "degraded_performance": 0.5 * HOUR}, "major_outage"),
    ("across midnight: the first day's share",
     [incident("A", ("2026-05-10T23:00Z", "investigating", {"api": "major_outage"}),
               ("2026-05-11T01:00Z", "resolved", {"api": "operational"}))],
     "2026-05-10", {"major_outage": HOUR}, "major_outage"),
    ("across midnight: the second day's share",
     [incident("A", ("2026-05-10T23:00Z", "investigating", {"api": "major_outage"}),
               ("2026-05-11T01:00Z", "resolved", {"api": "operational"}))],
     "2026-05-11", {"major_outage": HOUR}, "major_outage"),
    ("still open: counts up to now",
     [incident("A", ("2026-06-01T10:00Z", "identified", {"api": "partial_outage"}))],
     "2026-06-01", {"partial_outage": 2 * HOUR}, "partial_outage"),
    ("another component is not affected",
     [incident("A", ("2026-05-10T10:00Z", "investigating", {"web": "major_outage"}),
               ("2026-05-10T11:00Z", "resolved", {}))],
     "2026-05-10", {}, "operational"),
])
def test_day_seconds(name, incidents, day, expected_seconds, expected_status):
    report = uptime_report(page("2026-06-01T12:00Z", incidents))
    bar = day_of(report, "api", day)
    assert bar.seconds == expected_seconds
    assert bar.status == expected_status


def test_weights_partial_outage_counts_thirty_percent_degraded_none():
    incidents = [incident("A", ("2026-05-10T00:00Z", "investigating", {"api": "partial_outage"}),
                          ("2026-05-10T10:00Z", "monitoring", {"api": "degraded_performance"}),
                          ("2026-05-10T20:00Z", "resolved", {"api": "operational"}))]
    bar = day_of(uptime_report(page("2026-06-01T12:00Z", incidents)), "api", "2026-05-10")
    assert bar.downtime == pytest.approx(0.3 * 10 * HOUR)
    assert bar.uptime == pytest.approx(1 - 3 / 24)


def test_maintenance_counts_as_under_maintenance_not_downtime():
    window = PublicMaintenance("db", "DB upgrade", "", t("2026-05-10T02:00Z"), t("2026-05-10T04:00Z"), ("api",),
                               (PublicMaintenanceUpdate(t("2026-05-01T00:00Z"), "scheduled", "soon"),))
    report = uptime_report(page("2026-06-01T12:00Z", maintenance=[window]))
    bar = day_of(report, "api", "2026-05-10")
    assert bar.seconds == {"under_maintenance": 2 * HOUR}
    assert bar.status == "under_maintenance"
    assert bar.downtime == 0
    assert report["api"].uptime == 1


def test_outage_during_maintenance_outranks_it():
    window = PublicMaintenance("db", "DB upgrade", "", t("2026-05-10T02:00Z"), t("2026-05-10T04:00Z"), ("api",), ())
    outage = incident("A", ("2026-05-10T03:00Z", "investigating", {"api": "major_outage"}),
                      ("2026-05-10T05:00Z", "resolved", {}))
    bar = day_of(uptime_report(page("2026-06-01T12:00Z", [outage], [window])), "api", "2026-05-10")
    assert bar.seconds == {"under_maintenance": HOUR, "major_outage": 2 * HOUR}


def test_component_added_ten_days_ago_has_no_data_before():
    report = uptime_report(page("2026-06-01T12:00Z", since=date(2026, 5, 22)))
    days = report["api"].days
    assert len(days) == 90
    assert [d.status for d in days].count("no_data") == 79  # 4 March to 21 May
    assert days[78].status == "no_data" and days[79].status == "operational"
    assert report["api"].observed == pytest.approx((10 * 24 + 12) * HOUR)  # 22 to 31 May, and today so far
    # Without a `since` the whole window counts.
    assert [d.status for d in report["web"].days].count("no_data") == 0


def test_no_history_at_all_is_not_a_crash():
    report = uptime_report(page("2026-06-01T12:00Z", since=date(2026, 6, 2)))
    assert report["api"].uptime is None
    assert all(d.status == "no_data" for d in report["api"].days)


@pytest.mark.parametrize("zone,day,hours", [
    ("America/New_York", "2026-03-08", 23),     # spring forward
    ("America/New_York", "2026-11-01", 25),     # fall back
    ("Europe/London", "2026-10-25", 25),
    ("Australia/Lord_Howe", "2026-04-05", 24.5),  # 30-minute DST change
    ("Australia/Lord_Howe", "2026-10-04", 23.5),
])
def test_days_are_local_calendar_days_across_dst(zone, day, hours):
    start = datetime.fromisoformat(day + "T00:00").replace(tzinfo=ZoneInfo(zone))
    whole_day = incident("A", (start.astimezone(UTC).isoformat(), "investigating", {"api": "major_outage"}),
                         ((start + timedelta(days=2)).astimezone(UTC).isoformat(), "resolved", {}))
    now = (start + timedelta(days=10)).astimezone(UTC).isoformat()
    report = uptime_report(page(now, [whole_day], zone=zone))
    bar = day_of(report, "api", day)
    assert bar.observed == pytest.approx(hours * HOUR)
    assert bar.seconds == {"major_outage": pytest.approx(hours * HOUR)}
    assert bar.uptime == 0


def test_merge_joins_touching_spans_of_one_status():
    a = Interval(t("2026-05-10T10:00Z"), t("2026-05-10T11:00Z"), "degraded_performance")
    b = Interval(t("2026-05-10T11:00Z"), t("2026-05-10T12:00Z"), "degraded_performance")
    assert merge([b, a]) == [Interval(a.start, b.end, "degraded_performance")]


@pytest.mark.parametrize("now,posted,expected", [
    ("2026-05-09T00:00Z", ["scheduled"], "scheduled"),
    ("2026-05-10T03:00Z", ["scheduled"], "in_progress"),     # starts on its own
    ("2026-05-10T05:00Z", ["scheduled"], "completed"),       # and completes on its own
    ("2026-05-10T03:00Z", ["scheduled", "verifying"], "verifying"),
    ("2026-05-10T03:30Z", ["scheduled", "in_progress", "completed"], "completed"),  # finished early
])
def test_maintenance_status(now, posted, expected):
    at = [t("2026-05-01T00:00Z"), t("2026-05-10T02:00Z"), t("2026-05-10T03:10Z")]
    window = PublicMaintenance("db", "DB", "", t("2026-05-10T02:00Z"), t("2026-05-10T04:00Z"), ("api",),
                               tuple(PublicMaintenanceUpdate(at[i], s, "m") for i, s in enumerate(posted)))
    assert maintenance_status(window, t(now)) == expected


@pytest.mark.parametrize("components,impact,indicator,description", [
    ({"api": "degraded_performance"}, "none", "minor", "Minor Service Outage"),
    ({"api": "partial_outage"}, "none", "major", "Partial System Outage"),
    ({"api": "major_outage"}, "none", "critical", "Major System Outage"),
    ({"api": "major_outage"}, "minor", "minor", "Minor Service Outage"),  # declared impact is the override
])
def test_indicator_from_open_incidents(components, impact, indicator, description):
    open_one = incident("A", ("2026-06-01T10:00Z", "investigating", components), impact=impact)
    current = current_status(page("2026-06-01T12:00Z", [open_one]))
    assert (current.indicator, current.description) == (indicator, description)
    assert current.components["api"] == components["api"]


def test_resolved_incident_leaves_everything_operational():
    done = incident("A", ("2026-06-01T10:00Z", "investigating", {"api": "major_outage"}),
                    ("2026-06-01T11:00Z", "resolved", {"api": "operational"}))
    current = current_status(page("2026-06-01T12:00Z", [done]))
    assert current.indicator == "none" and set(current.components.values()) == {"operational"}
    assert current.incidents == ()

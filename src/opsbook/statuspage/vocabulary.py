"""The Statuspage vocabulary: statuses, their order, words and symbols.

The page shows every status as text plus a symbol, never by colour alone, so
each status carries both here, in one table the HTML, badges and CLI share.
"""

from __future__ import annotations

# Worst last. Maintenance is planned and announced, so any unplanned
# degradation outranks it when a component has both at once.
COMPONENT_ORDER: tuple[str, ...] = ("operational", "under_maintenance", "degraded_performance",
                                    "partial_outage", "major_outage")
COMPONENT_RANK = {status: rank for rank, status in enumerate(COMPONENT_ORDER)}

COMPONENT_LABEL = {
    "operational": "Operational",
    "under_maintenance": "Under maintenance",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
}
# Plain Unicode symbols: no icon font, no network, readable in a terminal.
COMPONENT_SYMBOL = {
    "operational": "✓",
    "under_maintenance": "⚙",
    "degraded_performance": "◐",
    "partial_outage": "▲",
    "major_outage": "✕",
}

INDICATORS: tuple[str, ...] = ("none", "minor", "major", "critical")
INDICATOR_RANK = {indicator: rank for rank, indicator in enumerate(INDICATORS)}
# Statuspage's own descriptions of the page indicator.
INDICATOR_DESCRIPTION = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major System Outage",
}
MAINTENANCE_DESCRIPTION = "Service Under Maintenance"
# A component status implies at least this incident impact (Statuspage's rule).
IMPACT_OF_COMPONENT = {
    "operational": "none",
    "under_maintenance": "none",
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
}

STAGE_LABEL = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
    "postmortem": "Postmortem",
}
MAINTENANCE_ORDER: tuple[str, ...] = ("scheduled", "in_progress", "verifying", "completed")
MAINTENANCE_RANK = {status: rank for rank, status in enumerate(MAINTENANCE_ORDER)}
MAINTENANCE_LABEL = {
    "scheduled": "Scheduled",
    "in_progress": "In progress",
    "verifying": "Verifying",
    "completed": "Completed",
}
IMPACT_LABEL = {"none": "No impact", "minor": "Minor", "major": "Major", "critical": "Critical",
                "maintenance": "Maintenance"}

# Uptime weights: the share of a period that counts as downtime. These are
# Statuspage's published weights, so numbers compare with hosted pages: a major
# outage is full downtime, a partial outage 30 %, degraded performance and
# planned maintenance none (the page still shows them on the bar).
DOWNTIME_WEIGHT = {
    "operational": 0.0,
    "under_maintenance": 0.0,
    "degraded_performance": 0.0,
    "partial_outage": 0.3,
    "major_outage": 1.0,
}


def worst(statuses) -> str:
    """The worst component status of several; operational when there are none."""
    return max(statuses, key=COMPONENT_RANK.__getitem__, default="operational")

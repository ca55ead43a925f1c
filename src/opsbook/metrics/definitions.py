"""What each figure means, defined once: the CLI, the JSON, the site page and
the tests all read these definitions.

Statistics
----------
* **median**: the middle value; with an even count, the mean of the two middle
  values (``statistics.median``). Half of the incidents took longer.
* **p90**: nearest rank: the value at rank ``ceil(0.9 * n)`` of the values sorted
  ascending (1-based). It never interpolates, so it is always a duration some
  incident really had, and with fewer than ten incidents it is the longest one:
  a small sample cannot claim more than that.
* **mean**: the arithmetic mean, shown for completeness; a few long incidents
  dominate it, which is why the median and p90 come first.

Every figure carries its sample size ``n``.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass


def nearest_rank(values: list[float], percent: float) -> float | None:
    """The nearest-rank percentile of ``values``; None for no values."""
    if not values:
        return None
    if not 0 < percent <= 100:
        raise ValueError(f"percent must be in (0, 100]; got {percent}")
    ordered = sorted(values)
    return ordered[max(math.ceil(percent / 100 * len(ordered)), 1) - 1]


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


@dataclass(frozen=True)
class MeasureDef:
    id: str
    name: str
    start: tuple[str, ...]
    """Milestones the span starts at: the first one the incident has is used."""
    end: str
    meaning: str


# Response times. A span needs both of its milestones. An incident that lacks
# the start (or lacks the end while it is resolved) is *missing* for that figure
# and named, never guessed; an open incident without the end yet is *open*,
# listed apart with its age, not counted as fast or slow.
MEASURES: tuple[MeasureDef, ...] = (
    MeasureDef("detect", "Time to detect", ("started",), "detected",
               "from when impact began (started) to the first alert or report (detected)"),
    MeasureDef("acknowledge", "Time to acknowledge", ("detected", "declared"), "acknowledged",
               "from detected (or, without it, declared) to acknowledged: how long a page waited for a person"),
    MeasureDef("mitigate", "Time to mitigate", ("started",), "mitigated",
               "from when impact began (started) to when customers stopped feeling it (mitigated)"),
    MeasureDef("resolve", "Time to resolve", ("started",), "resolved",
               "from when impact began (started) to resolved"),
)
MEASURE_IDS = tuple(m.id for m in MEASURES)

# Incidents declared during a primary shift, by the local time in the on-call
# person's own zone. Sleep wins over the other two.
SLEEP_FROM_HOUR, SLEEP_TO_HOUR = 22, 8
BUSINESS_FROM_HOUR, BUSINESS_TO_HOUR = 8, 18  # Monday to Friday
BUCKETS = ("business_hours", "evenings_weekends", "sleep")
BUCKET_LABEL = {"business_hours": "Business hours", "evenings_weekends": "Evenings and weekends", "sleep": "Sleep hours"}
BUCKET_MEANING = {
    "business_hours": "Monday to Friday, 08:00-18:00",
    "evenings_weekends": "18:00-22:00 on weekdays, 08:00-22:00 on Saturday and Sunday",
    "sleep": "22:00-08:00, any day",
}

# On-call flags.
SHARE_LIMIT = 0.25
"""A person on call as primary for more than this share of the window's hours."""
PER_SHIFT_LIMIT = 2
"""More incidents than this declared in one primary shift."""

DEFAULT_WINDOW_DAYS = 90

BY_CHOICES = ("severity", "service", "team", "month")

"""Customer-impact minutes per status-page component, counted as the status page
counts them: the public projection (``statuspage.public``) and its intervals
(``statuspage.uptime``), overlapping incidents merged with the worst status
winning, downtime weighted by Statuspage's weights. Only the part inside the
window (and before ``now``) counts. Maintenance is planned, not impact: left out.
"""

from __future__ import annotations

from datetime import datetime

from opsbook.metrics.model import ComponentImpact
from opsbook.model.kb import KnowledgeBase
from opsbook.statuspage.public import public_page
from opsbook.statuspage.uptime import Interval, incident_intervals, merge
from opsbook.statuspage.vocabulary import DOWNTIME_WEIGHT


def customer_impact(kb: KnowledgeBase, start: datetime, end: datetime, now: datetime) -> list[ComponentImpact] | None:
    if kb.status is None:
        return None
    page = public_page(kb, now)
    stop = min(end, now)
    spans: dict[str, list[Interval]] = {c.id: [] for c in page.components}
    touched: dict[str, set[str]] = {c.id: set() for c in page.components}
    for incident in page.incidents:
        for component, intervals in incident_intervals(incident, now).items():
            for span in intervals:
                begin, finish = max(span.start, start), min(span.end, stop)
                if finish > begin:
                    spans[component].append(Interval(begin, finish, span.status))
                    touched[component].add(incident.id)
    out = []
    for component in page.components:
        minutes: dict[str, float] = {}
        for span in merge(spans[component.id]):
            minutes[span.status] = minutes.get(span.status, 0.0) + (span.end - span.start).total_seconds() / 60
        downtime = sum(DOWNTIME_WEIGHT[status] * value for status, value in minutes.items())
        out.append(ComponentImpact(component=component.id, name=component.name,
                                   incidents=sorted(touched[component.id]),
                                   minutes={k: round(v, 2) for k, v in sorted(minutes.items())},
                                   downtime_minutes=round(downtime, 2)))
    return out

"""Response times: one span per incident and measure, then n, median, p90, mean."""

from __future__ import annotations

from opsbook.metrics.definitions import MEASURES, MeasureDef, mean, median, nearest_rank
from opsbook.metrics.model import Measure, Summary
from opsbook.model.incident import Incident


def span_seconds(incident: Incident, measure: MeasureDef) -> float | str:
    """Seconds of the span, or why it cannot be counted: "missing" or "open".

    Instants are UTC in the model, so an incident across a DST change counts
    the time that really passed."""
    start = next((getattr(incident, name) for name in measure.start if getattr(incident, name) is not None), None)
    end = getattr(incident, measure.end)
    if end is None and incident.is_open:
        return "open"
    if start is None or end is None:
        return "missing"
    return (end - start).total_seconds()


def summarise(incidents: list[Incident], measure: MeasureDef) -> Measure:
    values: list[float] = []
    missing: list[str] = []
    still_open: list[str] = []
    for incident in incidents:
        got = span_seconds(incident, measure)
        if got == "open":
            still_open.append(incident.id)
        elif got == "missing":
            missing.append(incident.id)
        else:
            values.append(got)  # type: ignore[arg-type]
    return Measure(id=measure.id, name=measure.name, definition=measure.meaning, summary=Summary(
        n=len(values), median_seconds=median(values), p90_seconds=nearest_rank(values, 90),
        mean_seconds=mean(values), missing=sorted(missing), open=sorted(still_open)))


def response_times(incidents: list[Incident], measure_ids: tuple[str, ...]) -> list[Measure]:
    return [summarise(incidents, m) for m in MEASURES if m.id in measure_ids]

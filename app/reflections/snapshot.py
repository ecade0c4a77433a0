"""Freezing what a session saw, and telling what changed in the figures since.

A team's conclusions only make sense against the values they looked at. The snapshot
keeps those values and signals as they were that day; later revisions are shown next
to them, never instead of them.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.figures.context import IndicatorContext, PeriodRow, events_for
from app.figures.explained import runs_by_period, signal_runs, with_states
from app.figures.observations import series
from app.figures.periods import parse_period, period_of
from app.figures.signals import SignalPoint, signals_for
from app.models import Area, Indicator


def freeze(
    *, session: Session, indicator: Indicator, area: Area | None, end: date | None = None
) -> list[dict]:
    """Return the indicator's current values and signals as snapshot points (only the
    periods starting on or before ``end`` when given: what a team saw on a past day).

    The mean and process limits are kept too, so that the chart of the snapshot shows
    the usual variation as it was computed that day.
    """
    return [
        {
            "period": period_of(point.period_start, indicator.frequency).label,
            "value": point.value,
            "signal": str(point.signal),
            "mean": point.mean,
            "lpl": point.lpl,
            "upl": point.upl,
            # what the signal was made of, so the snapshot reads as the same signal object
            # every page uses (kept only where there is something to keep)
            **(
                {"rules": list(point.rules), "sides": list(point.sides)}
                if point.signal != "common"
                else {}
            ),
            **({"segment": point.segment} if point.segment else {}),
        }
        for point in signals_for(session=session, indicator=indicator, area=area, end=end)
    ]


def snapshot_panel(
    *, session: Session, indicator: Indicator, area: Area | None, snapshot: list[dict]
) -> IndicatorContext:
    """The frozen points as a chart panel, drawn like a live indicator chart, with the
    developments of its range that touch this figure (and area) as bands.

    Snapshots taken before the limits were kept have only values and signals: their
    chart shows the points coloured by signal without the mean and limit lines.

    The frozen signals are read as the one signal object (app/figures/explained.py) and
    given their state by the one rule, so a session's snapshot says what explains a
    signal exactly as the indicator page, the dashboard and the report do.
    """
    rows = []
    for point in snapshot:
        # Read the label in whatever notation it was stored, then as the indicator's
        # period: a snapshot is kept as it was written, never rewritten.
        period = period_of(parse_period(point["period"]).start, indicator.frequency)
        rows.append(
            PeriodRow(
                period=period,
                point=SignalPoint(
                    period_start=period.start,
                    value=point["value"],
                    mean=point.get("mean"),
                    lpl=point.get("lpl"),
                    upl=point.get("upl"),
                    signal=point["signal"],
                    rules=list(point.get("rules", [])),
                    side=(point.get("sides") or [None])[0],
                    segment=point.get("segment", 0),
                    sides=tuple(point.get("sides", [])),
                ),
            )
        )
    runs = with_states(
        session,
        signal_runs(
            [row.point for row in rows],
            indicator.frequency,
            indicator_id=indicator.id or 0,
            area_id=area.id if area else None,
        ),
    )
    by_period = runs_by_period(runs)
    for row in rows:
        row.run = by_period.get(row.period.start)
    events = (
        events_for(
            session,
            indicators=[indicator],
            area=area,
            start=rows[0].period.start,
            end=rows[-1].period.end,
        )
        if rows
        else []
    )
    return IndicatorContext(indicator=indicator, area=area, rows=rows, events=events, runs=runs)


@dataclass(frozen=True)
class Revision:
    """A snapshot value that reads differently now (``new`` is None when removed)."""

    period: str
    old: float
    new: float | None


def revisions_since(
    *, session: Session, indicator: Indicator, area: Area | None, snapshot: list[dict]
) -> list[Revision]:
    """Compare the frozen points with the current series of the same figure."""
    current = {
        period_of(day, indicator.frequency).label: value
        for day, value in series(session=session, indicator=indicator, area=area)
    }
    return [
        Revision(point["period"], point["value"], current.get(point["period"]))
        for point in snapshot
        if current.get(point["period"]) != point["value"]
    ]

"""Freezing what a session saw, and telling what changed in the figures since.

A team's conclusions only make sense against the values they looked at. The snapshot
keeps those values and signals as they were that day; later revisions are shown next
to them, never instead of them.
"""

from dataclasses import dataclass

from sqlmodel import Session

from app.figures.observations import series
from app.figures.periods import period_of
from app.figures.signals import signals_for
from app.models import Area, Indicator


def freeze(*, session: Session, indicator: Indicator, area: Area | None) -> list[dict]:
    """Return the indicator's current values and signals as snapshot points."""
    return [
        {
            "period": period_of(point.period_start, indicator.frequency).label,
            "value": point.value,
            "signal": str(point.signal),
        }
        for point in signals_for(session=session, indicator=indicator, area=area)
    ]


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

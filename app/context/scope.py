"""Which figures a context event touches: the one rule every page, chart and break uses.

An event names themes (none = all), and may name indicators and districts more narrowly:
named indicators are the figures it touches (whatever their themes), named districts the
only series it touches. The whole municipality's series is touched only by an event
without districts.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, or_, select

from app.models import ContextEvent, ContextEventArea, ContextEventIndicator, ContextEventTheme


@dataclass(frozen=True)
class EventScope:
    """An event with the ids of the themes, indicators and districts it names."""

    event: ContextEvent
    themes: frozenset[int]
    indicators: frozenset[int]
    areas: frozenset[int]

    def touches(
        self,
        indicator_id: int | None,
        theme_ids: Iterable[int],
        area_id: int | None,
        *,
        any_area: bool = False,
    ) -> bool:
        """Whether the event touches the series of ``indicator_id`` for ``area_id`` (None =
        the municipality); ``any_area`` also counts events about some district only, as a
        municipality-wide page lists them."""
        if self.indicators:
            if indicator_id not in self.indicators:
                return False
        elif self.themes and not self.themes & set(theme_ids):
            return False
        return any_area or not self.areas or area_id in self.areas


def scopes(
    session: Session,
    *,
    breaks_only: bool = False,
    start: date | None = None,
    end: date | None = None,
) -> list[EventScope]:
    """Every event (only breaks, or only those overlapping [start, end]) with what it
    names, in four queries, ordered by start."""
    query = select(ContextEvent).order_by(col(ContextEvent.starts_on), col(ContextEvent.id))
    if breaks_only:
        query = query.where(col(ContextEvent.is_break).is_(True))
    if end is not None:
        query = query.where(col(ContextEvent.starts_on) <= end)
    if start is not None:
        query = query.where(
            or_(col(ContextEvent.ends_on).is_(None), col(ContextEvent.ends_on) >= start)
        )
    events = session.exec(query).all()
    names: dict[str, dict[int, set[int]]] = {}
    for kind, table, column in (
        ("themes", ContextEventTheme, ContextEventTheme.theme_id),
        ("indicators", ContextEventIndicator, ContextEventIndicator.indicator_id),
        ("areas", ContextEventArea, ContextEventArea.area_id),
    ):
        found: dict[int, set[int]] = {}
        for event_id, named in session.exec(select(table.event_id, column)).all():
            found.setdefault(event_id, set()).add(named)
        names[kind] = found
    return [
        EventScope(
            event,
            frozenset(names["themes"].get(event.id or 0, ())),
            frozenset(names["indicators"].get(event.id or 0, ())),
            frozenset(names["areas"].get(event.id or 0, ())),
        )
        for event in events
    ]

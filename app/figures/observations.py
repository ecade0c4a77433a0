"""Observations: store an indicator's values, keep every old value, read them back as of D.

``upsert_observations`` is the single write path for the API, the CSV import and CBS:
it matches values by (indicator, area, period start), inserts new ones, moves a changed
value into ``observation_revision`` and leaves equal values alone. It works in bulk
(one query to load what exists, executemany for the writes) and never commits, so a
caller can make a whole import all-or-nothing.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, delete, func, insert, update
from sqlmodel import Session, col, select

from app import audit
from app.figures.areas import get_area
from app.figures.periods import Period, PeriodError, parse_period, period_range
from app.i18n import N_
from app.models import (
    Area,
    Indicator,
    Observation,
    ObservationRemoved,
    ObservationRevision,
    User,
    utcnow,
)
from app.problems import Invalid, Message, NotFound
from app.security.small_numbers import Masking


@dataclass(frozen=True, slots=True)
class ObservationInput:
    """One value to store; ``area`` None means the whole municipality."""

    period: Period
    value: float
    area: Area | None = None


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """One value as read from a file or from CBS, before it is checked.

    ``where`` is its line (or row) for messages; ``area`` a code, a name that matched
    nothing, or None for the whole municipality; ``status`` an ObservationStatus, or
    None when the source states none (a stored status is then kept).
    """

    where: int
    indicator: str
    period: str
    area: str | None
    value: float | None
    status: str | None = None


@dataclass
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: "UpsertResult") -> None:
        """Add another batch's counts to these."""
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged


@dataclass(frozen=True)
class KnownValue:
    """A value as it was (or is) known, with the area's code and when it was recorded."""

    period_start: date
    area: str | None
    value: float
    recorded_at: datetime
    status: str = ""  # an ObservationStatus: "provisional" shows as such beside the value


def upsert_observations(
    *,
    session: Session,
    indicator: Indicator,
    items: Iterable[ObservationInput],
    source: str,
    user: User | None = None,
    actor: str = "",
) -> UpsertResult:
    """Insert new values and revise changed ones for ``indicator``; do not commit.

    Raises ValueError for a value that is not finite, a period of another frequency,
    or the same area and period twice (callers validate first and report per item).
    """
    now = utcnow()
    result = UpsertResult()
    existing = {
        (area_id, start): (obs_id, value, recorded_at, obs_source, by_id)
        for obs_id, area_id, start, value, recorded_at, obs_source, by_id in session.exec(
            # sqlmodel types select() for at most four columns
            select(  # type: ignore[call-overload]
                col(Observation.id),
                col(Observation.area_id),
                col(Observation.period_start),
                col(Observation.value),
                col(Observation.recorded_at),
                col(Observation.source),
                col(Observation.recorded_by_id),
            ).where(col(Observation.indicator_id) == indicator.id)
        )
    }
    user_id = user.id if user else None
    seen: set[tuple[int | None, date]] = set()
    inserts, updates, revisions = [], [], []
    for item in items:
        if not math.isfinite(item.value):
            raise ValueError(f"value {item.value} for {item.period} is not a finite number")
        if item.period.frequency != indicator.frequency:
            raise ValueError(f"{item.period} is not of frequency {indicator.frequency}")
        key = (item.area.id if item.area else None, item.period.start)
        if key in seen:
            raise ValueError(f"{item.period} appears twice for the same area")
        seen.add(key)
        old = existing.get(key)
        if old is None:
            inserts.append(
                {
                    "indicator_id": indicator.id,
                    "area_id": key[0],
                    "period_start": key[1],
                    "value": float(item.value),
                    "recorded_at": now,
                    "source": source,
                    "recorded_by_id": user_id,
                }
            )
        elif old[1] == item.value:
            result.unchanged += 1
        else:
            obs_id, value, recorded_at, old_source, by_id = old
            revisions.append(
                {
                    "observation_id": obs_id,
                    "value": value,
                    "recorded_at": recorded_at,
                    "superseded_at": now,
                    "source": old_source,
                    "recorded_by_id": by_id,
                }
            )
            updates.append(
                {
                    "id": obs_id,
                    "value": float(item.value),
                    "recorded_at": now,
                    "source": source,
                    "recorded_by_id": user_id,
                }
            )
    if inserts:
        # Core executemany: the ORM's bulk path costs twice as much per row here.
        session.execute(insert(Observation.__table__), inserts)  # type: ignore[attr-defined]
    if revisions:
        session.execute(insert(ObservationRevision), revisions)
        session.execute(update(Observation), updates)
    result.inserted, result.updated = len(inserts), len(updates)
    record_upsert(
        session=session, indicator=indicator, result=result, source=source, user=user, actor=actor
    )
    return result


def record_upsert(
    *,
    session: Session,
    indicator: Indicator,
    result: UpsertResult,
    source: str,
    user: User | None = None,
    actor: str = "",
) -> None:
    """Write the audit entry of one indicator's upsert, when it changed anything."""
    if result.inserted or result.updated:
        audit.record(
            session=session,
            action="upsert",
            entity="observation",
            entity_id=indicator.slug,
            user=user,
            actor=actor or ("" if user else source),
            detail={"source": source, "inserted": result.inserted, "updated": result.updated},
        )


def _series_filters(
    table: type[Observation] | type[ObservationRemoved],
    indicator: Indicator,
    area: Area | None,
    all_areas: bool,
    start: date | None,
    end: date | None,
) -> list[ColumnElement[bool]]:
    """Which rows of ``table`` a listing of ``indicator`` covers: one area (None: the
    municipality) or ``all_areas``, between ``start`` and ``end``."""
    filters: list[ColumnElement[bool]] = [col(table.indicator_id) == indicator.id]
    if not all_areas:
        filters.append(col(table.area_id) == area.id if area else col(table.area_id).is_(None))
    if start is not None:
        filters.append(col(table.period_start) >= start)
    if end is not None:
        filters.append(col(table.period_start) <= end)
    return filters


def known_values(
    *,
    session: Session,
    indicator: Indicator,
    area: Area | None = None,
    all_areas: bool = False,
    start: date | None = None,
    end: date | None = None,
    as_of: datetime | None = None,
) -> list[KnownValue]:
    """Return the values of ``indicator`` ordered by period (then area code).

    ``area`` None means the whole municipality, unless ``all_areas`` asks for every
    area. With ``as_of`` the values are those known at that moment: the current row
    if it was recorded by then, otherwise the revision that was valid then.
    """
    filters = _series_filters(Observation, indicator, area, all_areas, start, end)
    if as_of is None:
        return [KnownValue(*row) for row in session.exec(_current(filters).order_by(*_ORDER))]
    queries = [
        _current([*filters, col(Observation.recorded_at) <= as_of]),
        # sqlmodel types select() for at most four columns
        select(  # type: ignore[call-overload]
            col(Observation.period_start),
            col(Area.code),
            col(ObservationRevision.value),
            col(ObservationRevision.recorded_at),
            col(ObservationRevision.status),
        )
        .join(ObservationRevision, ObservationRevision.observation_id == Observation.id)
        .outerjoin(Area, Area.id == Observation.area_id)
        .where(
            *filters,
            ObservationRevision.recorded_at <= as_of,
            ObservationRevision.superseded_at > as_of,
        ),
        _removed_as_of(indicator, area, all_areas, start, end, as_of),
    ]
    rows = [KnownValue(*row) for query in queries for row in session.exec(query)]
    rows.sort(key=lambda row: (row.period_start, row.area or ""))
    return rows


#: The order of a listing, in SQL as ``known_values`` sorts in Python: by period, the
#: municipality (no area code) before its districts.
_ORDER = (col(Observation.period_start), func.coalesce(col(Area.code), ""))


def _current(filters: list[ColumnElement[bool]]):
    """The current values the ``filters`` select, with their area's code."""
    # sqlmodel types select() for at most four columns
    return (
        select(  # type: ignore[call-overload]
            col(Observation.period_start),
            col(Area.code),
            col(Observation.value),
            col(Observation.recorded_at),
            col(Observation.status),
        )
        .outerjoin(Area, col(Area.id) == col(Observation.area_id))
        .where(*filters)
    )


def known_page(
    *,
    session: Session,
    indicator: Indicator,
    area: Area | None,
    all_areas: bool,
    start: date | None,
    end: date | None,
    as_of: datetime | None,
    limit: int | None,
    offset: int,
) -> tuple[list[KnownValue], int]:
    """One page of ``known_values`` and how many there are in all. The current values
    are paged and counted in SQL: a page of the API lists at most a thousand of an
    indicator's tens of thousands of district values, and reading them all to show one
    page was most of its time. Values as known at ``as_of`` (three tables) are paged
    after they are merged."""
    if as_of is not None or limit is None:
        rows = known_values(
            session=session,
            indicator=indicator,
            area=area,
            all_areas=all_areas,
            start=start,
            end=end,
            as_of=as_of,
        )
        return rows[offset : None if limit is None else offset + limit], len(rows)
    filters = _series_filters(Observation, indicator, area, all_areas, start, end)
    total = session.exec(select(func.count(col(Observation.id))).where(*filters)).one()
    page = session.exec(_current(filters).order_by(*_ORDER).limit(limit).offset(offset))
    return [KnownValue(*row) for row in page], total


def _removed_as_of(
    indicator: Indicator,
    area: Area | None,
    all_areas: bool,
    start: date | None,
    end: date | None,
    as_of: datetime,
):
    """The values of deleted observations that were true at ``as_of``."""
    removed = ObservationRemoved
    filters = _series_filters(removed, indicator, area, all_areas, start, end)
    # sqlmodel types select() for at most four columns
    return (
        select(  # type: ignore[call-overload]
            col(removed.period_start),
            col(Area.code),
            col(removed.value),
            col(removed.recorded_at),
            col(removed.status),
        )
        .outerjoin(Area, col(Area.id) == col(removed.area_id))
        .where(*filters, col(removed.recorded_at) <= as_of, col(removed.superseded_at) > as_of)
    )


NO_VALUE = N_("%(slug)s has no value for %(period)s in %(where)s.")
WHOLE_MUNICIPALITY = N_("the whole municipality")


def delete_observation(
    *, session: Session, indicator: Indicator, period: str, area: str | None, user: User
) -> KnownValue:
    """Delete the value of ``indicator`` for ``period`` and ``area`` (None: the whole
    municipality), e.g. one entered by mistake; audited; the caller commits.

    Nothing is lost: the value and its revisions move to ``observation_removed``, so the
    values as known before now still show it. ``period`` is read in any notation of the
    indicator's frequency, also outside 1900-2100 (a value stored before that bound).
    Raises Invalid for a period or area that cannot be read, NotFound when no value is
    stored there. Returns the value as it was."""
    try:
        parsed = parse_period(period, indicator.frequency, bounded=False)
    except PeriodError as error:
        raise error.at("period", part="path") from None
    area_row = None
    if area:
        area_row = session.exec(select(Area).where(col(Area.code) == area)).first()
        if area_row is None:
            raise Invalid.at("area", N_("unknown area '%(code)s'"), part="query", code=area)
    row = session.exec(
        select(Observation).where(
            col(Observation.indicator_id) == indicator.id,
            col(Observation.period_start) == parsed.start,
            col(Observation.area_id) == area_row.id
            if area_row
            else col(Observation.area_id).is_(None),
        )
    ).first()
    if row is None:
        where = area_row.code if area_row else Message(WHOLE_MUNICIPALITY)
        raise NotFound(NO_VALUE, slug=indicator.slug, period=parsed.label, where=where)
    now = utcnow()
    kept = {
        "indicator_id": indicator.id,
        "area_id": row.area_id,
        "period_start": row.period_start,
    }
    history = [
        {
            **kept,
            "value": revision.value,
            "recorded_at": revision.recorded_at,
            "superseded_at": revision.superseded_at,
            "source": revision.source,
            "recorded_by_id": revision.recorded_by_id,
            "status": revision.status,
        }
        for revision in session.exec(
            select(ObservationRevision).where(col(ObservationRevision.observation_id) == row.id)
        )
    ]
    history.append(
        {
            **kept,
            "value": row.value,
            "recorded_at": row.recorded_at,
            "superseded_at": now,
            "source": row.source,
            "recorded_by_id": row.recorded_by_id,
            "status": row.status,
        }
    )
    session.execute(insert(ObservationRemoved), history)
    session.execute(
        delete(ObservationRevision).where(col(ObservationRevision.observation_id) == row.id)
    )
    session.execute(delete(Observation).where(col(Observation.id) == row.id))
    audit.record(
        session=session,
        action="delete",
        entity="observation",
        entity_id=indicator.slug,
        user=user,
        detail={
            "period": parsed.label,
            "area": area_row.code if area_row else None,
            "value": row.value,
            "recorded_at": row.recorded_at.isoformat(),
        },
    )
    return KnownValue(
        row.period_start,
        area_row.code if area_row else None,
        row.value,
        row.recorded_at,
        row.status,
    )


def series(
    *,
    session: Session,
    indicator: Indicator,
    area: Area | None = None,
    start: date | None = None,
    end: date | None = None,
    as_of: datetime | None = None,
) -> list[tuple[date, float]]:
    """Return (period start, value) pairs of one area (None: municipality) in order."""
    return [
        (row.period_start, row.value)
        for row in known_values(
            session=session, indicator=indicator, area=area, start=start, end=end, as_of=as_of
        )
    ]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input item: ``where`` is its index or line number.

    ``message`` is English (CLI, API); pages translate ``template`` (an English msgid
    with ``%(name)s`` placeholders) filled with ``values``, which may be msgids too.
    """

    where: int
    field: str
    message: str
    template: str = ""
    values: dict | None = None

    @classmethod
    def of(cls, where: int, field: str, template: str, **values: object) -> "Problem":
        """Make a problem from a message template and its values."""
        return cls(where, field, template % values, template, values)


# The nouns for "where" in messages about repeats: "line" in files, "item" in API bodies.
NOUNS = {"line": N_("line"), "item": N_("item"), "row": N_("row")}


def repeated(where: int, period: Period, area: str | None, noun: str, first: int) -> Problem:
    """The problem of an item whose area and period an earlier item (``first``) has."""
    values = {"period": period.label, "noun": NOUNS[noun], "first": first}
    if area:
        template = N_("%(period)s for area %(area)s also appears in %(noun)s %(first)s")
        return Problem.of(where, "period", template, area=area, **values)
    template = N_("%(period)s for the whole municipality also appears in %(noun)s %(first)s")
    return Problem.of(where, "period", template, **values)


class ItemChecker:
    """Validate raw items one by one against an indicator, as the API and imports need.

    It knows every area by code (one query) and remembers which (indicator, area,
    period) it has seen, to name a duplicate by the item it repeats.
    """

    def __init__(self, *, session: Session, noun: str = "item") -> None:
        self.areas = {area.code: area for area in session.exec(select(Area))}
        self.noun = noun
        self.seen: dict[tuple[int | None, int | None, date], int] = {}

    def check(
        self,
        *,
        indicator: Indicator,
        where: int,
        period: str | None,
        value: float | None,
        area: str | None,
    ) -> tuple[ObservationInput | None, list[Problem]]:
        """Return the checked input, or None and every problem found in this item."""
        checked, problems = self.check_fields(
            indicator=indicator, where=where, period=period, value=value, area=area
        )
        if checked is None:
            return None, problems
        key = (indicator.id, checked.area.id if checked.area else None, checked.period.start)
        first = self.seen.setdefault(key, where)
        if first != where:
            return None, [repeated(where, checked.period, area, self.noun, first)]
        return checked, []

    def check_fields(
        self,
        *,
        indicator: Indicator,
        where: int,
        period: str | None,
        value: float | None,
        area: str | None,
    ) -> tuple[ObservationInput | None, list[Problem]]:
        """Check period, area and value of one item, without looking for repeats."""
        problems = []
        parsed = area_row = None
        try:
            parsed = parse_period(period or "", indicator.frequency)
        except PeriodError as error:
            problems.append(Problem.of(where, "period", error.template, **error.values))
        if area:
            area_row = self.areas.get(area)
            if area_row is None:
                problems.append(Problem.of(where, "area", N_("unknown area '%(code)s'"), code=area))
        if value is None:
            problems.append(Problem.of(where, "value", N_("the value is empty")))
        elif not math.isfinite(value):
            problems.append(
                Problem.of(
                    where, "value", N_("%(value)s is not a number one can store"), value=value
                )
            )
        if problems or parsed is None or value is None:
            return None, problems
        return ObservationInput(parsed, float(value), area_row), []


def _reader_series(
    session: Session, area: str | None, start: str | None, end: str | None, as_of: datetime | None
) -> dict:
    """The keywords of ``known_values`` for a reader's URL parameters: an unknown area
    is ``NotFound``, a bad range ``Invalid``, a moment without a zone UTC."""
    area_row = get_area(session=session, code=area) if area else None
    first, last = period_range(start, end)
    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    return {
        "area": area_row,
        "all_areas": area_row is None,
        "start": first,
        "end": last,
        "as_of": as_of,
    }


def _masked(rows: list[KnownValue], session: Session, indicator: Indicator, series: dict, masking):
    """``rows`` with what this reader may not see hidden, worked out on every district
    of the periods listed (secondary suppression)."""
    from app.figures.suppression import masked_rows  # it reads values through this module

    return masked_rows(
        rows, session=session, indicator=indicator, masking=masking, as_of=series["as_of"]
    )


def reader_page(
    session: Session,
    indicator: Indicator,
    area: str | None,
    start: str | None,
    end: str | None,
    as_of: datetime | None,
    masking: Masking,
    *,
    limit: int | None,
    offset: int,
) -> tuple[list, int]:
    """The values a reader asked for (one area by code or all, a period range, as known
    at ``as_of``), the small district numbers this reader may not see hidden, a page
    at a time (``limit`` None: all of them), and how many there are in all.

    Shared by the JSON and CSV listings and the values page; an unknown area is
    ``NotFound``, a bad range ``Invalid``."""
    series = _reader_series(session, area, start, end, as_of)
    rows, total = known_page(
        session=session, indicator=indicator, limit=limit, offset=offset, **series
    )
    return _masked(rows, session, indicator, series, masking), total


def reader_values(
    session: Session,
    indicator: Indicator,
    area: str | None,
    start: str | None,
    end: str | None,
    as_of: datetime | None,
    masking: Masking,
) -> list:
    """All of ``reader_page``'s values, for the CSV listing and the values page."""
    rows, _total = reader_page(
        session, indicator, area, start, end, as_of, masking, limit=None, offset=0
    )
    return rows

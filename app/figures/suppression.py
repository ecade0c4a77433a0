"""Small-number masking of an indicator's district values, with secondary suppression.

The rules are in ``app/security/small_numbers.py`` (``suppress_tree``); this module
applies them to what is stored: per period, all district and neighbourhood values of
the indicator (as known at a moment), so that a district's series, a listing of one
area and a listing of all areas hide the same cells. It is the one place where values
are masked for a reader: the signals of a series (``masked_points``, used by
``app/figures/context.py`` for pages, charts, the no-JS image, the timeline and the
signals API) and the listings (``masked_rows``: JSON, CSV and the values page) go
through ``hidden_cells``.

A segment's mean and limits are computed on its baseline values; with one of them
hidden, the mean times the number of points minus the shown values would give it
back, so those lines are not shown for that segment (``None``).
"""

from dataclasses import replace
from datetime import date, datetime

from sqlmodel import Session, select

from app.figures.observations import KnownValue, known_values
from app.figures.signals import SignalPoint
from app.models import Area, AreaKind, Indicator, Observation, ObservationImport
from app.security.small_numbers import Masked, Masking, suppress_tree

#: (area code, period start) of each hidden value, with its mark.
Hidden = dict[tuple[str, date], Masked]
#: The figures of a signal point derived from a segment's values.
DERIVED = ("mean", "lpl", "upl")


def _hierarchy(session: Session) -> dict[str, str | None]:
    """Per area below the municipality its parent's code (None for the top: a district,
    whose total is the municipality's)."""
    rows = session.exec(select(Area.id, Area.code, Area.kind, Area.parent_id)).all()
    codes = {area_id: code for area_id, code, _, _ in rows}
    whole = {code for _, code, kind, _ in rows if kind == AreaKind.municipality}
    parent: dict[str, str | None] = {}
    for _, code, kind, parent_id in rows:
        if kind == AreaKind.municipality:
            continue
        above = codes.get(parent_id) if parent_id is not None else None
        parent[code] = None if above is None or above in whole else above
    return parent


def hidden_in(values: list[KnownValue], parent: dict[str, str | None], threshold: int) -> Hidden:
    """The cells to hide among ``values`` (district values of one indicator), period by
    period: the small ones and those hidden beside them."""
    by_period: dict[date, dict[str, float]] = {}
    for row in values:
        if row.area is not None and row.area in parent:
            by_period.setdefault(row.period_start, {})[row.area] = row.value
    hidden: Hidden = {}
    for start, cells in by_period.items():
        for code, mark in suppress_tree(cells, parent, threshold).items():
            hidden[(code, start)] = mark
    return hidden


def _any_small(
    session: Session, indicator: Indicator, threshold: int, start: date | None, end: date | None
) -> bool:
    """Whether any current area value of ``indicator`` is small (municipality areas
    included: a yes only means the full look is needed).

    Read from the table itself, without the rule that hides an import's rows (that
    rule keeps the planner off the unique index): settled rows through that index,
    an import's own rows only while an import is under way or settling. Rows no
    reader sees may say yes; never no.
    """
    table = Observation.__table__  # type: ignore[attr-defined]  # SQLModel's table
    small = [
        table.c.indicator_id == indicator.id,
        table.c.area_id.is_not(None),
        table.c.value >= 0,
        table.c.value < threshold,
    ]
    if start is not None:
        small.append(table.c.period_start >= start)
    if end is not None:
        small.append(table.c.period_start <= end)

    def found(*where) -> bool:
        return session.execute(select(table.c.id).where(*where).limit(1)).first() is not None

    # An import's rows exist only while its observation_import row does.
    return found(*small, table.c.import_id.is_(None)) or (
        session.exec(select(ObservationImport.id).limit(1)).first() is not None
        and found(*small, table.c.import_id.is_not(None))
    )


def hidden_cells(
    *,
    session: Session,
    indicator: Indicator,
    threshold: int,
    as_of: datetime | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Hidden:
    """Every district value of ``indicator`` a masked reader may not see, as known at
    ``as_of``, for the periods from ``start`` to ``end``."""
    if as_of is None and not _any_small(session, indicator, threshold, start, end):
        return {}  # the common case, in one indexed query: nothing to hide at all
    parent = _hierarchy(session)
    values = known_values(
        session=session, indicator=indicator, all_areas=True, start=start, end=end, as_of=as_of
    )
    return hidden_in(values, parent, threshold)


def masked_points(
    points: list[SignalPoint],
    *,
    session: Session,
    indicator: Indicator,
    area: Area,
    masking: Masking,
) -> list[SignalPoint]:
    """A district's signal points as ``masking``'s reader may see them: its hidden values
    marked, and the mean and limits of a segment whose baseline holds one left out."""
    if not masking.hides_districts or area.kind == AreaKind.municipality:
        return points
    hidden = hidden_cells(session=session, indicator=indicator, threshold=masking.threshold)
    marks = {start: mark for (code, start), mark in hidden.items() if code == area.code}
    withheld = {p.segment for p in points if p.period_start in marks and p.baseline}
    shown = []
    for point in points:
        changes: dict = {}
        if point.period_start in marks:
            changes["value"] = marks[point.period_start]
        if point.segment in withheld:
            changes |= dict.fromkeys(DERIVED)
        masked = masking.numbers(point, DERIVED, area_level=True)
        shown.append(replace(masked, **changes) if changes else masked)
    return shown


def masked_rows(
    rows: list[KnownValue],
    *,
    session: Session,
    indicator: Indicator,
    masking: Masking,
    as_of: datetime | None = None,
) -> list:
    """Listed values (any areas, the municipality's included) with the cells this
    reader may not see marked; the suppression is worked out on all districts of the
    periods listed, whichever areas were asked for."""
    if not masking.hides_districts or not rows:
        return rows
    periods = [row.period_start for row in rows]
    hidden = hidden_cells(
        session=session,
        indicator=indicator,
        threshold=masking.threshold,
        as_of=as_of,
        start=min(periods),
        end=max(periods),
    )
    if not hidden:
        return rows
    return [
        # A copy for display: its value is the Masked that stands in for the number.
        replace(row, value=hidden[(row.area, row.period_start)])  # type: ignore[arg-type]
        if row.area is not None and (row.area, row.period_start) in hidden
        else row
        for row in rows
    ]

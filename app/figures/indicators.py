"""Indicators with their themes, breaks and related indicators: list, create, get,
update (an indicator is never deleted: its values and their history stay).

Input arrives as the model family of ``app.models.indicator``; problems are
``app.problems``; the functions flush and record the audit, the caller's write session
commits.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, delete, func, select

from app import audit
from app.figures.catalog import FIELD_HINTS, paged
from app.figures.periods import PeriodError, parse_period, period_of
from app.i18n import N_
from app.models import (
    BreakCreate,
    BreakPublic,
    Frequency,
    Indicator,
    IndicatorBreak,
    IndicatorCreate,
    IndicatorPublic,
    IndicatorRelation,
    IndicatorTheme,
    IndicatorUpdate,
    Observation,
    RelatedIndicator,
    RelationKind,
    Theme,
    User,
    utcnow,
)
from app.problems import Conflict, Invalid, NotFound

TOO_FEW_POINTS = N_(
    "A baseline of %(wanted)s points is more than this figure has (%(count)s points). "
    "Enter at most %(count)s, or leave it empty to use every point."
)
UNKNOWN_INDICATOR = N_("There is no indicator '%(slug)s'.")


def get_indicator(*, session: Session, slug: str) -> Indicator:
    """Return the indicator with ``slug``; raise NotFound otherwise."""
    indicator = session.exec(select(Indicator).where(Indicator.slug == slug)).first()
    if indicator is None:
        raise NotFound(UNKNOWN_INDICATOR, slug=slug)
    return indicator


def describe(*, session: Session, indicators: Sequence[Indicator]) -> list[IndicatorPublic]:
    """Describe indicators with their themes, breaks and relations (three queries in all)."""
    ids = [indicator.id for indicator in indicators]
    themes, breaks, related = defaultdict(list), defaultdict(list), defaultdict(list)
    for indicator_id, slug in session.exec(
        select(IndicatorTheme.indicator_id, Theme.slug)
        .join(Theme, col(Theme.id) == col(IndicatorTheme.theme_id))
        .where(col(IndicatorTheme.indicator_id).in_(ids))
        .order_by(Theme.slug)
    ):
        themes[indicator_id].append(slug)
    for row in session.exec(
        select(IndicatorBreak)
        .where(col(IndicatorBreak.indicator_id).in_(ids))
        .order_by(col(IndicatorBreak.starts_on))
    ):
        breaks[row.indicator_id].append(row)
    for indicator_id, slug, kind in session.exec(
        select(
            col(IndicatorRelation.indicator_id), col(Indicator.slug), col(IndicatorRelation.kind)
        )
        .join(Indicator, col(Indicator.id) == col(IndicatorRelation.related_id))
        .where(col(IndicatorRelation.indicator_id).in_(ids))
        .order_by(Indicator.slug)
    ):
        related[indicator_id].append(RelatedIndicator(slug=slug, kind=kind))
    return [
        IndicatorPublic(
            **indicator.model_dump(
                include={"slug", "name", "unit", "description", "source", "frequency"}
                | {"direction", "screen_outliers", "baseline_points"}
            ),
            themes=themes[indicator.id],
            breaks=[
                BreakPublic(
                    period=period_of(row.starts_on, indicator.frequency).label, note=row.note
                )
                for row in breaks[indicator.id]
            ],
            related=related[indicator.id],
        )
        for indicator in indicators
    ]


def list_indicators(
    *, session: Session, limit: int = 100, offset: int = 0
) -> tuple[list[IndicatorPublic], int]:
    """Return a page of indicators by name, described, and the total count."""
    rows, total = paged(
        session, select(Indicator).order_by(col(Indicator.name), col(Indicator.id)), limit, offset
    )
    return describe(session=session, indicators=rows), total


def _theme_ids(session: Session, slugs: list[str]) -> list[int]:
    found = dict(session.exec(select(Theme.slug, Theme.id).where(col(Theme.slug).in_(slugs))).all())
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        raise Invalid.at("themes", N_("unknown theme '%(slug)s'"), slug=unknown[0])
    return [found[slug] for slug in dict.fromkeys(slugs)]


def _break_starts(breaks: list[BreakCreate], frequency: Frequency) -> list[tuple[date, str]]:
    starts: dict[date, str] = {}
    for index, item in enumerate(breaks):
        try:
            period = parse_period(item.period, frequency)
        except PeriodError as error:
            raise error.at(f"breaks.{index}.period") from None
        if period.start in starts:
            raise Invalid.at(
                f"breaks.{index}.period", N_("break %(period)s is given twice"), period=period.label
            )
        starts[period.start] = item.note
    return list(starts.items())


def _related_ids(session: Session, indicator: Indicator, related: list[RelatedIndicator]):
    slugs = [item.slug for item in related]
    found = dict(
        session.exec(
            select(Indicator.slug, Indicator.id).where(col(Indicator.slug).in_(slugs))
        ).all()
    )
    pairs: dict[int, RelationKind] = {}
    for index, item in enumerate(related):
        if item.slug not in found:
            raise Invalid.at(
                f"related.{index}.slug", N_("unknown indicator '%(slug)s'"), slug=item.slug
            )
        if item.slug == indicator.slug:
            raise Invalid.at(
                f"related.{index}.slug", N_("an indicator cannot be related to itself")
            )
        pairs[found[item.slug]] = item.kind
    return pairs


def check_baseline(session: Session, indicator_id: int | None, baseline_points: int | None):
    """A baseline needs at least 2 points and at most as many as the figure's longest
    series (the municipality's or a district's) holds; Invalid otherwise."""
    if baseline_points is None:
        return
    if baseline_points < 2:
        raise Invalid.at("baseline_points", FIELD_HINTS["baseline_points"])
    counts = session.exec(
        select(func.count())
        .select_from(Observation)
        .where(Observation.indicator_id == indicator_id)
        .group_by(col(Observation.area_id))
    ).all()
    count = max(counts, default=0)
    if baseline_points > count:
        raise Invalid.at("baseline_points", TOO_FEW_POINTS, wanted=baseline_points, count=count)


def _replace_links(
    session: Session,
    indicator: Indicator,
    *,
    themes: list[str] | None,
    breaks: list[BreakCreate] | None,
    related: list[RelatedIndicator] | None,
) -> None:
    """Replace the given link sets (None: leave as is), validating all before writing."""
    theme_ids = _theme_ids(session, themes) if themes is not None else None
    break_starts = _break_starts(breaks, indicator.frequency) if breaks is not None else None
    related_ids = _related_ids(session, indicator, related) if related is not None else None
    if theme_ids is not None:
        session.exec(delete(IndicatorTheme).where(col(IndicatorTheme.indicator_id) == indicator.id))
        session.add_all(IndicatorTheme(indicator_id=indicator.id, theme_id=i) for i in theme_ids)
    if break_starts is not None:
        session.exec(delete(IndicatorBreak).where(col(IndicatorBreak.indicator_id) == indicator.id))
        session.add_all(
            IndicatorBreak(indicator_id=indicator.id, starts_on=start, note=note)
            for start, note in break_starts
        )
    if related_ids is not None:
        session.exec(
            delete(IndicatorRelation).where(col(IndicatorRelation.indicator_id) == indicator.id)
        )
        session.add_all(
            IndicatorRelation(indicator_id=indicator.id, related_id=i, kind=kind)
            for i, kind in related_ids.items()
        )


_LINKS = {"themes", "breaks", "related"}


def create_indicator(*, session: Session, data: IndicatorCreate, user: User | None) -> Indicator:
    """Add an indicator with its themes, breaks and relations (a Problem: write nothing)."""
    if session.exec(select(Indicator.id).where(Indicator.slug == data.slug)).first():
        raise Conflict(
            N_("an indicator with slug '%(slug)s' already exists"), field="slug", slug=data.slug
        )
    check_baseline(session, None, data.baseline_points)
    indicator = Indicator(**data.model_dump(exclude=_LINKS))
    session.add(indicator)
    session.flush()
    _replace_links(session, indicator, themes=data.themes, breaks=data.breaks, related=data.related)
    audit.record(
        session=session, action="create", entity="indicator", entity_id=data.slug, user=user
    )
    session.flush()
    return indicator


def update_indicator(
    *, session: Session, indicator: Indicator, changes: IndicatorUpdate, user: User | None
) -> Indicator:
    """Apply the fields present in ``changes`` (a Problem: the caller's rollback undoes all)."""
    fields = changes.model_dump(exclude_unset=True)
    changed = sorted(fields)
    frequency = fields.get("frequency")
    if frequency and frequency != indicator.frequency:
        has_values = session.exec(
            select(Observation.id).where(Observation.indicator_id == indicator.id)
        ).first()
        if has_values:
            raise Invalid.at(
                "frequency", N_("the frequency cannot change once there are observations")
            )
    if "baseline_points" in fields:  # null clears it: limits on all points again
        check_baseline(session, indicator.id, fields["baseline_points"])
        indicator.baseline_points = fields.pop("baseline_points")
    for name, value in fields.items():
        if name not in _LINKS and value is not None:
            setattr(indicator, name, value)
    indicator.updated_at = utcnow()
    _replace_links(
        session, indicator, themes=changes.themes, breaks=changes.breaks, related=changes.related
    )
    session.add(indicator)
    audit.record(
        session=session,
        action="update",
        entity="indicator",
        entity_id=indicator.slug,
        user=user,
        detail={"fields": changed},
    )
    session.flush()
    return indicator

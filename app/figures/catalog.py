"""The catalogue of figures: themes, areas and indicators (with themes, breaks, relations).

Plain domain functions shared by the JSON API and the editor pages. Input arrives as
the aggregates' model families (``app.models``: ``ThemeCreate``, ``AreaUpdate``,
``IndicatorCreate``..., the API's bodies, also built from HTML forms); problems
are raised as ``app.problems`` (``NotFound``, ``Conflict``, ``Invalid`` per field). The
functions flush and record the audit; the caller's transaction commits.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, SQLModel, col, delete, func, select

from app import audit
from app.figures.periods import PeriodError, parse_period, period_of
from app.i18n import N_
from app.models import (
    Area,
    AreaCreate,
    AreaPublic,
    AreaUpdate,
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
    ThemeCreate,
    ThemeUpdate,
    User,
    utcnow,
)
from app.problems import Conflict, Invalid, Message, NotFound

SLUG = r"^[a-z0-9][a-z0-9-]*$"


# What the tables that point to a theme or an area hold, as a reader names it.
USES = {
    "indicator_theme": N_("indicators"),
    "narrative_theme": N_("stories"),
    "narrative": N_("stories"),
    "context_event_theme": N_("developments"),
    "context_event_area": N_("developments"),
    "theme_result": N_("expected results"),
    "theme_recalibration": N_("re-calibrations"),
    "expected_movement": N_("expected movements"),
    "learning_question_theme": N_("learning questions"),
    "report_intro": N_("report introductions"),
    "observation": N_("observations"),
    "area": N_("areas within it"),
    "story_request": N_("story requests"),
    "session_indicator": N_("reflection sessions"),
}
IN_USE = N_("%(name)s is still in use: %(uses)s. Remove those links first; nothing was deleted.")
# What a form says at a field pydantic refused (its own messages are English and technical).
FIELD_HINTS = {
    "slug": N_("Use lowercase letters, digits and hyphens (e.g. jeugdhulp-trajecten)."),
    "name": N_("Enter a name of at most 200 characters."),
    "unit": N_("Enter a unit of at most 60 characters."),
    "description": N_("The reading guide is too long."),
    "source": N_("Enter a source of at most 500 characters."),
    "frequency": N_("Choose a frequency."),
    "direction": N_("Choose a desired direction."),
    "code": N_("Use letters, digits, - and _ (e.g. WK019301)."),
    "kind": N_("Choose a kind of area."),
    "baseline_points": N_(
        "Enter a whole number of at least 2, or leave it empty to use every point."
    ),
}
TOO_FEW_POINTS = N_(
    "A baseline of %(wanted)s points is more than this figure has (%(count)s points). "
    "Enter at most %(count)s, or leave it empty to use every point."
)
UNKNOWN_INDICATOR = N_("There is no indicator '%(slug)s'.")


def usage(*, session: Session, table: str, row_id: int) -> dict[str, int]:
    """Count, per kind, the rows of other tables whose foreign key points to ``row_id``.

    Read from the metadata, so a table added later is counted without a change here.
    """
    uses: dict[str, int] = {}
    for referring in SQLModel.metadata.sorted_tables:
        for key in referring.foreign_keys:
            if key.column.table.name != table:
                continue
            count = session.exec(
                select(func.count()).select_from(referring).where(key.parent == row_id)
            ).one()
            if count:
                label = USES.get(referring.name, referring.name.replace("_", " "))
                uses[label] = uses.get(label, 0) + count
    return uses


def _page(session: Session, query, limit: int, offset: int):
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    return list(session.exec(query.limit(limit).offset(offset))), total


def list_themes(*, session: Session, limit: int = 100, offset: int = 0) -> tuple[list, int]:
    """Return a page of themes by name and the total count."""
    return _page(session, select(Theme).order_by(col(Theme.name), col(Theme.id)), limit, offset)


def create_theme(*, session: Session, data: ThemeCreate, user: User | None) -> Theme:
    """Add a theme; raise Conflict when the slug is taken."""
    if session.exec(select(Theme.id).where(Theme.slug == data.slug)).first():
        raise Conflict(
            N_("a theme with slug '%(slug)s' already exists"), field="slug", slug=data.slug
        )
    theme = Theme(**data.model_dump())
    session.add(theme)
    session.flush()
    audit.record(session=session, action="create", entity="theme", entity_id=theme.id, user=user)
    return theme


def theme_by_slug(*, session: Session, slug: str) -> Theme:
    """Return the theme with ``slug``; raise NotFound otherwise."""
    theme = session.exec(select(Theme).where(Theme.slug == slug)).first()
    if theme is None:
        raise NotFound(N_("There is no theme '%(slug)s'."), slug=slug)
    return theme


def update_theme(
    *, session: Session, theme: Theme, changes: ThemeUpdate, user: User | None
) -> Theme:
    """Apply the fields present in ``changes``."""
    fields = changes.model_dump(exclude_unset=True, exclude_none=True)
    for name, value in fields.items():
        setattr(theme, name, value)
    session.add(theme)
    audit.record(
        session=session,
        action="update",
        entity="theme",
        entity_id=theme.id,
        user=user,
        detail={"fields": sorted(fields)},
    )
    session.flush()
    return theme


def _delete_unused(
    *, session: Session, row: Theme | Area, name: str, detail: dict, user: User | None
) -> None:
    """Delete ``row`` when no other record refers to it; raise Conflict saying what does."""
    table = "theme" if isinstance(row, Theme) else "area"
    uses = usage(session=session, table=table, row_id=row.id)
    if uses:
        listed = [
            Message(N_("%(label)s (%(count)s)"), {"label": Message(label), "count": count})
            for label, count in uses.items()
        ]
        raise Conflict(IN_USE, name=name, uses=listed)
    audit.record(
        session=session, action="delete", entity=table, entity_id=row.id, user=user, detail=detail
    )
    session.delete(row)
    session.flush()


def delete_theme(*, session: Session, theme: Theme, user: User | None) -> None:
    """Delete a theme nothing refers to; raise Conflict (nothing deleted) otherwise."""
    detail = {"slug": theme.slug, "name": theme.name}
    _delete_unused(session=session, row=theme, name=theme.name, detail=detail, user=user)


def area_by_code(*, session: Session, code: str) -> Area | None:
    """Return the area with ``code``, or None."""
    return session.exec(select(Area).where(Area.code == code)).first()


def existing_area(*, session: Session, code: str) -> Area:
    """Return the area with ``code``; raise NotFound otherwise."""
    area = area_by_code(session=session, code=code)
    if area is None:
        raise NotFound(N_("There is no area with code '%(code)s'."), code=code)
    return area


def _parent_id(session: Session, area: Area | None, code: str | None) -> int | None:
    """The id of the parent with ``code``; Invalid when unknown or inside ``area`` itself."""
    if not code:
        return None
    parent = area_by_code(session=session, code=code)
    if parent is None:
        raise Invalid.at("parent", N_("unknown area code '%(code)s'"), code=code)
    if area is not None:
        parents = dict(session.exec(select(Area.id, Area.parent_id)).all())
        step: int | None = parent.id
        while step is not None:
            if step == area.id:
                raise Invalid.at("parent", N_("an area cannot lie within itself"))
            step = parents.get(step)
    return parent.id


def area_out(area: Area, codes: dict[int, str]) -> AreaPublic:
    """Describe ``area`` with its parent's code (``codes``: id -> code)."""
    parent = codes.get(area.parent_id) if area.parent_id else None
    return AreaPublic(code=area.code, name=area.name, kind=area.kind, parent=parent)


def list_areas(*, session: Session, limit: int = 100, offset: int = 0) -> tuple[list, int]:
    """Return a page of areas (by code) with parent codes, and the total count."""
    areas, total = _page(session, select(Area).order_by(Area.code), limit, offset)
    codes = dict(session.exec(select(Area.id, Area.code)).all())
    return [area_out(area, codes) for area in areas], total


def create_area(*, session: Session, data: AreaCreate, user: User | None) -> Area:
    """Add an area under an existing parent; Conflict for a taken code."""
    if area_by_code(session=session, code=data.code):
        raise Conflict(
            N_("an area with code '%(code)s' already exists"), field="code", code=data.code
        )
    parent_id = _parent_id(session, None, data.parent)
    area = Area(code=data.code, name=data.name, kind=data.kind, parent_id=parent_id)
    session.add(area)
    session.flush()
    audit.record(session=session, action="create", entity="area", entity_id=area.code, user=user)
    return area


def update_area(*, session: Session, area: Area, changes: AreaUpdate, user: User | None) -> Area:
    """Apply the fields present in ``changes`` (a new code must be free)."""
    fields = changes.model_dump(exclude_unset=True)
    code = fields.get("code")
    if code and code != area.code and area_by_code(session=session, code=code):
        raise Conflict(N_("an area with code '%(code)s' already exists"), field="code", code=code)
    if "parent" in fields:
        area.parent_id = _parent_id(session, area, fields.pop("parent"))
    for name, value in fields.items():
        if value is not None:
            setattr(area, name, value)
    session.add(area)
    audit.record(
        session=session,
        action="update",
        entity="area",
        entity_id=area.code,
        user=user,
        detail={"fields": sorted(changes.model_fields_set)},
    )
    session.flush()
    return area


def delete_area(*, session: Session, area: Area, user: User | None) -> None:
    """Delete an area nothing refers to; raise Conflict (nothing deleted) otherwise."""
    detail = {"code": area.code, "name": area.name}
    _delete_unused(session=session, row=area, name=area.name, detail=detail, user=user)


def indicator_by_slug(*, session: Session, slug: str) -> Indicator:
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
    rows, total = _page(
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

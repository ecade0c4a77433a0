"""External developments (context events): checking, storing, listing and describing them.

The HTML form and the JSON API send the same :class:`EventIn`; :func:`resolve` checks it
against the database and raises one ``Invalid`` with every bad field, so that nothing is
stored from a half-valid event. Functions flush, never commit (the request's write
transaction does). Every change is audited. Signals need no separate recomputation:
they are computed from the breaks ``app.figures.signals.breaks_by_indicator`` reads, and
the one cache of them (unexplained signals) fingerprints the event tables.
"""

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict
from sqlalchemy import delete
from sqlmodel import Session, col, func, select

from app import audit
from app.context.scope import EventScope, scopes
from app.figures.periods import Period, PeriodError, parse_period, period_of, period_range
from app.figures.summary import period_words
from app.i18n import N_
from app.models import (
    Area,
    ContextEvent,
    ContextEventArea,
    ContextEventIndicator,
    ContextEventTheme,
    Indicator,
    IndicatorTheme,
    Observation,
    ReflectionSession,
    Theme,
    User,
)
from app.models.days import END_BEFORE_START
from app.problems import FieldError, Invalid, NotFound

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000

TITLE_MISSING = N_("Give the development a title.")
TITLE_LONG = N_("The title can be at most 200 characters.")
START_MISSING = N_("Enter the period in which the development started, e.g. 2020-03.")
DESCRIPTION_LONG = N_("The description can be at most 10,000 characters.")
UNKNOWN_THEME = N_("Unknown theme: %(slug)s.")
UNKNOWN_INDICATOR = N_("Unknown indicator: %(slug)s.")
UNKNOWN_AREA = N_("Unknown area: %(code)s.")
UNKNOWN_SESSION = N_("Unknown reflection session: %(id)s.")
NO_EVENT = N_("There is no development with id %(id)s.")
BREAK_WITHOUT_DATA = N_(
    "%(name)s has no values yet: a new segment cannot start there. "
    "Leave the break off or choose other figures."
)

EXAMPLE: JsonDict = {
    "title": "Coronapandemie: lockdowns en gesloten scholen",
    "start": "2020-03",
    "end": "2021-06",
    "description": "Scholen en buurthuizen gingen dicht; aanvragen daalden tijdelijk.",
    "themes": ["jeugd"],
    "indicators": [],
    "areas": [],
    "is_break": True,
}


class EventIn(BaseModel):
    """A development as the form and the API send it (periods in any notation)."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    title: str = Field(max_length=10_000, description="At most 200 characters.")
    start: str = Field(max_length=40, description="Period: 2020, 2020-H1, 2020-Q1, 2020-03…")
    end: str | None = Field(default=None, max_length=40, description="Period, or null: open.")
    description: str = Field(default="", max_length=40_000, description="Markdown.")
    themes: list[str] = Field(default=[], description="Theme slugs; none touches all themes.")
    indicators: list[str] = Field(
        default=[], description="Indicator slugs: the figures touched, narrower than themes."
    )
    areas: list[str] = Field(
        default=[], description="Area codes: only these districts' series are touched."
    )
    is_break: bool = Field(
        default=False, description="Starts a new segment: usual variation recomputed."
    )
    session: int | None = Field(default=None, description="The session that noted it.")


class EventPatch(BaseModel):
    """The fields to change; lists are replaced whole."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"end": "2021-06", "is_break": True}]}
    )

    title: str | None = Field(default=None, max_length=10_000)
    start: str | None = Field(default=None, max_length=40)
    end: str | None = Field(default=None, max_length=40)
    description: str | None = Field(default=None, max_length=40_000)
    themes: list[str] | None = None
    indicators: list[str] | None = None
    areas: list[str] | None = None
    is_break: bool | None = None
    session: int | None = None


class EventOut(BaseModel):
    """A development as the API answers it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 1, **EXAMPLE}]})

    id: int
    title: str
    start: str
    end: str | None
    description: str
    themes: list[str]
    indicators: list[str]
    areas: list[str]
    is_break: bool
    session: int | None


@dataclass
class Resolved:
    data: EventIn
    start: Period
    end: Period | None
    themes: list[Theme]
    indicators: list[Indicator]
    areas: list[Area]


def get_event(*, session: Session, event_id: int) -> ContextEvent:
    """The development with ``event_id``; raise NotFound when there is none."""
    event = session.get(ContextEvent, event_id)
    if event is None:
        raise NotFound(NO_EVENT, id=str(event_id))
    return event


def _period(text: str, field: str, errors: dict) -> Period | None:
    try:
        return parse_period(text)
    except PeriodError as error:  # its own words: "has no month 13", "is not a period"
        errors[field] = (error.template, error.values)
        return None


def _known(session: Session, model, column, wanted: list[str]) -> tuple[list, list[str]]:
    """The rows whose ``column`` is in ``wanted`` (in the order asked) and what is unknown."""
    wanted = list(dict.fromkeys(w.strip() for w in wanted if w.strip()))
    rows = session.exec(select(model).where(col(column).in_(wanted))).all() if wanted else []
    by_key = {getattr(row, column.key): row for row in rows}
    return [by_key[w] for w in wanted if w in by_key], [w for w in wanted if w not in by_key]


def resolve(*, session: Session, data: EventIn) -> Resolved:
    """Check ``data`` against the database; raise Invalid naming every bad field."""
    errors: dict[str, tuple[str, dict]] = {}
    if not data.title.strip():
        errors["title"] = (TITLE_MISSING, {})
    elif len(data.title.strip()) > TITLE_MAX:
        errors["title"] = (TITLE_LONG, {})
    start = _period(data.start, "start", errors) if data.start.strip() else None
    if not data.start.strip():
        errors["start"] = (START_MISSING, {})
    end = _period(data.end, "end", errors) if data.end and data.end.strip() else None
    if start is not None and end is not None and end.end < start.start:
        errors["end"] = (END_BEFORE_START, {"end": end.label, "start": start.label})
    if len(data.description) > DESCRIPTION_MAX:
        errors["description"] = (DESCRIPTION_LONG, {})
    themes, unknown = _known(session, Theme, Theme.slug, data.themes)
    if unknown:
        errors["themes"] = (UNKNOWN_THEME, {"slug": ", ".join(unknown)})
    indicators, unknown = _known(session, Indicator, Indicator.slug, data.indicators)
    if unknown:
        errors["indicators"] = (UNKNOWN_INDICATOR, {"slug": ", ".join(unknown)})
    areas, unknown = _known(session, Area, Area.code, data.areas)
    if unknown:
        errors["areas"] = (UNKNOWN_AREA, {"code": ", ".join(unknown)})
    if data.session is not None and session.get(ReflectionSession, data.session) is None:
        errors["session"] = (UNKNOWN_SESSION, {"id": str(data.session)})
    if data.is_break and "indicators" not in errors and "areas" not in errors:
        for indicator in indicators:
            if not _has_data(session, indicator, areas):
                errors["indicators"] = (BREAK_WITHOUT_DATA, {"name": indicator.name})
                break
    if errors:
        raise Invalid(*(FieldError(name, msg, values) for name, (msg, values) in errors.items()))
    assert start is not None
    return Resolved(data, start, end, themes, indicators, areas)


def _has_data(session: Session, indicator: Indicator, areas: list[Area]) -> bool:
    """Whether the figure has a value for one of ``areas`` (any area when none)."""
    query = select(func.count()).where(Observation.indicator_id == indicator.id)
    if areas:
        query = query.where(col(Observation.area_id).in_([area.id for area in areas]))
    return session.exec(query).one() > 0


def _store(session: Session, event: ContextEvent, resolved: Resolved) -> None:
    data = resolved.data
    event.title = data.title.strip()
    event.starts_on = resolved.start.start
    event.start_frequency = resolved.start.frequency
    event.ends_on = resolved.end.end if resolved.end else None
    event.end_frequency = resolved.end.frequency if resolved.end else None
    event.description = data.description
    event.is_break = data.is_break
    event.session_id = data.session
    session.add(event)
    session.flush()
    for table in (ContextEventTheme, ContextEventIndicator, ContextEventArea):
        session.exec(delete(table).where(col(table.event_id) == event.id))
    session.add_all(ContextEventTheme(event_id=event.id, theme_id=t.id) for t in resolved.themes)
    session.add_all(
        ContextEventIndicator(event_id=event.id, indicator_id=i.id) for i in resolved.indicators
    )
    session.add_all(ContextEventArea(event_id=event.id, area_id=a.id) for a in resolved.areas)


def _detail(data: EventIn) -> dict:
    return data.model_dump(mode="json")


def create_event(*, session: Session, data: EventIn, user: User | None) -> ContextEvent:
    """Record a development; raise Invalid (nothing stored) on bad input."""
    resolved = resolve(session=session, data=data)
    event = ContextEvent(title="", starts_on=resolved.start.start)
    _store(session, event, resolved)
    audit.record(
        session=session,
        action="create",
        entity="context_event",
        entity_id=event.id,
        user=user,
        detail=_detail(data),
    )
    return event


def as_input(session: Session, event: ContextEvent) -> EventIn:
    """The event as the form and the API would send it back unchanged."""
    out = describe(session=session, events=[event])[0]
    return EventIn(**out.model_dump(exclude={"id"}))


def update_event(
    *, session: Session, event: ContextEvent, changes: EventPatch, user: User | None
) -> ContextEvent:
    """Change the fields given; raise Invalid (nothing changed) on bad input."""
    before = as_input(session, event)
    data = EventIn(**{**before.model_dump(), **changes.model_dump(exclude_unset=True)})
    resolved = resolve(session=session, data=data)
    _store(session, event, resolved)
    changed = {
        name: value
        for name, value in _detail(data).items()
        if value != before.model_dump(mode="json")[name]
    }
    audit.record(
        session=session,
        action="update",
        entity="context_event",
        entity_id=event.id,
        user=user,
        detail=changed,
    )
    return event


def delete_event(*, session: Session, event: ContextEvent, user: User | None) -> None:
    """Remove a development (re-calibrations that named it keep their text)."""
    audit.record(
        session=session,
        action="delete",
        entity="context_event",
        entity_id=event.id,
        user=user,
        detail=_detail(as_input(session, event)),
    )
    session.delete(event)
    session.flush()


def start_period(event: ContextEvent) -> Period:
    """The start period in the notation it was entered in."""
    return period_of(event.starts_on, event.start_frequency)


def end_period(event: ContextEvent) -> Period | None:
    """The end period in its notation, or None while the development lasts."""
    if event.ends_on is None:
        return None
    return period_of(event.ends_on, event.end_frequency or event.start_frequency)


def event_period(event: ContextEvent, lang: str) -> str:
    """The event's periods in words, at the frequency they were typed in ("maart 2020"
    to "juni 2021"): start, a dash, and the end (nothing while it lasts)."""
    end = end_period(event)
    start = period_words(start_period(event), lang)
    return f"{start} \u2013 {period_words(end, lang) if end else ''}".rstrip()


def describe(*, session: Session, events: list[ContextEvent]) -> list[EventOut]:
    """The API shape of ``events``, their links read in three queries."""
    ids = [event.id for event in events]
    links: dict[str, dict[int, list[str]]] = {"themes": {}, "indicators": {}, "areas": {}}
    for kind, query in (
        (
            "themes",
            select(ContextEventTheme.event_id, Theme.slug)
            .join(Theme)
            .where(col(ContextEventTheme.event_id).in_(ids))
            .order_by(Theme.slug),
        ),
        (
            "indicators",
            select(ContextEventIndicator.event_id, Indicator.slug)
            .join(Indicator)
            .where(col(ContextEventIndicator.event_id).in_(ids))
            .order_by(Indicator.slug),
        ),
        (
            "areas",
            select(ContextEventArea.event_id, Area.code)
            .join(Area)
            .where(col(ContextEventArea.event_id).in_(ids))
            .order_by(Area.code),
        ),
    ):
        for event_id, key in session.exec(query).all():
            links[kind].setdefault(event_id, []).append(key)
    result = []
    for event in events:
        end = end_period(event)
        assert event.id is not None
        result.append(
            EventOut(
                id=event.id,
                title=event.title,
                start=start_period(event).label,
                end=end.label if end else None,
                description=event.description,
                themes=links["themes"].get(event.id, []),
                indicators=links["indicators"].get(event.id, []),
                areas=links["areas"].get(event.id, []),
                is_break=event.is_break,
                session=event.session_id,
            )
        )
    return result


def list_events(
    *,
    session: Session,
    theme: str | None = None,
    start: str | None = None,
    end: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[ContextEvent], int]:
    """Developments, latest start first, that concern ``theme`` (naming it, naming none,
    or naming one of its indicators) and overlap the periods [start, end]; a bad filter
    raises Invalid at its query parameter."""
    low, high = period_range(start, end)  # a reversed range is refused like everywhere
    found: list[EventScope] = scopes(session, start=low, end=high)
    if theme and theme.strip():
        row = session.exec(select(Theme).where(Theme.slug == theme.strip())).first()
        if row is None:
            raise Invalid.at("theme", UNKNOWN_THEME, part="query", slug=theme.strip())
        in_theme = set(
            session.exec(
                select(IndicatorTheme.indicator_id).where(IndicatorTheme.theme_id == row.id)
            ).all()
        )
        found = [
            scope
            for scope in found
            if (scope.indicators & in_theme)
            or (not scope.indicators and (not scope.themes or row.id in scope.themes))
        ]
    found.sort(key=lambda scope: (scope.event.starts_on, scope.event.id or 0), reverse=True)
    return [scope.event for scope in found[offset : offset + limit]], len(found)


def events_between(*, session: Session, first: date, last: date) -> list[EventScope]:
    """Developments overlapping [first, last], earliest first (reports, sessions)."""
    return scopes(session, start=first, end=last)

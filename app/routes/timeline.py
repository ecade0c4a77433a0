"""The timeline: several indicators on one time axis with the stories, sessions and
context events around them, as a page and as its JSON twin."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlmodel import Session, col, select

from app.audience import Audience
from app.deps import AudienceDep, Limit, Offset, SessionDep
from app.figures.areas import get_area
from app.figures.context import Timeline, timeline
from app.figures.indicators import get_indicator
from app.figures.page_charts import make_chart
from app.figures.periods import period_range
from app.figures.public import TimelinePublic, timeline_public
from app.figures.themes import get_theme
from app.models import Area, Indicator, IndicatorTheme, Theme
from app.templating import render, request_language

router = APIRouter()

#: Indicators shown on the timeline when none are chosen.
MAX_PANELS = 6
#: Stories, sessions and events per page of the timeline (the API pages the same way).
ITEMS_PER_PAGE = 100


@dataclass
class TimelineQuery:
    """The timeline filters, resolved; the URL with them is a permalink."""

    indicators: list[Indicator]
    theme: Theme | None
    area: Area | None
    start: date | None
    end: date | None


def _timeline_query(
    session: Session,
    indicator: list[str],
    theme: str | None,
    area: str | None,
    start: str | None,
    end: str | None,
) -> TimelineQuery:
    chosen_theme = get_theme(session=session, slug=theme) if theme else None
    if indicator:
        indicators = [
            get_indicator(session=session, slug=slug) for slug in dict.fromkeys(indicator)
        ]
    else:
        query = select(Indicator).order_by(col(Indicator.name)).limit(MAX_PANELS)
        if chosen_theme is not None:
            query = query.where(
                col(Indicator.id).in_(
                    select(IndicatorTheme.indicator_id).where(
                        IndicatorTheme.theme_id == chosen_theme.id
                    )
                )
            )
        indicators = list(session.exec(query).all())
    low, high = period_range(start, end)
    chosen_area = get_area(session=session, code=area) if area else None
    return TimelineQuery(indicators, chosen_theme, chosen_area, low, high)


def _timeline(session: Session, query: TimelineQuery, audience: Audience) -> Timeline:
    return timeline(
        session=session,
        indicators=query.indicators,
        theme=query.theme,
        area=query.area,
        start=query.start,
        end=query.end,
        masking=audience.masking,
        reach=audience.reach,
    )


@router.get(
    "/api/v1/timeline",
    tags=["timeline"],
    response_model=TimelinePublic,
    response_model_exclude_unset=True,  # fewer_than and withheld only where a value is hidden
)
def timeline_api(
    session: SessionDep,
    audience: AudienceDep,
    indicator: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads it, never mutated
    theme: str | None = None,
    area: str | None = None,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    """Stories, sessions and context events in time order, with the indicators' signals."""
    query = _timeline_query(session, indicator, theme, area, start, end)
    return timeline_public(_timeline(session, query, audience), limit=limit, offset=offset)


@router.get("/timeline", include_in_schema=False)
def timeline_page(
    request: Request,
    session: SessionDep,
    audience: AudienceDep,
    indicator: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads it, never mutated
    theme: str | None = None,
    area: str | None = None,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
):
    """Several indicators on one shared time axis, with what happened around them, a
    page of ITEMS_PER_PAGE at a time (each page a permalink of its own)."""
    query = _timeline_query(session, indicator, theme, area, start, end)
    result = _timeline(session, query, audience)
    pages = max(1, -(-len(result.items) // ITEMS_PER_PAGE))
    page = min(page, pages)
    lang = request_language(request)
    days = [row.period.start for panel in result.panels for row in panel.rows]
    first, last = query.start or min(days, default=None), query.end or max(days, default=None)
    shared = (first, last) if first is not None and last is not None else None
    axis = f"{shared[0]}/{shared[1]}" if shared else None
    area_code = query.area.code if query.area else None
    charts = [
        make_chart(panel, lang, {"area": area_code, "axis": axis}, small=True, domain=shared)
        for panel in result.panels
    ]
    all_indicators = session.exec(select(Indicator).order_by(col(Indicator.name))).all()
    themes = session.exec(select(Theme).order_by(col(Theme.name))).all()
    areas = session.exec(select(Area).order_by(col(Area.code))).all()
    return render(
        request,
        "timeline.html",
        {
            "charts": charts,
            "items": result.items[(page - 1) * ITEMS_PER_PAGE : page * ITEMS_PER_PAGE],
            "page": page,
            "pages": pages,
            "page_url": lambda n: "?" + request.url.include_query_params(page=n).query,
            "indicator_options": [(i.slug, i.name) for i in all_indicators],
            "theme_options": [(t.slug, t.name) for t in themes],
            "area_options": [(a.code, a.name) for a in areas],
            "filters": {
                "indicator": [i.slug for i in query.indicators] if indicator else [],
                "theme": theme or "",
                "area": area or "",
                "from": start or "",
                "to": end or "",
            },
        },
    )

"""The timeline: several indicators on one time axis with the stories, sessions and
context events around them, as a page and as its JSON twin (both built in
``app.figures.timeline_page``)."""

from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from app.deps import AudienceDep, Limit, Offset, SessionDep
from app.figures.public import TimelinePublic, timeline_public
from app.figures.timeline_page import build_timeline_page, read_timeline, resolve_timeline
from app.forms import FilterErrors
from app.templating import render, request_language

router = APIRouter()


@dataclass(frozen=True)
class TimelineFilters:
    """The timeline's filters as given (the page echoes them in its form)."""

    indicator: list[str]
    theme: str | None
    area: str | None
    start: str | None
    end: str | None


def timeline_filters(
    indicator: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads it, never mutated
    theme: str | None = None,
    area: str | None = None,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
) -> TimelineFilters:
    """Read the filters the page and its JSON twin share (one permalink for both)."""
    return TimelineFilters(indicator, theme, area, start, end)


Filters = Annotated[TimelineFilters, Depends(timeline_filters)]


@router.get(
    "/api/v1/timeline",
    tags=["timeline"],
    response_model=TimelinePublic,
    response_model_exclude_unset=True,  # fewer_than and withheld only where a value is hidden
)
def timeline_api(
    session: SessionDep,
    audience: AudienceDep,
    filters: Filters,
    limit: Limit = 100,
    offset: Offset = 0,
):
    """Stories, sessions and context events in time order, with the indicators' signals."""
    query = resolve_timeline(session=session, **asdict(filters))
    result = read_timeline(session=session, query=query, audience=audience)
    return timeline_public(result, limit=limit, offset=offset)


@router.get("/timeline", include_in_schema=False)
def timeline_page(
    request: Request,
    session: SessionDep,
    audience: AudienceDep,
    filters: Filters,
    page: Annotated[str, Query(max_length=20)] = "1",
):
    """Several indicators on one shared time axis, with what happened around them, a
    page of ITEMS_PER_PAGE at a time (each page a permalink of its own). A bad filter
    is left out and said at its field (422 with the page); a page number that is none
    shows the first page."""
    errors = FilterErrors(request)
    query = resolve_timeline(session=session, **asdict(filters), filters=errors)
    number = max(int(page), 1) if page.isdigit() else 1
    shown = build_timeline_page(
        session=session, query=query, audience=audience, page=number, lang=request_language(request)
    )
    return render(
        request,
        "timeline.html",
        {
            "charts": shown.charts,
            "items": shown.items,
            "page": shown.page,
            "pages": shown.pages,
            "page_url": lambda n: "?" + request.url.include_query_params(page=n).query,
            "indicator_options": shown.indicator_options,
            "theme_options": shown.theme_options,
            "area_options": shown.area_options,
            "filters": {
                "indicator": [i.slug for i in query.indicators] if filters.indicator else [],
                "theme": filters.theme or "",
                "area": filters.area or "",
                "from": filters.start or "",
                "to": filters.end or "",
            },
            "filter_errors": errors,
        },
        status_code=errors.status,
    )

"""JSON API for themes, areas, indicators and observations (DESIGN.md, /api/v1).

Handlers only translate HTTP to the domain (``app.figures.catalog`` and
``app.figures.observations``); the domain's Problems answer for themselves
(``app.errors``).
"""

import csv
import io
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from app.deps import (
    AudienceDep,
    EditorUser,
    IndicatorDep,
    Limit,
    Offset,
    Reader,
    SessionDep,
    WriteSessionDep,
    indicator_by_slug,
)
from app.figures import areas, indicators, themes
from app.figures.indicator_page import read_indicator, resolve_indicator
from app.figures.observations import (
    ItemChecker,
    ObservationInput,
    delete_observation,
    reader_page,
    reader_values,
    upsert_observations,
)
from app.figures.observations import Problem as ImportProblem
from app.figures.periods import period_of
from app.figures.public import ShownValue, SignalsPublic, signals_public
from app.models import (
    AreaCreate,
    AreaPublic,
    IndicatorCreate,
    IndicatorPublic,
    IndicatorUpdate,
    ThemeCreate,
    ThemePublic,
)
from app.models.days import Moment
from app.models.page import Page
from app.problems import FieldError, Invalid
from app.security.small_numbers import Masked, shown
from app.templating import request_language

router = APIRouter(prefix="/api/v1", tags=["figures"])


@router.get("/themes", response_model=Page[ThemePublic])
def list_themes(session: SessionDep, reader: Reader, limit: Limit = 100, offset: Offset = 0):
    """List the programme tracks."""
    items, total = themes.list_themes(session=session, limit=limit, offset=offset)
    return {"items": items, "total": total}


@router.post("/themes", response_model=ThemePublic, status_code=201)
def create_theme(data: ThemeCreate, session: WriteSessionDep, user: EditorUser):
    """Add a programme track."""
    return themes.create_theme(session=session, data=data, user=user)


@router.get("/areas", response_model=Page[AreaPublic])
def list_areas(session: SessionDep, reader: Reader, limit: Limit = 100, offset: Offset = 0):
    """List the areas (municipality, districts, neighbourhoods) with their parents."""
    items, total = areas.list_areas(session=session, limit=limit, offset=offset)
    return {"items": items, "total": total}


@router.post("/areas", response_model=AreaPublic, status_code=201)
def create_area(data: AreaCreate, session: WriteSessionDep, user: EditorUser):
    """Add an area; ``parent`` is the code of an existing area."""
    areas.create_area(session=session, data=data, user=user)
    return data


@router.get("/indicators", response_model=Page[IndicatorPublic])
def list_indicators(session: SessionDep, reader: Reader, limit: Limit = 100, offset: Offset = 0):
    """List the indicators with their themes, breaks and related indicators."""
    items, total = indicators.list_indicators(session=session, limit=limit, offset=offset)
    return {"items": items, "total": total}


@router.post("/indicators", response_model=IndicatorPublic, status_code=201)
def create_indicator(data: IndicatorCreate, session: WriteSessionDep, user: EditorUser):
    """Add an indicator (no target: ``direction`` only colours signals)."""
    indicator = indicators.create_indicator(session=session, data=data, user=user)
    return indicators.describe(session=session, indicators=[indicator])[0]


@router.get("/indicators/{slug}", response_model=IndicatorPublic)
def get_indicator(reader: Reader, indicator: IndicatorDep, session: SessionDep):
    """Describe one indicator."""
    return indicators.describe(session=session, indicators=[indicator])[0]


@router.patch("/indicators/{slug}", response_model=IndicatorPublic)
def update_indicator(
    slug: str, changes: IndicatorUpdate, session: WriteSessionDep, user: EditorUser
):
    """Change the fields given; lists (themes, breaks, related) are replaced whole."""
    indicator = indicator_by_slug(slug, session)
    indicators.update_indicator(session=session, indicator=indicator, changes=changes, user=user)
    return indicators.describe(session=session, indicators=[indicator])[0]


@router.get(
    "/indicators/{slug}/signals",
    tags=["indicators"],
    response_model=SignalsPublic,
    response_model_exclude_unset=True,  # fewer_than and withheld only where a value is hidden
)
def signals_api(
    audience: AudienceDep, indicator: IndicatorDep, session: SessionDep, area: str | None = None
):
    """The XmR chart of an indicator for the municipality or one area.

    For anonymous readers a district value below the small-numbers threshold is
    ``null`` with ``fewer_than`` set to the threshold, a value hidden beside it (so that
    the total minus the other districts cannot give it away) ``null`` with ``withheld``
    true, and a mean or limit below it, or of a segment whose values include a hidden
    one, is ``null``; signals are computed on the true values. ``baseline`` says whether a
    point is one its segment's limits are computed on; ``signals`` are the runs of special
    cause with their state (app/figures/explained.py)."""
    # the indicator page's figure, read as the page reads it (``IndicatorPage.public``)
    query = resolve_indicator(session=session, indicator=indicator, area=area)
    context = read_indicator(session=session, query=query, audience=audience, details=False)
    return signals_public(context)


class ObservationIn(BaseModel):
    period: str = Field(description="In the indicator's frequency.", examples=["2024-03"])
    value: float | None = Field(examples=[12.0])
    area: str | None = Field(
        default=None, description="Area code; absent for the whole municipality.",
        examples=["WK019301"],
    )  # fmt: skip


class UpsertOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"inserted": 3, "updated": 1, "unchanged": 20}]}
    )

    inserted: int
    updated: int
    unchanged: int


class ObservationOut(ShownValue):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "period": "2024-03",
                    "value": 12.0,
                    "area": "WK019301",
                    "recorded_at": "2024-04-02T09:30:00Z",
                },
                {
                    "period": "2024-03",
                    "value": None,
                    "fewer_than": 10,
                    "area": "WK019302",
                    "recorded_at": "2024-04-02T09:30:00Z",
                },
            ]
        }
    )

    period: str = Field(examples=["2024-03"])
    area: str | None
    recorded_at: datetime
    status: str = Field(
        default="",
        description="How final the publisher says the value is: provisional, "
        "revised_provisional, definitive, or '' when not stated.",
        examples=["provisional"],
    )


@router.post(
    "/indicators/{slug}/observations",
    response_model=UpsertOut,
    responses={
        422: {"description": "Every bad item, at loc [body, index, field]; nothing stored."}
    },
)
def post_observations(
    slug: str,
    session: WriteSessionDep,
    user: EditorUser,
    items: Annotated[
        list[ObservationIn],
        Body(examples=[[{"period": "2024-03", "value": 12.0, "area": "WK019301"}]]),
    ],
):
    """Store values by period and area; all or nothing. Changed values keep their history."""
    indicator = indicator_by_slug(slug, session)
    checker = ItemChecker(session=session, noun="item")
    inputs: list[ObservationInput] = []
    problems: list[ImportProblem] = []
    for index, item in enumerate(items):
        checked, found = checker.check(
            indicator=indicator, where=index, period=item.period, value=item.value, area=item.area
        )
        if checked is not None:
            inputs.append(checked)
        problems.extend(found)
    if problems:
        raise Invalid(
            *(FieldError(p.field, p.template, p.values or {}, index=p.where) for p in problems)
        )
    return upsert_observations(
        session=session, indicator=indicator, items=inputs, source="api", user=user
    )


@router.delete(
    "/indicators/{slug}/observations/{period}",
    response_model=ObservationOut,
    responses={
        404: {"description": "No such indicator, or no value for that period and area."},
        422: {"description": "A period or area that cannot be read."},
    },
)
def remove_observation(
    slug: str,
    period: str,
    session: WriteSessionDep,
    user: EditorUser,
    area: Annotated[
        str | None,
        Query(description="Area code; absent: the whole municipality.", examples=["WK019301"]),
    ] = None,
):
    """Delete one value, e.g. one entered by mistake (``9999-12``); editors only.

    Nothing is lost: the value and its history stay as revisions, so the values as
    known before now (``as_of``) still show it, and the audit log says who deleted it.
    Answers the value as it was."""
    indicator = indicator_by_slug(slug, session)
    removed = delete_observation(
        session=session, indicator=indicator, period=period, area=area, user=user
    )
    return {
        "period": period_of(removed.period_start, indicator.frequency).label,
        "value": removed.value,
        "area": removed.area,
        "recorded_at": removed.recorded_at,
        "status": removed.status,
    }


AreaQuery = Annotated[
    str | None,
    Query(description="Area code; absent: every area and the municipality.", examples=["WK019301"]),
]
FromQuery = Annotated[
    str | None, Query(alias="from", description="First period.", examples=["2023-01"])
]
ToQuery = Annotated[str | None, Query(alias="to", description="Last period.", examples=["2024-12"])]
AsOfQuery = Annotated[
    Moment | None,
    Query(
        description="Values as they were known at this moment (UTC if no zone given).",
        examples=["2025-01-31T12:00:00Z"],
    ),
]


@router.get(
    "/indicators/{slug}/observations",
    response_model=Page[ObservationOut],
    response_model_exclude_unset=True,  # fewer_than only where a value is hidden
)
def list_observations(
    audience: AudienceDep,
    indicator: IndicatorDep,
    session: SessionDep,
    area: AreaQuery = None,
    start: FromQuery = None,
    end: ToQuery = None,
    as_of: AsOfQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    """List an indicator's values by period, optionally as they were known at ``as_of``."""
    rows, total = reader_page(
        session, indicator, area, start, end, as_of, audience.masking, limit=limit, offset=offset
    )
    # A page lists each period for every area: its label is worked out once.
    labels = {
        start: period_of(start, indicator.frequency).label
        for start in {row.period_start for row in rows}
    }
    return {
        "items": [
            {
                "period": labels[row.period_start],
                **shown(row.value),
                "area": row.area,
                "recorded_at": row.recorded_at,
                "status": row.status,
            }
            for row in rows
        ],
        "total": total,
    }


@router.get(
    "/indicators/{slug}/observations.csv",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/csv": {
                    "example": "indicator,period,area,value\njeugdhulp-trajecten,2024-03,,412\n"
                    "jeugdhulp-trajecten,2024-03,WK019301,37\n"
                }
            }
        }
    },
)
def download_observations(
    request: Request,
    audience: AudienceDep,
    indicator: IndicatorDep,
    session: SessionDep,
    area: AreaQuery = None,
    start: FromQuery = None,
    end: ToQuery = None,
    as_of: AsOfQuery = None,
):
    """Download the values as CSV in the import format (indicator,period,area,value).

    A small number hidden from an anonymous reader reads "minder dan 5" (or "fewer
    than 5" with ``?lang=en``)."""
    lang = request_language(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["indicator", "period", "area", "value"])
    for row in reader_values(session, indicator, area, start, end, as_of, audience.masking):
        label = period_of(row.period_start, indicator.frequency).label
        value = row.value.text(lang) if isinstance(row.value, Masked) else repr(row.value)
        writer.writerow([indicator.slug, label, row.area or "", value])
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{indicator.slug}.csv"'},
    )

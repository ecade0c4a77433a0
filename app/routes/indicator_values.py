"""The values of an indicator as a table, now or as they were known on a given day.

Every change of a value keeps the old one (``observation_revision``); this page lets a
reader see what the figures said on the day of a report or a reflection session. It
serves the same values, masked alike, as the observations API and its CSV download.
"""

from datetime import UTC, datetime, time
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlmodel import select

from app.deps import AudienceDep, IndicatorDep, SessionDep
from app.figures.observations import reader_values
from app.figures.periods import period_of
from app.forms import FilterErrors
from app.models import Area
from app.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/indicators/{slug}/values")
def values_page(
    request: Request,
    audience: AudienceDep,
    indicator: IndicatorDep,
    session: SessionDep,
    area: str | None = None,
    as_of: str = "",
):
    """List the indicator's values, for every area or one, as known at the end of a day;
    a day that is no date or lies outside the years is said at its field (422)."""
    errors = FilterErrors(request)
    day = errors.day(as_of, "as_of")
    moment = datetime.combine(day, time.max, UTC) if day else None
    rows = reader_values(session, indicator, area or None, None, None, moment, audience.masking)
    query = {"area": area or "", "as_of": moment.isoformat() if moment else ""}
    areas = session.exec(select(Area.code, Area.name).order_by(Area.code)).all()
    return render(
        request,
        "indicators/values.html",
        {
            "indicator": indicator,
            "rows": [(period_of(row.period_start, indicator.frequency), row) for row in rows],
            "area_options": list(areas),
            # Readers know their districts by name; the code is only the key.
            "area_names": dict(areas),
            "filters": {"area": area or "", "as_of": as_of},
            "filter_errors": errors,
            "as_of": day,
            "csv_url": f"/api/v1/indicators/{indicator.slug}/observations.csv?"
            + urlencode({k: v for k, v in query.items() if v}),
        },
        status_code=errors.status,
    )

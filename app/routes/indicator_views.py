"""Other views of one figure: its districts side by side, and its downloads.

``/indicators/{slug}/districts`` shows every district on one shared scale;
``/indicators/{slug}/export.csv`` and ``.xlsx`` give the period table as a file. Both
follow the indicator page's access rules: readers only (anonymous ones where public
reading is on), small district numbers masked for anonymous readers.
"""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.audience import Audience
from app.deps import AudienceDep, IndicatorDep, SessionDep
from app.figures.areas import get_area
from app.figures.charts import LEGEND_LABELS
from app.figures.context import indicator_context
from app.figures.exports import dialect_of, export_rows, to_csv, to_xlsx
from app.figures.overview import district_comparison
from app.figures.page_charts import make_chart
from app.i18n import N_, gettext
from app.models import Area, Indicator
from app.templating import render, request_language

router = APIRouter(include_in_schema=False)

DIRECTIONS = {
    "up": N_("Higher is better"),
    "down": N_("Lower is better"),
    "neutral": N_("Neither higher nor lower is better in itself"),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

AreaQuery = Annotated[str | None, Query(max_length=20)]


def _filename(indicator: Indicator, area: Area | None, suffix: str) -> str:
    # slugs and area codes hold only [A-Za-z0-9_-]: safe in a header as they are
    return f"{indicator.slug}{'-' + area.code if area else ''}.{suffix}"


def _export(session, indicator: Indicator, area: str | None, audience: Audience):
    chosen = get_area(session=session, code=area) if area else None
    context = indicator_context(
        session=session,
        indicator=indicator,
        area=chosen,
        masking=audience.masking,
        reach=audience.reach,
    )
    return chosen, export_rows(context)


@router.get("/indicators/{slug}/export.csv")
def export_csv(
    request: Request,
    indicator: IndicatorDep,
    session: SessionDep,
    audience: AudienceDep,
    area: AreaQuery = None,
    dialect: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Per period the value, mean, limits, signal and story count, as CSV: ``plain``
    (comma, decimal point) or ``excel-nl`` (semicolon, decimal comma, BOM)."""
    chosen_dialect = dialect_of(dialect)
    chosen, rows = _export(session, indicator, area, audience)
    suffix = "csv" if chosen_dialect == "plain" else "excel-nl.csv"
    return Response(
        to_csv(rows, chosen_dialect, request_language(request)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(indicator, chosen, suffix)}"'
        },
    )


@router.get("/indicators/{slug}/export.xlsx")
def export_xlsx(
    request: Request,
    indicator: IndicatorDep,
    session: SessionDep,
    audience: AudienceDep,
    area: AreaQuery = None,
) -> Response:
    """The same table as an Excel workbook, with what the figure is on a second sheet."""
    chosen, rows = _export(session, indicator, area, audience)
    lang = request_language(request)

    def say(message: str) -> str:
        return gettext(lang, message)

    about = [
        (say(N_("Indicator")), indicator.name),
        (say(N_("Area")), chosen.name if chosen else say(N_("Whole municipality"))),
        (say(N_("Unit")), indicator.unit or ""),
        (say(N_("Source")), indicator.source or ""),
        (say(N_("Desired direction")), say(DIRECTIONS[indicator.direction])),
        (say(N_("Page")), str(request.url_for("indicator_page", slug=indicator.slug))),
    ]
    return Response(
        to_xlsx(rows, lang, about=about, exported_on=date.today()),
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(indicator, chosen, "xlsx")}"'
        },
    )


@router.get("/indicators/{slug}/districts")
def districts_page(
    request: Request,
    indicator: IndicatorDep,
    session: SessionDep,
    audience: AudienceDep,
):
    """The districts of a figure side by side: small multiples on one shared scale, each
    with its latest state, and a table of latest value, signal and recent stories."""
    seen = district_comparison(
        session=session, indicator=indicator, masking=audience.masking, reach=audience.reach
    )
    lang = request_language(request)
    charts = {
        figure.area.code: make_chart(
            figure.panel,
            lang,
            {"area": figure.area.code},
            small=True,
            domain=seen.days,
            value_domain=seen.values,
        )
        for figure in seen.with_values
    }
    entries = {entry.kind: entry for chart in charts.values() for entry in chart.legend}
    return render(
        request,
        "indicators/districts.html",
        {
            "indicator": indicator,
            "comparison": seen,
            "charts": charts,
            "legend": [entries[kind] for kind in LEGEND_LABELS if kind in entries],
        },
    )

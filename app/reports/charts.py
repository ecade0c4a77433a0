"""Compact charts of a report as static SVG, so that they print and need no script.

The spec comes from the one chart builder (app/figures/charts.py), smaller, with the
half year shaded and its legend drawn inside the image (a PDF has no page around it);
app/figures/svg.py keeps each rendered chart under the data version it shows, so a
report whose figures did not change is served without vl-convert.

A live report draws its charts in its reader's language (month names, number format,
legend), as its text is; a frozen report keeps the SVGs it was frozen with in its stored
JSON (app/reports/service.py), drawn then in every language, so that each reader reads
them in their own and nothing is drawn again.
"""

from typing import Any

from app.figures.charts import indicator_chart, report_rows
from app.figures.periods import Period
from app.figures.svg import chart_svg, spec_key
from app.i18n import LANGUAGES, N_, gettext
from app.reports.content import IndicatorPart, Report

WIDTH, HEIGHT = 300, 110
HALF_YEAR = N_("Half year")


def chart_spec(part: IndicatorPart, half: Period, lang: str) -> dict[str, Any] | None:
    """The chart's Vega-Lite spec (None when the indicator has no values)."""
    if not part.points:
        return None
    band = {
        "start": half.start.isoformat(),
        "end": half.end.isoformat(),
        "tip": {gettext(lang, HALF_YEAR): half.label},
    }
    return indicator_chart(
        report_rows(part.points, lang),
        {"highlight": [band]},
        lang=lang,
        value_title=part.unit or part.name,
        description=part.name,
        width=WIDTH,
        height=HEIGHT,
        legend_below=True,
    )


def chart_key(part: IndicatorPart, half: Period, lang: str) -> str:
    """The data version of the chart (app/figures/svg.py), "" when there is no chart."""
    spec = chart_spec(part, half, lang)
    return spec_key(spec) if spec else ""


def render_chart(part: IndicatorPart, half: Period, lang: str) -> str:
    """The chart as an SVG document in ``lang`` (empty when the indicator has no values)."""
    spec = chart_spec(part, half, lang)
    return chart_svg(spec) if spec else ""


def draw_in_every_language(report: Report, half: Period) -> None:
    """Draw each chart of ``report`` in every language, for freezing it: from the same
    figures, as a live report read in that language draws them."""
    for theme in report.themes:
        for part in theme.indicators:
            part.svgs = {lang: render_chart(part, half, lang) for lang in LANGUAGES}

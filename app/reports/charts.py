"""Compact charts of a report as static SVG, so that they print and need no script.

The spec comes from the one chart builder (app/figures/charts.py), smaller, with the
half year shaded and its legend drawn inside the image (a PDF has no page around it);
app/figures/svg.py renders it once per distinct data, so a report whose figures did not
change renders without vl-convert.
"""

from app.config import get_settings
from app.figures.charts import indicator_chart, report_rows
from app.figures.periods import Period
from app.figures.svg import chart_svg
from app.i18n import N_, gettext
from app.reports.content import IndicatorPart

WIDTH, HEIGHT = 300, 110
HALF_YEAR = N_("Half year")


def render_chart(part: IndicatorPart, half: Period, lang: str | None = None) -> str:
    """The chart as an SVG document (empty when the indicator has no values), in the
    report's language (the default language: a report is one document for everyone)."""
    if not part.points:
        return ""
    lang = lang or get_settings().default_language
    band = {
        "start": half.start.isoformat(),
        "end": half.end.isoformat(),
        "tip": {gettext(lang, HALF_YEAR): half.label},
    }
    spec = indicator_chart(
        report_rows(part.points, lang),
        {"highlight": [band]},
        lang=lang,
        value_title=part.unit or part.name,
        description=part.name,
        width=WIDTH,
        height=HEIGHT,
        legend_below=True,
    )
    return chart_svg(spec)

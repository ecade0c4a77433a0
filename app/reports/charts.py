"""Compact charts of a report as static SVG, so that they print and need no script.

The spec is the indicator page's XmR chart (app/figures/charts.py), smaller, with the
half year shaded as a band; app/figures/svg.py renders it once per distinct data, so
a report whose figures did not change renders without vl-convert.
"""

from app.figures.charts import indicator_chart
from app.figures.periods import Period
from app.figures.svg import chart_svg
from app.reports.content import IndicatorPart

WIDTH, HEIGHT = 300, 110


def render_chart(part: IndicatorPart, half: Period) -> str:
    """The chart as an SVG document (empty when the indicator has no values)."""
    if not part.points:
        return ""
    rows = [
        {
            "period": point.start.isoformat(),
            "label": point.period,
            "value": point.value,
            "mean": point.mean,
            "lpl": point.lpl,
            "upl": point.upl,
            "masked": None,
            "signal": point.signal,
            "signal_label": point.signal,
            "stories": 0,
            "titles": "",
            "href": None,
        }
        for point in part.points
    ]
    band = {"title": half.label, "start": half.start.isoformat(), "end": half.end.isoformat()}
    spec = indicator_chart(
        rows,
        {"events": [band]},
        title="",
        value_title=part.unit or part.name,
        width=WIDTH,
        height=HEIGHT,
    )
    return chart_svg(spec)

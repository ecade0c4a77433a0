"""Compact charts of a report as static SVG, so that they print and need no script.

The spec is the indicator page's XmR chart (app/figures/charts.py), smaller, with the
half year shaded. Building a spec with Altair takes ~80 ms and vl-convert (~100 MB,
a second to start) as long again, so vl-convert is imported on first use and each SVG
is kept by the data it shows: a report whose figures did not change renders in
milliseconds.
"""

import json
from functools import lru_cache

from app.figures.charts import indicator_chart
from app.figures.periods import Period
from app.reports.content import IndicatorPart

WIDTH, HEIGHT = 300, 110
CACHED_CHARTS = 1024


def chart_data(part: IndicatorPart, half: Period) -> str:
    """What one indicator's compact chart shows, as JSON (the key of its SVG)."""
    rows = [
        {
            "period": point.start.isoformat(),
            "label": point.period,
            "value": point.value,
            "mean": point.mean,
            "lpl": point.lpl,
            "upl": point.upl,
            "signal": point.signal,
            "signal_label": point.signal,
            "stories": 0,
            "titles": "",
            "href": None,
        }
        for point in part.points
    ]
    band = [{"start": half.start.isoformat(), "end": half.end.isoformat(), "title": half.label}]
    return json.dumps({"rows": rows, "band": band, "unit": part.unit or part.name})


def render_chart(part: IndicatorPart, half: Period) -> str:
    """The chart as an SVG document (empty when the indicator has no values)."""
    if not part.points:
        return ""
    return _svg(chart_data(part, half))


@lru_cache(maxsize=CACHED_CHARTS)
def _svg(data: str) -> str:
    import vl_convert

    shown = json.loads(data)
    spec = indicator_chart(
        shown["rows"],
        {"events": shown["band"]},
        title="",
        value_title=shown["unit"],
        width=WIDTH,
        height=HEIGHT,
    )
    return vl_convert.vegalite_to_svg(spec)

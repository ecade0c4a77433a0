"""Altair chart specs for an indicator in context (pure: rows in, Vega-Lite dict out).

Colours follow NHS "Making Data Count" as in app/static/duiding.css; there is never a
target line: only the mean and the process limits of the data itself.
"""

from datetime import date
from typing import Any

import altair as alt

from app.figures.context import IndicatorContext
from app.security.small_numbers import Masked, plain

SIGNAL_COLOURS = {
    "improvement": "#005eb8",
    "concern": "#b35600",
    "neither": "#6d3f9c",
    "common": "#5f6b76",
}


def chart_rows(
    context: IndicatorContext, labels: dict[str, str], lang: str = "nl"
) -> list[dict[str, Any]]:
    """One row per period with what the chart needs; ``labels`` translates signals.

    A masked small number has no value (no point is drawn, the line breaks) and
    ``masked`` says "minder dan 5" in ``lang``, shown as a tick at the foot of the chart."""
    return [
        {
            "period": row.period.start.isoformat(),
            "label": row.period.label,
            "value": plain(row.point.value),
            "mean": plain(row.point.mean),
            "lpl": plain(row.point.lpl),
            "upl": plain(row.point.upl),
            "masked": row.point.value.text(lang) if isinstance(row.point.value, Masked) else None,
            "signal": row.point.signal,
            "signal_label": labels[row.point.signal],
            "stories": len(row.stories),
            "titles": "; ".join(story.title for story in row.stories),
            "href": f"/stories/{row.stories[0].id}" if row.stories else None,
        }
        for row in context.rows
    ]


def indicator_chart(
    rows: list[dict[str, Any]],
    events: list[dict[str, Any]],
    *,
    title: str,
    value_title: str,
    width: int | str = "container",
    height: int = 260,
    domain: tuple[date, date] | None = None,
) -> dict[str, Any]:
    """The XmR chart: values coloured by signal, mean and limits, event bands, story markers.

    ``domain`` fixes the time axis, so that small multiples share one."""
    data = alt.Data(values=rows)
    scale = alt.Scale(domain=[d.isoformat() for d in domain]) if domain else alt.Undefined
    x = alt.X("period:T", title=None, scale=scale)
    base = alt.Chart(data).encode(x=x)
    layers: list[alt.Chart] = []
    if events:
        layers.append(
            alt.Chart(alt.Data(values=events))
            .mark_rect(opacity=0.15, color="#5f6b76")
            .encode(x="start:T", x2="end:T", tooltip=[alt.Tooltip("title:N", title=None)])
        )
    layers += [
        base.mark_line(color="#5f6b76").encode(
            y=alt.Y("value:Q", title=value_title, scale=alt.Scale(zero=False))
        ),
        base.mark_line(strokeDash=[2, 2], color="#1d2731").encode(y="mean:Q"),
        base.mark_line(strokeDash=[6, 3], color="#5f6b76").encode(y="upl:Q"),
        base.mark_line(strokeDash=[6, 3], color="#5f6b76").encode(y="lpl:Q"),
        base.mark_point(filled=True, size=60).encode(
            y="value:Q",
            color=alt.Color(
                "signal:N",
                scale=alt.Scale(domain=list(SIGNAL_COLOURS), range=list(SIGNAL_COLOURS.values())),
                legend=None,
            ),
            shape=alt.Shape("signal:N", legend=None),
            tooltip=[
                alt.Tooltip("label:N", title=None),
                alt.Tooltip("value:Q", title=value_title),
                alt.Tooltip("signal_label:N", title=None),
            ],
        ),
        base.transform_filter("datum.masked != null")
        .mark_tick(color="#5f6b76", thickness=2)
        .encode(
            y=alt.value(height - 6),
            tooltip=[alt.Tooltip("label:N", title=None), alt.Tooltip("masked:N", title=None)],
        ),
        base.transform_filter("datum.stories > 0")
        .mark_text(text="▲", dy=-14, fontSize=14, color="#1d2731", cursor="pointer")
        .encode(
            y="value:Q",
            href="href:N",
            tooltip=[alt.Tooltip("titles:N", title=None), alt.Tooltip("stories:Q", title="#")],
        ),
    ]
    chart = alt.layer(*layers).properties(title=title, width=width, height=height)
    return chart.to_dict(validate=False)

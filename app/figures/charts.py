"""Altair chart specs for an indicator in context (pure: rows in, Vega-Lite dict out).

Building a chart with Altair costs tens of milliseconds, so the layout (layers,
encodings, colours) is built once per set of options and cached; each request only
fills in the titles and attaches its rows as named datasets. The spec is then a pure
function of the data, which is what the SVG cache (app/figures/svg.py) keys on.

User text (titles, units, labels) reaches a spec only where Vega reads text, never as
expression source: ``expression_safe`` rewrites every encoding title, the one place
where Vega-Lite copies a title into an expression (tooltips and aria descriptions)
with only its quotes escaped.

Colours follow NHS "Making Data Count" as in app/static/duiding.css; there is never a
target line: only the mean and the process limits of the data itself.
"""

import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any

import altair as alt

from app.figures.context import AssessmentShare, IndicatorContext, PeriodRow
from app.security.small_numbers import Masked, plain

SIGNAL_COLOURS = {
    "improvement": "#005eb8",
    "concern": "#b35600",
    "neither": "#6d3f9c",
    "common": "#5f6b76",
}
INK = "#1d2731"
GREY = "#5f6b76"
#: Story titles shown in a marker's tooltip; the period's page lists them all.
TITLES_IN_TOOLTIP = 5
#: Placeholders in the cached layout, replaced per chart.
TITLE, VALUE_TITLE = "\0title", "\0value-title"


#: Channels whose encoding title Vega-Lite also shows in a guide (axis, legend, header).
GUIDES = {
    **dict.fromkeys(("x", "y"), "axis"),
    **dict.fromkeys(
        ("color", "fill", "stroke", "shape", "size", "opacity", "strokeDash"), "legend"
    ),
    **dict.fromkeys(("row", "column", "facet"), "header"),
}
#: Characters a JavaScript string literal cannot hold as they are.
_UNSAFE_IN_LITERAL = re.compile(r"[\\\x00-\x1f\x7f\u2028\u2029]")


def _literal_text(text: str) -> str:
    """``text`` escaped so that, put between double quotes with its quotes escaped (what
    Vega-Lite does with a title it writes into an expression), it reads as ``text``."""
    return _UNSAFE_IN_LITERAL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def expression_safe(spec: Any) -> Any:
    """``spec`` with every encoding title safe inside Vega expressions (in place).

    A title that needs escaping keeps its text in its guide (axis, legend or header
    title, which Vega shows as text), so the reader sees exactly what was typed."""
    if isinstance(spec, list):
        for item in spec:
            expression_safe(item)
    elif isinstance(spec, dict):
        for channel, definitions in (spec.get("encoding") or {}).items():
            for definition in definitions if isinstance(definitions, list) else [definitions]:
                title = definition.get("title") if isinstance(definition, dict) else None
                if not isinstance(title, str) or _literal_text(title) == title:
                    continue
                definition["title"] = _literal_text(title)
                guide = GUIDES.get(channel)
                if guide and definition.get(guide, {}) is not None:
                    definition[guide] = {"title": title, **(definition.get(guide) or {})}
        for key in ("layer", "concat", "hconcat", "vconcat", "spec"):
            if key in spec:
                expression_safe(spec[key])
    return spec


def story_href(row: PeriodRow, period_url: Callable[[PeriodRow], str]) -> str | None:
    """Where a story marker leads: the story itself, or the period listing all of them."""
    if row.story_count == 1:
        return f"/stories/{row.stories[0].id}"
    return period_url(row) if row.story_count else None


def chart_rows(
    context: IndicatorContext,
    labels: dict[str, str],
    period_url: Callable[[PeriodRow], str],
    lang: str = "nl",
) -> list[dict[str, Any]]:
    """One row per period with what the chart needs; ``labels`` translates signals.

    A masked small number has no value (no point is drawn, the line breaks) and
    ``masked`` says "minder dan 5" in ``lang``, shown as a tick at the foot of the chart."""
    rows = []
    for row in context.rows:
        titles = [story.title for story in row.stories[:TITLES_IN_TOOLTIP]]
        if row.story_count > len(titles):
            titles.append("…")
        rows.append(
            {
                "period": row.period.start.isoformat(),
                "label": row.period.label,
                "value": plain(row.point.value),
                "mean": plain(row.point.mean),
                "lpl": plain(row.point.lpl),
                "upl": plain(row.point.upl),
                "masked": (
                    row.point.value.text(lang) if isinstance(row.point.value, Masked) else None
                ),
                "signal": row.point.signal,
                "signal_label": labels[row.point.signal],
                "stories": row.story_count,
                "titles": "; ".join(titles),
                "href": story_href(row, period_url),
            }
        )
    return rows


def context_datasets(context: IndicatorContext, break_label: str) -> dict[str, list[dict]]:
    """Context events as bands, breaks as rules and reflection sessions as markers."""
    return {
        "events": [
            {
                "title": e.title,
                "start": e.starts_on.isoformat(),
                "end": (e.ends_on or e.starts_on).isoformat(),
            }
            for e in context.events
        ],
        "breaks": [{"day": day.isoformat(), "label": break_label} for day in context.breaks],
        "sessions": [
            {
                "day": meeting.held_on.isoformat(),
                "title": meeting.title,
                "href": f"/sessions/{meeting.id}",
            }
            for row in context.rows
            for meeting in row.sessions
        ],
    }


def _fill(node: Any, values: dict[str, Any]) -> Any:
    """A copy of ``node`` with every placeholder string replaced by its value."""
    if isinstance(node, dict):
        return {key: _fill(item, values) for key, item in node.items()}
    if isinstance(node, list):
        return [_fill(item, values) for item in node]
    if isinstance(node, str):
        return values.get(node, node)
    return node


@lru_cache(maxsize=64)
def _layout(width: int | str, height: int, domain: tuple[date, date] | None) -> dict[str, Any]:
    """The XmR chart without data: event bands, breaks, values coloured by signal, mean
    and limits, story and session markers, reading the named datasets ``points``,
    ``events``, ``breaks`` and ``sessions``. Bands, rules and small-number ticks are
    hidden from screen readers (an empty layer would be an unlabelled image): the page
    says the same in text."""
    scale = alt.Scale(domain=[d.isoformat() for d in domain]) if domain else alt.Undefined
    x = alt.X("period:T", title=None, scale=scale)
    base = alt.Chart(alt.NamedData("points")).encode(x=x)
    value = alt.Y("value:Q", title=VALUE_TITLE, scale=alt.Scale(zero=False))
    layers = [
        alt.Chart(alt.NamedData("events"))
        .mark_rect(opacity=0.15, color=GREY, aria=False)
        .encode(x="start:T", x2="end:T", tooltip=[alt.Tooltip("title:N", title=None)]),
        alt.Chart(alt.NamedData("breaks"))
        .mark_rule(strokeDash=[4, 4], color=INK, strokeWidth=1.5, aria=False)
        .encode(x="day:T", tooltip=[alt.Tooltip("label:N", title=None)]),
        base.mark_line(color=GREY).encode(y=value),
        base.mark_line(strokeDash=[2, 2], color=INK).encode(y="mean:Q"),
        base.mark_line(strokeDash=[6, 3], color=GREY).encode(y="upl:Q"),
        base.mark_line(strokeDash=[6, 3], color=GREY).encode(y="lpl:Q"),
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
                alt.Tooltip("value:Q", title=VALUE_TITLE),
                alt.Tooltip("signal_label:N", title=None),
            ],
        ),
        base.transform_filter("datum.masked != null")
        .mark_tick(color=GREY, thickness=2, aria=False)
        .encode(
            y=alt.value(height - 6),
            tooltip=[alt.Tooltip("label:N", title=None), alt.Tooltip("masked:N", title=None)],
        ),
        base.transform_filter("datum.stories > 0")
        .mark_text(text="▲", dy=-14, fontSize=14, color=INK, cursor="pointer")
        .encode(
            y="value:Q",
            href="href:N",
            tooltip=[alt.Tooltip("titles:N", title=None), alt.Tooltip("stories:Q", title="#")],
        ),
        alt.Chart(alt.NamedData("sessions"))
        .mark_text(text="◆", fontSize=14, color=INK, cursor="pointer", baseline="top")
        .encode(
            x="day:T",
            y=alt.value(0),
            href="href:N",
            tooltip=[alt.Tooltip("title:N", title=None)],
        ),
    ]
    chart = alt.layer(*layers).properties(title=TITLE, width=width, height=height)
    return chart.to_dict(validate=False)


def indicator_chart(
    rows: list[dict[str, Any]],
    datasets: dict[str, list[dict[str, Any]]],
    *,
    title: str,
    value_title: str,
    width: int | str = "container",
    height: int = 260,
    domain: tuple[date, date] | None = None,
) -> dict[str, Any]:
    """The XmR chart of ``rows`` with the ``events``, ``breaks`` and ``sessions`` of
    ``datasets`` (each may be missing). ``domain`` fixes the time axis, so that small
    multiples share one."""
    spec = expression_safe(
        _fill(_layout(width, height, domain), {TITLE: title, VALUE_TITLE: value_title})
    )
    spec["datasets"] = {
        "points": rows,
        **{name: datasets.get(name, []) for name in ("events", "breaks", "sessions")},
    }
    return spec


ASSESSMENT_COLOURS = {
    "better": SIGNAL_COLOURS["improvement"],
    "worse": SIGNAL_COLOURS["concern"],
    "mixed": SIGNAL_COLOURS["neither"],
    "unclear": SIGNAL_COLOURS["common"],
}


@lru_cache(maxsize=4)
def _shares_layout() -> dict[str, Any]:
    """Per quarter a bar of 100%, split by what the stories report (dataset ``shares``)."""
    chart = (
        alt.Chart(alt.NamedData("shares"))
        .mark_bar()
        .encode(
            x=alt.X("quarter:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("count:Q", stack="normalize", title=None, axis=alt.Axis(format="%")),
            color=alt.Color(
                "label:N",
                scale=alt.Scale(
                    domain=[f"\0{key}" for key in ASSESSMENT_COLOURS],
                    range=list(ASSESSMENT_COLOURS.values()),
                ),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("quarter:N", title=None),
                alt.Tooltip("label:N", title=None),
                alt.Tooltip("count:Q", title="#"),
            ],
        )
        .properties(width="container", height=140)
    )
    return chart.to_dict(validate=False)


def shares_chart(shares: list[AssessmentShare], labels: dict[str, str]) -> dict[str, Any]:
    """What the stories say, drawn: ``labels`` translates better, worse, mixed, unclear."""
    spec = expression_safe(
        _fill(_shares_layout(), {f"\0{key}": text for key, text in labels.items()})
    )
    spec["datasets"] = {
        "shares": [
            {
                "quarter": share.quarter,
                "label": labels[key],
                "count": share.counts[key],
                "rank": rank,
            }
            for share in shares
            for rank, key in enumerate(ASSESSMENT_COLOURS)
        ]
    }
    return spec

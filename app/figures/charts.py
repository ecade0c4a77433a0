"""The one chart builder: every XmR chart of the app (indicator page, related figures,
timeline panels, session snapshots, the half-year report and its PDF, the SVG for readers
without JavaScript) is built here, so that a fix reaches all of them.

Building a chart with Altair costs tens of milliseconds, so the layout (layers,
encodings, colours) is built once per set of options and this module's code, and kept
across restarts (app/figures/chart_layouts.py); each request only
fills in the axis title and attaches its rows as named datasets. The spec is then a pure
function of the data, which is what the SVG cache (app/figures/svg.py) keys on.

Everything a reader sees as text is data, never part of a Vega expression: tooltips are
objects of translated labels and values formatted as in the table (vega-tooltip shows an
object as a table), and the number and date locale is carried in the spec's config, so
the browser, vl-convert's SVG and the PDF all write "jan 2024", "1.000" and "26,3".
A layer is only added when it has data (an empty dataset makes Vega warn about an
"Infinite extent"), and marks are hidden from assistive technology: the chart's
description is its summary sentence, and the table beside it says the rest.

User text (titles, units, labels) reaches a spec only where Vega reads text, never as
expression source: ``expression_safe`` rewrites every encoding title, the one place
where Vega-Lite copies a title into an expression (tooltips and aria descriptions)
with only its quotes escaped.

Colours follow NHS "Making Data Count" as in app/static/duiding.css; there is never a
target line: only the mean and the process limits of the data itself.
"""

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from app.figures.chart_layouts import kept
from app.figures.context import AssessmentShare, IndicatorContext, PeriodRow
from app.figures.signals import SIGNAL_LABELS
from app.figures.summary import period_words
from app.i18n import N_, format_day, format_number, gettext
from app.security.small_numbers import Masked, display, plain

SIGNAL_COLOURS = {
    "improvement": "#005eb8",
    "concern": "#b35600",
    "neither": "#6d3f9c",
    "common": "#5f6b76",
}
#: A signal is told by its shape as well as its colour (colour-blind readers, print).
SIGNAL_SHAPES = {
    "improvement": "square",
    "concern": "triangle-down",
    "neither": "cross",
    "common": "circle",
}
INK = "#1d2731"
GREY = "#5f6b76"


@dataclass(frozen=True)
class Band:
    """How a shaded band is drawn: the chart, its SVG legend and the page's legend swatch
    all read this one colour and opacity, so the key looks exactly like the band."""

    colour: str
    opacity: float


#: The bands by legend kind: a development (and an experiment's running time), and the
#: period shown (a story's period, a report's half year).
BANDS = {
    "event": Band(GREY, 0.15),
    "running": Band(GREY, 0.15),
    "highlight": Band("#005eb8", 0.25),
}
STORY_GLYPH, SESSION_GLYPH = "▲", "◆"
MEAN_DASH, LIMIT_DASH, BREAK_DASH = [2, 2], [6, 3], [4, 4]
#: Story titles shown in a marker's tooltip; the period's page lists them all.
TITLES_IN_TOOLTIP = 5
#: Placeholder in the cached layout, replaced per chart.
VALUE_TITLE = "\0value-title"
#: Placeholders of a fixed time axis (the timeline's shared one), replaced per chart:
#: the layout is the same for every stretch of time, so it is built once.
AXIS_START, AXIS_END = "\0axis-start", "\0axis-end"

#: d3-format and d3-time-format locales (as vl_convert.get_format_locale("nl-NL") gives
#: them), kept here so that a page never loads vl-convert to learn its month names.
NUMBER_LOCALES = {
    "nl": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€\xa0", ""]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["€", ""]},
}
TIME_LOCALES = {
    "nl": {
        "dateTime": "%a %e %B %Y %X",
        "date": "%d-%m-%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"],
        "shortDays": ["zo", "ma", "di", "wo", "do", "vr", "za"],
        "months": [
            *("januari", "februari", "maart", "april", "mei", "juni", "juli"),
            *("augustus", "september", "oktober", "november", "december"),
        ],
        "shortMonths": [
            *("jan", "feb", "mrt", "apr", "mei", "jun"),
            *("jul", "aug", "sep", "okt", "nov", "dec"),
        ],
    },
    "en": {
        "dateTime": "%a %e %b %X %Y",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
        "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
        "months": [
            *("January", "February", "March", "April", "May", "June", "July"),
            *("August", "September", "October", "November", "December"),
        ],
        "shortMonths": [
            *("Jan", "Feb", "Mar", "Apr", "May", "Jun"),
            *("Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        ],
    },
}

TIP_PERIOD = N_("Period")
TIP_VALUE = N_("Value")
TIP_SIGNAL = N_("Signal")
TIP_STATUS = N_("Status")
PROVISIONAL = N_("provisional")
TIP_MEAN = N_("Mean")
TIP_LIMITS = N_("Limits of usual variation")
TIP_STORIES = N_("Stories")
TIP_SESSION = N_("Reflection session")
TIP_DEVELOPMENT = N_("Development")
BREAK_LABEL = N_("break: usual variation recalculated")

#: What each legend entry says, in the order the legend lists them.
LEGEND_LABELS = {
    **SIGNAL_LABELS,
    "mean": N_("mean"),
    "limits": N_("limits of usual variation"),
    "masked": N_("value hidden (small number)"),
    "provisional": N_("provisional value (may still change)"),
    "story": N_("stories of the period"),
    "session": N_("reflection session"),
    "event": N_("development"),
    "highlight": N_("period shown"),
    "break": N_("break: usual variation recalculated"),
}


@dataclass(frozen=True)
class LegendEntry:
    """One mark of a chart and what it means, in the reader's language."""

    kind: str
    label: str


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
    if row.story_count == 1 and row.stories:
        return f"/stories/{row.stories[0].id}"
    return period_url(row) if row.story_count else None


def _limits_text(lpl: Any, upl: Any, lang: str) -> str | None:
    if lpl is None and upl is None:
        return None
    return f"{display(lpl, lang)} \u2013 {display(upl, lang)}"


def _tip(lang: str, pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """A tooltip as {translated label: text}; empty values are left out."""
    return {_word(lang, label): text for label, text in pairs if text not in (None, "")}


@lru_cache(maxsize=512)
def _word(lang: str, label: str) -> str:
    """A chart's fixed word translated once: a chart has hundreds of tooltips and
    points, each asking for the same few labels."""
    return gettext(lang, label)


def _phases(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with their stretches of the same mean and limits numbered: those lines
    are drawn one stretch at a time, so that they step at a break instead of sloping
    across it."""
    numbered, phase, before = [], 0, None
    for row in rows:
        key = (row["mean"], row["lpl"], row["upl"])
        if before is not None and key != before:
            phase += 1
        numbered.append({**row, "phase": phase})
        before = key
    return numbered


def chart_rows(
    context: IndicatorContext,
    lang: str,
    period_url: Callable[[PeriodRow], str],
    value_title: str = "",
) -> list[dict[str, Any]]:
    """One row per period with what the chart needs.

    A masked small number has no value (no point is drawn, the line breaks) and shows
    as a tick at the foot of the chart whose tooltip says "minder dan 5"."""
    rows = []
    for row in context.rows:
        point = row.point
        label = row.period.label
        titles = [story.title for story in row.stories[:TITLES_IN_TOOLTIP]]
        if row.story_count > len(titles) and titles:
            titles.append("…")
        signal = _word(lang, SIGNAL_LABELS[point.signal])
        rows.append(
            {
                "period": row.period.start.isoformat(),
                "label": label,
                "value": plain(point.value),
                "mean": plain(point.mean),
                "lpl": plain(point.lpl),
                "upl": plain(point.upl),
                "masked": isinstance(point.value, Masked),
                "provisional": row.provisional_value,
                "signal": point.signal,
                "stories": row.story_count,
                "href": story_href(row, period_url),
                "tip": _tip(
                    lang,
                    [
                        (TIP_PERIOD, label),
                        (TIP_VALUE, display(point.value, lang)),
                        (TIP_STATUS, _word(lang, PROVISIONAL) if row.provisional_value else None),
                        (TIP_SIGNAL, signal),
                        (TIP_MEAN, display(point.mean, lang) if point.mean is not None else None),
                        (TIP_LIMITS, _limits_text(point.lpl, point.upl, lang)),
                    ],
                ),
                "story_tip": _tip(
                    lang,
                    [
                        (TIP_PERIOD, label),
                        (TIP_STORIES, format_number(row.story_count, lang)),
                        *((f"{n}.", title) for n, title in enumerate(titles, start=1)),
                    ],
                ),
            }
        )
    return rows


def report_rows(points: Iterable[Any], lang: str) -> list[dict[str, Any]]:
    """Chart rows of a report's points (app/reports/content.Point): no stories, no masks."""
    rows = [
        {
            "period": point.start.isoformat(),
            "label": point.period,
            "value": point.value,
            "mean": point.mean,
            "lpl": point.lpl,
            "upl": point.upl,
            "masked": False,
            "provisional": False,
            "signal": point.signal,
            "stories": 0,
            "href": None,
            "tip": {},
            "story_tip": {},
        }
        for point in points
    ]
    return rows


def context_datasets(context: IndicatorContext, lang: str) -> dict[str, list[dict]]:
    """Context events as bands, breaks as rules and reflection sessions as markers."""
    break_label = gettext(lang, BREAK_LABEL)
    last = context.rows[-1] if context.rows else None
    return {
        "events": [
            {
                "start": e.starts_on.isoformat(),
                "end": (e.ends_on or e.starts_on).isoformat(),
                "tip": _tip(lang, [(TIP_DEVELOPMENT, e.title)]),
            }
            for e in context.events
        ],
        "breaks": [
            {"day": day.isoformat(), "tip": _tip(lang, [(TIP_PERIOD, break_label)])}
            for day in context.breaks
        ],
        "sessions": [
            {
                # A session held after the last period sits on it (it read those figures).
                "day": min(
                    meeting.held_on, row.period.start if row is last else date.max
                ).isoformat(),
                "href": f"/sessions/{meeting.id}",
                "tip": _tip(lang, [(TIP_SESSION, meeting.title)]),
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


@lru_cache(maxsize=1)
def _altair() -> Any:
    """Altair, imported on the first chart built: it costs half a second and tens of
    megabytes, which a start, a CLI command or the API's JSON never need."""
    import altair

    return altair


@lru_cache(maxsize=1)
def _encodings() -> tuple[Any, Any, Any]:
    """The tooltip, and a point's signal told by its colour and its shape without a
    legend of Vega's own: built once, on the first chart."""
    alt = _altair()
    tip = alt.Tooltip("tip:N")
    colour = alt.Color(
        "signal:N",
        scale=alt.Scale(domain=list(SIGNAL_COLOURS), range=list(SIGNAL_COLOURS.values())),
        legend=None,
    )
    shape = alt.Shape(
        "signal:N",
        scale=alt.Scale(domain=list(SIGNAL_SHAPES), range=list(SIGNAL_SHAPES.values())),
        legend=None,
    )
    return tip, colour, shape


#: Marks, axes and legends stay out of the accessibility tree: the chart is one image
#: named by its description (app/static/charts.js), and the table beside it says what
#: each mark would.
HIDDEN_FROM_ASSISTIVE_TECHNOLOGY = {
    "aria": False,
    "mark": {"aria": False},
    "view": {"stroke": None},
}


@kept(maxsize=256)
def _layout(
    width: int | str,
    height: int,
    fixed_axis: bool,
    layers: frozenset[str],
    time_format: str,
    values: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """The XmR chart without data, with only the ``layers`` that have data: event bands,
    breaks, highlighted periods, values coloured and shaped by signal, mean and limits
    (one line per phase), small-number ticks, story and session markers, reading the
    named datasets ``points``, ``events``, ``breaks``, ``highlight`` and ``sessions``;
    ``fixed_axis`` leaves AXIS_START and AXIS_END to fill in as the time axis;
    ``values`` fixes the value axis, so that small multiples of districts share one."""
    alt = _altair()
    tip, signal_colour, signal_shape = _encodings()
    scale = alt.Scale(domain=[AXIS_START, AXIS_END]) if fixed_axis else alt.Undefined
    axis = alt.Axis(
        format=time_format,
        labelOverlap="greedy",
        labelFlush=True,
        tickCount={"expr": "ceil(width / 90)"},
        grid=False,
    )
    x = alt.X("period:T", title=None, scale=scale, axis=axis)
    base = alt.Chart(alt.NamedData("points")).encode(x=x)
    value_scale = alt.Scale(domain=list(values), nice=True) if values else alt.Scale(zero=False)
    value = alt.Y("value:Q", title=VALUE_TITLE, scale=value_scale)
    charts = []
    if "events" in layers:
        charts.append(
            alt.Chart(alt.NamedData("events"))
            .mark_rect(opacity=BANDS["event"].opacity, color=BANDS["event"].colour)
            .encode(x="start:T", x2="end:T", tooltip=tip)
        )
    if "highlight" in layers:
        charts.append(
            alt.Chart(alt.NamedData("highlight"))
            .mark_rect(opacity=BANDS["highlight"].opacity, color=BANDS["highlight"].colour)
            .encode(x="start:T", x2="end:T", tooltip=tip)
        )
    if "breaks" in layers:
        charts.append(
            alt.Chart(alt.NamedData("breaks"))
            .mark_rule(strokeDash=BREAK_DASH, color=INK, strokeWidth=1.5)
            .encode(x="day:T", tooltip=tip)
        )
    charts.append(base.mark_line(color=GREY).encode(y=value))
    if "mean" in layers:
        charts.append(
            base.mark_line(strokeDash=MEAN_DASH, color=INK).encode(y="mean:Q", detail="phase:N")
        )
    if "limits" in layers:
        for field in ("upl", "lpl"):
            charts.append(
                base.mark_line(strokeDash=LIMIT_DASH, color=GREY).encode(
                    y=f"{field}:Q", detail="phase:N"
                )
            )
    charts.append(
        base.transform_filter("isValid(datum.value)")
        .mark_point(filled=True, size=60, opacity=1)
        .encode(
            y="value:Q",
            color=signal_colour,
            shape=signal_shape,
            tooltip=tip,
        )
    )
    if "provisional" in layers:
        # a hollow centre: the publisher may still change the value
        charts.append(
            base.transform_filter("datum.provisional && isValid(datum.value)")
            .mark_point(filled=True, size=14, opacity=1, color="white")
            .encode(y="value:Q", tooltip=tip)
        )
    if "masked" in layers:
        charts.append(
            base.transform_filter("datum.masked")
            .mark_tick(color=GREY, thickness=2)
            .encode(y=alt.value(height - 6), tooltip=tip)
        )
    if "story" in layers:
        charts.append(
            base.transform_filter("datum.stories > 0")
            .mark_text(text=STORY_GLYPH, dy=-14, fontSize=14, color=INK, cursor="pointer")
            .encode(
                y=alt.value(8) if "value" not in layers else "value:Q",
                href="href:N",
                tooltip=alt.Tooltip("story_tip:N"),
            )
        )
    if "session" in layers:
        charts.append(
            alt.Chart(alt.NamedData("sessions"))
            .mark_text(text=SESSION_GLYPH, fontSize=14, color=INK, cursor="pointer", baseline="top")
            .encode(x="day:T", y=alt.value(0), href="href:N", tooltip=tip)
        )
    chart = alt.layer(*charts).properties(width=width, height=height)
    spec = chart.to_dict(validate=False)
    spec["config"] = HIDDEN_FROM_ASSISTIVE_TECHNOLOGY
    return spec


def layers_in_use(rows: list[dict[str, Any]], datasets: dict[str, list[dict]]) -> frozenset[str]:
    """The layers (and legend entries) that have something to draw."""
    used = {name for name in ("events", "breaks", "highlight") if datasets.get(name)}
    if datasets.get("sessions"):
        used.add("session")
    if any(row["value"] is not None for row in rows):
        used.add("value")
    if any(row["mean"] is not None for row in rows):
        used.add("mean")
    if any(row["lpl"] is not None or row["upl"] is not None for row in rows):
        used.add("limits")
    if any(row["masked"] for row in rows):
        used.add("masked")
    if any(row["provisional"] and row["value"] is not None for row in rows):
        used.add("provisional")
    if any(row["stories"] for row in rows):
        used.add("story")
    used.update(row["signal"] for row in rows if row["value"] is not None)
    return frozenset(used)


def legend(
    rows: list[dict[str, Any]], datasets: dict[str, list[dict]], lang: str
) -> list[LegendEntry]:
    """What each mark in use means: signal colours, mean, limits, markers, bands, breaks."""
    used = layers_in_use(rows, datasets)
    renamed = {"events": "event", "breaks": "break"}
    used = frozenset(renamed.get(name, name) for name in used)
    return [
        LegendEntry(kind, gettext(lang, label))
        for kind, label in LEGEND_LABELS.items()
        if kind in used
    ]


def locale_config(lang: str) -> dict[str, Any]:
    """Vega's locale config for ``lang``: month names and number separators."""
    return {"number": NUMBER_LOCALES[lang], "time": TIME_LOCALES[lang]}


def indicator_chart(
    rows: list[dict[str, Any]],
    datasets: dict[str, list[dict[str, Any]]],
    *,
    lang: str,
    value_title: str,
    description: str,
    width: int | str = "container",
    height: int = 260,
    domain: tuple[date, date] | None = None,
    yearly: bool = False,
    title: str = "",
    legend_below: bool = False,
    value_domain: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """The XmR chart of ``rows`` with the ``events``, ``breaks``, ``highlight`` and
    ``sessions`` of ``datasets`` (each may be missing), in ``lang``.

    ``domain`` fixes the time axis, so that small multiples share one; ``description``
    (the summary sentence) names the chart for assistive technology; ``legend_below``
    draws the legend inside the chart, for an SVG that stands alone (report, PDF); pages
    show the same entries as HTML (see ``legend``); ``value_domain`` fixes the value axis
    (districts side by side on one scale)."""
    used = layers_in_use(rows, datasets).difference(SIGNAL_COLOURS)
    time_format = "%Y" if yearly else "%b %Y"
    layout = _layout(width, height, domain is not None, used, time_format, value_domain)
    axis = {AXIS_START: domain[0].isoformat(), AXIS_END: domain[1].isoformat()} if domain else {}
    spec = expression_safe(_fill(layout, {VALUE_TITLE: value_title, **axis}))
    spec["description"] = description
    spec["datasets"] = {
        "points": _phases(rows),
        **{
            name: datasets.get(name, [])
            for name in ("events", "breaks", "sessions", "highlight")
            if datasets.get(name)
        },
    }
    if title:
        spec["title"] = title
    if legend_below and isinstance(width, int):
        spec = _with_legend(spec, legend(rows, datasets, lang), width)
    spec["config"] = {**spec["config"], "locale": locale_config(lang)}
    return spec


#: Size of a sparkline: small enough for a table cell.
SPARK_WIDTH, SPARK_HEIGHT = 120, 28


@kept(maxsize=4)
def _sparkline_layout() -> dict[str, Any]:
    """A line without axes and the latest point coloured and shaped by its signal
    (dataset ``points``: period, value, signal, last)."""
    alt = _altair()
    _, signal_colour, signal_shape = _encodings()
    x = alt.X("period:T", axis=None)
    y = alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False))
    base = alt.Chart(alt.NamedData("points")).encode(x=x, y=y)
    chart = alt.layer(
        base.mark_line(color=GREY, strokeWidth=1.5),
        base.transform_filter("datum.last && isValid(datum.value)")
        .mark_point(filled=True, size=30, opacity=1)
        .encode(
            color=signal_colour,
            shape=signal_shape,
        ),
    ).properties(width=SPARK_WIDTH, height=SPARK_HEIGHT, padding=2)
    spec = chart.to_dict(validate=False)
    spec["config"] = HIDDEN_FROM_ASSISTIVE_TECHNOLOGY
    return spec


def sparkline(points: Sequence[tuple[date, Any, str]], lang: str, description: str) -> dict:
    """A sparkline of (period start, value, signal) points: no axes, no tooltips, named
    by ``description`` (its text alternative). A masked value (None) breaks the line."""
    spec = dict(_sparkline_layout())
    last = len(points) - 1
    spec["datasets"] = {
        "points": [
            {"period": day.isoformat(), "value": plain(value), "signal": signal, "last": n == last}
            for n, (day, value, signal) in enumerate(points)
        ]
    }
    spec["description"] = description
    spec["config"] = {**spec["config"], "locale": locale_config(lang)}
    return spec


LEGEND_ROW = 16


def _legend_rows(entries: list[LegendEntry], width: int) -> list[dict[str, Any]]:
    columns = 2 if width < 480 else 3
    step = width // columns
    return [
        {
            "kind": entry.kind,
            "label": entry.label,
            "x": (n % columns) * step + 6,
            "y": (n // columns) * LEGEND_ROW + 8,
            "colour": SIGNAL_COLOURS.get(entry.kind, INK),
            "shape": SIGNAL_SHAPES.get(entry.kind, "circle"),
        }
        for n, entry in enumerate(entries)
    ]


@kept(maxsize=32)
def _legend_layout(width: int, height: int) -> dict[str, Any]:
    """A legend drawn with the chart's own marks, one entry per slot of a grid."""
    alt = _altair()
    base = alt.Chart(alt.NamedData("legend")).encode(
        x=alt.X("x:Q", scale=None, axis=None), y=alt.Y("y:Q", scale=None, axis=None)
    )

    def only(*kinds: str) -> str:
        return " || ".join(f"datum.kind == '{kind}'" for kind in kinds)

    def line(kind: str, dash: list[int], colour: str) -> Any:
        return (
            base.transform_filter(only(kind))
            .transform_calculate(x2="datum.x + 12")
            .mark_rule(strokeDash=dash, color=colour, strokeWidth=1.5)
            .encode(x2="x2:Q")
        )

    layers = [
        base.transform_filter(only(*SIGNAL_COLOURS, "masked"))
        .mark_point(filled=True, size=40, opacity=1)
        .encode(color=alt.Color("colour:N", scale=None), shape=alt.Shape("shape:N", scale=None)),
        base.transform_filter(only("story"))
        .mark_text(text=STORY_GLYPH, fontSize=11, color=INK)
        .encode(),
        base.transform_filter(only("session"))
        .mark_text(text=SESSION_GLYPH, fontSize=11, color=INK)
        .encode(),
        *(
            base.transform_filter(only(kind))
            .transform_calculate(x2="datum.x + 12", y1="datum.y - 5", y2="datum.y + 5")
            .mark_rect(opacity=band.opacity, color=band.colour)
            .encode(x2="x2:Q", y=alt.Y("y1:Q", scale=None), y2="y2:Q")
            for kind, band in BANDS.items()
        ),
        line("mean", MEAN_DASH, INK),
        line("limits", LIMIT_DASH, GREY),
        line("break", BREAK_DASH, INK),
        base.transform_calculate(tx="datum.x + 14")
        .mark_text(align="left", baseline="middle", fontSize=10, color=INK)
        .encode(x=alt.X("tx:Q", scale=None), text="label:N"),
    ]
    return alt.layer(*layers).properties(width=width, height=height).to_dict(validate=False)


def _with_legend(spec: dict[str, Any], entries: list[LegendEntry], width: int) -> dict[str, Any]:
    """``spec`` with its legend below it, in one vertically concatenated chart."""
    rows = _legend_rows(entries, width)
    height = (max((row["y"] for row in rows), default=0)) + LEGEND_ROW // 2
    legend_spec = dict(_legend_layout(width, height))
    datasets = {**spec.pop("datasets"), **legend_spec.pop("datasets", {}), "legend": rows}
    config = spec.pop("config")
    description = spec.pop("description")
    legend_spec.pop("$schema", None)
    spec.pop("$schema", None)
    legend_spec.pop("config", None)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": description,
        "datasets": datasets,
        "config": config,
        "vconcat": [spec, legend_spec],
        "spacing": 6,
    }


ASSESSMENT_COLOURS = {
    "better": SIGNAL_COLOURS["improvement"],
    "worse": SIGNAL_COLOURS["concern"],
    "mixed": SIGNAL_COLOURS["neither"],
    "unclear": SIGNAL_COLOURS["common"],
}
TIP_QUARTER = N_("Quarter")


@kept(maxsize=4)
def _shares_layout() -> dict[str, Any]:
    """Per quarter a bar of 100%, split by what the stories report (dataset ``shares``)."""
    alt = _altair()
    tip = _encodings()[0]
    chart = (
        alt.Chart(alt.NamedData("shares"))
        .mark_bar()
        .encode(
            x=alt.X("quarter:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap="greedy")),
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
            tooltip=tip,
        )
        .properties(width="container", height=140)
    )
    spec = chart.to_dict(validate=False)
    spec["config"] = HIDDEN_FROM_ASSISTIVE_TECHNOLOGY
    return spec


def shares_chart(
    shares: list[AssessmentShare], labels: dict[str, str], lang: str, description: str
) -> dict[str, Any]:
    """What the stories say, drawn: ``labels`` translates better, worse, mixed, unclear."""
    spec = expression_safe(
        _fill(_shares_layout(), {f"\0{key}": text for key, text in labels.items()})
    )
    spec["description"] = description
    spec["config"] = {**spec["config"], "locale": locale_config(lang)}
    spec["datasets"] = {
        "shares": [
            {
                "quarter": share.quarter,
                "label": labels[key],
                "count": share.counts[key],
                "rank": rank,
                "tip": {
                    gettext(lang, TIP_QUARTER): share.quarter,
                    labels[key]: f"{share.percent(key)}%" if share.total else "",
                    gettext(lang, TIP_STORIES): format_number(share.counts[key], lang),
                },
            }
            for share in shares
            for rank, key in enumerate(ASSESSMENT_COLOURS)
        ]
    }
    return spec


TIP_PILOT = N_("Pilot districts")
TIP_COMPARISON = N_("Comparison districts")
TIP_RUNNING = N_("Experiment running")
#: The two sides of an experiment's comparison: colour, shape and dash each tell them
#: apart (colour-blind readers, print).
SIDES = {
    "pilot": (SIGNAL_COLOURS["improvement"], "circle", [1, 0]),
    "comparison": (INK, "square", [6, 3]),
}
COMPARISON_LEGEND = {
    "pilot": N_("pilot districts (mean)"),
    "comparison": N_("comparison districts (mean)"),
    "running": N_("experiment running"),
}


@kept(maxsize=8)
def _comparison_layout(width: int | str, height: int, time_format: str) -> dict[str, Any]:
    """Pilot and comparison means per period (dataset ``series``) over the experiment's
    running period as a band (dataset ``running``)."""
    alt = _altair()
    tip = _encodings()[0]
    axis = alt.Axis(
        format=time_format,
        labelOverlap="greedy",
        labelFlush=True,
        labelSeparation=8,
        # one tick per period at most: a short series would repeat "jul 2025" between
        tickCount="year" if time_format == "%Y" else "month",
        grid=False,
    )
    x = alt.X("period:T", title=None, axis=axis)
    sides = list(SIDES)
    series = alt.Chart(alt.NamedData("series")).encode(
        x=x,
        y=alt.Y("value:Q", title=VALUE_TITLE, scale=alt.Scale(zero=False)),
        color=alt.Color(
            "side:N",
            scale=alt.Scale(domain=sides, range=[s[0] for s in SIDES.values()]),
            legend=None,
        ),
    )
    layers = [
        alt.Chart(alt.NamedData("running"))
        .mark_rect(opacity=BANDS["running"].opacity, color=BANDS["running"].colour)
        .encode(x="start:T", x2="end:T", tooltip=tip),
        series.mark_line().encode(
            strokeDash=alt.StrokeDash(
                "side:N",
                scale=alt.Scale(domain=sides, range=[s[2] for s in SIDES.values()]),
                legend=None,
            ),
            detail="side:N",
        ),
        series.mark_point(filled=True, size=30, opacity=1).encode(
            shape=alt.Shape(
                "side:N",
                scale=alt.Scale(domain=sides, range=[s[1] for s in SIDES.values()]),
                legend=None,
            ),
            tooltip=tip,
        ),
    ]
    spec = alt.layer(*layers).properties(width=width, height=height).to_dict(validate=False)
    spec["config"] = HIDDEN_FROM_ASSISTIVE_TECHNOLOGY
    return spec


def comparison_chart(
    periods: Sequence[Any],
    running: tuple[date, date],
    *,
    lang: str,
    value_title: str,
    description: str,
    width: int | str = "container",
    height: int = 220,
    yearly: bool = False,
) -> dict[str, Any]:
    """An experiment's pilot against its comparison districts, per period, with the
    period it ran shaded. ``periods`` are app/experiments/evidence.ComparedPeriod rows
    (a period, its start day, the two means); a side without a value draws no point."""
    layout = _comparison_layout(width, height, "%Y" if yearly else "%b %Y")
    spec = expression_safe(_fill(layout, {VALUE_TITLE: value_title}))
    labels = {
        side: gettext(lang, tip)
        for side, tip in (("pilot", TIP_PILOT), ("comparison", TIP_COMPARISON))
    }
    spec["description"] = description
    spec["datasets"] = {
        "series": [
            {
                "period": row.starts_on.isoformat(),
                "side": side,
                "value": getattr(row, side),
                "tip": _tip(
                    lang,
                    [
                        (TIP_PERIOD, period_words(row.period, lang)),
                        (labels[side], format_number(getattr(row, side), lang)),
                    ],
                ),
            }
            for row in periods
            for side in SIDES
            if getattr(row, side) is not None
        ],
        "running": [
            {
                "start": running[0].isoformat(),
                "end": running[1].isoformat(),
                "tip": _tip(
                    lang,
                    [
                        (
                            TIP_RUNNING,
                            f"{format_day(running[0], lang)} \u2013 {format_day(running[1], lang)}",
                        )
                    ],
                ),
            }
        ],
    }
    spec["config"] = {**spec["config"], "locale": locale_config(lang)}
    return spec


def comparison_legend(lang: str) -> list[LegendEntry]:
    """What the marks of an experiment's comparison chart mean."""
    return [LegendEntry(kind, gettext(lang, label)) for kind, label in COMPARISON_LEGEND.items()]

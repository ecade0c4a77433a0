"""Charts as pages show them: a panel's Vega-Lite spec in the reader's language, the URL
of its static SVG twin and its summary in words.

Shared by the indicator page, the timeline and the session page (each route module
imports this rather than another route module).
"""

import math
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote_plus, urlencode

from sqlmodel import Session

from app.figures.charts import LegendEntry, chart_rows, context_datasets, indicator_chart, legend
from app.figures.context import IndicatorContext, PeriodRow, small_multiples
from app.figures.periods import Period, period_of
from app.figures.signals import SIGNAL_LABELS
from app.figures.summary import summary
from app.i18n import N_, gettext
from app.models import Frequency, Narrative
from app.narratives.moderation import linked_figures
from app.narratives.reach import Reach
from app.problems import Invalid
from app.security.small_numbers import SHOW_ALL, Masking

ASSESSMENT_LABELS = {
    "better": N_("better"),
    "worse": N_("worse"),
    "mixed": N_("mixed"),
    "unclear": N_("unclear"),
}


def query_string(**params: str | None) -> str:
    """A URL query of the parameters that have a value."""
    return urlencode({key: value for key, value in params.items() if value})


def period_url(panel: IndicatorContext, row: PeriodRow) -> str:
    """The indicator page narrowed to one period: it lists all of that period's stories.

    Written out rather than through ``urlencode`` (a chart asks once per period with
    stories, hundreds of times per page): a canonical label is URL-safe as it is."""
    label = row.period.label
    area = f"area={quote_plus(panel.area.code)}&" if panel.area else ""
    return f"/indicators/{panel.indicator.slug}?{area}from={label}&to={label}"


def assessment_labels(lang: str) -> dict[str, str]:
    """The self-assessments' names in the reader's language."""
    return {key: gettext(lang, label) for key, label in ASSESSMENT_LABELS.items()}


def signal_labels(lang: str) -> dict[str, str]:
    """The signals' names in the reader's language."""
    return {key: gettext(lang, label) for key, label in SIGNAL_LABELS.items()}


@dataclass
class Chart:
    """One chart on a page: its spec for vega-embed, the URL of its SVG, its summary and
    the legend of the marks it uses.

    Templates embed the spec with Jinja's ``tojson``, which escapes ``<``, ``>``, ``&``
    and ``'``, so no text in it can end or comment out its script element."""

    panel: IndicatorContext
    spec: dict
    svg_url: str
    summary: list[str]
    legend: list[LegendEntry]


def chart_parts(
    panel: IndicatorContext,
    lang: str,
    *,
    small: bool = False,
    width: int | str = "container",
    domain: tuple[date, date] | None = None,
    highlight: list[dict] | None = None,
    title: bool = False,
    value_domain: tuple[float, float] | None = None,
) -> tuple[dict, list[str], list[LegendEntry]]:
    """The Vega-Lite spec of a panel in the reader's language, its summary sentences and
    its legend; ``highlight`` marks periods (a story's own page)."""
    rows = chart_rows(panel, lang, lambda row: period_url(panel, row))
    datasets = {**context_datasets(panel, lang), "highlight": highlight or []}
    sentences = summary(panel, lang)
    spec = indicator_chart(
        rows,
        datasets,
        lang=lang,
        value_title=panel.indicator.unit or panel.indicator.name,
        description=" ".join(sentences) or panel.indicator.name,
        width=width,
        height=120 if small else 260,
        domain=domain,
        yearly=panel.indicator.frequency == Frequency.year,
        title=panel.indicator.name if title else "",
        value_domain=value_domain,
    )
    return spec, sentences, legend(rows, datasets, lang)


def chart_spec(
    panel: IndicatorContext,
    lang: str,
    *,
    small: bool = False,
    width: int | str = "container",
    domain: tuple[date, date] | None = None,
    highlight: list[dict] | None = None,
    value_domain: tuple[float, float] | None = None,
) -> dict:
    """The Vega-Lite spec of a panel as an SVG that stands alone: titled, in the reader's
    language."""
    return chart_parts(
        panel,
        lang,
        small=small,
        width=width,
        domain=domain,
        highlight=highlight,
        title=True,
        value_domain=value_domain,
    )[0]


def scale_text(values: tuple[float, float] | None) -> str | None:
    """A value axis as the SVG twin's ``scale`` parameter (LOW/HIGH)."""
    return f"{values[0]!r}/{values[1]!r}" if values else None


def value_scale(text: str | None) -> tuple[float, float] | None:
    """The ``scale`` parameter (LOW/HIGH) read back; Invalid unless two finite numbers,
    the first not above the second."""
    if not text:
        return None
    try:
        low, high = (float(part) for part in text.split("/"))
    except ValueError:
        low = high = float("nan")
    if not (math.isfinite(low) and math.isfinite(high) and low <= high):
        raise Invalid.at("scale", N_("expected two numbers LOW/HIGH"), part="query")
    return low, high


def make_chart(
    panel: IndicatorContext,
    lang: str,
    svg_query: dict[str, str | None],
    *,
    small: bool = False,
    domain: tuple[date, date] | None = None,
    value_domain: tuple[float, float] | None = None,
) -> Chart:
    """A chart with its SVG twin (``svg_query`` selects the same panel) and its summary;
    ``value_domain`` fixes the value axis of the chart and of its SVG twin."""
    scale = scale_text(value_domain)
    query = query_string(**svg_query, size="small" if small else None, scale=scale, lang=lang)
    svg_url = f"/indicators/{panel.indicator.slug}/chart.svg?{query}"
    return chart_with_svg(
        panel, lang, svg_url, small=small, domain=domain, value_domain=value_domain
    )


def chart_with_svg(
    panel: IndicatorContext,
    lang: str,
    svg_url: str,
    *,
    small: bool = False,
    domain: tuple[date, date] | None = None,
    highlight: list[dict] | None = None,
    value_domain: tuple[float, float] | None = None,
) -> Chart:
    """A chart whose static SVG twin is served at ``svg_url``, with its summary."""
    spec, sentences, entries = chart_parts(
        panel, lang, small=small, domain=domain, highlight=highlight, value_domain=value_domain
    )
    return Chart(panel, spec, svg_url, sentences, entries)


TIP_STORY_PERIOD = N_("Period of this story")


def period_band(period: Period, lang: str) -> dict:
    """A highlighted band over one period (the period of a story)."""
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "tip": {gettext(lang, TIP_STORY_PERIOD): period.label},
    }


def story_charts(
    *,
    session: Session,
    story: Narrative,
    lang: str,
    masking: Masking = SHOW_ALL,
    reach: Reach = Reach.all,
) -> list[Chart]:
    """The figures a story is linked to, each with the story's period marked, as small
    multiples (story, session and development markers included)."""
    indicators = [indicator for indicator, _relation in linked_figures(session, story)]
    charts = []
    for panel in small_multiples(
        session=session,
        indicators=indicators,
        area=None,
        masking=masking,
        reach=reach,
    ):
        period = period_of(story.occurred_on, panel.indicator.frequency)
        query = query_string(size="small", period=period.label, lang=lang)
        svg_url = f"/indicators/{panel.indicator.slug}/chart.svg?{query}"
        charts.append(
            chart_with_svg(panel, lang, svg_url, small=True, highlight=[period_band(period, lang)])
        )
    return charts


@dataclass
class PeriodGroup:
    """The periods of one year in the indicator page's table, folded but for the last."""

    label: str
    rows: list[PeriodRow]
    open: bool

    @property
    def signals(self) -> int:
        return sum(row.point.signal != "common" for row in self.rows)

    @property
    def stories(self) -> int:
        return sum(row.story_count for row in self.rows)

    @property
    def sessions(self) -> int:
        return sum(len(row.sessions) for row in self.rows)


def period_groups(context: IndicatorContext) -> list[PeriodGroup]:
    """The table's periods by year (a yearly figure: one group), the latest open."""
    yearly = context.indicator.frequency == Frequency.year
    groups: list[PeriodGroup] = []
    for row in context.rows:
        label = "" if yearly else str(row.period.start.year)
        if not groups or groups[-1].label != label:
            groups.append(PeriodGroup(label, [], False))
        groups[-1].rows.append(row)
    if groups:
        groups[-1].open = True
    return groups

"""Figures side by side: the indicator overview (``/indicators``) and the districts of
one figure (``/indicators/{slug}/districts``).

The overview gathers a whole page in a fixed handful of queries, however many
indicators it lists: every series of the chosen area in one query, the breaks of all
indicators at once, the stories of the last twelve months counted in one grouped query
and the signals' states in the three queries of app/figures/explained.py. Signals are
computed on the true values and then, for an anonymous reader of a district, masked by
app/figures/suppression.masked_points (small numbers and secondary suppression), as
app/figures/context.shown_signals does for a single figure.

"Stories about a figure" are, as on the indicator page, the published stories linked
to the indicator or to one of its themes (for anonymous readers only those allowed to
reach the public); for a district, those of that district (or of a neighbourhood in it).
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby

from sqlmodel import Session, col, select

from app.figures.charts import sparkline
from app.figures.context import IndicatorContext, indicator_context
from app.figures.explained import runs_by_period, signal_runs, with_states
from app.figures.icons import Variation, latest_variation
from app.figures.periods import Period
from app.figures.signals import SignalPoint, breaks_by_indicator, signals_of_series
from app.figures.story_pool import themes_of
from app.figures.summary import period_words
from app.figures.suppression import masked_points
from app.figures.unexplained import recent
from app.i18n import N_, gettext
from app.models import (
    Area,
    AreaKind,
    Indicator,
    IndicatorTheme,
    Narrative,
    NarrativeIndicator,
    NarrativeTheme,
    Observation,
    Theme,
)
from app.models.observation import visible_observations
from app.narratives.reach import Reach, published_for
from app.problems import Message
from app.security.small_numbers import SHOW_ALL, Masking, display, is_district

#: How many of the latest periods a sparkline draws.
SPARK_PERIODS = 24
UNKNOWN_THEME = N_("There is no theme '%(slug)s'; all themes are shown.")
UNKNOWN_AREA = N_("There is no district '%(code)s'; the whole municipality is shown.")


def year_before(day: date) -> date:
    """The first day of the twelve months that end on ``day``."""
    try:
        start = day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        start = day.replace(year=day.year - 1, day=28)
    return date.fromordinal(start.toordinal() + 1)


def districts(session: Session) -> list[Area]:
    """The districts (wijken) of the municipality, by name."""
    return list(
        session.exec(select(Area).where(Area.kind == AreaKind.district).order_by(col(Area.name)))
    )


def story_counts(
    session: Session,
    indicator_ids: Sequence[int],
    *,
    since: date,
    until: date,
    reach: Reach,
) -> dict[tuple[int, int | None], int]:
    """(indicator id, area id of the story) -> how many stories about the figure (linked
    to it or to one of its themes) occurred in [since, until]. Summed over the areas it
    is the figure's count for the whole municipality (a story has one area, so none
    counts twice).

    The year's stories of the themes are read once and combined per figure here: one
    grouped query over every (figure, theme story) pair counted each theme's stories
    once for every figure in it, 1.6 s for 200 figures at the bench's scale."""
    visible = (
        *published_for(reach=reach),
        col(Narrative.occurred_on) >= since,
        col(Narrative.occurred_on) <= until,
    )
    themes = themes_of(session, indicator_ids)
    area_of: dict[int, int | None] = {}
    of_theme: dict[int, set[int]] = {}
    # Every theme link of the year's stories, unfiltered by theme: the window is what
    # narrows them, and so the planner starts from it, not from a theme's every story.
    run = session.connection().execute  # plain rows: thousands of them, no ORM needed
    for theme_id, story_id, area_id in run(
        select(col(NarrativeTheme.theme_id), col(Narrative.id), col(Narrative.area_id))
        .join(Narrative, col(Narrative.id) == NarrativeTheme.narrative_id)
        .where(*visible)
    ).all():
        of_theme.setdefault(theme_id, set()).add(story_id)
        area_of[story_id] = area_id
    linked: dict[int, set[int]] = {}
    for indicator_id, story_id, area_id in run(
        select(col(NarrativeIndicator.indicator_id), col(Narrative.id), col(Narrative.area_id))
        .join(Narrative, col(Narrative.id) == NarrativeIndicator.narrative_id)
        .where(col(NarrativeIndicator.indicator_id).in_(indicator_ids), *visible)
    ).all():
        linked.setdefault(indicator_id, set()).add(story_id)
        area_of[story_id] = area_id
    shared: dict[frozenset[int], tuple[set[int], Counter]] = {}
    counts: dict[tuple[int, int | None], int] = {}
    for indicator_id in indicator_ids:
        key = themes[indicator_id]
        if key not in shared:
            stories = set().union(*(of_theme.get(theme, ()) for theme in key))
            shared[key] = (stories, Counter(area_of[story] for story in stories))
        stories, per_area = shared[key]
        own = Counter(area_of[s] for s in linked.get(indicator_id, ()) if s not in stories)
        for area_id, n in (per_area + own).items():
            counts[indicator_id, area_id] = n
    return counts


def area_family(session: Session, areas: Sequence[Area]) -> dict[int, int]:
    """Area id -> the id of the given area it lies in (itself or a child of it)."""
    wanted = {area.id: area.id for area in areas if area.id is not None}
    for child_id, parent_id in session.exec(
        select(Area.id, Area.parent_id).where(col(Area.parent_id).in_(list(wanted)))
    ).all():
        if child_id is not None and parent_id is not None:
            wanted.setdefault(child_id, parent_id)
    return wanted


def counts_per_area(
    counts: dict[tuple[int, int | None], int], family: dict[int, int] | None
) -> dict[tuple[int, int | None], int]:
    """The counts per indicator for the whole municipality (``family`` None: key area
    None) or per district (``family`` from ``area_family``)."""
    result: dict[tuple[int, int | None], int] = {}
    for (indicator_id, area_id), n in counts.items():
        if family is None:
            key: int | None = None
        elif area_id is not None and area_id in family:
            key = family[area_id]
        else:
            continue
        result[indicator_id, key] = result.get((indicator_id, key), 0) + n
    return result


@dataclass
class OverviewRow:
    """One indicator of the overview, as this reader may see it."""

    indicator: Indicator
    themes: list[Theme]
    #: The series' signal points, masked for the reader; empty when it has no values.
    points: list[SignalPoint]
    #: Stories about the figure in the last twelve months.
    stories: int
    #: Whether a recent signal (app/figures/unexplained.RECENT) is not explained yet.
    unexplained: bool = False
    #: Whether partners have been asked about every recent unexplained signal.
    asked: bool = False

    @property
    def latest(self) -> SignalPoint | None:
        return self.points[-1] if self.points else None

    @property
    def latest_period(self) -> Period | None:
        latest = self.latest
        return Period(latest.period_start, self.indicator.frequency) if latest else None

    @property
    def variation(self) -> Variation | None:
        return latest_variation(self.points, self.indicator.direction)

    @property
    def spark(self) -> list[SignalPoint]:
        return self.points[-SPARK_PERIODS:]


@dataclass
class Overview:
    """The overview page: its rows, the filters it applied and what was wrong with them."""

    rows: list[OverviewRow]
    theme: Theme | None
    area: Area | None
    themes: list[Theme]
    areas: list[Area]
    since: date
    until: date
    problems: list[Message] = field(default_factory=list)


def _themes_of(session: Session, ids: Sequence[int]) -> dict[int, list[Theme]]:
    found: dict[int, list[Theme]] = {}
    for indicator_id, theme in session.exec(
        select(IndicatorTheme.indicator_id, Theme)
        .join(Theme, col(Theme.id) == IndicatorTheme.theme_id)
        .where(col(IndicatorTheme.indicator_id).in_(ids))
        .order_by(col(Theme.name))
    ).all():
        found.setdefault(indicator_id, []).append(theme)
    return found


def overview(
    *,
    session: Session,
    theme: str | None = None,
    area: str | None = None,
    masking: Masking = SHOW_ALL,
    reach: Reach = Reach.all,
    today: date | None = None,
) -> Overview:
    """Every indicator (of ``theme``, for the municipality or the district ``area``) with
    its series, latest state, stories of the last twelve months and whether a recent
    signal is unexplained. An unknown theme or district is left out and said in
    ``problems``: the page still shows."""
    today = today or date.today()
    themes = list(session.exec(select(Theme).order_by(col(Theme.name))))
    areas = districts(session)
    problems: list[Message] = []
    chosen_theme = next((t for t in themes if t.slug == theme), None) if theme else None
    if theme and chosen_theme is None:
        problems.append(Message(UNKNOWN_THEME, {"slug": theme}))
    chosen_area = None
    if area:
        chosen_area = session.exec(select(Area).where(Area.code == area)).first()
        if chosen_area is None:
            problems.append(Message(UNKNOWN_AREA, {"code": area}))
        elif chosen_area.kind == AreaKind.municipality:
            chosen_area = None  # the municipality's own values have no area

    query = select(Indicator).order_by(col(Indicator.name), col(Indicator.id))
    if chosen_theme is not None:
        query = query.where(
            col(Indicator.id).in_(
                select(IndicatorTheme.indicator_id).where(
                    IndicatorTheme.theme_id == chosen_theme.id
                )
            )
        )
    indicators = list(session.exec(query))
    ids = [i.id for i in indicators if i.id is not None]
    of_theme = _themes_of(session, ids)
    breaks = breaks_by_indicator(session, indicators, area=chosen_area)
    area_filter = (
        Observation.area_id == chosen_area.id
        if chosen_area is not None
        else col(Observation.area_id).is_(None)
    )
    values = session.connection().execute(
        select(col(Observation.indicator_id), col(Observation.period_start), col(Observation.value))
        .where(visible_observations(), col(Observation.indicator_id).in_(ids), area_filter)
        .order_by(col(Observation.indicator_id), col(Observation.period_start))
    )
    series = {key: [(r[1], r[2]) for r in group] for key, group in groupby(values, lambda r: r[0])}
    district_level = is_district(chosen_area)
    points: dict[int, list[SignalPoint]] = {}
    runs = []
    for indicator in indicators:
        found = series.get(indicator.id, [])
        if not found:
            points[indicator.id or 0] = []
            continue
        computed = signals_of_series(found, indicator, breaks[indicator.id])
        runs.extend(
            recent(
                signal_runs(
                    computed,
                    indicator.frequency,
                    indicator_id=indicator.id or 0,
                    area_id=chosen_area.id if chosen_area else None,
                ),
                computed,
            )
        )
        if district_level and chosen_area is not None:
            # the one place district signals are masked (with secondary suppression):
            # two queries per figure, and only for an anonymous reader of a district
            computed = masked_points(
                computed, session=session, indicator=indicator, area=chosen_area, masking=masking
            )
        points[indicator.id or 0] = computed
    until = stories_until(
        today,
        [
            Period(p[-1].period_start, i.frequency).end
            for i in indicators
            if (p := points[i.id or 0])
        ],
    )
    since = year_before(until)
    open_runs: dict[int, list[str]] = {}
    for run in with_states(session, runs, reach=reach, today=today):
        if run.state != "explained":
            open_runs.setdefault(run.indicator_id, []).append(run.state)
    counted = story_counts(session, ids, since=since, until=until, reach=reach)
    family = area_family(session, [chosen_area]) if chosen_area is not None else None
    per_area = counts_per_area(counted, family)
    area_key = chosen_area.id if chosen_area is not None else None
    rows = [
        OverviewRow(
            indicator=indicator,
            themes=of_theme.get(indicator.id or 0, []),
            points=points[indicator.id or 0],
            stories=per_area.get((indicator.id or 0, area_key), 0),
            unexplained=bool(open_runs.get(indicator.id or 0)),
            asked=all(state == "asked" for state in open_runs.get(indicator.id or 0, [])),
        )
        for indicator in indicators
    ]
    return Overview(rows, chosen_theme, chosen_area, themes, areas, since, until, problems)


@dataclass
class DistrictFigure:
    """One district of a figure: its panel (signals masked for the reader), its stories
    of the last twelve months."""

    area: Area
    panel: IndicatorContext
    stories: int

    @property
    def latest(self):
        return self.panel.rows[-1] if self.panel.rows else None

    @property
    def variation(self) -> Variation | None:
        return self.panel.variation


@dataclass
class DistrictComparison:
    indicator: Indicator
    figures: list[DistrictFigure]
    #: The shared time axis and value axis of the small multiples (None: no values).
    days: tuple[date, date] | None
    values: tuple[float, float] | None
    since: date
    until: date

    @property
    def with_values(self) -> list[DistrictFigure]:
        return [figure for figure in self.figures if figure.panel.rows]


def _shown_numbers(panel: IndicatorContext) -> list[float]:
    """The numbers a panel draws (values, means, limits) that are not masked."""
    return [
        float(number)
        for row in panel.rows
        for number in (row.point.value, row.point.mean, row.point.lpl, row.point.upl)
        if isinstance(number, int | float)
    ]


def stories_until(today: date, latest_ends: list[date]) -> date:
    """The end of the "last twelve months" whose stories are counted beside figures:
    today, or the end of the latest period measured when the figures stop earlier (a
    series published with a year's delay would otherwise count no stories at all)."""
    return min(today, max(latest_ends)) if latest_ends else today


def district_comparison(
    *,
    session: Session,
    indicator: Indicator,
    masking: Masking = SHOW_ALL,
    reach: Reach = Reach.all,
    today: date | None = None,
) -> DistrictComparison:
    """Every district of the figure, each panel through ``indicator_context`` (so masked
    as the indicator page masks it), on one shared time and value axis computed from
    what the reader may see only (a hidden value never widens the scale)."""
    areas = districts(session)
    panels = [
        indicator_context(
            session=session,
            indicator=indicator,
            area=area,
            details=False,
            masking=masking,
            reach=reach,
            explain=False,
        )
        for area in areas
    ]
    # the signals' states of every district at once (three queries, not three each)
    explained = iter(with_states(session, [run for p in panels for run in p.runs], reach=reach))
    for panel in panels:
        panel.runs = [next(explained) for _ in panel.runs]
        of_period = runs_by_period(panel.runs)
        for row in panel.rows:
            row.run = of_period.get(row.period.start)
    until = stories_until(
        today or date.today(), [panel.rows[-1].period.end for panel in panels if panel.rows]
    )
    since = year_before(until)
    counted = story_counts(session, [indicator.id or 0], since=since, until=until, reach=reach)
    per_area = counts_per_area(counted, area_family(session, areas))
    figures = [
        DistrictFigure(area, panel, per_area.get((indicator.id or 0, area.id), 0))
        for area, panel in zip(areas, panels, strict=True)
    ]
    days = [row.period.start for panel in panels for row in panel.rows]
    numbers = [n for panel in panels for n in _shown_numbers(panel)]
    return DistrictComparison(
        indicator,
        figures,
        (min(days), max(days)) if days else None,
        (min(numbers), max(numbers)) if numbers else None,
        since,
        until,
    )


SPARK_TEXT = N_(
    "%(name)s over the last %(count)s periods: from %(first)s (%(first_period)s) to "
    "%(last)s (%(last_period)s); lowest %(low)s, highest %(high)s."
)
SPARK_HIDDEN = N_("%(name)s over the last %(count)s periods: values hidden (small numbers).")


def spark_text(row: OverviewRow, lang: str) -> str:
    """The sparkline in words: its text alternative."""
    points = row.spark
    name = row.indicator.name
    shown = [p.value for p in points if isinstance(p.value, int | float)]
    if not shown:
        return gettext(lang, SPARK_HIDDEN, name=name, count=len(points))
    frequency = row.indicator.frequency
    first, last = points[0], points[-1]
    return gettext(
        lang,
        SPARK_TEXT,
        name=name,
        count=len(points),
        first=display(first.value, lang),
        first_period=period_words(Period(first.period_start, frequency), lang),
        last=display(last.value, lang),
        last_period=period_words(Period(last.period_start, frequency), lang),
        low=display(min(shown), lang),
        high=display(max(shown), lang),
    )


def spark_chart(row: OverviewRow, lang: str) -> dict:
    """The sparkline of a row (app/figures/charts.py), named by ``spark_text``."""
    return sparkline(
        [(p.period_start, p.value, p.signal) for p in row.spark], lang, spark_text(row, lang)
    )

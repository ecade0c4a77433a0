"""What an experiment's review looks at: pilot against comparison districts, and stories.

For each figure the experiment expects to move, the values of the pilot districts and
of the comparison districts are averaged per period, before and during the experiment,
so a team sees whether the pilot moved differently from where nothing changed. The
averages are plain means of district values: they describe, they do not test.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from statistics import fmean

from sqlmodel import Session, col, select

from app.experiments.experiments import ExperimentView
from app.figures.charts import LegendEntry, comparison_chart, comparison_legend
from app.figures.periods import Period, period_of
from app.figures.suppression import hidden_cells
from app.i18n import N_, format_number, gettext
from app.models import (
    Area,
    DecisionKind,
    Direction,
    Frequency,
    Indicator,
    Narrative,
    NarrativeStatus,
    Observation,
)

MOVED = N_(
    "Since the start, the pilot moved %(pilot)s and the comparison %(comparison)s on average."
)
NOT_FOLLOWED = N_("This experiment does not follow the figure %(slug)s.")
NO_CHANGE_YET = N_("Pilot against comparison districts, before and during the experiment.")


@dataclass
class ComparedPeriod:
    period: Period
    starts_on: date
    pilot: float | None
    comparison: float | None
    during: bool


@dataclass
class Comparison:
    """One figure: pilot and comparison means per period, and the change since start."""

    indicator: Indicator
    direction: Direction
    periods: list[ComparedPeriod] = field(default_factory=list)

    def _change(self, side: str) -> float | None:
        before = [
            getattr(p, side) for p in self.periods if not p.during and getattr(p, side) is not None
        ]
        during = [
            getattr(p, side) for p in self.periods if p.during and getattr(p, side) is not None
        ]
        if not before or not during:
            return None
        return fmean(during) - fmean(before)

    @property
    def pilot_change(self) -> float | None:
        """Mean during minus mean before, in the pilot districts."""
        return self._change("pilot")

    @property
    def comparison_change(self) -> float | None:
        return self._change("comparison")


def _means(rows: list[tuple[date, float]]) -> dict[date, float]:
    grouped: dict[date, list[float]] = defaultdict(list)
    for start, value in rows:
        grouped[start].append(value)
    return {start: fmean(values) for start, values in grouped.items()}


def _without_hidden(session, indicator, rows, seen: ExperimentView, threshold: int, until):
    """``rows`` without the periods of a side (pilot, comparison) in which one of its
    districts' values is hidden from anonymous readers."""
    hidden = hidden_cells(session=session, indicator=indicator, threshold=threshold, end=until)
    sides = [seen.first_pilots, seen.comparisons]
    dropped = set()
    for n, areas in enumerate(sides):
        codes = {area.code for area in areas}
        dropped |= {(n, start) for code, start in hidden if code in codes}
    side_of = {area.id: n for n, areas in enumerate(sides) for area in areas}
    return [row for row in rows if (side_of.get(row[0]), row[1]) not in dropped]


def comparisons(
    *, session: Session, seen: ExperimentView, until: date, threshold: int | None = None
) -> list[Comparison]:
    """Pilot and comparison means of each followed figure, from a year before the start.

    Only the districts it started in count as pilot: districts it was scaled to later
    joined after the start and would blur the before and after.

    With ``threshold`` (a publication, such as the half-year report), a period in which
    a pilot (or comparison) district's value is hidden from anonymous readers (a small
    number or one hidden beside it, app/figures/suppression.py) is left out of that
    side's means: a change of means with the other values shown would give it back.
    """
    experiment = seen.experiment
    since = date(experiment.starts_on.year - 1, experiment.starts_on.month, 1)
    pilot_ids = [area.id for area in seen.first_pilots]
    comparison_ids = [area.id for area in seen.comparisons]
    result = []
    for indicator, link in seen.indicators:
        rows = session.exec(
            select(
                col(Observation.area_id), col(Observation.period_start), col(Observation.value)
            ).where(
                col(Observation.indicator_id) == indicator.id,
                col(Observation.area_id).in_(pilot_ids + comparison_ids),
                col(Observation.period_start) >= since,
                col(Observation.period_start) <= until,
            )
        ).all()
        if threshold is not None:
            rows = _without_hidden(session, indicator, rows, seen, threshold, until)
        pilot = _means([(start, value) for area, start, value in rows if area in pilot_ids])
        other = _means([(start, value) for area, start, value in rows if area in comparison_ids])
        starts = sorted(set(pilot) | set(other))
        result.append(
            Comparison(
                indicator=indicator,
                direction=link.direction,
                periods=[
                    ComparedPeriod(
                        period=period_of(start, indicator.frequency),
                        starts_on=start,
                        pilot=pilot.get(start),
                        comparison=other.get(start),
                        during=start >= experiment.starts_on,
                    )
                    for start in starts
                ],
            )
        )
    return result


def running_period(seen: ExperimentView, until: date) -> tuple[date, date]:
    """From the start to the decision that stopped it, or to ``until`` while it runs."""
    stopped = [d.decided_on for d in seen.decisions if d.decision == DecisionKind.stop]
    return seen.experiment.starts_on, max(seen.experiment.starts_on, min(stopped or [until]))


@dataclass
class ComparisonChart:
    """One figure's comparison as a page shows it: spec, SVG twin, sentence, legend."""

    comparison: Comparison
    spec: dict
    svg_url: str
    summary: list[str]
    legend: list[LegendEntry]


def sentence(comparison: Comparison, lang: str) -> str:
    """How pilot and comparison moved since the start, in words."""
    if comparison.pilot_change is None:
        return gettext(lang, NO_CHANGE_YET)
    other = comparison.comparison_change
    return gettext(
        lang,
        MOVED,
        pilot=format_number(comparison.pilot_change, lang),
        comparison=format_number(other, lang) if other is not None else "\u2013",
    )


def comparison_spec(
    comparison: Comparison, running: tuple[date, date], lang: str, width: int | str = "container"
) -> dict:
    """The Vega-Lite spec of one figure's pilot against comparison, in ``lang``."""
    indicator = comparison.indicator
    if comparison.periods:  # the band ends with the values: no empty stretch up to today
        last = comparison.periods[-1].starts_on
        running = running[0], max(running[0], min(running[1], last))
    return comparison_chart(
        comparison.periods,
        running,
        lang=lang,
        value_title=indicator.unit or indicator.name,
        description=f"{indicator.name}: {sentence(comparison, lang)}",
        width=width,
        yearly=indicator.frequency == Frequency.year,
    )


def comparison_charts(
    comparisons: list[Comparison], running: tuple[date, date], lang: str, experiment_id: int
) -> list[ComparisonChart]:
    """Each followed figure's chart, with its static SVG for readers without JavaScript."""
    return [
        ComparisonChart(
            comparison,
            comparison_spec(comparison, running, lang),
            f"/experiments/{experiment_id}/chart.svg?indicator={comparison.indicator.slug}"
            f"&lang={lang}",
            [sentence(comparison, lang)],
            comparison_legend(lang),
        )
        for comparison in comparisons
    ]


def pilot_stories(*, session: Session, seen: ExperimentView, limit: int = 20) -> list[Narrative]:
    """Published stories from the pilot districts since the experiment started."""
    pilot_ids = [area.id for area in seen.pilots]
    if not pilot_ids:
        return []
    return list(
        session.exec(
            select(Narrative)
            .where(
                Narrative.status == NarrativeStatus.published,
                col(Narrative.area_id).in_(pilot_ids),
                Narrative.occurred_on >= seen.experiment.starts_on,
            )
            .order_by(col(Narrative.occurred_on).desc())
            .limit(limit)
        )
    )


def area_names(areas: list[Area]) -> str:
    """The districts' names as one readable list."""
    return ", ".join(area.name for area in areas)

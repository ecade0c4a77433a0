"""Unexplained signals for the dashboard: recent signals in the figures of the whole
municipality that no story or session explains yet.

A signal (app/figures/explained.py, which also decides what explains it) counts when it
ends within the last ``RECENT`` periods of its series. District series are read on the
indicator page (with its district filter), which offers the same "ask partners" link;
the dashboard is the overview.

Signals need the whole series of every indicator, so the runs are kept per process and
database for one data version of the figures (app/figures/versions.py). Explanations
change with every moderation and are looked up fresh, in three queries over the runs'
time window.
"""

from dataclasses import dataclass
from datetime import date
from itertools import groupby

from sqlmodel import Session, col, select

from app.figures.explained import SignalRun, signal_runs, with_states
from app.figures.icons import Variation, variation_of
from app.figures.signals import SignalPoint, breaks_by_indicator, signals_of_series
from app.figures.versions import PerVersion
from app.models import (
    Indicator,
    Observation,
)
from app.models.observation import visible_observations
from app.narratives.reach import Reach

#: A run counts as recent when it ends within this many last periods of its series.
RECENT = 3
#: Order on the dashboard: concerns first, then improvements, then neutral indicators.
SIGNAL_ORDER = {"concern": 0, "improvement": 1, "neither": 2}


@dataclass(frozen=True)
class UnexplainedSignal:
    """A run on the dashboard, with its indicator."""

    run: SignalRun
    indicator: Indicator


@dataclass(frozen=True)
class Computed:
    """What the cache keeps per data version: the recent runs, and the variation icon of
    every indicator's latest municipality point (for the indicator list and dashboard)."""

    runs: list[SignalRun]
    latest: dict[str, Variation]


_computed_runs = PerVersion(keep=4)


def _computed(session: Session) -> Computed:
    """The runs and latest icons of every indicator, kept while the data is unchanged."""
    return _computed_runs.remember(session, "unexplained", "computed", lambda: _compute(session))


def recent_runs(session: Session) -> list[SignalRun]:
    """The recent special-cause runs of every indicator's municipality series."""
    return _computed(session).runs


def latest_variations(session: Session) -> dict[str, Variation]:
    """Indicator slug -> the variation icon of its latest municipality point."""
    return _computed(session).latest


def _compute(session: Session) -> Computed:
    indicators = {i.id: i for i in session.exec(select(Indicator))}
    breaks = breaks_by_indicator(session, list(indicators.values()))
    rows = session.connection().execute(
        select(col(Observation.indicator_id), col(Observation.period_start), col(Observation.value))
        .where(visible_observations(), col(Observation.area_id).is_(None))
        .order_by(col(Observation.indicator_id), col(Observation.period_start))
    )
    runs: list[SignalRun] = []
    latest: dict[str, Variation] = {}
    for indicator_id, group in groupby(rows, key=lambda r: r[0]):
        indicator = indicators[indicator_id]
        points = signals_of_series([(r[1], r[2]) for r in group], indicator, breaks[indicator_id])
        found = signal_runs(points, indicator.frequency, indicator_id=indicator_id)
        runs.extend(recent(found, points))
        latest[indicator.slug] = variation_of(points[-1], indicator.direction)
    return Computed(runs, latest)


def recent(runs: list[SignalRun], points: list[SignalPoint]) -> list[SignalRun]:
    """The runs of one series that end within its last ``RECENT`` periods."""
    recent_from = points[-RECENT].period_start if len(points) >= RECENT else date.min
    return [run for run in runs if run.last.start >= recent_from]


def unexplained_signals(session: Session, *, reach: Reach = Reach.all) -> list[UnexplainedSignal]:
    """Recent signals not explained (asked ones too, with their requests): concerns
    first, then improvements, then neutral indicators; the latest first."""
    runs = with_states(session, recent_runs(session), reach=reach)
    open_runs = [run for run in runs if run.state != "explained"]
    indicators = {
        i.id: i
        for i in session.exec(
            select(Indicator).where(col(Indicator.id).in_({r.indicator_id for r in open_runs}))
        )
    }
    open_runs.sort(
        key=lambda r: (
            SIGNAL_ORDER[r.meaning],
            -r.last.start.toordinal(),
            indicators[r.indicator_id].name,
        )
    )
    return [UnexplainedSignal(run, indicators[run.indicator_id]) for run in open_runs]

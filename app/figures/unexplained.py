"""Unexplained signals for the dashboard: recent runs of special cause in the figures of
the whole municipality that no story or session explains yet.

A run is a stretch of consecutive periods of one indicator's municipality series with the
same special-cause signal, ending within the last ``RECENT`` periods of that series. It
is unexplained when none of its periods is explained in the sense of
``PeriodRow.unexplained`` (app/figures/context.py): a published story of that period
linked to the indicator or one of its themes, or a reflection session about the
indicator held in it. District series are read on the indicator page (with its district
filter), which offers the same "ask partners" link; the dashboard is the overview.

Signals need the whole series of every indicator, so the runs are cached per process and
database, keyed by a fingerprint of everything signals depend on (observations, their
revisions, indicator settings, breaks, break events). Explanations change with every
moderation and are looked up fresh, in three queries over the runs' time window.
"""

import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from sqlmodel import Session, col, func, select

from app.figures.context import SPECIAL
from app.figures.icons import Variation, variation_of
from app.figures.periods import Period
from app.figures.signals import Signal, breaks_by_indicator, compute_signals
from app.models import (
    ContextEvent,
    ContextEventArea,
    ContextEventIndicator,
    ContextEventTheme,
    Indicator,
    IndicatorBreak,
    IndicatorTheme,
    Narrative,
    NarrativeIndicator,
    NarrativeTheme,
    Observation,
    ObservationRevision,
    ReflectionSession,
    SessionIndicator,
)
from app.narratives.reach import published_for

#: A run counts as recent when it ends within this many last periods of its series.
RECENT = 3
#: Order on the dashboard: concerns first, then improvements, then neutral indicators.
SIGNAL_ORDER = {"concern": 0, "improvement": 1, "neither": 2}


@dataclass(frozen=True)
class SignalRun:
    """Consecutive periods of an indicator's municipality series with the same
    special-cause signal."""

    indicator_id: int
    signal: Signal
    periods: tuple[Period, ...]

    @property
    def first(self) -> Period:
        return self.periods[0]

    @property
    def last(self) -> Period:
        return self.periods[-1]


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


_cache: dict[str, tuple[tuple, Computed]] = {}
_lock = threading.Lock()


def _fingerprint(session: Session) -> tuple:
    """Everything signals depend on, cheaply: ids only grow, the small tables in full."""
    return (
        # Observations are never deleted on their own (only with their indicator, which
        # the indicator list below notices); a changed value leaves a revision.
        session.exec(select(func.max(Observation.id))).one(),
        session.exec(select(func.max(ObservationRevision.id))).one(),
        tuple(
            session.exec(
                select(
                    Indicator.id,
                    Indicator.frequency,
                    Indicator.direction,
                    Indicator.screen_outliers,
                ).order_by(col(Indicator.id))
            ).all()
        ),
        tuple(
            session.exec(
                select(IndicatorBreak.indicator_id, IndicatorBreak.starts_on).order_by(
                    col(IndicatorBreak.indicator_id), col(IndicatorBreak.starts_on)
                )
            ).all()
        ),
        tuple(
            session.exec(
                select(ContextEvent.id, ContextEvent.starts_on)
                .where(col(ContextEvent.is_break).is_(True))
                .order_by(col(ContextEvent.id))
            ).all()
        ),
        *(
            tuple(session.exec(select(table.event_id, column).order_by(table.event_id, column)))
            for table, column in (
                (ContextEventTheme, ContextEventTheme.theme_id),
                (ContextEventIndicator, ContextEventIndicator.indicator_id),
                (ContextEventArea, ContextEventArea.area_id),
            )
        ),
        tuple(session.exec(select(IndicatorTheme.indicator_id, IndicatorTheme.theme_id)).all()),
    )


def _computed(session: Session) -> Computed:
    """The runs and latest icons of every indicator, cached while the data is unchanged."""
    key = str(session.get_bind().url)
    fingerprint = _fingerprint(session)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
    computed = _compute(session)
    with _lock:
        _cache[key] = (fingerprint, computed)
    return computed


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
        select(Observation.indicator_id, Observation.period_start, Observation.value)
        .where(col(Observation.area_id).is_(None))
        .order_by(col(Observation.indicator_id), col(Observation.period_start))
    )
    runs: list[SignalRun] = []
    latest: dict[str, Variation] = {}
    for indicator_id, group in groupby(rows, key=lambda r: r[0]):
        indicator = indicators[indicator_id]
        points = compute_signals(
            [(r[1], r[2]) for r in group],
            direction=indicator.direction,
            screen_outliers=indicator.screen_outliers,
            breaks=breaks[indicator_id],
            consecutive=lambda a, b, f=indicator.frequency: Period(a, f).next().start == b,
        )
        runs.extend(_runs_of(indicator, points))
        latest[indicator.slug] = variation_of(points[-1], indicator.direction)
    return Computed(runs, latest)


def _runs_of(indicator: Indicator, points) -> list[SignalRun]:
    """The runs of one series that end within its last ``RECENT`` periods."""
    recent_from = len(points) - RECENT
    found: list[SignalRun] = []
    current: list[Period] = []
    signal = None
    for index, point in enumerate([*points, None]):
        period = Period(point.period_start, indicator.frequency) if point else None
        continues = (
            point is not None
            and point.signal == signal
            and current
            and current[-1].next() == period
        )
        if continues:
            current.append(period)
            continue
        if current and index - 1 >= recent_from:
            found.append(SignalRun(indicator.id, signal, tuple(current)))
        current, signal = [], None
        if point is not None and point.signal in SPECIAL:
            current, signal = [period], point.signal
    return found


def explained_periods(
    session: Session, runs: list[SignalRun], *, public_only: bool = False
) -> set[tuple[int, date]]:
    """Of the runs' periods, those a published story or session explains, as
    (indicator id, period start); the rule of ``PeriodRow.unexplained``. ``public_only``
    (anonymous readers) counts only stories with public reach, as their indicator page
    does."""
    if not runs:
        return set()
    low = min(run.first.start for run in runs)
    high = max(run.last.end for run in runs)
    indicator_ids = {run.indicator_id for run in runs}
    themes: dict[int, set[int]] = {}
    for indicator_id, theme_id in session.exec(
        select(IndicatorTheme.indicator_id, IndicatorTheme.theme_id).where(
            col(IndicatorTheme.indicator_id).in_(indicator_ids)
        )
    ):
        themes.setdefault(theme_id, set()).add(indicator_id)
    in_window = (
        *published_for(public_only=public_only),
        col(Narrative.occurred_on) >= low,
        col(Narrative.occurred_on) <= high,
    )
    # (indicator id, day) of everything that explains a period of that indicator
    evidence: list[tuple[int, date]] = list(
        session.exec(
            select(NarrativeIndicator.indicator_id, Narrative.occurred_on)
            .join(Narrative, col(Narrative.id) == NarrativeIndicator.narrative_id)
            .where(col(NarrativeIndicator.indicator_id).in_(indicator_ids), *in_window)
        ).all()
    )
    for theme_id, day in session.exec(
        select(NarrativeTheme.theme_id, Narrative.occurred_on)
        .join(Narrative, col(Narrative.id) == NarrativeTheme.narrative_id)
        .where(col(NarrativeTheme.theme_id).in_(themes), *in_window)
        .distinct()
    ):
        evidence.extend((indicator_id, day) for indicator_id in themes[theme_id])
    evidence.extend(
        session.exec(
            select(SessionIndicator.indicator_id, ReflectionSession.held_on)
            .join(ReflectionSession, col(ReflectionSession.id) == SessionIndicator.session_id)
            .where(
                col(SessionIndicator.indicator_id).in_(indicator_ids),
                col(ReflectionSession.held_on) >= low,
                col(ReflectionSession.held_on) <= high,
            )
        ).all()
    )
    days: dict[int, list[date]] = {}
    for indicator_id, day in evidence:
        days.setdefault(indicator_id, []).append(day)
    for found in days.values():
        found.sort()
    explained = set()
    for run in runs:
        found = days.get(run.indicator_id, [])
        for period in run.periods:
            if bisect_right(found, period.end) > bisect_left(found, period.start):
                explained.add((run.indicator_id, period.start))
    return explained


def unexplained_signals(session: Session, *, public_only: bool = False) -> list[UnexplainedSignal]:
    """Recent runs none of whose periods is explained: concerns first, then improvements,
    then neutral indicators; the latest first."""
    runs = recent_runs(session)
    explained = explained_periods(session, runs, public_only=public_only)
    open_runs = [
        run
        for run in runs
        if not any((run.indicator_id, p.start) in explained for p in run.periods)
    ]
    indicators = {
        i.id: i
        for i in session.exec(
            select(Indicator).where(col(Indicator.id).in_({r.indicator_id for r in open_runs}))
        )
    }
    open_runs.sort(
        key=lambda r: (
            SIGNAL_ORDER[r.signal],
            -r.last.start.toordinal(),
            indicators[r.indicator_id].name,
        )
    )
    return [UnexplainedSignal(run, indicators[run.indicator_id]) for run in open_runs]

"""Signals: an XmR (individuals) chart per indicator and area, as in NHS "Making Data Count".

The point of a signal is to tell usual variation ("common cause") apart from a change
worth explaining. The computation is pure (``compute_signals``); ``signals_for`` only
loads the series and the breaks that apply to an indicator. See DESIGN.md "Signals".
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from itertools import pairwise
from statistics import fmean
from typing import Literal

from sqlmodel import Session, col, select

from app.context.scope import scopes
from app.figures.observations import series
from app.figures.periods import consecutive, period_of
from app.figures.versions import PerVersion
from app.i18n import N_
from app.models import (
    Area,
    Direction,
    Frequency,
    Indicator,
    IndicatorBreak,
    IndicatorTheme,
)

Signal = Literal["improvement", "concern", "neither", "common"]
#: What each signal is called on pages, reports and downloads.
SIGNAL_LABELS = {
    "improvement": N_("improvement"),
    "concern": N_("concern"),
    "neither": N_("special cause"),
    "common": N_("usual variation"),
}
Side = Literal["high", "low"]

#: Rules in priority order: the first that applies decides the signal.
RULES = ("outside_limits", "trend", "two_of_three", "shift")
RUN_LENGTH = 7
PROVISIONAL_BELOW = 12
SCREEN_FACTOR = 3.267
#: Series whose signals are remembered (a ten-year monthly series is about 30 kB): the
#: overview alone asks for every figure's municipality series (200 at the bench's scale),
#: and the pages for their districts beside them.
SERIES_CACHED = 512
LIMIT_FACTOR = 2.66

_MEANING: dict[Direction, dict[Side, Signal]] = {
    Direction.up: {"high": "improvement", "low": "concern"},
    Direction.down: {"high": "concern", "low": "improvement"},
    Direction.neutral: {"high": "neither", "low": "neither"},
}


@dataclass(frozen=True, slots=True)
class SignalPoint:
    """One period of an XmR chart: its value, its segment's limits and what it signals.

    Slotted: every series' points are kept per data version (``signals_for``), at the
    bench's scale 120,000 of them, and without an instance dictionary each takes a
    fifth less memory."""

    period_start: date
    value: float
    #: None only for points restored from snapshots taken before the limits were kept.
    mean: float | None
    lpl: float | None
    upl: float | None
    signal: Signal
    rules: list[str] = field(default_factory=list)
    provisional: bool = False
    #: The side the first applying rule found (a trend's side is its direction); None
    #: for common cause and for points restored from snapshots that did not keep it.
    side: Side | None = None
    #: Which segment (0, 1, ... from the first break on) the point belongs to.
    segment: int = 0
    #: Whether the point is one of those its segment's mean and limits are computed on:
    #: every point, unless the indicator fixes them on its first ``baseline_points``.
    baseline: bool = True
    #: The side each applying rule found, in ``rules`` order: a point rising below the
    #: mean is a trend high and a shift low at once.
    sides: tuple[Side, ...] = ()


def compute_signals(
    points: list[tuple[date, float]],
    *,
    direction: Direction,
    screen_outliers: bool = True,
    breaks: Sequence[date] = (),
    consecutive: Callable[[date, date], bool] | None = None,
    baseline_points: int | None = None,
) -> list[SignalPoint]:
    """Compute the XmR chart of a series, segment by segment.

    A break date starts a new segment at the first point on or after it; no rule looks
    across a break. ``consecutive(a, b)`` says whether period ``b`` directly follows
    ``a``: a missing period means no moving range between its neighbours. Without it
    every pair of neighbouring points counts as consecutive.

    ``baseline_points`` fixes each segment's mean and limits on its first that many
    points (NHSRplotthedots' ``fix_after_n_points``): later points are judged against
    that baseline instead of moving it. A segment shorter than that uses all its points.
    """
    ordered = sorted(points)
    result: list[SignalPoint] = []
    for index, segment in enumerate(_segments(ordered, sorted(breaks))):
        result.extend(
            _segment_signals(
                segment, direction, screen_outliers, consecutive, baseline_points, index
            )
        )
    return result


def _segments(
    points: list[tuple[date, float]], breaks: list[date]
) -> list[list[tuple[date, float]]]:
    segments: list[list[tuple[date, float]]] = []
    current: list[tuple[date, float]] = []
    remaining = list(breaks)
    for point in points:
        crossed = False
        while remaining and point[0] >= remaining[0]:
            remaining.pop(0)
            crossed = True
        if crossed and current:
            segments.append(current)
            current = []
        current.append(point)
    if current:
        segments.append(current)
    return segments


def _average_moving_range(
    points: list[tuple[date, float]],
    screen_outliers: bool,
    consecutive: Callable[[date, date], bool] | None,
) -> float:
    ranges = [
        abs(b[1] - a[1])
        for a, b in pairwise(points)
        if consecutive is None or consecutive(a[0], b[0])
    ]
    if not ranges:
        return 0.0
    amr = fmean(ranges)
    if screen_outliers and amr > 0:
        kept = [r for r in ranges if r < SCREEN_FACTOR * amr]
        amr = fmean(kept) if kept else amr
    return amr


def _runs(flags: list[bool]) -> list[range]:
    """Maximal stretches of consecutive True flags."""
    runs: list[range] = []
    start: int | None = None
    for i, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append(range(start, i))
            start = None
    return runs


def _segment_signals(
    points: list[tuple[date, float]],
    direction: Direction,
    screen_outliers: bool,
    consecutive: Callable[[date, date], bool] | None,
    baseline_points: int | None = None,
    segment: int = 0,
) -> list[SignalPoint]:
    values = [v for _, v in points]
    n = len(values)
    fixed = min(n, baseline_points) if baseline_points else n
    mean = fmean(values[:fixed])
    amr = _average_moving_range(points[:fixed], screen_outliers, consecutive)
    upl, lpl = mean + LIMIT_FACTOR * amr, mean - LIMIT_FACTOR * amr
    two_high, two_low = mean + 2 / 3 * LIMIT_FACTOR * amr, mean - 2 / 3 * LIMIT_FACTOR * amr
    found: list[dict[str, Side]] = [{} for _ in range(n)]

    if amr > 0:
        for i, v in enumerate(values):
            if v > upl:
                found[i]["outside_limits"] = "high"
            elif v < lpl:
                found[i]["outside_limits"] = "low"

    # Trend: 7+ points each strictly higher (lower) than the one before; flag i means
    # "point i continues the run from point i-1".
    sides: tuple[Side, Side] = ("high", "low")
    for side, step in zip(sides, (lambda a, b: b > a, lambda a, b: b < a), strict=True):
        flags = [False] + [step(values[i - 1], values[i]) for i in range(1, n)]
        for run in _runs(flags):
            members = range(run.start - 1, run.stop)
            if len(members) >= RUN_LENGTH:
                for i in members:
                    found[i].setdefault("trend", side)

    if amr > 0:
        zone = {
            "high": [two_high < v < upl for v in values],
            "low": [lpl < v < two_low for v in values],
        }
        same_side = {"high": [v > mean for v in values], "low": [v < mean for v in values]}
        for start in range(n - 2):
            window = range(start, start + 3)
            for side in sides:
                if (
                    all(same_side[side][i] for i in window)
                    and sum(zone[side][i] for i in window) >= 2
                ):
                    for i in window:
                        if zone[side][i]:
                            found[i].setdefault("two_of_three", side)

    for side, flags in zip(
        sides, ([v > mean for v in values], [v < mean for v in values]), strict=True
    ):
        for run in _runs(flags):
            if len(run) >= RUN_LENGTH:
                for i in run:
                    found[i].setdefault("shift", side)

    provisional = n < PROVISIONAL_BELOW
    result = []
    for i, ((day, value), rules) in enumerate(zip(points, found, strict=True)):
        applied = [rule for rule in RULES if rule in rules]
        seen: Side | None = rules[applied[0]] if applied else None
        signal: Signal = _MEANING[direction][seen] if seen else "common"
        result.append(
            SignalPoint(
                day,
                value,
                mean,
                lpl,
                upl,
                signal,
                applied,
                provisional,
                seen,
                segment=segment,
                baseline=i < fixed,
                sides=tuple(rules[rule] for rule in applied),
            )
        )
    return result


def breaks_for(session: Session, indicator: Indicator, area: Area | None = None) -> list[date]:
    """Segment starts of an indicator's series for ``area`` (None = the municipality): its
    own breaks, plus context events marked as breaks that touch it (app.context.scope).

    Each date is moved to the start of its period, so that an event in mid-March starts
    the new segment with March itself."""
    return breaks_by_indicator(session, [indicator], area=area)[indicator.id]


def breaks_by_indicator(
    session: Session, indicators: Sequence[Indicator], *, area: Area | None = None
) -> dict[int, list[date]]:
    """``breaks_for`` of several indicators in a handful of queries, keyed by indicator id.

    This is the one place segment starts come from: signals, charts, reports and the
    unexplained-signal cache all ask here."""
    ids = [indicator.id for indicator in indicators]
    own: dict[int | None, list[date]] = {}
    for indicator_id, day in session.exec(
        select(col(IndicatorBreak.indicator_id), col(IndicatorBreak.starts_on)).where(
            col(IndicatorBreak.indicator_id).in_(ids)
        )
    ).all():
        own.setdefault(indicator_id, []).append(day)
    themes: dict[int | None, set[int]] = {}
    for indicator_id, theme_id in session.exec(
        select(IndicatorTheme.indicator_id, IndicatorTheme.theme_id).where(
            col(IndicatorTheme.indicator_id).in_(ids)
        )
    ).all():
        themes.setdefault(indicator_id, set()).add(theme_id)
    events = scopes(session, breaks_only=True)
    area_id = area.id if area is not None else None
    result = {}
    for indicator in indicators:
        theme_ids = themes.get(indicator.id, set())
        from_events = [
            scope.event.starts_on
            for scope in events
            if scope.touches(indicator.id, theme_ids, area_id)
        ]
        days = [*own.get(indicator.id, []), *from_events]
        result[indicator.id] = sorted({period_of(d, indicator.frequency).start for d in days})
    return result


def signals_for(
    *,
    session: Session,
    indicator: Indicator,
    area: Area | None = None,
    as_of: datetime | None = None,
    end: date | None = None,
    breaks: Sequence[date] | None = None,
) -> list[SignalPoint]:
    """The XmR chart of an indicator for one area (None = whole municipality), optionally
    with the values as they were known at ``as_of``, and only up to the period starting
    on or before ``end`` (a report reads a half year without what came after it);
    ``breaks`` saves looking them up again when the caller has them."""
    starts = tuple(breaks_for(session, indicator, area) if breaks is None else breaks)
    settings = _settings(indicator, starts)
    if as_of is not None:
        points = series(session=session, indicator=indicator, area=area, as_of=as_of, end=end)
        return list(_signals_of(tuple(points), *settings))
    # The values as they are now: remembered for this data version, so a page that shows
    # a figure and its related panels does not read their whole series on every request.
    found = _CURRENT.remember(
        session,
        "signals",
        (indicator.id, area.id if area else None, end, *settings),
        lambda: _signals_of(
            tuple(series(session=session, indicator=indicator, area=area, end=end)), *settings
        ),
    )
    return list(found)


#: The current series' signals, per data version (see signals_for).
_CURRENT = PerVersion(keep=4, size=SERIES_CACHED)


def signals_of_series(
    points: Sequence[tuple[date, float]], indicator: Indicator, breaks: Sequence[date]
) -> list[SignalPoint]:
    """The XmR chart of values the caller read itself (the overview and the dashboard
    read every series in one query), remembered by the values and settings as
    signals_for's are."""
    return list(_signals_of(tuple(points), *_settings(indicator, tuple(breaks))))


def _settings(indicator: Indicator, breaks: tuple[date, ...]) -> tuple:
    """What an indicator's signals depend on besides its values (``_signals_of``'s key)."""
    return (
        Direction(indicator.direction),
        indicator.screen_outliers,
        breaks,
        Frequency(indicator.frequency),
        indicator.baseline_points,
    )


@lru_cache(maxsize=SERIES_CACHED)
def _signals_of(
    points: tuple[tuple[date, float], ...],
    direction: Direction,
    screen_outliers: bool,
    breaks: tuple[date, ...],
    frequency: Frequency,
    baseline_points: int | None,
) -> tuple[SignalPoint, ...]:
    """``compute_signals`` of one series, remembered by everything it depends on.

    The key is the series itself (values and settings), so a revised value, a new
    period or a new break is a new key: nothing is ever stale and nothing needs to be
    invalidated. An indicator page computes seven series and the timeline six; reading a
    series is cheap, the XmR arithmetic over it is not. The points are frozen and never
    changed by their readers; each caller gets its own list of them."""
    return tuple(
        compute_signals(
            list(points),
            direction=direction,
            screen_outliers=screen_outliers,
            breaks=breaks,
            consecutive=consecutive(frequency),
            baseline_points=baseline_points,
        )
    )

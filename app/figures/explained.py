"""Signals as readers meet them, and the one rule for what explains them.

A signal is a maximal run of consecutive special-cause periods of one figure (an
indicator for the whole municipality or one district) with one meaning on one side, in
one segment: no run crosses a break or a missing period. Every page, report and API
that says whether a signal is explained asks this module, so they cannot disagree:

- explained: a published story linked to the indicator with relation ``explains`` or
  ``contradicts`` that occurred in one of the run's periods (for a district figure: a
  story of that district or of no district), or a reflection session that discussed the
  figure (same indicator and area), saw one of the run's periods in its snapshot and
  wrote down its reading (what we see or what it means). ``context`` and
  ``consequence`` links tell about a figure; they do not explain a change in it.
- asked: not explained, and an open story request about the figure asks about one of
  the run's periods.
- unexplained: neither.

A run is explained or not as a whole: when one of its periods is explained, all are.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from sqlmodel import Session, col, or_, select

from app.figures.periods import Period
from app.figures.signals import RULES, Side, Signal, SignalPoint
from app.figures.story_pool import OCCURRED, linked_to
from app.models import (
    Frequency,
    ReflectionSession,
    SessionIndicator,
    StoryRequest,
)
from app.models.narrative import LinkRelation
from app.narratives.reach import Reach

State = Literal["unexplained", "asked", "explained"]
#: The story links that explain a signal; "context" and "consequence" do not.
EXPLAINING = (LinkRelation.explains, LinkRelation.contradicts)
SPECIAL = ("improvement", "concern", "neither")


@dataclass(frozen=True)
class Evidence:
    """What explains a signal: a story or a reflection session, by id."""

    kind: Literal["story", "session"]
    id: int


@dataclass(frozen=True)
class SignalRun:
    """One signal: consecutive special-cause periods of a figure with one meaning."""

    indicator_id: int
    area_id: int | None
    meaning: Signal
    side: Side | None
    #: Every rule that applies to one of its periods, in priority order.
    rules: tuple[str, ...]
    periods: tuple[Period, ...]
    state: State = "unexplained"
    explained_by: tuple[Evidence, ...] = ()
    #: The open story requests that ask about it.
    requests: tuple[int, ...] = ()

    @property
    def first(self) -> Period:
        return self.periods[0]

    @property
    def last(self) -> Period:
        return self.periods[-1]

    @property
    def stories(self) -> int:
        return sum(e.kind == "story" for e in self.explained_by)

    @property
    def sessions(self) -> int:
        return sum(e.kind == "session" for e in self.explained_by)


def signal_runs(
    points: Sequence[SignalPoint],
    frequency: Frequency,
    *,
    indicator_id: int,
    area_id: int | None = None,
) -> list[SignalRun]:
    """The signals of one figure's chart, oldest first (pure: no state looked up yet)."""
    runs: list[SignalRun] = []
    current: list[tuple[Period, SignalPoint]] = []

    def close() -> None:
        if current:
            first = current[0][1]
            # the rules that say what this signal says: a trend high inside a shift low
            # belongs to the run of the trend, and its shift to no run
            found = {
                rule
                for _, point in current
                for rule, side in zip(point.rules, _sides(point), strict=True)
                if side == first.side
            }
            runs.append(
                SignalRun(
                    indicator_id,
                    area_id,
                    first.signal,
                    first.side,
                    tuple(rule for rule in RULES if rule in found),
                    tuple(period for period, _ in current),
                )
            )
            current.clear()

    for point in points:
        period = Period(point.period_start, frequency)
        if point.signal not in SPECIAL:
            close()
            continue
        if current:
            before_period, before = current[-1]
            same = (
                before.signal == point.signal
                and before.side == point.side
                and before.segment == point.segment
                and before_period.next() == period
            )
            if not same:
                close()
        current.append((period, point))
    close()
    return runs


def _sides(point: SignalPoint) -> tuple[Side | None, ...]:
    """The side of each rule of a point; a restored point without them has one side."""
    return point.sides or tuple(point.side for _ in point.rules)


def with_states(
    session: Session,
    runs: Sequence[SignalRun],
    *,
    reach: Reach = Reach.all,
    today: date | None = None,
) -> list[SignalRun]:
    """The runs with their state and what explains them, in three queries over the
    runs' time window. ``reach`` (anonymous readers, council members) counts only stories
    whose submitters allowed that reach, as everything else such a reader sees."""
    if not runs:
        return []
    low = min(run.first.start for run in runs)
    high = max(run.last.end for run in runs)
    indicator_ids = {run.indicator_id for run in runs}

    stories = linked_to(
        session, sorted(indicator_ids), relations=EXPLAINING, reach=reach, start=low, end=high
    )
    readings: dict[tuple[int, int | None], list[tuple[int, set[str]]]] = {}
    for indicator_id, area_id, session_id, snapshot in session.exec(
        select(
            SessionIndicator.indicator_id,
            SessionIndicator.area_id,
            ReflectionSession.id,
            SessionIndicator.snapshot,
        )
        .join(ReflectionSession, col(ReflectionSession.id) == SessionIndicator.session_id)
        .where(
            col(SessionIndicator.indicator_id).in_(indicator_ids),
            # a session held before a run began cannot have read it
            col(ReflectionSession.held_on) >= low,
            or_(col(ReflectionSession.see) != "", col(ReflectionSession.mean) != ""),
        )
        .order_by(col(ReflectionSession.held_on), col(ReflectionSession.id))
    ).all():
        seen = {str(point.get("period")) for point in snapshot or []}
        readings.setdefault((indicator_id, area_id), []).append((session_id, seen))

    day = today or date.today()
    asked: dict[tuple[int, int | None], list[tuple[date, int]]] = {}
    for indicator_id, area_id, start, request_id in session.exec(
        select(
            col(StoryRequest.indicator_id),
            col(StoryRequest.area_id),
            col(StoryRequest.period_start),
            col(StoryRequest.id),
        ).where(
            col(StoryRequest.indicator_id).in_(indicator_ids),
            col(StoryRequest.period_start) >= low,
            col(StoryRequest.period_start) <= high,
            or_(col(StoryRequest.closes_on).is_(None), col(StoryRequest.closes_on) >= day),
        )
    ).all():
        if start is not None:  # the filter above leaves no request without a period
            asked.setdefault((indicator_id, area_id), []).append((start, request_id))

    result = []
    for run in runs:
        found = stories.get(run.indicator_id, [])
        lo = bisect_left(found, run.first.start, key=OCCURRED)
        hi = bisect_right(found, run.last.end, key=OCCURRED)
        evidence = [
            Evidence("story", story.id)
            for story in found[lo:hi]
            if run.area_id is None or story.area_id in (None, run.area_id)
        ]
        labels = {period.label for period in run.periods}
        evidence.extend(
            Evidence("session", session_id)
            for session_id, seen in readings.get((run.indicator_id, run.area_id), [])
            if seen & labels
        )
        starts = {period.start for period in run.periods}
        requests = tuple(
            request_id
            for start, request_id in asked.get((run.indicator_id, run.area_id), [])
            if start in starts
        )
        state: State = "explained" if evidence else "asked" if requests else "unexplained"
        result.append(replace(run, state=state, explained_by=tuple(evidence), requests=requests))
    return result


def runs_by_period(runs: Sequence[SignalRun]) -> dict[date, SignalRun]:
    """Period start -> the signal it belongs to, for tables that go period by period."""
    return {period.start: run for run in runs for period in run.periods}

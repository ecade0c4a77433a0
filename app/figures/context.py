"""A figure in its context: the signals of an indicator with the stories, sessions and
context events of each period, so that no figure is shown without what explains it."""

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from sqlmodel import Session, col, select

from app.context.scope import EventScope, scopes
from app.experiments.experiments import decisions_for
from app.figures.explained import SignalRun, runs_by_period, signal_runs, with_states
from app.figures.icons import Variation, latest_variation
from app.figures.periods import Period, period_of
from app.figures.signals import SignalPoint, breaks_by_indicator, breaks_for, signals_for
from app.figures.story_pool import StoryPool, linked_stories, tally, themes_of
from app.figures.suppression import masked_points
from app.figures.versions import PerVersion, masking_version
from app.models import (
    Area,
    ContextEvent,
    Frequency,
    Indicator,
    IndicatorRelation,
    IndicatorTheme,
    Narrative,
    Observation,
    ObservationStatus,
    ReflectionSession,
    SessionIndicator,
    Theme,
)
from app.models.indicator import RelationKind
from app.models.narrative import Assessment
from app.narratives.reach import Reach, published_for
from app.security.small_numbers import SHOW_ALL, Masking, is_district

#: The figures of a signal point that small-number masking may hide.
POINT_NUMBERS = ("value", "mean", "lpl", "upl")
#: Stories listed per period; a period's own page (from = to = that period) lists all.
STORIES_SHOWN = 5


@dataclass(frozen=True)
class StoryRef:
    """What a figure shows of a published story: enough to list and link it."""

    id: int
    title: str
    occurred_on: date
    direct: bool


@dataclass
class PeriodRow:
    """One period of the indicator page table."""

    period: Period
    point: SignalPoint
    stories: list[StoryRef] = field(default_factory=list)
    story_count: int = 0
    sessions: list[ReflectionSession] = field(default_factory=list)
    #: The signal (app/figures/explained.py) this period belongs to, if any.
    run: SignalRun | None = None
    #: How final the publisher says the value is (an ObservationStatus).
    value_status: str = ""

    @property
    def provisional_value(self) -> bool:
        """The publisher (CBS) may still change this value ("voorlopig")."""
        return self.value_status in PROVISIONAL_STATUSES

    @property
    def unexplained(self) -> bool:
        """A period of a signal that nothing explains yet (it may have been asked about)."""
        return self.run is not None and self.run.state != "explained"


@dataclass
class IndicatorContext:
    indicator: Indicator
    area: Area | None
    rows: list[PeriodRow]
    events: list[ContextEvent] = field(default_factory=list)
    breaks: list[date] = field(default_factory=list)
    #: (day, assessment, how many) of every story counted in the rows.
    tally: list[tuple[date, str | None, int]] = field(default_factory=list)
    #: The signals of the whole series (also beyond the range shown), with their state.
    runs: list[SignalRun] = field(default_factory=list)
    #: Whether the last row is the series' last period (a later session belongs to it).
    latest: bool = False

    @property
    def provisional(self) -> bool:
        return any(row.point.provisional for row in self.rows)

    @property
    def variation(self) -> Variation | None:
        """The variation icon of the latest period shown."""
        return latest_variation([row.point for row in self.rows], self.indicator.direction)


def _theme_ids(session: Session, indicator: Indicator) -> list[int]:
    return list(
        session.exec(
            select(IndicatorTheme.theme_id).where(IndicatorTheme.indicator_id == indicator.id)
        ).all()
    )


def _sessions_of(
    session: Session, indicator_ids: Sequence[int], start: date
) -> dict[int, list[ReflectionSession]]:
    """Indicator id -> the sessions that discussed it held on or after ``start``, by day
    (one query for every panel of a page)."""
    found: dict[int, dict[int, ReflectionSession]] = {}
    for indicator_id, meeting in session.exec(
        select(SessionIndicator.indicator_id, ReflectionSession)
        .join(ReflectionSession, col(ReflectionSession.id) == SessionIndicator.session_id)
        .where(
            col(SessionIndicator.indicator_id).in_(indicator_ids),
            col(ReflectionSession.held_on) >= start,
        )
        .order_by(col(ReflectionSession.held_on), col(ReflectionSession.id))
    ).all():
        # a session may have discussed the figure for several districts: listed once
        found.setdefault(indicator_id, {}).setdefault(meeting.id, meeting)
    return {key: list(meetings.values()) for key, meetings in found.items()}


def events_for(
    session: Session,
    *,
    indicators: Sequence[Indicator],
    area: Area | None,
    start: date,
    end: date,
    theme: Theme | None = None,
) -> list[ContextEvent]:
    """Context events overlapping [start, end] that touch one of the indicators' series for
    ``area`` or, when given, the theme (app.context.scope decides); every event when
    neither indicators nor a theme are chosen. A municipality-wide view (area None) also
    lists the events of a single district."""
    ids = [indicator.id or 0 for indicator in indicators]
    return touched_events(
        scopes(session, start=start, end=end),
        themes=themes_of(session, ids),
        area=area,
        theme=theme,
    )


def touched_events(
    scoped: Sequence[EventScope],
    *,
    themes: dict[int, frozenset[int]],
    area: Area | None,
    theme: Theme | None = None,
) -> list[ContextEvent]:
    """The events of ``scoped`` that touch the series of one of the indicators ``themes``
    names (id -> its themes) for ``area``, or the theme; all when neither is given."""
    area_id = area.id if area is not None else None
    wide = area is None

    def touched(scope: EventScope) -> bool:
        if not themes and theme is None:
            return True
        if theme is not None and scope.touches(None, {theme.id}, area_id, any_area=wide):
            return True
        return any(
            scope.touches(i, theme_ids, area_id, any_area=wide) for i, theme_ids in themes.items()
        )

    return [scope.event for scope in scoped if touched(scope)]


def shown_signals(
    *,
    session: Session,
    indicator: Indicator,
    area: Area | None,
    masking: Masking = SHOW_ALL,
    breaks: list[date] | None = None,
) -> list[SignalPoint]:
    """The XmR chart as this reader may see it: computed on the true values, then with the
    district values, means and limits below the small-numbers threshold masked.

    This is the one point where signals are masked; every page, chart and API that shows
    signals goes through it. A value hidden beside a small one (secondary suppression,
    app/figures/suppression.py) is masked too, and so are the mean and limits of a
    segment whose baseline holds a hidden value."""
    points = signals_for(session=session, indicator=indicator, area=area, breaks=breaks)
    if area is None or not is_district(area) or not masking.hides_districts:
        return points
    return _MASKED.remember(
        session,
        masking,
        (indicator.id, area.id, None if breaks is None else tuple(breaks)),
        lambda: masked_points(
            points, session=session, indicator=indicator, area=area, masking=masking
        ),
    )


#: A district's signal points as each kind of reader may see them, per version of the
#: figures and the areas (its hidden cells are decided from every district's values and
#: the hierarchy): the related panels of every indicator page ask for the same series
#: again and again.
_MASKED = PerVersion(keep=4, size=512, version=masking_version)


PROVISIONAL_STATUSES = (ObservationStatus.provisional, ObservationStatus.revised_provisional)


def _provisional(
    session: Session, indicator: Indicator, area: Area | None, first: date, last: date
) -> dict[date, str]:
    """The periods in [first, last] whose value its publisher still calls provisional.

    Those of the whole series are remembered per data version (a status changes only
    with an import or a value, both a new version): the page and its related panels
    ask on every request."""
    every = _PROVISIONAL.remember(
        session,
        "provisional",
        (indicator.id, area.id if area else None),
        lambda: dict(
            session.exec(
                select(col(Observation.period_start), col(Observation.status)).where(
                    col(Observation.indicator_id) == indicator.id,
                    col(Observation.area_id) == area.id
                    if area
                    else col(Observation.area_id).is_(None),
                    col(Observation.status).in_(PROVISIONAL_STATUSES),
                )
            ).all()
        ),
    )
    return {day: status for day, status in every.items() if first <= day <= last}


#: The provisional periods of each series, per data version (see _provisional).
_PROVISIONAL = PerVersion(keep=4)


def indicator_context(
    *,
    session: Session,
    indicator: Indicator,
    area: Area | None = None,
    start: date | None = None,
    end: date | None = None,
    details: bool = True,
    masking: Masking = SHOW_ALL,
    reach: Reach = Reach.all,
    breaks: list[date] | None = None,
    explain: bool = True,
    markers: bool = False,
    pool: StoryPool | None = None,
) -> IndicatorContext:
    """Signals (computed on the full series) shown for [start, end], with per period the
    stories and sessions of that period and the breaks and context events of the range.

    ``masking`` hides small district numbers from anonymous readers and ``reach`` keeps
    to stories whose submitters allowed the reader's reach (anonymous, council).

    A period lists its first STORIES_SHOWN stories, unless it is the only one shown.
    ``details=False`` leaves the stories' list and context events out: a theme can hold
    thousands of stories, and their own list is elsewhere on the page; with ``markers``
    a panel still counts the stories per period (one of each day kept, for a marker's
    link) and has its context events, as small multiples draw them.
    A session held after the series' last period is listed with that period (it read
    the latest figures) when the range shown reaches it.
    ``breaks`` saves looking them up when the caller has them for several panels;
    ``explain=False`` leaves the signals' states to the caller, who looks up those of
    several panels at once. ``pool`` (loaded for ``reach`` over a window that holds
    the rows) saves reading the stories again when the page draws other figures too."""
    context = _signal_context(
        session, indicator, area, start, end, masking, reach, breaks, explain=explain
    )
    if context.rows and (details or markers):
        if pool is None:
            pool = StoryPool.load(
                session,
                indicators=[indicator],
                area=area,
                start=context.rows[0].period.start,
                end=context.rows[-1].period.end,
                reach=reach,
            )
        _add_stories(context, pool, details=details)
    if context.rows:
        first, last = context.rows[0].period.start, context.rows[-1].period.end
        meetings = _sessions_of(session, [indicator.id or 0], first).get(indicator.id or 0, [])
        events = (
            events_for(session, indicators=[indicator], area=area, start=first, end=last)
            if details or markers
            else []
        )
        _add_sessions(context, meetings)
        context.events = events
    return context


def _signal_context(
    session: Session,
    indicator: Indicator,
    area: Area | None,
    start: date | None,
    end: date | None,
    masking: Masking,
    reach: Reach,
    breaks: list[date] | None,
    *,
    explain: bool,
) -> IndicatorContext:
    """The signals of the whole series with the rows of [start, end] (the values' status
    looked up), the breaks shown, and no stories, sessions or events yet."""
    if breaks is None:
        breaks = breaks_for(session, indicator, area)
    every = shown_signals(
        session=session, indicator=indicator, area=area, masking=masking, breaks=breaks
    )
    runs = signal_runs(
        every,
        indicator.frequency,
        indicator_id=indicator.id or 0,
        area_id=area.id if area else None,
    )
    if explain:
        runs = with_states(session, runs, reach=reach)
    of_period = runs_by_period(runs)
    rows = [
        PeriodRow(Period(p.period_start, indicator.frequency), p, run=of_period.get(p.period_start))
        for p in every
        if (start is None or p.period_start >= start) and (end is None or p.period_start <= end)
    ]
    if not rows:
        return IndicatorContext(indicator, area, rows, runs=runs)
    first, last = rows[0].period.start, rows[-1].period.end
    statuses = _provisional(session, indicator, area, first, last)
    for each in rows:
        each.value_status = statuses.get(each.period.start, "")
    shown = [day for day in breaks if first < day <= last]
    # whether the last row is the series' last period (a later session belongs to it)
    latest = rows[-1].point is every[-1]
    return IndicatorContext(indicator, area, rows, breaks=shown, runs=runs, latest=latest)


def _add_stories(context: IndicatorContext, pool: StoryPool, *, details: bool) -> None:
    """Each row's stories from the pool: with ``details`` its first STORIES_SHOWN (all
    when it is the only row) and the tally of all; else (markers) the count and one."""
    periods = pool.periods(context.indicator)
    limit = (None if len(context.rows) == 1 else STORIES_SHOWN) if details else 1
    found = []
    for row in context.rows:
        stories = periods.get(row.period.start)
        if stories is None:
            continue
        found.append(stories)
        row.story_count = stories.count
        row.stories = [
            StoryRef(story.id, story.title, story.occurred_on, direct)
            for story, direct in stories.first(limit)
        ]
    if details:
        context.tally = tally(found)


def _add_sessions(context: IndicatorContext, meetings: Sequence[ReflectionSession]) -> None:
    """Each row's sessions among ``meetings`` (by day, none held before the first row)."""
    rows = context.rows
    first, last = rows[0].period.start, rows[-1].period.end
    starts = [each.period.start for each in rows]

    def row_of(day: date) -> PeriodRow | None:
        at = bisect_right(starts, day) - 1
        return rows[at] if at >= 0 and day <= rows[at].period.end else None

    # A session held after the series' last period read its latest figures: it belongs
    # to that period, when the range shown reaches it.
    later = rows[-1] if context.latest else None
    for meeting in meetings:
        if meeting.held_on < first or (later is None and meeting.held_on > last):
            continue
        row = row_of(meeting.held_on) or (later if meeting.held_on > last else None)
        if row is not None:
            row.sessions.append(meeting)


def _overlaps(scope: EventScope, start: date, end: date) -> bool:
    """Whether an event overlaps [start, end], as ``scopes(start=, end=)`` selects."""
    event = scope.event
    return event.starts_on <= end and (event.ends_on is None or event.ends_on >= start)


@dataclass(frozen=True)
class TimelineItem:
    """A story, reflection session, context event or experiment decision on the timeline."""

    kind: Literal["story", "session", "event", "decision"]
    day: date
    title: str
    url: str | None
    id: int


@dataclass
class Timeline:
    panels: list[IndicatorContext]
    items: list[TimelineItem]


def small_multiples(
    *,
    session: Session,
    indicators: list[Indicator],
    area: Area | None,
    start: date | None = None,
    end: date | None = None,
    masking: Masking = SHOW_ALL,
    reach: Reach = Reach.all,
    pool: StoryPool | None = None,
) -> list[IndicatorContext]:
    """Panels of several indicators as small multiples show them: story counts per
    period (not their list), sessions and context events; the breaks and the signals'
    states of all of them are looked up at once. ``pool`` as for indicator_context."""
    breaks = breaks_by_indicator(session, indicators, area=area)
    panels = [
        _signal_context(
            session,
            indicator,
            area,
            start,
            end,
            masking,
            reach,
            breaks[indicator.id],
            explain=False,
        )
        for indicator in indicators
    ]
    shown = [panel for panel in panels if panel.rows]
    if shown:
        low = min(panel.rows[0].period.start for panel in shown)
        high = max(panel.rows[-1].period.end for panel in shown)
        ids = [panel.indicator.id or 0 for panel in shown]
        if pool is None:
            pool = StoryPool.load(
                session,
                indicators=[panel.indicator for panel in shown],
                area=area,
                start=low,
                end=high,
                reach=reach,
            )
        meetings = _sessions_of(session, ids, low)
        scoped = scopes(session, start=low, end=high)
        themes = themes_of(session, ids)
        for panel in shown:
            key = panel.indicator.id or 0
            first, last = panel.rows[0].period.start, panel.rows[-1].period.end
            _add_stories(panel, pool, details=False)
            _add_sessions(panel, meetings.get(key, []))
            panel.events = touched_events(
                [scope for scope in scoped if _overlaps(scope, first, last)],
                themes={key: themes[key]},
                area=area,
            )
    explained = iter(with_states(session, [run for p in panels for run in p.runs], reach=reach))
    for panel in panels:
        panel.runs = [next(explained) for _ in panel.runs]
        of_period = runs_by_period(panel.runs)
        for row in panel.rows:
            row.run = of_period.get(row.period.start)
    return panels


def timeline(
    *,
    session: Session,
    indicators: list[Indicator],
    theme: Theme | None = None,
    area: Area | None = None,
    start: date | None = None,
    end: date | None = None,
    masking: Masking = SHOW_ALL,
    reach: Reach = Reach.all,
) -> Timeline:
    """Indicators as small multiples over [start, end], with the stories, sessions and
    context events of that range interleaved in time order.

    Stories are those linked to one of the indicators, the theme or the area (all
    published stories when nothing is chosen); sessions those about one of the indicators.
    """
    panels = small_multiples(
        session=session,
        indicators=indicators,
        area=area,
        start=start,
        end=end,
        masking=masking,
        reach=reach,
    )
    low, high = start or date.min, end or date.max
    ids = [i.id or 0 for i in indicators]
    if ids or theme or area:
        stories = [
            (story.id, story.occurred_on, story.title)
            for story in linked_stories(
                session,
                indicator_ids=ids,
                theme=theme,
                area=area,
                start=start,
                end=end,
                reach=reach,
            )
        ]
    else:  # no indicator at all: every published story
        stories = list(
            session.exec(
                select(col(Narrative.id), col(Narrative.occurred_on), col(Narrative.title)).where(
                    *published_for(reach=reach),
                    col(Narrative.occurred_on) >= low,
                    col(Narrative.occurred_on) <= high,
                )
            )
        )
    meetings = select(
        col(ReflectionSession.id), col(ReflectionSession.held_on), col(ReflectionSession.title)
    ).where(col(ReflectionSession.held_on) >= low, col(ReflectionSession.held_on) <= high)
    if ids:
        meetings = meetings.where(
            col(ReflectionSession.id).in_(
                select(SessionIndicator.session_id).where(
                    col(SessionIndicator.indicator_id).in_(ids)
                )
            )
        )
    items = [
        *(
            TimelineItem("story", day, title, f"/stories/{story_id}", story_id)
            for story_id, day, title in stories
        ),
        *(
            TimelineItem("session", day, title, f"/sessions/{meeting_id}", meeting_id)
            for meeting_id, day, title in session.exec(meetings).all()
        ),
        *(
            TimelineItem("event", e.starts_on, e.title, f"/context/{e.id}", e.id)
            for e in events_for(
                session, indicators=indicators, area=area, start=low, end=high, theme=theme
            )
        ),
        *(
            TimelineItem(
                "decision", d.decided_on, e.title, f"/experiments/{e.id}#decisions", d.id or 0
            )
            for d, e in decisions_for(
                session=session, indicator_ids=ids, area=area, start=low, end=high
            )
        ),
    ]
    items.sort(key=lambda item: (item.day, item.kind, item.id))
    return Timeline(panels, items)


@dataclass(frozen=True)
class AssessmentShare:
    """What the stories of one quarter say: how many report better, worse, mixed, unclear."""

    quarter: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def percent(self, assessment: str) -> int:
        return round(100 * self.counts[assessment] / self.total)


def assessment_shares(context: IndicatorContext) -> list[AssessmentShare]:
    """Per quarter, the stories shown with the figure by their self-assessment (a story
    without one counts as unclear)."""
    quarters: dict[str, dict[str, int]] = {}
    for day, assessment, n in context.tally:
        label = period_of(day, Frequency.quarter).label
        counts = quarters.setdefault(label, dict.fromkeys(Assessment, 0))
        counts[assessment or Assessment.unclear] += n
    return [AssessmentShare(q, counts) for q, counts in sorted(quarters.items())]


def related_indicators(session: Session, indicator: Indicator, limit: int = 6) -> list[Indicator]:
    """Explicit relations (waterbed first) and then indicators sharing a theme."""
    explicit = session.exec(
        select(Indicator, IndicatorRelation.kind)
        .join(IndicatorRelation, col(IndicatorRelation.related_id) == Indicator.id)
        .where(IndicatorRelation.indicator_id == indicator.id)
    ).all()
    ordered = [i for i, kind in sorted(explicit, key=lambda r: r[1] != RelationKind.waterbed)]
    themed = session.exec(
        select(Indicator)
        .where(
            col(Indicator.id).in_(
                select(IndicatorTheme.indicator_id).where(
                    col(IndicatorTheme.theme_id).in_(_theme_ids(session, indicator))
                )
            ),
            Indicator.id != indicator.id,
        )
        .order_by(col(Indicator.name))
    ).all()
    seen: dict[int | None, Indicator] = {}
    for item in [*ordered, *themed]:
        seen.setdefault(item.id, item)
    return list(seen.values())[:limit]

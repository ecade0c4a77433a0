"""A figure in its context: the signals of an indicator with the stories, sessions and
context events of each period, so that no figure is shown without what explains it."""

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from sqlmodel import Session, col, or_, select

from app.figures.periods import Period, period_of
from app.figures.signals import SignalPoint, signals_for
from app.models import (
    Area,
    ContextEvent,
    ContextEventTheme,
    Frequency,
    Indicator,
    IndicatorRelation,
    IndicatorTheme,
    Narrative,
    NarrativeIndicator,
    NarrativeTheme,
    ReflectionSession,
    SessionIndicator,
    Theme,
)
from app.models.indicator import RelationKind
from app.models.narrative import Assessment, NarrativeStatus
from app.security.small_numbers import SHOW_ALL, Masking, is_district

SPECIAL = ("improvement", "concern", "neither")
#: The figures of a signal point that small-number masking may hide.
POINT_NUMBERS = ("value", "mean", "lpl", "upl")


@dataclass
class PeriodRow:
    """One period of the indicator page table."""

    period: Period
    point: SignalPoint
    stories: list[Narrative] = field(default_factory=list)
    sessions: list[ReflectionSession] = field(default_factory=list)

    @property
    def unexplained(self) -> bool:
        """A signal that no published story or session of its period explains."""
        return self.point.signal in SPECIAL and not self.stories and not self.sessions


@dataclass
class IndicatorContext:
    indicator: Indicator
    area: Area | None
    rows: list[PeriodRow]
    events: list[ContextEvent]

    @property
    def provisional(self) -> bool:
        return any(row.point.provisional for row in self.rows)


def _theme_ids(session: Session, indicator: Indicator) -> list[int]:
    return list(
        session.exec(
            select(IndicatorTheme.theme_id).where(IndicatorTheme.indicator_id == indicator.id)
        ).all()
    )


def _stories(
    session: Session, indicator: Indicator, area: Area | None, start: date, end: date
) -> list[Narrative]:
    """Published stories in [start, end] linked to the indicator, its themes or the district,
    the ones linked to the indicator first."""
    linked = select(NarrativeIndicator.narrative_id).where(
        NarrativeIndicator.indicator_id == indicator.id
    )
    themed = select(NarrativeTheme.narrative_id).where(
        col(NarrativeTheme.theme_id).in_(_theme_ids(session, indicator))
    )
    conditions = [col(Narrative.id).in_(linked), col(Narrative.id).in_(themed)]
    if area is not None:
        conditions.append(Narrative.area_id == area.id)
    stories = session.exec(
        select(Narrative)
        .where(
            Narrative.status == NarrativeStatus.published,
            col(Narrative.occurred_on) >= start,
            col(Narrative.occurred_on) <= end,
            or_(*conditions),
        )
        .order_by(col(Narrative.occurred_on), col(Narrative.id))
    ).all()
    direct = set(session.exec(linked).all())
    return sorted(stories, key=lambda story: story.id not in direct)


def _sessions(
    session: Session, indicator: Indicator, start: date, end: date
) -> list[ReflectionSession]:
    linked = select(SessionIndicator.session_id).where(
        SessionIndicator.indicator_id == indicator.id
    )
    return list(
        session.exec(
            select(ReflectionSession)
            .where(
                col(ReflectionSession.id).in_(linked),
                col(ReflectionSession.held_on) >= start,
                col(ReflectionSession.held_on) <= end,
            )
            .order_by(col(ReflectionSession.held_on))
        ).all()
    )


def events_for(
    session: Session, theme_ids: list[int], start: date, end: date
) -> list[ContextEvent]:
    """Context events overlapping [start, end] that concern the themes (or all themes)."""
    themed = select(ContextEventTheme.event_id).where(
        col(ContextEventTheme.theme_id).in_(theme_ids)
    )
    any_theme = select(ContextEventTheme.event_id)
    return list(
        session.exec(
            select(ContextEvent)
            .where(
                col(ContextEvent.starts_on) <= end,
                or_(col(ContextEvent.ends_on).is_(None), col(ContextEvent.ends_on) >= start),
                or_(col(ContextEvent.id).in_(themed), col(ContextEvent.id).not_in(any_theme)),
            )
            .order_by(col(ContextEvent.starts_on))
        ).all()
    )


def shown_signals(
    *, session: Session, indicator: Indicator, area: Area | None, masking: Masking = SHOW_ALL
) -> list[SignalPoint]:
    """The XmR chart as this reader may see it: computed on the true values, then with the
    district values, means and limits below the small-numbers threshold masked.

    This is the one point where figures are masked; every page, chart and API that shows
    signals goes through it."""
    return [
        masking.numbers(point, POINT_NUMBERS, area_level=is_district(area))
        for point in signals_for(session=session, indicator=indicator, area=area)
    ]


def indicator_context(
    *,
    session: Session,
    indicator: Indicator,
    area: Area | None = None,
    start: date | None = None,
    end: date | None = None,
    masking: Masking = SHOW_ALL,
) -> IndicatorContext:
    """Signals (computed on the full series) shown for [start, end], with per period the
    stories and sessions of that period and the context events of the whole range."""
    points = [
        p
        for p in shown_signals(session=session, indicator=indicator, area=area, masking=masking)
        if (start is None or p.period_start >= start) and (end is None or p.period_start <= end)
    ]
    rows = [PeriodRow(Period(p.period_start, indicator.frequency), p) for p in points]
    if not rows:
        return IndicatorContext(indicator, area, rows, [])
    first, last = rows[0].period.start, rows[-1].period.end
    by_start = {row.period.start: row for row in rows}
    index = sorted(by_start)

    def row_of(day: date) -> PeriodRow | None:
        containing = [s for s in index if s <= day]
        row = by_start[containing[-1]] if containing else None
        return row if row is not None and day <= row.period.end else None

    for story in _stories(session, indicator, area, first, last):
        if (row := row_of(story.occurred_on)) is not None:
            row.stories.append(story)
    for meeting in _sessions(session, indicator, first, last):
        if (row := row_of(meeting.held_on)) is not None:
            row.sessions.append(meeting)
    events = events_for(session, _theme_ids(session, indicator), first, last)
    return IndicatorContext(indicator, area, rows, events)


@dataclass(frozen=True)
class TimelineItem:
    """A story, reflection session or context event on the timeline."""

    kind: Literal["story", "session", "event"]
    day: date
    title: str
    url: str | None
    id: int


@dataclass
class Timeline:
    panels: list[IndicatorContext]
    items: list[TimelineItem]


def timeline(
    *,
    session: Session,
    indicators: list[Indicator],
    theme: Theme | None = None,
    area: Area | None = None,
    start: date | None = None,
    end: date | None = None,
    masking: Masking = SHOW_ALL,
) -> Timeline:
    """Indicators as small multiples over [start, end], with the stories, sessions and
    context events of that range interleaved in time order.

    Stories are those linked to one of the indicators, the theme or the area (all
    published stories when nothing is chosen); sessions those about one of the indicators.
    """
    panels = [
        indicator_context(
            session=session, indicator=i, area=area, start=start, end=end, masking=masking
        )
        for i in indicators
    ]
    low, high = start or date.min, end or date.max
    stories = select(Narrative).where(
        Narrative.status == NarrativeStatus.published,
        col(Narrative.occurred_on) >= low,
        col(Narrative.occurred_on) <= high,
    )
    ids = [i.id for i in indicators]
    conditions = []
    if ids:
        conditions.append(
            col(Narrative.id).in_(
                select(NarrativeIndicator.narrative_id).where(
                    col(NarrativeIndicator.indicator_id).in_(ids)
                )
            )
        )
    if theme is not None:
        conditions.append(
            col(Narrative.id).in_(
                select(NarrativeTheme.narrative_id).where(NarrativeTheme.theme_id == theme.id)
            )
        )
    if area is not None:
        conditions.append(Narrative.area_id == area.id)
    if conditions:
        stories = stories.where(or_(*conditions))
    meetings = select(ReflectionSession).where(
        col(ReflectionSession.held_on) >= low, col(ReflectionSession.held_on) <= high
    )
    if ids:
        meetings = meetings.where(
            col(ReflectionSession.id).in_(
                select(SessionIndicator.session_id).where(
                    col(SessionIndicator.indicator_id).in_(ids)
                )
            )
        )
    theme_ids = (
        [theme.id]
        if theme is not None
        else list(
            session.exec(
                select(IndicatorTheme.theme_id).where(col(IndicatorTheme.indicator_id).in_(ids))
            ).all()
        )
    )
    items = [
        *(
            TimelineItem("story", s.occurred_on, s.title, f"/stories/{s.id}", s.id)
            for s in session.exec(stories).all()
        ),
        *(
            TimelineItem("session", m.held_on, m.title, f"/sessions/{m.id}", m.id)
            for m in session.exec(meetings).all()
        ),
        *(
            TimelineItem("event", e.starts_on, e.title, None, e.id)
            for e in events_for(session, theme_ids, low, high)
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
    for row in context.rows:
        for story in row.stories:
            label = period_of(story.occurred_on, Frequency.quarter).label
            counts = quarters.setdefault(label, dict.fromkeys(Assessment, 0))
            counts[story.assessment or Assessment.unclear] += 1
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

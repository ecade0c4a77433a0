"""Unexplained signals for the dashboard: which runs count, what explains them, and that
the batch lookup agrees with the indicator page (``PeriodRow.unexplained``)."""

from datetime import date

from sqlmodel import select

from app.demo import load_demo
from app.figures.context import indicator_context
from app.figures.periods import Period
from app.figures.signals import SignalPoint
from app.figures.unexplained import RECENT, _runs_of, recent_runs, unexplained_signals
from app.models import (
    Frequency,
    Indicator,
    NarrativeIndicator,
    NarrativeTheme,
    Observation,
    ReflectionSession,
    SessionIndicator,
)
from tests.factories import make_area, make_narrative, make_theme
from tests.test_story_requests import JUMP, make_signal


def point(month: int, signal: str) -> SignalPoint:
    return SignalPoint(date(2025, month, 1), 1.0, 1.0, 0.0, 2.0, signal)


def labels(run) -> list[str]:
    return [p.label for p in run.periods]


def test_runs_group_consecutive_periods_and_keep_only_recent_ones():
    indicator = Indicator(id=1, slug="x", name="X", frequency=Frequency.month)
    signals = ["concern", "concern", "common", "neither", "common", "improvement", "improvement"]
    points = [point(m, s) for m, s in enumerate(signals, start=1)]
    runs = _runs_of(indicator, points)
    # the concern of January-February ended long before the last RECENT periods
    assert RECENT == 3
    assert [(r.signal, labels(r)) for r in runs] == [("improvement", ["2025-06", "2025-07"])]
    gap = [point(1, "concern"), point(2, "concern"), point(4, "concern")]
    assert [labels(r) for r in _runs_of(indicator, gap)] == [["2025-01", "2025-02"], ["2025-04"]]
    change = [point(1, "common"), point(2, "concern"), point(3, "improvement")]
    assert [r.signal for r in _runs_of(indicator, change)] == ["concern", "improvement"]


def test_a_story_of_the_theme_or_a_session_explains_a_signal(session):
    theme = make_theme(session)
    indicator = make_signal(session, themes=[theme])
    assert [s.indicator.id for s in unexplained_signals(session)] == [indicator.id]

    other_month = make_narrative(session, occurred_on=date(2025, 8, 1))
    session.add(NarrativeIndicator(narrative_id=other_month.id, indicator_id=indicator.id))
    make_narrative(session, occurred_on=JUMP, status="pending")  # not published
    session.commit()
    assert len(unexplained_signals(session)) == 1

    themed = make_narrative(session, occurred_on=date(2025, 9, 20))
    session.add(NarrativeTheme(narrative_id=themed.id, theme_id=theme.id))
    session.commit()
    assert unexplained_signals(session) == []

    session.delete(themed)
    session.commit()
    assert len(unexplained_signals(session)) == 1
    meeting = ReflectionSession(held_on=date(2025, 9, 30), title="Sessie")
    session.add(meeting)
    session.commit()
    session.add(SessionIndicator(session_id=meeting.id, indicator_id=indicator.id))
    session.commit()
    assert unexplained_signals(session) == []


def test_district_series_are_left_to_the_indicator_page(session):
    indicator = make_signal(session)
    district = make_area(session)
    for row in session.exec(select(Observation)).all():
        session.add(
            Observation(
                indicator_id=indicator.id,
                area_id=district.id,
                period_start=row.period_start,
                value=row.value,
            )
        )
        session.delete(row)
    session.commit()
    assert unexplained_signals(session) == []


def test_agrees_with_the_indicator_page_on_the_demo(session):
    load_demo(session=session)
    runs = recent_runs(session)
    listed = {s.run for s in unexplained_signals(session)}
    assert len(runs) > len(listed) > 0
    by_id = {i.id: i for i in session.exec(select(Indicator)).all()}
    for run in runs:
        rows = {
            row.period.start: row
            for row in indicator_context(session=session, indicator=by_id[run.indicator_id]).rows
        }
        assert all(rows[p.start].point.signal == run.signal for p in run.periods)
        assert (run in listed) == all(rows[p.start].unexplained for p in run.periods)
    demo = [s for s in unexplained_signals(session) if s.indicator.slug == "wachttijd-schuldhulp"]
    assert [(s.run.signal, s.run.first) for s in demo] == [
        ("concern", Period(JUMP, Frequency.month))
    ]


def test_anonymous_readers_count_only_public_stories(session):
    indicator = make_signal(session)
    story = make_narrative(session, occurred_on=JUMP, consent_reach="council")
    session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    session.commit()
    assert unexplained_signals(session) == []
    assert [s.indicator.id for s in unexplained_signals(session, public_only=True)] == [
        indicator.id
    ]
    story.consent_reach = "public"
    session.add(story)
    session.commit()
    assert unexplained_signals(session, public_only=True) == []

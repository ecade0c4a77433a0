"""One signal object and one rule for "explained" (app/figures/explained.py): how runs
are cut, what explains them and what does not, and that the dashboard, the indicator
page and the signals API agree on the demo."""

from datetime import date

from sqlmodel import select

from app.demo import load_demo
from app.figures.context import indicator_context
from app.figures.explained import signal_runs, with_states
from app.figures.periods import Period
from app.figures.signals import SignalPoint, compute_signals
from app.figures.unexplained import RECENT, recent_runs, unexplained_signals
from app.models import (
    Direction,
    Frequency,
    Indicator,
    NarrativeIndicator,
    NarrativeTheme,
    Observation,
    ReflectionSession,
    SessionIndicator,
)
from app.models.narrative import LinkRelation
from app.narratives.reach import Reach
from tests.factories import bearer, make_area, make_narrative, make_theme
from tests.test_story_requests import JUMP, make_request, make_signal


def point(month: int, signal: str, side: str | None = "high", segment: int = 0, rules=()):
    return SignalPoint(
        date(2025, month, 1), 1.0, 1.0, 0.0, 2.0, signal, list(rules), False, side, segment
    )


def labels(run) -> list[str]:
    return [p.label for p in run.periods]


def runs(points):
    return signal_runs(points, Frequency.month, indicator_id=1)


def test_a_run_is_consecutive_periods_with_one_meaning_on_one_side_in_one_segment():
    points = [
        point(1, "concern", rules=["shift"]),
        point(2, "concern", rules=["outside_limits", "shift"]),
        point(3, "common", None),
        point(4, "neither", "high"),
        point(5, "neither", "low"),
        point(6, "improvement"),
        point(7, "improvement", segment=1),
        point(9, "improvement", segment=1),
    ]
    found = runs(points)
    assert [(r.meaning, labels(r)) for r in found] == [
        ("concern", ["2025-01", "2025-02"]),
        ("neither", ["2025-04"]),
        ("neither", ["2025-05"]),
        ("improvement", ["2025-06"]),  # a break ends it
        ("improvement", ["2025-07"]),  # a missing month ends it
        ("improvement", ["2025-09"]),
    ]
    assert found[0].rules == ("outside_limits", "shift")
    assert RECENT == 3


def test_a_story_explains_only_with_an_explaining_link_in_one_of_its_periods(session):
    theme = make_theme(session)
    indicator = make_signal(session, themes=[theme])
    assert [s.indicator.id for s in unexplained_signals(session)] == [indicator.id]

    def link(story, relation):
        session.add(
            NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id, relation=relation)
        )
        session.commit()

    link(make_narrative(session, occurred_on=date(2025, 8, 1)), LinkRelation.explains)
    link(make_narrative(session, occurred_on=JUMP, status="pending"), LinkRelation.explains)
    link(make_narrative(session, occurred_on=JUMP), LinkRelation.context)
    link(make_narrative(session, occurred_on=JUMP), LinkRelation.consequence)
    themed = make_narrative(session, occurred_on=JUMP)
    session.add(NarrativeTheme(narrative_id=themed.id, theme_id=theme.id))
    session.commit()
    # another month, a pending story, context, consequence or the theme: none explains
    assert len(unexplained_signals(session)) == 1
    page = indicator_context(session=session, indicator=indicator)
    assert page.rows[-1].unexplained and page.rows[-1].run.state == "unexplained"

    contradicting = make_narrative(session, occurred_on=date(2025, 9, 20))
    link(contradicting, LinkRelation.contradicts)
    assert unexplained_signals(session) == []
    page = indicator_context(session=session, indicator=indicator)
    assert page.rows[-1].run.state == "explained"
    assert [(e.kind, e.id) for e in page.rows[-1].run.explained_by] == [("story", contradicting.id)]


def test_one_explained_period_explains_the_whole_run(session):
    indicator = Indicator(slug="lang", name="Lang", direction=Direction.up)
    session.add(indicator)
    session.commit()
    values = [10, 12] * 6 + [20, 21, 22, 21]
    day = date(2024, 1, 1)
    for value in values:
        session.add(Observation(indicator_id=indicator.id, period_start=day, value=value))
        day = Period(day, Frequency.month).next().start
    session.commit()
    page = indicator_context(session=session, indicator=indicator)
    (run,) = [r for r in page.runs if r.meaning == "improvement" and r.last.label == "2025-04"]
    assert labels(run) == ["2025-01", "2025-02", "2025-03", "2025-04"]
    story = make_narrative(session, occurred_on=date(2025, 2, 14))
    session.add(
        NarrativeIndicator(
            narrative_id=story.id, indicator_id=indicator.id, relation=LinkRelation.explains
        )
    )
    session.commit()
    page = indicator_context(session=session, indicator=indicator)
    states = {row.period.label: row.run.state for row in page.rows if row.run}
    assert [states[label] for label in labels(run)] == ["explained"] * 4


def test_a_session_explains_when_it_read_those_periods(session):
    indicator = make_signal(session)
    meeting = ReflectionSession(held_on=date(2025, 10, 2), title="Sessie")
    session.add(meeting)
    session.commit()
    seen = [{"period": "2025-08", "value": 10, "signal": "common"}]
    session.add(SessionIndicator(session_id=meeting.id, indicator_id=indicator.id, snapshot=seen))
    session.commit()
    # it did not see September, and wrote nothing down
    assert len(unexplained_signals(session)) == 1
    seen.append({"period": "2025-09", "value": 30, "signal": "concern"})
    row = session.exec(select(SessionIndicator)).one()
    row.snapshot = list(seen)
    session.add(row)
    session.commit()
    assert len(unexplained_signals(session)) == 1  # saw it, but recorded no reading
    meeting.mean = "De wachtlijst groeit door de nieuwe regeling."
    session.add(meeting)
    session.commit()
    assert unexplained_signals(session) == []
    page = indicator_context(session=session, indicator=indicator)
    assert [(e.kind, e.id) for e in page.rows[-1].run.explained_by] == [("session", meeting.id)]


def test_an_open_request_about_one_of_its_periods_makes_it_asked(session):
    indicator = make_signal(session)
    closed = make_request(session, indicator, closes_on=date(2020, 1, 1))
    (signal,) = unexplained_signals(session)
    assert signal.run.state == "unexplained"
    request = make_request(session, indicator)
    (signal,) = unexplained_signals(session)
    assert signal.run.state == "asked"
    assert signal.run.requests == (request.id,)
    assert closed.id not in signal.run.requests


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
    page = indicator_context(session=session, indicator=indicator, area=district)
    assert page.rows[-1].run.area_id == district.id


def test_anonymous_readers_count_only_public_stories(session):
    indicator = make_signal(session)
    story = make_narrative(session, occurred_on=JUMP, consent_reach="council")
    session.add(
        NarrativeIndicator(
            narrative_id=story.id, indicator_id=indicator.id, relation=LinkRelation.explains
        )
    )
    session.commit()
    assert unexplained_signals(session) == []
    assert [s.indicator.id for s in unexplained_signals(session, reach=Reach.public)] == [
        indicator.id
    ]
    story.consent_reach = "public"
    session.add(story)
    session.commit()
    assert unexplained_signals(session, reach=Reach.public) == []


def test_the_signals_api_lists_the_signals_beside_the_points(client, session):
    indicator = make_signal(session)
    story = make_narrative(session, occurred_on=JUMP)
    session.add(
        NarrativeIndicator(
            narrative_id=story.id, indicator_id=indicator.id, relation=LinkRelation.explains
        )
    )
    session.commit()
    body = client.get(
        f"/api/v1/indicators/{indicator.slug}/signals", headers=bearer(session)
    ).json()
    assert len(body["points"]) == 25
    assert body["signals"][-1] == {
        "from": "2025-09",
        "to": "2025-09",
        "meaning": "concern",
        "rules": ["outside_limits"],
        "state": "explained",
        "explained_by": [{"kind": "story", "id": story.id}],
    }


def test_dashboard_indicator_page_and_api_agree_on_the_demo(client, session):
    load_demo(session=session)
    recent = with_states(session, recent_runs(session))
    listed = {(s.run.indicator_id, s.run.first) for s in unexplained_signals(session)}
    assert len(recent) > len(listed) > 0
    by_id = {i.id: i for i in session.exec(select(Indicator)).all()}
    headers = bearer(session, "viewer")
    for run in recent:
        indicator = by_id[run.indicator_id]
        rows = {
            r.period.start: r for r in indicator_context(session=session, indicator=indicator).rows
        }
        assert all(rows[p.start].run.state == run.state for p in run.periods)
        assert ((run.indicator_id, run.first) in listed) == (run.state != "explained")
        api = client.get(f"/api/v1/indicators/{indicator.slug}/signals", headers=headers).json()
        (same,) = [s for s in api["signals"] if s["from"] == run.first.label]
        assert same["state"] == run.state
    demo = [s for s in unexplained_signals(session) if s.indicator.slug == "wachttijd-schuldhulp"]
    assert [(s.run.meaning, s.run.first) for s in demo] == [
        ("concern", Period(JUMP, Frequency.month))
    ]


def test_pure_runs_match_the_chart():
    flat = [(date(2024, m, 1), 10.0 + (m % 2)) for m in range(1, 13)]
    points = compute_signals([*flat, (date(2025, 1, 1), 40.0)], direction=Direction.down)
    found = runs(points)
    assert [(r.meaning, r.side, r.rules) for r in found][-1] == (
        "concern",
        "high",
        ("outside_limits",),
    )

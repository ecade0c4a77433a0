"""The demo municipality: loaded by ``duiding demo``, idempotent, deterministic."""

import hashlib
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select
from typer.testing import CliRunner

from app import db
from app.cli import app as cli
from app.demo import load_demo
from app.figures.explained import signal_runs, with_states
from app.figures.periods import parse_period
from app.figures.signals import breaks_for, signals_for
from app.models import (
    Area,
    AreaKind,
    ChangeDomain,
    ContextEvent,
    ExpectedMovement,
    Indicator,
    IndicatorRelation,
    LearningQuestion,
    LinkRelation,
    Narrative,
    NarrativeIndicator,
    NarrativeStatus,
    Observation,
    QuestionStatusChange,
    QuestionVersion,
    ReflectionSession,
    RelationKind,
    SessionIndicator,
    SignificantChoice,
    ThemeRecalibration,
)
from tests.factories import csrf, login, make_theme


def run(*args: str):
    return CliRunner().invoke(cli, ["demo", *args])


def row_counts() -> dict[str, int]:
    with Session(db.get_engine()) as session:
        return {
            table.name: session.exec(select(func.count()).select_from(table)).one()
            for table in SQLModel.metadata.sorted_tables
        }


def title_checksum() -> str:
    with Session(db.get_engine()) as session:
        titles = session.exec(select(Narrative.title).order_by(Narrative.id)).all()
    return hashlib.sha256("\n".join(titles).encode()).hexdigest()


def test_demo_loads_the_municipality_and_a_second_load_changes_nothing(env):
    result = run()
    assert result.exit_code == 0, result.output
    assert "wadderveen-demo" in result.output
    assert "lezer@wadderveen.example" in result.output
    counts = row_counts()
    assert counts["narrative"] >= 150
    assert counts["reflection_session"] >= 10
    assert counts["learning_question"] >= 6
    with Session(db.get_engine()) as session:
        districts = session.exec(select(Area).where(Area.kind == AreaKind.district)).all()
        assert len(districts) >= 10
        indicators = session.exec(select(Indicator)).all()
        assert len(indicators) >= 12
        for indicator in indicators:
            points = session.exec(
                select(func.count())
                .select_from(Observation)
                .where(Observation.indicator_id == indicator.id, Observation.area_id.is_(None))
            ).one()
            assert points >= (60 if indicator.frequency == "month" else 20), indicator.slug
        pending = session.exec(
            select(func.count())
            .select_from(Narrative)
            .where(Narrative.status == NarrativeStatus.pending)
        ).one()
        assert pending == 15
        assert session.exec(
            select(IndicatorRelation).where(IndicatorRelation.kind == RelationKind.waterbed)
        ).first()
        for question in session.exec(select(LearningQuestion)).all():
            history = session.exec(
                select(QuestionStatusChange)
                .where(QuestionStatusChange.question_id == question.id)
                .order_by(QuestionStatusChange.id)
            ).all()
            assert history[-1].status == question.status
            assert all(change.session_id for change in history)
        for reflection in session.exec(select(ReflectionSession)).all():
            snapshots = session.exec(
                select(SessionIndicator).where(SessionIndicator.session_id == reflection.id)
            ).all()
            assert snapshots
            for item in snapshots:  # frozen as the app freezes: canonical periods, signals
                assert item.snapshot
                assert parse_period(item.snapshot[-1]["period"]).start < reflection.held_on
                assert {"period", "value", "signal", "mean", "lpl", "upl"} <= set(item.snapshot[0])
        special = [
            point["signal"]
            for item in session.exec(select(SessionIndicator)).all()
            for point in item.snapshot
        ]
        assert {"improvement", "concern"} <= set(special)
        assert (
            session.exec(select(ContextEvent).where(ContextEvent.starts_on == date(2020, 3, 1)))
            .one()
            .title.startswith("Coronapandemie")
        )

    again = run()
    assert again.exit_code == 0, again.output
    assert "already loaded" in again.output
    assert row_counts() == counts


def test_reset_reloads_the_same_data(env):
    assert run().exit_code == 0
    counts, checksum = row_counts(), title_checksum()
    result = run("--reset")
    assert result.exit_code == 0, result.output
    assert row_counts() == counts
    assert title_checksum() == checksum


def test_demo_refuses_a_database_with_other_data(env, session):
    make_theme(session, slug="eigen-thema", name="Eigen thema")
    result = run()
    assert result.exit_code != 0
    assert "already holds other data" in result.output
    assert row_counts()["area"] == 0


def test_the_late_jump_in_debt_waiting_time_has_no_story(env):
    assert run().exit_code == 0
    with Session(db.get_engine()) as session:
        explained = session.exec(
            select(Narrative.title)
            .join(NarrativeIndicator, NarrativeIndicator.narrative_id == Narrative.id)
            .join(Indicator, Indicator.id == NarrativeIndicator.indicator_id)
            .where(
                Indicator.slug == "wachttijd-schuldhulp", Narrative.occurred_on >= date(2025, 7, 1)
            )
        ).all()
    assert explained == []


def test_dashboard_shows_demo_themes_and_stories(env, client):
    assert run().exit_code == 0
    with Session(db.get_engine()) as session:
        login(client, session, "viewer")
        latest = session.exec(
            select(Narrative)
            .where(Narrative.status == NarrativeStatus.published)
            .order_by(Narrative.occurred_on.desc(), Narrative.id.desc())
        ).first()
    page = client.get("/")
    assert page.status_code == 200
    assert "Ondersteuning thuis" in page.text
    assert latest.title in page.text


def test_every_demo_session_shows_its_snapshot_charts(env, client):
    assert run().exit_code == 0
    with Session(db.get_engine()) as session:
        login(client, session, "viewer")
        frozen = session.exec(select(SessionIndicator)).all()
    assert frozen
    for item in frozen:
        page = client.get(f"/sessions/{item.session_id}")
        assert page.status_code == 200, page.text
        assert f'data-target="snapshot-{item.id}"' in page.text
        svg = client.get(f"/sessions/{item.session_id}/figures/{item.id}/chart.svg")
        assert svg.status_code == 200


def test_demo_context_developments_expectations_and_adjusted_hypotheses(env, client):
    assert run().exit_code == 0
    with Session(db.get_engine()) as session:
        refugees = session.exec(
            select(ContextEvent).where(ContextEvent.title.startswith("Opvang van vluchtelingen"))
        ).one()
        assert refugees.is_break
        bijstand = session.exec(
            select(Indicator).where(Indicator.slug == "huishoudens-bijstand")
        ).one()
        canal = session.exec(select(Area).where(Area.name == "Kanaalzone")).one()
        # A district break: only that district's series starts a new segment in April 2022.
        assert date(2022, 4, 1) in breaks_for(session, bijstand, canal)
        assert date(2022, 4, 1) not in breaks_for(session, bijstand)
        adjusted = [
            q
            for q in session.exec(select(LearningQuestion)).all()
            if len(
                session.exec(
                    select(QuestionVersion).where(QuestionVersion.question_id == q.id)
                ).all()
            )
            == 2
        ]
        assert len(adjusted) == 2
        assert all(
            session.exec(select(ExpectedMovement).where(ExpectedMovement.question_id == q.id)).all()
            for q in adjusted
        )
        assert len(session.exec(select(ThemeRecalibration)).all()) == 4
    client.post(
        "/login",
        data={
            "email": "lezer@wadderveen.example",
            "password": "wadderveen-demo",
            "csrf_token": csrf(client),
        },
    )
    report = client.get("/reports/2020-H1").text
    section = report.split('id="developments-heading"')[1].split("</section>")[0]
    assert "Coronapandemie" in section
    assert "Hoe merken we dat het lukt?" in report
    page = client.get(f"/learning/{adjusted[0].id}").text
    assert "we verwachten dat" in page and "Formulering door de tijd" in page
    assert "Hulp op afstand" in client.get("/themes/jeugd").text
    # Most Significant Change: domains per theme, stories that name one, and a session's
    # choice with its reason on the session page
    with Session(db.get_engine()) as session:
        choices = session.exec(select(SignificantChoice)).all()
        named = session.exec(select(Narrative).where(col(Narrative.domain_id).is_not(None))).all()
        domain = session.get(ChangeDomain, choices[0].domain_id)
    assert len(choices) >= 3 and len(named) >= 8
    assert all(story.significance for story in named)
    meeting = client.get(f"/sessions/{choices[0].session_id}").text
    assert domain.name in meeting and "het sprak de hele tafel aan" in meeting


def test_the_demo_reads_like_a_real_municipality(session):
    """Most points are usual variation, a handful are signals; the stories that explain a
    figure concern one of its signals; one signal is read by a session only and the late
    jump in the waiting time for debt help is explained by nobody yet."""
    load_demo(session=session)
    indicators = session.exec(select(Indicator).order_by(Indicator.id)).all()
    districts = session.exec(select(Area).where(Area.kind == AreaKind.district)).all()
    special = total = 0
    runs: dict[int, list] = {}
    for indicator in indicators:
        for area in [None, *districts]:
            points = signals_for(session=session, indicator=indicator, area=area)
            if not points:
                continue
            flagged = sum(point.signal != "common" for point in points)
            assert flagged <= 0.4 * len(points), (indicator.slug, area and area.name)
            special += flagged
            total += len(points)
            if area is None:
                runs[indicator.id] = with_states(
                    session, signal_runs(points, indicator.frequency, indicator_id=indicator.id)
                )
    assert special <= 0.25 * total
    everything = [run for found in runs.values() for run in found]
    assert 10 <= len(everything) <= 40
    by_story = [run for run in everything if run.stories]
    by_session_only = [run for run in everything if run.sessions and not run.stories]
    assert len(by_story) > len(everything) / 2
    assert by_session_only
    slug = {indicator.id: indicator.slug for indicator in indicators}
    unexplained = [run for run in everything if run.state == "unexplained"]
    assert [(slug[run.indicator_id], run.first.label) for run in unexplained] == [
        ("wachttijd-schuldhulp", "2025-09")
    ]

    links = session.exec(
        select(NarrativeIndicator.indicator_id, Narrative.occurred_on, Narrative.title)
        .join(Narrative, Narrative.id == NarrativeIndicator.narrative_id)
        .where(NarrativeIndicator.relation.in_([LinkRelation.explains, LinkRelation.contradicts]))
    ).all()
    assert len(links) >= 20
    for indicator_id, day, title in links:
        assert any(
            period.start <= day <= period.end
            for run in runs[indicator_id]
            for period in run.periods
        ), (slug[indicator_id], day, title)

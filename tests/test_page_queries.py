"""The indicator page and the timeline ask the database a fixed number of questions.

Their cost grew with the whole database (issue 23) because every related chart and
every timeline panel read its theme's stories again. These tests count the SQL
statements a page runs and hold two things that do not depend on the machine: the
count has an upper bound, and it stays the same when there are many more stories,
values, sessions and districts (what grows is the rows a query returns, never the
number of queries). They also check, period by period, that the stories a panel shows
are the ones it showed when each panel asked for its own (app/figures/story_pool.py).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event
from sqlmodel import Session

from app import db
from app.figures.context import indicator_context, small_multiples
from app.figures.observations import ObservationInput, upsert_observations
from app.figures.periods import Period
from app.models import (
    Direction,
    Frequency,
    IndicatorBreak,
    NarrativeIndicator,
    NarrativeTheme,
    Observation,
    ReflectionSession,
    SessionIndicator,
)
from app.models.narrative import Assessment, LinkRelation, NarrativeStatus
from app.narratives.reach import Reach
from tests import engines
from tests.factories import make_area, make_indicator, make_narrative, make_theme

#: Upper bounds on the statements of each page: a few dozen for the figure and its six
#: related charts or the six panels (56-66 and 48-56 now; 93-109 when each panel read
#: its own stories, sessions and context events).
INDICATOR_PAGE_STATEMENTS = 75
TIMELINE_STATEMENTS = 65
#: The first request after a change also reads the data version (app/figures/versions.py)
#: and the series it invalidated; a repeat serves the series from the per-version memo.
VERSION_STATEMENTS = 15


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements run on the app's engine inside the block."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    engine = db.get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _month(i: int) -> date:
    return date(2020 + i // 12, i % 12 + 1, 1)


@pytest.fixture
def figures(session):
    """A figure with six related figures sharing its theme, and a district."""
    theme = make_theme(session)
    other = make_theme(session)
    area = make_area(session)
    main = make_indicator(session, themes=[theme], slug="hoofd", direction=Direction.down)
    related = [
        make_indicator(session, themes=[theme, other] if n % 2 else [theme], slug=f"rel-{n}")
        for n in range(6)
    ]
    return {"main": main, "related": related, "theme": theme, "other": other, "area": area}


def _grow(session: Session, figures: dict, periods: int, stories: int, start: int = 0) -> None:
    """Values for ``periods`` months of every figure and district, and ``stories``
    stories spread over them, linked in every way a figure finds them."""
    indicators = [figures["main"], *figures["related"]]
    for indicator in indicators:
        for i in range(start, periods):
            for area_id in (None, figures["area"].id):
                value = 10 + (i % 3) + (5 if i > periods - 3 else 0)
                session.add(
                    Observation(
                        indicator_id=indicator.id,
                        period_start=_month(i),
                        value=value,
                        area_id=area_id,
                    )
                )
    session.commit()
    for n in range(stories):
        story = make_narrative(
            session,
            occurred_on=_month(n % periods).replace(day=1 + n % 27),
            area_id=figures["area"].id if n % 5 == 0 else None,
            assessment=list(Assessment)[n % 4],
            consent_reach="public" if n % 2 else "internal",
        )
        if n % 3 == 0:
            session.add(NarrativeTheme(narrative_id=story.id, theme_id=figures["theme"].id))
        if n % 4 == 0:
            indicator = indicators[n % len(indicators)]
            relation = LinkRelation.explains if n % 8 == 0 else LinkRelation.context
            session.add(
                NarrativeIndicator(
                    narrative_id=story.id, indicator_id=indicator.id, relation=relation
                )
            )
        if n % 7 == 0:
            session.add(NarrativeTheme(narrative_id=story.id, theme_id=figures["other"].id))
    for n in range(max(1, stories // 20)):
        meeting = ReflectionSession(
            title=f"Sessie {n}", held_on=_month(n % periods), see="We zien iets."
        )
        session.add(meeting)
        session.flush()
        session.add(SessionIndicator(session_id=meeting.id, indicator_id=figures["main"].id))
    session.commit()


def _timeline_path(figures: dict) -> str:
    slugs = [figures["main"].slug, *(i.slug for i in figures["related"][:5])]
    return "/timeline?" + "&".join(f"indicator={slug}" for slug in slugs)


def test_indicator_page_and_timeline_statements_do_not_grow_with_the_data(
    client, session, settings, figures
):
    settings(public_read=True)
    area = figures["area"].code
    paths = [
        "/indicators/hoofd",
        f"/indicators/hoofd?area={area}",
        "/indicators/hoofd?from=2020-03&to=2020-03",
        _timeline_path(figures),
        _timeline_path(figures) + f"&area={area}",
    ]
    _grow(session, figures, periods=24, stories=40)
    small = {}
    for path in paths:
        with statements() as seen:
            assert client.get(path).status_code == 200
        small[path] = len(seen)
    _grow(session, figures, periods=60, stories=600, start=24)
    for path in paths:
        with statements() as seen:
            response = client.get(path)
        assert response.status_code == 200
        assert len(seen) == small[path], path
        bound = TIMELINE_STATEMENTS if "timeline" in path else INDICATOR_PAGE_STATEMENTS
        assert len(seen) <= bound + VERSION_STATEMENTS, path
        with statements() as again:
            assert client.get(path).status_code == 200
        assert len(again) <= bound, path


def _one_panel_each(session, indicators, area, reach):
    """Each panel on its own, as the indicator page's own figure asks (one pool each)."""
    return [
        indicator_context(
            session=session,
            indicator=indicator,
            area=area,
            details=False,
            markers=True,
            reach=reach,
        )
        for indicator in indicators
    ]


def _shown(panel):
    return [(row.period.label, row.story_count, row.stories) for row in panel.rows]


@pytest.mark.parametrize("reach", [Reach.all, Reach.public])
@pytest.mark.parametrize("district", [False, True])
def test_small_multiples_show_what_each_panel_finds_alone(session, figures, reach, district):
    _grow(session, figures, periods=24, stories=300)
    area = figures["area"] if district else None
    indicators = [figures["main"], *figures["related"]]
    together = small_multiples(session=session, indicators=indicators, area=area, reach=reach)
    alone = _one_panel_each(session, indicators, area, reach)
    assert [_shown(p) for p in together] == [_shown(p) for p in alone]
    assert sum(row.story_count for p in together for row in p.rows) > 0


def test_a_period_lists_linked_stories_first_and_counts_each_story_once(session, figures):
    main, theme = figures["main"], figures["theme"]
    for i in range(14):
        session.add(Observation(indicator_id=main.id, period_start=_month(i), value=10 + i % 2))
    session.commit()
    themed_early = make_narrative(session, title="Thema vroeg", occurred_on=date(2020, 3, 2))
    session.add(NarrativeTheme(narrative_id=themed_early.id, theme_id=theme.id))
    both = make_narrative(session, title="Beide", occurred_on=date(2020, 3, 20))
    session.add(NarrativeTheme(narrative_id=both.id, theme_id=theme.id))
    session.add(NarrativeIndicator(narrative_id=both.id, indicator_id=main.id))
    elsewhere = make_narrative(session, title="Ander thema", occurred_on=date(2020, 3, 5))
    session.add(NarrativeTheme(narrative_id=elsewhere.id, theme_id=figures["other"].id))
    hidden = make_narrative(session, title="Niet gepubliceerd", occurred_on=date(2020, 3, 6))
    hidden.status = NarrativeStatus.pending
    session.add(hidden)
    session.add(NarrativeTheme(narrative_id=hidden.id, theme_id=theme.id))
    session.commit()

    context = indicator_context(session=session, indicator=main)
    march = next(row for row in context.rows if row.period.label == "2020-03")
    assert march.story_count == 2
    assert [(s.title, s.direct) for s in march.stories] == [("Beide", True), ("Thema vroeg", False)]
    assert sorted(context.tally) == [
        (date(2020, 3, 2), None, 1),
        (date(2020, 3, 20), None, 1),
    ]
    (panel,) = small_multiples(session=session, indicators=[main], area=None)
    march = next(row for row in panel.rows if row.period.label == "2020-03")
    assert march.story_count == 2
    assert [s.title for s in march.stories] == ["Beide"]


def _last_point(client, slug: str) -> dict:
    return client.get(f"/api/v1/indicators/{slug}/signals").json()["points"][-1]


def test_a_revised_value_a_new_break_and_a_new_story_show_at_once(
    client, session, settings, figures
):
    """Signals are remembered per series (app/figures/signals.py): what changes the
    series is a new key, so the next page shows it."""
    settings(public_read=True)
    main = figures["main"]
    items = [
        ObservationInput(period=Period(_month(i), Frequency.month), value=10 + i % 2)
        for i in range(24)
    ]
    upsert_observations(session=session, indicator=main, items=items, source="test")
    session.commit()
    assert client.get("/indicators/hoofd").status_code == 200
    assert _last_point(client, "hoofd")["signal"] == "common"

    revised = ObservationInput(period=Period(_month(23), Frequency.month), value=40)
    upsert_observations(session=session, indicator=main, items=[revised], source="test")
    session.commit()
    point = _last_point(client, "hoofd")
    assert (point["value"], point["signal"]) == (40.0, "concern")  # lower is better

    session.add(IndicatorBreak(indicator_id=main.id, starts_on=_month(12)))
    session.commit()
    points = client.get("/api/v1/indicators/hoofd/signals").json()["points"]
    assert points[11]["mean"] != points[12]["mean"]

    december = "/indicators/hoofd?from=2021-12&to=2021-12"
    assert "Nieuw verhaal bij de piek" not in client.get(december).text
    story = make_narrative(
        session, title="Nieuw verhaal bij de piek", occurred_on=_month(23), consent_reach="public"
    )
    session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=main.id))
    session.commit()
    assert (
        "Nieuw verhaal bij de piek" in client.get("/indicators/hoofd?from=2021-12&to=2021-12").text
    )


@pytest.mark.skipif(bool(engines.test_database_url()), reason="EXPLAIN QUERY PLAN is SQLite's")
def test_the_pages_read_series_through_an_index_not_a_table_scan(
    client, session, settings, figures
):
    """Every read of observation on the indicator page and the timeline is a SEARCH on an
    index: the visibility rule of imports kept the settled-only unique indexes out of
    use, and each series read scanned the whole table (migration 0018)."""
    settings(public_read=True)
    _grow(session, figures, periods=24, stories=10)
    engine = db.get_engine()
    with engine.begin() as connection:
        # statistics as a used database has them (the bench's ANALYZE, PRAGMA optimize):
        # with them the planner prefers a scan to an OR over two indexes
        connection.exec_driver_sql("ANALYZE")
    area = figures["area"].code
    seen: list[tuple[str, object]] = []

    def keep(_conn, _cursor, statement, parameters, *_args) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        for path in ("/indicators/hoofd", f"/indicators/hoofd?area={area}", "/timeline"):
            assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    reads = [(sql, params) for sql, params in seen if "FROM observation" in sql]
    assert reads
    with engine.connect() as connection:
        for sql, params in reads:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
            steps = [row[-1] for row in plan]
            scans = [step for step in steps if step.split()[:2] == ["SCAN", "observation"]]
            assert not scans, (sql, steps)

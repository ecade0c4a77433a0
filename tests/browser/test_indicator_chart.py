"""The indicator chart in a real browser: Vega from the app itself, markers that open the
stories and sessions of a period, and an SVG of the same chart without JavaScript."""

from datetime import date

from sqlmodel import select

from app.models import (
    Direction,
    Frequency,
    Indicator,
    NarrativeIndicator,
    Observation,
    ReflectionSession,
    SessionIndicator,
)
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import make_indicator, make_narrative


def _indicator_with_a_story(session):
    """Meldingen, monthly 2024-01..2026-01 with one signal (2026-01) and its story."""
    indicator = make_indicator(
        session,
        slug="meldingen",
        name="Meldingen",
        frequency=Frequency.month,
        direction=Direction.down,
    )
    for i, value in enumerate([9, 11] * 12 + [30]):
        period = date(2024 + i // 12, i % 12 + 1, 1)
        session.add(Observation(indicator_id=indicator.id, period_start=period, value=value))
    story = make_narrative(session, title="Meer inbraken gemeld", occurred_on=date(2026, 1, 1))
    session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    session.commit()
    return story


def _linked_to_meldingen(session, row):
    """Link a story or session to Meldingen (made by ``_indicator_with_a_story``)."""
    indicator = session.exec(select(Indicator).where(Indicator.slug == "meldingen")).one()
    session.add(row)
    session.flush()
    if isinstance(row, ReflectionSession):
        session.add(SessionIndicator(session_id=row.id, indicator_id=indicator.id))
    else:
        session.add(NarrativeIndicator(narrative_id=row.id, indicator_id=indicator.id))
    session.commit()
    return row


def test_chart_renders_offline_and_a_story_marker_opens_the_story(page, session):
    story = _indicator_with_a_story(session)
    sign_in(page, session, "viewer")
    page.goto("/indicators/meldingen")
    page.wait_for_selector("#indicator-chart.chart-ready svg")
    assert page.console_errors == []
    assert axe_violations(page) == []
    page.locator("#indicator-chart svg text", has_text="▲").click()
    page.wait_for_url(f"**/stories/{story.id}")


def test_a_marker_of_several_stories_opens_their_period(page, session):
    _indicator_with_a_story(session)
    for n in range(2):
        story = make_narrative(session, title=f"Juni {n}", occurred_on=date(2024, 6, 3 + n))
        _linked_to_meldingen(session, story)
    sign_in(page, session, "viewer")
    page.goto("/indicators/meldingen")
    page.wait_for_selector("#indicator-chart.chart-ready svg")
    page.locator("#indicator-chart svg text", has_text="▲").first.click()
    page.wait_for_url("**/indicators/meldingen?from=2024-06&to=2024-06")
    assert page.get_by_role("link", name="Juni 0").is_visible()
    assert page.get_by_role("link", name="Juni 1").is_visible()


def test_a_session_marker_opens_the_session(page, session):
    _indicator_with_a_story(session)
    meeting = _linked_to_meldingen(
        session, ReflectionSession(held_on=date(2024, 2, 10), title="Reflectie februari")
    )
    sign_in(page, session, "viewer")
    page.goto("/indicators/meldingen")
    page.wait_for_selector("#indicator-chart.chart-ready svg")
    assert axe_violations(page) == []
    page.locator("#indicator-chart svg text", has_text="◆").click()
    page.wait_for_url(f"**/sessions/{meeting.id}")


def test_the_table_links_the_story_of_the_signal(page, session):
    story = _indicator_with_a_story(session)
    sign_in(page, session, "viewer")
    page.goto("/indicators/meldingen")
    page.get_by_role("link", name="Meer inbraken gemeld").click()
    page.wait_for_url(f"**/stories/{story.id}")


def test_timeline_small_multiples_render_with_session_markers(page, session):
    _indicator_with_a_story(session)
    meeting = _linked_to_meldingen(
        session, ReflectionSession(held_on=date(2024, 2, 10), title="Reflectie februari")
    )
    sign_in(page, session, "viewer")
    page.goto("/timeline?indicator=meldingen")
    page.wait_for_selector("#chart-1.chart-ready svg")
    assert page.console_errors == []
    assert axe_violations(page) == []
    page.locator("#chart-1 svg text", has_text="◆").click()
    page.wait_for_url(f"**/sessions/{meeting.id}")


def test_without_javascript_the_chart_is_a_server_rendered_svg(page_without_js, session):
    _indicator_with_a_story(session)
    sign_in(page_without_js, session, "viewer")
    with page_without_js.expect_response("**/indicators/meldingen/chart.svg*") as svg:
        page_without_js.goto("/indicators/meldingen")
    response = svg.value
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    image = page_without_js.locator("#indicator-chart img.chart-svg")
    alt = image.get_attribute("alt")
    assert alt.startswith("Meldingen, januari 2026: boven de bovengrens van de gewone variatie")
    assert image.bounding_box()["width"] > 300

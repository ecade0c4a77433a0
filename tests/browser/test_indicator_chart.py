"""The indicator chart in a real browser: Vega from the app itself, story markers open stories."""

from datetime import date

from app.models import Direction, Frequency, NarrativeIndicator, Observation
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import make_indicator, make_narrative


def _indicator_with_a_story(session):
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


def test_chart_renders_offline_and_a_story_marker_opens_the_story(page, session):
    story = _indicator_with_a_story(session)
    sign_in(page, session, "viewer")
    page.goto("/indicators/meldingen")
    page.wait_for_selector("#indicator-chart.chart-ready svg")
    assert page.console_errors == []
    assert axe_violations(page) == []
    page.locator("#indicator-chart svg text", has_text="▲").click()
    page.wait_for_url(f"**/stories/{story.id}")


def test_the_table_links_the_story_of_the_signal(page, session):
    story = _indicator_with_a_story(session)
    sign_in(page, session, "viewer")
    page.goto("/indicators/meldingen")
    page.get_by_role("link", name="Meer inbraken gemeld").click()
    page.wait_for_url(f"**/stories/{story.id}")


def test_timeline_small_multiples_render(page, session):
    _indicator_with_a_story(session)
    sign_in(page, session, "viewer")
    page.goto("/timeline?indicator=meldingen")
    page.wait_for_selector("#chart-1.chart-ready svg")
    assert page.console_errors == []
    assert axe_violations(page) == []

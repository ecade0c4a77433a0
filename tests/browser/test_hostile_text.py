"""Hostile text in every field that reaches a chart, in a real browser: the page is
whole (nothing after the chart swallowed) and the chart draws with no console error."""

from datetime import date

from sqlmodel import select

from app.models import ContextEvent, Indicator, ReflectionSession, SessionIndicator
from tests.browser.conftest import sign_in
from tests.browser.test_indicator_chart import _indicator_with_a_story
from tests.test_hostile_charts import HOSTILE


def test_charts_draw_and_pages_stay_whole_with_hostile_text(page, session):
    story = _indicator_with_a_story(session)
    story.title = f"Verhaal {HOSTILE}"
    indicator = session.exec(select(Indicator).where(Indicator.slug == "meldingen")).one()
    indicator.name, indicator.unit = f"Meldingen {HOSTILE}", f"u {HOSTILE}"
    meeting = ReflectionSession(held_on=date(2025, 2, 10), title=f"Sessie {HOSTILE}")
    session.add_all([story, indicator, meeting])
    session.add(ContextEvent(title=f"Ontwikkeling {HOSTILE}", starts_on=date(2025, 5, 1)))
    session.flush()
    session.add(SessionIndicator(session_id=meeting.id, indicator_id=indicator.id))
    session.commit()
    sign_in(page, session, "viewer")
    for path, selector in [
        ("/indicators/meldingen", "#indicator-chart.chart-ready svg"),
        ("/timeline?indicator=meldingen", ".chart.chart-ready svg"),
    ]:
        page.goto(path)
        page.wait_for_selector(selector)
        assert page.console_errors == [], path
        assert page.locator("footer").count() == 1, path  # the rest of the page is there
        assert page.get_by_role("link", name=f"Verhaal {HOSTILE}".replace("\n", " ")).count()

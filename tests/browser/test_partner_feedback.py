"""In a real browser, at 1280 and 360 pixels wide: the partner's own page (opened by
the invite link), moderation with its context and confirmation, and the invite links'
copy button; axe-core finds no WCAG 2.1 A/AA violation and nothing leaves localhost."""

import contextlib
import os
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from app.models import Frequency, Narrative, NarrativeIndicator, Observation
from app.models.narrative import Assessment, NarrativeStatus
from tests.browser.conftest import _guarded_page, axe_violations, sign_in
from tests.factories import make_indicator
from tests.test_partner_page import _world

SHOTS = Path(os.environ.get("DUIDING_SCREENSHOTS", "/tmp/shots"))
WIDTHS = {"wide": 1280, "narrow": 360}


@pytest.fixture(params=sorted(WIDTHS))
def sized(request, browser, live_server):
    """A page 1280 or 360 pixels wide (the latter as a phone, with touch)."""
    width = WIDTHS[request.param]
    options = {"viewport": {"width": width, "height": 900}}
    if width < 400:
        options |= {"is_mobile": True, "has_touch": True}
    generator = _guarded_page(browser, live_server, **options)
    page = next(generator)
    page.width_name = request.param
    yield page
    with contextlib.suppress(StopIteration):
        next(generator)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.width_name}.png"), full_page=True)


def _fits(page) -> None:
    """Nothing is wider than the window (no sideways scrolling on a phone)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the window"


def test_partner_page_in_dutch_and_english(sized, session):
    _, token, _ = _world(session)
    page = sized
    page.goto(f"/partner?invite={token}")
    assert page.locator("h1").inner_text() == "Buurtteam Noord"
    story = page.locator("article.feedback-story").filter(has_text="Keukentafel in maart")
    assert "Gepubliceerd" in story.inner_text()
    assert "Huisbezoeken uitbreiden" in story.inner_text()
    story.locator("summary").click()
    assert story.locator(".story-body strong").inner_text() == "zelf"
    hidden = page.locator("article.state-hidden")
    assert "Het verhaal bevat namen van kinderen." in hidden.inner_text()
    assert "Geheime" not in page.content()
    assert axe_violations(page) == []
    _fits(page)
    _shot(page, "partner-nl")
    page.goto(f"/partner?invite={token}&lang=en")
    assert "Your stories and what became of them" in page.inner_text("main")
    assert axe_violations(page) == []
    _fits(page)
    _shot(page, "partner-en")
    page.click("main .next-steps a:has-text('Tell a story')")
    page.wait_for_load_state()
    assert page.input_value("#organisation") == "Buurtteam Noord"
    assert (
        page.locator("label[for=significance]")
        .inner_text()
        .startswith("Why is this important to you?")
    )


def _waiting_with_figure(session) -> int:
    indicator = make_indicator(
        session, slug="wachttijd", name="Wachttijd", frequency=Frequency.month
    )
    for month in range(1, 13):
        session.add(
            Observation(
                indicator_id=indicator.id, period_start=date(2024, month, 1), value=10 + month % 4
            )
        )
    story = Narrative(
        title="Lange wachttijd in mei",
        body="Gezinnen wachten **weken** op een eerste gesprek.",
        occurred_on=date(2024, 5, 1),
        author_role="partner",
        status=NarrativeStatus.pending,
        assessment=Assessment.worse,
        significance="Zonder snelle hulp lopen schulden op.",
        consent=True,
    )
    session.add(story)
    session.commit()
    session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    session.commit()
    return story.id


def test_moderation_with_context_and_confirmation(sized, session):
    story_id = _waiting_with_figure(session)
    page = sized
    sign_in(page, session, "editor")
    page.goto("/moderation")
    item = page.locator("article.moderation-item").filter(has_text="Lange wachttijd in mei")
    assert "slechter" in item.locator(".story-context").inner_text()
    assert "Zonder snelle hulp lopen schulden op." in item.inner_text()
    item.locator(".chart.chart-ready svg").wait_for()
    assert page.console_errors == []
    assert axe_violations(page) == []
    _fits(page)
    _shot(page, "moderation-nl")
    page.goto("/moderation?lang=en")
    page.locator(".chart.chart-ready svg").first.wait_for()
    assert "Their own assessment" in page.inner_text("main")
    assert axe_violations(page) == []
    _shot(page, "moderation-en")
    page.goto(f"/moderation/{story_id}?lang=nl")
    page.locator(".chart.chart-ready svg").first.wait_for()
    page.fill("#reason", "Dank u; we hebben niets aangepast.")
    assert axe_violations(page) == []
    _shot(page, "review-nl")
    page.click("button[value=publish]")
    page.wait_for_load_state()
    confirmation = page.locator(".utrecht-alert--ok[role=status]")
    assert "Gepubliceerd:" in confirmation.inner_text()
    assert "Lange wachttijd in mei" in confirmation.inner_text()
    assert axe_violations(page) == []
    _shot(page, "moderation-done-nl")
    session.rollback()
    stored = session.exec(select(Narrative).where(Narrative.id == story_id)).one()
    assert stored.status == NarrativeStatus.published
    assert stored.moderation_note == "Dank u; we hebben niets aangepast."


def test_invite_links_copy_and_date_field(sized, session):
    _world(session)
    page = sized
    sign_in(page, session, "editor")
    page.goto("/partners")
    button = page.locator(".copy-button").first
    assert button.is_visible()
    button.click()
    status = page.locator(".copy-status").first
    status.wait_for(state="visible")
    assert status.inner_text() == "Link gekopieerd"
    assert page.locator("input[type=date][name=expires_on]").first.is_visible()
    assert axe_violations(page) == []
    _fits(page)
    _shot(page, "partners-nl")
    page.goto("/partners?lang=en")
    assert axe_violations(page) == []
    _shot(page, "partners-en")


def test_without_javascript_the_link_is_a_field_to_select(page_without_js, session):
    _world(session)
    page = page_without_js
    sign_in(page, session, "editor")
    page.goto("/partners")
    assert not page.locator(".copy-button").first.is_visible()
    field = page.locator("input.copy-source").first
    assert field.get_attribute("readonly") is not None
    assert "/stories/new?invite=" in field.input_value()

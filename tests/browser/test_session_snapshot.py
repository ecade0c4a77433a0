"""A session keeps what was seen: a later revision through the API is shown beside it."""

from urllib.parse import urlparse

from app.figures.observations import ObservationInput, upsert_observations
from app.figures.periods import parse_period
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import bearer, make_indicator


def test_session_shows_frozen_value_and_revision_notice(page, session, live_server):
    indicator = make_indicator(session, slug="meldingen", name="Meldingen zorgen")
    items = [
        ObservationInput(period=parse_period(label, indicator.frequency), value=value)
        for label, value in {"2024-01": 10, "2024-02": 12, "2024-03": 11}.items()
    ]
    upsert_observations(session=session, indicator=indicator, items=items, source="test")
    session.commit()
    headers = bearer(session, "editor")
    sign_in(page, session, "editor")

    page.goto("/sessions/new")
    assert axe_violations(page) == []
    page.fill("#held_on", "2024-04-10")
    page.fill("#title", "Maandoverleg april")
    page.fill("#participants", "Sanne\nAhmed")
    page.check('#indicators input[value="meldingen"]')
    page.fill("#see", "De meldingen schommelen.")
    page.click("button[type=submit] >> text=Sessie opslaan")
    page.wait_for_url("**/sessions/*")
    session_url = page.url
    assert "Herzien sinds deze sessie" not in page.content()

    revised = page.request.post(
        f"{live_server}/api/v1/indicators/meldingen/observations",
        data=[{"period": "2024-03", "value": 17.0}],
        headers=headers,
    )
    assert revised.status == 200, revised.text()
    assert revised.json()["updated"] == 1

    page.goto(session_url)
    page.locator(".snapshot summary").first.click()  # each figure is folded under the notes
    notice = page.locator(".revised")
    assert notice.locator("li").all_inner_texts() == ["maart 2024: 11 → 17"]
    frozen = page.locator("table tbody tr").filter(has_text="maart 2024")
    assert frozen.locator("td").nth(1).inner_text() == "11"
    page.wait_for_selector(".snapshot .chart.chart-ready svg")
    assert page.locator(".snapshot .chart svg g.mark-symbol path").count() == 3
    assert axe_violations(page) == []


def test_session_pages_are_accessible(page, session):
    sign_in(page, session, "editor")
    page.goto("/sessions/new")
    page.fill("#held_on", "2024-04-10")
    page.fill("#title", "Maandoverleg")
    page.fill("#action_description_0", "Bel de huisartsen")
    page.fill("#action_due_on_0", "2024-05-01")
    page.fill("#new_question_0", "Als we X doen, verwachten we Y, omdat Z")
    page.select_option("#question_status_0", "open")
    page.click("button[type=submit] >> text=Sessie opslaan")
    page.wait_for_url("**/sessions/*")
    for path in ("/sessions", "/learning", urlparse(page.url).path + "/edit"):
        page.goto(path)
        assert axe_violations(page) == [], path
    page.goto("/sessions")
    assert page.locator(".overdue").count() == 1

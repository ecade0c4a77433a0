"""A council member asks about the half-year report and an editor answers, in a real
browser, in Dutch and English, with axe-core on every state."""

import os
from pathlib import Path

from app.demo import load_demo
from tests.browser.conftest import axe_violations, sign_in

REPORT = "/reports/2025-H1"
SHOTS = Path(os.environ.get("DUIDING_SCREENSHOTS", "/tmp/duiding-shots"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#questions").screenshot(path=str(SHOTS / f"{name}.png"))


def test_a_council_member_asks_and_an_editor_answers(page, session):
    load_demo(session=session)
    sign_in(page, session, "council")
    page.goto(REPORT)
    nav = page.locator(".main-nav")
    assert nav.get_by_role("link", name="Rapportages").is_visible()
    assert nav.get_by_role("link", name="Reflectiesessies").count() == 0
    questions = page.locator("#questions")
    assert questions.get_by_role("heading", name="Vragen van de raad").is_visible()
    assert axe_violations(page) == []

    # a question of only spaces passes the browser's check but not the server's
    page.get_by_label("Uw vraag over deze rapportage").fill("   ")
    page.get_by_role("button", name="Vraag stellen").click()
    page.wait_for_load_state()
    assert page.locator(".utrecht-alert--error").is_visible()
    assert page.locator("#question-error").inner_text() == "Schrijf uw vraag op."
    assert axe_violations(page) == []
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    ]
    page.console_errors.clear()

    asked = "Waarom nam het schoolverzuim in het voorjaar toe, en wat merken de scholen ervan?"
    page.get_by_label("Uw vraag over deze rapportage").fill(asked)
    page.get_by_role("button", name="Vraag stellen").click()
    page.wait_for_url("**/reports/2025-H1#question-*")
    item = questions.locator(".council-question").first
    assert item.locator(".question-text").inner_text() == asked
    assert "Nog niet beantwoord." in item.inner_text()
    assert page.console_errors == []
    assert axe_violations(page) == []
    shot(page, "council-asked-nl")
    page.goto(f"{REPORT}?lang=en")
    assert questions.get_by_role("heading", name="Questions from the council").is_visible()
    assert axe_violations(page) == []
    shot(page, "council-asked-en")

    page.context.clear_cookies()
    session.rollback()  # end the read snapshot the app's writes made stale
    sign_in(page, session, "editor")
    page.goto(f"{REPORT}?lang=nl")
    item = questions.locator(".council-question").first
    item.locator("summary").click()
    answer = "Door de griepgolf in maart; leerplicht belde de scholen na en het verzuim daalde."
    item.get_by_label("Antwoord").fill(answer)
    assert axe_violations(page) == []
    item.get_by_role("button", name="Antwoord opslaan").click()
    page.wait_for_url("**/reports/2025-H1#question-*")
    item = questions.locator(".council-question").first
    assert item.locator(".answer-text").inner_text() == answer
    assert page.locator(".main-nav .nav-count").count() >= 1  # the editor's counts
    assert page.console_errors == []
    assert axe_violations(page) == []
    shot(page, "editor-answered-nl")
    page.locator(".site-header").screenshot(path=str(SHOTS / "editor-nav-nl.png"))
    page.goto(f"{REPORT}?lang=en")
    assert "Change the answer" in questions.inner_text()
    assert axe_violations(page) == []
    shot(page, "editor-answered-en")

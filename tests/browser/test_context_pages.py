"""Developments, learning questions and theme expectations in a real browser: the /context
form (create, edit, delete), axe-clean, with screenshots at 1280 and 360 px."""

from pathlib import Path

from sqlmodel import func, select

from app.models import ContextEvent
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import make_area, make_indicator, make_theme

SHOTS = Path("/tmp/duiding-shots")


def _shoot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_editor_creates_edits_and_deletes_a_development(page, session):
    youth = make_theme(session, slug="jeugd", name="Jeugd")
    make_area(session, code="WK019301", name="Noord")
    make_indicator(session, themes=[youth], slug="wachttijd", name="Wachttijd jeugdhulp")
    sign_in(page, session, "editor")
    page.goto("/context")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Ontwikkeling toevoegen").click()
    page.wait_for_url("**/context/new")
    assert axe_violations(page) == []
    page.get_by_label("Titel").fill("Coronapandemie")
    page.get_by_label("Beginperiode").fill("2020-06")
    page.get_by_label("Eindperiode").fill("2020-03")
    page.get_by_role("group", name="Thema's").locator('input[value="jeugd"]').check()
    page.get_by_role("button", name="Opslaan").click()
    alert = page.get_by_role("alert")
    assert "Het einde (2020-03) ligt vóór het begin (2020-06)." in alert.inner_text()
    assert page.get_by_label("Titel").input_value() == "Coronapandemie"
    assert axe_violations(page) == []
    _shoot(page, "context-form-error")

    page.get_by_label("Eindperiode").fill("2021-H1")
    page.get_by_label("Beschrijving").fill("Scholen en buurthuizen gingen **dicht**.")
    page.get_by_label("Deze ontwikkeling is een breuk").check()
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url("**/context/*")
    assert "juni 2020 \u2013 1e helft 2021" in page.content()  # periods in words
    assert axe_violations(page) == []
    _shoot(page, "context-detail")

    page.get_by_role("link", name="Bewerken").click()
    page.get_by_label("Titel").fill("Coronapandemie: lockdowns")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url("**/context/*")
    assert "Coronapandemie: lockdowns" in page.get_by_role("heading", level=1).inner_text()
    page.goto("/context")
    _shoot(page, "context-list")
    page.get_by_role("link", name="Bewerken").click()
    page.get_by_role("button", name="Deze ontwikkeling verwijderen").click()
    page.wait_for_url("**/context")
    assert "Geen ontwikkelingen gevonden." in page.content()
    session.rollback()
    assert session.exec(select(func.count()).select_from(ContextEvent)).one() == 0


def test_learning_and_theme_pages_are_accessible(page, session):
    youth = make_theme(session, slug="jeugd", name="Jeugd")
    make_indicator(session, themes=[youth], slug="wachttijd", name="Wachttijd jeugdhulp")
    sign_in(page, session, "editor")
    page.goto("/themes/jeugd/edit")
    page.get_by_label("Het probleem dat we aanpakken").fill("Kinderen wachten te lang.")
    page.get_by_label("Verwacht resultaat 1").fill("Kortere wachttijd")
    page.get_by_role("group", name="Cijfers die resultaat 1 volgen").locator(
        'input[value="wachttijd"]'
    ).check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url("**/themes/jeugd")
    assert axe_violations(page) == []
    _shoot(page, "theme-page")
    page.goto("/learning")
    page.get_by_label("Vraag of hypothese").fill("Als we lichte hulp inzetten, daalt de wachttijd.")
    page.get_by_role("button", name="Vraag toevoegen").click()
    page.wait_for_url("**/learning/*")
    assert axe_violations(page) == []
    _shoot(page, "learning-question")

"""Editor pages for indicators: list for readers, create and edit forms for editors."""

from sqlmodel import func, select

from app.models import Indicator, IndicatorBreak, IndicatorRelation
from tests.factories import csrf, login, make_indicator, make_theme


def test_list_is_for_readers_with_edit_links_for_editors(client, session, settings):
    make_indicator(session, slug="wmo", name="Wmo-cliënten")
    assert client.get("/indicators", follow_redirects=False).status_code == 303
    login(client, session, "viewer")
    page = client.get("/indicators").text
    assert 'href="/indicators/wmo"' in page and "Wmo-cliënten" in page
    assert "/indicators/wmo/edit" not in page
    assert "Maand" in page


def test_viewer_cannot_open_the_form(client, session):
    login(client, session, "viewer")
    assert client.get("/indicators/new").status_code == 403


def test_editor_creates_an_indicator_with_links(client, session):
    make_theme(session, slug="jeugd", name="Jeugd")
    make_indicator(session, slug="wachttijd")
    login(client, session, "editor")
    assert "Korte naam in het adres" in client.get("/indicators/new").text
    response = client.post(
        "/indicators/new",
        data={
            "csrf_token": csrf(client, "/indicators/new"),
            "slug": "jeugdhulp",
            "name": "Jeugdhulptrajecten",
            "unit": "aantal",
            "frequency": "quarter",
            "direction": "down",
            "screen_outliers": "true",
            "themes": ["jeugd"],
            "breaks": "2020-Q2 pandemie\n",
            "waterbed": ["wachttijd"],
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/indicators/jeugdhulp"
    session.rollback()
    created = session.exec(select(Indicator).where(Indicator.slug == "jeugdhulp")).one()
    assert (created.frequency, created.direction) == ("quarter", "down")
    assert session.exec(select(IndicatorBreak.note)).all() == ["pandemie"]
    assert session.exec(select(IndicatorRelation.kind)).all() == ["waterbed"]
    form = client.get("/indicators/jeugdhulp/edit").text
    assert "2020-Q2 pandemie" in form


def test_form_errors_are_shown_in_dutch_and_nothing_is_stored(client, session):
    login(client, session, "editor")
    response = client.post(
        "/indicators/new",
        data={
            "csrf_token": csrf(client, "/indicators/new"),
            "slug": "Geen Slug",
            "name": "",
            "frequency": "month",
            "direction": "up",
        },
    )
    assert response.status_code == 422
    assert "Gebruik kleine letters, cijfers en streepjes" in response.text
    assert "Vul een naam in van hoogstens 200 tekens." in response.text
    bad_break = client.post(
        "/indicators/new",
        data={
            "csrf_token": csrf(client, "/indicators/new"),
            "slug": "x",
            "name": "X",
            "frequency": "year",
            "direction": "up",
            "breaks": "2020-03",
        },
    )
    assert bad_break.status_code == 422
    assert (
        "&#39;2020-03&#39; is een maand, maar deze indicator wordt per jaar gemeten "
        "(bijvoorbeeld 2024)" in bad_break.text
    )
    assert session.exec(select(func.count()).select_from(Indicator)).one() == 0


def test_editor_edits_an_indicator(client, session):
    make_indicator(session, slug="wmo", name="Oud")
    login(client, session, "editor")
    response = client.post(
        "/indicators/wmo/edit",
        data={
            "csrf_token": csrf(client, "/indicators/wmo/edit"),
            "name": "Nieuw",
            "frequency": "month",
            "direction": "up",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.expire_all()
    session.rollback()
    indicator = session.exec(select(Indicator).where(Indicator.slug == "wmo")).one()
    assert (indicator.name, indicator.direction, indicator.screen_outliers) == (
        "Nieuw",
        "up",
        False,
    )
    assert client.get("/indicators/nope/edit").status_code == 404

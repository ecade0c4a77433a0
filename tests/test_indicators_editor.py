"""Editor pages for indicators: list for readers, create and edit forms for editors."""

import re

from sqlmodel import func, select

from app.models import Area, Indicator, IndicatorBreak, IndicatorRelation, Observation
from tests.factories import csrf, csrf_from, login, make_indicator, make_theme


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


def _upload(client, content: bytes):
    return client.post(
        "/indicators/import",
        data={"csrf_token": csrf(client, "/indicators/import")},
        files={"file": ("cijfers.csv", content, "text/csv")},
    )


def test_upload_previews_then_imports(client, session):
    make_indicator(session, slug="wmo")
    login(client, session, "editor")
    preview = _upload(client, b"indicator;period;area;value\nwmo;mrt 2024;;1.234,5\n")
    assert preview.status_code == 200
    assert "cijfers.csv heeft geen problemen. Importeren slaat 1 nieuwe waarden op" in preview.text
    session.rollback()
    assert session.exec(select(func.count()).select_from(Observation)).one() == 0
    token = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
    done = client.post(
        "/indicators/import/commit",
        data={"csrf_token": csrf_from(preview.text), "token": token, "name": "cijfers.csv"},
    )
    assert "cijfers.csv is geïmporteerd: 1 nieuw, 0 gewijzigd, 0 ongewijzigd." in done.text
    session.rollback()
    assert session.exec(select(Observation.value)).all() == [1234.5]
    again = client.post(
        "/indicators/import/commit",
        data={"csrf_token": csrf_from(preview.text), "token": token, "name": "cijfers.csv"},
    )
    assert again.status_code == 404


def test_upload_with_problems_lists_them_by_line_and_stores_nothing(client, session):
    make_indicator(session, slug="wmo")
    login(client, session, "editor")
    response = _upload(client, b"indicator,period,area,value\nwmo,2024-01,,1\nnope,2024-02,,x\n")
    assert response.status_code == 422
    assert "<td>3</td><td>indicator</td><td>unknown indicator &#39;nope&#39;</td>" in response.text
    session.rollback()
    assert session.exec(select(func.count()).select_from(Observation)).one() == 0


def test_upload_above_the_limit_is_413(client, session, settings):
    settings(max_upload_mb=1)
    login(client, session, "editor")
    token = csrf(client, "/indicators/import")
    response = client.post(
        "/indicators/import",
        data={"csrf_token": token},
        files={"file": ("big.csv", b"x" * (1024 * 1024 + 10), "text/csv")},
    )
    assert response.status_code == 413


def test_viewer_cannot_upload(client, session):
    login(client, session, "viewer")
    assert client.get("/indicators/import").status_code == 403


def test_editor_adds_themes_and_areas(client, session):
    login(client, session, "editor")
    token = csrf(client, "/themes-and-areas")
    client.post(
        "/themes-and-areas/themes",
        data={"csrf_token": token, "theme_slug": "jeugd", "theme_name": "Jeugd"},
    )
    client.post(
        "/themes-and-areas/areas",
        data={"csrf_token": token, "code": "GM0193", "area_name": "Zwolle", "kind": "municipality"},
    )
    response = client.post(
        "/themes-and-areas/areas",
        data={"csrf_token": token, "code": "WK019301", "area_name": "Centrum", "kind": "district",
              "parent": "GM0193"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    page = client.get("/themes-and-areas").text
    assert "<td>WK019301</td><td>Centrum</td><td>Wijk</td><td>GM0193</td>" in page
    assert "Jeugd <code>jeugd</code>" in page
    taken = client.post(
        "/themes-and-areas/themes",
        data={"csrf_token": token, "theme_slug": "jeugd", "theme_name": "Nog eens"},
    )
    assert taken.status_code == 422
    assert "er is al een thema met slug &#39;jeugd&#39;" in taken.text
    bad = client.post(
        "/themes-and-areas/areas",
        data={"csrf_token": token, "code": "wk 1", "area_name": "X", "kind": "district"},
    )
    assert bad.status_code == 422
    assert "Gebruik letters, cijfers, - en _ (bijvoorbeeld WK019301)." in bad.text
    session.rollback()
    assert session.exec(select(func.count()).select_from(Area)).one() == 2

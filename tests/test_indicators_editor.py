"""Editor pages for indicators: list for readers, create and edit forms for editors."""

import re
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import func, select

from app.config import get_settings
from app.models import (
    Area,
    Indicator,
    IndicatorBreak,
    IndicatorRelation,
    Observation,
    ObservationRevision,
)
from tests.factories import csrf, csrf_from, login, make_area, make_indicator, make_theme


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
    assert "cijfers.csv heeft geen problemen. Importeren slaat 1 nieuwe waarde op" in preview.text
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


def test_the_preview_counts_one_value_in_the_singular_and_several_in_the_plural(client, session):
    make_indicator(session, slug="wmo")
    login(client, session, "editor")
    one = b"indicator,period,area,value\nwmo,2024-01,,1\n"
    two = one + b"wmo,2024-02,,2\n"
    previews = {
        (lang, content): client.post(
            f"/indicators/import?lang={lang}",
            data={"csrf_token": csrf(client, f"/indicators/import?lang={lang}")},
            files={"file": ("figures.csv", content, "text/csv")},
        ).text
        for lang in ("en", "nl")
        for content in (one, two)
    }
    assert "Importing it stores 1 new value and changes 0" in previews["en", one]
    assert "Importing it stores 2 new values and changes 0" in previews["en", two]
    assert "Importeren slaat 1 nieuwe waarde op" in previews["nl", one]
    assert "Importeren slaat 2 nieuwe waarden op" in previews["nl", two]


BAD_UPLOADS = [
    (b"", [(1, "", "het bestand is leeg; verwacht een kopregel zoals "
                   "indicator,period,area,value")]),
    (
        b"indicator,wanneer,hoeveel\nwmo,2024-01,1\n",
        [(1, "", "geen kolom bevat de waarden; wijs de kolom met waarden aan of kies een brede "
                 "indeling; de kolommen zijn indicator, wanneer, hoeveel")],
    ),
    (b"indicator,period,area,value\n", [(2, "", "het bestand heeft een kopregel maar geen rijen")]),
    (
        b"indicator,period,area,value\nwmo,2024-01,,1\nnope,2024-02,,3\nwmo,2024-03,,x\n",
        [(3, "indicator", "onbekende indicator &#39;nope&#39;"),
         (4, "value", "&#39;x&#39; is geen getal")],
    ),
    (
        b"indicator,period,area,value\nwmo,2024-01,WK000000,1\n",
        [(2, "area", "onbekend gebied &#39;WK000000&#39; (rijen: 1): gebruik de CBS-code of "
                     "koppel de naam aan een gebied")],
    ),
    (b"indicator,period,area,value\nwmo,2024-01,,\n", [(2, "value", "de waarde is leeg")]),
    (
        b"indicator,period,area,value\nwmo,2024-01,,NaN\nwmo,2024-02,,inf\n",
        [
            (2, "value", "nan is geen getal dat opgeslagen kan worden"),
            (3, "value", "inf is geen getal dat opgeslagen kan worden"),
        ],
    ),
    (
        b"indicator,period,area,value\nwmo,2024-01,,1\nwmo,jan 2024,,2\n",
        [(3, "period", "2024-01 voor de hele gemeente staat ook in regel 2")],
    ),
    (
        b"indicator,period,area,value\nwmo,2024-Q1,,1\n",
        [(2, "period", "&#39;2024-Q1&#39; is een kwartaal, maar deze indicator wordt per maand "
                       "gemeten (bijvoorbeeld 2024-03)")],
    ),
    (b"indicator,period,area,value\nwmo,2024-01,1\n", [(2, "", "4 velden verwacht, 3 gevonden")]),
    (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        [(1, "", "het bestand is geen leesbare tekst; sla het op als CSV, .xlsx of .ods")],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("content", "rows"), BAD_UPLOADS)
def test_bad_upload_lists_every_problem_in_dutch_and_changes_nothing(
    client, session, content, rows
):
    indicator = make_indicator(session, slug="wmo")
    make_area(session, code="WK019301")
    session.add(Observation(indicator_id=indicator.id, period_start=date(2024, 1, 1), value=7.0))
    session.commit()
    login(client, session, "editor")
    response = _upload(client, content)
    assert response.status_code == 422
    assert "cijfers.csv is niet geïmporteerd" in response.text
    for where, column, message in rows:
        assert f"<td>{where}</td><td>{column}</td><td>{message}</td>" in response.text
    assert response.text.count("<tr><td>") == len(rows)
    assert 'formaction="/indicators/import/commit"' not in response.text  # nothing to confirm
    session.rollback()
    assert session.exec(select(Observation.value)).all() == [7.0]
    assert session.exec(select(func.count()).select_from(ObservationRevision)).one() == 0
    # Kept only while the preview offers a different mapping (columns, area names).
    kept = len(list((Path(get_settings().data_dir) / "uploads").iterdir()))
    assert kept == (1 if 'action="/indicators/import/check"' in response.text else 0)


def test_problems_are_listed_in_english_on_request(client, session):
    make_indicator(session, slug="wmo")
    login(client, session, "editor")
    client.get("/indicators/import?lang=en")
    response = _upload(client, b"indicator,period,area,value\nwmo,2024-01,,1\nwmo,2024-01,,2\n")
    assert (
        "<td>3</td><td>period</td><td>2024-01 for the whole municipality also appears in line 2"
        in response.text
    )


def test_upload_above_the_configured_size_is_413_and_changes_nothing(client, session, settings):
    assert get_settings().max_upload_mb == 50  # the default DESIGN.md names
    settings(max_upload_mb=1)
    make_indicator(session, slug="wmo")
    login(client, session, "editor")
    token = csrf(client, "/indicators/import")
    rows = b"wmo,2024-01,,1\n" * (1024 * 1024 // 15)

    def upload(size: int):
        content = (b"indicator,period,area,value\n" + rows)[:size]
        return client.post(
            "/indicators/import",
            data={"csrf_token": token},
            files={"file": ("groot.csv", content, "text/csv")},
        )

    under = upload(1024 * 1024 - 1000)  # read, checked: every line repeats line 2
    assert under.status_code == 422
    assert "staat ook in regel 2" in under.text
    over = upload(1024 * 1024 + 10)
    assert over.status_code == 413
    assert "Wat u stuurde is te groot." in over.text
    session.rollback()
    assert session.exec(select(func.count()).select_from(Observation)).one() == 0
    assert list((Path(get_settings().data_dir) / "uploads").iterdir()) == []


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
    assert "<td>WK019301</td><td>Centrum</td><td>Wijk</td><td>Zwolle</td>" in page  # by name
    assert '<a href="/themes/jeugd">Jeugd</a> <code>jeugd</code>' in page
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

"""Editor pages for themes and areas: edit, and delete only what nothing uses."""

from datetime import date

from sqlmodel import select

from app.models import Area, AreaKind, AuditEntry, Observation, Theme
from tests.factories import (
    csrf,
    login,
    make_area,
    make_indicator,
    make_narrative,
    make_theme,
)


def themes(session):
    session.rollback()  # see what the request committed
    return session.exec(select(Theme.slug, Theme.name, Theme.description)).all()


def areas(session):
    session.rollback()
    rows = session.exec(select(Area).order_by(Area.code)).all()
    codes = {area.id: area.code for area in rows}
    return [(a.code, a.name, a.kind, codes.get(a.parent_id)) for a in rows]


def test_editor_edits_a_theme_and_the_list_links_to_it(client, session):
    make_theme(session, slug="jeugd", name="Jeugd")
    login(client, session, "editor")
    assert 'href="/themes-and-areas/themes/jeugd"' in client.get("/themes-and-areas").text
    page = client.get("/themes-and-areas/themes/jeugd")
    assert page.status_code == 200
    assert 'value="Jeugd"' in page.text
    token = csrf(client, "/themes-and-areas/themes/jeugd")
    response = client.post(
        "/themes-and-areas/themes/jeugd",
        data={"csrf_token": token, "name": "Jeugd en gezin", "description": "Opgroeien in Zwolle"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert themes(session) == [("jeugd", "Jeugd en gezin", "Opgroeien in Zwolle")]
    empty = client.post("/themes-and-areas/themes/jeugd", data={"csrf_token": token, "name": ""})
    assert empty.status_code == 422
    assert "Vul een naam in van hoogstens 200 tekens." in empty.text
    assert themes(session) == [("jeugd", "Jeugd en gezin", "Opgroeien in Zwolle")]


def test_theme_in_use_is_not_deleted_and_the_page_says_by_what(client, session):
    theme = make_theme(session, slug="jeugd", name="Jeugd")
    make_indicator(session, themes=[theme])
    make_indicator(session, themes=[theme])
    login(client, session, "editor")
    token = csrf(client, "/themes-and-areas/themes/jeugd")
    response = client.post("/themes-and-areas/themes/jeugd/delete", data={"csrf_token": token})
    assert response.status_code == 409
    assert (
        "Jeugd wordt nog gebruikt: indicatoren (2). Haal die koppelingen eerst weg; "
        "er is niets verwijderd."
    ) in response.text
    assert themes(session) == [("jeugd", "Jeugd", "")]
    english = client.post(
        "/themes-and-areas/themes/jeugd/delete?lang=en", data={"csrf_token": token}
    )
    assert "Jeugd is still in use: indicators (2)." in english.text


def test_unused_theme_is_deleted_with_an_audit_entry(client, session):
    make_theme(session, slug="schulden", name="Schulden")
    make_theme(session, slug="jeugd", name="Jeugd")
    login(client, session, "editor")
    token = csrf(client, "/themes-and-areas/themes/schulden")
    response = client.post(
        "/themes-and-areas/themes/schulden/delete",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert themes(session) == [("jeugd", "Jeugd", "")]
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "delete")).one()
    assert (entry.entity, entry.detail["slug"]) == ("theme", "schulden")
    missing = client.post("/themes-and-areas/themes/schulden/delete", data={"csrf_token": token})
    assert missing.status_code == 404


def test_editor_changes_an_areas_code_kind_and_parent(client, session):
    make_area(session, code="GM0193", name="Zwolle", kind=AreaKind.municipality)
    make_area(session, code="WK0193X", name="Centrum", kind=AreaKind.neighbourhood)
    login(client, session, "editor")
    page = client.get("/themes-and-areas/areas/WK0193X")
    assert page.status_code == 200
    assert 'value="WK0193X"' in page.text
    token = csrf(client, "/themes-and-areas/areas/WK0193X")
    response = client.post(
        "/themes-and-areas/areas/WK0193X",
        data={"csrf_token": token, "code": "WK019301", "name": "Binnenstad", "kind": "district",
              "parent": "GM0193"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    assert areas(session) == [
        ("GM0193", "Zwolle", AreaKind.municipality, None),
        ("WK019301", "Binnenstad", AreaKind.district, "GM0193"),
    ]
    assert client.get("/themes-and-areas/areas/WK0193X").status_code == 404


def test_bad_area_changes_are_refused_with_the_form_kept(client, session):
    make_area(session, code="GM0193", name="Zwolle", kind=AreaKind.municipality)
    make_area(session, code="WK019301", name="Centrum", parent_id=None)
    login(client, session, "editor")
    # Make the district part of the municipality, then try to put the municipality in it.
    token = csrf(client, "/themes-and-areas/areas/WK019301")
    client.post(
        "/themes-and-areas/areas/WK019301",
        data={"csrf_token": token, "code": "WK019301", "name": "Centrum", "kind": "district",
              "parent": "GM0193"},
    )  # fmt: skip
    before = areas(session)
    cases = [
        ("GM0193", {"code": "GM0193", "name": "Zwolle", "kind": "municipality",
                    "parent": "WK019301"}, "een gebied kan niet binnen zichzelf liggen"),
        ("WK019301", {"code": "GM0193", "name": "Centrum", "kind": "district"},
         "er is al een gebied met code &#39;GM0193&#39;"),
        ("WK019301", {"code": "wk 1", "name": "Centrum", "kind": "district"},
         "Gebruik letters, cijfers, - en _ (bijvoorbeeld WK019301)."),
        ("WK019301", {"code": "WK019301", "name": "Centrum", "kind": "district",
                      "parent": "GM0000"}, "onbekende gebiedscode &#39;GM0000&#39;"),
    ]  # fmt: skip
    for code, data, message in cases:
        response = client.post(
            f"/themes-and-areas/areas/{code}", data={"csrf_token": token, **data}
        )
        assert response.status_code == 422, data
        assert message in response.text
        assert f'value="{data["code"]}"' in response.text  # what was typed stays
    assert areas(session) == before


def test_area_in_use_is_not_deleted(client, session):
    municipality = make_area(session, code="GM0193", name="Zwolle", kind=AreaKind.municipality)
    district = make_area(session, code="WK019301", name="Centrum", parent_id=municipality.id)
    indicator = make_indicator(session)
    session.add(
        Observation(indicator_id=indicator.id, area_id=district.id, period_start=date(2024, 1, 1),
                    value=3.0)
    )  # fmt: skip
    session.commit()
    make_narrative(session, area_id=district.id)
    login(client, session, "editor")
    token = csrf(client, "/themes-and-areas/areas/GM0193")
    parent = client.post("/themes-and-areas/areas/GM0193/delete", data={"csrf_token": token})
    assert parent.status_code == 409
    assert "Zwolle wordt nog gebruikt: gebieden daarbinnen (1)." in parent.text
    used = client.post("/themes-and-areas/areas/WK019301/delete", data={"csrf_token": token})
    assert used.status_code == 409
    assert "Centrum wordt nog gebruikt: " in used.text
    assert "waarnemingen (1)" in used.text
    assert "verhalen (1)" in used.text
    assert len(areas(session)) == 2


def test_unused_area_is_deleted(client, session):
    make_area(session, code="WK019399", name="Oud")
    login(client, session, "editor")
    token = csrf(client, "/themes-and-areas/areas/WK019399")
    response = client.post(
        "/themes-and-areas/areas/WK019399/delete",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert areas(session) == []


def test_viewers_cannot_edit_or_delete(client, session):
    make_theme(session, slug="jeugd", name="Jeugd")
    make_area(session, code="WK019301", name="Centrum")
    login(client, session, "viewer")
    page = client.get("/themes-and-areas").text
    assert "/themes-and-areas/themes/jeugd" not in page
    assert client.get("/themes-and-areas/themes/jeugd").status_code == 403
    assert client.get("/themes-and-areas/areas/WK019301").status_code == 403
    token = csrf(client, "/themes-and-areas")
    assert (
        client.post("/themes-and-areas/areas/WK019301/delete", data={"csrf_token": token})
    ).status_code == 403
    assert len(areas(session)) == 1

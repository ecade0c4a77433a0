"""Theme expectations: problem, end picture, expected results with figures, re-calibrations."""

from datetime import date

from sqlmodel import select

from app.models import AuditEntry, ContextEvent, ThemeRecalibration
from tests.factories import bearer, csrf, login, make_indicator, make_theme


def _theme(session):
    theme = make_theme(session, slug="jeugd", name="Jeugd")
    make_indicator(session, themes=[theme], slug="wachtlijst", name="Wachtlijst jeugdhulp")
    event = ContextEvent(title="Coronapandemie", starts_on=date(2020, 3, 1))
    session.add(event)
    session.commit()
    return theme, event


def test_api_reads_and_patches_expectations(client, session):
    _, event = _theme(session)
    headers = bearer(session, "editor")
    session.commit()
    body = {
        "problem": "Kinderen wachten te lang.",
        "end_picture": "Hulp is dichtbij en op tijd.",
        "results": [{"description": "Kortere wachtlijst", "indicators": ["wachtlijst"]}],
        "recalibrations": [
            {
                "changed_on": "2020-09-01",
                "what": "Hulp op afstand telt mee.",
                "why": "Scholen dicht.",
                "development": event.id,
            }
        ],
    }
    response = client.patch("/api/v1/themes/jeugd", json=body, headers=headers)
    assert response.status_code == 200, response.text
    got = client.get("/api/v1/themes/jeugd", headers=headers).json()
    assert got["problem"] == "Kinderen wachten te lang."
    assert got["results"] == [{"description": "Kortere wachtlijst", "indicators": ["wachtlijst"]}]
    assert got["recalibrations"][0]["development"] == event.id
    session.commit()
    assert session.exec(select(AuditEntry).where(AuditEntry.entity == "theme_expectations")).first()

    bad = client.patch(
        "/api/v1/themes/jeugd",
        json={
            "results": [{"description": "", "indicators": ["onbekend"]}],
            "recalibrations": [{"changed_on": None, "what": "x", "development": 999}],
        },
        headers=headers,
    )
    assert bad.status_code == 422
    locs = {tuple(item["loc"]) for item in bad.json()["detail"]}
    assert ("body", "results", 0, "indicators") in locs
    assert ("body", "recalibrations", 0, "development") in locs
    assert client.get("/api/v1/themes/jeugd", headers=headers).json() == got
    assert client.get("/api/v1/themes/nope", headers=headers).status_code == 404


def test_editor_edits_expectations_on_the_theme_page(client, session):
    _, event = _theme(session)
    login(client, session, "editor")
    session.commit()
    form = {
        "csrf_token": csrf(client, "/themes/jeugd/edit"),
        "problem": "Kinderen wachten **te lang**.",
        "end_picture": "Hulp op tijd.",
        "results.0.description": "Kortere wachtlijst",
        "results.0.indicators": ["wachtlijst"],
        "results.1.description": "",
        "recalibrations.0.changed_on": "2020-09-01",
        "recalibrations.0.what": "Hulp op afstand telt mee.",
        "recalibrations.0.why": "Scholen dicht.",
        "recalibrations.0.development": str(event.id),
    }
    saved = client.post("/themes/jeugd/edit", data=form)
    assert saved.status_code == 200, saved.text
    page = saved.text
    assert "Kinderen wachten <strong>te lang</strong>." in page
    assert 'href="/indicators/wachtlijst">Wachtlijst jeugdhulp</a>' in page
    assert "Hulp op afstand telt mee." in page and "Coronapandemie" in page

    bad = client.post(
        "/themes/jeugd/edit", data={**form, "recalibrations.0.what": "", "problem": "Gewijzigd"}
    )
    assert bad.status_code == 422
    assert 'id="recalibrations-0-what-error"' in bad.text
    assert "Zeg wat er in de opdracht veranderde." in bad.text
    assert "Gewijzigd" in bad.text
    session.commit()
    assert session.exec(select(ThemeRecalibration.what)).all() == ["Hulp op afstand telt mee."]

    report = client.get("/reports/2020-H2").text
    assert "Hoe merken we dat het lukt?" in report and "Kortere wachtlijst" in report

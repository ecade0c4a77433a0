"""External developments: pages and API, validation, audit, and the breaks they start."""

from datetime import date

from sqlmodel import func, select

from app.figures.observations import ObservationInput, upsert_observations
from app.figures.periods import parse_period
from app.figures.signals import breaks_for
from app.figures.unexplained import recent_runs
from app.models import AuditEntry, ContextEvent
from tests.factories import bearer, csrf, login, make_area, make_indicator, make_theme


def _count(session, model) -> int:
    session.commit()
    return session.exec(select(func.count()).select_from(model)).one()


def _series(session, indicator, values, area=None, start="2019-01"):
    period = parse_period(start)
    items = []
    for value in values:
        items.append(ObservationInput(period=period, value=value, area=area))
        period = period.next()
    upsert_observations(session=session, indicator=indicator, items=items, source="test")
    session.commit()


def _setup(session):
    youth = make_theme(session, slug="jeugd", name="Jeugd")
    debts = make_theme(session, slug="schulden", name="Schulden")
    north = make_area(session, code="WK019301", name="Noord", kind="district")
    waiting = make_indicator(
        session, themes=[youth], slug="wachtlijst", name="Wachtlijst", frequency="month"
    )
    debts_figure = make_indicator(session, themes=[debts], slug="aanmeldingen", name="Aanmeldingen")
    empty = make_indicator(session, themes=[youth], slug="leeg", name="Nog leeg")
    _series(session, waiting, [10, 11, 10, 12, 11, 10, 11, 30, 31, 29, 30, 32])
    _series(session, debts_figure, [5, 6, 5, 6, 5, 6])
    return youth, debts, north, waiting, debts_figure, empty


BODY = {
    "title": "Coronapandemie",
    "start": "2019-08",
    "end": "2020-H1",
    "description": "Scholen **dicht**.",
    "themes": ["jeugd"],
    "is_break": True,
}


def test_api_creates_reads_patches_and_deletes_an_event(client, session):
    _, _, _, waiting, debts_figure, _ = _setup(session)
    headers = bearer(session, "editor")
    session.commit()
    created = client.post("/api/v1/context-events", json=BODY, headers=headers)
    assert created.status_code == 201, created.text
    event = created.json()
    assert event == {
        "id": event["id"],
        "title": "Coronapandemie",
        "start": "2019-08",
        "end": "2020-H1",
        "description": "Scholen **dicht**.",
        "themes": ["jeugd"],
        "indicators": [],
        "areas": [],
        "is_break": True,
        "session": None,
    }
    session.commit()
    assert breaks_for(session, waiting) == [date(2019, 8, 1)]
    assert breaks_for(session, debts_figure) == []

    listed = client.get("/api/v1/context-events", headers=headers).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == event["id"]
    assert client.get("/api/v1/context-events?theme=schulden", headers=headers).json()["total"] == 0
    assert client.get("/api/v1/context-events?from=2021", headers=headers).json()["total"] == 0

    url = f"/api/v1/context-events/{event['id']}"
    patched = client.patch(url, json={"end": None, "indicators": ["aanmeldingen"]}, headers=headers)
    assert patched.status_code == 200, patched.text
    assert patched.json()["end"] is None and patched.json()["indicators"] == ["aanmeldingen"]
    session.commit()
    # Named indicators decide which figures it touches.
    assert breaks_for(session, waiting) == []
    assert breaks_for(session, debts_figure) == [date(2019, 8, 1)]

    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404
    session.commit()
    actions = session.exec(
        select(AuditEntry.action).where(AuditEntry.entity == "context_event")
    ).all()
    assert sorted(actions) == ["create", "delete", "update"]


def test_api_refuses_bad_input_and_stores_nothing(client, session):
    _setup(session)
    headers = bearer(session, "editor")
    session.commit()
    bad = {
        **BODY,
        "start": "2020-14",
        "themes": ["geen-thema"],
        "indicators": ["onbekend"],
        "areas": ["XX"],
    }
    response = client.post("/api/v1/context-events", json=bad, headers=headers)
    assert response.status_code == 422
    fields = {item["loc"][1]: item["msg"] for item in response.json()["detail"]}
    assert set(fields) == {"start", "themes", "indicators", "areas"}
    assert "2020-14" in fields["start"]
    backwards = client.post(
        "/api/v1/context-events",
        json={**BODY, "start": "2020-06", "end": "2020-Q1"},
        headers=headers,
    )
    assert backwards.status_code == 422
    assert backwards.json()["detail"][0]["msg"] == (
        "The end (2020-Q1) lies before the start (2020-06)."
    )
    no_data = client.post(
        "/api/v1/context-events", json={**BODY, "indicators": ["leeg"]}, headers=headers
    )
    assert no_data.status_code == 422
    assert "Nog leeg has no values yet" in no_data.json()["detail"][0]["msg"]
    assert _count(session, ContextEvent) == 0
    viewer = bearer(session, "viewer")
    session.commit()
    assert client.post("/api/v1/context-events", json=BODY, headers=viewer).status_code == 403


def test_district_event_breaks_only_that_district(client, session):
    _, _, north, waiting, _, _ = _setup(session)
    _series(session, waiting, [3, 4, 3, 4], area=north)
    headers = bearer(session, "editor")
    session.commit()
    body = {**BODY, "indicators": ["wachtlijst"], "areas": ["WK019301"]}
    assert client.post("/api/v1/context-events", json=body, headers=headers).status_code == 201
    session.commit()
    assert breaks_for(session, waiting) == []
    assert breaks_for(session, waiting, north) == [date(2019, 8, 1)]


def test_a_break_changes_the_cached_unexplained_signals(client, session):
    _, _, _, waiting, _, _ = _setup(session)
    headers = bearer(session, "editor")
    session.commit()
    before = [run for run in recent_runs(session) if run.indicator_id == waiting.id]
    body = {**BODY, "start": "2019-08", "end": None}
    assert client.post("/api/v1/context-events", json=body, headers=headers).status_code == 201
    session.commit()
    after = [run for run in recent_runs(session) if run.indicator_id == waiting.id]
    assert before != after


def test_editor_creates_edits_and_deletes_through_the_pages(client, session):
    _setup(session)
    login(client, session, "editor")
    session.commit()
    token = csrf(client, "/context/new")
    form = {
        "csrf_token": token,
        "title": "Komst van vluchtelingen",
        "start": "2022-03",
        "end": "",
        "description": "<script>alert(1)</script> Opvang in **Noord**.",
        "themes": ["jeugd"],
        "areas": ["WK019301"],
        "is_break": "1",
    }
    response = client.post("/context", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"]).text
    assert "Komst van vluchtelingen" in page and "maart 2022 \u2013 lopend" in page
    assert "<strong>Noord</strong>" in page and "<script>alert" not in page
    event_id = int(response.headers["location"].rsplit("/", 1)[1])

    edit = client.get(f"/context/{event_id}/edit").text
    assert 'value="2022-03"' in edit
    bad = client.post(f"/context/{event_id}", data={**form, "end": "2021-12", "title": "Anders"})
    assert bad.status_code == 422
    assert "Het einde (2021-12) ligt vóór het begin (2022-03)." in bad.text
    assert 'value="Anders"' in bad.text  # what was typed is kept
    session.commit()
    assert session.get(ContextEvent, event_id).title == "Komst van vluchtelingen"

    saved = client.post(f"/context/{event_id}", data={**form, "end": "2023-Q4"})
    assert saved.status_code == 200  # followed the redirect to the event
    assert "maart 2022 \u2013 4e kwartaal 2023" in saved.text

    listing = client.get("/context?theme=jeugd&from=2023").text
    assert "Komst van vluchtelingen" in listing
    assert "Komst van vluchtelingen" not in client.get("/context?to=2021").text
    wrong = client.get("/context?from=maart")
    assert wrong.status_code == 422 and "&#39;maart&#39; is geen periode" in wrong.text

    gone = client.post(
        f"/context/{event_id}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert gone.status_code == 303
    assert _count(session, ContextEvent) == 0


def test_form_refuses_bad_periods_at_the_field(client, session):
    _setup(session)
    login(client, session, "editor")
    session.commit()
    form = {"csrf_token": csrf(client, "/context/new"), "title": "", "start": "maart 20x"}
    response = client.post("/context", data=form)
    assert response.status_code == 422
    assert 'id="start-error"' in response.text and 'id="title-error"' in response.text
    assert 'value="maart 20x"' in response.text
    assert _count(session, ContextEvent) == 0


def test_readers_follow_the_figures_rule(client, session, settings):
    _setup(session)
    headers = bearer(session, "editor")
    session.commit()
    client.post("/api/v1/context-events", json=BODY, headers=headers)
    assert client.get("/context", follow_redirects=False).status_code in (302, 303)
    assert client.get("/api/v1/context-events").status_code == 401
    settings(public_read=True)
    assert "Coronapandemie" in client.get("/context").text
    assert client.get("/api/v1/context-events").json()["total"] == 1
    assert 'href="/context/new"' not in client.get("/context").text


def test_indicator_page_shows_indicator_scoped_event(client, session):
    _setup(session)
    headers = bearer(session, "editor")
    session.commit()
    body = {
        **BODY,
        "themes": [],
        "indicators": ["aanmeldingen"],
        "title": "Nieuwe wet",
        "start": "2019-03",
    }
    client.post("/api/v1/context-events", json=body, headers=headers)
    login(client, session, "viewer")
    session.commit()
    assert "Nieuwe wet" in client.get("/indicators/aanmeldingen").text
    assert "Nieuwe wet" not in client.get("/indicators/wachtlijst").text


def test_half_year_report_has_its_developments_section(client, session):
    _setup(session)
    headers = bearer(session, "editor")
    session.commit()
    body = {**BODY, "start": "2020-03", "end": "2021-06", "title": "Coronapandemie"}
    client.post("/api/v1/context-events", json=body, headers=headers)
    later = {**BODY, "start": "2022-03", "end": None, "title": "Komst van vluchtelingen"}
    client.post("/api/v1/context-events", json=later, headers=headers)
    login(client, session, "viewer")
    session.commit()
    page = client.get("/reports/2020-H1").text
    section = page.split('id="developments-heading"')[1].split("</section>")[0]
    assert "Ontwikkelingen in deze periode" in section
    assert "Coronapandemie" in section and "Scholen <strong>dicht</strong>." in section
    assert "Komst van vluchtelingen" not in page
    assert "Komst van vluchtelingen" in client.get("/reports/2023-H2").text
    markdown = client.get("/reports/2020-H1.md").text
    assert "## Ontwikkelingen in deze periode" in markdown and "**Coronapandemie**" in markdown

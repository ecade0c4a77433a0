"""GET/POST /api/v1/story-requests (DESIGN.md) and GET /api/v1/story-requests/{id}."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.models import Narrative, NarrativeStatus, StoryRequest, StoryRequestPartner
from tests.factories import bearer, make_area, make_indicator, make_narrative
from tests.test_story_requests import make_partner

URL = "/api/v1/story-requests"


def test_editor_creates_and_lists_requests(client, session):
    make_indicator(session, slug="wachttijd")
    make_area(session, code="WK019301")
    partner, _ = make_partner(session, "Welzijn Oost")
    editor = bearer(session, "editor")
    body = {
        "question": "Wat merkt u van de wachttijd in De Hoven?",
        "indicator": "wachttijd",
        "area": "WK019301",
        "period": "2025-09",
        "partners": [partner.id],
        "public": True,
        "closes_on": "2099-12-31",
    }
    created = client.post(URL, json=body, headers=editor)
    assert created.status_code == 201, created.text
    data = created.json()
    assert {k: data[k] for k in body} == body
    assert (data["open"], data["answers"], data["published_answers"]) == (True, 0, 0)
    assert data["url"] == f"/requests/{data['id']}"

    minimal = {"question": "En verder?", "indicator": "wachttijd"}
    second = client.post(URL, json=minimal, headers=editor)
    assert second.status_code == 201
    defaults = {"area": None, "period": None, "partners": [], "public": False, "closes_on": None}
    assert {k: second.json()[k] for k in defaults} == defaults
    session.rollback()  # the app wrote since this session's snapshot
    viewer = bearer(session, "viewer")
    listed = client.get(URL, headers=viewer).json()
    assert listed["total"] == 2
    assert [item["question"] for item in listed["items"]] == [
        "En verder?",
        "Wat merkt u van de wachttijd in De Hoven?",
    ]
    page = client.get(f"{URL}?limit=1&offset=1", headers=viewer).json()
    assert (page["total"], [i["id"] for i in page["items"]]) == (2, [data["id"]])
    assert client.get(f"{URL}?limit=0", headers=viewer).status_code == 422
    assert client.get(f"{URL}?limit=1001", headers=viewer).status_code == 422


def test_open_filter_and_answer_counts(client, session):
    indicator = make_indicator(session, slug="wachttijd")
    open_one = StoryRequest(question="Open", indicator_id=indicator.id)
    closed = StoryRequest(
        question="Dicht", indicator_id=indicator.id, closes_on=date.today() - timedelta(days=1)
    )
    session.add_all([open_one, closed])
    session.commit()
    make_narrative(session, request_id=open_one.id)
    make_narrative(session, request_id=open_one.id, status=NarrativeStatus.pending)
    make_narrative(session, request_id=open_one.id, status=NarrativeStatus.hidden)
    viewer = bearer(session, "viewer")
    everything = client.get(URL, headers=viewer).json()
    assert everything["total"] == 2
    only_open = client.get(f"{URL}?open=true", headers=viewer).json()
    assert only_open["total"] == 1
    item = only_open["items"][0]
    assert (item["question"], item["answers"], item["published_answers"]) == ("Open", 2, 1)
    assert client.get(f"{URL}/{closed.id}", headers=viewer).json()["open"] is False

    published = session.exec(
        select(Narrative.id).where(Narrative.status == NarrativeStatus.published)
    ).all()
    answered = client.get(f"{URL}/{open_one.id}", headers=viewer).json()
    assert answered["answer_ids"] == list(published)
    editor = client.get(f"{URL}/{open_one.id}", headers=bearer(session, "editor")).json()
    assert len(editor["answer_ids"]) == 2  # the pending one too, never the hidden one
    missing = client.get(f"{URL}/9999", headers=viewer)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "There is no story request 9999."}


BAD = [
    ({"indicator": "bestaat-niet"}, "indicator", "Choose a figure from the list."),
    ({"area": "WK000000"}, "area", "Choose a district from the list."),
    ({"period": "2025-Q3"}, "period", "Give a period the figure is measured in"),
    ({"partners": [9999]}, "partners", "Choose partners from the list."),
    ({"closes_on": "2020-01-01"}, "closes_on", "The end date has already passed."),
    ({"question": "   "}, "question", "Write the question you want to ask."),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD)
def test_bad_requests_are_refused_per_field(client, session, change, field, message):
    make_indicator(session, slug="wachttijd")
    body = {"question": "Wat merkt u?", "indicator": "wachttijd", "period": "2025-09", **change}
    response = client.post(URL, json=body, headers=bearer(session, "editor"))
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["body", field], "value_error")
    assert error["msg"].startswith(message)
    session.rollback()
    assert session.exec(select(StoryRequest)).all() == []
    assert session.exec(select(StoryRequestPartner)).all() == []


@pytest.mark.parametrize(
    "body",
    [
        {"indicator": "wachttijd"},
        {"question": "x" * 1001, "indicator": "wachttijd"},
        {"question": "Wat?", "indicator": "wachttijd", "closes_on": "morgen"},
        {"question": "Wat?", "indicator": "wachttijd", "partners": ["een"]},
    ],
)
def test_malformed_bodies_are_422(client, session, body):
    make_indicator(session, slug="wachttijd")
    response = client.post(URL, json=body, headers=bearer(session, "editor"))
    assert response.status_code == 422
    session.rollback()
    assert session.exec(select(StoryRequest)).all() == []


def test_only_editors_create_and_staff_read(client, session):
    make_indicator(session, slug="wachttijd")
    body = {"question": "Wat merkt u?", "indicator": "wachttijd"}
    assert client.post(URL, json=body).status_code == 401
    assert client.get(URL).status_code == 401
    assert client.post(URL, json=body, headers=bearer(session, "viewer")).status_code == 403
    assert client.get(URL, headers=bearer(session, "viewer")).status_code == 200
    session.rollback()
    assert session.exec(select(StoryRequest)).all() == []

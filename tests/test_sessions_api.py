"""The sessions JSON API: create with a frozen snapshot, precise 422s, list, detail."""

from sqlmodel import func, select

from app.figures.observations import ObservationInput, upsert_observations
from app.figures.periods import parse_period
from app.models import Action, AuditEntry, NarrativeStatus, ReflectionSession
from tests.factories import bearer, make_indicator, make_narrative


def _observe(session, indicator, values: dict[str, float]) -> None:
    session.commit()  # end any read transaction older than the app's last write
    items = [
        ObservationInput(period=parse_period(label, indicator.frequency), value=value)
        for label, value in values.items()
    ]
    upsert_observations(session=session, indicator=indicator, items=items, source="test")
    session.commit()


def _count(session, model) -> int:
    session.commit()
    return session.exec(select(func.count()).select_from(model)).one()


def test_create_freezes_snapshot_and_detail_returns_it(client, session):
    headers = bearer(session, "editor")
    indicator = make_indicator(session, slug="wachttijd", frequency="quarter")
    _observe(session, indicator, {"2024-Q1": 30, "2024-Q2": 28})
    story = make_narrative(session)
    body = {
        "held_on": "2024-07-01",
        "title": "Kwartaaloverleg",
        "participants": ["Sanne", "Ahmed"],
        "see": "Wachttijd daalt",
        "indicators": [{"slug": "wachttijd"}],
        "narratives": [story.id],
        "actions": [{"description": "Navragen bij wijkteam", "owner": "Ahmed"}],
    }

    created = client.post("/api/v1/sessions", json=body, headers=headers)

    assert created.status_code == 201, created.text
    data = created.json()
    limits = {"mean": 29.0, "lpl": 23.68, "upl": 34.32}  # 29 ± 2.66 * the one range of 2
    assert data["snapshot"] == [
        {
            "indicator": "wachttijd",
            "area": None,
            "points": [
                {"period": "2024-Q1", "value": 30.0, "signal": "common", **limits},
                {"period": "2024-Q2", "value": 28.0, "signal": "common", **limits},
            ],
        }
    ]
    _observe(session, indicator, {"2024-Q2": 40})
    detail = client.get(f"/api/v1/sessions/{data['id']}", headers=headers).json()
    assert detail["snapshot"][0]["points"][1]["value"] == 28.0
    assert detail["narratives"] == [story.id]
    assert detail["actions"][0]["description"] == "Navragen bij wijkteam"
    assert detail["actions"][0]["status"] == "open"
    assert _count(session, AuditEntry) >= 1


def test_unknown_references_give_precise_422_and_store_nothing(client, session):
    headers = bearer(session, "editor")
    make_indicator(session, slug="wachttijd")
    hidden = make_narrative(session, status=NarrativeStatus.hidden)
    body = {
        "held_on": "2024-07-01",
        "title": "Kwartaaloverleg",
        "indicators": [{"slug": "onbekend"}, {"slug": "wachttijd", "area": "WK000000"}],
        "narratives": [hidden.id],
        "actions": [{"description": "Iets"}],
    }

    response = client.post("/api/v1/sessions", json=body, headers=headers)

    assert response.status_code == 422
    assert [(item["loc"], item["msg"]) for item in response.json()["detail"]] == [
        (["body", "indicators"], "Unknown indicator: onbekend."),
        (["body", "area"], "Unknown area: WK000000."),
        (["body", "narratives"], f"Unknown or unpublished story: {hidden.id}."),
    ]
    assert _count(session, ReflectionSession) == 0
    assert _count(session, Action) == 0


def test_list_paginates_latest_first(client, session):
    headers = bearer(session, "editor")
    for day in ("2024-01-10", "2024-03-10", "2024-02-10"):
        body = {"held_on": day, "title": f"Sessie {day}", "indicators": []}
        assert client.post("/api/v1/sessions", json=body, headers=headers).status_code == 201
    page = client.get("/api/v1/sessions?limit=2&offset=1", headers=headers).json()
    assert page["total"] == 3
    assert [item["held_on"] for item in page["items"]] == ["2024-02-10", "2024-01-10"]


def test_viewer_may_read_but_not_create(client, session):
    headers = bearer(session, "viewer")
    assert client.get("/api/v1/sessions", headers=headers).status_code == 200
    body = {"held_on": "2024-07-01", "title": "X"}
    assert client.post("/api/v1/sessions", json=body, headers=headers).status_code == 403
    assert client.get("/api/v1/sessions").status_code == 401
    assert client.get("/api/v1/sessions/999", headers=headers).status_code == 404

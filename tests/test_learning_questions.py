"""Learning questions that can be adjusted: versions, status steps (who, when, why),
expected movements beside what the figure's signals did, through pages and the API."""

from sqlmodel import func, select

from app.figures.observations import ObservationInput, upsert_observations
from app.figures.periods import parse_period
from app.models import ExpectedMovement, LearningQuestion, QuestionVersion
from tests.factories import bearer, csrf, login, make_area, make_indicator, make_theme


def _count(session, model) -> int:
    session.commit()
    return session.exec(select(func.count()).select_from(model)).one()


def _figure(session):
    theme = make_theme(session, slug="jeugd", name="Jeugd")
    north = make_area(session, code="WK019301", name="Noord")
    figure = make_indicator(
        session, themes=[theme], slug="wachttijd", name="Wachttijd", direction="down"
    )
    period = parse_period("2022-01")
    items = []
    # Twelve months around 20, then a lasting fall after the hypothesis (2023-01).
    for value in [20, 21, 19, 20, 22, 20, 21, 19, 20, 21, 20, 19, 12, 11, 12, 10, 11, 12, 11, 10]:
        items.append(ObservationInput(period=period, value=value, area=north))
        period = period.next()
    upsert_observations(session=session, indicator=figure, items=items, source="test")
    session.commit()
    return theme, north, figure


def test_api_keeps_every_version_and_status_with_who_when_why(client, session):
    _figure(session)
    headers = bearer(session, "editor")
    session.commit()
    body = {
        "text": "Als jeugdprofessionals in de wijk zitten, daalt de wachttijd.",
        "themes": ["jeugd"],
        "indicators": ["wachttijd"],
        "expected": [
            {
                "indicator": "wachttijd",
                "area": "WK019301",
                "direction": "down",
                "within_months": 12,
                "stated_on": "2023-01-01",
            }
        ],
    }
    created = client.post("/api/v1/learning-questions", json=body, headers=headers)
    assert created.status_code == 201, created.text
    question = created.json()
    assert question["themes"] == ["jeugd"] and question["status"] == "open"
    evidence = question["expected"][0]["evidence"]
    # Computed from the signals since the statement: the fall shows up as low points.
    assert evidence["points"] == 8 and evidence["expected_signals"] >= 7
    assert evidence["opposite_signals"] == 0 and evidence["term_ends_on"] == "2024-01-01"
    url = f"/api/v1/learning-questions/{question['id']}"

    no_reason = client.patch(url, json={"text": "Anders"}, headers=headers)
    assert no_reason.status_code == 422
    assert no_reason.json()["detail"][0]["loc"] == ["body", "reason"]
    client.patch(
        url,
        json={"text": "Als ... daalt de wachttijd in Noord.", "reason": "Alleen Noord daalde."},
        headers=headers,
    )
    moved = client.patch(
        url, json={"status": "adjusted", "reason": "Bijgesteld naar Noord."}, headers=headers
    ).json()
    assert [v["text"] for v in moved["versions"]] == [
        body["text"],
        "Als ... daalt de wachttijd in Noord.",
    ]
    assert moved["versions"][1]["reason"] == "Alleen Noord daalde."
    assert "@" in moved["versions"][1]["by"] and moved["versions"][1]["at"]
    assert [(s["status"], s["reason"]) for s in moved["statuses"]] == [
        ("adjusted", "Bijgesteld naar Noord.")
    ]
    assert client.get("/api/v1/learning-questions", headers=headers).json()["total"] == 1

    bad = client.post(
        "/api/v1/learning-questions",
        json={
            "text": " ",
            "themes": ["nope"],
            "expected": [{"indicator": "x", "direction": "sideways", "within_months": 0}],
        },
        headers=headers,
    )
    assert bad.status_code == 422
    locs = {tuple(item["loc"]) for item in bad.json()["detail"]}
    assert {
        ("body", "text"),
        ("body", "themes"),
        ("body", "expected", 0, "indicator"),
        ("body", "expected", 0, "direction"),
        ("body", "expected", 0, "within_months"),
    } <= locs
    assert _count(session, LearningQuestion) == 1
    assert client.get("/api/v1/learning-questions/999", headers=headers).status_code == 404


def test_question_page_shows_history_and_expected_movements(client, session):
    _figure(session)
    login(client, session, "editor")
    session.commit()
    added = client.post(
        "/learning",
        data={
            "csrf_token": csrf(client, "/learning"),
            "text": "Als we lichte hulp inzetten, daalt de wachttijd.",
            "themes": ["jeugd"],
            "indicators": ["wachttijd"],
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    url = added.headers["location"]
    token = csrf(client, url)
    expected = client.post(
        url,
        data={
            "csrf_token": token,
            "action": "expected",
            "indicator": "wachttijd",
            "area": "WK019301",
            "direction": "down",
            "within_months": "12",
        },
    )
    assert expected.status_code == 200, expected.text
    assert "we verwachten dat Wachttijd in Noord binnen 12 maanden daalt" in expected.text
    assert _count(session, ExpectedMovement) == 1

    refused = client.post(
        url, data={"csrf_token": token, "action": "reword", "text": "Nieuw", "reason": ""}
    )
    assert refused.status_code == 422
    assert 'id="reason-error">Zeg waarom' in refused.text and ">Nieuw</textarea>" in refused.text
    assert _count(session, QuestionVersion) == 1

    client.post(
        url, data={"csrf_token": token, "action": "reword", "text": "Nieuw", "reason": "Scherper"}
    )
    page = client.post(
        url,
        data={"csrf_token": token, "action": "status", "status": "supported", "reason": "Daalde"},
    ).text
    history = page.split("Formulering door de tijd")[1]
    assert "Als we lichte hulp inzetten, daalt de wachttijd." in history
    assert "Nieuw" in history and "Scherper" in history
    assert "ondersteund" in page.split("Status door de tijd")[1] and "Daalde" in page
    bad_months = client.post(
        url,
        data={
            "csrf_token": token,
            "action": "expected",
            "indicator": "wachttijd",
            "direction": "down",
            "within_months": "x",
        },
    )
    assert bad_months.status_code == 422
    assert 'id="within_months-error">Geef de termijn in maanden' in bad_months.text

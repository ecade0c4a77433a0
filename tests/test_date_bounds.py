"""Dates lie within the years 1900 to 2100, like periods, at every entrance: API bodies
and queries answer a 422 in the one JSON shape, forms say it at the field (Dutch, or
English with ?lang=en) and keep what was typed; nothing is stored, never a 500."""

from datetime import date
from html import unescape

import pytest
from sqlmodel import func, select

from app.models import (
    ContextEvent,
    Experiment,
    ExperimentDecision,
    Invite,
    LearningQuestion,
    ReflectionSession,
    StoryRequest,
    ThemeRecalibration,
)
from tests.factories import bearer, csrf, login, make_indicator, make_theme

OUTSIDE = ["9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01"]


def english(text: str) -> str:
    return f"'{text}' lies outside the years 1900 to 2100"


def dutch(text: str) -> str:
    return f"'{text}' ligt buiten de jaren 1900 tot en met 2100"


def _count(session, model) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(model)).one()


def _refused(response, loc: list) -> None:
    """A 422 in the API's one shape whose detail says the years at ``loc``."""
    assert response.status_code == 422, (response.request.url, response.text)
    assert set(response.json()) == {"detail"}
    found = {tuple(item["loc"]): item["msg"] for item in response.json()["detail"]}
    assert tuple(loc) in found, found
    assert found[tuple(loc)].endswith("' lies outside the years 1900 to 2100"), found


@pytest.fixture
def editor(session):
    headers = bearer(session, "editor")
    session.commit()
    return headers


def _experiment(**overrides) -> dict:
    return {
        "title": "Schoolmaatschappelijk werk",
        "hypothesis": "Als we op school hulp bieden, verwachten we minder verzuim, "
        "omdat zorgen eerder in beeld komen.",
        "starts_on": "2025-09-01",
        "review_on": "2026-03-01",
        "target_group": "Leerlingen van groep 7 en 8",
        **overrides,
    }


@pytest.mark.parametrize("text", OUTSIDE)
def test_api_bodies_refuse_a_date_outside_the_years_and_store_nothing(
    client, session, editor, text
):
    theme = make_theme(session, slug="jeugd")
    make_indicator(session, themes=[theme], slug="wachttijd")
    session.commit()
    session_body = {"held_on": "2024-07-01", "title": "Overleg"}
    _refused(
        client.post("/api/v1/sessions", json={**session_body, "held_on": text}, headers=editor),
        ["body", "held_on"],
    )
    action = {"description": "Bellen", "due_on": text}
    _refused(
        client.post("/api/v1/sessions", json={**session_body, "actions": [action]}, headers=editor),
        ["body", "actions", 0, "due_on"],
    )
    for name in ("starts_on", "review_on"):
        refused = client.post(
            "/api/v1/experiments", json=_experiment(**{name: text}), headers=editor
        )
        _refused(refused, ["body", name])
    created = client.post("/api/v1/experiments", json=_experiment(), headers=editor)
    assert created.status_code == 201, created.text
    url = f"/api/v1/experiments/{created.json()['id']}"
    _refused(client.patch(url, json={"review_on": text}, headers=editor), ["body", "review_on"])
    decision = {"decision": "adjust", "reason": "Bijstellen", "hypothesis": "Anders"}
    for name in ("decided_on", "review_on"):
        refused = client.post(f"{url}/decisions", json={**decision, name: text}, headers=editor)
        _refused(refused, ["body", name])
    asked = {"question": "Wat merkt u?", "indicator": "wachttijd", "closes_on": text}
    _refused(
        client.post("/api/v1/story-requests", json=asked, headers=editor), ["body", "closes_on"]
    )
    movement = {"indicator": "wachttijd", "direction": "down", "within_months": 12}
    question = {"text": "Daalt de wachttijd?", "expected": [{**movement, "stated_on": text}]}
    _refused(
        client.post("/api/v1/learning-questions", json=question, headers=editor),
        ["body", "expected", 0, "stated_on"],
    )
    step = {"changed_on": text, "what": "Hulp op afstand telt mee."}
    _refused(
        client.patch("/api/v1/themes/jeugd", json={"recalibrations": [step]}, headers=editor),
        ["body", "recalibrations", 0, "changed_on"],
    )
    for path in ("observations", "observations.csv"):
        moment = f"{text}T12:00:00Z"
        answer = client.get(f"/api/v1/indicators/wachttijd/{path}?as_of={moment}", headers=editor)
        _refused(answer, ["query", "as_of"])
    assert _count(session, ReflectionSession) == 0
    assert _count(session, Experiment) == 1  # the one made to decide on
    assert _count(session, ExperimentDecision) == 0
    assert _count(session, StoryRequest) == 0
    assert _count(session, LearningQuestion) == 0
    assert _count(session, ThemeRecalibration) == 0


def test_the_first_and_last_days_of_the_years_are_accepted(client, session, editor):
    for day in ("1900-01-01", "2100-12-31"):
        body = {
            "held_on": day,
            "title": "Overleg",
            "actions": [{"description": "x", "due_on": day}],
        }
        assert client.post("/api/v1/sessions", json=body, headers=editor).status_code == 201
    made = client.post(
        "/api/v1/experiments",
        json=_experiment(starts_on="1900-01-01", review_on="2100-12-31"),
        headers=editor,
    )
    assert made.status_code == 201, made.text
    session.rollback()
    held = session.exec(select(ReflectionSession.held_on).order_by(ReflectionSession.held_on)).all()
    assert held == [date(1900, 1, 1), date(2100, 12, 31)]


def _session_form(client, **fields) -> dict:
    return {
        "csrf_token": csrf(client, "/sessions/new"),
        "held_on": "2024-04-10",
        "title": "Maandoverleg april",
        "action_description": ["Bel de huisartsen", "", ""],
        "action_owner": ["", "", ""],
        "action_due_on": ["", "", ""],
        **fields,
    }


@pytest.mark.parametrize("text", ["9999-12-31", "0001-01-01"])
def test_forms_say_a_date_outside_the_years_at_its_field(client, session, text):
    theme = make_theme(session, slug="jeugd")
    make_indicator(session, themes=[theme], slug="wachttijd")
    event = ContextEvent(title="Coronapandemie", starts_on=date(2020, 3, 1))
    session.add(event)
    session.commit()
    login(client, session, "editor")
    session.rollback()
    pages = {
        "/sessions/new (held_on)": client.post(
            "/sessions/new", data=_session_form(client, held_on=text)
        ),
        "/sessions/new (due_on)": client.post(
            "/sessions/new", data=_session_form(client, action_due_on=[text, "", ""])
        ),
        "/experiments/new": client.post(
            "/experiments/new",
            data={"csrf_token": csrf(client, "/experiments/new"), **_experiment(starts_on=text)},
        ),
        "/themes/jeugd/edit": client.post(
            "/themes/jeugd/edit",
            data={
                "csrf_token": csrf(client, "/themes/jeugd/edit"),
                "problem": "Kinderen wachten te lang.",
                "recalibrations.0.changed_on": text,
                "recalibrations.0.what": "Hulp op afstand telt mee.",
            },
        ),
        "/requests/new": client.post(
            "/requests/new",
            data={
                "csrf_token": csrf(client, "/requests/new"),
                "question": "Wat merkt u?",
                "indicator": "wachttijd",
                "closes_on": text,
            },
        ),
    }
    for name, page in pages.items():
        assert page.status_code == 422, (name, page.text[-2000:])
        shown = unescape(page.text)
        assert dutch(text) in shown, name
        assert f'value="{text}"' in page.text, name  # what was typed is kept
    assert _count(session, ReflectionSession) == 0
    assert _count(session, Experiment) == 0
    assert _count(session, ThemeRecalibration) == 0
    assert _count(session, StoryRequest) == 0


def test_the_invite_form_refuses_an_expiry_outside_the_years(client, session):
    from app.narratives.partners import create_partner

    partner = create_partner(session=session, name="Buurthuis De Hoven")
    session.commit()
    login(client, session, "editor")
    session.rollback()
    token = csrf(client, "/partners")
    page = client.post(
        f"/partners/{partner.id}/invites",
        data={"name": "Bijeenkomst", "expires_on": "9999-12-31", "csrf_token": token},
    )
    assert page.status_code == 422
    assert dutch("9999-12-31") in unescape(page.text)
    assert _count(session, Invite) == 0


def test_search_and_the_values_page_refuse_a_day_outside_the_years(client, session):
    make_indicator(session, slug="wachttijd")
    session.commit()
    login(client, session, "viewer")
    session.rollback()
    found = client.get("/search", params={"q": "schulden", "day_from": "9999-12-31"})
    assert found.status_code == 422  # the filter is refused at its field
    assert dutch("9999-12-31") in unescape(found.text)
    english_page = client.get("/search", params={"q": "x", "day_to": "0001-01-01", "lang": "en"})
    assert english("0001-01-01") in unescape(english_page.text)
    values = client.get("/indicators/wachttijd/values", params={"as_of": "9999-12-31"})
    assert values.status_code == 422


@pytest.mark.parametrize(("start", "end"), [("0000", ""), ("9999", ""), ("", "1899"), ("", "2101")])
def test_the_sessions_list_refuses_a_period_outside_the_years_at_its_field(
    client, session, start, end
):
    login(client, session, "viewer")
    session.rollback()
    page = client.get("/sessions", params={"start": start, "end": end})
    assert page.status_code == 422  # the filter is refused at its field, never a 500
    text = start or end
    assert dutch(text) in unescape(page.text), unescape(page.text)
    assert f'value="{text}"' in page.text  # what was typed stays in its field


@pytest.mark.parametrize(
    "axis",
    [
        "0001-01-01/2024-12-31",
        "2024-01-01/9999-12-31",
        "1899-12-31/2024-12-31",
        "2024-01-01/2101-01-01",
    ],
)
def test_the_chart_refuses_an_axis_outside_the_years(client, session, axis):
    make_indicator(session, slug="wachttijd")
    session.commit()
    login(client, session, "viewer")
    session.rollback()
    chart = client.get("/indicators/wachttijd/chart.svg", params={"axis": axis})
    outside = next(day for day in axis.split("/") if not 1900 <= int(day[:4]) <= 2100)
    assert chart.status_code == 422, chart.text
    assert english(outside) in chart.text or dutch(outside) in unescape(chart.text)


def test_the_chart_keeps_an_axis_on_the_first_and_last_days_of_the_years(client, session):
    make_indicator(session, slug="wachttijd")
    session.commit()
    login(client, session, "viewer")
    session.rollback()
    chart = client.get("/indicators/wachttijd/chart.svg", params={"axis": "1900-01-01/2100-12-31"})
    assert chart.status_code == 200

"""Input a database cannot take answers 4xx, never 500, on both engines: text with a NUL
character (PostgreSQL cannot store or compare it) and ids beyond the integer column."""

from sqlmodel import select

from app.models import Narrative, Theme
from tests.factories import bearer, csrf, login

NUL = "Text may not contain NUL characters (\\u0000)."
NUL_DETAIL = [{"loc": [], "msg": NUL, "type": "value_error"}]


def test_api_bodies_queries_and_paths_with_nul_are_refused(client, session, settings):
    editor = bearer(session, role="editor")
    story = {"title": "Titel", "body": "Verhaal", "occurred": "2024-03", "author_role": "partner"}
    for body in (
        {**story, "themes": ["zo\u0000rg"]},
        {**story, "title": "Ti\u0000tel"},
    ):
        response = client.post("/api/v1/narratives", json=body, headers=editor)
        assert (response.status_code, response.json()) == (422, {"detail": NUL_DETAIL})
    themes = client.post("/api/v1/themes", json={"slug": "a\u0000", "name": "A"}, headers=editor)
    assert themes.status_code == 422
    for url in ("/api/v1/narratives?theme=zo%00rg", "/api/v1/indicators/me%00ldingen"):
        response = client.get(url, headers=editor)
        assert (response.status_code, response.json()) == (422, {"detail": NUL_DETAIL})
    assert session.exec(select(Narrative)).all() == []
    assert session.exec(select(Theme)).all() == []
    # A body that only looks like JSON text with a backslash is fine.
    fine = client.post("/api/v1/narratives", json={**story, "body": "C:\\map"}, headers=editor)
    assert fine.status_code == 201, fine.text


def test_a_form_with_nul_gets_a_translated_page_and_nothing_changes(client, session):
    login(client, session, role="editor")
    token = csrf(client, "/themes-and-areas")
    response = client.post(
        "/themes-and-areas/themes",
        content=f"csrf_token={token}&slug=zorg&name=Zo%00rg",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422
    assert "Tekst mag geen NUL-tekens (\\u0000) bevatten." in response.text
    assert session.exec(select(Theme)).all() == []


def test_ids_beyond_the_database_integer_are_a_4xx_not_a_500(client, session):
    """2**40 overflows PostgreSQL's integer, 2**64 SQLite's: the answer is 404 (no such
    row) or 422 (a number too large), never a server error."""
    editor = bearer(session, role="editor")
    for big in (2**40, 2**64):
        for method, url in (
            ("GET", f"/api/v1/narratives/{big}"),
            ("DELETE", f"/api/v1/partners/1/invites/{big}"),
            ("GET", f"/api/v1/sessions/{big}"),
        ):
            response = client.request(method, url, headers=editor)
            assert response.status_code in (404, 422), (url, response.status_code)
            assert response.json()["detail"]


def test_ids_that_only_look_like_digits_get_a_message_not_a_500(client, session, settings):
    from app.models import ReflectionSession

    settings(public_stories=True)
    login(client, session, role="editor")
    session.commit()
    odd = ["²", "٣", "99999999999999999999999"]  # str.isdigit() is true for each
    page = client.post(
        "/sessions/new",
        data={
            "csrf_token": csrf(client, "/sessions/new"),
            "held_on": "2024-04-10",
            "title": "Maandoverleg",
            "question": odd,
            "question_status": ["open"] * 3,
            "narratives": odd,
        },
    )
    assert page.status_code == 422
    assert "Onbekende leervraag." in page.text
    for value in odd:
        story = client.post(
            "/stories/new",
            data={
                "csrf_token": csrf(client, "/stories/new"),
                "title": "Titel",
                "body": "Verhaal",
                "occurred": "2024-03",
                "author_role": "partner",
                "consent": "yes",
                "request": value,
            },
        )
        assert story.status_code == 422, value
        closing = client.post(
            "/sessions/actions/1",
            data={"csrf_token": csrf(client, "/sessions"), "status": "done", "closed_in": value},
        )
        assert closing.status_code in (404, 422), value
    session.rollback()
    assert session.exec(select(ReflectionSession)).all() == []
    assert session.exec(select(Narrative)).all() == []

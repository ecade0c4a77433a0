"""The learning agenda: questions, their status history with sessions, and evidence."""

from sqlmodel import func, select

from app.models import AuditEntry, LearningQuestion, LearningQuestionIndicator
from tests.factories import csrf, login, make_indicator, make_narrative


def _count(session, model) -> int:
    session.commit()
    return session.exec(select(func.count()).select_from(model)).one()


def test_editor_adds_question_with_linked_indicator(client, session):
    login(client, session, "editor")
    session.commit()  # a read before the app's login write cannot write afterwards
    make_indicator(session, slug="schooluitval", name="Schooluitval")
    response = client.post(
        "/learning",
        data={
            "csrf_token": csrf(client, "/learning"),
            "text": "Als we mentoren inzetten, verwachten we minder uitval",
            "indicators": ["schooluitval"],
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert _count(session, LearningQuestionIndicator) == 1
    assert _count(session, AuditEntry) == 1
    page = client.get("/learning").text
    assert "Als we mentoren inzetten, verwachten we minder uitval" in page
    assert 'href="/indicators/schooluitval">Schooluitval</a>' in page


def test_empty_question_is_refused(client, session):
    login(client, session, "editor")
    response = client.post("/learning", data={"csrf_token": csrf(client, "/learning"), "text": " "})
    assert response.status_code == 422
    assert "Vul de vraag of hypothese in." in response.text
    assert _count(session, LearningQuestion) == 0


def test_status_history_links_the_session_and_its_stories(client, session):
    login(client, session, "editor")
    session.commit()  # a read before the app's login write cannot write afterwards
    story = make_narrative(session, title="Keukentafelgesprek")
    client.post(
        "/sessions/new",
        data={
            "csrf_token": csrf(client, "/sessions/new"),
            "held_on": "2024-04-10",
            "title": "Maandoverleg april",
            "new_question": "Als we vroeg signaleren, dalen de schulden",
            "question_status": "contradicted",
            "question_reason": "Schulden stegen toch",
            "narratives": [str(story.id)],
        },
    )
    page = client.get("/learning").text
    assert "Als we vroeg signaleren, dalen de schulden" in page
    assert "<strong>weerlegd</strong>" in page
    assert "Schulden stegen toch" in page
    assert ">Maandoverleg april</a>" in page
    assert f'href="/stories/{story.id}">Keukentafelgesprek</a>' in page


def test_viewer_reads_but_cannot_add(client, session):
    login(client, session, "viewer")
    page = client.get("/learning")
    assert page.status_code == 200
    assert "Een vraag toevoegen" not in page.text
    response = client.post("/learning", data={"csrf_token": csrf(client, "/learning"), "text": "x"})
    assert response.status_code == 403

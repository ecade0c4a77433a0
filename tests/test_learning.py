"""The learning agenda: questions, their status history with sessions, and evidence."""

from sqlmodel import func, select

from app.figures.observations import ObservationInput, upsert_observations
from app.figures.periods import parse_period
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
    session.commit()
    assert session.exec(select(AuditEntry.entity)).all().count("learning_question") == 1
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


def test_each_step_shows_the_signal_as_the_session_saw_it_and_only_published_stories(
    client, session
):
    login(client, session, "editor")
    session.commit()
    indicator = make_indicator(
        session, slug="schuldhulp", name="Aanmeldingen schuldhulp", direction="up"
    )
    other = make_indicator(session, slug="bijstand", name="Huishoudens in bijstand")
    values = [10, 11, 10, 12, 11, 10, 11, 12, 10, 11, 10, 11, 40]
    items = [
        ObservationInput(period=parse_period(f"2023-{month:02d}", "month"), value=value)
        for month, value in enumerate(values[:12], start=1)
    ] + [ObservationInput(period=parse_period("2024-01", "month"), value=values[12])]
    for figure in (indicator, other):
        upsert_observations(session=session, indicator=figure, items=items, source="test")
    session.commit()
    shown = make_narrative(session, title="Meer mensen aan de balie", status="published")
    hidden = make_narrative(session, title="Naam van de buurman")
    question = LearningQuestion(text="Als we vroeg signaleren, melden meer mensen zich")
    session.add(question)
    session.flush()
    session.add(LearningQuestionIndicator(question_id=question.id, indicator_id=indicator.id))
    session.commit()

    response = client.post(
        "/sessions/new",
        data={
            "csrf_token": csrf(client, "/sessions/new"),
            "held_on": "2024-02-12",
            "title": "Maandoverleg februari",
            "indicators": ["schuldhulp", "bijstand"],
            "narratives": [str(shown.id), str(hidden.id)],
            "question": str(question.id),
            "question_status": "supported",
            "question_reason": "De aanmeldingen schieten omhoog",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    # A later revision must not change what the step shows: it is what the team saw;
    # a story hidden after the session no longer appears as evidence.
    session.commit()
    hidden.status = "hidden"
    session.add(hidden)
    upsert_observations(
        session=session,
        indicator=indicator,
        items=[ObservationInput(period=parse_period("2024-01", "month"), value=11)],
        source="test",
    )
    session.commit()

    page = client.get("/learning").text
    step = page[page.index("De aanmeldingen schieten omhoog") :]
    assert ">Maandoverleg februari</a>" in step
    assert 'href="/indicators/schuldhulp">Aanmeldingen schuldhulp</a>, januari 2024: 40' in step
    assert '<span class="signal signal-improvement">verbetering</span>' in step
    assert "Huishoudens in bijstand</a>, januari 2024" not in step  # not a figure of this question
    assert ">Meer mensen aan de balie</a>" in step
    assert "Naam van de buurman" not in page

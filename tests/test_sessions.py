"""Reflection sessions: form, snapshot, revision notice, edits, list filters, actions."""

import json
import re
from datetime import date, timedelta

from sqlmodel import func, select

from app.figures.observations import ObservationInput, upsert_observations
from app.figures.periods import parse_period
from app.models import (
    Action,
    ActionStatus,
    AuditEntry,
    ContextEvent,
    LearningQuestion,
    QuestionStatusChange,
    ReflectionSession,
    SessionIndicator,
    SessionNarrative,
    SessionRevision,
)
from tests.factories import csrf, login, make_area, make_indicator, make_narrative, make_theme


def _observe(session, indicator, values: dict[str, float], area=None) -> None:
    session.commit()  # end any read transaction older than the app's last write
    items = [
        ObservationInput(period=parse_period(label, indicator.frequency), value=value, area=area)
        for label, value in values.items()
    ]
    upsert_observations(session=session, indicator=indicator, items=items, source="test")
    session.commit()


def _login(client, session, role="editor"):
    """Sign in, then end the read transaction the login left open in ``session``.

    On SQLite a transaction that read before the app wrote cannot write afterwards.
    """
    user = login(client, session, role)
    session.commit()
    return user


def _read(session):
    """End the session's read transaction so that it sees what the app wrote since."""
    session.commit()
    return session


def _form(client, **fields) -> dict:
    data = {
        "csrf_token": csrf(client, "/sessions/new"),
        "held_on": "2024-04-10",
        "title": "Maandoverleg april",
        "facilitator": "Sanne",
        "participants": "Sanne\nAhmed\n",
        "see": "Meer **meldingen**.",
        "mean": "",
        "do": "",
        "action_description": ["", "", ""],
        "action_owner": ["", "", ""],
        "action_due_on": ["", "", ""],
    }
    data.update(fields)
    return data


def _count(session, model) -> int:
    return _read(session).exec(select(func.count()).select_from(model)).one()


def test_new_session_freezes_snapshot_and_stores_everything(client, session):
    user = _login(client, session, "editor")
    indicator = make_indicator(session, slug="meldingen")
    _observe(session, indicator, {"2024-01": 10, "2024-02": 12, "2024-03": 11})
    story = make_narrative(session)
    question = LearningQuestion(text="Als we X doen, verwachten we Y")
    session.add(question)
    session.commit()

    response = client.post(
        "/sessions/new",
        data=_form(
            client,
            indicators=["meldingen"],
            narratives=[str(story.id)],
            action_description=["Bel de huisartsen", "", ""],
            action_owner=["Ahmed", "", ""],
            action_due_on=["2024-05-01", "", ""],
            question=str(question.id),
            question_status="supported",
            question_reason="De meldingen dalen",
        ),
        follow_redirects=False,
    )

    assert response.status_code == 303, response.text
    reflection = _read(session).exec(select(ReflectionSession)).one()
    assert response.headers["location"] == f"/sessions/{reflection.id}"
    assert reflection.participants == ["Sanne", "Ahmed"]
    frozen = _read(session).exec(select(SessionIndicator)).one()
    # mean 11, moving ranges 2 and 1: limits 11 ± 2.66 * 1.5
    limits = {"mean": 11.0, "lpl": 7.01, "upl": 14.99}
    assert frozen.snapshot == [
        {"period": "2024-01", "value": 10.0, "signal": "common", **limits},
        {"period": "2024-02", "value": 12.0, "signal": "common", **limits},
        {"period": "2024-03", "value": 11.0, "signal": "common", **limits},
    ]
    assert _read(session).exec(select(SessionNarrative)).one().narrative_id == story.id
    action = _read(session).exec(select(Action)).one()
    assert (action.description, action.owner, action.due_on) == (
        "Bel de huisartsen",
        "Ahmed",
        date(2024, 5, 1),
    )
    step = _read(session).exec(select(QuestionStatusChange)).one()
    assert (step.status, step.reason, step.session_id) == (
        "supported",
        "De meldingen dalen",
        reflection.id,
    )
    _read(session).refresh(question)
    assert question.status == "supported"
    entry = (
        _read(session)
        .exec(select(AuditEntry).where(AuditEntry.entity == "reflection_session"))
        .one()
    )
    assert (entry.action, entry.user_id) == ("create", user.id)

    page = client.get(f"/sessions/{reflection.id}").text
    assert "Meer <strong>meldingen</strong>." in page
    assert "Cijfers zoals gezien op" in page
    assert "Herzien sinds deze sessie" not in page


def test_invalid_form_shows_messages_keeps_input_and_stores_nothing(client, session):
    _login(client, session, "editor")
    response = client.post(
        "/sessions/new",
        data=_form(
            client,
            title="",
            held_on="10-04-2024",
            indicators=["bestaat-niet"],
            see="Wat we <b>zagen</b>",
            action_description=["", "", ""],
            action_owner=["", "Ahmed", ""],
        ),
    )
    assert response.status_code == 422
    assert "Vul een titel in." in response.text
    assert "Vul een datum in als JJJJ-MM-DD." in response.text
    assert "Onbekende indicator: bestaat-niet." in response.text
    assert "Beschrijf de actie, of laat eigenaar en deadline leeg." in response.text
    assert 'id="action_description_1"' in response.text
    assert "Wat we &lt;b&gt;zagen&lt;/b&gt;" in response.text
    assert _count(session, ReflectionSession) == 0
    assert _count(session, Action) == 0


def test_session_page_shows_old_value_and_revision_notice(client, session):
    _login(client, session, "editor")
    area = make_area(session, code="WK019301", name="Centrum")
    indicator = make_indicator(session, slug="meldingen")
    _observe(session, indicator, {"2024-01": 10, "2024-02": 12}, area=area)
    client.post("/sessions/new", data=_form(client, indicators=["meldingen"], area="WK019301"))
    reflection = _read(session).exec(select(ReflectionSession)).one()

    _observe(session, indicator, {"2024-02": 15}, area=area)

    page = client.get(f"/sessions/{reflection.id}").text
    assert "Herzien sinds deze sessie" in page
    assert "februari 2024: 12 → 15" in page
    assert '<td>februari 2024</td><td class="num">12</td>' in page
    assert "Centrum" in page

    frozen = _read(session).exec(select(SessionIndicator)).one()
    spec = json.loads(
        re.search(
            rf'class="chart-spec" data-target="snapshot-{frozen.id}">(.*?)</script>', page, re.S
        ).group(1)
    )
    assert [(p["label"], p["value"]) for p in spec["datasets"]["points"]] == [
        ("2024-01", 10.0),
        ("2024-02", 12.0),
    ]
    assert "binnen de gewone variatie" in page  # the chart's summary in words
    # the notes and decisions open the page; the frozen figures follow, one folded each
    assert (
        page.index("<h2>Wat zien we")
        < page.index("<h2>Acties")
        < page.index('<details class="snapshot"')
    )
    svg_url = f"/sessions/{reflection.id}/figures/{frozen.id}/chart.svg?lang=nl"
    assert f'src="{svg_url}"' in page
    svg = client.get(svg_url)
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.lstrip().startswith("<svg")
    assert (
        client.get(f"/sessions/{reflection.id}/figures/{frozen.id + 1}/chart.svg").status_code
        == 404
    )
    assert (
        client.get(f"/sessions/{reflection.id + 1}/figures/{frozen.id}/chart.svg").status_code
        == 404
    )


def test_edit_keeps_previous_text_with_who_and_when(client, session):
    editor = _login(client, session, "editor")
    client.post("/sessions/new", data=_form(client))
    reflection = _read(session).exec(select(ReflectionSession)).one()
    token = csrf(client, f"/sessions/{reflection.id}/edit")
    response = client.post(
        f"/sessions/{reflection.id}/edit",
        data={
            "csrf_token": token,
            "held_on": "2024-04-10",
            "title": "Maandoverleg april (gecorrigeerd)",
            "participants": "Sanne",
            "see": "Nieuw",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    revision = _read(session).exec(select(SessionRevision)).one()
    assert revision.content["title"] == "Maandoverleg april"
    assert revision.content["see"] == "Meer **meldingen**."
    assert revision.edited_by_id == editor.id
    page = client.get(f"/sessions/{reflection.id}").text
    assert "Maandoverleg april (gecorrigeerd)" in page
    assert "Bewerkgeschiedenis" in page
    assert editor.email in page


def test_edit_with_empty_title_is_refused(client, session):
    _login(client, session, "editor")
    client.post("/sessions/new", data=_form(client))
    reflection = _read(session).exec(select(ReflectionSession)).one()
    token = csrf(client, f"/sessions/{reflection.id}/edit")
    response = client.post(
        f"/sessions/{reflection.id}/edit",
        data={"csrf_token": token, "held_on": "2024-04-10", "title": " "},
    )
    assert response.status_code == 422
    assert "Vul een titel in." in response.text
    assert _count(session, SessionRevision) == 0


def test_viewer_reads_but_cannot_create(client, session):
    _login(client, session, "viewer")
    assert client.get("/sessions").status_code == 200
    assert client.get("/sessions/new", follow_redirects=False).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/sessions", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/login")


def test_list_filters_by_theme_period_and_participant(client, session):
    _login(client, session, "editor")
    theme = make_theme(session, slug="jeugd", name="Jeugd")
    make_indicator(session, themes=[theme], slug="jeugdhulp")
    client.post(
        "/sessions/new",
        data=_form(client, title="Jeugdsessie", indicators=["jeugdhulp"], held_on="2024-02-01"),
    )
    client.post(
        "/sessions/new",
        data=_form(client, title="Armoedesessie", participants="Fatima", held_on="2024-06-01"),
    )
    assert "Jeugdsessie" in client.get("/sessions?theme=jeugd").text
    assert "Armoedesessie" not in client.get("/sessions?theme=jeugd").text
    by_period = client.get("/sessions?start=2024-05-01&end=2024-12-31").text
    assert "Armoedesessie" in by_period and "Jeugdsessie" not in by_period
    by_person = client.get("/sessions?participant=fati").text
    assert "Armoedesessie" in by_person and "Jeugdsessie" not in by_person


def test_open_actions_marked_overdue_and_closed_in_a_later_session(client, session):
    _login(client, session, "editor")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    client.post(
        "/sessions/new",
        data=_form(
            client,
            action_description=["Te laat", "Op tijd", ""],
            action_due_on=[yesterday, "2099-01-01", ""],
        ),
    )
    client.post("/sessions/new", data=_form(client, title="Volgende keer", held_on="2024-05-10"))
    page = client.get("/sessions").text
    assert page.count("achterstallig") == 1
    late = _read(session).exec(select(Action).where(Action.description == "Te laat")).one()
    later = (
        _read(session)
        .exec(select(ReflectionSession).where(ReflectionSession.title == "Volgende keer"))
        .one()
    )

    response = client.post(
        f"/sessions/actions/{late.id}",
        data={
            "csrf_token": csrf(client, "/sessions"),
            "status": "done",
            "closed_in": str(later.id),
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    _read(session).refresh(late)
    assert (late.status, late.closed_in_session_id) == (ActionStatus.done, later.id)
    assert "Te laat" not in client.get("/sessions").text
    assert "Te laat" in client.get(f"/sessions/{later.id}").text


def test_notes_markdown_escapes_html_and_long_action_is_refused(client, session):
    _login(client, session, "editor")
    response = client.post(
        "/sessions/new",
        data=_form(client, action_description=["x" * 2001, "", ""]),
    )
    assert response.status_code == 422
    assert "Een actie mag hoogstens 2.000 tekens lang zijn, de eigenaar 200." in response.text
    client.post("/sessions/new", data=_form(client, see="<script>alert(1)</script> *ok*"))
    reflection = _read(session).exec(select(ReflectionSession)).one()
    page = client.get(f"/sessions/{reflection.id}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <em>ok</em>" in page
    assert "<script>alert(1)" not in page


def test_action_cannot_be_closed_in_an_earlier_session(client, session):
    _login(client, session, "editor")
    client.post("/sessions/new", data=_form(client, title="Eerder", held_on="2024-01-10"))
    client.post(
        "/sessions/new",
        data=_form(client, action_description=["Navragen", "", ""], held_on="2024-04-10"),
    )
    action = _read(session).exec(select(Action)).one()
    earlier = (
        _read(session)
        .exec(select(ReflectionSession).where(ReflectionSession.title == "Eerder"))
        .one()
    )
    response = client.post(
        f"/sessions/actions/{action.id}",
        data={"csrf_token": csrf(client, "/sessions"), "status": "done", "closed_in": earlier.id},
    )
    assert response.status_code == 422
    assert "Een actie kan alleen worden afgesloten in een sessie op of na" in response.text
    _read(session).refresh(action)
    assert action.status == ActionStatus.open


def test_one_session_moves_several_questions_and_errors_point_at_their_row(client, session):
    _login(client, session, "editor")
    first = LearningQuestion(text="Als we vroeg signaleren, dalen de schulden")
    session.add(first)
    session.commit()

    refused = client.post(
        "/sessions/new",
        data=_form(
            client,
            question=[str(first.id), ""],
            new_question=["", "Als we huisbezoeken doen, vallen minder ouderen"],
            question_status=["supported", ""],
            question_reason=["Minder achterstanden", "Nog te vroeg"],
            facilitator="x" * 201,
        ),
    )
    assert refused.status_code == 422
    assert 'id="question_status_1-error">Kies de nieuwe status van de leervraag.' in refused.text
    assert 'id="question_status_0-error"' not in refused.text
    assert 'id="facilitator-error">Een naam mag hoogstens 200 tekens lang zijn.' in refused.text
    assert 'value="Als we huisbezoeken doen, vallen minder ouderen"' in refused.text
    assert ">Nog te vroeg</textarea>" in refused.text
    assert _count(session, ReflectionSession) == 0

    stored = client.post(
        "/sessions/new",
        data=_form(
            client,
            question=[str(first.id), ""],
            new_question=["", "Als we huisbezoeken doen, vallen minder ouderen"],
            question_status=["supported", "open"],
            question_reason=["Minder achterstanden", "Nog te vroeg"],
        ),
        follow_redirects=False,
    )
    assert stored.status_code == 303, stored.text
    steps = _read(session).exec(select(QuestionStatusChange).order_by(QuestionStatusChange.id))
    assert [(step.status, step.reason) for step in steps] == [
        ("supported", "Minder achterstanden"),
        ("open", "Nog te vroeg"),
    ]
    assert _count(session, LearningQuestion) == 2
    # The session's own page says what it changed: each question with its new status
    # and reason, and a development noted in it.
    reflection = _read(session).exec(select(ReflectionSession)).one()
    session.add(
        ContextEvent(
            title="Nieuwe schuldenwet", starts_on=date(2024, 1, 1), session_id=reflection.id
        )
    )
    session.commit()
    page = client.get(stored.headers["location"]).text
    moved = page.split("Leervragen die in deze sessie bewogen")[1].split("</ul>")[0]
    assert f'href="/learning/{first.id}">Als we vroeg signaleren, dalen de schulden</a>' in moved
    assert "<strong>ondersteund</strong>. Reden: Minder achterstanden" in moved
    assert "Als we huisbezoeken doen, vallen minder ouderen" in moved
    assert "Nieuwe schuldenwet" in page.split("Ontwikkelingen genoteerd in deze sessie")[1]

"""The council (role ``council``, raadslid): what a council member reads, and the
questions they put to a half-year report, answered by staff and kept with the report."""

import re

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from app.cli import app as cli
from app.models import ConsentReach, FrozenReport, ReportQuestion, Role, User
from app.reports.content import Report
from tests import test_reports
from tests.factories import PASSWORD, bearer, csrf_from, login
from tests.test_reports import REPORT

#: The half-year report's data (tests/test_reports.py), registered here under this name.
_reports_data = test_reports.data


@pytest.fixture
def report_data(request):
    """One theme with a figure, stories of every consent reach and a session in 2024-H1."""
    return request.getfixturevalue("_reports_data")


def sign_in(client, session, role):
    session.rollback()
    client.cookies.clear()
    return login(client, session, role)


def ask(client, question, **extra):
    page = client.get(REPORT + (f"?version={extra['version']}" if "version" in extra else ""))
    form = {"csrf_token": csrf_from(page.text), "question": question, "theme": "", **extra}
    return client.post(f"{REPORT}/questions", data=form, follow_redirects=False)


def answer(client, question_id, text, page=REPORT):
    form = {"csrf_token": csrf_from(client.get(page).text), "answer": text}
    return client.post(
        f"{REPORT}/questions/{question_id}/answer", data=form, follow_redirects=False
    )


def own_questions(page: str) -> str:
    """The report's own "Vragen van de raad" section."""
    return page.split('id="questions"')[1].split("</section>")[0]


def questions(session) -> list[ReportQuestion]:
    session.rollback()
    return list(session.exec(select(ReportQuestion).order_by(ReportQuestion.id)).all())


def test_a_council_member_reads_reports_figures_and_council_stories_only(
    client, session, report_data
):
    sign_in(client, session, "council")
    report = client.get(REPORT)
    assert report.status_code == 200
    assert "Raadsverhaal over verzuim" in report.text
    assert "Intern verhaal over verzuim" not in report.text
    assert client.get("/indicators/verzuim").status_code == 200
    stories = report_data["stories"]
    assert client.get(f"/stories/{stories[ConsentReach.council].id}").status_code == 200
    assert client.get(f"/stories/{stories[ConsentReach.public].id}").status_code == 200
    assert client.get(f"/stories/{stories[ConsentReach.internal].id}").status_code == 404
    for page in ("/sessions", "/learning", "/moderation", "/search?q=verzuim", "/requests"):
        assert client.get(page, follow_redirects=False).status_code == 403, page
    assert client.get("/stories/new", follow_redirects=False).status_code == 403
    dashboard = client.get("/").text
    nav = re.search(r'<nav aria-label="Hoofdmenu".*?</nav>', dashboard, re.S) or re.search(
        r'class="main-nav".*?</nav>', dashboard, re.S
    )
    assert nav and "/reports" in nav.group(0)
    assert "/sessions" not in nav.group(0) and "/stories/new" not in nav.group(0)
    assert "Open verhaalvragen" not in dashboard


def test_the_api_gives_a_council_token_council_stories_only(client, session, report_data):
    headers = bearer(session, "council")
    listed = client.get("/api/v1/narratives", headers=headers).json()
    titles = {item["title"] for item in listed["items"]}
    assert titles == {"Raadsverhaal over verzuim", "Openbaar verhaal over verzuim"}
    internal = report_data["stories"][ConsentReach.internal].id
    assert client.get(f"/api/v1/narratives/{internal}", headers=headers).status_code == 404
    assert client.get("/api/v1/sessions", headers=headers).status_code == 403


def test_council_asks_editor_answers_on_the_report_page(client, session, report_data):
    council = sign_in(client, session, "council")
    page = client.get(REPORT).text
    assert "Vragen van de raad" in page and "Uw vraag over deze rapportage" in page
    asked = ask(client, "  Waarom steeg het verzuim in maart?\r\nKomt dat door de griep?  ")
    assert asked.status_code == 303
    [row] = questions(session)
    assert asked.headers["location"] == f"{REPORT}#question-{row.id}"
    assert row.question == "Waarom steeg het verzuim in maart?\nKomt dat door de griep?"
    assert row.asked_by_id == council.id and row.frozen_report_id is None
    page = client.get(REPORT).text
    assert "Waarom steeg het verzuim in maart?" in page and "Nog niet beantwoord." in page
    assert council.email not in own_questions(page)  # who asked: for editors only
    assert "Beantwoord deze vraag" not in page
    # an editor answers on the same page
    sign_in(client, session, "editor")
    page = client.get(REPORT).text
    assert council.email in own_questions(page) and "Beantwoord deze vraag" in page
    assert "Uw vraag over deze rapportage" not in page  # staff answer, they do not ask
    answered = answer(client, row.id, "De griepgolf; leerplicht belde de scholen na.")
    assert answered.status_code == 303
    assert answered.headers["location"] == f"{REPORT}#question-{row.id}"
    sign_in(client, session, "council")
    page = client.get(REPORT).text
    assert "De griepgolf; leerplicht belde de scholen na." in page
    assert "Nog niet beantwoord." not in page


def test_bad_questions_and_answers_are_refused_at_the_field(client, session, report_data):
    sign_in(client, session, "council")
    empty = ask(client, "   ")
    assert empty.status_code == 422
    assert 'id="question-error">Schrijf uw vraag op.</p>' in empty.text
    too_long = ask(client, "x" * 2001)
    assert too_long.status_code == 422
    assert "Een vraag mag hoogstens 2.000 tekens lang zijn." in too_long.text
    assert "x" * 2001 in too_long.text  # what was typed is kept
    unknown = ask(client, "Welke versie?", version="999999")
    assert unknown.status_code == 404
    assert questions(session) == []
    assert ask(client, "Een goede vraag").status_code == 303
    [row] = questions(session)
    sign_in(client, session, "editor")
    blank = answer(client, row.id, "  ")
    assert blank.status_code == 422 and "Schrijf het antwoord op." in blank.text
    assert answer(client, 999999, "Antwoord").status_code == 404
    assert questions(session)[0].answer == ""


def test_only_council_members_ask_and_only_editors_answer(client, session, report_data):
    sign_in(client, session, "council")
    assert ask(client, "Mag ik iets vragen?").status_code == 303
    [row] = questions(session)
    assert answer(client, row.id, "Eigen antwoord").status_code == 403
    for role in ("viewer", "editor", "admin"):
        sign_in(client, session, role)
        assert ask(client, f"Vraag van {role}").status_code == 403
    sign_in(client, session, "viewer")
    assert answer(client, row.id, "Antwoord van een kijker").status_code == 403
    client.cookies.clear()
    refused = client.post(f"{REPORT}/questions", data={"question": "?"}, follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    assert [q.question for q in questions(session)] == ["Mag ik iets vragen?"]


def test_a_frozen_report_keeps_its_questions_and_the_next_report_lists_them(
    client, session, report_data
):
    sign_in(client, session, "council")
    assert ask(client, "Vraag bij het concept").status_code == 303
    sign_in(client, session, "editor")
    live = client.get(REPORT).text
    frozen = client.post(
        f"{REPORT}/freeze", data={"csrf_token": csrf_from(live)}, follow_redirects=False
    )
    version = int(frozen.headers["location"].split("version=")[1])
    [draft_question] = questions(session)
    assert draft_question.frozen_report_id == version  # moved with the freeze
    # a question on the frozen version is kept with that version
    sign_in(client, session, "council")
    on_frozen = ask(client, "Vraag bij de bevroren versie", version=str(version))
    assert on_frozen.status_code == 303
    assert on_frozen.headers["location"].startswith(f"{REPORT}?version={version}#question-")
    rows = questions(session)
    assert [q.frozen_report_id for q in rows] == [version, version]
    frozen_page = client.get(f"{REPORT}?version={version}").text
    assert "Vraag bij het concept" in frozen_page and "Vraag bij de bevroren versie" in frozen_page
    live = client.get(REPORT).text
    live_own = live.split('id="questions"')[1]
    assert "Nog geen vragen." in live_own  # the live report starts afresh
    # ... and lists the frozen version's questions as those about the previous report
    assert "Vragen van de raad over de vorige rapportage" in live
    sign_in(client, session, "editor")
    answer(client, rows[0].id, "Antwoord op het concept", page=f"{REPORT}?version={version}")
    live = client.get(REPORT).text
    earlier = live.split("Vragen van de raad over de vorige rapportage")[1].split("</section>")[0]
    assert "Vraag bij het concept" in earlier and "Antwoord op het concept" in earlier
    assert "Vraag bij de bevroren versie" in earlier and "Nog niet beantwoord." in earlier
    markdown = client.get(f"{REPORT}.md").text
    assert "## Vragen van de raad over de vorige rapportage" in markdown
    assert "Antwoord op het concept" in markdown
    # the next frozen report freezes that list with itself
    second = client.post(
        f"{REPORT}/freeze", data={"csrf_token": csrf_from(live)}, follow_redirects=False
    )
    second_id = int(second.headers["location"].split("version=")[1])
    session.rollback()
    content = Report.model_validate(session.get(FrozenReport, second_id).content)
    assert [q.question for q in content.earlier_questions] == [
        "Vraag bij het concept",
        "Vraag bij de bevroren versie",
    ]
    assert content.earlier_questions[0].answer == "Antwoord op het concept"
    second_page = client.get(f"{REPORT}?version={second_id}").text
    assert "Nog geen vragen." in second_page.split('id="questions"')[1]


def test_questions_api(client, session, report_data):
    council = bearer(session, "council")
    editor = report_data["editor"]
    body = {"period": "2024-H1", "question": "Wat zeggen de verhalen over verzuim?"}
    created = client.post("/api/v1/report-questions", json=body, headers=council)
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["question"] == body["question"] and item["version"] is None
    assert item["asked_by"] is None and item["answer"] == ""
    assert item["url"] == f"/reports/2024-H1#question-{item['id']}"
    # staff answer, council members and viewers may not
    path = f"/api/v1/report-questions/{item['id']}"
    assert client.patch(path, json={"answer": "x"}, headers=council).status_code == 403
    assert client.patch(path, json={"answer": "x"}, headers=bearer(session)).status_code == 200
    answered = client.patch(path, json={"answer": "Zie de toelichting."}, headers=editor)
    assert answered.status_code == 200 and answered.json()["answer"] == "Zie de toelichting."
    assert answered.json()["asked_by"].endswith("@gemeente.example")  # editors see who
    got = client.get(path, headers=council).json()
    assert got["answer"] == "Zie de toelichting." and got["asked_by"] is None
    listed = client.get("/api/v1/report-questions?period=2024-H1", headers=council).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == item["id"]
    assert client.get("/api/v1/report-questions?period=2024-H2", headers=council).json() == {
        "items": [],
        "total": 0,
    }
    assert client.get("/api/v1/report-questions", headers=council).json()["total"] == 1
    # who may ask
    assert client.post("/api/v1/report-questions", json=body, headers=editor).status_code == 403
    assert client.post("/api/v1/report-questions", json=body).status_code == 401


def test_questions_api_refuses_bad_input_with_one_shape(client, session, report_data):
    council = bearer(session, "council")
    post = lambda body: client.post("/api/v1/report-questions", json=body, headers=council)  # noqa: E731
    for body, status in [
        ({"period": "2024-H1", "question": "  "}, 422),
        ({"period": "2024-H1", "question": "x" * 2001}, 422),
        ({"period": "2024-H1"}, 422),
        ({"period": "2024-Q1", "question": "Kwartaal?"}, 404),
        ({"period": "2024-H1", "question": "Thema?", "theme": "bestaat-niet"}, 404),
        ({"period": "2024-H1", "question": "Versie?", "version": 999999}, 404),
        ({"period": "2024-H1", "question": "Versie?", "version": 0}, 422),
    ]:
        response = post(body)
        assert response.status_code == status, (body, response.text)
        assert set(response.json()) == {"detail"}, response.text
    empty = post({"period": "2024-H1", "question": "  "}).json()["detail"]
    assert "Write your question." in str(empty) or "Schrijf uw vraag op." in str(empty)
    missing = client.patch(
        "/api/v1/report-questions/999999", json={"answer": "x"}, headers=report_data["editor"]
    )
    assert missing.status_code == 404
    assert questions(session) == []


def test_a_question_on_a_frozen_version_of_another_half_year_is_refused(
    client, session, report_data
):
    sign_in(client, session, "editor")
    live = client.get(REPORT).text
    frozen = client.post(
        f"{REPORT}/freeze", data={"csrf_token": csrf_from(live)}, follow_redirects=False
    )
    version = int(frozen.headers["location"].split("version=")[1])
    session.rollback()
    council = bearer(session, "council")
    body = {"period": "2024-H2", "question": "Andere helft?", "version": version}
    assert client.post("/api/v1/report-questions", json=body, headers=council).status_code == 404


def test_admin_creates_a_council_member(client, session):
    sign_in(client, session, "admin")
    page = client.get("/admin/users").text
    assert '<option value="council">Raadslid</option>' in page
    created = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf_from(page),
            "email": "raadslid@gemeente.example",
            "role": "council",
            "password": PASSWORD,
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    session.rollback()
    user = session.exec(select(User).where(User.email == "raadslid@gemeente.example")).one()
    assert user.role == Role.council
    assert "Raadslid" in client.get("/admin/users").text


def test_the_cli_adds_a_council_member(env, session):
    result = CliRunner().invoke(
        cli,
        ["users", "add", "Raad@Gemeente.example", "--role", "council", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "added raad@gemeente.example as council" in result.output
    user = session.exec(select(User)).one()
    assert user.role == Role.council

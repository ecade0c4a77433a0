"""Staff Markdown (session notes, report introductions, indicator descriptions) follows
the stories' policy: no image fetched from elsewhere, every link with ``rel``."""

import re

from tests.factories import bearer, csrf_from, login, make_indicator
from tests.test_reports import REPORT, data  # noqa: F401 - the fixture

MARKDOWN = "Zie ![teller](https://evil.example/pixel.gif) en [de bron](https://cbs.nl/x)."


def _assert_policy(html: str) -> None:
    assert "evil.example" not in html and "<img" not in html
    assert "teller" in html  # the image's alt text stays
    links = re.findall(r'<a href="https://cbs.nl/x"[^>]*>', html)
    assert links and set(links) == {'<a href="https://cbs.nl/x" rel="nofollow noopener">'}


def test_session_notes_follow_the_story_policy(client, session):
    created = client.post(
        "/api/v1/sessions",
        json={"held_on": "2025-04-10", "title": "Reflectie", "see": MARKDOWN, "do": MARKDOWN},
        headers=bearer(session, "editor"),
    )
    assert created.status_code == 201, created.text
    login(client, session, "viewer")
    page = client.get(f"/sessions/{created.json()['id']}").text
    _assert_policy(page)
    assert page.count("teller") == 2


def test_report_introductions_and_session_notes_follow_the_story_policy(client, session, data):  # noqa: F811
    login(client, session, "editor")
    page = client.get(REPORT).text
    response = client.post(
        f"{REPORT}/themes/jeugd",
        data={"csrf_token": csrf_from(page), "intro": MARKDOWN},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.rollback()  # leave the test's read snapshot before it writes the next user
    login(client, session, "viewer")  # the editor's page also holds the text in its form
    _assert_policy(client.get(REPORT).text)


def test_indicator_descriptions_follow_the_story_policy(client, session, settings):
    settings(public_read=True)
    make_indicator(session, slug="verzuim", description=MARKDOWN)
    _assert_policy(client.get("/indicators/verzuim").text)


def test_staff_notes_keep_their_tables(client, session):
    table = "| wijk | aantal |\n|---|---|\n| Noord | 3 |"
    created = client.post(
        "/api/v1/sessions",
        json={"held_on": "2025-04-10", "title": "Reflectie", "mean": table},
        headers=bearer(session, "editor"),
    )
    login(client, session, "viewer")
    page = client.get(f"/sessions/{created.json()['id']}").text
    assert "<td>Noord</td>" in page
    assert '<table class="utrecht-table utrecht-table--html-table">\n<thead>' in page


def test_staff_tables_are_design_system_tables():
    from app.narratives.rendering import render_markdown

    table = "| wijk | aantal |\n|---|--:|\n| Noord | 3 |\n\n| a |\n|---|\n| b |"
    html = str(render_markdown(table, tables=True))
    assert html.count('<table class="utrecht-table utrecht-table--html-table">') == 2
    assert html.count("<table") == 2
    assert "<thead>" in html and "<th>wijk</th>" in html and "<td>Noord</td>" in html
    # the column's alignment stays, as a class: the CSP refuses style attributes
    assert '<th class="align-right">aantal</th>' in html
    assert '<td class="align-right">3</td>' in html and "style=" not in html
    # a story's Markdown has no tables: the pipes stay text
    assert "<table" not in str(render_markdown(table))

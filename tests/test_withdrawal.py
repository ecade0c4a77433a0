"""A story hidden after it was chosen for a report or discussed in a session is gone
from every view: frozen reports (page, Markdown, PDF; its place stays), session pages
and their API, search; the audit log says who hid it and when."""

import io
import json
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlmodel import select

from app.models import AuditEntry, ConsentReach, FrozenReport, NarrativeIndicator, NarrativeStatus
from tests.factories import bearer, csrf_from, login, make_narrative
from tests.test_reports import REPORT, data  # noqa: F401 - the fixture

TITLE, BODY = "Raadsverhaal over verzuim", "Gezin De Vries belde de wijkagent."


@pytest.fixture
def story(session, data):  # noqa: F811
    """The council story of the report's data, with a body of its own."""
    story = data["stories"][ConsentReach.council]
    story.body = BODY
    session.add(story)
    session.commit()
    session.refresh(story)
    session.rollback()
    return story


def _freeze(client) -> str:
    page = client.get(REPORT).text
    response = client.post(
        f"{REPORT}/freeze", data={"csrf_token": csrf_from(page)}, follow_redirects=False
    )
    assert response.status_code == 303
    return response.headers["location"].split("version=")[1]


def _hide(client, session, story_id: int) -> None:
    """Hide the story through the API as an editor; the test's own session then leaves
    its read snapshot (SQLite would refuse its next write)."""
    session.rollback()
    editor = bearer(session)
    hidden = client.patch(
        f"/api/v1/narratives/{story_id}", json={"status": "hidden"}, headers=editor
    )
    assert hidden.status_code == 200, hidden.text
    session.rollback()


def _assert_withdrawn_everywhere(client, version: str, title: str = TITLE) -> None:
    page = client.get(f"{REPORT}?version={version}").text
    assert title not in page and BODY not in page
    assert "Verhaal ingetrokken" in page
    assert "Openbaar verhaal over verzuim" in page  # the other stories stay
    markdown = client.get(f"{REPORT}.md?version={version}").text
    assert title not in markdown and BODY not in markdown
    assert "*Verhaal ingetrokken*" in markdown
    pdf = client.get(f"{REPORT}.pdf?version={version}").content
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert title not in text and "Verhaal ingetrokken" in text


def test_a_story_hidden_after_freezing_is_withdrawn_from_the_frozen_report(client, session, story):
    login(client, session, "editor")
    version = _freeze(client)
    assert TITLE in client.get(f"{REPORT}?version={version}").text
    _hide(client, session, story.id)
    _assert_withdrawn_everywhere(client, version)
    # nothing of its text stays in the stored report either (exports, backups)
    session.expire_all()
    stored = json.dumps(session.get(FrozenReport, int(version)).content)
    assert TITLE not in stored and BODY not in stored
    assert '"withdrawn": true' in stored


def test_anonymous_readers_see_the_placeholder_of_a_public_story(client, session, data, settings):  # noqa: F811
    login(client, session, "editor")
    version = _freeze(client)
    _hide(client, session, data["stories"][ConsentReach.public].id)
    settings(public_read=True)
    client.cookies.clear()
    page = client.get(f"{REPORT}?version={version}").text
    assert "Openbaar verhaal over verzuim" not in page and "Verhaal ingetrokken" in page


def test_the_list_of_changes_no_longer_names_a_withdrawn_story(client, session, data):  # noqa: F811
    indicator_id = data["indicator"].id
    login(client, session, "editor")
    _freeze(client)
    session.rollback()
    later = make_narrative(
        session,
        title="Later verhaal over verzuim",
        occurred_on=date(2024, 5, 1),
        consent_reach=ConsentReach.council,
    )
    session.add(NarrativeIndicator(narrative_id=later.id, indicator_id=indicator_id))
    session.commit()
    session.rollback()
    second = _freeze(client)
    assert (
        "nieuw verhaal: Later verhaal over verzuim" in client.get(f"{REPORT}?version={second}").text
    )
    _hide(client, session, later.id)
    page = client.get(f"{REPORT}?version={second}").text
    assert "Later verhaal" not in page
    assert "nieuw verhaal: verhaal ingetrokken" in page


def test_a_story_hidden_before_this_rule_is_withdrawn_when_read(client, session, story):
    """A frozen report stored while a hidden story still kept its text (an older
    release) shows the placeholder all the same."""
    login(client, session, "editor")
    version = _freeze(client)
    session.rollback()
    story.status = NarrativeStatus.hidden  # as an older release hid it: report untouched
    session.add(story)
    session.commit()
    _assert_withdrawn_everywhere(client, version)


def test_a_session_no_longer_shows_a_withdrawn_story(client, session, data, story):  # noqa: F811
    login(client, session, "viewer")
    created = client.post(
        "/api/v1/sessions",
        json={"held_on": "2024-05-01", "title": "Reflectie mei", "narratives": [story.id]},
        headers=data["editor"],
    )
    assert created.status_code == 201, created.text
    path = f"/api/v1/sessions/{created.json()['id']}"
    assert client.get(path, headers=data["editor"]).json()["narratives"] == [story.id]
    assert TITLE in client.get(f"/sessions/{created.json()['id']}").text
    _hide(client, session, story.id)
    assert TITLE not in client.get(f"/sessions/{created.json()['id']}").text
    assert client.get(path, headers=data["editor"]).json()["narratives"] == []


def test_search_no_longer_finds_a_withdrawn_story(client, session, story):
    login(client, session, "viewer")
    assert TITLE in client.get("/search?q=wijkagent").text
    _hide(client, session, story.id)
    assert TITLE not in client.get("/search?q=wijkagent").text


def test_the_audit_log_says_who_hid_the_story_and_when(client, session, story):
    _hide(client, session, story.id)
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "narrative",
            AuditEntry.entity_id == str(story.id),
            AuditEntry.action == "hide",
        )
    ).one()
    assert re.fullmatch(r"user\d+@gemeente\.example", entry.actor)
    assert entry.at is not None
    session.rollback()
    login(client, session, "admin")
    audit = client.get("/admin/audit").text
    assert entry.actor in audit and "hide" in audit

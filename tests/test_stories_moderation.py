"""Moderation: editors redact, link, publish or hide; everything is audited."""

from sqlmodel import select

from app.models import AuditEntry, Narrative
from app.models.narrative import (
    NarrativeContact,
    NarrativeIndicator,
    NarrativeStatus,
    NarrativeTheme,
)
from tests.factories import csrf_from, login, make_area, make_indicator, make_narrative, make_theme


def pending(session, **kw) -> Narrative:
    story = make_narrative(session, status=NarrativeStatus.pending, **kw)
    session.add(NarrativeContact(narrative_id=story.id, contact="jan@example.org"))
    session.commit()
    return story


def decide(client, story_id: int, **fields):
    token = csrf_from(client.get(f"/moderation/{story_id}").text)
    data = {
        "title": "Titel",
        "body": "Tekst",
        "occurred": "2024-03",
        "relation": "context",
        "decision": "publish",
        "csrf_token": token,
        **fields,
    }
    return client.post(f"/moderation/{story_id}", data=data, follow_redirects=False)


def test_only_editors_moderate(client, session):
    story = pending(session)
    assert client.get("/moderation", follow_redirects=False).status_code == 303
    login(client, session, "viewer")
    assert client.get("/moderation").status_code == 403
    assert client.get(f"/moderation/{story.id}").status_code == 403


def test_pending_list_shows_contact_only_here(client, session):
    story = pending(session, title="Schulden in Oost")
    make_narrative(session, title="Al gepubliceerd")
    login(client, session, "editor")
    page = client.get("/moderation")
    assert "Schulden in Oost" in page.text and "jan@example.org" in page.text
    assert "Al gepubliceerd" not in page.text
    assert "jan@example.org" not in client.get(f"/stories/{story.id}").text


def test_publish_with_redaction_and_links(client, session):
    theme = make_theme(session, slug="armoede")
    area = make_area(session, code="WK019302")
    first = make_indicator(session, slug="schulden", name="Schuldhulp")
    second = make_indicator(session, slug="bijstand")
    story = pending(session, body="Mevrouw Jansen vertelde het.")
    editor = login(client, session, "editor")
    response = decide(
        client,
        story.id,
        title="Verhaal uit Oost",
        body="Een bewoner vertelde het.",
        area="WK019302",
        themes="armoede",
        indicators=["schulden", "bijstand"],
        relation="explains",
    )
    assert response.status_code == 303
    session.rollback()
    story = session.get(Narrative, story.id)
    assert story.status == NarrativeStatus.published
    assert (story.title, story.body, story.area_id) == (
        "Verhaal uit Oost",
        "Een bewoner vertelde het.",
        area.id,
    )
    assert story.moderated_by_id == editor.id
    links = session.exec(select(NarrativeIndicator)).all()
    assert {(link.indicator_id, link.relation) for link in links} == {
        (first.id, "explains"),
        (second.id, "explains"),
    }
    assert session.exec(select(NarrativeTheme)).one().theme_id == theme.id
    [entry] = session.exec(select(AuditEntry).where(AuditEntry.entity == "narrative")).all()
    assert (entry.action, entry.entity_id, entry.user_id) == ("publish", str(story.id), editor.id)
    page = client.get(f"/stories/{story.id}")
    assert "Jansen" not in page.text
    assert "Schuldhulp" in page.text and "verklaart" in page.text
    assert "Verhaal uit Oost" not in client.get("/moderation").text


def test_hide_keeps_story_out_of_view(client, session):
    story = pending(session)
    login(client, session, "editor")
    assert decide(client, story.id, decision="hide").status_code == 303
    session.rollback()
    assert session.get(Narrative, story.id).status == NarrativeStatus.hidden
    login(client, session, "viewer")
    assert client.get(f"/stories/{story.id}").status_code == 404


def test_bad_decision_stores_nothing(client, session):
    story = pending(session, title="Origineel")
    login(client, session, "editor")
    response = decide(client, story.id, title="", decision="delete", relation="causes")
    assert response.status_code == 422
    assert "Geef uw verhaal een titel." in response.text
    assert "Kies publiceren of verbergen." in response.text
    assert "Kies hoe het verhaal samenhangt met het cijfer." in response.text
    session.rollback()
    story = session.get(Narrative, story.id)
    assert (story.title, story.status) == ("Origineel", NarrativeStatus.pending)
    assert session.exec(select(AuditEntry).where(AuditEntry.entity == "narrative")).all() == []


def test_decided_story_cannot_be_decided_again(client, session):
    story = make_narrative(session)
    login(client, session, "editor")
    assert client.get(f"/moderation/{story.id}").status_code == 404

"""JSON API for stories, partners and invite links."""

from datetime import date, timedelta

from sqlmodel import select

from app.models import AuditEntry, Invite, Narrative, utcnow
from app.models.narrative import NarrativeContact, NarrativeStatus
from tests.factories import bearer, make_area, make_indicator, make_narrative, make_theme

STORY = {
    "title": "Meer gezinnen in de schuldhulp",
    "body": "Sinds de zomer zien wij **meer** aanmeldingen.",
    "occurred": "2024-03",
    "author_role": "professional",
}


def test_api_needs_a_token(client):
    assert client.get("/api/v1/narratives").status_code == 401


def test_editor_creates_and_filters(client, session):
    theme = make_theme(session, slug="armoede")
    make_area(session, code="WK019301")
    make_indicator(session, slug="schulden", themes=[theme])
    editor = bearer(session, "editor")
    body = {
        **STORY,
        "area": "WK019301",
        "themes": ["armoede"],
        "indicators": ["schulden"],
        "relation": "explains",
        "status": "published",
    }
    response = client.post("/api/v1/narratives", json=body, headers=editor)
    assert response.status_code == 201, response.text
    story = response.json()
    assert story["occurred"] == "2024-03" and story["area"] == "WK019301"
    assert story["links"] == [{"indicator": "schulden", "relation": "explains"}]
    assert story["status"] == "published" and story["source"] == "staff"
    assert "contact" not in story
    make_narrative(session, occurred_on=date(2023, 5, 1))
    for query, count in (
        ("theme=armoede", 1),
        ("indicator=schulden", 1),
        ("area=WK019301", 1),
        ("from=2024-03&to=2024-03-31", 1),
        ("from=2020-01", 2),
        ("status=published", 2),
    ):
        listing = client.get(f"/api/v1/narratives?{query}", headers=editor).json()
        assert listing["total"] == count, query
    # The list carries each story's own area, themes and links, as its detail does.
    items = client.get("/api/v1/narratives?from=2020-01", headers=editor).json()["items"]
    assert items[0] == client.get(f"/api/v1/narratives/{story['id']}", headers=editor).json()
    assert (items[1]["area"], items[1]["themes"], items[1]["links"]) == (None, [], [])


def test_bad_story_is_refused_and_nothing_stored(client, session):
    editor = bearer(session, "editor")
    body = {**STORY, "title": "x" * 201, "occurred": "maart", "themes": ["onbekend"]}
    response = client.post("/api/v1/narratives", json=body, headers=editor)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", field],
            "msg": message,
            "type": "value_error",
        }
        for field, message in [
            ("title", "The title can be at most 200 characters."),
            ("occurred", "Give a month like 2024-03 or a day like 2024-03-15."),
            ("themes", "Choose themes from the list."),
        ]
    ]
    session.rollback()
    assert session.exec(select(Narrative)).all() == []


def test_viewer_sees_published_only_and_cannot_write(client, session):
    published = make_narrative(session)
    pending = make_narrative(session, status=NarrativeStatus.pending)
    session.add(NarrativeContact(narrative_id=published.id, contact="geheim@example.org"))
    session.commit()
    viewer = bearer(session, "viewer")
    listing = client.get("/api/v1/narratives?status=pending", headers=viewer)
    assert [item["id"] for item in listing.json()["items"]] == [published.id]
    assert "geheim" not in listing.text
    assert client.get(f"/api/v1/narratives/{pending.id}", headers=viewer).status_code == 404
    assert client.post("/api/v1/narratives", json=STORY, headers=viewer).status_code == 403
    patch = {"status": "hidden"}
    response = client.patch(f"/api/v1/narratives/{published.id}", json=patch, headers=viewer)
    assert response.status_code == 403


def test_patch_moderates_with_redaction(client, session):
    story = make_narrative(session, status=NarrativeStatus.pending, body="Meneer De Vries zei")
    editor = bearer(session, "editor")
    patch = {"status": "published", "body": "Een bewoner zei"}
    response = client.patch(f"/api/v1/narratives/{story.id}", json=patch, headers=editor)
    assert response.status_code == 200, response.text
    assert response.json()["body"] == "Een bewoner zei"
    assert response.json()["status"] == "published"
    session.rollback()
    entries = session.exec(select(AuditEntry).where(AuditEntry.action == "publish")).all()
    assert len(entries) == 1
    bad = client.patch(f"/api/v1/narratives/{story.id}", json={"status": "gone"}, headers=editor)
    assert bad.status_code == 422


def test_partner_invite_lifecycle(client, session):
    editor = bearer(session, "editor")
    partner = client.post("/api/v1/partners", json={"name": "Buurtzorg"}, headers=editor).json()
    duplicate = client.post("/api/v1/partners", json={"name": "Buurtzorg"}, headers=editor)
    assert duplicate.status_code == 409
    expires = (utcnow() + timedelta(days=7)).isoformat()
    invite = client.post(
        f"/api/v1/partners/{partner['id']}/invites", json={"expires_at": expires}, headers=editor
    ).json()
    assert invite["url"].startswith("/stories/new?invite=")
    assert invite["expires_at"] is not None
    form = client.get(invite["url"])
    assert form.status_code == 200 and 'value="Buurtzorg"' in form.text
    revoke = client.delete(
        f"/api/v1/partners/{partner['id']}/invites/{invite['id']}", headers=editor
    )
    assert revoke.status_code == 204
    assert client.get(invite["url"]).status_code == 410
    session.rollback()
    assert session.get(Invite, invite["id"]).revoked_at is not None
    listing = client.get("/api/v1/partners", headers=editor).json()
    assert listing["total"] == 1 and listing["items"][0]["invites"][0]["revoked_at"]
    viewer = bearer(session, "viewer")
    assert client.get("/api/v1/partners", headers=viewer).status_code == 403
    missing = client.delete(f"/api/v1/partners/{partner['id']}/invites/999", headers=editor)
    assert missing.status_code == 404


def test_a_story_staff_store_is_audited_as_theirs_in_the_same_transaction(client, session):
    editor = bearer(session, "editor")
    story = client.post("/api/v1/narratives", json=STORY, headers=editor).json()
    session.expire_all()
    entries = session.exec(
        select(AuditEntry).where(AuditEntry.entity == "narrative", AuditEntry.action == "create")
    ).all()
    assert [(e.entity_id, e.user_id is not None) for e in entries] == [(str(story["id"]), True)]

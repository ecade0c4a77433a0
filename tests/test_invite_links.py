"""Invite links that work in practice: named, copyable, printable as a QR code, with a
date field for the expiry and per link the stories sent and the last use."""

import re
from datetime import UTC, datetime

from sqlmodel import select

from app.models import Invite, Partner
from app.narratives.invites import create_invite, invite_token
from tests.factories import bearer, csrf_from, login, story_form


def _partner(session, name="Buurtteam Noord") -> Partner:
    partner = Partner(name=name)
    session.add(partner)
    session.commit()
    return partner


def test_a_named_link_shows_as_a_field_to_copy_with_its_qr_code(client, session):
    partner = _partner(session)
    login(client, session, "editor")
    page = client.get("/partners")
    assert '<a href="/partners"' in page.text and 'aria-current="page"' in page.text
    token = csrf_from(page.text)
    made = client.post(
        f"/partners/{partner.id}/invites",
        data={"name": "Bijeenkomst maart", "expires_on": "2099-12-31", "csrf_token": token},
    )
    assert made.status_code == 200
    assert '<h3 class="invite-name">Bijeenkomst maart</h3>' in made.text
    assert "Link 1" not in made.text
    field = re.search(
        r'<input type="text" id="invite-url-(\d+)" value="([^"]+)" readonly', made.text
    )
    assert field and field.group(2).startswith("http://testserver/stories/new?invite=")
    assert 'data-copy="invite-url-' in made.text and "Link kopiëren" in made.text
    assert "Verloopt op 31 dec 2099" in made.text
    assert "0 verhalen verstuurd" in made.text and "nog niet gebruikt" in made.text
    assert '<script type="module" src="/static/copy.js">' in made.text
    invite_id = field.group(1)
    qr = client.get(f"/partners/{partner.id}/invites/{invite_id}/qr.svg")
    assert qr.status_code == 200
    assert qr.headers["content-type"].startswith("image/svg+xml")
    assert qr.text.startswith("<?xml") and "<svg" in qr.text
    assert "<title>Buurtteam Noord: Bijeenkomst maart</title>" in qr.text


def test_the_expiry_is_a_date_field_and_a_bad_date_is_refused_at_the_field(client, session):
    partner = _partner(session)
    login(client, session, "editor")
    token = csrf_from(client.get("/partners").text)
    assert f'<input type="date" id="expires_on-{partner.id}" name="expires_on"' in (
        client.get("/partners").text
    )
    for typed, message in (
        ("31-12-2099", "Geef een datum zoals 2026-12-31, of laat het leeg."),
        ("2099-02-30", "Geef een datum zoals 2026-12-31, of laat het leeg."),
        ("2001-01-01", "Kies een dag vanaf vandaag, of laat het leeg."),
    ):
        bad = client.post(
            f"/partners/{partner.id}/invites",
            data={"name": "Team", "expires_on": typed, "csrf_token": token},
        )
        assert bad.status_code == 422
        assert f'id="expires_on-{partner.id}-error">{message}</p>' in bad.text
        assert f'value="{typed}"' in bad.text and 'value="Team"' in bad.text
    long_name = client.post(
        f"/partners/{partner.id}/invites", data={"name": "x" * 201, "csrf_token": token}
    )
    assert long_name.status_code == 422
    assert "De naam van een link mag hoogstens 200 tekens hebben." in long_name.text
    session.rollback()
    assert session.exec(select(Invite)).all() == []


def test_each_link_counts_its_stories_and_shows_the_last_use(client, session):
    partner = _partner(session)
    invite = create_invite(session=session, partner=partner, expires_at=None, name="Team A")
    other = create_invite(session=session, partner=partner, expires_at=None, name="Team B")
    session.commit()
    token = invite_token(invite)
    session.rollback()
    form_page = client.get(f"/stories/new?invite={token}")
    csrf = csrf_from(form_page.text)
    for n in range(2):
        data = {**story_form(csrf, n), "invite": token}
        assert client.post("/stories/new", data=data).status_code == 200
    session.rollback()
    login(client, session, "editor")
    page = client.get("/partners").text
    today = datetime.now(UTC)
    a = page[page.index("Team A") : page.index("Team B")]
    assert "2 verhalen verstuurd" in a and "laatst gebruikt op" in a
    b = page[page.index("Team B") :]
    assert "0 verhalen verstuurd" in b and "nog niet gebruikt" in b
    session.rollback()
    api = client.get("/api/v1/partners", headers=bearer(session, "editor")).json()
    links = {link["name"]: link for link in api["items"][0]["invites"]}
    assert links["Team A"]["stories"] == 2
    assert links["Team A"]["last_used_at"].startswith(today.date().isoformat()[:4])
    assert links["Team B"] == {**links["Team B"], "stories": 0, "last_used_at": None}
    assert links["Team A"]["page_url"].startswith("/partner?invite=")
    assert other.id


def test_api_names_a_link_and_refuses_a_past_expiry(client, session):
    partner = _partner(session)
    headers = bearer(session, "editor")
    made = client.post(
        f"/api/v1/partners/{partner.id}/invites",
        json={"name": "Spreekuur", "expires_at": "2099-01-01T00:00:00Z"},
        headers=headers,
    )
    assert made.status_code == 201 and made.json()["name"] == "Spreekuur"
    past = client.post(
        f"/api/v1/partners/{partner.id}/invites",
        json={"expires_at": "2001-01-01T00:00:00Z"},
        headers=headers,
    )
    assert past.status_code == 422 and "detail" in past.json()
    long_name = client.post(
        f"/api/v1/partners/{partner.id}/invites", json={"name": "x" * 201}, headers=headers
    )
    assert long_name.status_code == 422


def test_a_revoked_link_has_no_qr_code_and_viewers_get_none(client, session):
    partner = _partner(session)
    invite = create_invite(session=session, partner=partner, expires_at=None)
    session.commit()
    invite_id = invite.id
    login(client, session, "viewer")
    assert client.get(f"/partners/{partner.id}/invites/{invite_id}/qr.svg").status_code == 403
    assert '<a href="/partners"' not in client.get("/sessions").text
    session.rollback()
    login(client, session, "editor")
    token = csrf_from(client.get("/partners").text)
    client.post(f"/partners/{partner.id}/invites/{invite_id}/revoke", data={"csrf_token": token})
    assert client.get(f"/partners/{partner.id}/invites/{invite_id}/qr.svg").status_code == 404
    assert client.get(f"/partners/{partner.id}/invites/999/qr.svg").status_code == 404


def test_links_use_the_public_address_when_it_is_set(client, session, settings):
    settings(site_url="https://duiding.gemeente.example")
    partner = _partner(session)
    invite = create_invite(session=session, partner=partner, expires_at=None)
    session.commit()
    ids = (partner.id, invite.id)
    login(client, session, "editor")
    page = client.get("/partners").text
    assert 'value="https://duiding.gemeente.example/stories/new?invite=' in page
    qr = client.get(f"/partners/{ids[0]}/invites/{ids[1]}/qr.svg")
    assert qr.status_code == 200

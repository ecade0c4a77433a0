"""The editor page for partners and invite links."""

import re

from sqlmodel import select

from app.models import Invite, Partner
from tests.factories import csrf_from, login


def test_editor_adds_partner_creates_and_revokes_link(client, session):
    assert client.get("/partners", follow_redirects=False).status_code == 303
    login(client, session, "editor")
    token = csrf_from(client.get("/partners").text)
    added = client.post("/partners", data={"name": "Welzijn Oost", "csrf_token": token})
    assert added.status_code == 200 and "Welzijn Oost" in added.text
    again = client.post("/partners", data={"name": "Welzijn Oost", "csrf_token": token})
    assert again.status_code == 422
    assert "Er bestaat al een partner met deze naam." in again.text
    empty = client.post("/partners", data={"name": " ", "csrf_token": token})
    assert "Geef de naam van de organisatie." in empty.text
    session.rollback()
    partner = session.exec(select(Partner)).one()

    bad = client.post(
        f"/partners/{partner.id}/invites", data={"expires_on": "morgen", "csrf_token": token}
    )
    assert bad.status_code == 422
    assert "Geef een datum zoals 2026-12-31, of laat het leeg." in bad.text
    session.rollback()
    assert session.exec(select(Invite)).all() == []

    page = client.post(
        f"/partners/{partner.id}/invites", data={"expires_on": "2099-12-31", "csrf_token": token}
    )
    url = re.search(r'value="http://testserver(/stories/new\?invite=[^"]+)"', page.text).group(1)
    client.cookies.clear()
    assert 'value="Welzijn Oost"' in client.get(url).text
    session.rollback()
    login(client, session, "editor")
    token = csrf_from(client.get("/partners").text)
    session.rollback()
    invite = session.exec(select(Invite)).one()
    revoked = client.post(
        f"/partners/{partner.id}/invites/{invite.id}/revoke", data={"csrf_token": token}
    )
    assert "ingetrokken" in revoked.text
    assert client.get(url).status_code == 410


def test_viewer_cannot_manage_partners(client, session):
    login(client, session, "viewer")
    assert client.get("/partners").status_code == 403

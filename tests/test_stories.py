"""The story form: access, validation, invites, honeypot, rate limit, double submit."""

import re
from datetime import timedelta

from sqlmodel import select

from app.models import Invite, Narrative, Partner, utcnow
from app.models.narrative import (
    ConsentReach,
    NarrativeContact,
    NarrativeIndicator,
    NarrativeSource,
    NarrativeStatus,
    NarrativeTheme,
)
from app.narratives.invites import invite_url
from tests.factories import (
    csrf_from,
    login,
    make_area,
    make_indicator,
    make_narrative,
    make_theme,
)


def form_data(page_html: str, **overrides) -> dict:
    """The fields a person fills in, plus the hidden ones of the rendered form."""
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page_html))
    data = {
        **hidden,
        "title": "Meer gezinnen aan de keukentafel",
        "body": "Wij zien **meer** gezinnen met schulden.",
        "occurred": "2024-03",
        "author_role": "partner",
        "organisation": "Welzijn Oost",
        "consent": "yes",
        "consent_reach": "council",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def make_invite(session, **kw) -> Invite:
    partner = Partner(name=kw.pop("name", "Welzijn Oost"))
    session.add(partner)
    session.commit()
    invite = Invite(partner_id=partner.id, **kw)
    session.add(invite)
    session.commit()
    session.refresh(invite)
    return invite


def stories(session) -> list[Narrative]:
    session.rollback()  # end the test's read transaction to see the app's writes
    return list(session.exec(select(Narrative)))


def test_anonymous_form_needs_public_stories(client):
    response = client.get("/stories/new", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_public_form_stores_pending_story_with_consent_and_contact(client, session, settings):
    settings(public_stories=True)
    theme = make_theme(session, slug="zorg")
    area = make_area(session, code="WK019301")
    indicator = make_indicator(session, slug="schulden")
    page = client.get("/stories/new")
    assert page.status_code == 200
    assert 'name="website"' in page.text and 'tabindex="-1"' in page.text
    data = form_data(
        page.text, area="WK019301", themes="zorg", indicators="schulden", contact="a@b.nl"
    )
    response = client.post("/stories/new", data=data, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/stories/sent"
    [story] = stories(session)
    assert story.status == NarrativeStatus.pending
    assert story.source == NarrativeSource.form
    assert story.consent and story.consent_reach == ConsentReach.council
    assert story.consent_version == "2026-1" and story.consent_at is not None
    assert story.area_id == area.id and story.client_hash
    assert story.occurred_on.isoformat() == "2024-03-01"
    assert session.exec(select(NarrativeTheme)).one().theme_id == theme.id
    assert session.exec(select(NarrativeIndicator)).one().indicator_id == indicator.id
    assert session.exec(select(NarrativeContact)).one().contact == "a@b.nl"
    sent = client.get("/stories/sent")
    assert "Een redacteur van de gemeente leest het eerst" in sent.text


def test_errors_keep_input_and_store_nothing(client, session, settings):
    settings(public_stories=True)
    page = client.get("/stories/new")
    data = form_data(
        page.text, title="x" * 201, body="", occurred="maart", consent=None, contact="mijn nummer"
    )
    response = client.post("/stories/new", data=data)
    assert response.status_code == 422
    html = response.text
    assert "De titel mag hoogstens 200 tekens hebben." in html
    assert "Vertel uw verhaal." in html
    assert "Geef een maand zoals 2024-03 of een dag zoals 2024-03-15." in html
    assert "We kunnen uw verhaal alleen gebruiken met uw toestemming." in html
    assert 'aria-describedby="title-error"' in html
    assert 'value="mijn nummer"' in html and 'value="maart"' in html
    assert "utrecht-alert--error" in html
    assert stories(session) == []


def test_body_limit_and_unknown_choices(client, session, settings):
    settings(public_stories=True)
    page = client.get("/stories/new")
    data = form_data(
        page.text, body="x" * 10_001, area="WK000000", themes="nope", author_role="mayor"
    )
    html = client.post("/stories/new", data=data).text
    assert "Het verhaal mag hoogstens 10.000 tekens hebben." in html
    assert "Kies een wijk uit de lijst." in html
    assert "Kies thema&#39;s uit de lijst." in html
    assert "Kies wie u bent." in html
    assert stories(session) == []


def test_day_is_accepted(client, session, settings):
    settings(public_stories=True)
    data = form_data(client.get("/stories/new").text, occurred="2024-02-29")
    assert client.post("/stories/new", data=data, follow_redirects=False).status_code == 303
    [story] = stories(session)
    assert story.occurred_on.isoformat() == "2024-02-29"
    assert story.occurred_frequency == "day"


def test_missing_csrf_is_refused(client, session, settings):
    settings(public_stories=True)
    data = form_data(client.get("/stories/new").text, csrf_token="forged")
    assert client.post("/stories/new", data=data).status_code == 403
    assert stories(session) == []


def test_resend_stores_one_story(client, session, settings):
    settings(public_stories=True)
    data = form_data(client.get("/stories/new").text)
    first = client.post("/stories/new", data=data, follow_redirects=False)
    second = client.post("/stories/new", data=data, follow_redirects=False)
    assert first.headers["location"] == second.headers["location"] == "/stories/sent"
    assert len(stories(session)) == 1


def test_honeypot_stores_nothing(client, session, settings):
    settings(public_stories=True)
    data = form_data(client.get("/stories/new").text, website="http://spam.example")
    response = client.post("/stories/new", data=data, follow_redirects=False)
    assert response.headers["location"] == "/stories/sent"
    assert stories(session) == []


def test_rate_limit_answers_429(client, session, settings):
    settings(public_stories=True, story_rate_limit=2)
    for _ in range(2):
        data = form_data(client.get("/stories/new").text)
        assert client.post("/stories/new", data=data, follow_redirects=False).status_code == 303
    data = form_data(client.get("/stories/new").text)
    response = client.post("/stories/new", data=data)
    assert response.status_code == 429
    assert "Te veel verhalen tegelijk" in response.text
    assert len(stories(session)) == 2


def test_invite_prefills_organisation_and_links_partner(client, session):
    invite = make_invite(session, name="Buurtzorg Noord")
    page = client.get(invite_url(invite))
    assert page.status_code == 200
    assert 'value="Buurtzorg Noord"' in page.text
    assert 'name="website"' not in page.text
    response = client.post("/stories/new", data=form_data(page.text), follow_redirects=False)
    assert response.status_code == 303
    [story] = stories(session)
    assert (story.source, story.partner_id, story.invite_id) == (
        NarrativeSource.invite,
        invite.partner_id,
        invite.id,
    )
    assert story.client_hash is None


def test_revoked_expired_and_forged_invites_show_no_form(client, session):
    revoked = make_invite(session, name="A", revoked_at=utcnow())
    expired = make_invite(session, name="B", expires_at=utcnow() - timedelta(days=1))
    for url in (invite_url(revoked), invite_url(expired), "/stories/new?invite=forged"):
        response = client.get(url)
        assert response.status_code == 410
        assert "Deze uitnodigingslink is ingetrokken of verlopen." in response.text
        assert 'name="title"' not in response.text


def test_revoked_invite_cannot_post(client, session):
    invite = make_invite(session)
    page = client.get(invite_url(invite))
    invite.revoked_at = utcnow()
    session.add(invite)
    session.commit()
    assert client.post("/stories/new", data=form_data(page.text)).status_code == 410
    assert stories(session) == []


def test_signed_in_viewer_may_use_form(client, session):
    login(client, session, "viewer")
    page = client.get("/stories/new")
    assert page.status_code == 200
    assert csrf_from(page.text)


def test_story_page_shows_published_only(client, session, settings):
    published = make_narrative(session, body="Zie [site](https://example.org)")
    pending = make_narrative(session, status=NarrativeStatus.pending)
    login(client, session, "viewer")
    page = client.get(f"/stories/{published.id}")
    assert page.status_code == 200
    assert 'rel="nofollow noopener"' in page.text
    assert client.get(f"/stories/{pending.id}").status_code == 404
    assert client.get("/stories/999").status_code == 404


def test_anonymous_reader_sees_public_reach_only(client, session, settings):
    settings(public_read=True)
    internal = make_narrative(session)
    public = make_narrative(session, consent_reach=ConsentReach.public)
    assert client.get(f"/stories/{internal.id}").status_code == 404
    assert client.get(f"/stories/{public.id}").status_code == 200


def test_editor_sees_pending_story(client, session):
    pending = make_narrative(session, status=NarrativeStatus.pending)
    login(client, session, "editor")
    page = client.get(f"/stories/{pending.id}")
    assert page.status_code == 200
    assert "Nog niet gepubliceerd" in page.text

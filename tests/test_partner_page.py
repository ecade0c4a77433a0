"""The partner's own page (opened by their invite link): what became of their stories,
the questions addressed to them and their ideas; only what that partner may see."""

from datetime import date

from sqlmodel import select

from app.models import (
    Action,
    ChangeDomain,
    Idea,
    IdeaState,
    Narrative,
    NarrativeContact,
    NarrativeStatus,
    Partner,
    ReflectionSession,
    ReportIntro,
    ReportStory,
    SessionNarrative,
    SignificantChoice,
    StoryRequest,
    StoryRequestPartner,
)
from app.models.narrative import AuthorRole
from app.narratives.invites import create_invite, invite_token, revoke_invite
from tests.factories import csrf_from, login, make_indicator, make_narrative, make_theme


def _world(session):
    """A partner with a story in every state, a session, a report, a request, an idea."""
    partner = Partner(name="Buurtteam Noord")
    other = Partner(name="Welzijn Zuid")
    session.add_all([partner, other])
    session.commit()
    theme = make_theme(session, name="Jeugd")
    indicator = make_indicator(session, themes=[theme], name="Jeugdhulp")
    domain = ChangeDomain(theme_id=theme.id, name="Meedoen")
    session.add(domain)
    session.commit()
    used = make_narrative(
        session,
        title="Keukentafel in maart",
        body="Meer gezinnen vragen **zelf** om hulp.",
        partner_id=partner.id,
        moderation_note="Mooi voorbeeld; we hebben de straatnaam weggelaten.",
        domain_id=domain.id,
        significance="Gezinnen durven eerder te vragen.",
    )
    session.add(NarrativeContact(narrative_id=used.id, contact="jan@buurtteam.example"))
    hidden = make_narrative(
        session,
        title="Geheime titel",
        body="Geheime tekst met namen.",
        partner_id=partner.id,
        status=NarrativeStatus.hidden,
        moderation_note="Het verhaal bevat namen van kinderen.",
    )
    make_narrative(
        session, title="Nog niet gelezen", partner_id=partner.id, status=NarrativeStatus.pending
    )
    make_narrative(session, title="Verhaal van een ander", partner_id=other.id)
    reflection = ReflectionSession(held_on=date(2024, 6, 10), title="Reflectie juni")
    session.add(reflection)
    session.commit()
    session.add_all(
        [
            SessionNarrative(session_id=reflection.id, narrative_id=used.id),
            Action(session_id=reflection.id, description="Huisbezoeken uitbreiden", owner="Piet"),
            SignificantChoice(
                session_id=reflection.id,
                domain_id=domain.id,
                narrative_id=used.id,
                reason="Het laat zien dat vragen om hulp normaal wordt.",
            ),
            ReportStory(period="2024-H1", theme_id=theme.id, narrative_id=used.id),
            ReportIntro(
                period="2024-H1", theme_id=theme.id, text="In het eerste halfjaar zagen we rust."
            ),
        ]
    )
    mine = StoryRequest(question="Wat merkt u van de wachttijden?", indicator_id=indicator.id)
    theirs = StoryRequest(question="Alleen voor Zuid?", indicator_id=indicator.id)
    session.add_all([mine, theirs])
    session.commit()
    session.add_all(
        [
            StoryRequestPartner(request_id=mine.id, partner_id=partner.id),
            StoryRequestPartner(request_id=theirs.id, partner_id=other.id),
            Idea(
                title="Taalcafé",
                description="Oefenen",
                proposer_role=AuthorRole.partner,
                partner_id=partner.id,
                state=IdeaState.proposed,
            ),
            Idea(
                title="Idee van Zuid",
                description="x",
                proposer_role=AuthorRole.partner,
                partner_id=other.id,
            ),
        ]
    )
    invite = create_invite(session=session, partner=partner, expires_at=None)
    session.commit()
    return partner, invite_token(invite), hidden.id


def test_the_invite_link_opens_what_became_of_each_story(client, session):
    _partner, token, _ = _world(session)
    page = client.get(f"/partner?invite={token}")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Buurtteam Noord</h1>" in html
    assert "Keukentafel in maart" in html and "Gepubliceerd" in html
    assert "Mooi voorbeeld; we hebben de straatnaam weggelaten." in html
    assert "<strong>zelf</strong>" in html
    assert "Reflectie juni" in html and "Huisbezoeken uitbreiden" in html
    assert "Het laat zien dat vragen om hulp normaal wordt." in html
    assert "Meedoen" in html
    assert "Halfjaarrapportage 2024-H1, thema Jeugd" in html
    assert "In het eerste halfjaar zagen we rust." in html
    assert "Nog niet gelezen" in html and "Wacht op een redacteur" in html
    assert "Niet gepubliceerd" in html and "Het verhaal bevat namen van kinderen." in html
    assert "Wat merkt u van de wachttijden?" in html
    assert "Taalcafé" in html and "voorgesteld" in html
    assert f'href="/stories/new?invite={token}&amp;request=' in html


def test_only_what_that_partner_may_see(client, session):
    _partner, token, _ = _world(session)
    html = client.get(f"/partner?invite={token}").text
    for secret in (
        "jan@buurtteam.example",  # contact details never
        "Geheime titel",  # a story that is not published: not its title
        "Geheime tekst",  # nor its text
        "Verhaal van een ander",  # another partner's story
        "Alleen voor Zuid?",  # a request addressed to another partner
        "Idee van Zuid",
        "Piet",  # an action's owner is staff's business
    ):
        assert secret not in html, secret


def test_a_story_withdrawn_after_publishing_loses_its_text_and_its_uses(client, session):
    _partner, token, _ = _world(session)
    story = session.exec(select(Narrative).where(Narrative.title == "Keukentafel in maart")).one()
    story.status = NarrativeStatus.hidden
    session.add(story)
    session.commit()
    html = client.get(f"/partner?invite={token}").text
    assert "Keukentafel in maart" not in html and "zelf" not in html
    assert "Reflectie juni" not in html and "2024-H1" not in html
    assert "Het laat zien dat vragen om hulp normaal wordt." not in html


def test_in_english(client, session):
    _, token, _ = _world(session)
    html = client.get(f"/partner?invite={token}&lang=en").text
    assert "Your stories and what became of them" in html
    assert "Waiting for an editor" in html and "Not published" in html


def test_who_may_open_the_page(client, session):
    partner, token, _ = _world(session)
    partner_id = partner.id
    assert client.get("/partner?invite=forged").status_code == 410
    assert client.get("/partner", follow_redirects=False).headers["location"].startswith("/login")
    login(client, session, "viewer")
    assert client.get(f"/partner?partner={partner_id}").status_code == 403
    session.rollback()
    login(client, session, "editor")
    preview = client.get(f"/partner?partner={partner_id}")
    assert preview.status_code == 200 and "Dit leest Buurtteam Noord" in preview.text
    assert client.get("/partner", follow_redirects=False).status_code == 303
    assert client.get("/partner?partner=abc", follow_redirects=False).status_code == 303
    assert client.get("/partner?partner=99999").status_code == 404
    assert client.get("/partner?partner=" + "9" * 40).status_code == 422
    session.rollback()
    from app.models import Invite

    invite = session.exec(select(Invite)).one()
    revoke_invite(session=session, invite=invite)
    session.commit()
    client.cookies.clear()
    assert client.get(f"/partner?invite={token}").status_code == 410


def test_a_partner_sends_a_story_and_later_reads_why_it_was_not_published(client, session):
    """March: the partner sends a story; the editor hides it with a note. June: the
    partner opens the same link and reads what was done, without the story's text."""
    partner = Partner(name="Sociaal Team West")
    session.add(partner)
    session.commit()
    token = invite_token(create_invite(session=session, partner=partner, expires_at=None))
    session.commit()
    session.rollback()
    form = client.get(f"/stories/new?invite={token}")
    sent = client.post(
        "/stories/new",
        data={
            "csrf_token": csrf_from(form.text),
            "invite": token,
            "submission_key": "maart-1",
            "title": "Buurman Kees helpt",
            "body": "Kees uit de Dorpsstraat brengt maaltijden.",
            "occurred": "2025-03",
            "author_role": "partner",
            "significance": "Zonder hem zou mevrouw alleen zijn.",
            "consent": "on",
            "consent_reach": "internal",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"].startswith("/stories/sent?invite=")
    thanks = client.get(sent.headers["location"])
    assert "Nog een verhaal vertellen" in thanks.text
    assert f'href="/stories/new?invite={token}"' in thanks.text
    assert f'href="/partner?invite={token}"' in thanks.text
    waiting = client.get(f"/partner?invite={token}").text
    assert "Buurman Kees helpt" in waiting and "Wacht op een redacteur" in waiting
    session.rollback()
    story = session.exec(select(Narrative)).one()
    assert story.significance == "Zonder hem zou mevrouw alleen zijn."
    login(client, session, "editor")
    review = client.get(f"/moderation/{story.id}")
    decided = client.post(
        f"/moderation/{story.id}",
        data={
            "csrf_token": csrf_from(review.text),
            "title": story.title,
            "body": story.body,
            "occurred": "2025-03",
            "decision": "hide",
            "reason": "Het noemt een buurman bij naam; wilt u het zonder namen opnieuw sturen?",
        },
    )
    assert decided.status_code == 200
    client.cookies.clear()
    june = client.get(f"/partner?invite={token}").text
    assert "wilt u het zonder namen opnieuw sturen?" in june
    assert "Buurman Kees" not in june and "Dorpsstraat" not in june

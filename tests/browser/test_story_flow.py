"""A partner's story from invite link to publication, in a real browser."""

from sqlmodel import select

from app.models import Invite, Narrative, Partner
from app.narratives.invites import invite_url
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import make_indicator


def test_partner_story_is_moderated_and_published_with_its_figure(page, session):
    make_indicator(session, slug="schuldhulp", name="Aanmeldingen schuldhulp")
    partner = Partner(name="Welzijn Oost")
    session.add(partner)
    session.commit()
    invite = Invite(partner_id=partner.id)
    session.add(invite)
    session.commit()

    page.goto(invite_url(invite))
    assert page.locator("h1").inner_text() == "Vertel een verhaal"
    assert page.input_value("#organisation") == "Welzijn Oost"
    assert axe_violations(page) == []

    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".utrecht-alert--error").is_visible()
    assert page.locator("#title-error").inner_text() == "Geef uw verhaal een titel."
    assert axe_violations(page) == []

    page.fill("#title", "Meer jonge gezinnen met schulden")
    page.fill("#body", "Wij zien sinds de zomer **meer** jonge gezinnen aan de keukentafel.")
    page.check('#indicators input[value="schuldhulp"]')
    page.check("#consent")
    page.check("#consent_reach-council")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Bedankt voor uw verhaal"

    session.rollback()
    story = session.exec(select(Narrative)).one()
    assert (story.partner_id, story.status) == (partner.id, "pending")

    sign_in(page, session, "editor")
    page.goto("/moderation")
    assert axe_violations(page) == []
    page.click(f"a[href='/moderation/{story.id}']")
    page.wait_for_load_state()
    assert axe_violations(page) == []
    page.select_option("#relation", "explains")
    page.click("button[name=decision][value=publish]")
    page.wait_for_load_state()
    assert "Er wachten geen verhalen." in page.content()

    page.goto(f"/stories/{story.id}")
    assert page.locator("h1").inner_text() == "Meer jonge gezinnen met schulden"
    assert page.locator(".story-body strong").inner_text() == "meer"
    assert "Aanmeldingen schuldhulp" in page.locator(".figures").inner_text()
    assert "verklaart" in page.locator(".figures").inner_text()
    assert axe_violations(page) == []


def test_partner_page_is_accessible(page, session):
    partner = Partner(name="Buurtzorg Noord")
    session.add(partner)
    session.commit()
    session.add(Invite(partner_id=partner.id))
    session.commit()
    sign_in(page, session, "editor")
    page.goto("/partners")
    assert page.locator("h2").first.inner_text() == "Buurtzorg Noord"
    assert axe_violations(page) == []

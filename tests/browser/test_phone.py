"""Readable on a phone: no page scrolls sideways, and the story form works by touch."""

import pytest
from sqlmodel import select

from app.demo import load_demo
from app.models import Invite, Narrative, Partner
from app.narratives.invites import invite_url
from tests.browser.conftest import axe_violations, sign_in

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
# The outermost elements that stick out on the right, to say what to fix.
WIDE = """() => [...document.querySelectorAll('main *')]
  .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter(el => !el.parentElement.closest('main *') ||
    el.parentElement.getBoundingClientRect().right <= document.documentElement.clientWidth + 1)
  .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))
  .slice(0, 5)"""


def test_partner_sends_a_story_from_a_phone(phone, session):
    partner = Partner(name="Buurtteam De Hoven")
    session.add(partner)
    session.commit()
    invite = Invite(partner_id=partner.id)
    session.add(invite)
    session.commit()

    phone.goto(invite_url(invite))
    assert phone.evaluate(OVERFLOW) <= 0
    assert axe_violations(phone) == []
    with phone.expect_navigation():
        phone.tap("main button[type=submit]")
    assert phone.locator("#title-error").is_visible()
    assert phone.evaluate(OVERFLOW) <= 0

    phone.fill("#title", "Wachtlijst bij de schuldhulp")
    phone.fill("#body", "Gezinnen wachten weer langer op een eerste gesprek.")
    phone.tap("#consent")
    with phone.expect_navigation():
        phone.tap("main button[type=submit]")
    assert phone.locator("h1").inner_text() == "Bedankt voor uw verhaal"
    session.rollback()
    assert session.exec(select(Narrative.title)).all() == ["Wachtlijst bij de schuldhulp"]


@pytest.mark.parametrize("path", ["/", "/indicators", "/timeline", "/sessions", "/learning"])
def test_staff_pages_fit_a_phone(phone, session, path):
    load_demo(session=session)
    session.commit()
    sign_in(phone, session, "editor")
    phone.goto(path)
    phone.wait_for_load_state("networkidle")
    assert phone.evaluate(OVERFLOW) <= 0, f"{path} is too wide: {phone.evaluate(WIDE)}"
    assert axe_violations(phone) == []

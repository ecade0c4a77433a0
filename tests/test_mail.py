"""E-mail notifications against a real SMTP server on localhost (aiosmtpd): the outbox,
``duiding mail send``, retries and their log, and who is told what."""

import asyncio
import socket
from datetime import date, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlmodel import select
from typer.testing import CliRunner

from app.cli import app as cli
from app.i18n import format_day
from app.mail import background, delivery
from app.models import (
    Action,
    MailAttempt,
    MailMessage,
    MailStatus,
    NarrativeStatus,
    Partner,
    ReflectionSession,
    utcnow,
)
from app.narratives.invites import create_invite, partner_page_url
from tests.factories import bearer, make_indicator, make_narrative, make_user

runner = CliRunner()
CLOSES = date.today() + timedelta(days=30)


class Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses one address."""

    def __init__(self):
        self.received = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("onbekend@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope)
        return "250 Message accepted for delivery"

    def texts(self) -> list[str]:
        """Each message as its subject line and decoded text."""
        messages = [message_from_bytes(e.content, policy=policy.default) for e in self.received]
        return [f"Subject: {m['Subject']}\n{m.get_content()}" for m in messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    """A real SMTP server on localhost for one test."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def mail_on(settings, smtp):
    """Mail on, pointed at the test server; the server's own loop off (tests send)."""
    settings(
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_from="duiding@gemeente.example",
        smtp_security="none",
        mail_interval_seconds=0,
        site_url="https://duiding.gemeente.example",
    )
    return smtp


def outbox(session) -> list[MailMessage]:
    session.rollback()
    return list(session.exec(select(MailMessage).order_by(MailMessage.id)).all())


def send():
    return runner.invoke(cli, ["mail", "send"])


def add_partner(client, headers, **body):
    return client.post(
        "/api/v1/partners", json={"name": "Buurtteam Noord", **body}, headers=headers
    )


def ask_partners(client, headers, partners):
    body = {
        "question": "Wat merkt u van de wachttijd?",
        "indicator": "wachttijd",
        "period": "2024-03",
        "partners": partners,
        "closes_on": CLOSES.isoformat(),
    }
    response = client.post("/api/v1/story-requests", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_partner_has_an_optional_email(client, session):
    editor = bearer(session)
    with_address = add_partner(client, editor, email=" info@buurtteam.example ")
    assert with_address.status_code == 201
    assert with_address.json()["email"] == "info@buurtteam.example"
    without = add_partner(client, editor, name="Wijkteam Zuid")
    assert without.status_code == 201 and without.json()["email"] is None
    bad = add_partner(client, editor, name="Derde", email="geen adres")
    assert bad.status_code == 422 and set(bad.json()) == {"detail"}
    assert "geen adres" in str(bad.json()["detail"])
    listed = client.get("/api/v1/partners", headers=editor).json()
    assert {p["name"]: p["email"] for p in listed["items"]} == {
        "Buurtteam Noord": "info@buurtteam.example",
        "Wijkteam Zuid": None,
    }


def test_the_partners_form_takes_an_email_and_refuses_a_bad_one(client, session):
    from tests.factories import csrf_from, login

    login(client, session, "editor")
    page = client.get("/partners").text
    assert 'name="email"' in page and "E-mailadres voor berichten" in page
    bad = client.post(
        "/partners",
        data={"csrf_token": csrf_from(page), "name": "Buurtteam", "email": "nee"},
        follow_redirects=False,
    )
    assert bad.status_code == 422
    assert "nee is geen geldig e-mailadres." in bad.text or 'id="email-error"' in bad.text
    assert 'value="nee"' in bad.text  # what was typed is kept
    good = client.post(
        "/partners",
        data={"csrf_token": csrf_from(page), "name": "Buurtteam", "email": "b@team.example"},
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert "Berichten naar b@team.example" in client.get("/partners").text


def test_mail_is_off_by_default_and_nothing_is_queued(client, session):
    editor = bearer(session)
    make_indicator(session, slug="wachttijd")
    partner = add_partner(client, editor, email="info@buurtteam.example").json()
    ask_partners(client, editor, [partner["id"]])
    assert outbox(session) == []
    result = send()
    assert result.exit_code == 1 and "e-mail is off" in result.output


def test_a_new_request_reaches_its_partners_once(client, session, mail_on):
    editor = bearer(session)
    make_indicator(session, slug="wachttijd", name="Wachttijd schuldhulp")
    addressed = add_partner(client, editor, email="noord@buurtteam.example").json()
    add_partner(client, editor, name="Zuid", email="zuid@team.example")  # not addressed
    invite = client.post(
        f"/api/v1/partners/{addressed['id']}/invites", json={}, headers=editor
    ).json()
    request = ask_partners(client, editor, [addressed["id"]])
    [message] = outbox(session)
    assert (message.to_address, message.status) == ("noord@buurtteam.example", "pending")
    assert mail_on.received == []  # the request did not wait for the mail server
    result = send()
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    [text] = mail_on.texts()
    assert "Subject: Vraag aan Buurtteam Noord: verhalen over Wachttijd schuldhulp" in text
    assert "Wat merkt u van de wachttijd?" in text and "maart 2024" in text
    assert format_day(CLOSES, "nl", "long") in text
    link = f"https://duiding.gemeente.example{invite['url']}&request={request['id']}"
    assert link in text
    assert mail_on.received[0].rcpt_tos == ["noord@buurtteam.example"]
    # never twice: a second run sends nothing
    assert "0 sent" in send().output
    assert len(mail_on.received) == 1
    [sent] = outbox(session)
    assert sent.status == MailStatus.sent and sent.attempts == 1
    attempts = session.exec(select(MailAttempt)).all()
    assert [(a.message_id, a.ok) for a in attempts] == [(sent.id, True)]


def test_an_unreachable_server_keeps_every_message_with_the_error(
    client, session, mail_on, settings
):
    editor = bearer(session)
    make_indicator(session, slug="wachttijd")
    ids = [
        add_partner(client, editor, name=f"P{n}", email=f"p{n}@team.example").json()["id"]
        for n in range(3)
    ]
    ask_partners(client, editor, ids)
    settings(smtp_port=free_port())  # nobody listens there
    result = send()
    assert result.exit_code == 2
    assert "0 sent, 3 left in the outbox" in result.output
    assert "ConnectionRefusedError" in result.output
    rows = outbox(session)
    assert [r.status for r in rows] == ["pending"] * 3
    assert all(r.attempts == 1 and "ConnectionRefusedError" in r.last_error for r in rows)
    assert all(r.next_attempt_at > utcnow() for r in rows)  # backed off
    assert len(session.exec(select(MailAttempt)).all()) == 3
    # not due yet: a run now tries nothing
    settings(smtp_port=mail_on.port)
    assert "0 sent" in send().output and mail_on.received == []
    # when they are due again and the server is back, each goes exactly once
    outcome = delivery.deliver(now=utcnow() + timedelta(minutes=5))
    assert outcome.sent == 3 and len(mail_on.received) == 3
    assert delivery.deliver(now=utcnow() + timedelta(hours=7)).sent == 0
    assert [r.status for r in outbox(session)] == ["sent"] * 3


def test_backoff_doubles_up_to_six_hours():
    assert [delivery.backoff(n) for n in (1, 2, 3)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert delivery.backoff(30) == timedelta(hours=6)


def test_a_refused_address_fails_for_good_and_the_others_still_go(client, session, mail_on):
    editor = bearer(session)
    make_indicator(session, slug="wachttijd")
    bad = add_partner(client, editor, name="Onbekend", email="onbekend@team.example").json()
    good = add_partner(client, editor, name="Bekend", email="bekend@team.example").json()
    ask_partners(client, editor, [bad["id"], good["id"]])
    result = send()
    assert result.exit_code == 2 and "1 sent" in result.output and "1 refused" in result.output
    statuses = {r.to_address: (r.status, r.last_error[:40]) for r in outbox(session)}
    assert statuses["bekend@team.example"][0] == "sent"
    assert statuses["onbekend@team.example"][0] == "failed"
    assert "550" in statuses["onbekend@team.example"][1]
    assert delivery.deliver(now=utcnow() + timedelta(days=1)).sent == 0  # not retried


def test_the_partner_hears_what_became_of_their_story(client, session, mail_on):
    partner = Partner(name="Buurtteam", email="team@buurt.example")
    session.add(partner)
    session.commit()
    invite = create_invite(session=session, partner=partner, expires_at=None)
    session.commit()
    published = make_narrative(
        session,
        title="Keukentafel",
        status=NarrativeStatus.pending,
        partner_id=partner.id,
        invite_id=invite.id,
    )
    hidden = make_narrative(
        session, title="Te herkenbaar", status=NarrativeStatus.pending, partner_id=partner.id
    )
    editor = bearer(session)
    ok = client.patch(
        f"/api/v1/narratives/{published.id}",
        json={"status": "published", "reason": "Mooi voorbeeld."},
        headers=editor,
    )
    assert ok.status_code == 200, ok.text
    no = client.patch(
        f"/api/v1/narratives/{hidden.id}",
        json={"status": "hidden", "reason": "De buurman is herkenbaar."},
        headers=editor,
    )
    assert no.status_code == 200, no.text
    assert send().exit_code == 0
    texts = sorted(mail_on.texts(), key=lambda t: "niet" in t)
    assert "Keukentafel" in texts[0] and "is gepubliceerd" in texts[0]
    assert "Mooi voorbeeld." in texts[0]
    page = f"https://duiding.gemeente.example{partner_page_url(invite)}"
    assert f"Wat er met al uw verhalen is gebeurd: {page}" in texts[0]
    assert "Wat er met al uw verhalen" not in texts[1]  # that story came without a link
    assert "wordt niet gepubliceerd" in texts[1]
    assert "De buurman is herkenbaar." in texts[1]


def test_editors_get_one_digest_a_day_and_owners_a_reminder(client, session, mail_on):
    editor = make_user(session, role="editor", email="redactie@gemeente.example")
    make_user(session, role="viewer", email="kijker@gemeente.example")
    make_narrative(session, title="Wacht op besluit", status=NarrativeStatus.pending)
    meeting = ReflectionSession(held_on=date.today() - timedelta(days=30), title="Reflectie")
    session.add(meeting)
    session.flush()
    session.add_all(
        [
            Action(
                session_id=meeting.id,
                description="Scholen bellen",
                owner="leerplicht@gemeente.example",
                due_on=date.today() - timedelta(days=1),
            ),
            Action(
                session_id=meeting.id,
                description="Later",
                owner="later@gemeente.example",
                due_on=date.today() + timedelta(days=10),
            ),
            Action(
                session_id=meeting.id,
                description="Zonder adres",
                owner="Leerplicht",
                due_on=date.today() - timedelta(days=1),
            ),
        ]
    )
    session.commit()
    result = send()
    assert result.exit_code == 0, result.output
    to = sorted(e.rcpt_tos[0] for e in mail_on.received)
    assert to == ["leerplicht@gemeente.example", "redactie@gemeente.example"]
    texts = dict(zip((e.rcpt_tos[0] for e in mail_on.received), mail_on.texts(), strict=True))
    assert "1 verhaal wacht op moderatie" in texts["redactie@gemeente.example"]
    assert "Wacht op besluit" in texts["redactie@gemeente.example"]
    assert "Scholen bellen" in texts["leerplicht@gemeente.example"]
    assert "/sessions/" in texts["leerplicht@gemeente.example"]
    assert editor.email == "redactie@gemeente.example"
    assert send().exit_code == 0 and len(mail_on.received) == 2  # once a day, once per due date


def test_login_at_the_mail_server(session, settings, smtp):
    class Accept:
        def __call__(self, server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == b"duiding" and auth_data.password == b"geheim wachtwoord"
            return AuthResult(success=ok)

    controller = Controller(
        Inbox(),
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=Accept(),
        auth_require_tls=False,
    )
    controller.start()
    try:
        settings(
            smtp_host="127.0.0.1",
            smtp_port=controller.port,
            smtp_security="none",
            smtp_from="duiding@gemeente.example",
            smtp_username="duiding",
            smtp_password="geheim wachtwoord",
            mail_interval_seconds=0,
        )
        from app.config import get_settings

        server = delivery.connect(get_settings())  # logs in, or raises
        server.quit()
    finally:
        controller.stop()


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        (
            "DUIDING_SMTP_PORT",
            "70000",
            "DUIDING_SMTP_PORT: Input should be less than or equal to 65535",
        ),
        ("DUIDING_SMTP_PORT", "vijf", "DUIDING_SMTP_PORT"),
        (
            "DUIDING_SMTP_SECURITY",
            "tls",
            "DUIDING_SMTP_SECURITY: Input should be 'starttls', 'ssl' or 'none'",
        ),
        ("DUIDING_SMTP_HOST", "smtp://mail.example", "DUIDING_SMTP_HOST must be a host name"),
        ("DUIDING_SMTP_FROM", "niemand", "DUIDING_SMTP_FROM must be the sender's e-mail address"),
        (
            "DUIDING_SMTP_USERNAME",
            "duiding",
            "DUIDING_SMTP_USERNAME and DUIDING_SMTP_PASSWORD go together",
        ),
        ("DUIDING_SITE_URL", "duiding.example", "DUIDING_SITE_URL must be an http(s) address"),
    ],
)
def test_a_malformed_mail_setting_refuses_to_start(env, name, value, said):
    from tests.conftest import reset_caches

    env.setenv("DUIDING_SMTP_HOST", "smtp.gemeente.example")
    env.setenv("DUIDING_SMTP_FROM", "duiding@gemeente.example")
    env.setenv(name, value)
    reset_caches()
    from app.main import create_app

    with pytest.raises(SystemExit) as stopped:
        create_app()
    assert str(stopped.value).startswith("Duiding cannot start, a setting is wrong:")
    assert said in str(stopped.value)
    result = send()
    assert result.exit_code != 0 and said in str(result.exception or "") + result.output


def test_the_server_sends_in_the_background(client, session, mail_on):
    editor = bearer(session)
    make_indicator(session, slug="wachttijd")
    partner = add_partner(client, editor, email="noord@buurtteam.example").json()
    ask_partners(client, editor, [partner["id"]])

    async def one_round():
        task = asyncio.create_task(background._loop(3600))
        for _ in range(200):  # until the first run has delivered (a bound, not a timing)
            if mail_on.received:
                break
            await asyncio.sleep(0.05)
        await background.stop(task)

    asyncio.run(one_round())
    assert len(mail_on.received) == 1
    assert outbox(session)[0].status == MailStatus.sent


def test_every_mail_setting_is_documented_in_the_readme():
    from pathlib import Path

    from app.config import Settings

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for name in Settings.model_fields:
        if name.startswith(("smtp_", "mail_", "site_")):
            assert f"`DUIDING_{name.upper()}`" in readme, name


def test_editors_see_waiting_stories_and_overdue_actions_in_the_navigation(client, session):
    from tests.factories import login

    make_narrative(session, status=NarrativeStatus.pending)
    make_narrative(session, status=NarrativeStatus.pending)
    make_narrative(session)  # published: nothing to do
    meeting = ReflectionSession(held_on=date.today() - timedelta(days=40), title="Sessie")
    session.add(meeting)
    session.flush()
    session.add_all(
        [
            Action(
                session_id=meeting.id,
                description="Te laat",
                due_on=date.today() - timedelta(days=1),
            ),
            Action(session_id=meeting.id, description="Op tijd", due_on=date.today()),
            Action(session_id=meeting.id, description="Zonder datum"),
        ]
    )
    session.commit()
    login(client, session, "editor")
    nav = client.get("/").text.split('class="main-nav"')[1].split("</nav>")[0]
    assert (
        'Moderatie <span class="nav-count">2<span class="visually-hidden"> verhalen wachten</span>'
        in nav
    )
    assert (
        'Reflectiesessies <span class="nav-count">1<span class="visually-hidden">'
        " actie over tijd</span>" in nav
    )
    client.cookies.clear()
    session.rollback()
    login(client, session, "viewer")
    assert "nav-count" not in client.get("/").text  # counts are for editors

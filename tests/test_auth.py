"""Login throttling: repeated failures lock an email or an address for a while."""

from datetime import timedelta

from sqlmodel import func, select

from app.models import LoginFailure, utcnow
from tests.factories import PASSWORD, csrf, make_user

LOCKED = "Te veel mislukte pogingen om in te loggen."
WRONG = "Onbekend e-mailadres of verkeerd wachtwoord."


WRONG_PASSWORD = "not the password"


def attempt(client, email, password=WRONG_PASSWORD):
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf(client)},
        follow_redirects=False,
    )


def failures(session) -> int:
    session.rollback()  # end the read snapshot taken before the requests
    return session.exec(select(func.count()).select_from(LoginFailure)).one()


def test_after_max_failures_even_the_right_password_is_refused_with_429(client, session):
    user = make_user(session)
    for _ in range(5):
        response = attempt(client, user.email)
        assert response.status_code == 400
        assert WRONG in response.text
    response = attempt(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.text
    assert "15 minuten gepauzeerd" in response.text
    assert failures(session) == 5


def test_unknown_emails_from_one_address_lock_that_address(client, session):
    user = make_user(session)
    for n in range(5):
        assert attempt(client, f"nobody{n}@example.org").status_code == 400
    assert attempt(client, user.email, PASSWORD).status_code == 429


def test_success_clears_the_failures_of_that_email(client, session):
    user = make_user(session)
    for _ in range(4):
        attempt(client, user.email)
    assert attempt(client, user.email, PASSWORD).status_code == 303
    assert failures(session) == 0


def test_failures_older_than_the_lockout_do_not_count(client, session):
    user = make_user(session)
    old = utcnow() - timedelta(minutes=16)
    for _ in range(5):
        session.add(LoginFailure(email=user.email, client="testclient", at=old))
    session.commit()
    assert attempt(client, user.email, PASSWORD).status_code == 303


def test_the_limits_come_from_the_settings(client, session, settings):
    settings(login_max_failures=2, login_lockout_minutes=3)
    user = make_user(session)
    attempt(client, user.email)
    attempt(client, user.email)
    response = attempt(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "3 minuten gepauzeerd" in response.text


def test_a_deactivated_user_cannot_sign_in(client, session):
    user = make_user(session)
    user.is_active = False
    session.add(user)
    session.commit()
    response = attempt(client, user.email, PASSWORD)
    assert response.status_code == 400
    assert WRONG in response.text


def test_logout_forgets_the_session(client, session):
    user = make_user(session)
    assert attempt(client, user.email, PASSWORD).status_code == 303
    token = csrf(client, "/")
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=/"

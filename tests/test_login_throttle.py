"""Login throttling under a parallel burst, on both engines: every attempt is counted
exactly, no password is checked past the limit (the right one neither), and a guesser
locks out only their own address, never the account's owner."""

import threading

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.db import get_engine
from app.models import LoginFailure
from tests.factories import PASSWORD, csrf, make_user

LOCKED = "Te veel mislukte pogingen om in te loggen."
SLOWED = "Voor dit account is vaak geprobeerd in te loggen. Wacht 60 seconden"


def _client(app, address: str) -> TestClient:
    return TestClient(app, raise_server_exceptions=False, client=(address, 50000))


WRONG = "fout wachtwoord"


def _attempt(client: TestClient, email: str, password: str = WRONG):
    token = csrf(client)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def _failures() -> int:
    with Session(get_engine()) as fresh:
        return fresh.exec(select(func.count()).select_from(LoginFailure)).one()


def _burst(app, email: str, count: int, address: str = "10.0.0.66") -> list[int]:
    """``count`` wrong passwords at once, each from its own client (same address)."""
    clients = [_client(app, address) for _ in range(count)]
    tokens = [csrf(client) for client in clients]
    start = threading.Barrier(count)
    statuses: list[int] = []

    def one(client, token):
        start.wait()
        response = client.post(
            "/login",
            data={"email": email, "password": "fout", "csrf_token": token},
            follow_redirects=False,
        )
        statuses.append(response.status_code)

    threads = [
        threading.Thread(target=one, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def test_a_parallel_burst_is_counted_exactly(app, session):
    user = make_user(session)
    session.commit()
    statuses = _burst(app, user.email, 30)
    assert statuses == [400] * 5 + [429] * 25  # five checked, the rest refused unchecked
    assert _failures() == 5
    # The right password from the guessing address, after the burst: refused too.
    assert _attempt(_client(app, "10.0.0.66"), user.email, PASSWORD).status_code == 429


def test_the_right_password_inside_the_burst_does_not_get_in_past_the_limit(app, session):
    user = make_user(session)
    session.commit()
    results: dict[str, int] = {}

    def right_one():
        client = _client(app, "10.0.0.66")
        token = csrf(client)
        while _failures() < 5:  # sent while the burst is still running, past the limit
            pass
        response = client.post(
            "/login",
            data={"email": user.email, "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        results["right"] = response.status_code

    sender = threading.Thread(target=right_one)
    sender.start()
    statuses = _burst(app, user.email, 20)
    sender.join()
    assert results["right"] == 429
    assert statuses.count(400) == 5 and _failures() == 5


def test_a_guesser_locks_out_only_their_own_address(app, session):
    owner = make_user(session)
    session.commit()
    attacker = _client(app, "10.0.0.66")
    for _ in range(5):
        assert _attempt(attacker, owner.email).status_code == 400
    refused = _attempt(attacker, owner.email)
    assert refused.status_code == 429 and LOCKED in refused.text
    assert _attempt(_client(app, "10.0.0.1"), owner.email, PASSWORD).status_code == 303


def test_an_account_guessed_from_many_addresses_is_slowed_not_locked(app, session, settings):
    settings(login_account_failures=3, login_account_delay_seconds=60)
    owner = make_user(session)
    session.commit()
    for n in range(3):  # each address stays below its own limit
        assert _attempt(_client(app, f"10.0.1.{n}"), owner.email).status_code == 400
    slowed = _attempt(_client(app, "10.0.0.1"), owner.email, PASSWORD)
    assert slowed.status_code == 429
    assert SLOWED in slowed.text
    assert _failures() == 3  # a slowed attempt is not checked, nor counted

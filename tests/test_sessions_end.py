"""Sessions that end on the server, and the smaller hardening: HSTS, private files, FULL sync.

A copied session cookie must stop working when its owner signs out, gets a new
password or is deactivated: the cookie is signed, so only the server can end it.
"""

import stat

from fastapi.testclient import TestClient
from sqlalchemy import text

from app import accounts
from app.db import make_engine
from app.models import User
from tests.factories import PASSWORD, csrf, make_user


def signed_in_client(app, user) -> TestClient:
    client = TestClient(app)
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return client


def is_signed_in(app, cookie: str) -> bool:
    """Whether a fresh browser with only this session cookie is let in."""
    with TestClient(app, cookies={"duiding_session": cookie}) as other:
        return other.get("/", follow_redirects=False).status_code == 200


def test_a_copied_cookie_stops_working_after_logout(app, session):
    user = make_user(session)
    client = signed_in_client(app, user)
    copied = client.cookies["duiding_session"]
    assert is_signed_in(app, copied)
    logout = client.post("/logout", data={"csrf_token": csrf(client, "/")}, follow_redirects=False)
    assert logout.status_code == 303
    with TestClient(app, cookies={"duiding_session": copied}) as thief:
        response = thief.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/"


def test_logout_ends_every_session_of_the_account_and_a_new_login_works(app, session):
    user = make_user(session)
    laptop, phone = signed_in_client(app, user), signed_in_client(app, user)
    laptop.post("/logout", data={"csrf_token": csrf(laptop, "/")})
    assert not is_signed_in(app, phone.cookies["duiding_session"])
    again = signed_in_client(app, user)
    assert is_signed_in(app, again.cookies["duiding_session"])


def test_a_new_password_ends_the_sessions(app, session):
    user = make_user(session)
    cookie = signed_in_client(app, user).cookies["duiding_session"]
    session.rollback()
    accounts.set_password(session=session, user=session.get(User, user.id), password="x" * 12)
    session.commit()
    assert not is_signed_in(app, cookie)


def test_deactivation_ends_the_sessions_for_good(app, session):
    admin = make_user(session, role="admin")
    user = make_user(session)
    cookie = signed_in_client(app, user).cookies["duiding_session"]
    session.rollback()
    target = session.get(User, user.id)
    accounts.set_active(session=session, by=admin, user=target, active=False)
    session.commit()
    assert not is_signed_in(app, cookie)
    accounts.set_active(session=session, by=admin, user=target, active=True)
    session.commit()
    assert not is_signed_in(app, cookie), "reactivation must not revive an old session"


def test_hsts_only_when_cookies_are_secure(settings, app, client):
    assert "strict-transport-security" not in client.get("/healthz").headers
    settings(secure_cookies=True)
    from app.main import create_app

    with TestClient(create_app(), base_url="https://testserver") as secure:
        assert (
            secure.get("/healthz")
            .headers["strict-transport-security"]
            .startswith("max-age=31536000")
        )


def test_a_new_sqlite_database_is_private_and_synced_fully(tmp_path):
    path = tmp_path / "fresh" / "duiding.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.commit()
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    engine.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_token_reads_answer_while_the_write_lock_is_taken_and_record_use_later(client, session):
    from sqlmodel import select

    from app import db
    from app.models import ApiToken
    from tests.factories import bearer

    headers = bearer(session, "viewer")
    engine = db.get_engine()
    if not db.is_sqlite(engine):
        return  # PostgreSQL takes no table-wide write lock
    with engine.connect() as holder:
        raw = holder.connection.driver_connection
        raw.execute("BEGIN IMMEDIATE")  # as an import's merge holds it
        try:
            assert client.get("/api/v1/indicators", headers=headers).status_code == 200
        finally:
            raw.execute("ROLLBACK")
    session.rollback()
    assert session.exec(select(ApiToken.last_used_at)).one() is None
    assert client.get("/api/v1/indicators", headers=headers).status_code == 200
    session.rollback()
    first = session.exec(select(ApiToken.last_used_at)).one()
    assert first is not None
    assert client.get("/api/v1/indicators", headers=headers).status_code == 200
    session.rollback()
    assert session.exec(select(ApiToken.last_used_at)).one() == first  # once a minute


def test_a_story_refused_while_the_database_is_busy_comes_back_as_typed(settings, env, session):
    from app import db
    from tests.conftest import reset_caches
    from tests.factories import csrf_from, story_form

    settings(public_stories=True)
    engine_probe = db.get_engine()
    if not db.is_sqlite(engine_probe):
        return  # PostgreSQL has no database-wide write lock to be refused
    env.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    reset_caches()
    from app.main import create_app

    with TestClient(create_app()) as client:
        form = story_form(csrf_from(client.get("/stories/new").text), 7)
        form["body"] = "Wat ik typte: <b>niet</b> verloren.\nTweede regel."
        with db.get_engine().connect() as holder:
            raw = holder.connection.driver_connection
            raw.execute("BEGIN IMMEDIATE")  # as a long write holds it
            try:
                page = client.post("/stories/new", data=form, follow_redirects=False)
            finally:
                raw.execute("ROLLBACK")
        assert page.status_code == 503
        assert "Uw verhaal kon zojuist niet worden opgeslagen" in page.text
        assert "Gelijktijdig verhaal 7" in page.text
        assert "Wat ik typte: &lt;b&gt;niet&lt;/b&gt; verloren.\nTweede regel." in page.text
        again = client.post("/stories/new", data=form, follow_redirects=False)
        assert again.status_code == 303

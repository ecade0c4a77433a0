"""The foundation: migrations, settings, the dashboard, health and signing in."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app import db
from tests.factories import (
    PASSWORD,
    bearer,
    csrf,
    login,
    make_indicator,
    make_narrative,
    make_theme,
    make_user,
)


def not_hand_written(obj, name, type_, reflected, compare_to) -> bool:
    """Hide the hand-written search tables from autogenerate, as migrations/env.py does."""
    return not (type_ == "table" and name.startswith("search_"))


def test_migrations_create_every_table_and_autogenerate_finds_no_difference(env):
    engine = db.get_engine()
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": not_hand_written}
        )
        assert compare_metadata(context, SQLModel.metadata) == []
        tables = set(engine.dialect.get_table_names(connection))
    assert set(SQLModel.metadata.tables) <= tables


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(env):
    engine = db.get_engine()
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_healthz_answers_json(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_skips_what_only_pages_need(client, session, monkeypatch):
    """A signed-in cookie and ?lang=en change nothing: no user is looked up (the lookup
    would fail here), no language cookie is set, the answer is the health JSON."""
    import app.middleware

    login(client, session)
    assert client.post("/healthz").status_code == 405  # only GET and HEAD are answered early

    def no_lookup(*_args):
        raise AssertionError("/healthz looked up the user")

    monkeypatch.setattr(app.middleware, "_lookup_user", no_lookup)
    response = client.get("/healthz?lang=en")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "set-cookie" not in response.headers


def test_static_files_are_served_without_looking_up_the_user(client, session, monkeypatch):
    """A signed-in page's stylesheet, scripts and favicon cost no sign-in lookup; the
    pages themselves still look the user up on every request."""
    import app.middleware

    login(client, session)
    looked_up = []
    real = app.middleware._lookup_user
    monkeypatch.setattr(
        app.middleware, "_lookup_user", lambda *args: looked_up.append(args) or real(*args)
    )
    for path in ("/static/duiding.css", "/favicon.ico"):
        assert client.get(path).status_code == 200
    assert looked_up == []
    assert client.get("/").status_code == 200
    assert len(looked_up) == 1


def test_healthz_says_degraded_when_the_database_does_not_answer(client, monkeypatch):
    from sqlalchemy import create_engine

    import app.routes.health

    unreachable = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setattr(app.routes.health, "get_engine", lambda: unreachable)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "unavailable"}


def test_healthz_checks_the_database_each_time_not_once(client, db_url):
    """A connection the server dropped is found out by the next check, not hidden by the pool."""
    import sqlite3

    from sqlalchemy import create_engine, event, text
    from sqlalchemy.pool import NullPool

    assert client.get("/healthz").json()["database"] == "ok"
    engine = db.get_engine()
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        admin = create_engine(db_url, poolclass=NullPool)
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.dispose()
        assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
        with engine.connect() as connection:
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
        return

    def broken_file(*args):
        raise sqlite3.DatabaseError("file is not a database")

    event.listen(engine, "before_cursor_execute", broken_file)
    try:
        assert client.get("/healthz").json() == {"status": "degraded", "database": "unavailable"}
    finally:
        event.remove(engine, "before_cursor_execute", broken_file)


def test_dashboard_requires_sign_in_unless_public_read(client, settings):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/"
    settings(public_read=True)
    assert client.get("/").status_code == 200


def test_dashboard_shows_themes_with_their_indicators(client, session):
    theme = make_theme(session, name="Jeugd")
    make_indicator(session, themes=[theme], name="Jeugdigen met jeugdhulp")
    login(client, session, "viewer")
    page = client.get("/")
    assert page.status_code == 200
    assert "Jeugd" in page.text
    assert "Jeugdigen met jeugdhulp" in page.text


def test_login_with_wrong_password_or_unknown_user_gets_the_same_message(client, session):
    user = make_user(session)
    wrong = client.post(
        "/login", data={"email": user.email, "password": "nope", "csrf_token": csrf(client)}
    )
    unknown = client.post(
        "/login",
        data={"email": "nobody@x.nl", "password": PASSWORD, "csrf_token": csrf(client)},
    )
    assert wrong.status_code == unknown.status_code == 400
    assert "Onbekend e-mailadres of verkeerd wachtwoord." in wrong.text
    assert "Onbekend e-mailadres of verkeerd wachtwoord." in unknown.text


def test_login_without_csrf_token_is_refused(client, session):
    user = make_user(session)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 403


def test_english_on_request_and_remembered(client, session):
    login(client, session, "viewer")
    assert "Latest stories" in client.get("/?lang=en").text
    assert "Latest stories" in client.get("/").text
    assert "Laatste verhalen" in client.get("/?lang=nl").text


def test_unknown_page_gets_a_friendly_page_and_api_gets_json(client):
    page = client.get("/bestaat-niet")
    assert page.status_code == 404
    assert "Deze pagina bestaat niet (meer)." in page.text
    api = client.get("/api/v1/bestaat-niet")
    assert api.status_code == 404
    assert api.json() == {"detail": "Not Found"}


def test_a_page_address_without_a_valid_id_is_a_page_that_does_not_exist(client, session):
    """/stories/abc named no story: a dead-end "Fout 422" page before; the API keeps its
    422 with what was wrong."""
    token = bearer(session, "viewer")
    login(client, session, "admin")
    for url in ("/stories/abc", "/sessions/abc", "/context/1x", "/ideas/abc"):
        page = client.get(url)
        assert page.status_code == 404, url
        assert "Deze pagina bestaat niet (meer)." in page.text
    api = client.get("/api/v1/ideas/abc", headers=token)
    assert api.status_code == 422
    assert api.json()["detail"][0]["loc"] == ["path", "idea_id"]
    assert client.get("/admin/audit?page=abc").status_code == 422  # a bad query stays so


def test_anonymous_readers_see_only_stories_consented_as_public(client, session, settings):
    make_narrative(session, title="Openbaar verhaal", consent_reach="public")
    make_narrative(session, title="Alleen intern verhaal", consent_reach="internal")
    settings(public_read=True)
    anonymous = client.get("/").text
    assert "Openbaar verhaal" in anonymous
    assert "Alleen intern verhaal" not in anonymous
    login(client, session, "viewer")
    assert "Alleen intern verhaal" in client.get("/").text


def test_an_offset_beyond_the_database_integer_range_is_a_422_not_a_500(client, session):
    headers = bearer(session, "editor")
    for path in ("/api/v1/themes", "/api/v1/narratives", "/api/v1/sessions", "/api/v1/partners"):
        response = client.get(path, params={"offset": 2**63}, headers=headers)
        assert response.status_code == 422, path
        assert response.json()["detail"][0]["loc"] == ["query", "offset"]


def test_rebuilding_a_table_in_a_migration_keeps_the_rows_that_point_at_it(session):
    """SQLite batch migrations rebuild a table (0012 rebuilt narrative): with foreign
    keys on, dropping the old table cascaded into every link of the stories. Going down
    past 0012 and up again must keep a story's themes and figures."""
    from alembic import command
    from sqlmodel import func, select

    from app.migrate import alembic_config
    from app.models import NarrativeIndicator, NarrativeTheme

    engine = db.get_engine()
    if engine.dialect.name != "sqlite":
        return  # PostgreSQL alters tables in place
    theme = make_theme(session)
    indicator = make_indicator(session, themes=[theme])
    story = make_narrative(session, title="Keukentafel")
    session.add(NarrativeTheme(narrative_id=story.id, theme_id=theme.id))
    session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    session.commit()
    session.close()
    engine.dispose()
    config = alembic_config(str(engine.url))
    command.downgrade(config, "0011_baseline_points")
    command.upgrade(config, "head")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    session.rollback()
    for link in (NarrativeTheme, NarrativeIndicator):
        assert session.exec(select(func.count()).select_from(link)).one() == 1

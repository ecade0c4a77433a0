"""Shared fixtures: every test gets its own database, copied from one migrated template.

Set ``DUIDING_TEST_DATABASE_URL`` to a PostgreSQL URL to run the same tests there.
"""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app import db
from app.config import get_settings
from app.migrate import upgrade
from tests.engines import postgres_database_for_test, test_database_url

SECRET = "test-secret-key-that-is-long-enough-0123456789"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path | None:
    """A SQLite database migrated once per run; None when testing on PostgreSQL."""
    if test_database_url():
        return None
    path = tmp_path_factory.mktemp("template") / "duiding.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def db_url(tmp_path, template_db, request) -> Iterator[str]:
    """The URL of this test's own, freshly migrated database."""
    if template_db is None:
        with postgres_database_for_test(request.node.name) as url:
            yield url
        return
    target = tmp_path / "data" / "duiding.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template_db, target)
    yield f"sqlite:///{target}"


def reset_caches() -> None:
    """Forget cached settings and engines so the next call reads the environment."""
    get_settings.cache_clear()
    if db.get_engine.cache_info().currsize:
        db.get_engine().dispose()
    db.get_engine.cache_clear()


@pytest.fixture
def env(db_url, tmp_path, monkeypatch) -> Iterator[pytest.MonkeyPatch]:
    """Point the settings at this test's database and data folder.

    Tests change settings with ``env.setenv("DUIDING_PUBLIC_READ", "true")`` followed
    by ``reset_caches()`` (the ``settings`` fixture does both).
    """
    monkeypatch.setenv("DUIDING_DATABASE_URL", db_url)
    monkeypatch.setenv("DUIDING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DUIDING_SECRET_KEY", SECRET)
    monkeypatch.setenv("DUIDING_WARM_UP", "false")  # app/warmup.py: not in tests
    for name in ("DUIDING_PUBLIC_READ", "DUIDING_PUBLIC_STORIES", "DUIDING_DEFAULT_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    reset_caches()
    yield monkeypatch
    reset_caches()


@pytest.fixture
def settings(env):
    """Change settings for one test: ``settings(public_read=True)``."""

    def change(**values) -> None:
        for name, value in values.items():
            env.setenv(f"DUIDING_{name.upper()}", str(value).lower())
        reset_caches()

    return change


@pytest.fixture
def session(env) -> Iterator[Session]:
    """A database session on this test's database."""
    with Session(db.get_engine()) as session:
        yield session


@pytest.fixture
def app(env):
    from app.main import create_app

    return create_app()


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    """An HTTP client for the app, signed in as nobody, speaking Dutch by default."""
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client

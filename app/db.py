"""Engine and sessions. Everything that differs between SQLite and PostgreSQL starts here.

On SQLite each connection gets WAL journaling (readers never block the writer),
foreign keys (off by default in SQLite) and a busy timeout, so that concurrent story
submissions wait for the write lock instead of failing.
"""

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from app.config import get_settings

SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` with the pragmas or pool settings its engine needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy control transactions; pysqlite's own BEGIN handling would
    # defer the write lock and turn concurrent writers into "database is locked".
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection) -> None:
    # A write transaction takes the lock up front (BEGIN IMMEDIATE) so the busy
    # timeout applies; a deferred one that read first would fail at once with
    # SQLITE_BUSY when another writer committed in between. Reads stay deferred.
    mode = connection.get_execution_options().get("sqlite_begin", "")
    connection.exec_driver_sql(f"BEGIN {mode}".strip())


@lru_cache
def get_engine() -> Engine:
    """Return the process-wide engine for the configured database."""
    return make_engine(get_settings().database_url)


def get_write_engine() -> Engine:
    """Return the engine for transactions that write (IMMEDIATE on SQLite)."""
    return get_engine().execution_options(sqlite_begin="IMMEDIATE")


def get_session() -> Iterator[Session]:
    """Yield a session for a request that only reads."""
    with Session(get_engine()) as session:
        yield session


def get_write_session() -> Iterator[Session]:
    """Yield a session for a request that writes; it holds the write lock from its start.

    Objects are not expired on commit: reading them afterwards would open a new
    transaction, which on SQLite would take the write lock again until the request ends.
    """
    with Session(get_write_engine(), expire_on_commit=False) as session:
        yield session


def is_sqlite(engine: Engine) -> bool:
    """Tell whether ``engine`` talks to SQLite (for the few engine-specific paths)."""
    return engine.dialect.name == "sqlite"

"""Engine and sessions. Everything that differs between SQLite and PostgreSQL starts here.

On SQLite each connection gets WAL journaling (readers never block the writer),
foreign keys (off by default in SQLite), a busy timeout, so that concurrent story
submissions wait for the write lock instead of failing, and synchronous=FULL, so an
acknowledged write survives a power failure. The file is created private (0600).
"""

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event, func, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, create_engine

from app.config import get_settings

SQLITE_BUSY_TIMEOUT_MS = 10_000

# Why a database refused to store something, by what each engine says: SQLite names
# its result code, PostgreSQL gives an SQLSTATE (class 08: the connection failed).
DISK_FULL = "disk_full"
READ_ONLY = "read_only"
UNAVAILABLE = "unavailable"
SQLITE_FAILURES = {  # primary result codes; extended ones (SQLITE_READONLY_DBMOVED) map too
    "SQLITE_FULL": DISK_FULL,
    "SQLITE_READONLY": READ_ONLY,
    "SQLITE_CANTOPEN": UNAVAILABLE,
    "SQLITE_BUSY": UNAVAILABLE,
    "SQLITE_IOERR": UNAVAILABLE,
}
POSTGRES_FAILURES = {
    "53100": DISK_FULL,  # disk_full
    "25006": READ_ONLY,  # read_only_sql_transaction (a standby, or default_transaction_read_only)
    "53300": UNAVAILABLE,  # too_many_connections
    "57P03": UNAVAILABLE,  # cannot_connect_now (starting up, shutting down)
}


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` with the pragmas or pool settings its engine needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_file(Path(parsed.database))
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    # pool_pre_ping replaces a connection the server has closed before it is handed out;
    # /healthz (app/routes/health.py) relies on it as its database check.
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _private_file(path: Path) -> None:
    """Create the database's folder (0700) and file (0600) readable by the owner only.

    Stories and contact details live in it; SQLite would otherwise create it 0644.
    Its -wal and -shm files take the database file's mode. Existing files are left."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        path.touch(mode=0o600)
        path.chmod(0o600)  # touch's mode is reduced by the umask, never widened


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy control transactions; pysqlite's own BEGIN handling would
    # defer the write lock and turn concurrent writers into "database is locked".
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # FULL: a commit is on disk (the WAL synced) before a story or sign-in is
    # acknowledged; NORMAL could lose the last commits on a power failure.
    cursor.execute("PRAGMA synchronous=FULL")
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


@contextmanager
def write_transaction() -> Iterator[Session]:
    """Give a session that writes: one transaction, committed once when the block ends
    without an error, rolled back when anything (a Problem included) is raised.

    The one transaction owner: domain functions only flush (and record the audit); the
    request's write session (``get_write_session``) and each CLI command commit here.
    It holds the write lock from its start (BEGIN IMMEDIATE on SQLite). Objects are not
    expired on commit: reading them afterwards would open a new transaction, which on
    SQLite would take the write lock again.
    """
    with Session(get_write_engine(), expire_on_commit=False) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        session.commit()


def get_write_session() -> Iterator[Session]:
    """Yield the session of a request that writes; commit after the handler succeeded.

    Declared with ``scope="function"`` (``deps.WriteSessionDep``), so the commit runs
    when the handler returns and BEFORE the response is sent: a commit that fails is
    answered as an error, never acknowledged as a success.
    """
    with write_transaction() as session:
        yield session


@contextmanager
def impatient_write(engine: Engine, *, wait_ms: int = 100) -> Iterator[Connection]:
    """A write transaction that gives up after ``wait_ms`` instead of queueing for the lock.

    For bookkeeping no request may wait or fail for (when a token was last used):
    while an import merges, the write is refused at once and the caller skips it.
    """
    sqlite = is_sqlite(engine)
    with engine.connect() as connection:
        raw: Any = connection.connection.driver_connection  # the DBAPI connection
        if sqlite:
            raw.execute(f"PRAGMA busy_timeout={int(wait_ms)}")
        try:
            with connection.execution_options(sqlite_begin="IMMEDIATE").begin():
                if not sqlite:
                    connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(wait_ms)}ms'")
                yield connection
        finally:
            if sqlite:
                raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def engine_of(session: Session) -> Engine:
    """The engine ``session`` is bound to (also when it is bound to one connection)."""
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def is_sqlite(engine: Engine) -> bool:
    """Tell whether ``engine`` talks to SQLite (for the few engine-specific paths)."""
    return engine.dialect.name == "sqlite"


def catch_up_id_sequences(connection: Connection, tables: list[Table]) -> None:
    """After rows were inserted with their own ids, let new rows get higher ones.

    PostgreSQL numbers rows from a sequence that explicit ids do not advance; SQLite
    takes the highest id in the table and needs nothing.
    """
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        id_column = table.columns.get("id")
        if id_column is None or not id_column.autoincrement:
            continue
        highest = func.max(id_column)
        sequence = func.pg_get_serial_sequence(f'"{table.name}"', "id")
        connection.execute(
            select(func.setval(sequence, func.coalesce(highest, 1), highest.is_not(None)))
        )


def number_out_of_range(error: BaseException) -> bool:
    """Tell whether the database refused a number too large for its column or for the
    driver (an id like 19409804375 on PostgreSQL, beyond 2**63 on SQLite): bad input."""
    cause = getattr(error, "orig", None) or error
    return isinstance(cause, OverflowError) or getattr(cause, "sqlstate", None) == "22003"


def storage_failure(error: BaseException) -> str | None:
    """Tell why the database could not do its work, if the cause lies outside the app.

    Returns DISK_FULL, READ_ONLY or UNAVAILABLE, or None for anything else (a bug).
    A disk that fills up under Python itself (ENOSPC) counts as DISK_FULL too.
    """
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return DISK_FULL
    if not isinstance(error, DBAPIError):
        return None
    if error.connection_invalidated:
        return UNAVAILABLE
    cause = error.orig
    if name := getattr(cause, "sqlite_errorname", None):
        return SQLITE_FAILURES.get("_".join(name.split("_")[:2]))
    state = getattr(cause, "sqlstate", None)
    if state is None:  # psycopg gives no SQLSTATE when it could not connect at all
        return UNAVAILABLE if isinstance(error, OperationalError) else None
    return POSTGRES_FAILURES.get(state) or (UNAVAILABLE if state.startswith("08") else None)


def hold_key_lock(session: Session, key: str) -> None:
    """Hold a lock on ``key`` for the rest of this write transaction, so that what
    counts and then writes under that key (login attempts of one account) is one step
    at a time across every worker. PostgreSQL: a transaction-level advisory lock on the
    key's hash. SQLite: the write transaction holds the database's write lock from its
    start already (BEGIN IMMEDIATE), so there is nothing more to take."""
    if is_sqlite(engine_of(session)):
        return
    session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})

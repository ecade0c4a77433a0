"""Bulk import of observations through a staging table: the SQLite/PostgreSQL adapter.

A large CSV file must not be held in memory, yet stay all-or-nothing, keep every old
value and never stop the rest of the application. So checked rows are streamed in
batches into a temporary table (sqlite3 ``executemany`` on SQLite, ``COPY`` on
PostgreSQL) on a connection of the import's own. A temporary table lives outside the
main database (SQLite keeps it in a separate temporary file), so staging, naming rows
that repeat and counting what a merge would do take no write lock: story submissions
and API reads go on meanwhile. Only the merge itself (moving changed values into
``observation_revision``, updating and inserting ``observation``: a few set-based
statements) runs in one short write transaction, so the import stays all-or-nothing.
A preview (dry run) never merges and so writes nothing to the main database.

One import runs at a time (a file lock next to the SQLite database, an advisory lock
on PostgreSQL): a second one is refused at once with ``ImportBusy`` instead of waiting.

Every statement comes twice, once for rows with an area and once for the whole
municipality (area NULL), because each case has its own partial unique index and a
NULL never equals a NULL.
"""

import contextlib
import fcntl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from app.models._base import UtcDateTime

BATCH = 10_000
TABLE = "import_row"
_COLUMNS = "line, indicator_id, area_id, period_start, value, status"
_CREATE = (
    f"CREATE TEMPORARY TABLE {TABLE} (line INTEGER NOT NULL, indicator_id INTEGER NOT NULL,"
    " area_id INTEGER, period_start DATE NOT NULL, value DOUBLE PRECISION NOT NULL,"
    " status VARCHAR(20))"
)
# Any constant: the key of the PostgreSQL advisory lock that one import holds at a time.
POSTGRES_IMPORT_LOCK = 4_242_024
# (staged rows, how an observation matches one): both engines know that
# ``o.area_id = r.area_id`` implies ``area_id IS NOT NULL``, so the first case can use
# the partial unique index of areas, the second that of the whole municipality.
_CASES = (
    ("r.area_id IS NOT NULL", "o.area_id = r.area_id"),
    ("r.area_id IS NULL", "o.area_id IS NULL"),
)
_SAME = "o.indicator_id = r.indicator_id AND o.period_start = r.period_start AND "
# A staged status NULL means the file did not state one: the stored status stays. A
# stated status that differs (CBS declaring a provisional value definitive) is a change.
_CHANGED = "(o.value <> r.value OR (r.status IS NOT NULL AND o.status <> r.status))"


@dataclass(frozen=True)
class Repeat:
    """A staged row that repeats an earlier line's indicator, area and period."""

    line: int
    first_line: int
    indicator_id: int
    area_id: int | None
    period_start: date


@dataclass
class Counts:
    """What merging the staged rows does for one indicator."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


class ImportBusy(RuntimeError):
    """Another import of observations is running; try again when it has finished."""


class ObservationStage:
    """The temporary table of checked rows for one import, on a connection of its own.

    Use it as a context manager: entering takes the import lock (or raises
    ``ImportBusy``) and creates the table; leaving drops it and frees the lock. Rows
    are ``(line, indicator_id, area_id, period_start, value, status)``.

    With ``within`` the table lives instead on that session's connection, in its
    transaction, which the caller commits: for an import that writes other rows
    first (CBS creates areas), on small tables.
    """

    def __init__(self, engine: Engine, *, within: Session | None = None) -> None:
        self.engine = engine
        self.within = within
        self.postgres = engine.dialect.name == "postgresql"
        self.batch: list[tuple] = []
        self.rows = 0
        self.merge_seconds = 0.0
        self._lock_file: TextIO | None = None

    def __enter__(self) -> "ObservationStage":
        if self.within is not None:
            self.connection = self.within.connection()
        else:
            # Reads and staging take no write lock, even from a write engine's options.
            self.connection = self.engine.connect().execution_options(sqlite_begin="")
        self.raw: Any = self.connection.connection.driver_connection  # the DBAPI connection
        try:
            self._lock()
            self._run(f"DROP TABLE IF EXISTS {'pg_temp' if self.postgres else 'temp'}.{TABLE}")
            self._run(_CREATE)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_exc) -> None:
        if self.within is not None:
            with contextlib.suppress(Exception):  # a failed transaction drops it anyway
                self._run(f"DROP TABLE IF EXISTS {'pg_temp' if self.postgres else 'temp'}.{TABLE}")
            return
        try:
            if self.connection.in_transaction():
                self.connection.rollback()
            self._run(f"DROP TABLE IF EXISTS {'pg_temp' if self.postgres else 'temp'}.{TABLE}")
            if self.postgres:
                self._run(f"SELECT pg_advisory_unlock({POSTGRES_IMPORT_LOCK})")
        finally:
            self.connection.close()
            if self._lock_file is not None:
                self._lock_file.close()  # closing the file frees its lock

    def _transaction(self):
        """A transaction of its own, or nothing when working within the caller's."""
        return contextlib.nullcontext() if self.within is not None else self.connection.begin()

    def _lock(self) -> None:
        if self.within is not None:
            return
        if self.postgres:
            query = text(f"SELECT pg_try_advisory_lock({POSTGRES_IMPORT_LOCK})")
            with self.connection.begin():
                locked = self.connection.execute(query).scalar()
            if not locked:
                raise ImportBusy
            return
        database = self.engine.url.database
        if not database or database == ":memory:":
            return
        lock = Path(f"{database}-import.lock").open("a")  # noqa: SIM115 (kept open)
        self._lock_file = lock
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ImportBusy from None

    def _run(self, sql: str) -> None:
        """Run one statement in a transaction of its own, which touches no main table."""
        with self._transaction():
            self.connection.exec_driver_sql(sql)

    @property
    def staged(self) -> int:
        """How many rows were staged so far."""
        return self.rows + len(self.batch)

    def add(
        self,
        line: int,
        indicator_id: int,
        area_id: int | None,
        start: date,
        value: float,
        status: str | None = None,
    ):
        """Stage one checked row; rows are written a batch at a time.

        ``status`` None: the source states no status (the stored one is kept).
        """
        # SQLAlchemy stores dates on SQLite as ISO text; staged rows must compare equal.
        self.batch.append(
            (
                line,
                indicator_id,
                area_id,
                start if self.postgres else start.isoformat(),
                value,
                status,
            )
        )
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the pending batch into the temporary table, in a transaction of its own."""
        if not self.batch:
            return
        with self._transaction():
            if self.postgres:
                with (
                    self.raw.cursor() as cursor,
                    cursor.copy(f"COPY {TABLE} ({_COLUMNS}) FROM STDIN") as copy,
                ):
                    for row in self.batch:
                        copy.write_row(row)
            else:
                self.raw.executemany(
                    f"INSERT INTO {TABLE} ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608 (constants)
                    self.batch,
                )
        self.rows += len(self.batch)
        self.batch = []

    def repeats(self, *, limit: int) -> list[Repeat]:
        """Return up to ``limit`` rows whose indicator, area and period an earlier line has."""
        self.flush()
        query = text(
            "SELECT line, first_line, indicator_id, area_id, period_start FROM ("  # noqa: S608
            f" SELECT {_COLUMNS}, MIN(line) OVER ("
            "  PARTITION BY indicator_id, area_id, period_start) AS first_line"
            f" FROM {TABLE}) AS numbered"
            " WHERE line <> first_line ORDER BY line LIMIT :limit"
        )
        with self._transaction():
            found = self.connection.execute(query, {"limit": limit}).all()
        return [
            Repeat(line, first, indicator_id, area_id, _date(start))
            for line, first, indicator_id, area_id, start in found
        ]

    def counts(self) -> dict[int, Counts]:
        """Return per indicator id how many staged rows are new, changed and unchanged.

        Read outside any write lock: the merge may find other numbers if someone
        changed the same values meanwhile; what it writes is right either way.
        """
        self.flush()
        counts: dict[int, Counts] = {}
        with self._transaction():
            for rows, area in _CASES:
                query = text(
                    "SELECT r.indicator_id, COUNT(*), COUNT(o.id),"  # noqa: S608
                    f" SUM(CASE WHEN {_CHANGED} THEN 1 ELSE 0 END)"
                    f" FROM {TABLE} AS r LEFT JOIN observation AS o ON {_SAME}{area}"
                    f" WHERE {rows} GROUP BY r.indicator_id"
                )
                for indicator_id, total, found, changed in self.connection.execute(query):
                    count = counts.setdefault(indicator_id, Counts())
                    count.inserted += total - found
                    count.updated += changed or 0
                    count.unchanged += found - (changed or 0)
        return counts

    def merge(
        self,
        *,
        now: datetime,
        source: str,
        user_id: int | None,
        then: Callable[[Session], None] = lambda _session: None,
    ) -> None:
        """Keep changed values as revisions, then update them and insert the new rows.

        One write transaction, held only for these statements and for ``then`` (the
        caller's audit entries, added to the session it is given); its length is kept
        in ``merge_seconds`` for the benchmark.
        """
        self.flush()
        values = {"now": now, "source": source, "user_id": user_id}
        started = time.perf_counter()
        if self.within is not None:
            self._merge(self.connection, values)
            then(self.within)
            return
        writer = self.connection.execution_options(sqlite_begin="IMMEDIATE")
        with writer.begin():
            self._merge(writer, values)
            with Session(bind=writer) as session:
                then(session)
                session.flush()
        self.merge_seconds = time.perf_counter() - started
        writer.execution_options(sqlite_begin="")

    @staticmethod
    def _merge(connection: Connection, values: dict) -> None:
        for rows, area in _CASES:
            for statement in _merge_statements(rows, _SAME + area):
                connection.execute(statement, values)


def _merge_statements(rows: str, same: str) -> list:
    """The revision, update and insert of one case, in the order they must run.

    Only this module's constants are interpolated into the SQL (hence the noqa).
    """
    statements = [
        "INSERT INTO observation_revision"  # noqa: S608
        " (observation_id, value, recorded_at, superseded_at, source, recorded_by_id, status)"
        " SELECT o.id, o.value, o.recorded_at, :now, o.source, o.recorded_by_id, o.status"
        f" FROM {TABLE} AS r JOIN observation AS o ON {same} WHERE {rows} AND {_CHANGED}",
        "UPDATE observation AS o SET value = r.value, recorded_at = :now,"  # noqa: S608
        " source = :source, recorded_by_id = :user_id, status = COALESCE(r.status, o.status)"
        f" FROM {TABLE} AS r WHERE {rows} AND {same} AND {_CHANGED}",
        "INSERT INTO observation"  # noqa: S608
        " (indicator_id, area_id, period_start, value, recorded_at, source, recorded_by_id,"
        " status)"
        " SELECT r.indicator_id, r.area_id, r.period_start, r.value, :now, :source, :user_id,"
        " COALESCE(r.status, '')"
        f" FROM {TABLE} AS r WHERE {rows}"
        f" AND NOT EXISTS (SELECT 1 FROM observation AS o WHERE {same})",
    ]
    return [text(sql).bindparams(bindparam("now", type_=UtcDateTime())) for sql in statements]


def _date(value: date | str) -> date:
    """A staged date as read back: a date on PostgreSQL, ISO text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(value)

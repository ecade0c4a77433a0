"""Bulk import of observations through a staging table: the SQLite/PostgreSQL adapter.

A large CSV file must not be held in memory, yet stay all-or-nothing, keep every old
value and never stop the rest of the application. So checked rows are streamed in
batches into a temporary table (sqlite3 ``executemany`` on SQLite, ``COPY`` on
PostgreSQL) on a connection of the import's own. A temporary table lives outside the
main database (SQLite keeps it in a separate temporary file), so staging, naming rows
that repeat and counting what a merge would do take no write lock: story submissions
and API reads go on meanwhile. A preview (dry run) never merges and so writes
nothing to the main database.

The merge holds the write lock only in short transactions of ``CHUNK`` staged lines
each, so that a story submitted meanwhile waits at most for one of them, and stays
all-or-nothing for every reader all the same (``app.models.observation``): each chunk
adds the new and changed values as rows of the import (``import_id``) and marks the
rows they replace (``replaced_by``); readers see none of it until one short
transaction commits the import, and then all of it. Settling follows, a chunk at a
time: the old values move to ``observation_revision`` (as a one-transaction merge
kept them) and the import's rows take their place, which changes nothing a reader
sees. A crash or SIGKILL before the commit leaves hidden rows that the next import
removes; one after it leaves rows that the next import settles (and the server's
start, ``clean_up_imports``, does either).

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
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from app.models._base import UtcDateTime

BATCH = 10_000
#: Staged lines (and rows settled) per write transaction of a merge.
CHUNK = 5_000
#: The longest pause after a write transaction of a merge, seconds (see ``_write``).
PAUSE = 0.5
TABLE = "import_row"
#: An import's rows of one chunk being settled, each with the row it replaces (if any).
SETTLING = "settle_row"
_COLUMNS = "line, indicator_id, area_id, period_start, value, status"
_CREATE = (
    f"CREATE TEMPORARY TABLE {TABLE} (line INTEGER NOT NULL, indicator_id INTEGER NOT NULL,"
    " area_id INTEGER, period_start DATE NOT NULL, value DOUBLE PRECISION NOT NULL,"
    " status VARCHAR(20))"
)
_CREATE_SETTLING = f"CREATE TEMPORARY TABLE {SETTLING} (new_id INTEGER NOT NULL, old_id INTEGER)"
# Any constant: the key of the PostgreSQL advisory lock that one import holds at a time.
POSTGRES_IMPORT_LOCK = 4_242_024
# (staged rows, how an observation matches one): both engines know that
# ``o.area_id = r.area_id`` implies ``area_id IS NOT NULL``, so the first case can use
# the partial unique index of areas, the second that of the whole municipality.
_CASES = (
    ("r.area_id IS NOT NULL", "o.area_id = r.area_id"),
    ("r.area_id IS NULL", "o.area_id IS NULL"),
)
# ``o.import_id IS NULL``: the current rows, not those of an import that has not settled.
_SAME = (
    "o.import_id IS NULL AND o.indicator_id = r.indicator_id"
    " AND o.period_start = r.period_start AND "
)
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


def _no_pause(_chunk: int) -> None:
    """Between two chunks of a merge nothing happens; tests put a pause or a crash here."""


between_chunks: Callable[[int], None] = _no_pause


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
            self._drop_tables()
            self._run(_CREATE)
            self._run(_CREATE_SETTLING)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_exc) -> None:
        if self.within is not None:
            with contextlib.suppress(Exception):  # a failed transaction drops them anyway
                self._drop_tables()
            return
        try:
            if self.connection.in_transaction():
                self.connection.rollback()
            self._drop_tables()
            if self.postgres:
                self._run(f"SELECT pg_advisory_unlock({POSTGRES_IMPORT_LOCK})")
        finally:
            self.connection.close()
            if self._lock_file is not None:
                self._lock_file.close()  # closing the file frees its lock

    def _drop_tables(self) -> None:
        for table in (TABLE, SETTLING):
            self._run(f"DROP TABLE IF EXISTS {'pg_temp' if self.postgres else 'temp'}.{table}")

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

        In short write transactions (see the module's docstring), visible to readers
        at once when the import commits; ``then`` adds the caller's audit entries to
        the session it is given, in that commit. The longest write transaction is
        kept in ``merge_seconds`` for the benchmark. Within a caller's session, all
        of it happens in that session's one transaction.
        """
        self.flush()
        values = {"now": now, "source": source, "user_id": user_id}
        if self.within is not None:
            self._merge(self.connection, values)
            then(self.within)
            return
        self.clean_up()
        found = self._write(
            lambda w: w.execute(
                _sql("INSERT INTO observation_import (started_at) VALUES (:now) RETURNING id"),
                values,
            ).scalar_one()
        )
        values["import"] = found
        # Each chunk reads its lines by number: without an index, every chunk would
        # read the whole temporary table (it lives outside the main database's lock).
        self._run(f"CREATE INDEX IF NOT EXISTS {TABLE}_line ON {TABLE} (line)")
        with self._transaction():
            low, high = self.connection.exec_driver_sql(
                f"SELECT MIN(line), MAX(line) FROM {TABLE}"  # noqa: S608 (a constant)
            ).one()
        for chunk, first in enumerate(range(low or 0, (high or -1) + 1, CHUNK)):
            if chunk:
                between_chunks(chunk)
            lines = {**values, "low": first, "high": first + CHUNK - 1}
            self._write(partial(_run_all, statements=_PENDING, values=lines))

        def commit(writer: Connection) -> None:
            writer.execute(
                _sql("UPDATE observation_import SET committed_at = :now WHERE id = :import"), values
            )
            with Session(bind=writer) as session:
                then(session)
                session.flush()

        between_chunks(-1)
        self._write(commit)
        self._settle(found)

    def _write(self, work: Callable[[Connection], Any]) -> Any:
        """Run ``work`` in one write transaction; keep the longest in ``merge_seconds``.

        On SQLite the import then waits as long as the transaction took (at most
        ``PAUSE``): a story waiting for the lock polls it every 100 ms or sooner, and
        an import that took it again at once would keep it from getting it for longer
        than its busy timeout. The merge takes at most twice as long for it.
        """
        writer = self.connection.execution_options(sqlite_begin="IMMEDIATE")
        started = time.perf_counter()
        try:
            with writer.begin():
                return work(writer)
        finally:
            took = time.perf_counter() - started
            self.merge_seconds = max(self.merge_seconds, took)
            writer.execution_options(sqlite_begin="")
            if not self.postgres:
                time.sleep(min(took, PAUSE))

    def _settle(self, found: int) -> None:
        """Put a committed import's rows in place of those they replace, a chunk at a time.

        A chunk is a range of ``CHUNK`` ids: the import's rows were written in one merge,
        so their ids lie together, and the primary key reads each range at once, with
        no help from statistics. Each row of the chunk finds the row it replaces by the
        unique index of current rows (a subquery per row, so no plan can start from the
        other side), once, into a temporary table that the chunk's statements then
        join on. Chunks taken as "the import's first rows still to settle", joined
        anew in every statement, read per chunk every row still to settle or every row
        settled before (as PostgreSQL's statistics of the moment chose): 1,000,000
        imported rows took 123 s to settle against ~10 s to write them.
        """
        with self._transaction():
            low, high = self.connection.execute(
                _sql("SELECT MIN(id), MAX(id) FROM observation WHERE import_id = :import"),
                {"import": found},
            ).one()
        for first in range(low or 0, (high or -1) + 1, CHUNK):
            ids = {"import": found, "low": first, "high": first + CHUNK - 1}
            self._write(partial(self._settle_chunk, values=ids))
        self._write(partial(_run_all, statements=_FORGET, values={"import": found}))
        if self.postgres:
            # The table changed more than autovacuum keeps up with; with statistics
            # from before (a nearly empty table, or one that was all of an import's
            # rows), the next import's merge sorted every current row for each chunk.
            # A bounded sample, outside any write transaction.
            self._run("ANALYZE observation")

    def _settle_chunk(self, writer: Connection, *, values: dict) -> None:
        """Settle the import's rows with ids from ``low`` to ``high``."""
        _run_all(writer, statements=_SETTLING_ROWS, values=values)
        if writer.exec_driver_sql(f"SELECT COUNT(old_id) FROM {SETTLING}").scalar():  # noqa: S608
            _run_all(writer, statements=_REPLACE, values=values)
        writer.execute(_SETTLE_NEW, values)
        # PostgreSQL's DELETE would leave the dead rows of every chunk for the next to read
        writer.exec_driver_sql(f"{'TRUNCATE' if self.postgres else 'DELETE FROM'} {SETTLING}")

    def clean_up(self) -> None:
        """Settle imports committed before a crash; remove the rows of those never committed.

        Holding the import lock (within ``with``), so never the rows of an import
        that is still running: ``clean_up_imports`` at start-up, the merge before it
        writes."""
        with self._transaction():
            earlier = self.connection.execute(
                _sql("SELECT id, committed_at FROM observation_import ORDER BY id")
            ).all()
        values: dict[str, Any] = {"chunk": CHUNK}
        for found, committed_at in earlier:
            if committed_at is not None:
                self._settle(found)
                continue
            values["import"] = found
            for statement in _ABANDONED:  # each until it finds no more rows
                while self._write(partial(_run_all, statements=[statement], values=values)):
                    pass
            self._write(partial(_run_all, statements=_FORGET, values=values))

    @staticmethod
    def _merge(connection: Connection, values: dict) -> None:
        for rows, area in _CASES:
            for statement in _merge_statements(rows, _SAME + area):
                connection.execute(statement, values)


def clean_up_imports(engine: Engine) -> bool:
    """What a crashed import left, cleaned when the server starts rather than at the next
    import (which may be months away, with the hidden rows in every query's way); False
    when an import is running, which cleans up itself."""
    try:
        with ObservationStage(engine) as stage:
            stage.clean_up()
    except ImportBusy:
        return False
    return True


def _sql(sql: str):
    """A statement whose ``now`` is a moment in UTC (only constants are interpolated)."""
    statement = text(sql)
    return (
        statement.bindparams(bindparam("now", type_=UtcDateTime())) if ":now" in sql else statement
    )


def _run_all(connection: Connection, *, statements: list, values: dict) -> int:
    """Run ``statements`` in order; return how many rows the last one touched."""
    touched = 0
    for statement in statements:
        touched = connection.execute(statement, values).rowcount
    return touched


# The import's rows of one chunk of staged lines: each new or changed value as a row
# of the import (hidden until it commits), each row it replaces marked as such.
_PENDING = [
    _sql(sql)
    for rows, area in _CASES
    for sql in (
        "INSERT INTO observation"  # noqa: S608
        " (indicator_id, area_id, period_start, value, recorded_at, source, recorded_by_id,"
        " status, import_id)"
        " SELECT r.indicator_id, r.area_id, r.period_start, r.value, :now, :source, :user_id,"
        " COALESCE(r.status, o.status, ''), :import"
        f" FROM {TABLE} AS r LEFT JOIN observation AS o ON {_SAME}{area}"
        f" WHERE {rows} AND r.line BETWEEN :low AND :high AND (o.id IS NULL OR {_CHANGED})",
        "UPDATE observation AS o SET replaced_by = :import"  # noqa: S608
        f" FROM {TABLE} AS r WHERE {rows} AND r.line BETWEEN :low AND :high"
        f" AND {_SAME}{area} AND {_CHANGED}",
    )
]
# One chunk of a committed import's rows (n, ids :low to :high) settled. First each
# row of the chunk with the current row it replaces (o), if any, found by the unique
# index of current rows. The value each replaces is kept as a revision (superseded
# when the import committed), its revisions and values move onto the replaced row,
# which keeps its id; then n is removed. The rows left are new values, which simply
# stop being the import's.
_SETTLING_ROWS = [
    _sql(
        "WITH chunk AS MATERIALIZED ("  # noqa: S608
        " SELECT id, indicator_id, area_id, period_start, import_id FROM observation"
        " WHERE id BETWEEN :low AND :high)"
        f" INSERT INTO {SETTLING} (new_id, old_id)"
        " SELECT n.id, (SELECT o.id FROM observation AS o WHERE o.import_id IS NULL"
        " AND o.indicator_id = n.indicator_id AND o.period_start = n.period_start"
        f" AND {area}) FROM chunk AS n WHERE n.import_id = :import AND {rows}"
    )
    for rows, area in (
        ("n.area_id IS NOT NULL", "o.area_id = n.area_id"),
        ("n.area_id IS NULL", "o.area_id IS NULL"),
    )
]
_REPLACING = f"SELECT new_id FROM {SETTLING} WHERE old_id IS NOT NULL"  # noqa: S608
_REPLACE = [
    _sql(sql)
    for sql in (
        "INSERT INTO observation_revision"  # noqa: S608
        " (observation_id, value, recorded_at, superseded_at, source, recorded_by_id, status)"
        " SELECT o.id, o.value, o.recorded_at, i.committed_at, o.source, o.recorded_by_id,"
        f" o.status FROM {SETTLING} AS s JOIN observation AS o ON o.id = s.old_id"
        " JOIN observation_import AS i ON i.id = :import",
        "UPDATE observation_revision SET observation_id = ("  # noqa: S608
        f" SELECT s.old_id FROM {SETTLING} AS s"
        " WHERE s.new_id = observation_revision.observation_id)"
        f" WHERE observation_id IN ({_REPLACING})",
        "UPDATE observation AS o SET value = n.value, recorded_at = n.recorded_at,"  # noqa: S608
        " source = n.source, recorded_by_id = n.recorded_by_id, status = n.status,"
        f" replaced_by = NULL FROM {SETTLING} AS s JOIN observation AS n ON n.id = s.new_id"
        " WHERE o.id = s.old_id",
        f"DELETE FROM observation WHERE id IN ({_REPLACING})",  # noqa: S608
    )
]
# Then the import's rows left in the chunk are new values.
_SETTLE_NEW = _sql(
    "UPDATE observation SET import_id = NULL"
    " WHERE id BETWEEN :low AND :high AND import_id = :import"
)
# The rows of an import that never committed, a chunk at a time (repeated until none).
_ABANDONED = [
    _sql(sql)
    for sql in (
        "DELETE FROM observation WHERE id IN (SELECT id FROM observation"
        " WHERE import_id = :import ORDER BY id LIMIT :chunk)",
        "UPDATE observation SET replaced_by = NULL WHERE id IN (SELECT id FROM observation"
        " WHERE replaced_by = :import ORDER BY id LIMIT :chunk)",
    )
]
# Done: no row mentions the import any more (a replaced row whose replacement an
# editor deleted meanwhile is current again).
_FORGET = [
    _sql("UPDATE observation SET replaced_by = NULL WHERE replaced_by = :import"),
    _sql("DELETE FROM observation_import WHERE id = :import"),
]


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
    return [_sql(sql) for sql in statements]


def _date(value: date | str) -> date:
    """A staged date as read back: a date on PostgreSQL, ISO text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(value)

"""Bulk import of observations through a temporary table: the SQLite/PostgreSQL adapter.

A large CSV file must not be held in memory, yet stay all-or-nothing and keep every
old value. So checked rows are streamed in batches into a temporary table (sqlite3
``executemany`` on SQLite, ``COPY`` on PostgreSQL), and the database does the rest in
a few set-based statements inside the caller's one transaction: it names rows that
repeat (with the line they repeat), counts what a merge would do, moves changed values
into ``observation_revision`` and inserts or updates ``observation``.

Every statement comes twice, once for rows with an area and once for the whole
municipality (area NULL), because each case has its own partial unique index and a
NULL never equals a NULL.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, text
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


class ObservationStage:
    """The temporary table of checked rows for one import, on the session's connection.

    Rows are ``(line, indicator_id, area_id, period_start, value, status)``. The table lives
    as long as the transaction: a rollback (or, on PostgreSQL, the commit) drops it.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.batch: list[tuple] = []
        self.rows = 0
        session.execute(
            text(f"DROP TABLE IF EXISTS {'pg_temp' if self.postgres else 'temp'}.{TABLE}")
        )
        session.execute(text(_CREATE + (" ON COMMIT DROP" if self.postgres else "")))
        self.raw = session.connection().connection.driver_connection

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
        """Write the pending batch into the temporary table."""
        if not self.batch:
            return
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
        return [
            Repeat(line, first, indicator_id, area_id, _date(start))
            for line, first, indicator_id, area_id, start in self.session.execute(
                query, {"limit": limit}
            )
        ]

    def counts(self) -> dict[int, Counts]:
        """Return per indicator id how many staged rows are new, changed and unchanged."""
        self.flush()
        counts: dict[int, Counts] = {}
        for rows, area in _CASES:
            query = text(
                "SELECT r.indicator_id, COUNT(*), COUNT(o.id),"  # noqa: S608
                f" SUM(CASE WHEN {_CHANGED} THEN 1 ELSE 0 END)"
                f" FROM {TABLE} AS r LEFT JOIN observation AS o ON {_SAME}{area}"
                f" WHERE {rows} GROUP BY r.indicator_id"
            )
            for indicator_id, total, found, changed in self.session.execute(query):
                count = counts.setdefault(indicator_id, Counts())
                count.inserted += total - found
                count.updated += changed or 0
                count.unchanged += found - (changed or 0)
        return counts

    def merge(self, *, now: datetime, source: str, user_id: int | None) -> None:
        """Keep changed values as revisions, then update them and insert the new rows."""
        self.flush()
        values = {"now": now, "source": source, "user_id": user_id}
        for rows, area in _CASES:
            for statement in _merge_statements(rows, _SAME + area):
                self.session.execute(statement, values)
        if not self.postgres:
            self.session.execute(text(f"DROP TABLE temp.{TABLE}"))


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

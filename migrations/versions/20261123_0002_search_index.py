"""search index: one full-text table kept current by triggers

Written by hand (autogenerate cannot describe FTS5 tables or tsvector triggers) and
hidden from autogenerate by its ``search_`` prefix (see migrations/env.py).

``search_document`` holds one row per searchable thing: published stories, session
notes, indicators and learning questions. Triggers on the source tables keep it
current, so no code path that writes those tables can forget the index. A story is
only in the index while it is published.

SQLite: an FTS5 table with ``unicode61 remove_diacritics 2`` (``café`` finds ``cafe``);
the rowid is ``id * 4 + kind code`` so a trigger deletes one row without a scan.
PostgreSQL: an ordinary table with a ``tsvector`` of the Dutch configuration (Snowball
stemmer: ``gezinnen`` finds ``gezin``) and a GIN index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 14:25:00
"""

# SQL here is assembled from the constants below only, never from input.
# ruff: noqa: S608

from collections.abc import Sequence
from dataclasses import dataclass

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


@dataclass(frozen=True)
class Source:
    """How one table feeds the index; expressions use ``{row}`` for NEW/OLD."""

    table: str
    kind: str
    code: int
    title: str
    body: str
    day: str  # a date, or NULL
    url: str
    visible: str = "1 = 1"


def _sources(dialect: str) -> list[Source]:
    date_of = "date({row}.created_at)" if dialect == "sqlite" else "{row}.created_at::date"
    return [
        Source(
            table="narrative",
            kind="story",
            code=0,
            title="{row}.title",
            body="{row}.body",
            day="{row}.occurred_on",
            url="'/stories/' || {row}.id",
            visible="{row}.status = 'published'",
        ),
        Source(
            table="reflection_session",
            kind="session",
            code=1,
            title="{row}.title",
            body="{row}.see || ' ' || {row}.mean || ' ' || {row}.\"do\"",
            day="{row}.held_on",
            url="'/sessions/' || {row}.id",
        ),
        Source(
            table="indicator",
            kind="indicator",
            code=2,
            title="{row}.name",
            body="{row}.description",
            day="NULL",
            url="'/indicators/' || {row}.slug",
        ),
        Source(
            table="learning_question",
            kind="question",
            code=3,
            title="{row}.text",
            body="''",
            day=date_of,
            url="'/learning#question-' || {row}.id",
        ),
    ]


def _values(source: Source, row: str) -> str:
    parts = [f"'{source.kind}'", "{row}.id", source.title, source.body]
    parts += [source.day, source.url]
    return ", ".join(part.format(row=row) for part in parts)


COLUMNS = "kind, ref_id, title, body, day, url"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _upgrade_sqlite()
    else:
        _upgrade_postgresql()


def _upgrade_sqlite() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE search_document USING fts5("
        "kind UNINDEXED, ref_id UNINDEXED, title, body, day UNINDEXED, url UNINDEXED, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    for source in _sources("sqlite"):
        for statement in sqlite_triggers(source):
            op.execute(statement)
        op.execute(
            f"INSERT INTO search_document (rowid, {COLUMNS}) "
            f"SELECT {_rowid(source).format(row='t')}, {_values(source, 't')} "
            f"FROM {source.table} t WHERE {source.visible.format(row='t')}"
        )


def _rowid(source: Source) -> str:
    return f"{{row}}.id * 4 + {source.code}"


def sqlite_triggers(source: Source) -> list[str]:
    """The three triggers that keep ``source``'s rows in the SQLite index.

    SQLite drops a table's triggers when a batch migration rebuilds the table (as adding
    a foreign key does), so later revisions that rebuild a source table create them
    again with this (see 0016)."""
    rowid = _rowid(source)
    insert = (
        f"INSERT INTO search_document (rowid, {COLUMNS}) "
        f"SELECT {rowid.format(row='new')}, {_values(source, 'new')} "
        f"WHERE {source.visible.format(row='new')};"
    )
    delete = f"DELETE FROM search_document WHERE rowid = {rowid.format(row='old')};"
    name = f"search_{source.table}"
    return [
        f"CREATE TRIGGER {name}_ai AFTER INSERT ON {source.table} BEGIN {insert} END",
        f"CREATE TRIGGER {name}_au AFTER UPDATE ON {source.table} BEGIN {delete} {insert} END",
        f"CREATE TRIGGER {name}_ad AFTER DELETE ON {source.table} BEGIN {delete} END",
    ]


def _upgrade_postgresql() -> None:
    op.execute(
        "CREATE TABLE search_document ("
        "kind varchar(20) NOT NULL, ref_id integer NOT NULL, title text NOT NULL, "
        "body text NOT NULL, day date, url text NOT NULL, "
        "document tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('dutch', title), 'A') || "
        "setweight(to_tsvector('dutch', body), 'B')) STORED, "
        "PRIMARY KEY (kind, ref_id))"
    )
    op.execute("CREATE INDEX search_document_gin ON search_document USING gin (document)")
    for source in _sources("postgresql"):
        name = f"search_{source.table}"
        op.execute(
            f"""
            CREATE FUNCTION {name}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    DELETE FROM search_document WHERE kind = '{source.kind}' AND ref_id = OLD.id;
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') AND {source.visible.format(row="NEW")} THEN
                    INSERT INTO search_document ({COLUMNS}) VALUES ({_values(source, "NEW")});
                END IF;
                RETURN NULL;
            END $$
            """
        )
        op.execute(
            f"CREATE TRIGGER {name}_sync AFTER INSERT OR UPDATE OR DELETE ON {source.table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}_sync()"
        )
        op.execute(
            f"INSERT INTO search_document ({COLUMNS}) "
            f"SELECT {_values(source, 't')} FROM {source.table} t "
            f"WHERE {source.visible.format(row='t')}"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for source in _sources(dialect):
        name = f"search_{source.table}"
        if dialect == "sqlite":
            for suffix in ("ai", "au", "ad"):
                op.execute(f"DROP TRIGGER IF EXISTS {name}_{suffix}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}_sync ON {source.table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}_sync()")
    op.execute("DROP TABLE IF EXISTS search_document")

"""SQL that only one engine understands stays in the few modules named for it (issue 9).

The same code runs on SQLite and PostgreSQL; what differs is kept in one adapter per
concern, so that a change for one engine is made in one place and the other engine's
path stays in sight. This test reads the source of ``app/`` and fails on SQL of one
engine anywhere else.
"""

import re
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
ADAPTERS = {
    "db.py": "connections (SQLite pragmas, PostgreSQL pool), errors, id sequences",
    "search/index.py": "full-text search: FTS5 on SQLite, tsvector on PostgreSQL",
    "figures/staging.py": "bulk import through a temporary table, COPY on PostgreSQL",
    "archive/backup.py": "SQLite's online backup API (PostgreSQL: pg_dump)",
}
# SQL keywords as SQL is written here (upper case), function and table names as they are.
ENGINE_ONLY_SQL = re.compile(
    r"\bPRAGMA\b|USING fts5|\bMATCH\s*:|\bbm25\(|\bsnippet\(|sqlite_master"
    r"|INSERT OR (REPLACE|IGNORE)|to_tsquery|to_tsvector|ts_rank|ts_headline|\bCOPY\b"
    r"|pg_temp|pg_get_serial_sequence|\bsetval\b|\bILIKE\b"
)


def engine_only_sql(source: str) -> list[str]:
    """The lines of ``source`` that hold SQL of one engine (in comments and docstrings too)."""
    return [line.strip() for line in source.splitlines() if ENGINE_ONLY_SQL.search(line)]


def test_engine_only_sql_lives_in_the_named_adapters():
    strays = {
        str(path.relative_to(APP)): lines
        for path in sorted(APP.rglob("*.py"))
        if str(path.relative_to(APP)) not in ADAPTERS
        and (lines := engine_only_sql(path.read_text(encoding="utf-8")))
    }
    assert strays == {}


def test_the_pattern_finds_what_it_looks_for():
    assert engine_only_sql('cursor.execute("PRAGMA journal_mode=WAL")')
    assert engine_only_sql("WHERE search_document MATCH :match")
    assert engine_only_sql("SELECT setval(seq, 1)")
    assert engine_only_sql('copy(f"COPY {TABLE} FROM STDIN")')
    assert not engine_only_sql("select(Narrative).where(Narrative.title.contains(q))")
    assert not engine_only_sql("copy = self.model_copy(deep=True)")
    assert not engine_only_sql("each word is quoted (FTS5) or joined with ``&``")

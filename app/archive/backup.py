"""A consistent copy of a live SQLite database, taken with SQLite's online backup API.

``Connection.backup`` copies the pages under one read transaction, so the copy is
the database as it was at one moment even while the server keeps writing (WAL lets
the writers continue). PostgreSQL has its own tool for this: ``pg_dump``.
"""

import sqlite3
from pathlib import Path

from sqlalchemy.engine import Engine, make_url

PG_DUMP_HINT = (
    "this instance runs on PostgreSQL: take a backup with "
    "`pg_dump --format=custom --file=FILE DATABASE_URL` and restore it with "
    "`pg_restore --clean --dbname=DATABASE_URL FILE` (see README.md, Backup and restore)"
)


class BackupError(Exception):
    """A backup cannot be taken; the message says what to do instead."""


def backup_sqlite(engine: Engine, target: Path) -> Path:
    """Copy the database behind ``engine`` to ``target`` (written whole, then renamed)."""
    url = make_url(str(engine.url))
    if url.get_backend_name() != "sqlite":
        raise BackupError(PG_DUMP_HINT)
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(url.database, timeout=10)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    partial.rename(target)
    return target

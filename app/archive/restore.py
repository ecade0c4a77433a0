"""Restore an export archive into an empty instance, all or nothing.

Rows are inserted parents first with their original ids; on PostgreSQL the id
sequences are moved past the restored ids afterwards, so new rows do not collide.
"""

import json
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Table, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from app.archive.export import EXCLUDED_COLUMNS, FORMAT_VERSION, alembic_revision, exported_tables
from app.db import catch_up_id_sequences


class ArchiveError(Exception):
    """The archive cannot be restored here; the message says why (nothing was written)."""


def restore_archive(engine: Engine, source: Path) -> dict[str, int]:
    """Insert every table of the archive at ``source``; return the row count per table."""
    try:
        with zipfile.ZipFile(source) as zf:
            manifest = json.loads(zf.read("manifest.json"))
            data = {
                table.name: json.loads(zf.read(f"tables/{table.name}.json"))
                for table in exported_tables()
                if table.name in manifest.get("tables", {})
            }
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ArchiveError(f"{source} is not a Duiding export archive ({error})") from error
    if manifest.get("format") != FORMAT_VERSION:
        raise ArchiveError(f"unsupported archive format {manifest.get('format')!r}")
    with engine.begin() as connection:
        revision = alembic_revision(connection)
        if manifest.get("alembic_revision") != revision:
            raise ArchiveError(
                f"the archive has schema revision {manifest.get('alembic_revision')}, "
                f"this database {revision}: run `duiding db upgrade` on matching versions"
            )
        filled = non_empty_tables(connection)
        if filled:
            raise ArchiveError(
                "the database is not empty (rows in " + ", ".join(filled) + "); "
                "restore only into a freshly migrated database"
            )
        for table in exported_tables():
            rows = [_from_json(table, row) for row in data.get(table.name, [])]
            if rows:
                connection.execute(table.insert(), rows)
        catch_up_id_sequences(connection, exported_tables())
    return {name: len(rows) for name, rows in data.items()}


def non_empty_tables(connection: Connection) -> list[str]:
    """Names of the model tables that hold at least one row."""
    return [
        table.name
        for table in SQLModel.metadata.sorted_tables
        if connection.execute(select(func.count()).select_from(table)).scalar()
    ]


def _from_json(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    values = {}
    for column in table.columns:
        if column.name in EXCLUDED_COLUMNS.get(table.name, {}):
            # Left out on export (a secret); an empty hash never matches a password.
            values[column.name] = ""
            continue
        values[column.name] = _parse(column, row.get(column.name))
    return values


def _parse(column, value: Any) -> Any:
    """Turn ISO 8601 text back into dates and (UTC) timestamps; other values pass."""
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    if value is None:
        return None
    if isinstance(kind, DateTime):
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    return value

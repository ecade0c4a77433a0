"""Export every table as CSV and JSON in one zip, with a README of the columns.

Contact details (``narrative_contact``) never leave the instance, and neither do
secrets: ``user.password_hash`` and the ``api_token`` table are left out, so an
archive can be handed to an analyst or a successor system without risk.

The archive is such a hand-over, not the backup (``duiding backup`` copies the database
file whole, for disaster recovery): a story that is hidden (withdrawn by its submitter
or refused by moderation) keeps its row, so that what refers to it (themes, figure
links, sessions, frozen reports, the audit log) still restores, but none of its text:
its title reads "verhaal ingetrokken" and its body and organisation are empty.
"""

import csv
import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Table, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401  (registers every table on SQLModel.metadata)
from app.audit import record
from app.models import User, utcnow

FORMAT_VERSION = 1
EXCLUDED_TABLES = {
    "narrative_contact": "contact details of story submitters (privacy: never exported)",
    "api_token": "hashes of API tokens (secrets: create new tokens after a restore)",
    "data_version": "counters of changes for caches (a restore counts its own writes anew)",
}
EXCLUDED_COLUMNS = {
    "user": {"password_hash": "password hashes (secrets: restored users must set a new password)"},
}
#: What a hidden story's text columns read in an archive (its row stays).
WITHDRAWN_TITLE = "verhaal ingetrokken"
WITHDRAWN = {"title": WITHDRAWN_TITLE, "body": "", "organisation": ""}
SCRUBBED_ROWS = {
    "narrative": "a hidden story (withdrawn or refused) keeps its row but none of its text: "
    f"title '{WITHDRAWN_TITLE}', body and organisation empty",
}


def exported_tables() -> list[Table]:
    """The tables an archive holds, parents before children (foreign-key order)."""
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in EXCLUDED_TABLES]


def exported_columns(table: Table) -> list[Column]:
    """The columns of ``table`` an archive holds."""
    left_out = EXCLUDED_COLUMNS.get(table.name, {})
    return [column for column in table.columns if column.name not in left_out]


def to_json_value(value: Any) -> Any:
    """Turn a column value into plain JSON (dates and timestamps as ISO 8601)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def to_csv_value(value: Any) -> str:
    """Turn a column value into CSV text: empty for NULL, JSON for lists and objects."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(to_json_value(value))


def read_rows(connection: Connection, table: Table) -> list[dict[str, Any]]:
    """Every row of ``table`` as JSON-ready dicts, in primary-key order."""
    columns = exported_columns(table)
    query = select(*columns).order_by(*table.primary_key.columns)
    rows = [
        {column.name: to_json_value(value) for column, value in zip(columns, row, strict=True)}
        for row in connection.execute(query)
    ]
    if table.name == "narrative":
        rows = [{**row, **WITHDRAWN} if row["status"] == "hidden" else row for row in rows]
    return rows


def alembic_revision(connection: Connection) -> str | None:
    """The schema revision of the database (None when it was never migrated)."""
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def export_archive(engine: Engine, target: Path) -> dict[str, int]:
    """Write the archive to ``target`` and return the row count per table.

    All tables are read in one transaction, so the archive is one consistent moment.
    """
    counts: dict[str, int] = {}
    with engine.connect() as connection, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for table in exported_tables():
            rows = read_rows(connection, table)
            counts[table.name] = len(rows)
            zf.writestr(f"tables/{table.name}.json", json.dumps(rows, ensure_ascii=False, indent=1))
            zf.writestr(f"tables/{table.name}.csv", _csv(table, rows))
        manifest = {
            "format": FORMAT_VERSION,
            "alembic_revision": alembic_revision(connection),
            "exported_at": utcnow().isoformat(),
            "tables": counts,
        }
        zf.writestr("manifest.json", json.dumps(manifest, indent=1))
        zf.writestr("README.md", readme())
    return counts


def export_audited(*, session: Session, engine: Engine, target: Path, user: User) -> dict[str, int]:
    """Export as ``export_archive`` does and record in ``session`` who took the data out
    (flushed; the caller's write session commits): every change of hands is audited."""
    counts = export_archive(engine, target)
    record(
        session=session,
        action="export",
        entity="archive",
        user=user,
        detail={"rows": sum(counts.values())},
    )
    return counts


def _csv(table: Table, rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    names = [column.name for column in exported_columns(table)]
    writer = csv.writer(buffer)
    writer.writerow(names)
    for row in rows:
        writer.writerow([to_csv_value(row[name]) for name in names])
    return buffer.getvalue()


def readme() -> str:
    """Describe the archive: files, what is left out and why, and every column."""
    lines = [
        "# Duiding export",
        "",
        "Every table is here twice: `tables/<name>.csv` (UTF-8, header row, empty cell =",
        "NULL, lists and objects as JSON) and `tables/<name>.json` (a list of objects).",
        "Dates and timestamps are ISO 8601; timestamps are UTC. `manifest.json` holds the",
        "schema revision (Alembic) and the row counts. Restore into an empty instance with",
        "`duiding import archive FILE.zip`.",
        "",
        "## Left out",
        "",
    ]
    lines += [f"- table `{name}`: {why}" for name, why in EXCLUDED_TABLES.items()]
    lines += [
        f"- column `{table}.{column}`: {why}"
        for table, columns in EXCLUDED_COLUMNS.items()
        for column, why in columns.items()
    ]
    lines += [f"- rows of `{table}`: {why}" for table, why in SCRUBBED_ROWS.items()]
    lines += ["", "## Tables", ""]
    for table in exported_tables():
        lines += [f"### {table.name}", "", "| column | type | null | notes |", "|---|---|---|---|"]
        for column in exported_columns(table):
            notes = [f"→ {fk.target_fullname}" for fk in column.foreign_keys]
            if column.primary_key:
                notes.insert(0, "primary key")
            if column.comment or column.info.get("description"):
                notes.append(column.comment or column.info["description"])
            nullable = "yes" if column.nullable else "no"
            cells = [column.name, _type_name(column), nullable, "; ".join(notes)]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _type_name(column: Column) -> str:
    enums = getattr(column.type, "enums", None)
    if enums:
        return "text: " + " / ".join(enums)
    try:
        return column.type.python_type.__name__
    except NotImplementedError:
        return type(column.type).__name__.lower()

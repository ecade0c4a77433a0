"""``duiding export``, ``duiding import archive`` and ``duiding backup``."""

from pathlib import Path

import typer

from app.cli.console import fail, ok


def export(file: Path = typer.Argument(..., help="The zip file to write.")) -> None:
    """Write every table (no contact details, no secrets) as CSV and JSON to a zip."""
    from app.archive.export import export_archive
    from app.db import get_engine

    if file.exists():
        fail(f"{file} exists already; choose a new file name")
    counts = export_archive(get_engine(), file)
    ok(f"exported {sum(counts.values())} rows from {len(counts)} tables to {file}")


def import_archive(file: Path = typer.Argument(..., help="A zip written by `duiding export`.")):
    """Restore an export into this empty instance: everything or nothing."""
    from app.archive.restore import ArchiveError, restore_archive
    from app.db import get_write_engine

    try:
        counts = restore_archive(get_write_engine(), file)
    except ArchiveError as error:
        fail(f"nothing was restored: {error}")
    ok(f"restored {sum(counts.values())} rows into {len(counts)} tables from {file}")
    ok("restored accounts have no password (it is never exported): give each a new one")


def backup(file: Path = typer.Argument(..., help="The file to write the copy to.")) -> None:
    """Take a consistent copy of the SQLite database while the server keeps running."""
    from app.archive.backup import BackupError, backup_sqlite
    from app.db import get_engine

    try:
        backup_sqlite(get_engine(), file)
    except BackupError as error:
        fail(str(error))
    ok(f"backup written to {file}")

"""Backups: a consistent SQLite copy while another thread keeps writing."""

import sqlite3
import threading

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from app.archive.backup import BackupError, backup_sqlite
from app.cli import app as cli
from app.db import get_engine, get_write_engine, is_sqlite
from app.models import Theme


@pytest.fixture
def sqlite_only(env):
    if not is_sqlite(get_engine()):
        pytest.skip("the online backup API is SQLite's; PostgreSQL uses pg_dump")


def add_theme(n: int) -> None:
    with Session(get_write_engine()) as session:
        session.add(Theme(slug=f"t-{n}", name=f"Thema {n}"))
        session.commit()


def test_backup_while_writing_is_intact_and_holds_every_row_committed_before(sqlite_only, tmp_path):
    for n in range(200):
        add_theme(n)
    stop = threading.Event()
    written = []

    def keep_writing() -> None:
        n = 1000
        while not stop.is_set():
            add_theme(n)
            written.append(n)
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 20:  # the writer is well under way
            threading.Event().wait(0.01)
        done_before = list(written)
        committed_before = {f"t-{n}" for n in [*range(200), *done_before]}
        target = backup_sqlite(get_engine(), tmp_path / "copy.db")
    finally:
        stop.set()
        writer.join()

    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        slugs = {row[0] for row in copy.execute("SELECT slug FROM theme")}
    finally:
        copy.close()
    assert committed_before <= slugs
    assert len(written) > len(done_before)  # the writer kept going around the backup


def test_backup_never_overwrites_an_existing_file(sqlite_only, tmp_path):
    existing = tmp_path / "copy.db"
    existing.write_text("keep me")
    with pytest.raises(BackupError, match="exists already"):
        backup_sqlite(get_engine(), existing)
    assert existing.read_text() == "keep me"


def test_cli_backup_on_sqlite_writes_a_copy_and_on_postgresql_points_to_pg_dump(env, tmp_path):
    add_theme(1)
    target = tmp_path / "cli.db"
    result = CliRunner().invoke(cli, ["backup", str(target)])
    if is_sqlite(get_engine()):
        assert result.exit_code == 0, result.output
        copy = sqlite3.connect(target)
        assert copy.execute("SELECT count(*) FROM theme").fetchone() == (1,)
        copy.close()
    else:
        assert result.exit_code == 1
        assert "pg_dump" in result.output
        assert not target.exists()

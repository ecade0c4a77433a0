"""Imports never block the rest: staging and checks take no write lock, one import at a time.

An import is paused halfway through its file (the stream waits), and meanwhile the
application is used as people use it: a story through the form, a read with a token,
a second import. On SQLite the paused import must not hold the database's write lock.
"""

import io
import re
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

from app import db
from app.cli import app as cli
from app.figures import uploads
from app.figures.csv_import import import_observations
from app.figures.staging import ImportBusy
from app.models import AuditEntry, Frequency, Narrative, Observation
from tests.factories import bearer, csrf, csrf_from, login, make_indicator, story_form

ROWS = 2000


class PausingStream(io.BytesIO):
    """A file that stops after its first chunk until ``release`` is set."""

    def __init__(self, content: bytes) -> None:
        super().__init__(content)
        self.paused = threading.Event()
        self.release = threading.Event()

    def read1(self, size: int = -1) -> bytes:
        if self.tell() > 0 and not self.release.is_set():
            self.paused.set()
            assert self.release.wait(30), "the test never released the import"
        return super().read1(min(size, 4096) if size and size > 0 else 4096)

    read = read1


def csv_content(rows: int = ROWS) -> bytes:
    lines = ["indicator,period,area,value"]
    # monthly from 1900: 2,000 months end in 2066, inside the years a period may lie in
    lines += [f"wmo,{1900 + n // 12}-{n % 12 + 1:02d},,{n}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


class PausedImport:
    """Run ``import_observations`` in a thread, paused after its first chunk."""

    def __init__(self, *, dry_run: bool = False) -> None:
        self.stream = PausingStream(csv_content())
        self.outcome = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(dry_run,))

    def _run(self, dry_run: bool) -> None:
        try:
            with Session(db.get_engine()) as session:
                self.outcome = import_observations(
                    session=session, stream=self.stream, source="groot.csv", dry_run=dry_run
                )
        except BaseException as error:  # reported by finish()
            self.error = error

    def __enter__(self) -> "PausedImport":
        self.thread.start()
        assert self.stream.paused.wait(30), "the import never reached its pause"
        return self

    def __exit__(self, *_exc) -> None:
        self.stream.release.set()
        self.thread.join(60)

    def finish(self):
        self.__exit__()
        if self.error:
            raise self.error
        return self.outcome


@pytest.fixture
def wmo(session):
    return make_indicator(session, slug="wmo", frequency=Frequency.month)


def _count(session: Session, model) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(model)).one()[0]


def test_story_and_token_read_are_answered_while_an_import_stages(settings, client, session, wmo):
    settings(public_stories=True)
    headers = bearer(session, "viewer")
    token = csrf(client, "/stories/new")
    with PausedImport() as running:
        sent = client.post("/stories/new", data=story_form(token, 1), follow_redirects=False)
        assert sent.status_code == 303, sent.text
        read = client.get("/api/v1/indicators", headers=headers)
        assert read.status_code == 200
        assert _count(session, Narrative) == 1
        assert _count(session, Observation) == 0
        outcome = running.finish()
    assert not outcome.problems
    assert outcome.result.inserted == ROWS
    assert _count(session, Observation) == ROWS


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_staging_import_holds_no_write_lock(env, wmo, dry_run):
    engine = db.get_engine()
    if not db.is_sqlite(engine):
        pytest.skip("the write lock is SQLite's")
    with PausedImport(dry_run=dry_run) as running:
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            raw.execute("PRAGMA busy_timeout=0")  # fail at once if anyone holds the lock
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("UPDATE indicator SET name = 'tijdens de import'")
            raw.execute("COMMIT")
            raw.execute(f"PRAGMA busy_timeout={db.SQLITE_BUSY_TIMEOUT_MS}")
        outcome = running.finish()
    assert outcome.result.inserted == ROWS


def test_a_preview_writes_nothing_to_the_database(env, session, wmo):
    engine = db.get_engine()
    with engine.connect() as connection:
        before = _changes(connection)
    with Session(engine) as reading:
        outcome = import_observations(
            session=reading, stream=io.BytesIO(csv_content()), source="x.csv", dry_run=True
        )
    assert outcome.result.inserted == ROWS
    with engine.connect() as connection:
        assert _changes(connection) == before
    assert _count(session, Observation) == 0
    assert _count(session, AuditEntry) == 0


def _changes(connection) -> object:
    """On SQLite, the database file and its WAL as they are on disk (None elsewhere)."""
    if connection.dialect.name != "sqlite":
        return None
    files = [Path(connection.engine.url.database), Path(connection.engine.url.database + "-wal")]
    return [(path.stat().st_size, path.stat().st_mtime_ns) for path in files if path.exists()]


def test_a_second_import_is_refused_with_a_clear_message(env, session, wmo, tmp_path):
    path = tmp_path / "tweede.csv"
    path.write_bytes(csv_content(10))
    with PausedImport():
        with Session(db.get_engine()) as reading, pytest.raises(ImportBusy):
            import_observations(session=reading, stream=path.open("rb"), source="tweede.csv")
        result = CliRunner().invoke(cli, ["import", "observations", str(path)])
        assert result.exit_code == 1
        assert "another import is running; nothing of tweede.csv was imported" in result.output
        assert "Traceback" not in result.output and "locked" not in result.output
    assert _count(session, Observation) == ROWS


def _preview(client, content: bytes):
    return client.post(
        "/indicators/import",
        data={"csrf_token": csrf(client, "/indicators/import")},
        files={"file": ("cijfers.csv", content, "text/csv")},
    )


def _kept(settings_dir: Path) -> list[Path]:
    folder = settings_dir / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_web_import_while_another_runs_says_so_in_dutch_and_keeps_the_upload(
    client, session, wmo, tmp_path
):
    login(client, session, "editor")
    data_dir = tmp_path / "data"
    preview = _preview(client, csv_content(5))
    assert preview.status_code == 200
    upload = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
    with PausedImport():
        busy = _preview(client, csv_content(5))
        assert busy.status_code == 409
        assert "Er loopt al een import van cijfers." in busy.text
        confirm = client.post(
            "/indicators/import/commit",
            data={"csrf_token": csrf_from(preview.text), "token": upload, "name": "cijfers.csv"},
        )
        assert confirm.status_code == 409
        assert "Er loopt al een import van cijfers." in confirm.text
        assert [path.name for path in _kept(data_dir)] == [upload]
    assert _count(session, Observation) == ROWS


def test_upload_previews_are_deleted_after_commit_cancel_failure_and_a_day(
    client, session, wmo, tmp_path
):
    login(client, session, "editor")
    data_dir = tmp_path / "data"

    def previewed() -> tuple[str, str]:
        page = _preview(client, csv_content(3))
        return re.search(r'name="token" value="([^"]+)"', page.text).group(1), csrf_from(page.text)

    upload, form_token = previewed()
    assert [path.name for path in _kept(data_dir)] == [upload]
    assert (_kept(data_dir)[0].stat().st_mode & 0o777) == 0o600
    assert ((data_dir / "uploads").stat().st_mode & 0o777) == 0o700
    client.post("/indicators/import/commit", data={"csrf_token": form_token, "token": upload})
    assert _kept(data_dir) == []

    upload, form_token = previewed()
    cancelled = client.post(
        "/indicators/import/cancel",
        data={"csrf_token": form_token, "token": upload},
        follow_redirects=False,
    )
    assert cancelled.status_code == 303
    assert _kept(data_dir) == []

    refused = _preview(client, b"")  # nothing to map: the file itself must be fixed
    assert refused.status_code == 422
    assert _kept(data_dir) == []

    upload, _ = previewed()
    assert uploads.prune(data_dir=data_dir, now=time.time() + uploads.KEEP_SECONDS - 60) == 0
    assert uploads.prune(data_dir=data_dir, now=time.time() + uploads.KEEP_SECONDS + 60) == 1
    assert _kept(data_dir) == []

"""An import's merge writes in short chunks, yet stays all-or-nothing for every reader.

Between two chunks the write lock is free (a story sent then is stored), readers still
see the old values, and a crash there leaves the database as it was for them; the
next import removes what the crashed one left, or finishes one that had committed.
Old values are kept as revisions exactly as a one-transaction merge kept them.
"""

import io
import os
import threading
import time

import pytest
from sqlalchemy import text
from sqlmodel import Session, func, select

from app import db
from app.config import get_settings
from app.figures import staging, uploads
from app.figures.csv_import import import_observations
from app.models import Narrative, Observation, ObservationImport, ObservationRevision
from app.startup import on_startup
from tests.factories import bearer, csrf, make_indicator, story_form
from tests.test_import_concurrency import csv_content

ROWS = 450  # in chunks of 100: five of them


@pytest.fixture
def wmo(session, monkeypatch):
    monkeypatch.setattr(staging, "CHUNK", 100)
    indicator = make_indicator(session, slug="wmo", frequency="month")
    session.commit()
    return indicator


def _import(content: bytes, source: str = "cijfers.csv"):
    with Session(db.get_engine()) as session:
        outcome = import_observations(session=session, stream=io.BytesIO(content), source=source)
    assert not outcome.problems, outcome.problems
    return outcome


def _changed(rows: int = ROWS, new: int = 50) -> bytes:
    """Every value of ``csv_content`` plus 1000, and ``new`` periods after them."""
    lines = ["indicator,period,area,value"]
    lines += [f"wmo,{1900 + n // 12}-{n % 12 + 1:02d},,{n + 1000}" for n in range(rows + new)]
    return ("\n".join(lines) + "\n").encode()


def _values(client, headers) -> dict[str, float]:
    """The values a reader gets through the API, by period; the listing's total counts
    the same rows (it is counted in SQL, apart from the page)."""
    answer = client.get("/api/v1/indicators/wmo/observations?limit=1000", headers=headers)
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert answer.json()["total"] == len(items)
    return {item["period"]: item["value"] for item in items}


def _crash_after_the_commit(monkeypatch):
    """Import the values, then changed ones whose import dies between its commit and
    its settling; return the real settling step."""
    _import(csv_content(ROWS))

    def crash(_self, _found: int) -> None:
        raise RuntimeError("killed after the commit, before settling")

    settle = staging.ObservationStage._settle
    monkeypatch.setattr(staging.ObservationStage, "_settle", crash)
    with pytest.raises(RuntimeError):
        _import(_changed())
    return settle


def _raw(session, sql: str) -> int:
    session.rollback()
    return session.execute(text(sql)).scalar_one()


def _settled(session) -> None:
    """No row of any import is left: the table has its ordinary shape again."""
    assert _raw(session, "SELECT COUNT(*) FROM observation WHERE import_id IS NOT NULL") == 0
    assert _raw(session, "SELECT COUNT(*) FROM observation WHERE replaced_by IS NOT NULL") == 0
    assert _raw(session, "SELECT COUNT(*) FROM observation_import") == 0


def test_a_crash_between_chunks_leaves_the_old_values_and_the_next_import_cleans_up(
    client, session, wmo, monkeypatch
):
    viewer = bearer(session, "viewer")
    session.commit()
    _import(csv_content(ROWS))
    before = _values(client, viewer)
    assert len(before) == ROWS and before["1900-01"] == 0

    _crash_between_chunks(monkeypatch)
    # Three chunks of rows were written, yet readers see exactly what was there.
    assert _raw(session, "SELECT COUNT(*) FROM observation WHERE import_id IS NOT NULL") == 300
    assert _values(client, viewer) == before
    session.rollback()
    assert session.exec(select(func.count()).select_from(Observation)).one() == ROWS
    assert session.exec(select(func.count()).select_from(ObservationRevision)).one() == 0

    monkeypatch.setattr(staging, "between_chunks", lambda _chunk: None)
    outcome = _import(_changed())
    assert (outcome.result.inserted, outcome.result.updated) == (50, ROWS)
    after = _values(client, viewer)
    assert len(after) == ROWS + 50 and after["1900-01"] == 1000
    _settled(session)
    session.rollback()
    revisions = session.exec(select(ObservationRevision)).all()
    assert sorted(r.value for r in revisions) == [float(n) for n in range(ROWS)]
    rows = {o.id: o for o in session.exec(select(Observation)).all()}
    assert all(rows[r.observation_id].value == r.value + 1000 for r in revisions)
    assert all(r.superseded_at == rows[r.observation_id].recorded_at for r in revisions)


def test_a_crash_after_the_commit_shows_the_new_values_and_the_next_import_settles(
    client, session, wmo, monkeypatch
):
    viewer = bearer(session, "viewer")
    session.commit()
    settle = _crash_after_the_commit(monkeypatch)
    values = _values(client, viewer)
    assert len(values) == ROWS + 50 and set(values.values()) == {n + 1000.0 for n in range(500)}
    assert _raw(session, "SELECT COUNT(*) FROM observation_import") == 1

    monkeypatch.setattr(staging.ObservationStage, "_settle", settle)
    _import(b"indicator,period,area,value\nwmo,2050-01,,7\n", source="klein.csv")
    _settled(session)
    assert _values(client, viewer) == {**values, "2050-01": 7.0}
    session.rollback()
    assert session.exec(select(func.count()).select_from(ObservationRevision)).one() == ROWS


def test_a_story_sent_while_the_merge_is_between_chunks_is_stored(
    settings, client, session, wmo, monkeypatch
):
    settings(public_stories=True)
    viewer = bearer(session, "viewer")
    session.commit()
    paused, release = threading.Event(), threading.Event()

    def pause(chunk: int) -> None:
        if chunk == 2:
            paused.set()
            assert release.wait(60), "the test never released the import"

    monkeypatch.setattr(staging, "between_chunks", pause)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            _import(csv_content(ROWS))
        except BaseException as error:
            failure.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    try:
        assert paused.wait(60), "the import never reached its second chunk"
        engine = db.get_engine()
        if db.is_sqlite(engine):  # nobody holds the write lock between chunks
            with engine.connect() as connection:
                raw = connection.connection.driver_connection
                raw.execute("PRAGMA busy_timeout=0")
                raw.execute("BEGIN IMMEDIATE")
                raw.execute("ROLLBACK")
                raw.execute(f"PRAGMA busy_timeout={db.SQLITE_BUSY_TIMEOUT_MS}")
        token = csrf(client, "/stories/new")
        sent = client.post("/stories/new", data=story_form(token, 1), follow_redirects=False)
        assert sent.status_code == 303, sent.text
        session.rollback()
        assert session.exec(select(func.count()).select_from(Narrative)).one() == 1
        assert _values(client, viewer) == {}  # two chunks written, none of it visible
    finally:
        release.set()
        worker.join(120)
    assert not failure, failure
    assert len(_values(client, viewer)) == ROWS
    _settled(session)
    session.rollback()
    assert session.exec(select(ObservationImport)).all() == []


def _crash_between_chunks(monkeypatch) -> None:
    """Import ``_changed()`` and die after three of its chunks, as a SIGKILL would."""

    def crash(chunk: int) -> None:
        if chunk == 3:
            raise RuntimeError("the import's process died here")

    monkeypatch.setattr(staging, "between_chunks", crash)
    with pytest.raises(RuntimeError):
        _import(_changed())
    monkeypatch.setattr(staging, "between_chunks", lambda _chunk: None)


def test_the_servers_start_removes_what_a_crashed_import_left(client, session, wmo, monkeypatch):
    viewer = bearer(session, "viewer")
    session.commit()
    _import(csv_content(ROWS))
    before = _values(client, viewer)
    _crash_between_chunks(monkeypatch)
    assert _raw(session, "SELECT COUNT(*) FROM observation WHERE import_id IS NOT NULL") == 300
    data_dir = get_settings().data_dir
    stale, _ = uploads.keep(data_dir=data_dir, stream=io.BytesIO(b"indicator,period\n"))
    fresh, _ = uploads.keep(data_dir=data_dir, stream=io.BytesIO(b"indicator,period\n"))
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(uploads.folder(data_dir) / stale, (two_days_ago, two_days_ago))

    on_startup()

    _settled(session)  # the crashed import's hidden rows and its record are gone
    assert _values(client, viewer) == before  # the committed values as they were
    session.rollback()
    assert session.exec(select(func.count()).select_from(ObservationRevision)).one() == 0
    assert uploads.find(data_dir=data_dir, name=stale) is None  # a preview left for a day
    assert uploads.find(data_dir=data_dir, name=fresh) is not None  # one still being read


def test_the_servers_start_settles_an_import_that_committed_before_it_crashed(
    client, session, wmo, monkeypatch
):
    viewer = bearer(session, "viewer")
    session.commit()
    settle = _crash_after_the_commit(monkeypatch)
    values = _values(client, viewer)
    monkeypatch.setattr(staging.ObservationStage, "_settle", settle)

    on_startup()

    _settled(session)
    assert _values(client, viewer) == values
    session.rollback()
    assert session.exec(select(func.count()).select_from(ObservationRevision)).one() == ROWS


def test_the_servers_start_leaves_the_rows_of_a_running_import_alone(session, wmo, monkeypatch):
    _import(csv_content(ROWS))
    _crash_between_chunks(monkeypatch)
    with staging.ObservationStage(db.get_engine()):  # an import running in another process
        assert staging.clean_up_imports(db.get_engine()) is False
        assert _raw(session, "SELECT COUNT(*) FROM observation WHERE import_id IS NOT NULL") == 300
    assert staging.clean_up_imports(db.get_engine()) is True
    _settled(session)


def test_the_overview_and_the_dashboard_do_not_see_an_unfinished_imports_rows(
    client, session, wmo, monkeypatch
):
    """They read every series as plain rows (no ORM, so no visibility rule of its own):
    a crash between chunks must leave them with the old values, as the API has them."""
    from app.figures.overview import overview
    from app.figures.unexplained import latest_variations, recent_runs

    _import(csv_content(ROWS))
    session.rollback()
    before = overview(session=session).rows[0].points
    dashboard = (recent_runs(session), latest_variations(session))
    assert len(before) == ROWS and before[-1].value == ROWS - 1
    _crash_between_chunks(monkeypatch)
    session.rollback()
    assert _raw(session, "SELECT COUNT(*) FROM observation WHERE import_id IS NOT NULL") == 300
    session.rollback()
    after = overview(session=session).rows[0].points
    assert [(p.period_start, p.value) for p in after] == [(p.period_start, p.value) for p in before]
    assert (recent_runs(session), latest_variations(session)) == dashboard


def test_a_value_stored_while_the_import_ran_is_kept_as_a_revision_when_it_settles(
    session, wmo, monkeypatch
):
    """Settling finds, chunk by chunk (ranges of ids), the current row each of the
    import's rows replaces, also one stored by hand for a period that was new to the
    import while it merged: its value becomes a revision, never a second current row."""
    _import(csv_content(ROWS))  # 1900-01 onwards; _changed adds 50 new periods
    new_period, merge_between_chunks = "1937-08", staging.between_chunks

    def store_by_hand(chunk: int) -> None:
        if chunk == -1:  # merged, not yet committed: the new period is still hidden
            with Session(db.get_engine()) as writer:
                period = f"{new_period}-01"
                writer.execute(
                    text(
                        "INSERT INTO observation (indicator_id, period_start, value, recorded_at,"
                        " source, status) VALUES (:i, :p, 99, CURRENT_TIMESTAMP, 'form', '')"
                    ),
                    {"i": wmo.id, "p": period},
                )
                writer.commit()
        merge_between_chunks(chunk)

    monkeypatch.setattr(staging, "between_chunks", store_by_hand)
    _import(_changed())
    _settled(session)
    rows = session.exec(select(Observation).order_by(Observation.period_start)).all()
    assert len(rows) == ROWS + 50  # one current row per period
    assert [row.value for row in rows] == [float(n + 1000) for n in range(ROWS + 50)]
    by_hand = [row for row in rows if row.period_start.isoformat() == f"{new_period}-01"]
    revisions = session.exec(
        select(ObservationRevision).where(ObservationRevision.observation_id == by_hand[0].id)
    ).all()
    assert [revision.value for revision in revisions] == [99.0]
    replaced = session.exec(select(func.count()).select_from(ObservationRevision)).one()
    assert replaced == ROWS + 1  # the old value of every period, and the one by hand


def test_the_indexes_of_an_imports_rows_leave_settled_rows_out(session):
    """A full index of import_id let PostgreSQL look up settled rows by it (``IS NULL``),
    reading all of them per lookup: settling 1,000,000 rows took minutes."""
    engine = db.get_engine()
    for column in ("import_id", "replaced_by"):
        name = f"ix_observation_{column}"
        if engine.dialect.name == "postgresql":
            sql = "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
        else:
            sql = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"
        definition = session.execute(text(sql), {"name": name}).scalar_one()
        assert f"WHERE ({column} IS NOT NULL)" in definition.replace('"', "") or (
            f"WHERE {column} IS NOT NULL" in definition.replace('"', "")
        ), definition

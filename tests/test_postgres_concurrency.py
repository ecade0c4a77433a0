"""Several uvicorn workers on PostgreSQL: a burst of stories during a CSV import (issue 9).

This is the deployment the README describes beyond one machine: worker processes
that share one PostgreSQL database. 200 stories arrive at once while an operator's
import is writing; nothing may be lost, stored twice or answered with an error.
Skipped on SQLite, which serves one worker process.
"""

import asyncio
import os
import subprocess
import time

import httpx
import pytest
from sqlalchemy import func, select, text

from app import db
from app.models import Narrative, Observation
from bench import generate
from bench.server import DUIDING, ServerProcess
from tests import engines
from tests.factories import csrf_from, story_form

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not engines.test_database_url(), reason="needs DUIDING_TEST_DATABASE_URL (PostgreSQL)"
    ),
]

WORKERS = 3
SUBMISSIONS = 200
IMPORT_ROWS = 100_000
WRITING_DEADLINE_SECONDS = 300


def _import_is_writing(session) -> bool:
    """Whether a transaction on this database has written (only the import writes now)."""
    session.rollback()
    return bool(
        session.exec(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND backend_xid IS NOT NULL"
            )
        ).one()[0]
    )


async def _burst(base: str) -> list[int]:
    limits = httpx.Limits(max_connections=SUBMISSIONS)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        token = csrf_from((await client.get("/stories/new")).text)
        responses = await asyncio.gather(
            *(client.post("/stories/new", data=story_form(token, n)) for n in range(SUBMISSIONS))
        )
    return [response.status_code for response in responses]


def test_stories_during_an_import_on_several_workers_land_once(settings, session, tmp_path):
    settings(public_stories=True, story_rate_limit=100_000)
    indicators = -(-IMPORT_ROWS // (generate.DISTRICTS * generate.YEARS * 12))
    generate.write_reference(db.get_engine(), indicators)
    path = tmp_path / "figures.csv"
    generate.write_observations_csv(path, indicators, limit=IMPORT_ROWS)
    log = tmp_path / "server.log"

    with ServerProcess(dict(os.environ), log, workers=WORKERS) as server:
        importer = subprocess.Popen(
            [DUIDING, "import", "observations", str(path)],
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + WRITING_DEADLINE_SECONDS
        while not _import_is_writing(session):
            assert importer.poll() is None, "the import ended before it was seen writing"
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.05)
        statuses = asyncio.run(_burst(server.base))
        _, errors = importer.communicate(timeout=600)

    assert log.read_text().count("Started server process") == WORKERS
    assert importer.returncode == 0, errors
    assert statuses == [303] * SUBMISSIONS
    session.rollback()
    stored = dict(
        session.exec(select(Narrative.title, func.count()).group_by(Narrative.title)).all()
    )
    assert len(stored) == SUBMISSIONS
    assert set(stored.values()) == {1}
    assert session.exec(select(func.count()).select_from(Observation)).one()[0] == IMPORT_ROWS

"""Load at scale (issue 24, items 1, 8 and 9): many stories against real servers.

- ``load_at_scale``: N story submissions from C clients over reused keep-alive
  connections against ``duiding serve --workers W`` on a fresh database; afterwards
  every title is counted in the database: each acknowledged (303) story must be stored
  exactly once, and no request may fail with a reset connection. 10,000 at concurrency
  200 against four workers on PostgreSQL, 2,000 at concurrency 100 against one SQLite
  server (``--load-scale`` scales the counts).
- ``during_import``: story submissions and token-authenticated API reads while
  ``duiding import observations`` imports the 1,000,000-row file into the same SQLite
  database; none may fail, and the p95 of a submission while the import runs is the
  number issue 24 item 1 sets a target for (<= 2 s).
"""

import asyncio
import os
import re
import statistics
import subprocess
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import func, select

from app.db import make_engine
from app.models import Narrative, Observation
from bench import generate, load
from bench.server import DUIDING, ServerProcess, add_user

#: (engine, stories, concurrency, workers) at load scale 1.
PLANS = {"postgresql": (10_000, 200, 4), "sqlite": (2_000, 100, 1)}
DURING_WRITERS = 8  # story submitters while the import runs
DURING_READERS = 2  # API readers with a bearer token meanwhile
EDITOR = ("bench-redacteur@example.org", "bench-redacteur-wachtwoord")


def _stored(url: str, prefix: str) -> Counter:
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(Narrative.title, func.count())
            .where(Narrative.title.startswith(prefix))
            .group_by(Narrative.title)
        ).all()
    engine.dispose()
    return Counter(dict(rows))


def _verdict(name: str, sent: list[str], run: load.Submissions, stored: Counter) -> dict:
    acknowledged = set(run.acknowledged)
    return {
        f"{name}_sent": len(sent),
        f"{name}_statuses": {str(k): v for k, v in sorted(run.statuses.items())},
        f"{name}_errors": dict(run.errors),
        f"{name}_reset": run.statuses.get(0, 0),
        f"{name}_acknowledged": len(acknowledged),
        # Every acknowledged story stored once, and none stored twice.
        f"{name}_stored_once": all(stored[t] == 1 for t in acknowledged)
        and all(n == 1 for n in stored.values()),
        f"{name}_stored": sum(stored.values()),
        f"{name}_p50_ms": run.percentile(50),
        f"{name}_p95_ms": run.percentile(95),
        f"{name}_per_second": round(len(sent) / run.seconds, 1) if run.seconds else None,
        f"{name}_seconds": round(run.seconds, 1),
    }


def load_at_scale(dbs, env: dict, logs: Path, scale: float) -> dict:
    """The engine's plan (PLANS) against a fresh database, every story counted after."""
    count, concurrency, workers = PLANS[dbs.engine]
    count = max(concurrency, round(count * scale))
    url = dbs.fresh("load")
    name = "load"
    prefix = f"scale-{uuid.uuid4().hex[:8]}-"
    titles = [f"{prefix}{n}" for n in range(count)]
    server_env = {**env, "DUIDING_DATABASE_URL": url}
    log = logs / f"server-load-{dbs.engine}.log"
    with ServerProcess(server_env, log, workers=workers, start_seconds=90 * workers) as server:
        run = load.submit_timed(server.base, titles, concurrency)
    result = _verdict(name, titles, run, _stored(url, prefix))
    result[f"{name}_plan"] = f"{count} stories, concurrency {concurrency}, {workers} worker(s)"
    return result


def _token(env: dict) -> str:
    add_user(env, *EDITOR, "editor")
    made = subprocess.run(
        [DUIDING, "tokens", "create", EDITOR[0], "--name", "bench"],
        text=True,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return made.stdout.strip().split()[-1]


async def _during(base: str, prefix: str, token: str, slug: str, importing) -> dict:
    """Submit stories and read the API with a token until ``importing()`` is False."""
    limits = httpx.Limits(max_connections=DURING_WRITERS + DURING_READERS)
    submissions = load.Submissions()
    reads: list[float] = []
    read_statuses: Counter = Counter()
    sent: list[str] = []
    async with httpx.AsyncClient(base_url=base, timeout=load.TIMEOUT, limits=limits) as client:
        csrf = load.hidden_fields((await client.get("/stories/new")).text).get("csrf_token", "")

        async def writer(n: int) -> None:
            k = 0
            while importing():
                title = f"{prefix}{n}-{k}"
                k += 1
                sent.append(title)
                started = time.perf_counter()
                try:
                    response = await client.post("/stories/new", data=load.story_form(csrf, title))
                except httpx.HTTPError as error:
                    submissions.statuses[0] += 1
                    submissions.errors[type(error).__name__] += 1
                    continue
                submissions.timings.append((time.perf_counter() - started) * 1000)
                submissions.statuses[response.status_code] += 1
                if response.status_code == 303:
                    submissions.acknowledged.append(title)

        async def reader() -> None:
            headers = {"Authorization": f"Bearer {token}"}
            while importing():
                started = time.perf_counter()
                try:
                    response = await client.get(
                        f"/api/v1/indicators/{slug}/observations?limit=5", headers=headers
                    )
                except httpx.HTTPError:
                    read_statuses[0] += 1
                    continue
                reads.append((time.perf_counter() - started) * 1000)
                read_statuses[response.status_code] += 1
                await asyncio.sleep(0.05)

        started = time.perf_counter()
        await asyncio.gather(
            *(writer(n) for n in range(DURING_WRITERS)), *(reader() for _ in range(DURING_READERS))
        )
        submissions.seconds = time.perf_counter() - started
    read_p95 = (
        round(statistics.quantiles(reads, n=100, method="inclusive")[94], 1)
        if len(reads) > 1
        else None
    )
    return {
        "submissions": submissions,
        "sent": sent,
        "reads": len(reads),
        "read_statuses": {str(k): v for k, v in sorted(read_statuses.items())},
        "read_p95_ms": read_p95,
    }


def during_import(dbs, env: dict, logs: Path, import_file: Path, rows: int, indicators: int):
    """Stories and token reads against one server while the CLI imports ``import_file``."""
    url = dbs.fresh("during")
    engine = make_engine(url)
    generate.write_reference(engine, indicators)
    engine.dispose()
    server_env = {**env, "DUIDING_DATABASE_URL": url}
    token = _token(server_env)
    prefix = f"during-{uuid.uuid4().hex[:8]}-"
    log = logs / f"import-during-{dbs.engine}.log"
    with (
        ServerProcess(server_env, logs / f"server-during-{dbs.engine}.log") as server,
        log.open("wb") as output,
    ):
        started = time.monotonic()
        process = subprocess.Popen(
            [DUIDING, "import", "observations", str(import_file)],
            env=server_env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        seen = asyncio.run(
            _during(server.base, prefix, token, "bench-0001", lambda: process.poll() is None)
        )
        code = process.wait()
        import_seconds = time.monotonic() - started
    engine = make_engine(url)
    with engine.connect() as connection:
        stored_rows = connection.execute(select(func.count()).select_from(Observation)).scalar_one()
    engine.dispose()
    result = _verdict("during_import", seen["sent"], seen["submissions"], _stored(url, prefix))
    result |= {
        "during_import_rows": rows,
        "during_import_exit": code,
        "during_import_rows_stored": stored_rows,
        "during_import_seconds_total": round(import_seconds, 1),
        "during_import_reads": seen["reads"],
        "during_import_read_statuses": seen["read_statuses"],
        "during_import_read_p95_ms": seen["read_p95_ms"],
        "during_import_load": round(os.getloadavg()[0], 1),
        "during_import_max_ms": round(max(seen["submissions"].timings), 1)
        if seen["submissions"].timings
        else None,
    }
    held = re.search(r"write lock held ([0-9.]+) s", log.read_text(errors="replace"))
    result["during_import_lock_seconds"] = float(held[1]) if held else None
    return result

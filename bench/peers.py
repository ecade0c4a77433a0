"""The peers Duiding is measured against, interleaved with it in the same run (issue 23).

A number alone says little on a shared 2-core machine whose load swings from 0 to 20;
the same work done by a well-known peer in the same seconds says how far Duiding is from
what the data allows. Each comparison alternates requests (or rounds) between Duiding
and its peer, so that load from elsewhere slows both alike, and reports both absolute
times beside their ratio (Duiding / peer; below 1 Duiding is faster):

- Datasette serving the same SQLite file: its table page and its JSON for the rows of
  ``/indicators/{slug}`` and of the observations API, its start to the first 200 and
  its peak memory after the same pages;
- a plain FTS5 ``MATCH ... LIMIT 50`` on the same index, served by a bare Starlette
  route under the same uvicorn settings (the target's peer: both pay for HTTP) and run
  in this process (what the index alone costs), against Duiding's search page for the
  same words (common and rare, each query new);
- the bare Starlette route ``/healthz`` under the same uvicorn settings, against ours;
- the sqlite3 shell's ``.import`` of the same CSV into a bare table, and on PostgreSQL
  ``psql \\copy`` into a bare table and ``\\copy`` plus ``INSERT ... SELECT`` into the
  same schema, against ``duiding import observations``.
"""

import os
import sqlite3
import statistics
import subprocess
import sys
import time
from itertools import combinations, islice
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.cli.server import KEEP_ALIVE_SECONDS
from app.db import make_engine
from app.models import Area, Indicator
from app.search.query import terms_of
from bench import generate, load, results
from bench.bare import FTS_LIMIT, MATCH
from bench.server import HOST, ServerProcess

BIN = Path(sys.executable).parent
#: Rows per series on the indicator page: ten years of months.
SERIES_ROWS = generate.YEARS * 12
JSON_ROWS = 1000  # Datasette's max_returned_rows, and the API's page asked for
COMMON_TERMS = 20  # the most frequent words of the index, asked in pairs
RARE_DOCUMENTS = 5  # a rare word is in at most this many documents
START_ROUNDS = 2


def ratio(ours, theirs) -> float | str:
    """Duiding's time over the peer's, or why there is none."""
    if isinstance(ours, int | float) and isinstance(theirs, int | float) and theirs > 0:
        return round(ours / theirs, 2)
    return results.NOT_AVAILABLE


def _p(timings: list[float], cut: int) -> float | None:
    if len(timings) < 2:
        return None
    return round(statistics.quantiles(timings, n=100, method="inclusive")[cut - 1], 2)


def datasette(path: Path, log: Path) -> ServerProcess:
    """``datasette serve`` of one SQLite file, started and stopped as Duiding's server is."""
    command = [str(BIN / "datasette"), "serve", str(path), "--host", HOST, "--port", "{port}"]
    command += ["--setting", "sql_time_limit_ms", "30000"]
    return ServerProcess({}, log, command=command, ready="/-/versions.json")


def bare(env: dict, log: Path) -> ServerProcess:
    """``bench/bare.py`` under uvicorn with ``duiding serve``'s settings."""
    command = [str(BIN / "uvicorn"), "bench.bare:app", "--host", HOST, "--port", "{port}"]
    command += ["--proxy-headers", "--timeout-keep-alive", str(KEEP_ALIVE_SECONDS)]
    return ServerProcess(env, log, command=command)


def series_ids(url: str) -> tuple[dict[str, int], dict[str, int]]:
    """Indicator ids by slug and area ids by code: Datasette filters by the ids."""
    engine = make_engine(url)
    with engine.connect() as connection:
        indicators = dict(connection.execute(select(Indicator.slug, Indicator.id)).all())
        areas = dict(connection.execute(select(Area.code, Area.id)).all())
    engine.dispose()
    return indicators, areas


INDICATOR_PAGES = 10  # the indicators whose pages are asked, in turn


def indicator_series(slugs: list[str], count: int) -> list[tuple[str, str | None]]:
    """The series the indicator pages show, in turn: an indicator's municipality-wide
    series, then a district's (area code), over the first INDICATOR_PAGES indicators."""
    return [
        (
            slugs[n % min(INDICATOR_PAGES, len(slugs))],
            f"WK9999{n % generate.DISTRICTS + 1:02d}" if n % 2 else None,
        )
        for n in range(count)
    ]


def indicator_paths(slugs: list[str], count: int) -> list[str]:
    """Duiding's pages of ``indicator_series``."""
    return [
        f"/indicators/{slug}" + (f"?area={code}" if code else "")
        for slug, code in indicator_series(slugs, count)
    ]


def page_pairs(slugs: list[str], count: int, url: str, database: str):
    """Duiding's indicator pages and Datasette's table pages of the same rows, and the
    observations JSON of both (the API's first JSON_ROWS values of an indicator)."""
    indicators, areas = series_ids(url)
    theirs = []
    for slug, code in indicator_series(slugs, count):
        table = f"/{database}/observation?indicator_id={indicators[slug]}&_size={SERIES_ROWS}"
        theirs.append(f"{table}&area_id={areas[code]}" if code else f"{table}&area_id__isnull=1")
    json_ours = [
        f"/api/v1/indicators/{slugs[n % len(slugs)]}/observations?limit={JSON_ROWS}"
        for n in range(count)
    ]
    json_theirs = [
        f"/{database}/observation.json?indicator_id={indicators[slugs[n % len(slugs)]]}"
        f"&_size={JSON_ROWS}&_shape=array"
        for n in range(count)
    ]
    return indicator_paths(slugs, count), theirs, json_ours, json_theirs


def _pair(name: str, peer: str, ours: load.Sample, theirs: load.Sample) -> dict:
    """Both summaries and the ratios of their p50 and p95."""
    result = ours.summary(f"{name}_duiding") | theirs.summary(f"{name}_{peer}")
    for cut in ("p50", "p95"):
        result[f"{name}_{cut}_ratio"] = ratio(
            result.get(f"{name}_duiding_{cut}_ms"), result.get(f"{name}_{peer}_{cut}_ms")
        )
    return result


def bench_datasette(base: str, file: Path, url: str, slugs: list[str], args, logs: Path):
    """Indicator pages and observations JSON, Duiding and Datasette in turn; Datasette's
    peak memory after them."""
    count = args.requests
    ours, theirs, json_ours, json_theirs = page_pairs(slugs, count, url, file.stem)
    with datasette(file, logs / "datasette.log") as peer:
        page = load.interleaved(
            [load.Target(base, ours), load.Target(peer.base, theirs)], budget=args.page_seconds
        )
        data = load.interleaved(
            [load.Target(base, json_ours), load.Target(peer.base, json_theirs)],
            budget=args.page_seconds,
        )
        result = _pair("table", "datasette", *page) | _pair("json", "datasette", *data)
        result["datasette_peak_mb"] = peer.peak_rss_mb()
    return result


def bench_starts(env: dict, file: Path, logs: Path) -> dict:
    """Start to the first 200, Duiding and Datasette on the same file, in turn."""
    ours: list[float] = []
    theirs: list[float] = []
    for n in range(START_ROUNDS):
        with ServerProcess(env, logs / f"server-start-{n}.log") as server:
            ours.append(server.started_seconds or 0.0)
        with datasette(file, logs / f"datasette-start-{n}.log") as peer:
            theirs.append(peer.started_seconds or 0.0)
    result = {
        "start_duiding_ms": round(statistics.median(ours) * 1000),
        "start_datasette_ms": round(statistics.median(theirs) * 1000),
    }
    result["start_ratio"] = ratio(result["start_duiding_ms"], result["start_datasette_ms"])
    return result


def bench_healthz(base: str, env: dict, args, logs: Path) -> dict:
    """``/healthz`` against the bare route, request by request in turn."""
    paths = ["/healthz"] * (args.requests * 2)
    with bare(env, logs / "bare.log") as peer:
        samples = load.interleaved(
            [load.Target(base, paths), load.Target(peer.base, paths)], budget=args.page_seconds
        )
    return _pair("healthz", "bare", *samples)


def fts_queries(file: Path, count: int) -> dict[str, list[str]]:
    """Queries from the index's own vocabulary (fts5vocab): pairs of its most frequent
    words (each pair matches most stories) and words in at most RARE_DOCUMENTS
    documents, each query different, so no cache can answer one."""
    with sqlite3.connect(f"file:{file}?mode=ro", uri=True) as connection:
        connection.execute(
            "CREATE VIRTUAL TABLE temp.bench_vocab USING fts5vocab(main, search_document, row)"
        )
        common = [
            term
            for (term,) in connection.execute(
                "SELECT term FROM temp.bench_vocab ORDER BY doc DESC, term LIMIT ?",
                (COMMON_TERMS,),
            )
        ]
        rare = [
            term
            for (term,) in connection.execute(
                "SELECT term FROM temp.bench_vocab WHERE doc <= ? ORDER BY term LIMIT ?",
                (RARE_DOCUMENTS, count),
            )
        ]
    return {
        "common": [f"{a} {b}" for a, b in islice(combinations(common, 2), count)],
        "rare": rare,
    }


def fts_match(words: str) -> str:
    """The MATCH expression Duiding's search makes of the words (``terms_of``, then
    app/search/index.py): every word, the last one as a prefix."""
    return " ".join(f'"{term}"' for term in terms_of(words)) + "*"


def bench_fts(base: str, file: Path, viewer: tuple[str, str], args, logs: Path) -> dict:
    """Duiding's search page against a plain ``MATCH ... LIMIT 50``, served by the bare
    route and run in this process, query by query in turn (the same query to all three,
    every query new)."""
    result: dict = {}
    deadline = time.monotonic() + args.page_seconds
    env = dict(os.environ, BENCH_FTS_FILE=str(file))
    with (
        bare(env, logs / "bare-search.log") as peer,
        httpx.Client(base_url=base, timeout=load.TIMEOUT) as client,
        httpx.Client(base_url=peer.base, timeout=load.TIMEOUT) as bare_client,
        sqlite3.connect(f"file:{file}?mode=ro", uri=True) as connection,
    ):
        load.log_in_sync(client, *viewer)
        for kind, queries in fts_queries(file, args.requests).items():
            timings: dict[str, list[float]] = {"duiding": [], "fts5_http": [], "fts5": []}
            statuses: set[int] = set()
            for words in queries:
                if time.monotonic() > deadline:
                    break
                started = time.perf_counter()
                statuses.add(client.get("/search", params={"q": words}).status_code)
                timings["duiding"].append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                statuses.add(
                    bare_client.get("/search", params={"match": fts_match(words)}).status_code
                )
                timings["fts5_http"].append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                connection.execute(MATCH, (fts_match(words), FTS_LIMIT)).fetchall()
                timings["fts5"].append((time.perf_counter() - started) * 1000)
            name = f"search_{kind}"
            if statuses != {200} or len(timings["duiding"]) < 2:
                result[f"{name}_http_p95_ratio"] = (
                    f"{results.NOT_AVAILABLE} (HTTP {sorted(statuses)})"
                )
                continue
            result[f"{name}_queries"] = len(timings["duiding"])
            for who, taken in timings.items():
                result[f"{name}_{who}_p50_ms"] = _p(taken, 50)
                result[f"{name}_{who}_p95_ms"] = _p(taken, 95)
            ours = result[f"{name}_duiding_p95_ms"]
            result[f"{name}_http_p95_ratio"] = ratio(ours, result[f"{name}_fts5_http_p95_ms"])
            result[f"{name}_p95_ratio"] = ratio(ours, result[f"{name}_fts5_p95_ms"])
    return result


def _timed(args: list[str]) -> tuple[float, str]:
    """Seconds a command took, or raise with its error output."""
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {done.stderr.strip()[-300:]}")
    return time.perf_counter() - started, done.stdout


def sqlite3_import(workdir: Path, path: Path, name: str) -> float:
    """The sqlite3 shell's ``.import`` of the CSV into a bare table of a new file."""
    target = workdir / f"{name}.db"
    target.unlink(missing_ok=True)
    seconds, _ = _timed(["sqlite3", str(target), f".import --csv {path} bare_import"])
    target.unlink()
    return seconds


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as psql reads it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def psql_copy(url: str, path: Path) -> dict:
    """``\\copy`` into a bare table, then ``\\copy`` into a staging table plus
    ``INSERT ... SELECT`` into ``observation`` (whose reference rows must exist)."""
    psql = ["psql", libpq_url(url), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
    columns = "(indicator text, period text, area text, value text)"
    copy = "WITH (FORMAT csv, HEADER true)"
    bare_seconds, _ = _timed(
        [
            *psql,
            "-c",
            f"CREATE TABLE bare_import {columns}",
            "-c",
            f"\\copy bare_import FROM '{path}' {copy}",
        ]
    )
    insert = (
        "INSERT INTO observation (indicator_id, area_id, period_start, value, recorded_at, "
        "source, status) SELECT i.id, a.id, to_date(s.period, 'YYYY-MM'), s.value::float, "
        "now(), 'bench', '' FROM staging s JOIN indicator i ON i.slug = s.indicator "
        "LEFT JOIN area a ON a.code = NULLIF(s.area, '')"
    )
    schema_seconds, _ = _timed(
        [
            *psql,
            "-c",
            f"CREATE TEMP TABLE staging {columns}",
            "-c",
            f"\\copy staging FROM '{path}' {copy}",
            "-c",
            insert,
        ]
    )
    return {
        "psql_copy_seconds": round(bare_seconds, 2),
        "psql_copy_insert_seconds": round(schema_seconds, 2),
    }

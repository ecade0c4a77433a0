"""``make bench``: the large-dataset benchmark against a real server on loopback.

Per engine (SQLite, PostgreSQL or both): the large municipality of ``bench.generate``
(cached between runs, see ``bench.databases``); ``duiding import observations`` of
1,000,000 CSV rows into a fresh database, beside ``sqlite-utils insert --csv`` of the
same file; then ``duiding serve`` on a free 127.0.0.1 port, measured by the bounded
load generator of ``bench.load``: page latencies (search signed in as a viewer), story
submissions at concurrency 50 and 200 at once, each counted in the database, and the
server's peak memory; the peers of ``bench.peers`` interleaved with Duiding (each
figure beside its peer's, as a ratio); the large municipality's half-year report for a
viewer, first view and warm; last, on the demo municipality, the time to first page
after a restart (indicator page, timeline, half-year report, each on a server started
afresh on the data folder an earlier server left) and the half-year report on its own
server. ``--compare-scale`` measures the
indicator pages on a smaller dataset too (their growth with the data), ``--profile
PAGE`` only writes profiles (``bench.profile``). Each number is compared with its
target; the JSON report is printed and one dated row per engine goes to its table in
``bench/RESULTS.md``.
A feature that has not
landed yet is reported as "not available", never guessed.
"""

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from itertools import combinations, islice
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.db import make_engine
from app.demo import PASSWORD as DEMO_PASSWORD
from app.demo.figures import LAST_PERIOD as DEMO_LAST_PERIOD
from app.models import Indicator, Narrative, Observation
from bench import databases, generate, load, peers, results, scale
from bench.server import DUIDING, ServerProcess, add_user

LOGS = databases.CACHE_DIR / "logs"  # kept after the run, to read when a step failed
PROFILES = databases.CACHE_DIR / "profiles"  # written by --profile PAGE
BIN = Path(sys.executable).parent
IMPORT_ROWS = 1_000_000
SUBMISSIONS = 200
SUBMIT_CONCURRENCY = 50
SEARCH_WORDS = ["jeugdhulp", "wachtlijst", "mantelzorg", "schulden", "buurthuis"]
VIEWER = ("bench-lezer@example.org", "bench-lezer-wachtwoord")
DEMO_EDITOR = "redacteur@wadderveen.example"
SECRET_KEY = "bench-" + "x" * 40  # a throwaway key for throwaway databases
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
STEPS = ("import", "pages", "peers", "submissions", "report", "load", "during-import")
#: The steps that run on the large municipality (the others are the load at scale).
SERVER_STEPS = STEPS[:5]
#: The large municipality's last half year (bench/generate.py writes ten years of months).
LARGE_REPORT = f"/reports/{generate.FIRST_YEAR + generate.YEARS - 1}-H2"


def _run_child(args: list[str], env: dict) -> tuple[float, float, int, str]:
    """Run a command; return (seconds, peak RSS in MB, exit code, stderr tail)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        # wait4 gives this child's own resource usage, its peak RSS included.
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        errors.seek(0)
        tail = errors.read().decode(errors="replace")[-500:]
    return elapsed, usage.ru_maxrss / 1024, process.returncode, tail


def _indicators_for(rows: int) -> int:
    return -(-rows // (generate.SERIES_PER_INDICATOR * generate.YEARS * 12))


def write_import_file(workdir: Path, rows: int) -> Path:
    """The CSV both importers read: ``rows`` observations of generated indicators."""
    path = workdir / "import.csv"
    generate.write_observations_csv(path, _indicators_for(rows), limit=rows)
    return path


def time_sqlite_utils(workdir: Path, path: Path) -> dict:
    """The yardstick: ``sqlite-utils insert --csv`` of the file into a bare table."""
    seconds, _, code, tail = _run_child(
        [str(BIN / "sqlite-utils"), "insert", str(workdir / "bare.db"), "rows", str(path), "--csv"],
        dict(os.environ),
    )
    if code != 0:
        return {"sqlite_utils_seconds": f"failed: {tail.strip()}"}
    return {"sqlite_utils_seconds": round(seconds, 2)}


def _reference_database(dbs, name: str, rows: int) -> str:
    """A fresh database with the themes, areas and indicators the CSV names."""
    url = dbs.fresh(name)
    engine = make_engine(url)
    generate.write_reference(engine, _indicators_for(rows))
    engine.dispose()
    return url


def import_peers(dbs, workdir: Path, path: Path, rows: int, duiding) -> dict:
    """The import between its peers, in turn: on SQLite the sqlite3 shell's ``.import``
    before and after it (their mean is the peer's time), on PostgreSQL ``psql \\copy``
    into a bare table and into the schema before it."""
    if dbs.engine == "sqlite":
        before = peers.sqlite3_import(workdir, path, "peer-before")
        result = duiding()
        after = peers.sqlite3_import(workdir, path, "peer-after")
        result["sqlite3_import_seconds"] = round((before + after) / 2, 2)
        result["import_sqlite3_ratio"] = peers.ratio(
            result.get("import_seconds"), result["sqlite3_import_seconds"]
        )
        return result
    copied = peers.psql_copy(_reference_database(dbs, "copy", rows), path)
    result = copied | duiding()
    result["import_copy_ratio"] = peers.ratio(
        result.get("import_seconds"), copied["psql_copy_seconds"]
    )
    result["import_copy_insert_ratio"] = peers.ratio(
        result.get("import_seconds"), copied["psql_copy_insert_seconds"]
    )
    return result


def bench_import(dbs, path: Path, rows: int, env: dict, yardstick) -> dict:
    """``duiding import observations`` of the file into a fresh database, counted after."""
    url = _reference_database(dbs, "import", rows)
    engine = make_engine(url)
    seconds, peak, code, tail = _run_child(
        [DUIDING, "import", "observations", str(path)], {**env, "DUIDING_DATABASE_URL": url}
    )
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(Observation)).scalar_one()
    engine.dispose()
    if code != 0 or stored != rows:
        return {"import_ratio": f"failed (exit {code}, {stored} rows stored): {tail.strip()}"}
    result = {
        "import_rows": rows,
        "import_seconds": round(seconds, 2),
        "import_peak_mb": round(peak, 1),
    }
    if isinstance(yardstick, float):
        result["import_ratio"] = round(seconds / yardstick, 2)
    return result


def bench_pages(base: str, slugs: list[str], args) -> dict:
    """p50/p95 of the home page, indicator pages, a 6-indicator timeline and search (five
    words asked again and again, and queries each asked once)."""
    count = args.requests
    six = "&".join(f"indicator={s}" for s in slugs[:6])
    pages = {
        "home": (["/"] * count, None),
        # The municipality's series and a district's in turn, each with its stories.
        "indicator": (peers.indicator_paths(slugs, count), None),
        "timeline": ([f"/timeline?{six}"] * count, None),
        "search": ([f"/search?q={SEARCH_WORDS[n % 5]}" for n in range(count)], VIEWER),
        # Every query new: the search result cache (app/search/query.py) cannot help.
        "search_new": (
            [f"/search?q={a}+{b}" for a, b in islice(combinations(generate.WORDS, 2), count)],
            VIEWER,
        ),
    }
    result: dict = {}
    for name, (paths, login) in pages.items():
        sample = load.measure(
            base, paths, concurrency=args.concurrency, budget=args.page_seconds, login=login
        )
        result.update(sample.summary(name))
    return result


def _stored_titles(url: str, prefix: str) -> Counter:
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(Narrative.title, func.count())
            .where(Narrative.title.startswith(prefix))
            .group_by(Narrative.title)
        ).all()
    engine.dispose()
    return Counter(dict(rows))


def _landed_once(titles: list[str], statuses: Counter, stored: Counter) -> bool:
    return statuses == Counter({303: len(titles)}) and all(stored[t] == 1 for t in titles)


def bench_submissions(base: str, url: str) -> dict:
    """Stories per second at concurrency 50, then 200 at once; every one counted."""
    if httpx.get(f"{base}/stories/new", timeout=30).status_code != 200:
        return {"submissions_rate_verified": results.NOT_AVAILABLE}
    prefix = f"bench-{uuid.uuid4().hex[:8]}-"
    steady = [f"{prefix}c50-{n}" for n in range(SUBMISSIONS)]
    burst = [f"{prefix}c200-{n}" for n in range(SUBMISSIONS)]
    seconds, steady_statuses = load.submit(base, steady, SUBMIT_CONCURRENCY)
    burst_seconds, burst_statuses = load.submit(base, burst, SUBMISSIONS)
    stored = _stored_titles(url, prefix)
    return {
        "submissions_per_second": round(SUBMISSIONS / seconds, 1),
        "submissions_statuses": dict(steady_statuses),
        "submissions_rate_verified": _landed_once(steady, steady_statuses, stored),
        "submissions_burst_per_second": round(SUBMISSIONS / burst_seconds, 1),
        "submissions_burst_statuses": dict(burst_statuses),
        "submissions_burst_once": _landed_once(burst, burst_statuses, stored),
        "submissions_stored": sum(stored.values()),
    }


def bench_report(dbs, env: dict, args) -> dict:
    """The demo municipality: time to first page after start, then the half-year report
    signed in as its editor."""
    url = dbs.fresh("demo")
    demo_env = {**env, "DUIDING_DATABASE_URL": url}
    subprocess.run([DUIDING, "demo"], env=demo_env, check=True, capture_output=True, timeout=300)
    path = f"/reports/{DEMO_LAST_PERIOD.year}-H1"
    result = bench_cold_start(url, demo_env)
    with ServerProcess(demo_env, LOGS / f"server-demo-{dbs.engine}.log") as server:
        sample = load.measure(
            server.base,
            [path] * max(2, args.requests // 5),
            concurrency=1,
            budget=args.page_seconds,
            login=(DEMO_EDITOR, DEMO_PASSWORD),
        )
    result.update(sample.summary("report"))
    if sample.statuses.get(404):
        result["report_p95_ms"] = f"{results.NOT_AVAILABLE} ({path} answers 404)"
    return result


#: Pages a first visitor after a start opens, each timed on a server of its own.
COLD_PAGES = {
    "indicator": "/indicators/{slug}",
    "timeline": "/timeline",
    "report": "/reports/{year}-H1",
}


def bench_cold_start(url: str, demo_env: dict) -> dict:
    """Time to first page after a restart, per page: ``duiding serve`` on the demo
    municipality, started afresh for each page; once /healthz answers, the demo editor
    signs in and opens that page at once (the warm-up of app/warmup.py runs beside it).

    A restart, as after a deploy or a reboot: the data folder is as a server that showed
    these pages before left it (compiled templates, chart layouts and rendered charts,
    each kept under its code or data version), so one server shows each page first. The
    first view of charts never drawn before is the large report's ``report_first_ms``."""
    engine = make_engine(url)
    with engine.connect() as connection:
        slug = connection.execute(
            select(Indicator.slug).order_by(Indicator.name).limit(1)
        ).scalar_one()
    engine.dispose()
    paths = {
        name: template.format(slug=slug, year=DEMO_LAST_PERIOD.year)
        for name, template in COLD_PAGES.items()
    }
    demo_editor = (DEMO_EDITOR, DEMO_PASSWORD)
    _first_visits(demo_env, "cold-before", demo_editor, list(paths.values()))
    return {
        f"cold_{name}_ms": _first_visits(demo_env, f"cold-{name}", demo_editor, [path])[0]
        for name, path in paths.items()
    }


def _first_visits(
    env: dict, name: str, login: tuple[str, str], paths: list[str]
) -> list[float | str]:
    """A new server; once it answers, ``login`` signs in and opens ``paths`` in turn:
    each one's time in milliseconds, or why there is none."""
    with (
        ServerProcess(env, LOGS / f"server-{name}.log") as server,
        httpx.Client(base_url=server.base, timeout=300) as client,
    ):
        load.log_in_sync(client, *login)
        return [_timed(client, path) for path in paths]


def _timed(client: httpx.Client, path: str) -> float | str:
    """The time ``path`` takes to answer in milliseconds, or why it does not count."""
    started = time.perf_counter()
    response = client.get(path)
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    if response.status_code != 200:
        return f"{results.NOT_AVAILABLE} (HTTP {response.status_code})"
    return elapsed


class Steps:
    """Run the steps of one engine, each timed; a failing step is reported, not fatal."""

    def __init__(self, result: dict) -> None:
        self.result = result

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        except Exception as error:  # the report names it; the other steps still run
            self.result[f"{name}_error"] = f"{type(error).__name__}: {error}"[:500]
        finally:
            self.result.setdefault("step_seconds", {})[name] = round(time.monotonic() - started, 1)


def bench_load(dbs, args, workdir: Path, import_file: Path, result: dict) -> None:
    """Load at scale, and (SQLite) stories and token reads during the large import."""
    steps = Steps(result)
    env = {
        **os.environ,
        "DUIDING_DATA_DIR": str(workdir / f"data-load-{dbs.engine}"),
        "DUIDING_PUBLIC_STORIES": "true",
        "DUIDING_STORY_RATE_LIMIT": "1000000",
    }
    if "load" in args.steps and args.load_scale > 0:
        with steps.step("load"):
            result["load_uptime"] = _uptime()
            result.update(scale.load_at_scale(dbs, env, LOGS, args.load_scale))
    if "during-import" in args.steps and dbs.engine == "sqlite":
        with steps.step("during_import"):
            result["during_import_uptime"] = _uptime()
            result.update(
                scale.during_import(
                    dbs, env, LOGS, import_file, args.import_rows, _indicators_for(args.import_rows)
                )
            )


def _uptime() -> str:
    """What ``uptime`` says: the machine's load when a step starts."""
    done = subprocess.run(["uptime"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def bench_engine(dbs, args, workdir: Path, import_file: Path, yardstick: dict) -> dict:
    """Every measurement on one engine."""
    started = time.monotonic()
    result: dict = {}
    if not set(SERVER_STEPS) & set(args.steps):
        bench_load(dbs, args, workdir, import_file, result)
        result["engine_seconds"] = round(time.monotonic() - started, 1)
        return result
    url, cached = dbs.dataset(args.scale)
    result |= {"dataset": databases.dataset_counts(url), "dataset_cached": cached}
    steps = Steps(result)
    result["step_seconds"] = {"dataset": round(time.monotonic() - started, 1)}
    env = {
        **os.environ,
        "DUIDING_DATA_DIR": str(workdir / f"data-{dbs.engine}"),
        "DUIDING_DATABASE_URL": url,
        "DUIDING_PUBLIC_READ": "true",
        "DUIDING_PUBLIC_STORIES": "true",
        "DUIDING_STORY_RATE_LIMIT": "1000000",
    }
    if "import" in args.steps:
        with steps.step("import"):
            result.update(yardstick)
            bare = yardstick.get("sqlite_utils_seconds")
            result.update(
                import_peers(
                    dbs,
                    workdir,
                    import_file,
                    args.import_rows,
                    lambda: bench_import(dbs, import_file, args.import_rows, env, bare),
                )
            )
    engine = make_engine(url)
    with engine.connect() as connection:
        slugs = list(connection.execute(select(Indicator.slug).order_by(Indicator.id)).scalars())
    engine.dispose()
    add_user(env, *VIEWER, "viewer")
    with ServerProcess(env, LOGS / f"server-{dbs.engine}.log") as server:
        result["settled_seconds"] = server.settle()
        if "pages" in args.steps:
            with steps.step("pages"):
                result.update(bench_pages(server.base, slugs, args))
        if "peers" in args.steps:
            with steps.step("peers"):
                result.update(bench_peers(dbs, server.base, url, slugs, args))
        if "submissions" in args.steps:
            with steps.step("submissions"):
                result.update(bench_submissions(server.base, url))
        result["server_peak_mb"] = server.peak_rss_mb()
    if "peers" in args.steps and dbs.engine == "sqlite":
        with steps.step("starts"):
            result.update(peers.bench_starts(env, _sqlite_file(url), LOGS))
    if "report" in args.steps:
        with steps.step("large_report"):
            result.update(bench_large_report(env, args, workdir))
        with steps.step("report"):
            result.update(bench_report(dbs, env, args))
    if args.compare_scale:
        with steps.step("compare_scale"):
            result.update(bench_compare_scale(dbs, env, args, result))
    bench_load(dbs, args, workdir, import_file, result)
    result["engine_seconds"] = round(time.monotonic() - started, 1)
    return result


def _sqlite_file(url: str) -> Path:
    return Path(str(make_url(url).database))


def bench_peers(dbs, base: str, url: str, slugs: list[str], args) -> dict:
    """Datasette and raw FTS5 on the same SQLite file (SQLite only: they read the file),
    and the bare route beside ``/healthz`` on both engines."""
    result = peers.bench_healthz(base, dict(os.environ), args, LOGS)
    if dbs.engine != "sqlite":
        result["table_p50_ratio"] = f"{results.NOT_AVAILABLE} (Datasette reads SQLite)"
        return result
    file = _sqlite_file(url)
    result |= peers.bench_datasette(base, file, url, slugs, args, LOGS)
    result |= peers.bench_fts(base, file, VIEWER, args, LOGS)
    return result


def bench_large_report(env: dict, args, workdir: Path) -> dict:
    """The large municipality's half-year report for a viewer: the first view on a server
    started afresh on an empty chart store (every chart rendered), then warm visits;
    then, on a new server, the first view after one of its values was revised
    (``large_report_first_ms``: the revised figure's chart is rendered, the others'
    come from the store)."""
    with (
        ServerProcess(env, LOGS / "server-large-report.log") as server,
        httpx.Client(base_url=server.base, timeout=300) as client,
    ):
        load.log_in_sync(client, *VIEWER)
        result: dict = {"large_report_empty_store_ms": _timed(client, LARGE_REPORT)}
        sample = load.measure(
            server.base,
            [LARGE_REPORT] * max(2, args.requests // 10),
            concurrency=1,
            budget=args.page_seconds,
            login=VIEWER,
        )
        result.update(sample.summary("large_report"))
    _revise_one_value(env, workdir)
    [result["large_report_first_ms"]] = _first_visits(
        env, "large-report-revised", VIEWER, [LARGE_REPORT]
    )
    return result


def _revise_one_value(env: dict, workdir: Path) -> None:
    """Revise the last value of the report's first indicator, as a publisher's correction
    arrives: through ``duiding import observations``, as staff would."""
    year = generate.FIRST_YEAR + generate.YEARS - 1
    engine = make_engine(env["DUIDING_DATABASE_URL"])
    with engine.connect() as connection:
        slug, value = connection.execute(
            select(Indicator.slug, Observation.value)
            .join(Observation, Observation.indicator_id == Indicator.id)
            .where(Observation.area_id.is_(None), Observation.period_start == date(year, 12, 1))
            .order_by(Indicator.name)
            .limit(1)
        ).one()
    engine.dispose()
    path = workdir / "revision.csv"
    path.write_text(f"indicator,period,area,value\n{slug},{year}-12,,{value + 1}\n")
    subprocess.run(
        [DUIDING, "import", "observations", str(path)],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


def bench_compare_scale(dbs, env: dict, args, full: dict) -> dict:
    """The indicator pages (beside Datasette's on SQLite) on the dataset at
    ``--compare-scale``: how the page's time grows with the size of the data."""
    small = args.compare_scale
    url, _ = dbs.dataset(small, name="compare")
    small_env = {**env, "DUIDING_DATABASE_URL": url}
    engine = make_engine(url)
    with engine.connect() as connection:
        slugs = list(connection.execute(select(Indicator.slug).order_by(Indicator.id)).scalars())
    engine.dispose()
    with ServerProcess(small_env, LOGS / f"server-compare-{dbs.engine}.log") as server:
        if dbs.engine == "sqlite":
            measured = peers.bench_datasette(server.base, _sqlite_file(url), url, slugs, args, LOGS)
        else:
            ours = peers.indicator_paths(slugs, args.requests)
            sample = load.interleaved([load.Target(server.base, ours)], budget=args.page_seconds)
            measured = sample[0].summary("table_duiding")
    result = {f"small_{key}": value for key, value in measured.items() if "_p" in key}
    result["compare_scale"] = small
    # On PostgreSQL the full scale's own indicator pages (no Datasette to interleave).
    full_p50 = full.get("table_duiding_p50_ms", full.get("indicator_p50_ms"))
    result["indicator_growth"] = peers.ratio(full_p50, result.get("small_table_duiding_p50_ms"))
    if dbs.engine == "sqlite":
        result["datasette_growth"] = peers.ratio(
            full.get("table_datasette_p50_ms"), result.get("small_table_datasette_p50_ms")
        )
    return result


def bench_profile(dbs, args) -> dict:
    """``--profile PAGE``: pyinstrument profiles of pages of the large municipality."""
    url, cached = dbs.dataset(args.scale)
    env = {
        **os.environ,
        "DUIDING_DATABASE_URL": url,
        "DUIDING_PUBLIC_READ": "true",
    }
    add_user(env, *VIEWER, "viewer")
    written = []
    for page in args.profile:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.profile",
                page,
                "--out",
                str(PROFILES),
                "--email",
                VIEWER[0],
                "--password",
                VIEWER[1],
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=1800,
        )
        if done.returncode != 0:
            written.append(f"{page}: failed: {done.stderr.strip()[-500:]}")
        else:
            written.extend(done.stdout.split())
    return {"dataset_cached": cached, "profiles": written}


def profile(args) -> None:
    """``--profile PAGE``: only the profiles, on one engine (SQLite unless --engine)."""
    engine = "sqlite" if args.engine == "both" else args.engine
    with tempfile.TemporaryDirectory(prefix="duiding-bench-") as tmp:
        os.environ["DUIDING_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ["DUIDING_SECRET_KEY"] = SECRET_KEY
        dbs = _databases(engine, args, Path(tmp))
        if dbs is None:
            raise SystemExit(f"no PostgreSQL server at {args.postgres_url}")
        try:
            print(json.dumps(bench_profile(dbs, args), indent=2))
        finally:
            dbs.close()


def _databases(engine: str, args, workdir: Path):
    if engine == "sqlite":
        return databases.SqliteDatabases(workdir)
    if not databases.reachable(args.postgres_url):
        return None
    return databases.PostgresDatabases(args.postgres_url, workdir)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Duiding large-dataset benchmark.")
    parser.add_argument("--scale", type=float, default=1.0, help="dataset size; 1 = full")
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("DUIDING_BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="a PostgreSQL database to connect to; the benchmark creates its own beside it",
    )
    parser.add_argument("--import-rows", type=int, help="CSV rows (default 1,000,000 x scale)")
    parser.add_argument("--requests", type=int, default=100, help="requests per page at most")
    parser.add_argument("--page-seconds", type=float, default=40, help="time budget per page")
    parser.add_argument("--concurrency", type=int, default=1, help="parallel page requests")
    parser.add_argument("--conditions", default="", help="say how loaded the machine was")
    parser.add_argument("--no-record", action="store_true", help="do not append RESULTS.md")
    parser.add_argument(
        "--load-scale",
        type=float,
        default=1.0,
        help="stories of the load step: 1 = 10,000 at c=200 (PostgreSQL, 4 workers) and "
        "2,000 at c=100 (SQLite); 0 skips it",
    )
    parser.add_argument(
        "--compare-scale",
        type=float,
        help="also measure the indicator pages at this scale (e.g. 0.1): their growth",
    )
    parser.add_argument(
        "--profile",
        action="append",
        metavar="PAGE",
        help="only write pyinstrument profiles of PAGE (a path, repeatable) to "
        "bench/out/profiles/; the other steps do not run",
    )
    parser.add_argument(
        "--steps",
        default=",".join(STEPS),
        help=f"comma-separated steps to run, of {','.join(STEPS)}",
    )
    args = parser.parse_args()
    args.steps = [step.strip() for step in args.steps.split(",") if step.strip()]
    unknown = set(args.steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    args.import_rows = args.import_rows or max(1000, round(IMPORT_ROWS * args.scale))
    return args


def main() -> None:
    args = _arguments()
    if args.profile:
        profile(args)
        return
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    shutil.rmtree(LOGS, ignore_errors=True)  # the logs of this run only
    report_engines: dict = {}
    with tempfile.TemporaryDirectory(prefix="duiding-bench-") as tmp:
        workdir = Path(tmp)
        # generate.py and the CLI children read these (a secret key, a data folder).
        os.environ["DUIDING_DATA_DIR"] = str(workdir / "data")
        os.environ["DUIDING_SECRET_KEY"] = SECRET_KEY
        import_file = workdir / "import.csv"
        if {"import", "during-import"} & set(args.steps):
            import_file = write_import_file(workdir, args.import_rows)
        yardstick = time_sqlite_utils(workdir, import_file) if "import" in args.steps else {}
        for engine in engines:
            dbs = _databases(engine, args, workdir)
            if dbs is None:
                report_engines[engine] = {
                    "error": f"not available (no server at {args.postgres_url})"
                }
                continue
            try:
                report_engines[engine] = bench_engine(dbs, args, workdir, import_file, yardstick)
            finally:
                dbs.close()
    total = round(time.monotonic() - started, 1)
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, load {load_before:.1f} at start",
        "conditions": args.conditions or "not stated",
        "scale": args.scale,
        "total_seconds": total,
        "within_15_minutes": total < results.WALL_TIME_LIMIT,
        "engines": report_engines,
        "verdicts": {
            name: results.verdicts(result)
            for name, result in report_engines.items()
            if "error" not in result
        },
    }
    print(json.dumps(report, indent=2))
    if not args.no_record:
        if set(SERVER_STEPS) & set(args.steps):
            results.append(report)
            results.append_peers(report)
        results.append_load(report)


if __name__ == "__main__":
    main()

"""``make bench``: the large-dataset benchmark against a real server on loopback.

Steps: a temporary data folder and SQLite database, migrated; the large municipality
of ``bench.generate``; the CSV import of 1,000,000 rows beside ``sqlite-utils insert
--csv`` of the same file; then ``duiding serve`` on a free 127.0.0.1 port, measured by a
bounded async load generator (fixed request counts, timeouts, loopback only). Each
number is compared with the target of its issue; the JSON report is printed and a dated
row is appended to ``bench/RESULTS.md``. A step whose feature has not landed yet reports
"not available" instead of a number.

Latencies are measured by the client over loopback, so they include HTTP overhead and
are an upper bound of the server-side time the targets name.
"""

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select

from app.db import make_engine
from app.models import Indicator, Narrative
from bench import generate

HOST = "127.0.0.1"
RESULTS = Path(__file__).parent / "RESULTS.md"
BIN = Path(sys.executable).parent
NOT_AVAILABLE = "not available"
IMPORT_ROWS = 1_000_000
REQUESTS_PER_PAGE = 100
PAGE_CONCURRENCY = 4
SUBMISSIONS = 200
SUBMIT_CONCURRENCY = 50
TIMEOUT = httpx.Timeout(30.0)
TARGETS = {
    "import_ratio": ("issue 3", "<= 2.0", lambda v: v <= 2.0),
    "import_peak_mb": ("issue 3", "< 300", lambda v: v < 300),
    "indicator_p95_ms": ("issue 5", "<= 150", lambda v: v <= 150),
    "timeline_p95_ms": ("issue 5", "<= 300", lambda v: v <= 300),
    "search_p95_ms": ("issue 8", "<= 50", lambda v: v <= 50),
    "submissions_all_landed": ("issue 4", "all 200 stored once", lambda v: v is True),
}


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


def bench_import(workdir: Path, env: dict, rows: int) -> dict:
    """Time ``duiding import observations`` and ``sqlite-utils insert --csv`` on one file."""
    if not generate.import_cli_available():
        return {"import": NOT_AVAILABLE}
    database = workdir / "import.db"
    url = f"sqlite:///{database}"
    child_env = {**env, "DUIDING_DATABASE_URL": url}
    subprocess.run(
        [str(BIN / "duiding"), "db", "upgrade"],
        env=child_env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    engine = make_engine(url)
    # Enough indicators for ``rows`` rows of 25 districts by 120 months.
    per_indicator = generate.DISTRICTS * generate.YEARS * 12
    generate.write_reference(engine, -(-rows // per_indicator))
    engine.dispose()
    path = workdir / "import.csv"
    generate.write_observations_csv(path, -(-rows // per_indicator), limit=rows)
    ours, peak, code, tail = _run_child(
        [str(BIN / "duiding"), "import", "observations", str(path)], child_env
    )
    if code != 0:
        return {"import": f"failed (exit {code}): {tail.strip()}"}
    bare, _, code, tail = _run_child(
        [
            str(BIN / "sqlite-utils"),
            "insert",
            str(workdir / "bare.db"),
            "observation",
            str(path),
            "--csv",
        ],
        env,
    )
    if code != 0:
        return {"import": f"sqlite-utils failed: {tail.strip()}"}
    return {
        "import_rows": rows,
        "import_seconds": round(ours, 2),
        "sqlite_utils_seconds": round(bare, 2),
        "import_ratio": round(ours / bare, 2),
        "import_peak_mb": round(peak, 1),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _peak_rss_mb(pid: int) -> float | None:
    """The process's high-water resident memory (VmHWM) from /proc, in MB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return round(int(match.group(1)) / 1024, 1) if match else None


def start_server(env: dict) -> tuple[subprocess.Popen, str]:
    """Start ``duiding serve`` on a free loopback port and wait until /healthz answers."""
    port = _free_port()
    process = subprocess.Popen(
        [str(BIN / "duiding"), "serve", "--host", HOST, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start within 60 seconds")


async def _latencies(base: str, paths: list[str]) -> tuple[list[float], set[int]]:
    """GET each path (a fixed list) with bounded concurrency; return ms and statuses."""
    gate = asyncio.Semaphore(PAGE_CONCURRENCY)
    timings: list[float] = []
    statuses: set[int] = set()
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT) as client:

        async def one(path: str) -> None:
            async with gate:
                started = time.perf_counter()
                try:
                    response = await client.get(path)
                except httpx.HTTPError:
                    statuses.add(0)  # a timeout or reset: reported, never retried
                    return
                timings.append((time.perf_counter() - started) * 1000)
                statuses.add(response.status_code)

        with contextlib.suppress(httpx.HTTPError):
            await client.get(paths[0])  # warm-up: caches, first connection
        await asyncio.gather(*(one(p) for p in paths))
    return timings, statuses


def _percentiles(name: str, timings: list[float], statuses: set[int]) -> dict:
    if statuses != {200}:
        return {f"{name}_p95_ms": f"{NOT_AVAILABLE} (HTTP {sorted(statuses)})"}
    cuts = statistics.quantiles(timings, n=100)
    return {f"{name}_p50_ms": round(cuts[49], 1), f"{name}_p95_ms": round(cuts[94], 1)}


def bench_pages(base: str, slugs: list[str]) -> dict:
    """p50 and p95 of the home page, indicator pages, a 6-indicator timeline and search."""
    six = "&".join(f"indicator={s}" for s in slugs[:6])
    words = ["jeugdhulp", "wachtlijst", "mantelzorg", "schulden", "buurthuis"]
    pages = {
        "home": ["/"] * REQUESTS_PER_PAGE,
        "indicator": [f"/indicators/{slugs[n % len(slugs)]}" for n in range(REQUESTS_PER_PAGE)],
        "timeline": [f"/timeline?{six}"] * REQUESTS_PER_PAGE,
        "search": [f"/search?q={words[n % len(words)]}" for n in range(REQUESTS_PER_PAGE)],
    }
    result: dict = {}
    for name, paths in pages.items():
        result.update(_percentiles(name, *asyncio.run(_latencies(base, paths))))
    return result


FIELD_RE = re.compile(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"')


async def _submit(base: str, count: int) -> tuple[float, int]:
    """Fetch ``count`` story forms, then send them ``SUBMIT_CONCURRENCY`` at a time."""
    gate = asyncio.Semaphore(SUBMIT_CONCURRENCY)
    run = uuid.uuid4().hex[:8]

    async def prepare(n: int) -> tuple[httpx.AsyncClient, dict]:
        client = httpx.AsyncClient(base_url=base, timeout=TIMEOUT)
        async with gate:
            page = await client.get("/stories/new")
        hidden = {
            k: v for k, v in FIELD_RE.findall(page.text) if k in ("csrf_token", "submission_key")
        }
        form = {
            **hidden,
            "title": f"bench-{run}-{n}",
            "body": "Wij zien meer gezinnen aan de keukentafel.",
            "occurred": "2025-06",
            "author_role": "resident",
            "consent": "on",
            "consent_reach": "internal",
        }
        return client, form

    prepared = await asyncio.gather(*(prepare(n) for n in range(count)))
    accepted = 0

    async def send(client: httpx.AsyncClient, form: dict) -> None:
        nonlocal accepted
        async with gate:
            try:
                response = await client.post("/stories/new", data=form)
                accepted += response.status_code in (200, 303)
            except httpx.HTTPError:
                pass  # counted as not accepted
            finally:
                await client.aclose()

    started = time.perf_counter()
    await asyncio.gather(*(send(c, f) for c, f in prepared))
    return time.perf_counter() - started, accepted


def bench_submissions(base: str, url: str) -> dict:
    """Story submissions per second at concurrency 50, with the stored count checked."""
    if httpx.get(f"{base}/stories/new", timeout=TIMEOUT).status_code != 200:
        return {"submissions_all_landed": NOT_AVAILABLE}
    engine = make_engine(url)
    with engine.connect() as connection:
        before = connection.execute(select(func.count()).select_from(Narrative)).scalar_one()
    seconds, accepted = asyncio.run(_submit(base, SUBMISSIONS))
    with engine.connect() as connection:
        after = connection.execute(select(func.count()).select_from(Narrative)).scalar_one()
    engine.dispose()
    stored = after - before
    return {
        "submissions": SUBMISSIONS,
        "submissions_accepted": accepted,
        "submissions_stored": stored,
        "submissions_per_second": round(SUBMISSIONS / seconds, 1),
        "submissions_all_landed": accepted == SUBMISSIONS == stored,
    }


def verdicts(result: dict) -> dict:
    """Compare each measured number with its target: met, not met or not available."""
    out = {}
    for key, (issue, target, check) in TARGETS.items():
        value = result.get(key)
        if isinstance(value, int | float):  # bool included: True/False are verdicts too
            out[key] = {"issue": issue, "target": target, "value": value, "met": bool(check(value))}
        else:
            out[key] = {
                "issue": issue,
                "target": target,
                "value": value or NOT_AVAILABLE,
                "met": None,
            }
    return out


def append_results(report: dict) -> None:
    """Append one dated row to bench/RESULTS.md (header written on first use)."""
    columns = [
        "date",
        "machine",
        "scale",
        "import ratio",
        "import MB",
        "indicator p95",
        "timeline p95",
        "search p95",
        "home p95",
        "stories/s",
        "server MB",
        "met",
    ]
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Benchmark results\n\nAppended by `make bench` (bench/run.py); times in ms "
            "unless noted, measured by the client over loopback.\n\n"
            f"| {' | '.join(columns)} |\n|{'---|' * len(columns)}\n"
        )
    r = report["results"]
    met = report["verdicts"]
    summary = ", ".join(
        f"{k}: {'yes' if v['met'] else 'n/a' if v['met'] is None else 'NO'}" for k, v in met.items()
    )
    cells = [
        report["date"],
        report["machine"],
        str(report["scale"]),
        *(
            str(r.get(k, NOT_AVAILABLE))
            for k in (
                "import_ratio",
                "import_peak_mb",
                "indicator_p95_ms",
                "timeline_p95_ms",
                "search_p95_ms",
                "home_p95_ms",
                "submissions_per_second",
                "server_peak_mb",
            )
        ),
        summary,
    ]
    with RESULTS.open("a") as handle:
        handle.write(f"| {' | '.join(c.replace('|', '/') for c in cells)} |\n")


def main() -> None:
    parser = argparse.ArgumentParser(description="Duiding large-dataset benchmark.")
    parser.add_argument("--scale", type=float, default=1.0, help="dataset size; 1 = full")
    parser.add_argument(
        "--import-rows",
        type=int,
        default=None,
        help="CSV rows for the import comparison (default 1,000,000 x scale)",
    )
    parser.add_argument("--no-record", action="store_true", help="do not append RESULTS.md")
    args = parser.parse_args()
    import_rows = args.import_rows or max(1000, round(IMPORT_ROWS * args.scale))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="duiding-bench-") as tmp:
        workdir = Path(tmp)
        url = f"sqlite:///{workdir / 'duiding.db'}"
        env = {
            **os.environ,
            "DUIDING_DATA_DIR": str(workdir),
            "DUIDING_DATABASE_URL": url,
            "DUIDING_SECRET_KEY": "bench-" + "x" * 40,
            "DUIDING_PUBLIC_READ": "true",
            "DUIDING_PUBLIC_STORIES": "true",
            "DUIDING_STORY_RATE_LIMIT": "1000000",
        }
        os.environ.update(env)  # generate.import_cli_available and the import read these
        subprocess.run(
            [str(BIN / "duiding"), "db", "upgrade"],
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        results: dict = {"dataset": generate.generate(url, args.scale, workdir).as_dict()}
        results["generate_seconds"] = round(time.monotonic() - started, 1)
        results.update(bench_import(workdir, env, import_rows))
        engine = make_engine(url)
        with engine.connect() as connection:
            slugs = list(
                connection.execute(select(Indicator.slug).order_by(Indicator.id)).scalars()
            )
        engine.dispose()
        server, base = start_server(env)
        try:
            results.update(bench_pages(base, slugs))
            results.update(bench_submissions(base, url))
            results["server_peak_mb"] = _peak_rss_mb(server.pid)
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=15)
    results["total_seconds"] = round(time.monotonic() - started, 1)
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}",
        "engine": "sqlite",
        "scale": args.scale,
        "results": results,
        "verdicts": verdicts(results),
    }
    print(json.dumps(report, indent=2))
    if not args.no_record:
        append_results(report)


if __name__ == "__main__":
    main()

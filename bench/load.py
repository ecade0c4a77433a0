"""The benchmark's load generator: bounded, loopback only, never retrying.

Every phase sends a fixed number of requests with a fixed concurrency and stops early
at its time budget, so a slow page makes the benchmark report fewer samples, not run
for an hour. A timeout or a reset connection is counted as status 0, never retried.
Latencies are measured by the client, so they include loopback HTTP overhead: an upper
bound of the server-side time the targets name.
"""

import asyncio
import contextlib
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

TIMEOUT = httpx.Timeout(30.0)
HIDDEN_RE = re.compile(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"')


@dataclass
class Sample:
    """What one page's measurement saw: warm timings, first-visit timings, statuses."""

    timings: list[float] = field(default_factory=list)
    cold: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)

    def summary(self, name: str) -> dict:
        """p50 and p95 in ms as ``{name}_p50_ms``; a failure says which statuses it saw."""
        if set(self.statuses) != {200} or len(self.timings) < 2:
            seen = ", ".join(f"{s or 'timeout'} x{n}" for s, n in sorted(self.statuses.items()))
            return {f"{name}_p95_ms": f"not available (HTTP {seen or 'none'})"}
        cuts = statistics.quantiles(self.timings, n=100, method="inclusive")
        return {
            f"{name}_p50_ms": round(cuts[49], 1),
            f"{name}_p95_ms": round(cuts[94], 1),
            f"{name}_first_visit_ms": round(statistics.median(self.cold), 1),
            f"{name}_samples": len(self.timings),
        }


def hidden_fields(html: str) -> dict[str, str]:
    """The named inputs with a value on a page (CSRF token, submission key)."""
    return dict(HIDDEN_RE.findall(html))


async def log_in(client: httpx.AsyncClient, email: str, password: str) -> bool:
    """Sign in through the login form as a person would; tell whether it worked."""
    page = await client.get("/login")
    response = await client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "csrf_token": hidden_fields(page.text).get("csrf_token", ""),
        },
    )
    return response.status_code == 303 and not response.headers["location"].startswith("/login")


async def _timed_get(client: httpx.AsyncClient, path: str, sample: Sample, into: list) -> None:
    started = time.perf_counter()
    try:
        response = await client.get(path)
    except httpx.HTTPError:
        sample.statuses[0] += 1
        return
    into.append((time.perf_counter() - started) * 1000)
    sample.statuses[response.status_code] += 1


async def _measure(
    base: str, paths: list[str], concurrency: int, budget: float, login: tuple | None
) -> Sample:
    sample = Sample()
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT, limits=limits) as client:
        if login and not await log_in(client, *login):
            sample.statuses[401] += 1
            return sample
        # First visits (cold caches) are timed apart, one per distinct path.
        for path in dict.fromkeys(paths):
            await _timed_get(client, path, sample, sample.cold)
        deadline = time.monotonic() + budget
        queue = iter(paths)

        async def worker() -> None:
            for path in queue:  # one shared iterator: each path is sent once
                if time.monotonic() > deadline:
                    return
                await _timed_get(client, path, sample, sample.timings)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return sample


def measure(
    base: str,
    paths: list[str],
    *,
    concurrency: int,
    budget: float,
    login: tuple[str, str] | None = None,
) -> Sample:
    """GET ``paths``; the first visit of each distinct path is timed apart (cold)."""
    return asyncio.run(_measure(base, paths, concurrency, budget, login))


@dataclass
class Target:
    """One server and the paths to ask it, for ``interleaved``."""

    base: str
    paths: list[str]
    login: tuple[str, str] | None = None


async def _interleaved(targets: list[Target], budget: float, first_apart: bool) -> list[Sample]:
    samples = [Sample() for _ in targets]
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=t.base, timeout=TIMEOUT))
            for t in targets
        ]
        for target, client, sample in zip(targets, clients, samples, strict=True):
            if target.login and not await log_in(client, *target.login):
                sample.statuses[401] += 1
        # First visits apart, in turn; then request n of every target before n + 1.
        for target, client, sample in zip(targets, clients, samples, strict=True):
            for path in dict.fromkeys(target.paths) if first_apart else ():
                await _timed_get(client, path, sample, sample.cold)
        deadline = time.monotonic() + budget
        for n in range(max(len(t.paths) for t in targets)):
            if time.monotonic() > deadline:
                break
            for target, client, sample in zip(targets, clients, samples, strict=True):
                if n < len(target.paths):
                    await _timed_get(client, target.paths[n], sample, sample.timings)
    return samples


def interleaved(targets: list[Target], *, budget: float, first_apart: bool = True) -> list[Sample]:
    """GET each target's paths one at a time, alternating between the targets, so that
    whatever else loads the machine meanwhile slows them alike (a peer and Duiding
    compared in the same seconds, not one after the other). With ``first_apart`` the
    first visit of each distinct path is timed apart (cold); without, every path is
    asked once and timed as it comes (queries that are each new)."""
    return asyncio.run(_interleaved(targets, budget, first_apart))


def log_in_sync(client: httpx.Client, email: str, password: str) -> None:
    """Sign in through the login form with a blocking client (see ``log_in``)."""
    page = client.get("/login")
    client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "csrf_token": hidden_fields(page.text).get("csrf_token", ""),
        },
    )


async def _submit(base: str, titles: list[str], concurrency: int) -> tuple[float, Counter]:
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT, limits=limits) as client:
        token = hidden_fields((await client.get("/stories/new")).text).get("csrf_token", "")
        statuses: Counter = Counter()
        gate = asyncio.Semaphore(concurrency)

        async def send(title: str) -> None:
            form = {
                "csrf_token": token,
                "submission_key": f"{title}-key",
                "title": title,
                "body": "Wij zien meer gezinnen aan de keukentafel.",
                "occurred": "2025-06",
                "author_role": "resident",
                "consent": "on",
                "consent_reach": "internal",
            }
            async with gate:
                try:
                    response = await client.post("/stories/new", data=form)
                    statuses[response.status_code] += 1
                except httpx.HTTPError:
                    statuses[0] += 1

        started = time.perf_counter()
        await asyncio.gather(*(send(t) for t in titles))
        return time.perf_counter() - started, statuses


def submit(base: str, titles: list[str], concurrency: int) -> tuple[float, Counter]:
    """Send one story per title, ``concurrency`` at a time; return seconds and statuses."""
    return asyncio.run(_submit(base, titles, concurrency))


@dataclass
class Submissions:
    """What a run of story submissions saw: per request its latency and outcome."""

    seconds: float = 0.0
    timings: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)  # exception class -> count
    acknowledged: list[str] = field(default_factory=list)  # titles answered 303
    # (seconds into the run, which request of its worker, the error) of each failure
    failures: list[tuple] = field(default_factory=list)

    def percentile(self, cut: int) -> float | None:
        """The ``cut``-th percentile of the latencies in ms (None with fewer than two)."""
        if len(self.timings) < 2:
            return None
        return round(statistics.quantiles(self.timings, n=100, method="inclusive")[cut - 1], 1)


def story_form(token: str, title: str) -> dict:
    """The fields of one story as the form sends them."""
    return {
        "csrf_token": token,
        "submission_key": f"{title}-key",
        "title": title,
        "body": "Wij zien meer gezinnen aan de keukentafel.",
        "occurred": "2025-06",
        "author_role": "resident",
        "consent": "on",
        "consent_reach": "internal",
    }


async def _submit_timed(base: str, titles: list[str], concurrency: int) -> Submissions:
    # Keep-alive connections are reused, as a browser's or a proxy's would be; a pool no
    # larger than the concurrency, so that connections go back to the pool and are reused.
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    result = Submissions()
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT, limits=limits) as client:
        token = hidden_fields((await client.get("/stories/new")).text).get("csrf_token", "")
        queue = iter(titles)

        async def worker() -> None:
            sent = 0
            for title in queue:
                started = time.perf_counter()
                sent += 1
                try:
                    response = await client.post("/stories/new", data=story_form(token, title))
                except httpx.HTTPError as error:
                    result.statuses[0] += 1
                    result.errors[type(error).__name__] += 1
                    result.failures.append(
                        (round(started - began, 2), sent, f"{type(error).__name__}: {error!r}")
                    )
                    continue
                result.timings.append((time.perf_counter() - started) * 1000)
                result.statuses[response.status_code] += 1
                if response.status_code == 303:
                    result.acknowledged.append(title)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.seconds = time.perf_counter() - began
    return result


def submit_timed(base: str, titles: list[str], concurrency: int) -> Submissions:
    """Send one story per title from ``concurrency`` workers over reused keep-alive
    connections; every request timed, every failure named by its exception, none retried."""
    return asyncio.run(_submit_timed(base, titles, concurrency))

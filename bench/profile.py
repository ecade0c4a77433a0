"""A pyinstrument profile of one page of the large municipality (``--profile PAGE``).

Run by bench/run.py in a child process whose environment points at the bench's
database, so that the app reads its settings as a server would. The page is asked
twice, signed in as the benchmark's viewer: the first visit after start and a warm
one, each profiled to ``<name>-first`` and ``<name>-warm`` (.html and .txt).

FastAPI runs plain ``def`` routes and dependencies in a thread pool, and pyinstrument
samples only the thread it was started in; here they run inline on the event loop's
thread instead, so the profile shows the page's own work (one request at a time,
which is all a profile asks).
"""

import argparse
import asyncio
import re
from pathlib import Path

import anyio.to_thread
import httpx
from pyinstrument import Profiler

from bench import load


async def _inline(func, *args, **_options):
    return func(*args)


async def _profile(path: str, out: Path, login: tuple[str, str]) -> list[Path]:
    from app.main import create_app

    app = create_app()
    anyio.to_thread.run_sync = _inline  # type: ignore[assignment]  # inline: see the docstring
    name = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "home"
    written = []
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
    ):
        if not await load.log_in(client, *login):
            raise SystemExit(f"could not sign in as {login[0]}")
        for visit in ("first", "warm"):
            profiler = Profiler(async_mode="enabled")
            with profiler:
                response = await client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
            out.mkdir(parents=True, exist_ok=True)
            for suffix, text in (
                ("html", profiler.output_html()),
                ("txt", profiler.output_text(unicode=True, show_all=False)),
            ):
                target = out / f"{name}-{visit}.{suffix}"
                target.write_text(text)
                written.append(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", help="a page path, e.g. /indicators/bench-0001")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    for written in asyncio.run(_profile(args.path, args.out, (args.email, args.password))):
        print(written)


if __name__ == "__main__":
    main()

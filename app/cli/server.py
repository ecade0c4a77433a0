"""``duiding serve`` and ``duiding demo``."""

import typer

from app.cli.console import fail, migrated, ok

# How long an idle keep-alive connection stays open. uvicorn's default (5 s) is shorter
# than the idle time of the clients' own connection pools (httpx 5 s, nginx's upstream
# keepalive 60 s, browsers longer): the server then closes a connection just as the
# client sends the next request on it, and that request is lost with a connection
# reset (issue 24: 48 of 2,000 submissions at concurrency 100). Longer than theirs, the
# client closes idle connections first and nothing is lost (bench/RESULTS.md).
KEEP_ALIVE_SECONDS = 75
# With --workers, uvicorn's supervisor pings each worker and kills one that does not
# answer within 5 s (its default): on a busy machine a worker still importing the app,
# or one whose threads hold the interpreter under load, is killed and started again and
# again (the benchmark's four workers never came up at load 20), and the requests it
# was serving are cut off. A minute tells a hung worker from a busy one.
HEALTHCHECK_SECONDS = 60


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, help="Worker processes (PostgreSQL for more than 1)."),
    timeout_keep_alive: int = typer.Option(
        KEEP_ALIVE_SECONDS,
        min=1,
        help="Seconds an idle keep-alive connection stays open.",
    ),
    healthcheck: int = typer.Option(
        HEALTHCHECK_SECONDS,
        min=1,
        help="Seconds a worker may take to answer the supervisor before it is restarted.",
    ),
) -> None:
    """Run the web application with uvicorn."""
    import uvicorn

    from app.config import settings_or_exit

    settings_or_exit()  # a wrong setting stops here with a clear message

    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        timeout_keep_alive=timeout_keep_alive,
        timeout_worker_healthcheck=healthcheck,
    )


def demo(
    reset: bool = typer.Option(False, "--reset", help="Delete all data and load the demo anew."),
) -> None:
    """Load the fictional municipality; without --reset a second load changes nothing."""
    from sqlmodel import Session

    from app.db import get_write_engine
    from app.demo import load_demo

    with migrated(), Session(get_write_engine()) as session:
        try:
            result = load_demo(session=session, reset=reset)
        except ValueError as error:
            fail(str(error))
    ok(result)

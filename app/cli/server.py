"""``duiding serve`` and ``duiding demo``."""

import typer
from sqlmodel import Session

from app.cli.console import fail, ok

KEEP_ALIVE_SECONDS = 5


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, help="Worker processes (PostgreSQL for more than 1)."),
    timeout_keep_alive: int = typer.Option(
        KEEP_ALIVE_SECONDS,
        min=1,
        help="Seconds an idle keep-alive connection stays open.",
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
    )


def demo(
    reset: bool = typer.Option(False, "--reset", help="Delete all data and load the demo anew."),
) -> None:
    """Load the fictional municipality; without --reset a second load changes nothing."""
    from app.db import get_write_engine
    from app.demo import load_demo

    with Session(get_write_engine()) as session:
        try:
            result = load_demo(session=session, reset=reset)
        except ValueError as error:
            fail(str(error))
    ok(result)

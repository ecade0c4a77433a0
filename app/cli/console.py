"""Shared terminal output: one rich console, a consistent way to fail, one transaction."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:  # the database layer loads only when a command opens a transaction
    from sqlmodel import Session

# soft_wrap: messages are never broken mid-line (scripts and logs grep them).
console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)


def ok(message: str) -> None:
    """Print a success line."""
    console.print(f"[green]✓[/green] {message}")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error in red on stderr and exit with ``code``."""
    errors.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


NOT_MIGRATED = "the database is not at the newest schema: run `duiding db upgrade` first"


@contextmanager
def migrated() -> Iterator[None]:
    """Say how to migrate when a database error comes from a database that is behind
    (``duiding demo`` on a new file gave a traceback about a missing table)."""
    from sqlalchemy.exc import DBAPIError

    from app import migrate

    try:
        yield
    except DBAPIError:
        try:
            behind = migrate.behind()
        except DBAPIError:  # an unreachable database: its own error says more
            behind = False
        if behind:
            fail(NOT_MIGRATED)
        raise


@contextmanager
def writing() -> Iterator["Session"]:
    """A command's one transaction (``db.write_transaction``): committed when the command
    succeeds, rolled back when it fails; a Problem is printed as an English error, and
    a database that is behind its migrations says so."""
    from app.db import write_transaction
    from app.problems import Problem

    try:
        with migrated(), write_transaction() as session:
            yield session
    except Problem as problem:
        fail(str(problem))

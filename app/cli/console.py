"""Shared terminal output: one rich console, and a consistent way to fail."""

from typing import NoReturn

import typer
from rich.console import Console

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

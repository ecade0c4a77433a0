"""``duiding db``: schema migrations."""

import typer

from app.cli.console import fail, ok

app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)


@app.command("upgrade", help="Migrate the database to the newest schema.")
def upgrade() -> None:
    """Run every pending Alembic revision."""
    from sqlalchemy.exc import OperationalError

    from app import migrate

    try:
        migrate.upgrade()
    except OperationalError as error:
        fail(f"cannot migrate the database: {error.orig}")
    ok("database is up to date")

"""Run Alembic from code (CLI, tests, start-up) without an alembic.ini lookup by cwd."""

from pathlib import Path

from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str | None = None) -> Config:
    """Return an Alembic config for this checkout, optionally for an explicit URL."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if url:
        config.attributes["url"] = url
    return config


def upgrade(url: str | None = None) -> None:
    """Bring the database at ``url`` (default: the configured one) to the newest revision."""
    command.upgrade(alembic_config(url), "head")


def behind() -> bool:
    """Whether the configured database lacks revisions of this checkout (an empty file,
    never migrated, lacks them all)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from app.db import get_engine

    with get_engine().connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current != set(ScriptDirectory.from_config(alembic_config()).get_heads())

"""Alembic environment: the models' metadata, the configured URL, engine quirks.

Full-text search tables and their triggers are written by hand in their own revision
and hidden from autogenerate (``include_object``), because SQLAlchemy cannot describe
SQLite FTS5 virtual tables or PostgreSQL tsvector triggers.
"""

from alembic import context
from sqlalchemy import MetaData
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table on SQLModel.metadata)
from app.config import get_settings
from app.db import make_engine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
target_metadata: MetaData = SQLModel.metadata

HAND_WRITTEN_PREFIXES = ("search_",)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Leave hand-written search tables, triggers and their shadow tables alone."""
    return not (type_ == "table" and name and name.startswith(HAND_WRITTEN_PREFIXES))


def _url() -> str:
    return context.config.attributes.get("url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=_url().startswith("sqlite"),
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            _run_without_cascades(connection)
        else:
            _run(connection)
    engine.dispose()


def _run_without_cascades(connection) -> None:
    """Migrate SQLite with foreign keys off, as Alembic's batch mode needs.

    A batch migration rebuilds a table (copy, drop, rename); with foreign keys on
    (app/db.py turns them on for every connection) dropping the old table fires every
    ``ON DELETE CASCADE`` that points at it, and the links of stories to figures,
    themes and sessions were gone after 0012. The pragma only takes effect outside a
    transaction, so it is set on the driver connection before the migration's
    transaction begins; afterwards the references are checked and the pragma restored.
    """
    driver = connection.connection.dbapi_connection
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        _run(connection)
        broken = driver.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the migration left rows pointing nowhere: {broken[:5]}")
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
